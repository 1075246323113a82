//! The town hall's reads: participation computed from responses, the
//! overview of a period, trends, and CSV exports that open back intact.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeZone, Utc};
use thamgia_core::report::{
    FieldContent, FieldEdit, FieldKey, Hlc, Period, ReportId, ReportStatus, ReportStatusChange,
    Stamp,
};
use thamgia_core::{AnswerValue, Mutation, MutationChange, PushRequest, SCHEMA_VERSION};
use thamgia_server::seed;
use thamgia_server::townhall::{Overview, Participation, TrendPoint, WardOverview, UTF8_BOM};
use uuid::Uuid;

use support::{server, TestServer};

const TABLET: Uuid = Uuid::from_u128(0x7AB);

async fn push(server: &TestServer, changes: Vec<MutationChange>) {
    push_from(server, TABLET, changes).await;
}

async fn push_from(server: &TestServer, client_id: Uuid, changes: Vec<MutationChange>) {
    let request = PushRequest {
        client_id,
        schema_version: SCHEMA_VERSION,
        mutations: changes
            .into_iter()
            .enumerate()
            .map(|(index, change)| Mutation {
                seq: index as u64 + 1,
                change,
            })
            .collect(),
    };
    let (status, _): (_, serde_json::Value) = server.post("/api/v1/sync/push", &request).await;
    assert_eq!(status, StatusCode::OK);
}

async fn text(server: &TestServer, path: &str) -> (StatusCode, String) {
    let (status, body) = server
        .call(Request::get(path).body(Body::empty()).expect("request"))
        .await;
    (status, String::from_utf8(body).expect("UTF-8"))
}

fn value_edit(code: &str, value: f64, wall_ms: i64, period: Period) -> MutationChange {
    ward_value_edit("00004", code, value, wall_ms, period)
}

fn ward_value_edit(
    ward: &str,
    code: &str,
    value: f64,
    wall_ms: i64,
    period: Period,
) -> MutationChange {
    MutationChange::EditReportField {
        edit: FieldEdit {
            report_id: ReportId::new(ward, period).expect("valid id"),
            field: FieldKey::value(code),
            content: FieldContent::Number(value),
            stamp: Stamp {
                hlc: Hlc::new(wall_ms, 0),
                client_id: TABLET,
            },
            author: "Nguyễn Thị Lan".to_owned(),
            sent_as: None,
        },
    }
}

/// The ward `code` of `overview`.
fn ward_in(overview: &Overview, code: &str) -> WardOverview {
    overview
        .wards
        .iter()
        .find(|ward| ward.code == code)
        .cloned()
        .expect("ward in the overview")
}

/// The overview reads every report of its period at once: each ward gets
/// its own report's values (the later edit of a field winning) and status,
/// never another period's, and a ward that did not report gets none.
#[tokio::test]
async fn the_overview_shows_each_wards_own_report_of_the_period() {
    let server = server().await;
    let now = Utc::now().timestamp_millis();
    let q3 = Period::quarter(2026, 3).expect("valid");
    let q2 = Period::quarter(2026, 2).expect("valid");
    push(
        &server,
        vec![
            ward_value_edit("00004", "4.1", 1.5, now - 3_000, q3),
            ward_value_edit("00004", "4.1", 1.7, now - 2_000, q3),
            ward_value_edit("00008", "4.1", 2.5, now - 2_000, q3),
            ward_value_edit("00008", "4.1", 9.9, now - 1_000, q2),
            ward_value_edit("00025", "4.1", 3.0, now - 1_000, q2),
            MutationChange::ChangeReportStatus {
                change: ReportStatusChange {
                    report_id: ReportId::new("00008", q3).expect("valid id"),
                    from: ReportStatus::Draft,
                    to: ReportStatus::Submitted,
                },
            },
        ],
    )
    .await;
    let (status, overview): (_, Overview) =
        server.get("/api/v1/townhall/overview?period=2026-Q3").await;
    assert_eq!(status, StatusCode::OK);
    let ward = |code: &str| ward_in(&overview, code);
    assert_eq!(ward("00004").values.get("4.1"), Some(&1.7));
    assert_eq!(ward("00004").report_status, Some(ReportStatus::Draft));
    assert_eq!(ward("00008").values.get("4.1"), Some(&2.5));
    assert_eq!(ward("00008").report_status, Some(ReportStatus::Submitted));
    assert!(ward("00025").values.is_empty());
    assert_eq!(ward("00025").report_status, None);

    // The server keeps the period's merged reports: a later edit and a
    // status change show at the next read all the same.
    push_from(
        &server,
        Uuid::from_u128(0x7AC),
        vec![
            ward_value_edit("00004", "4.1", 1.9, now - 500, q3),
            MutationChange::ChangeReportStatus {
                change: ReportStatusChange {
                    report_id: ReportId::new("00004", q3).expect("valid id"),
                    from: ReportStatus::Draft,
                    to: ReportStatus::Submitted,
                },
            },
            ward_value_edit("00025", "4.1", 4.0, now - 500, q3),
        ],
    )
    .await;
    let (_, overview): (_, Overview) = server.get("/api/v1/townhall/overview?period=2026-Q3").await;
    let ward = |code: &str| ward_in(&overview, code);
    assert_eq!(ward("00004").values.get("4.1"), Some(&1.9));
    assert_eq!(ward("00004").report_status, Some(ReportStatus::Submitted));
    assert_eq!(ward("00008").values.get("4.1"), Some(&2.5));
    assert_eq!(ward("00025").values.get("4.1"), Some(&4.0));
    assert_eq!(ward("00025").report_status, Some(ReportStatus::Draft));
    let (_, overview): (_, Overview) = server.get("/api/v1/townhall/overview?period=2026-Q2").await;
    assert_eq!(ward_in(&overview, "00025").values.get("4.1"), Some(&3.0));
}

