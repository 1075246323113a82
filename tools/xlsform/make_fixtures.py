#!/usr/bin/env python3
"""Generate the XLSForm fixtures of the XLSForm import comparison test.

    python tools/xlsform/make_fixtures.py [OUT_DIR]

writes five small .xlsx files (default OUT_DIR:
crates/thamgia-server/tests/xlsform/), and the forms of WILD_FORMS (as
other organisations write them) to crates/thamgia-e2e/tests/fixtures/. The output is byte-for-byte
deterministic: fixed document properties and fixed zip entry timestamps, so
re-running it leaves git clean unless this script changed.

Forms are for children aged 7-15 and the field workers / forum facilitators
who consult them. Labels, hints and constraint messages are bilingual,
Vietnamese first: `label::Vietnamese (vi)` and `label::English (en)`.

Row numbers: the header is row 1 of every sheet, so the n-th entry of a
SURVEY list below is spreadsheet row n + 1. The Rust importer reports rows in
that numbering; unsupported.xlsx's offending rows are listed in
UNSUPPORTED_ROWS (and printed) for the test to check against.
"""

from __future__ import annotations

import datetime as _dt
import io
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

VI = "Vietnamese (vi)"
EN = "English (en)"

# Short key -> survey sheet column header, in sheet order.
SURVEY_COLUMNS = [
    ("type", "type"),
    ("name", "name"),
    ("label_vi", f"label::{VI}"),
    ("label_en", f"label::{EN}"),
    ("hint_vi", f"hint::{VI}"),
    ("hint_en", f"hint::{EN}"),
    ("required", "required"),
    ("relevant", "relevant"),
    ("constraint", "constraint"),
    ("cmsg_vi", f"constraint_message::{VI}"),
    ("cmsg_en", f"constraint_message::{EN}"),
    ("calculation", "calculation"),
    ("appearance", "appearance"),
    ("parameters", "parameters"),
]
CHOICE_COLUMNS = [
    ("list_name", "list_name"),
    ("name", "name"),
    ("label_vi", f"label::{VI}"),
    ("label_en", f"label::{EN}"),
]
SETTINGS_COLUMNS = ["form_title", "form_id", "version", "default_language"]

FIXED_TIME = _dt.datetime(2025, 7, 1, 0, 0, 0)
ZIP_TIME = (2025, 7, 1, 0, 0, 0)


def q(type_, name, vi="", en="", **kw):
    """One survey row. kw keys are the short keys of SURVEY_COLUMNS."""
    row = {"type": type_, "name": name, "label_vi": vi, "label_en": en}
    unknown = set(kw) - {k for k, _ in SURVEY_COLUMNS}
    if unknown:
        raise ValueError(f"unknown survey columns {unknown}")
    row.update(kw)
    return row


def end(type_):
    return {"type": type_}


def choices(list_name, *items):
    return [
        {"list_name": list_name, "name": n, "label_vi": vi, "label_en": en}
        for n, vi, en in items
    ]


YES_NO = choices(
    "yes_no",
    ("yes", "Có", "Yes"),
    ("no", "Không", "No"),
)

AGE_CONSTRAINT = dict(
    constraint=". >= 7 and . <= 15",
    cmsg_vi="Tuổi phải từ 7 đến 15.",
    cmsg_en="Age must be between 7 and 15.",
)

