//! What children said, as the town hall reads it: distributions equal to
//! hand-counted figures, small counts suppressed with their complements,
//! questions not asked told apart, the ward scope of each role, a split
//! that cannot give a child away, and a withdrawal leaving the numbers.

use chrono::{TimeZone, Utc};
use thamgia_core::results::suppression::{PublishedTable, Shown};
use thamgia_core::results::{PublishedDistribution, PublishedQuestion, PublishedResults};
use thamgia_core::{AnswerValue, ApiError, MutationChange, Response};
use thamgia_server::seed;
use uuid::Uuid;

mod support;

use support::{server, TestServer};

const SURVEY: &str = "an-toan-truong-hoc-va-vui-choi";

/// A completed response in `ward` whose child says whether deep water is
/// near (and, if so, whether they can swim).
fn response(n: u128, ward: &str, deep_water: bool, can_swim: Option<bool>) -> Response {
    let at = Utc
        .with_ymd_and_hms(2026, 8, 10, 9, 0, 0)
        .single()
        .expect("valid time");
    let survey = seed::demo_survey().expect("demo survey parses");
    let mut response = seed::sample_response(&survey, Uuid::from_u128(n), n as usize, at);
    response.ward_code = ward.to_owned();
    response.answers.insert(
        "deep_water_nearby".to_owned(),
        AnswerValue::YesNo(deep_water),
    );
    match can_swim {
        Some(can) => {
            response
                .answers
                .insert("can_swim".to_owned(), AnswerValue::YesNo(can));
        }
        None => {
            response.answers.remove("can_swim");
        }
    }
    response
}

/// Ba Đình (00004): 9 children near deep water (6 can swim, 3 cannot), 5
/// not; Ngọc Hà (00008): 6 near deep water, all swimmers.
fn fixture() -> Vec<Response> {
    let mut responses = Vec::new();
    for n in 0..6 {
        responses.push(response(100 + n, "00004", true, Some(true)));
    }
    for n in 0..3 {
        responses.push(response(200 + n, "00004", true, Some(false)));
    }
    for n in 0..5 {
        responses.push(response(300 + n, "00004", false, None));
    }
    for n in 0..6 {
        responses.push(response(400 + n, "00008", true, Some(true)));
    }
    responses
}

async fn load(server: &TestServer) {
    let token = server.city_token.clone();
    let answer = server
        .push_changes(
            &token,
            fixture()
                .into_iter()
                .map(|response| MutationChange::SubmitResponse { response })
                .collect(),
        )
        .await;
    assert!(
        answer
            .results
            .iter()
            .all(|result| result.outcome == thamgia_core::MutationOutcome::Applied),
        "{answer:?}"
    );
}

fn question<'a>(results: &'a PublishedResults, id: &str) -> &'a PublishedQuestion {
    results
        .questions
        .iter()
        .find(|question| question.question_id == id)
        .unwrap_or_else(|| panic!("no question {id}"))
}

fn categories(question: &PublishedQuestion) -> Vec<(String, Shown)> {
    match &question.distribution {
        PublishedDistribution::Categories { categories } => categories
            .iter()
            .map(|count| (count.category.key.clone(), count.count))
            .collect(),
        other => panic!("not categories: {other:?}"),
    }
}

async fn results(server: &TestServer, token: &str, query: &str) -> PublishedResults {
    let (status, results) = server
        .get_as::<PublishedResults>(token, &format!("/api/v1/results?survey={SURVEY}{query}"))
        .await;
    assert_eq!(status, axum::http::StatusCode::OK, "{query}");
    results
}

