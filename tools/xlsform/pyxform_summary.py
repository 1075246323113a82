#!/usr/bin/env python3
"""Summarise an XLSForm the way pyxform (the reference converter) reads it.

    python tools/xlsform/pyxform_summary.py FORM.xlsx            # JSON on stdout
    python tools/xlsform/pyxform_summary.py --write FORM.xlsx... # FORM.pyxform.json beside each

Output (UTF-8 JSON, keys in this order):

    {
      "file": "school-safety.xlsx",
      "pyxform_version": "4.5.0",
      "form_id": "school_safety",          # settings form_id (pyxform's id_string)
      "version": "2025070101",             # settings version, or null
      "title": "...",                      # settings form_title (pyxform allows one string only)
      "default_language": "default",       # pyxform's; "default" unless the settings sheet sets it
      "converts": true,                    # did pyxform's full XLSForm -> XForm conversion succeed
      "error": null,                       # pyxform's error message when it did not
      "warnings": [...],                   # pyxform's conversion warnings
      "elements": [                        # every question and group, document order (pre-order)
        {"name": "walk_minutes",
         "path": "",                       # enclosing group/repeat names joined by "/"; "" at top level
         "kind": "integer",                # pyxform's type string: "select one", "group", "repeat", ...
         "required": false,                # pyxform's own yes/no reading of the `required` cell
         "relevant": "${travel} = 'walk'", # raw, as written in the xlsx, or null
         "constraint": ". >= 0 and . <= 120",
         "calculation": null}
      ]
    }

The elements come from pyxform's public parse, pyxform.xls2json.parse_file_to_json
(the survey JSON dict, before any XPath rewriting), so expressions are exactly
as written in the sheet. The group pyxform adds by itself ("meta", holding
instanceID) is left out. Conversion success is checked separately with
pyxform.xls2xform.convert (no ODK Validate: that needs Java).

Exit status: 0 when a summary was printed, also when pyxform refuses the form
(then "converts" is false, "error" says why, and "elements" is whatever the
parse produced, possibly empty); 2 on bad usage or an unreadable file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pyxform
from pyxform import aliases
from pyxform.errors import PyXFormError
from pyxform.xls2json import parse_file_to_json
from pyxform.xls2xform import convert

SUMMARY_SUFFIX = ".pyxform.json"


def _required(bind: dict):
    raw = bind.get("required")
    if raw is None or raw == "":
        return False
    if isinstance(raw, bool):
        return raw
    value = aliases.yes_no.get(str(raw).strip())
    # pyxform passes anything else through as an XPath expression; keep it visible.
    return value if value is not None else str(raw)


def _text(bind: dict, key: str):
    value = bind.get(key)
    if value is None or value == "":
        return None
    return str(value)


def _is_auto_meta(element: dict) -> bool:
    return (
        element.get("name") == "meta"
        and element.get("type") == "group"
        and (element.get("control") or {}).get("bodyless") is True
    )


def _walk(children, path, out):
    for element in children or []:
        if not path and _is_auto_meta(element):
            continue
        bind = element.get("bind") or {}
        out.append(
            {
                "name": element.get("name"),
                "path": "/".join(path),
                "kind": element.get("type"),
                "required": _required(bind),
                "relevant": _text(bind, "relevant"),
                "constraint": _text(bind, "constraint"),
                "calculation": _text(bind, "calculate"),
            }
        )
        if "children" in element and element.get("type") in ("group", "repeat", "loop"):
            _walk(element["children"], [*path, element["name"]], out)


def summarise(xlsx: str | os.PathLike) -> dict:
    xlsx = Path(xlsx)
    if not xlsx.is_file():
        raise FileNotFoundError(xlsx)
    summary = {
        "file": xlsx.name,
        "pyxform_version": pyxform.__version__,
        "form_id": None,
        "version": None,
        "title": None,
        "default_language": None,
        "converts": False,
        "error": None,
        "warnings": [],
        "elements": [],
    }
    try:
        survey = parse_file_to_json(str(xlsx), warnings=[])
    except PyXFormError as e:
        summary["error"] = str(e)
        return summary
    summary["form_id"] = survey.get("id_string")
    summary["version"] = survey.get("version")
    summary["title"] = survey.get("title")
    summary["default_language"] = survey.get("default_language")
    elements = []
    _walk(survey.get("children"), [], elements)
    summary["elements"] = elements

    warnings: list[str] = []
    try:
        convert(xlsform=str(xlsx), warnings=warnings, validate=False)
        summary["converts"] = True
    except PyXFormError as e:
        summary["error"] = str(e)
    except Exception as e:  # pyxform bugs surface as other exceptions; record them too
        summary["error"] = f"{type(e).__name__}: {e}"
    summary["warnings"] = warnings
    return summary


def render(summary: dict) -> str:
    return json.dumps(summary, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str]) -> int:
    args = argv[1:]
    write = False
    if args and args[0] == "--write":
        write, args = True, args[1:]
    if not args or (not write and len(args) != 1):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    for arg in args:
        try:
            summary = summarise(arg)
        except (OSError, ValueError) as e:
            print(f"pyxform_summary.py: {arg}: {e}", file=sys.stderr)
            return 2
        text = render(summary)
        if write:
            out = Path(arg).parent / (Path(arg).stem + SUMMARY_SUFFIX)
            out.write_text(text, encoding="utf-8")
            print(f"wrote {out}", file=sys.stderr)
        else:
            sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