# --------------------------------------------------------------------------
# a. school-safety.xlsx
# --------------------------------------------------------------------------
SCHOOL_SAFETY = {
    "settings": {
        "form_title": "An toàn trên đường đến trường / Safety on the way to school",
        "form_id": "school_safety",
        "version": "2025070101",
    },
    "survey": [
        q("note", "intro",
          "Cảm ơn em đã tham gia! Không có câu trả lời nào đúng hay sai.",
          "Thank you for taking part! There are no right or wrong answers."),
        q("integer", "age", "Em bao nhiêu tuổi?", "How old are you?",
          required="yes", **AGE_CONSTRAINT),
        q("text", "school_name", "Em đang học ở trường nào?", "Which school do you go to?",
          hint_vi="Ví dụ: Trường Tiểu học Kim Liên",
          hint_en="For example: Kim Lien Primary School"),
        q("select_one travel", "travel",
          "Em thường đến trường bằng cách nào?", "How do you usually get to school?",
          required="yes"),
        q("integer", "walk_minutes",
          "Em đi bộ đến trường mất bao nhiêu phút?", "How many minutes do you walk to school?",
          hint_vi="Ước lượng cũng được.", hint_en="A guess is fine.",
          relevant="${travel} = 'walk'",
          constraint=". >= 0 and . <= 120",
          cmsg_vi="Thời gian phải từ 0 đến 120 phút.",
          cmsg_en="The time must be between 0 and 120 minutes."),
        q("select_one yes_no", "feel_safe",
          "Em có cảm thấy an toàn trên đường đến trường không?",
          "Do you feel safe on your way to school?",
          required="yes"),
        q("select_multiple unsafe_place", "unsafe_places",
          "Những chỗ nào làm em thấy không an toàn?",
          "Which places make you feel unsafe?",
          hint_vi="Em có thể chọn nhiều chỗ.", hint_en="You can choose more than one.",
          relevant="${feel_safe} = 'no'"),
        q("text", "suggestion",
          "Em muốn người lớn làm gì để đường đến trường an toàn hơn?",
          "What would you like adults to do to make the way to school safer?",
          required="no"),
    ],
    "choices": [
        *choices("travel",
                 ("walk", "Đi bộ", "On foot"),
                 ("bicycle", "Xe đạp", "Bicycle"),
                 ("motorbike", "Bố mẹ chở bằng xe máy", "On a parent's motorbike"),
                 ("bus", "Xe buýt", "Bus"),
                 ("other", "Cách khác", "Another way")),
        *YES_NO,
        *choices("unsafe_place",
                 ("crossing", "Chỗ qua đường", "Road crossing"),
                 ("market", "Gần chợ", "Near the market"),
                 ("dark_alley", "Ngõ tối", "Dark alley"),
                 ("school_gate", "Cổng trường", "School gate"),
                 ("construction", "Công trường xây dựng", "Building site")),
    ],
}

# --------------------------------------------------------------------------
# b. play-activities.xlsx
# --------------------------------------------------------------------------
PLAY_ACTIVITIES = {
    "settings": {
        "form_title": "Vui chơi của em / Your play",
        "form_id": "play_activities",
        "version": "2025070101",
    },
    "survey": [
        q("note", "intro",
          "Chúng mình muốn biết em thường chơi gì và chơi ở đâu.",
          "We would like to know what you play and where."),
        q("integer", "age", "Em bao nhiêu tuổi?", "How old are you?",
          required="true", **AGE_CONSTRAINT),
        q("integer", "free_hours",
          "Mỗi ngày em có khoảng mấy giờ rảnh để vui chơi?",
          "About how many free hours a day do you have for play?",
          required="yes",
          constraint=". >= 0 and . <= 12",
          cmsg_vi="Số giờ phải từ 0 đến 12.",
          cmsg_en="The number of hours must be between 0 and 12."),
        q("begin_group", "playground", "Sân chơi gần nhà em", "Playgrounds near your home",
          appearance="field-list"),
        q("select_one yes_no", "has_playground",
          "Gần nhà em có sân chơi hoặc nhà văn hóa không?",
          "Is there a playground or community house near your home?",
          required="yes"),
        q("select_one distance", "playground_distance",
          "Em đi bộ đến đó mất bao lâu?", "How long does it take you to walk there?",
          relevant="${has_playground} = 'yes'"),
        end("end_group"),
        q("begin_repeat", "activity", "Hoạt động vui chơi", "Play activity",
          hint_vi="Thêm một mục cho mỗi hoạt động em thích.",
          hint_en="Add one entry for each activity you like."),
        q("text", "activity_name", "Em thích chơi gì?", "What do you like to play?",
          required="yes"),
        q("integer", "days",
          "Mỗi tuần em chơi mấy ngày?", "On how many days a week do you play it?",
          constraint=". >= 1 and . <= 7",
          cmsg_vi="Số ngày phải từ 1 đến 7.",
          cmsg_en="The number of days must be between 1 and 7."),
        q("select_one place", "place", "Em thường chơi ở đâu?", "Where do you usually play it?",
          required="yes"),
        q("text", "place_other", "Đó là nơi nào?", "Which place is it?",
          relevant="${place} = 'other'", required="yes"),
        q("select_one yes_no", "with_friends",
          "Em có chơi cùng bạn bè không?", "Do you play it with friends?"),
        end("end_repeat"),
        q("calculate", "free_hours_week", calculation="${free_hours} * 7"),
        q("calculate", "age_band",
          calculation="if(${age} <= 10, '7-10', '11-15')"),
        q("note", "summary",
          "Mỗi tuần em có khoảng ${free_hours_week} giờ rảnh. Cảm ơn em!",
          "You have about ${free_hours_week} free hours a week. Thank you!"),
    ],
    "choices": [
        *YES_NO,
        *choices("distance",
                 ("under_5", "Dưới 5 phút", "Less than 5 minutes"),
                 ("5_to_15", "Từ 5 đến 15 phút", "5 to 15 minutes"),
                 ("over_15", "Hơn 15 phút", "More than 15 minutes")),
        *choices("place",
                 ("home", "Ở nhà", "At home"),
                 ("school", "Ở trường", "At school"),
                 ("playground", "Sân chơi", "Playground"),
                 ("community_house", "Nhà văn hóa", "Community house"),
                 ("street", "Ngoài đường, trong ngõ", "In the street or alley"),
                 ("other", "Nơi khác", "Somewhere else")),
    ],
}