#[tokio::test]
async fn participation_overview_trend_and_csv_exports() {
    let server = server().await;
    let survey = seed::demo_survey().expect("demo survey");
    let in_q3 = Utc
        .with_ymd_and_hms(2026, 8, 15, 9, 0, 0)
        .single()
        .expect("valid time");
    let in_q2 = Utc
        .with_ymd_and_hms(2026, 5, 15, 9, 0, 0)
        .single()
        .expect("valid time");
    let mut responses: Vec<_> = (0..3)
        .map(|n| seed::sample_response(&survey, Uuid::from_u128(100 + n), n as usize, in_q3))
        .collect();
    responses.push(seed::sample_response(
        &survey,
        Uuid::from_u128(200),
        7,
        in_q2,
    ));
    // One child does not know whether they feel safe at school.
    responses[0]
        .answers
        .insert("feel_safe_at_school".to_owned(), AnswerValue::Smiley(0));
    let now = Utc::now().timestamp_millis();
    let q3 = Period::quarter(2026, 3).expect("valid");
    let q2 = Period::quarter(2026, 2).expect("valid");
    let mut changes: Vec<MutationChange> = responses
        .iter()
        .map(|response| MutationChange::SubmitResponse {
            response: response.clone(),
        })
        .collect();
    changes.push(value_edit("4.1", 1.5, now - 2_000, q3));
    changes.push(value_edit("4.1", 0.9, now - 1_000, q2));
    push(&server, changes).await;

    let request = Request::put("/api/v1/wards/00004/population/2026")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"children_7_15": 200}"#))
        .expect("request");
    let (status, _) = server.call(request).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Participation: 3 children aged 7+ in Q3 of 200 → 1.5 %, beside the target.
    let (status, overview): (_, Overview) =
        server.get("/api/v1/townhall/overview?period=2026-Q3").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(overview.wards.len(), 126);
    let ward = overview
        .wards
        .iter()
        .find(|ward| ward.code == "00004")
        .expect("Ba Đình");
    assert_eq!(ward.responses, 3);
    assert_eq!(ward.participation.consulted_7_plus, 3);
    assert_eq!(ward.participation.percent, Some(1.5));
    // Two of the three said it was their first consultation this year,
    // the third that it was not.
    assert_eq!(
        (
            ward.participation.first_time_7_plus,
            ward.participation.again_7_plus
        ),
        (2, 1)
    );
    assert_eq!(ward.participation.first_time_percent, Some(1.0));
    // Ba Đình's officer reads the same figures beside the ward's report
    // (in one sentence there).
    let officer = server.sign_in("badinh.canbo").await;
    let (status, own): (_, Participation) = server
        .get_as(&officer, "/api/v1/wards/00004/participation?period=2026-Q3")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own, ward.participation);
    assert!(own
        .summary()
        .vi
        .starts_with("3 lượt lấy ý kiến trẻ em từ 7 tuổi, 2 em lần đầu"));
    let (status, _): (_, serde_json::Value) = server
        .get_as(&officer, "/api/v1/wards/99999/participation?period=2026-Q3")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another ward");
    assert_eq!(ward.values.get("4.1"), Some(&1.5));
    assert_eq!(
        overview.participation_target,
        Some(35.0),
        "the 2030 milestone applies to 2026"
    );

    // A city officer sets Hanoi's own 2030 target; the overview uses it.
    let request = Request::put("/api/v1/indicators/4.1/targets")
        .header("content-type", "application/json")
        .body(Body::from(r#"[{"jurisdiction": "01", "year": 2030, "value": 40}, {"jurisdiction": "VN", "year": 2030, "value": 35}]"#))
        .expect("request");
    assert_eq!(server.call(request).await.0, StatusCode::NO_CONTENT);
    let (_, overview): (_, Overview) = server.get("/api/v1/townhall/overview?period=2026-Q3").await;
    assert_eq!(overview.participation_target, Some(40.0));
    let (_, catalogue): (_, serde_json::Value) = server.get("/api/v1/indicators").await;
    let indicator = catalogue["indicators"]
        .as_array()
        .expect("list")
        .iter()
        .find(|indicator| indicator["code"] == "4.1")
        .expect("4.1")
        .clone();
    assert_eq!(indicator["targets"].as_array().expect("targets").len(), 2);
    let request = Request::put("/api/v1/indicators/9.9/targets")
        .header("content-type", "application/json")
        .body(Body::from("[]"))
        .expect("request");
    assert_eq!(server.call(request).await.0, StatusCode::NOT_FOUND);
    // Targets the rules refuse leave the ones kept as they were: a year
    // given twice (the table's key), a jurisdiction that is no code, a
    // number that does not fit a population.
    for body in [
        r#"[{"jurisdiction": "01", "year": 2030, "value": 40}, {"jurisdiction": "01", "year": 2030, "value": 41}]"#.to_owned(),
        format!(r#"[{{"jurisdiction": "{}", "year": 2030, "value": 40}}]"#, "0".repeat(100_000)),
    ] {
        let request = Request::put("/api/v1/indicators/4.1/targets")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .expect("request");
        let (status, answer) = server.call(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(answer.len() < 1024, "a {} byte answer", answer.len());
    }
    let request = Request::put("/api/v1/wards/00004/population/2026")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"children_7_15": 18446744073709551615}"#))
        .expect("request");
    assert_eq!(server.call(request).await.0, StatusCode::BAD_REQUEST);
    let (_, overview): (_, Overview) = server.get("/api/v1/townhall/overview?period=2026-Q3").await;
    assert_eq!(overview.participation_target, Some(40.0));
    let ward = overview
        .wards
        .iter()
        .find(|ward| ward.code == "00004")
        .expect("Ba Đình");
    assert_eq!(ward.participation.percent, Some(1.5), "the population kept");

    // The card's figures as CSV, one row per ward.
    let (status, participation_csv) =
        text(&server, "/api/v1/export/participation.csv?period=2026-Q3").await;
    assert_eq!(status, StatusCode::OK);
    assert!(participation_csv.starts_with(UTF8_BOM));
    let mut reader =
        csv::Reader::from_reader(participation_csv.trim_start_matches(UTF8_BOM).as_bytes());
    let header = reader.headers().expect("header").clone();
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), 126, "every ward");
    let ba_dinh = rows.iter().find(|row| &row[0] == "00004").expect("Ba Đình");
    let field = |name: &str| {
        let column = header
            .iter()
            .position(|field| field == name)
            .expect("column");
        ba_dinh[column].to_owned()
    };
    assert_eq!(field("ward_name_vi"), "Phường Ba Đình");
    assert_eq!(field("period"), "2026-Q3");
    for (name, expected) in [
        ("consulted_7_plus", "3"),
        ("first_time_7_plus", "2"),
        ("again_7_plus", "1"),
        ("heard_before_unknown_7_plus", "0"),
        ("forum_children_7_plus", "0"),
        ("child_population_7_15", "200"),
        ("percent", "1.50"),
        ("first_time_percent", "1.00"),
        ("target_percent", "40.00"),
    ] {
        assert_eq!(field(name), expected, "{name}");
    }
    let other = rows.iter().find(|row| &row[0] == "00008").expect("Ngọc Hà");
    assert_eq!(
        &other[header
            .iter()
            .position(|field| field == "percent")
            .expect("column")],
        ""
    );

    let (_, trend): (_, Vec<TrendPoint>) = server
        .get("/api/v1/townhall/trend?ward=00004&indicator=4.1")
        .await;
    let periods: Vec<&str> = trend.iter().map(|point| point.period.as_str()).collect();
    assert_eq!(periods, ["2026-Q2", "2026-Q3"]);

    // Responses CSV: a BOM for Excel, then every response, read back equal.
    let (status, csv_text) = text(
        &server,
        &format!("/api/v1/export/responses.csv?survey={}", survey.id),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        csv_text.starts_with(UTF8_BOM),
        "Excel needs the byte-order mark"
    );
    let mut reader = csv::Reader::from_reader(csv_text.trim_start_matches(UTF8_BOM).as_bytes());
    let header = reader.headers().expect("header").clone();
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), responses.len());
    let column = |name: &str| {
        header
            .iter()
            .position(|field| field == name)
            .expect("column")
    };
    for response in &responses {
        let row = rows
            .iter()
            .find(|row| row[column("id")] == response.id.to_string())
            .expect("row of the response");
        assert_eq!(&row[column("ward_code")], response.ward_code);
        assert_eq!(
            &row[column("heard_before")],
            response
                .participant
                .heard_before
                .map_or("", |heard| heard.key()),
        );
        for (question, answer) in &response.answers {
            let expected = match answer {
                AnswerValue::Text(text) => text.clone(),
                AnswerValue::Number(number) => number.to_string(),
                AnswerValue::Choice(value) => value.clone(),
                AnswerValue::YesNo(yes) => if *yes { "yes" } else { "no" }.to_owned(),
                // One word for "I don't know", whatever the scale.
                AnswerValue::Smiley(0) => "dont_know".to_owned(),
                AnswerValue::Smiley(points) => points.to_string(),
                other => panic!("the demo survey has no {other:?}"),
            };
            assert_eq!(row[column(question)], expected, "{question}");
        }
    }
    assert!(csv_text.contains("Ý kiến số"), "Vietnamese text survives");

    // Reports CSV for Q3.
    let (_, reports_csv) = text(&server, "/api/v1/export/reports.csv?period=2026-Q3").await;
    assert!(reports_csv.starts_with(UTF8_BOM));
    let mut reader = csv::Reader::from_reader(reports_csv.trim_start_matches(UTF8_BOM).as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][0], "00004");
    assert_eq!(&rows[0][3], "4.1");
    assert_eq!(&rows[0][5], "1.5");
    assert_eq!(&rows[0][8], "Nguyễn Thị Lan");
}