#[tokio::test]
async fn a_ward_reads_what_its_children_said_with_small_counts_withheld() {
    let server = server().await;
    load(&server).await;
    let city = server.city_token.clone();
    let ba_dinh = results(&server, &city, "&ward=00004").await;
    assert_eq!(ba_dinh.respondents, Shown::Count(14));
    assert_eq!(ba_dinh.threshold.k(), 5);
    let deep = question(&ba_dinh, "deep_water_nearby");
    assert_eq!(
        categories(deep),
        vec![
            ("yes".to_owned(), Shown::Count(9)),
            ("no".to_owned(), Shown::Count(5))
        ]
    );
    assert_eq!(deep.answered, Shown::Count(14));
    // Asked only of the 9 near deep water: 3 cannot swim, a count under 5,
    // so its partner (6) is hidden too, or 9 − 6 would give it back.
    let swim = question(&ba_dinh, "can_swim");
    assert_eq!(swim.answered, Shown::Count(9));
    assert_eq!(swim.not_asked, Shown::Count(5));
    assert_eq!(swim.skipped, Shown::Count(0));
    assert_eq!(
        categories(swim),
        vec![
            ("yes".to_owned(), Shown::Hidden),
            ("no".to_owned(), Shown::Under(5))
        ]
    );

    // The whole city: both wards.
    let city_wide = results(&server, &city, "").await;
    assert_eq!(city_wide.respondents, Shown::Count(20));
    assert_eq!(
        categories(question(&city_wide, "deep_water_nearby"))[0],
        ("yes".to_owned(), Shown::Count(15))
    );
    // A period without responses: nobody.
    let before = results(&server, &city, "&period=2025-Q1").await;
    assert_eq!(before.respondents, Shown::Count(0));
    let summer = results(&server, &city, "&period=2026-Q3").await;
    assert_eq!(summer.respondents, Shown::Count(20));
}