# --------------------------------------------------------------------------
# c. health-and-food.xlsx
# --------------------------------------------------------------------------
HEALTH_AND_FOOD = {
    "settings": {
        "form_title": "Sức khỏe và bữa ăn / Health and food",
        "form_id": "health_and_food",
        "version": "2025070101",
    },
    "survey": [
        q("integer", "age", "Em bao nhiêu tuổi?", "How old are you?",
          required="yes", **AGE_CONSTRAINT),
        q("decimal", "height_cm", "Chiều cao của em (cm)", "Your height (cm)",
          hint_vi="Cán bộ đo và ghi lại, ví dụ 132.5",
          hint_en="Measured and entered by the worker, e.g. 132.5",
          constraint=". >= 90 and . <= 200",
          cmsg_vi="Chiều cao phải từ 90 đến 200 cm.",
          cmsg_en="Height must be between 90 and 200 cm."),
        q("decimal", "weight_kg", "Cân nặng của em (kg)", "Your weight (kg)",
          constraint=". >= 15 and . <= 120",
          cmsg_vi="Cân nặng phải từ 15 đến 120 kg.",
          cmsg_en="Weight must be between 15 and 120 kg."),
        q("calculate", "bmi",
          calculation="if(${height_cm} > 0 and ${weight_kg} > 0, "
                      "round(${weight_kg} div ((${height_cm} div 100) * (${height_cm} div 100)), 1), '')"),
        q("date", "last_checkup",
          "Lần gần nhất em được khám sức khỏe là ngày nào?",
          "When was your last health check-up?",
          constraint=". <= today()",
          cmsg_vi="Ngày khám không thể ở trong tương lai.",
          cmsg_en="The check-up date cannot be in the future."),
        q("select_one yes_no", "breakfast",
          "Sáng nay em có ăn sáng không?", "Did you have breakfast this morning?",
          required="yes"),
        q("select_multiple food", "favourite_foods",
          "Em thích ăn những món nào nhất?", "Which foods do you like most?",
          hint_vi="Chọn tối đa 3 món.", hint_en="Choose up to 3.",
          required="yes",
          constraint="count-selected(${favourite_foods}) <= 3",
          cmsg_vi="Em chỉ được chọn tối đa 3 món.",
          cmsg_en="You can choose at most 3 foods."),
        q("text", "favourite_foods_other", "Món khác là món gì?", "What is the other food?",
          relevant="selected(${favourite_foods}, 'other')", required="yes"),
        q("text", "health_worry",
          "Em có điều gì lo lắng về sức khỏe muốn chia sẻ không?",
          "Is there anything about your health that worries you and you want to share?",
          hint_vi="Không bắt buộc. Tối đa 200 ký tự.",
          hint_en="Optional. At most 200 characters.",
          constraint="string-length(.) <= 200",
          cmsg_vi="Câu trả lời dài quá 200 ký tự.",
          cmsg_en="The answer is longer than 200 characters."),
    ],
    "choices": [
        *YES_NO,
        *choices("food",
                 ("rice", "Cơm", "Rice"),
                 ("pho", "Phở, bún", "Pho or noodles"),
                 ("vegetables", "Rau", "Vegetables"),
                 ("fruit", "Hoa quả", "Fruit"),
                 ("fish", "Cá", "Fish"),
                 ("meat", "Thịt", "Meat"),
                 ("eggs", "Trứng", "Eggs"),
                 ("milk", "Sữa", "Milk"),
                 ("other", "Món khác", "Something else")),
    ],
}