#[tokio::test]
async fn the_responses_csv_keeps_the_answers_to_questions_a_later_version_dropped() {
    let server = server().await;
    let first = seed::demo_survey().expect("demo survey");
    // Version 2 no longer asks the first version's last question.
    let mut second = first.clone();
    second.version = first.version + 1;
    let dropped = match second.items.pop() {
        Some(thamgia_core::Item::Question(question)) => question.id,
        other => panic!("the demo survey ends with a question, not {other:?}"),
    };
    server
        .database()
        .publish_survey(&second, Utc::now())
        .await
        .expect("published");
    let at = Utc
        .with_ymd_and_hms(2026, 8, 3, 9, 0, 0)
        .single()
        .expect("a time");
    let old = seed::sample_response(&first, Uuid::from_u128(0x51), 2, at);
    let answer = old
        .answers
        .get(&dropped)
        .expect("the old response answers the dropped question")
        .clone();
    push(
        &server,
        vec![MutationChange::SubmitResponse {
            response: old.clone(),
        }],
    )
    .await;

    let (status, csv_text) = text(
        &server,
        &format!("/api/v1/export/responses.csv?survey={}", first.id),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(csv_text.trim_start_matches(UTF8_BOM).as_bytes());
    let header = reader.headers().expect("header").clone();
    let column = header
        .iter()
        .position(|name| name == dropped)
        .expect("a column for the dropped question");
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    let row = rows
        .iter()
        .find(|row| row[0] == old.id.to_string())
        .expect("the old response's row");
    let expected = match answer {
        AnswerValue::Text(text) => text,
        AnswerValue::Choice(value) => value,
        AnswerValue::Smiley(points) => points.to_string(),
        AnswerValue::YesNo(yes) => if yes { "yes" } else { "no" }.to_owned(),
        AnswerValue::Number(number) => number.to_string(),
        other => panic!("the demo survey has no {other:?}"),
    };
    assert_eq!(row[column], expected);
    // The newest version's questions come first, in its order.
    assert_eq!(header.iter().next_back(), Some(dropped.as_str()));
}
