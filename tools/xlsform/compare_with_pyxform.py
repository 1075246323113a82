#!/usr/bin/env python3
"""Compare Tham Gia's import of a folder of XLSForms with pyxform's reading.

    cargo run -p thamgia-server --example import_xlsforms -- FOLDER --trim --json OUT
    target/pyxform-venv/bin/python tools/xlsform/compare_with_pyxform.py FOLDER OUT

For every form Tham Gia imported (OUT/<file>.thamgia.json), every question
and group pyxform reads (tools/xlsform/pyxform_summary.py) is looked up by
name and compared: where it sits (its groups and repeats), its kind, whether
it is required, and its relevance, constraint and calculation as written.
A question pyxform reads that Tham Gia does not have is counted apart:
metadata (`start`, `deviceid`, ...: not collected), what pyxform adds of
itself (a repeat's `_count`, a table-list's label row) and rows a warning of
the import names (left out with the officer's agreement: a location, a
photo, external data, and what depends on them) are expected; anything
else is a difference. Prints one line per form, every difference,
and the totals; exits 1 when any question differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pyxform_summary import summarise  # noqa: E402

METADATA = {
    "start", "end", "today", "deviceid", "username", "audit", "simserial",
    "subscriberid", "phonenumber", "email", "start-geopoint",
    "background-audio", "uri:deviceid", "uri:simserial", "uri:subscriberid",
    "uri:phonenumber", "uri:username", "uri:email",
}
NEVER_ASKED = {
    "geopoint", "geotrace", "geoshape", "osm", "image", "audio", "video",
    "file", "barcode", "photo", "background-geopoint", "select one from file",
    "select all that apply from file", "select one external",
    "select_one_external", "select_one_from_file", "select_multiple_from_file",
}

# Tham Gia's question kinds as pyxform's type strings (several of ours map
# to one of pyxform's).
KINDS = {
    "short_text": "text", "long_text": "text", "date": "date", "time": "time",
    "date_time": "datetime", "acknowledge": "acknowledge",
    "single_choice": "select one", "multiple_choice": "select all that apply",
    "ranking": "rank", "rating": "range", "range": "range", "note": "note",
    "calculate": "calculate",
}


def ours(items, path, out):
    for item in items:
        kind = item["item"]
        if kind == "question":
            question_kind = item["kind"]["type"]
            if question_kind == "number":
                pyxform_kind = "integer" if item["kind"].get("integer") else "decimal"
            else:
                pyxform_kind = KINDS.get(question_kind, question_kind)
            out[item["id"]] = {
                "path": "/".join(path),
                "kind": pyxform_kind,
                "required": item.get("required_if") or item.get("required", False),
                "relevant": item.get("relevant"),
                "constraint": item.get("constraint"),
                "calculation": item["kind"].get("calculation") or item.get("calculation"),
            }
        else:
            out[item["id"]] = {
                "path": "/".join(path),
                "kind": kind,
                "required": False,
                "relevant": item.get("relevant"),
                "constraint": None,
                "calculation": None,
            }
            ours(item["items"], [*path, item["id"]], out)


def generated_by_pyxform(element, elements):
    """Elements pyxform adds of itself: the count of a repeat whose
    `repeat_count` is written out (`<repeat>_count`), the label row of a
    `table-list` group (`reserved_name_for_field_list_labels_N`)."""
    name = element["name"]
    if name.startswith("reserved_name_for_field_list_labels_"):
        return True
    repeats = {e["name"] for e in elements if e["kind"] == "repeat"}
    return element["kind"] == "calculate" and name.endswith("_count") and name[: -len("_count")] in repeats


def compare(xlsx: Path, survey: dict, warnings: list[str]):
    summary = summarise(xlsx)
    have = {}
    ours(survey["items"], [], have)
    # pyxform's `flat` forms copy a group's relevance onto its questions;
    # Tham Gia keeps it on the group, which asks them only when it holds.
    for mine in have.values():
        if mine["relevant"] is None and mine["path"]:
            inherited = [have.get(group, {}).get("relevant") for group in mine["path"].split("/")]
            inherited = [relevant for relevant in inherited if relevant]
            if len(inherited) == 1:
                mine["inherited_relevant"] = inherited[0]
    same, differ, expected_missing, missing = 0, [], 0, []
    for element in summary["elements"]:
        name, kind = element["name"], element["kind"]
        mine = have.get(name)
        if mine is None:
            named = any(f'"{name}"' in warning for warning in warnings)
            generated = generated_by_pyxform(element, summary["elements"])
            if kind in METADATA or kind in NEVER_ASKED or named or generated:
                expected_missing += 1
            else:
                missing.append(f"{name} ({kind})")
            continue
        theirs = {
            "path": element["path"],
            "kind": kind,
            "required": element["required"],
            "relevant": element["relevant"],
            "constraint": element["constraint"],
            "calculation": element["calculation"],
        }
        # `phone number` is text checked for digits: Tham Gia writes the
        # check as a constraint where pyxform keeps a type.
        if kind == "phone number":
            theirs["kind"], theirs["constraint"] = "text", mine["constraint"]
        # The question `or_other` adds: pyxform writes its relevance as an
        # XPath path (`../name`) where Tham Gia keeps the `${name}` it means.
        if name.endswith("_other") and theirs["relevant"] and "../" in theirs["relevant"]:
            theirs["relevant"] = mine["relevant"]
        # A `begin loop` is read by pyxform as one element and written out
        # as a group per option (`loop/option/question`), as Tham Gia makes it.
        loops = {e["name"] for e in summary["elements"] if e["kind"] == "loop"}
        if kind == "loop" and mine["kind"] == "group":
            theirs["kind"] = "group"
        if theirs["path"].split("/")[-1:] and theirs["path"].split("/")[-1] in loops:
            if mine["path"].rsplit("/", 1)[0] == theirs["path"]:
                theirs["path"] = mine["path"]
        if theirs["relevant"] and theirs["relevant"] == mine.get("inherited_relevant"):
            theirs["relevant"] = mine["relevant"]
        # pyxform's reader collapses runs of spaces in a cell; an
        # expression's meaning does not change with them.
        for key in ("relevant", "constraint", "calculation"):
            for side in (theirs, mine):
                if isinstance(side.get(key), str):
                    side[key] = " ".join(side[key].split())
        fields = [key for key in theirs if theirs[key] != mine[key]]
        if fields:
            differ.append(
                f"{name}: " + ", ".join(f"{key} {mine[key]!r} (pyxform {theirs[key]!r})" for key in fields)
            )
        else:
            same += 1
    return summary, same, differ, expected_missing, missing


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    folder, out = Path(argv[1]), Path(argv[2])
    totals = [0, 0, 0, 0]
    forms = 0
    for xlsx in sorted(folder.glob("*.xlsx")):
        imported = out / f"{xlsx.name}.thamgia.json"
        if not imported.is_file():
            print(f"- {xlsx.name}: not imported")
            continue
        forms += 1
        written = json.loads(imported.read_text(encoding="utf-8"))
        summary, same, differ, expected, missing = compare(
            xlsx, written["survey"], written["warnings"]
        )
        print(
            f"{'✓' if not differ and not missing else '✗'} {xlsx.name}: {same} the same, "
            f"{len(differ)} different, {expected} not collected or left out, {len(missing)} missing"
        )
        for line in differ + [f"missing {name}" for name in missing]:
            print(f"    {line}")
        for index, value in enumerate([same, len(differ), expected, len(missing)]):
            totals[index] += value
    print(
        f"{forms} forms: {totals[0]} questions and groups read as pyxform reads them, "
        f"{totals[1]} different, {totals[2]} not collected or left out, {totals[3]} missing"
    )
    return 1 if totals[1] or totals[3] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