# --------------------------------------------------------------------------
# d. forum-feedback.xlsx
# --------------------------------------------------------------------------
FORUM_FEEDBACK = {
    "settings": {
        "form_title": "Ý kiến về diễn đàn trẻ em / Children's forum feedback",
        "form_id": "forum_feedback",
        "version": "2025070102",
        "default_language": VI,
    },
    "survey": [
        q("note", "intro",
          "Diễn đàn trẻ em cấp phường. Hãy cho chúng mình biết em thấy thế nào!",
          "Ward children's forum. Tell us what you thought!"),
        q("select_one heard", "feel_heard",
          "Em thấy ý kiến của mình được lắng nghe đến mức nào?",
          "How much did you feel your views were listened to?",
          required="yes", appearance="likert"),
        q("range", "enjoyment",
          "Em thích buổi diễn đàn hôm nay ở mức nào? (1 đến 5)",
          "How much did you enjoy today's forum? (1 to 5)",
          required="yes", parameters="start=1 end=5 step=1"),
        q("begin_group", "session", "Buổi diễn đàn", "The forum session"),
        q("text", "topic", "Chủ đề nào em quan tâm nhất hôm nay?",
          "Which topic mattered most to you today?"),
        q("begin_group", "recommendation", "Kiến nghị của em", "Your recommendation"),
        q("text", "recommendation_text", "Em muốn kiến nghị điều gì?",
          "What do you want to recommend?", required="yes"),
        q("select_one authority", "send_to",
          "Em muốn gửi kiến nghị đến ai?", "Who should receive your recommendation?",
          required="yes"),
        end("end_group"),
        end("end_group"),
        q("select_one yes_no", "want_answer",
          "Em có muốn được biết kết quả trả lời kiến nghị không?",
          "Do you want to hear back about the answer to your recommendation?",
          required="yes"),
    ],
    "choices": [
        *choices("heard",
                 ("1", "Một chút", "A little"),
                 ("2", "Khá nhiều", "Quite a lot"),
                 ("3", "Rất nhiều", "A lot")),
        *choices("authority",
                 ("ward_committee", "UBND phường", "Ward People's Committee"),
                 ("school", "Nhà trường", "The school"),
                 ("ward_police", "Công an phường", "Ward police"),
                 ("youth_union", "Đoàn Thanh niên", "Youth Union")),
        *YES_NO,
    ],
}

# --------------------------------------------------------------------------
# e. unsupported.xlsx — features Tham Gia refuses, one per row
# --------------------------------------------------------------------------
UNSUPPORTED = {
    "settings": {
        "form_title": "Biểu mẫu dùng tính năng chưa hỗ trợ / Form with unsupported features",
        "form_id": "unsupported_features",
        "version": "2025070101",
    },
    "survey": [
        q("note", "intro",
          "Khảo sát về những nơi chưa an toàn trong phường.",
          "Survey about unsafe places in the ward."),
        q("geopoint", "location",
          "Vị trí nơi em thấy không an toàn", "Location of the unsafe place"),
        q("image", "photo", "Chụp ảnh nơi đó", "Take a photo of the place"),
        q("select_one_from_file wards.csv", "ward",
          "Em sống ở phường nào?", "Which ward do you live in?"),
        q("select_one school", "school", "Em học trường nào?", "Which school do you go to?",
          appearance="search('schools')"),
        q("calculate", "school_district",
          calculation="pulldata('schools', 'district', 'name', ${school})"),
        q("calculate", "ward_label",
          calculation="instance('wards')/root/item[name = ${ward}]/label"),
        q("text", "what_happened", "Chuyện gì đã xảy ra ở đó?", "What happened there?"),
    ],
    "choices": [
        *choices("school",
                 ("name", "name", "name")),
    ],
}

