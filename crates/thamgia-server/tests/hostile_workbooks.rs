//! Workbooks made to exhaust the XLSForm import are refused with a 422
//! naming the limit they pass, quickly, and the server stays up: through
//! the router for every limit of `xlsform::limits`, and against the real
//! server binary over a socket, whose memory is watched (issue 9, item 1).

mod hostile;
mod process;
mod support;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hostile::{
    far_corner, form_with_survey, lying_shared_strings, package, shared_text_bomb, small_form,
    styled, survey_rows, table, text_cell, workbook_parts, xlsx, zeros_bomb, Part, MIB,
};
use process::{log_of, RunningServer};
use thamgia_server::error::{ImportRefusedBody, IMPORT_REFUSED};
use thamgia_server::xlsform::limits::{
    MAX_CELLS, MAX_COLUMNS, MAX_PACKAGE_BYTES, MAX_PARTS, MAX_PART_BYTES, MAX_ROWS,
    MAX_SHARED_STRINGS, MAX_SHEETS, MAX_STYLE_RECORDS, MAX_STYLE_TEXT_BYTES, MAX_TEXT_BYTES,
};

/// How long a refusal may take, even in a debug build on a busy machine:
/// reading what the workbook claims would take hours, or never end.
const QUICK: Duration = Duration::from_secs(10);
/// How big the bombs unpack: 25 parts' worth, 200 MiB from ~200 KB.
const BOMB_BYTES: usize = 25 * MAX_PART_BYTES as usize;

/// `number` grouped as each language writes it: `5.000`, `5,000`.
fn grouped(number: usize, separator: char) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// Posts a workbook to the import endpoint as the demo city officer.
async fn import(server: &support::TestServer, bytes: Vec<u8>) -> (StatusCode, serde_json::Value) {
    let request = Request::post("/api/v1/surveys/import")
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(Body::from(bytes))
        .expect("request");
    let (status, body) = server.call(request).await;
    let value = serde_json::from_slice(&body)
        .unwrap_or_else(|error| panic!("{status}: {error}: {}", String::from_utf8_lossy(&body)));
    (status, value)
}

/// Imports `bytes` and checks it is refused quickly with one problem whose
/// English and Vietnamese messages hold every one of `english` and
/// `vietnamese`; returns the problem's sheet.
async fn check_refused(bytes: Vec<u8>, english: &[&str], vietnamese: &[&str]) -> String {
    let server = support::server().await;
    let started = Instant::now();
    let (status, body) = import(&server, bytes).await;
    let took = started.elapsed();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(took < QUICK, "refused in {took:?}");
    let body: ImportRefusedBody = serde_json::from_value(body).expect("an import_refused body");
    assert_eq!(body.code, IMPORT_REFUSED);
    assert_eq!(body.problems.len(), 1, "{:#?}", body.problems);
    let message = &body.problems[0].message;
    for part in english {
        assert!(
            message.en.contains(part),
            "{part:?} not in {:?}",
            message.en
        );
    }
    for part in vietnamese {
        assert!(
            message.vi.contains(part),
            "{part:?} not in {:?}",
            message.vi
        );
    }
    let (status, _): (_, serde_json::Value) = server.get("/api/v1/health").await;
    assert_eq!(status, StatusCode::OK);
    body.problems[0].sheet.clone()
}