#[tokio::test]
async fn officers_read_their_ward_and_collectors_none() {
    let server = server().await;
    load(&server).await;
    let officer = server.sign_in("badinh.canbo").await;
    // Without a ward, a ward officer reads their own.
    let own = results(&server, &officer, "").await;
    assert_eq!(own.respondents, Shown::Count(14));
    let (status, _) = server
        .get_as::<ApiError>(
            &officer,
            &format!("/api/v1/results?survey={SURVEY}&ward=00008"),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::FORBIDDEN);
    let collector = server.sign_in("badinh").await;
    let (status, _) = server
        .get_as::<ApiError>(&collector, &format!("/api/v1/results?survey={SURVEY}"))
        .await;
    assert_eq!(status, axum::http::StatusCode::FORBIDDEN);
    let (status, _) = server
        .get_as::<ApiError>(&officer, "/api/v1/results?survey=no-such-survey")
        .await;
    assert_eq!(status, axum::http::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_split_publishes_no_small_cell_and_no_way_back_to_one() {
    let server = server().await;
    load(&server).await;
    let city = server.city_token.clone();
    let (status, table) = server
        .get_as::<PublishedTable>(
            &city,
            &format!("/api/v1/results/table?survey={SURVEY}&question=deep_water_nearby&split=sex"),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::OK);
    assert_eq!(table.rows.len(), 2);
    let mut entries: Vec<Shown> = table.cells.iter().flatten().copied().collect();
    entries.extend(table.row_totals.iter().copied());
    entries.extend(table.column_totals.iter().copied());
    entries.push(table.total);
    for shown in &entries {
        if let Shown::Count(count) = shown {
            assert!(*count == 0 || *count >= 5, "{table:?}");
        }
    }
    // No row or column holds exactly one withheld entry.
    for row in 0..table.rows.len() {
        let mut line: Vec<Shown> = table.cells[row].clone();
        line.push(table.row_totals[row]);
        let withheld = line.iter().filter(|shown| shown.is_suppressed()).count();
        assert_ne!(withheld, 1, "row {row}: {table:?}");
    }
    // The rows' totals are the question's counts: 15 near deep water.
    assert_eq!(table.row_totals[0], Shown::Count(15));
    // An unknown split is refused with a message.
    let (status, error) = server
        .get_as::<ApiError>(
            &city,
            &format!(
                "/api/v1/results/table?survey={SURVEY}&question=deep_water_nearby&split=height"
            ),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::BAD_REQUEST);
    assert_eq!(error.code, thamgia_core::ApiErrorCode::Invalid);
}

/// A split by ward (or month) holds the wards' (or a quarter's) own
/// results, protected by their pattern: Ba Đình's "< 5" children who
/// cannot swim, and Ngọc Hà's none, are published as the results publish
/// them, not refused.
#[tokio::test]
async fn a_split_by_ward_or_month_is_published_beside_a_wards_small_count() {
    let server = server().await;
    load(&server).await;
    let city = server.city_token.clone();
    for split in ["ward", "month", "sex", "age_band,sex"] {
        for question in ["can_swim", "deep_water_nearby"] {
            let (status, table) = server
                .get_as::<PublishedTable>(
                    &city,
                    &format!(
                        "/api/v1/results/table?survey={SURVEY}&question={question}&split={split}"
                    ),
                )
                .await;
            assert_eq!(status, axum::http::StatusCode::OK, "{question} by {split}");
            let cells: Vec<Shown> = table.cells.iter().flatten().copied().collect();
            assert!(
                cells.iter().all(|shown| match shown {
                    Shown::Count(count) => *count == 0 || *count >= 5,
                    _ => true,
                }),
                "{question} by {split}: {table:?}"
            );
        }
    }
    // By ward and sex would hold each ward's split by sex, cell for cell,
    // under another pattern: refused, with the reason.
    let (status, error) = server
        .get_as::<ApiError>(
            &city,
            &format!("/api/v1/results/table?survey={SURVEY}&question=can_swim&split=ward,sex"),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::BAD_REQUEST);
    assert!(error.message.en.contains("by ward goes alone"), "{error:?}");
}

#[tokio::test]
async fn a_withdrawn_response_leaves_the_results_at_once() {
    let server = server().await;
    load(&server).await;
    let city = server.city_token.clone();
    let withdrawn = Uuid::from_u128(100);
    server
        .push_changes(
            &city,
            vec![MutationChange::WithdrawResponse {
                response_id: withdrawn,
                withdrawn_at: Utc::now(),
            }],
        )
        .await;
    let ba_dinh = results(&server, &city, "&ward=00004").await;
    assert_eq!(ba_dinh.respondents, Shown::Count(13));
    assert_eq!(
        categories(question(&ba_dinh, "deep_water_nearby"))[0],
        ("yes".to_owned(), Shown::Count(8))
    );
}

/// The row of the figures sheet for `question` and answer `answer` (its
/// English label), as the spreadsheet reads it back.
fn figure(rows: &[Vec<calamine::Data>], question: &str, answer: &str) -> calamine::Data {
    rows.iter()
        .find(|row| {
            matches!(row.first(), Some(calamine::Data::String(text)) if text == question)
                && matches!(row.get(4), Some(calamine::Data::String(text)) if text == answer)
        })
        .and_then(|row| row.get(5).cloned())
        .unwrap_or_else(|| panic!("no row for {question} / {answer}"))
}

#[tokio::test]
async fn the_results_download_as_a_spreadsheet_with_the_same_figures() {
    use calamine::{Data, Reader, Xlsx};

    let server = server().await;
    load(&server).await;
    let city = server.city_token.clone();
    let (status, bytes) = server
        .get_raw_as(
            &city,
            &format!("/api/v1/export/results.xlsx?survey={SURVEY}&ward=00004&period=2026-Q3"),
        )
        .await;
    assert_eq!(
        status,
        axum::http::StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let mut workbook: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).expect("the download is an .xlsx");
    assert_eq!(
        workbook.sheet_names(),
        vec!["Kết quả", "Ai đã tham gia", "Ý kiến"]
    );
    let figures = workbook.worksheet_range("Kết quả").expect("the figures");
    let rows: Vec<Vec<Data>> = figures.rows().map(<[Data]>::to_vec).collect();
    // The heading names the place and the period.
    assert!(rows[1][0].to_string().contains("Ba Đình"), "{:?}", rows[1]);
    assert!(rows[1][1].to_string().contains("Q3 2026"), "{:?}", rows[1]);
    // The same figures as the page: numbers as numbers, withheld as text.
    assert_eq!(figure(&rows, "deep_water_nearby", "Yes"), Data::Float(9.0));
    assert_eq!(figure(&rows, "deep_water_nearby", "No"), Data::Float(5.0));
    assert_eq!(
        figure(&rows, "can_swim", "No"),
        Data::String("< 5".to_owned())
    );
    assert_eq!(
        figure(&rows, "can_swim", "Yes"),
        Data::String("—".to_owned())
    );
    assert_eq!(figure(&rows, "can_swim", "(not asked)"), Data::Float(5.0));
    // The children's words are on their own sheet.
    let words = workbook.worksheet_range("Ý kiến").expect("the words");
    assert!(words.rows().count() > 1);

    // The CSV holds the same figures.
    let (status, csv) = server
        .get_raw_as(
            &city,
            &format!("/api/v1/export/results.csv?survey={SURVEY}&ward=00004"),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let text = String::from_utf8(csv).expect("UTF-8");
    assert!(text.starts_with('\u{feff}'));
    assert!(
        text.lines()
            .any(|line| line.starts_with("can_swim,") && line.ends_with(",< 5")),
        "{text}"
    );

    // A split downloads on its own, as the page shows it.
    let (status, bytes) = server
        .get_raw_as(
            &city,
            &format!(
                "/api/v1/export/results/table.xlsx?survey={SURVEY}&question=deep_water_nearby&split=sex&ward=00004"
            ),
        )
        .await;
    assert_eq!(
        status,
        axum::http::StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let mut split: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an .xlsx");
    let sheet = split.worksheet_range("Bảng").expect("the table");
    let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    let yes = rows
        .iter()
        .find(|row| row.first() == Some(&Data::String("Có / Yes".to_owned())))
        .unwrap_or_else(|| panic!("no Yes row: {rows:?}"));
    // The row's total is the question's published count.
    assert_eq!(yes.last(), Some(&Data::Float(9.0)), "{yes:?}");
    let (status, csv) = server
        .get_raw_as(
            &city,
            &format!(
                "/api/v1/export/results/table.csv?survey={SURVEY}&question=deep_water_nearby&split=sex&ward=00004"
            ),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let text = String::from_utf8(csv).expect("UTF-8");
    assert!(text.contains("Tổng / Total"), "{text}");

    // A collector downloads nothing.
    let collector = server.sign_in("badinh").await;
    let (status, _) = server
        .get_raw_as(
            &collector,
            &format!("/api/v1/export/results.csv?survey={SURVEY}"),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn who_took_part_is_counted_by_age_band_and_sex_without_small_cells() {
    let server = server().await;
    load(&server).await;
    let city = server.city_token.clone();
    let (status, table) = server
        .get_as::<PublishedTable>(
            &city,
            &format!("/api/v1/results/participants?survey={SURVEY}&ward=00004"),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::OK);
    assert_eq!(table.total, Shown::Count(14), "every child once");
    for shown in table.cells.iter().flatten() {
        if let Shown::Count(count) = shown {
            assert!(*count == 0 || *count >= 5, "{table:?}");
        }
    }
    // A ward officer of another ward reads none of it.
    let officer = server.sign_in("badinh.canbo").await;
    let (status, _) = server
        .get_as::<ApiError>(
            &officer,
            &format!("/api/v1/results/participants?survey={SURVEY}&ward=00008"),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_oversized_query_is_refused_unread() {
    let server = server().await;
    let city = server.city_token.clone();
    let long = "x".repeat(201);
    for path in [
        format!("/api/v1/results?survey={long}"),
        format!("/api/v1/results/table?survey={SURVEY}&question={long}&split=sex"),
        format!("/api/v1/results/participants?survey={SURVEY}&ward={long}"),
        format!("/api/v1/export/results.csv?survey={SURVEY}&period={long}"),
    ] {
        let (status, error) = server.get_as::<ApiError>(&city, &path).await;
        assert_eq!(status, axum::http::StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(error.code, thamgia_core::ApiErrorCode::Invalid, "{path}");
    }
}