# Spreadsheet rows of unsupported.xlsx that Tham Gia must refuse (row 1 is the header).
UNSUPPORTED_ROWS = {}

FORMS = {
    "school-safety.xlsx": SCHOOL_SAFETY,
    "play-activities.xlsx": PLAY_ACTIVITIES,
    "health-and-food.xlsx": HEALTH_AND_FOOD,
    "forum-feedback.xlsx": FORUM_FEEDBACK,
    "unsupported.xlsx": UNSUPPORTED,
}


def _unsupported_rows():
    rows = {}
    for i, row in enumerate(UNSUPPORTED["survey"], start=2):
        t, ap, calc = row.get("type", ""), row.get("appearance", ""), row.get("calculation", "")
        why = (
            "geopoint" if t == "geopoint" else
            "image" if t == "image" else
            "select_one_from_file" if t.startswith("select_one_from_file") else
            "search() appearance" if "search(" in ap else
            "pulldata()" if "pulldata(" in calc else
            "instance() reference" if "instance(" in calc else
            None
        )
        if why:
            rows[i] = (row["name"], why)
    return rows


UNSUPPORTED_ROWS.update(_unsupported_rows())


def _sheet(wb, title, headers, rows):
    ws = wb.create_sheet(title)
    ws.append([h for _, h in headers])
    for row in rows:
        ws.append([row.get(k) or None for k, _ in headers])
    # Readable widths for people who open the fixture in a spreadsheet app.
    for col, (key, _) in zip(ws.iter_cols(min_row=1, max_row=1), headers):
        width = 14 if key in ("type", "name", "list_name", "required") else 28
        ws.column_dimensions[col[0].column_letter].width = width
    return ws


def build_workbook(form):
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "survey", SURVEY_COLUMNS, form["survey"])
    _sheet(wb, "choices", CHOICE_COLUMNS, form["choices"])
    settings_cols = [c for c in SETTINGS_COLUMNS if c in form["settings"]]
    ws = wb.create_sheet("settings")
    ws.append(settings_cols)
    ws.append([form["settings"][c] for c in settings_cols])
    props = wb.properties
    props.creator = "Tham Gia make_fixtures.py"
    props.lastModifiedBy = None
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    return wb