/// Imports `bytes` and checks it is published.
async fn check_imported(bytes: Vec<u8>) {
    let server = support::server().await;
    let (status, body) = import(&server, bytes).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// The small form's survey sheet with one more cell at 0-based (row, column).
fn with_cell(row: usize, column: usize, text: &str) -> Vec<u8> {
    let survey = table(&survey_rows())
        + &format!(
            "<row r=\"{}\">{}</row>",
            row + 1,
            text_cell(row, column, text)
        );
    xlsx(&form_with_survey(survey))
}

#[tokio::test]
async fn a_cell_in_the_far_corner_is_refused_without_building_the_sheet() {
    let bytes = far_corner();
    assert!(bytes.len() < 4096, "a small file: {} bytes", bytes.len());
    let rows = MAX_ROWS as usize;
    let sheet = check_refused(
        bytes,
        &["too many rows", &grouped(rows, ','), "XFD1048576"],
        &["quá nhiều hàng", &grouped(rows, '.'), "XFD1048576"],
    )
    .await;
    assert_eq!(sheet, "survey");
}

#[tokio::test]
async fn rows_up_to_the_last_import_and_one_more_is_refused() {
    let last = MAX_ROWS as usize - 1;
    // A row holding only a hint is a comment: it changes nothing but the span.
    check_imported(with_cell(last, 4, "ghi chú / note")).await;
    check_refused(
        with_cell(last + 1, 4, "ghi chú / note"),
        &["too many rows", &grouped(MAX_ROWS as usize, ',')],
        &["quá nhiều hàng", &grouped(MAX_ROWS as usize, '.')],
    )
    .await;
}

#[tokio::test]
async fn columns_up_to_the_last_import_and_one_more_is_refused() {
    let last = MAX_COLUMNS as usize - 1;
    // A column Tham Gia does not know is ignored.
    check_imported(with_cell(0, last, "notes")).await;
    check_refused(
        with_cell(0, last + 1, "notes"),
        &["too many columns", &MAX_COLUMNS.to_string()],
        &["quá nhiều cột", &MAX_COLUMNS.to_string()],
    )
    .await;
}

#[tokio::test]
async fn sheets_up_to_the_limit_import_and_one_more_is_refused() {
    let with_sheets = |count: usize| {
        let mut sheets = form_with_survey(table(&survey_rows()));
        let extra = count - sheets.len();
        sheets.extend((0..extra).map(|index| (format!("notes {index}"), String::new())));
        xlsx(&sheets)
    };
    check_imported(with_sheets(MAX_SHEETS)).await;
    check_refused(
        with_sheets(MAX_SHEETS + 1),
        &["too many sheets", &MAX_SHEETS.to_string()],
        &["quá nhiều trang tính", &MAX_SHEETS.to_string()],
    )
    .await;
}

#[tokio::test]
async fn too_many_cells_are_refused() {
    // Numbers from row 10 to the last row, as many columns as it takes.
    let first_row = 9;
    let rows = MAX_ROWS as usize - first_row;
    let columns = MAX_CELLS / rows + 1;
    assert!(columns <= MAX_COLUMNS as usize, "the cells fit the span");
    let mut survey = table(&survey_rows());
    for row in first_row..first_row + rows {
        survey.push_str(&format!("<row r=\"{}\">", row + 1));
        for column in 0..columns {
            survey.push_str(&format!(
                "<c r=\"{}{}\"><v>{column}</v></c>",
                hostile::column_name(column),
                row + 1
            ));
        }
        survey.push_str("</row>");
    }
    check_refused(
        xlsx(&form_with_survey(survey)),
        &["too many filled cells", &grouped(MAX_CELLS, ',')],
        &["quá nhiều ô", &grouped(MAX_CELLS, '.')],
    )
    .await;
}

#[tokio::test]
async fn one_long_text_in_many_cells_is_refused() {
    // One shared text, within every part limit, shown by enough cells that
    // copying it for each would pass the text limit.
    let length = MAX_TEXT_BYTES / 4 + 1;
    let strings = Part::new(
        "xl/sharedStrings.xml",
        format!(
            "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>{}</t></si></sst>",
            "a".repeat(length)
        )
        .as_bytes(),
    );
    let mut survey = table(&survey_rows());
    for row in 2..6 {
        survey.push_str(&format!(
            "<row r=\"{}\">{}</row>",
            row + 1,
            hostile::shared_cell(row, 4, 0)
        ));
    }
    let mib = MAX_TEXT_BYTES / MIB;
    check_refused(
        package(&workbook_parts(&form_with_survey(survey), Some(strings))),
        &["too much text", &format!("{mib} MiB")],
        &["quá nhiều chữ", &format!("{mib} MiB")],
    )
    .await;
}

#[tokio::test]
async fn too_many_shared_texts_are_refused_counted_or_declared() {
    let over = MAX_SHARED_STRINGS + 1;
    let strings = Part::repeated(
        "xl/sharedStrings.xml",
        b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
        b"<si><t>x</t></si>",
        over,
        b"</sst>",
    );
    let many = package(&workbook_parts(
        &form_with_survey(table(&survey_rows())),
        Some(strings),
    ));
    let english = ["too many distinct texts", &grouped(MAX_SHARED_STRINGS, ',')];
    let vietnamese = ["quá nhiều đoạn văn bản", &grouped(MAX_SHARED_STRINGS, '.')];
    check_refused(many, &english, &vietnamese).await;
    // A reader that reserved room for what this declares would ask for
    // terabytes, and the process would abort.
    check_refused(
        lying_shared_strings(1_000_000_000_000),
        &english,
        &vietnamese,
    )
    .await;
    // Declaring what it holds is fine.
    check_imported(lying_shared_strings(1)).await;
}

/// A font name the reader would copy into every cell format: 64 KiB ×
/// 10,000 formats is 640 MiB from a 100 KB file.
fn font_name_bomb() -> Vec<u8> {
    styled(&"a".repeat(64 * 1024), MAX_STYLE_RECORDS - 3)
}

#[tokio::test]
async fn styles_are_bounded_in_number_and_in_the_texts_copied_into_each() {
    // One font, one fill, one border: the rest are cell formats.
    check_imported(styled("Calibri", MAX_STYLE_RECORDS - 3)).await;
    check_refused(
        styled("Calibri", MAX_STYLE_RECORDS - 2),
        &["too many styles", &grouped(MAX_STYLE_RECORDS, ',')],
        &["quá nhiều kiểu định dạng", &grouped(MAX_STYLE_RECORDS, '.')],
    )
    .await;
    check_refused(
        font_name_bomb(),
        &["font name", &grouped(MAX_STYLE_TEXT_BYTES, ',')],
        &["tên phông chữ", &grouped(MAX_STYLE_TEXT_BYTES, '.')],
    )
    .await;
}

#[tokio::test]
async fn zip_bombs_are_refused_part_by_part() {
    let mib = (MAX_PART_BYTES as usize / MIB).to_string();
    let bomb = zeros_bomb(BOMB_BYTES);
    assert!(bomb.len() < BOMB_BYTES / 500, "{} bytes", bomb.len());
    check_refused(
        bomb,
        &["xl/media/image1.png", "too large once unpacked", &mib],
        &["xl/media/image1.png", "quá lớn khi giải nén", &mib],
    )
    .await;
    check_refused(
        shared_text_bomb(BOMB_BYTES),
        &["xl/sharedStrings.xml", "too large once unpacked", &mib],
        &["xl/sharedStrings.xml", "quá lớn khi giải nén", &mib],
    )
    .await;
}

#[tokio::test]
async fn parts_within_the_limit_are_bounded_together() {
    let mut parts = workbook_parts(&form_with_survey(table(&survey_rows())), None);
    let each = MAX_PART_BYTES as usize;
    let count = MAX_PACKAGE_BYTES as usize / each + 1;
    parts.extend((0..count).map(|index| Part::zeros(&format!("xl/media/image{index}.png"), each)));
    let mib = (MAX_PACKAGE_BYTES as usize / MIB).to_string();
    check_refused(
        package(&parts),
        &["too large once unpacked", &mib, "in all"],
        &["quá lớn khi giải nén", &mib, "tất cả"],
    )
    .await;
}

#[tokio::test]
async fn too_many_parts_are_refused() {
    let mut parts = workbook_parts(&form_with_survey(table(&survey_rows())), None);
    let extra = MAX_PARTS + 1 - parts.len();
    parts.extend((0..extra).map(|index| Part::new(&format!("customXml/item{index}.xml"), b"<a/>")));
    check_refused(
        package(&parts),
        &["too many parts", &MAX_PARTS.to_string()],
        &["quá nhiều phần", &MAX_PARTS.to_string()],
    )
    .await;
}

#[tokio::test]
async fn a_large_real_form_still_imports() {
    // 320 questions with 30 columns (labels, hints and messages in two
    // languages Tham Gia shows and six it ignores), and a list of 2,000
    // choices for one of them: more than a town hall's largest survey holds.
    let others = ["fr", "de", "es", "th", "zh", "km"];
    let mut header = [
        "type",
        "name",
        "required",
        "relevant",
        "constraint",
        "appearance",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    for column in ["label", "hint", "constraint_message"] {
        header.push(format!("{column}::Vietnamese (vi)"));
        header.push(format!("{column}::English (en)"));
        header.extend(
            others
                .iter()
                .map(|code| format!("{column}::Other ({code})")),
        );
    }
    assert_eq!(header.len(), 30);
    let mut rows = vec![header.clone()];
    for number in 1..=320 {
        let (kind, relevant, constraint) = match number % 4 {
            _ if number == 2 => ("select_one big", "${q1} = 'yes'", ""),
            0 => ("integer", "", ". >= 0 and . <= 120"),
            1 => ("select_one yes_no", "", ""),
            2 => ("text", "${q1} = 'yes'", ""),
            _ => ("text", "", ""),
        };
        let mut row = vec![
            kind.to_owned(),
            format!("q{number}"),
            "yes".to_owned(),
            relevant.to_owned(),
            constraint.to_owned(),
            String::new(),
        ];
        for column in ["Câu hỏi", "Gợi ý", "Hãy trả lời lại"] {
            row.push(format!("{column} số {number} dành cho các em ở phường"));
            row.push(format!(
                "{column} number {number} for the children of the ward"
            ));
            row.extend(
                others
                    .iter()
                    .map(|code| format!("{column} {number} ({code})")),
            );
        }
        rows.push(row);
    }
    let mut choices = vec![vec![
        "list_name".to_owned(),
        "name".to_owned(),
        "label::Vietnamese (vi)".to_owned(),
        "label::English (en)".to_owned(),
    ]];
    for (name, vi, en) in [("yes", "Có", "Yes"), ("no", "Không", "No")] {
        choices.push(vec!["yes_no".into(), name.into(), vi.into(), en.into()]);
    }
    for number in 1..=2000 {
        choices.push(vec![
            "big".into(),
            format!("c{number}"),
            format!("Lựa chọn {number}"),
            format!("Choice {number}"),
        ]);
    }
    let mut sheets = form_with_survey(table(&rows));
    sheets[1].1 = table(&choices);
    check_imported(xlsx(&sheets)).await;
}

// ---------------------------------------------------------------------------
// The real server binary, over a socket.
// ---------------------------------------------------------------------------

/// The most memory the server may hold at its peak (VmHWM) after every
/// hostile workbook: its own working set is a few tens of mebibytes, and a
/// workbook is read within 8 MiB parts. Reading the bombs as they claim
/// would take from 200 MiB to terabytes.
const MEMORY_BOUND_KIB: u64 = 200 * 1024;

#[tokio::test]
async fn the_real_server_refuses_hostile_workbooks_and_stays_up_and_small() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let mut server = RunningServer::start(directory.path(), &[]).await;
    let client = reqwest::Client::new();
    let session = server.sign_in(&client, "thanhpho").await;
    let at_start = server.memory_kib("VmRSS");
    for (name, bytes) in [
        ("a cell at XFD1048576", far_corner()),
        ("200 MiB of zeros", zeros_bomb(BOMB_BYTES)),
        ("a 200 MiB shared text", shared_text_bomb(BOMB_BYTES)),
        (
            "a shared text table declaring a trillion texts",
            lying_shared_strings(1_000_000_000_000),
        ),
        ("a long font name in every cell format", font_name_bomb()),
    ] {
        let started = Instant::now();
        let response = client
            .post(format!("{}/api/v1/surveys/import", server.base))
            .bearer_auth(&session.token)
            .body(bytes)
            .send()
            .await;
        let status = match response {
            Ok(response) => response.status(),
            Err(error) => panic!(
                "{name}: no answer ({error}); the server's log: {}",
                log_of(directory.path())
            ),
        };
        assert!(status.is_client_error(), "{name}: {status}");
        assert!(started.elapsed() < QUICK, "{name}: {:?}", started.elapsed());
        assert!(
            server.healthy().await,
            "{name}: the server stopped answering"
        );
        let (resident, peak) = (server.memory_kib("VmRSS"), server.memory_kib("VmHWM"));
        eprintln!(
            "{name}: {status}; resident {resident} KiB, peak {peak} KiB (at start {at_start} KiB)"
        );
        assert!(
            peak < MEMORY_BOUND_KIB,
            "{name}: the server's peak memory reached {peak} KiB"
        );
    }
    // And it still imports a real form.
    let response = client
        .post(format!("{}/api/v1/surveys/import", server.base))
        .bearer_auth(&session.token)
        .body(small_form())
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 201);
}