def workbook_bytes(wb) -> bytes:
    """Serialise like openpyxl.save_workbook, but reproducibly."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        # ExcelWriter directly: save_workbook() would stamp properties.modified = now.
        ExcelWriter(wb, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name), compresslevel=9)
    return out.getvalue()


# --------------------------------------------------------------------------
# Forms as other organisations write them, for the end-to-end tests: sheets
# given as rows of cells, headers as written (one language, `label:English`,
# no settings sheet), written to crates/thamgia-e2e/tests/fixtures/.
# --------------------------------------------------------------------------
WILD_FORMS = {
    # A partner's household form in English only: metadata rows, a phone
    # number, `or_other`, an appearance and a picture column Tham Gia does
    # not show, a location it never asks (with a note that shows it), and a
    # day of the visit that starts as today.
    "household-one-language.xlsx": {
        "survey": [
            ["type", "name", "label:English", "hint:English", "appearance", "image", "required",
             "default"],
            ["start", "start"],
            ["deviceid", "device"],
            ["text", "initials", "Initials of the child", "Two letters", "", "", "yes"],
            ["phone number", "caregiver_phone", "Caregiver's phone"],
            ["select_one places or_other", "play_place", "Where do you play most?", "", "quick"],
            ["integer", "age", "How old are you?", "In years", "", "age.png"],
            ["geopoint", "home", "Where is your home?"],
            ["note", "home_note", "Your home is at ${home}."],
            ["text", "felt_safe", "Where do you feel safe?"],
            ["date", "visit_day", "Day of the visit", "", "", "", "", "today()"],
        ],
        "choices": [
            ["list_name", "name", "label:English"],
            ["places", "yard", "The yard"],
            ["places", "street", "The street"],
            ["places", "park", "A park"],
        ],
    },
    # A school consultation as a ward's partner writes it for ODK: a ward
    # then its schools (a cascading list, one value under two wards), a
    # school code checked by `regex()`, a roster of brothers and sisters
    # counted by an earlier answer with the total of their ages, a 0-10
    # scale, hours of sleep in half hours (a slider), activities in an order
    # of the child's own (`randomize`), a likert grid on one page, and a
    # last word to acknowledge.
    "school-roster.xlsx": {
        "survey": [
            ["type", "name", "label", "required", "constraint", "constraint_message",
             "choice_filter", "repeat_count", "calculation", "parameters", "appearance",
             "read_only", "default", "guidance_hint"],
            ["select_one wards", "ward", "Em sống ở phường nào?", "yes", "", "", "", "", "",
             "", "minimal"],
            ["select_one schools", "school", "Em học trường nào?", "yes", "", "",
             "${ward} = ward"],
            ["text", "school_code", "Mã trường (hai chữ in hoa và ba chữ số)", "",
             "regex(., '^[A-Z]{2}[0-9]{3}$')", "Mã trường có dạng HK123."],
            ["text", "school_year", "Năm học", "", "", "", "", "", "", "", "", "yes", "2026-2027"],
            ["integer", "siblings", "Em có mấy anh chị em?", "yes", ". >= 0 and . <= 10",
             "Từ 0 đến 10.", "", "", "", "", "", "", "",
             "Tính cả anh chị em cùng cha khác mẹ, cùng mẹ khác cha."],
            ["begin_repeat", "sibling", "Anh chị em", "", "", "", "", "${siblings}"],
            ["integer", "sibling_age", "Anh chị em này bao nhiêu tuổi?", "yes"],
            ["end_repeat"],
            ["calculate", "total_age", "", "", "", "", "", "", "sum(${sibling_age})"],
            ["calculate", "interview_id", "", "", "", "", "", "", "once(uuid())"],
            ["calculate", "started", "", "", "", "", "", "", "once(now())"],
            ["note", "total_note", "Tổng số tuổi của anh chị em: ${total_age}."],
            ["range", "safe", "Ở trường, em thấy an toàn đến mức nào (0 đến 10)?", "yes",
             "", "", "", "", "", "start=0 end=10 step=1"],
            ["range", "sleep", "Tối qua em ngủ mấy tiếng?", "", "", "", "", "", "",
             "start=4 end=12 step=0.5"],
            ["select_multiple activities", "after_school", "Sau giờ học em thích làm gì?", "", "",
             "", "", "", "", "randomize=true"],
            ["begin_group", "school_life", "Ở trường", "", "", "", "", "", "", "", "field-list"],
            ["select_one agree", "heard", "Thầy cô lắng nghe em.", "yes", "", "", "", "", "", "",
             "likert"],
            ["select_one agree", "friends", "Em có bạn để chơi cùng.", "yes", "", "", "", "", "",
             "", "likert"],
            ["end_group"],
            ["acknowledge", "thanks", "Cảm ơn em đã chia sẻ. Em đồng ý gửi câu trả lời.", "yes"],
        ],
        "choices": [
            ["list_name", "name", "label", "ward"],
            ["activities", "sport", "Chơi thể thao"],
            ["activities", "read", "Đọc sách"],
            ["activities", "draw", "Vẽ"],
            ["activities", "music", "Chơi nhạc"],
            ["activities", "help_home", "Giúp việc nhà"],
            ["agree", "disagree", "Không đồng ý"],
            ["agree", "neutral", "Bình thường"],
            ["agree", "agree", "Đồng ý"],
            ["wards", "hoan_kiem", "Hoàn Kiếm"],
            ["wards", "ba_dinh", "Ba Đình"],
            ["schools", "le_loi", "Trường Lê Lợi", "hoan_kiem"],
            ["schools", "tran_phu", "Trường Trần Phú", "hoan_kiem"],
            ["schools", "nguyen_du", "Trường Nguyễn Du", "ba_dinh"],
            ["schools", "other", "Trường khác", "hoan_kiem"],
            ["schools", "other", "Trường khác", "ba_dinh"],
        ],
        "settings": [
            ["form_id", "form_title", "allow_choice_duplicates", "version"],
            ["school-roster", "Trường học và gia đình", "yes", "2026120501"],
        ],
    },
    # A household consultation in Vietnamese, English and Hmong, as a
    # partner working with Hmong families writes it: the worker picks Hmong
    # for the form's words. The adults are worked out from two answers and
    # shown (`calculation`, `read_only`); the grade is proposed from the
    # age when the age is given (`trigger`) and may be changed; each
    # response is named by its household size (`instance_name`).
    "household-three-languages.xlsx": {
        "survey": [
            ["type", "name", "label::Tiếng Việt (vi)", "label::English (en)", "label::Hmoob (hmn)",
             "calculation", "trigger", "read_only", "required"],
            ["integer", "members", "Nhà em có mấy người?", "How many people live in your home?",
             "Koj tsev muaj pes tsawg tus neeg?", "", "", "", "yes"],
            ["integer", "children", "Mấy người là trẻ em?", "How many of them are children?",
             "Muaj pes tsawg tus yog menyuam?", "", "", "", "yes"],
            ["integer", "adults", "Số người lớn", "Adults", "Cov neeg laus",
             "${members} - ${children}", "", "yes"],
            ["integer", "age", "Em bao nhiêu tuổi?", "How old are you?", "Koj muaj pes tsawg xyoo?",
             "", "", "", "yes"],
            ["integer", "grade", "Em học lớp mấy?", "Which grade are you in?", "Koj kawm qib twg?",
             "${age} - 5", "${age}"],
            ["select_one feeling", "feel", "Em thấy thế nào ở nhà?", "How do you feel at home?",
             "Koj xav li cas nyob hauv tsev?", "", "", "", "yes"],
        ],
        "choices": [
            ["list_name", "name", "label::Tiếng Việt (vi)", "label::English (en)", "label::Hmoob (hmn)"],
            ["feeling", "happy", "Vui", "Happy", "Zoo siab"],
            ["feeling", "sad", "Buồn", "Sad", "Tu siab"],
        ],
        "settings": [
            ["form_id", "form_title", "default_language", "instance_name"],
            ["household-languages", "Gia đình em", "Tiếng Việt (vi)",
             "concat('Hộ ', ${members}, ' người')"],
        ],
    },
}


def build_raw_workbook(sheets):
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append([cell or None for cell in row])
    props = wb.properties
    props.creator = "Tham Gia make_fixtures.py"
    props.lastModifiedBy = None
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    return wb


def main(argv):
    root = Path(__file__).resolve().parents[2]
    default_out = root / "crates/thamgia-server/tests/xlsform"
    out_dir = Path(argv[1]) if len(argv) > 1 else default_out
    out_dir.mkdir(parents=True, exist_ok=True)
    for filename, form in FORMS.items():
        path = out_dir / filename
        data = workbook_bytes(build_workbook(form))
        path.write_bytes(data)
        print(f"wrote {path} ({len(data)} bytes)", file=sys.stderr)
    wild_dir = root / "crates/thamgia-e2e/tests/fixtures" if len(argv) <= 1 else out_dir
    wild_dir.mkdir(parents=True, exist_ok=True)
    for filename, sheets in WILD_FORMS.items():
        path = wild_dir / filename
        data = workbook_bytes(build_raw_workbook(sheets))
        path.write_bytes(data)
        print(f"wrote {path} ({len(data)} bytes)", file=sys.stderr)
    for row, (name, why) in sorted(UNSUPPORTED_ROWS.items()):
        print(f"unsupported.xlsx survey row {row}: {name}: {why}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
