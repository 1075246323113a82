//! What children wrote in their own words, as officers code it: a survey's
//! codebook of themes, answers tagged with them and counted (small counts
//! withheld), the answers searched without diacritics, each officer in
//! their ward, collectors refused, a withdrawal taking the answer and its
//! tags out of the counts, and every change in the audit log.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeZone, Utc};
use thamgia_core::api::themes::{AnswerThemes, AnswersView, NewTheme, TagBody, ThemeLabel};
use thamgia_core::audit::{AuditAction, AuditQuery};
use thamgia_core::results::suppression::{PublishedTable, Shown};
use thamgia_core::results::themes::Theme;
use thamgia_core::{
    AnswerValue, ApiError, ApiErrorCode, MutationChange, MutationOutcome, Response,
};
use thamgia_server::seed;
use uuid::Uuid;

mod support;

use support::{server, TestServer};

const SURVEY: &str = "an-toan-truong-hoc-va-vui-choi";
const QUESTION: &str = "idea_to_be_safer";

/// A completed response in `ward` whose child wrote `text`, started `n`
/// minutes after 9:00.
fn response(n: u128, ward: &str, text: &str) -> Response {
    let at = Utc
        .with_ymd_and_hms(2026, 8, 10, 9, 0, 0)
        .single()
        .expect("valid time")
        + chrono::Duration::minutes(n as i64);
    let survey = seed::demo_survey().expect("demo survey parses");
    let mut response = seed::sample_response(&survey, Uuid::from_u128(n), n as usize, at);
    response.ward_code = ward.to_owned();
    response
        .answers
        .insert(QUESTION.to_owned(), AnswerValue::Text(text.to_owned()));
    response
}

/// Ba Đình (00004): 12 children, 7 of whom write of their school; Ngọc Hà
/// (00008): 3 children.
fn fixture() -> Vec<Response> {
    let mut responses = Vec::new();
    for n in 1..=7 {
        responses.push(response(n, "00004", "Trường học cần có thêm cây xanh"));
    }
    for n in 8..=12 {
        responses.push(response(n, "00004", "Sân chơi gần nhà an toàn hơn"));
    }
    for n in 13..=15 {
        responses.push(response(n, "00008", "Đèn đường ở ngõ"));
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
            .all(|result| result.outcome == MutationOutcome::Applied),
        "{answer:?}"
    );
}

async fn create(server: &TestServer, token: &str, label: &str) -> (StatusCode, Vec<u8>) {
    let body = NewTheme {
        survey: SURVEY.to_owned(),
        label: label.to_owned(),
    };
    server
        .post_raw_as(
            Some(token),
            "/api/v1/themes",
            serde_json::to_vec(&body).expect("serialises"),
        )
        .await
}

async fn created(server: &TestServer, token: &str, label: &str) -> Theme {
    let (status, bytes) = create(server, token, label).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    serde_json::from_slice(&bytes).expect("a theme")
}

/// Tags (POST) or untags (DELETE) answer `n` with `theme`.
async fn change_tag(
    server: &TestServer,
    token: &str,
    method: &str,
    theme: Uuid,
    n: u128,
) -> (StatusCode, Vec<u8>) {
    let body = TagBody {
        theme,
        response: Uuid::from_u128(n),
        question: QUESTION.to_owned(),
    };
    let request = Request::builder()
        .method(method)
        .uri("/api/v1/tags")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(serde_json::to_vec(&body).expect("serialises")))
        .expect("request");
    server.call_raw(request).await
}

async fn tag(server: &TestServer, token: &str, theme: Uuid, n: u128) -> AnswerThemes {
    let (status, bytes) = change_tag(server, token, "POST", theme, n).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    serde_json::from_slice(&bytes).expect("the answer's themes")
}

async fn answers(server: &TestServer, token: &str, query: &str) -> AnswersView {
    let (status, view) = server
        .get_as::<AnswersView>(
            token,
            &format!("/api/v1/results/answers?survey={SURVEY}&question={QUESTION}{query}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{query}");
    view
}

fn count_of(view: &AnswersView, theme: &Theme) -> Shown {
    view.counts
        .themes
        .iter()
        .find(|count| count.theme_id == theme.id)
        .map(|count| count.count)
        .unwrap_or_else(|| panic!("no count for {}", theme.label))
}

async fn audit(server: &TestServer, action: AuditAction) -> Vec<thamgia_core::audit::AuditEntry> {
    server
        .database()
        .audit_page(
            &AuditQuery {
                action: Some(action),
                ..AuditQuery::default()
            },
            100,
        )
        .await
        .expect("the audit log reads")
        .entries
}

#[tokio::test]
async fn a_theme_is_created_tagged_and_counted_with_small_counts_withheld() {
    let server = server().await;
    load(&server).await;
    let city = server.city_token.clone();
    let officer = server.sign_in("badinh.canbo").await;
    let school = created(&server, &city, "  Trường học ").await;
    assert_eq!(school.label, "Trường học");
    let play = created(&server, &officer, "Sân chơi").await;

    // The same label without diacritics is the same theme: refused.
    let (status, bytes) = create(&server, &officer, "truong HOC").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error: ApiError = serde_json::from_slice(&bytes).expect("an error");
    assert_eq!(error.code, ApiErrorCode::Invalid);
    assert!(error.message.vi.contains("Trường học"), "{error:?}");
    let (status, _) = create(&server, &officer, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Every officer sees the codebook.
    let (status, codebook) = server
        .get_as::<Vec<Theme>>(&officer, &format!("/api/v1/themes?survey={SURVEY}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(codebook, vec![school.clone(), play.clone()]);

    for n in 1..=6 {
        tag(&server, &city, school.id, n).await;
    }
    for n in 8..=9 {
        tag(&server, &officer, play.id, n).await;
    }
    // Two themes on one answer, in the codebook's order.
    let both = tag(&server, &officer, play.id, 1).await;
    assert_eq!(both.themes, vec![school.id, play.id]);
    // Tagging again changes nothing.
    let again = tag(&server, &city, school.id, 1).await;
    assert_eq!(again.themes, vec![school.id, play.id]);

    let ba_dinh = answers(&server, &officer, "").await;
    assert_eq!(ba_dinh.themes, vec![school.clone(), play.clone()]);
    assert_eq!(ba_dinh.counts.answered, Shown::Count(12));
    // 6 of 12 on the school: shown; 3 on play: under 5; 4 untagged: under 5.
    assert_eq!(count_of(&ba_dinh, &school), Shown::Count(6));
    assert_eq!(count_of(&ba_dinh, &play), Shown::Under(5));
    assert_eq!(ba_dinh.counts.untagged, Shown::Under(5));
    assert_eq!(ba_dinh.page.matching, 12);
    // Newest first, each with its themes, attributes shown (12 children).
    assert_eq!(
        ba_dinh.page.answers[0].answer.response_id,
        Uuid::from_u128(12)
    );
    let first = ba_dinh
        .page
        .answers
        .iter()
        .find(|listed| listed.answer.response_id == Uuid::from_u128(1))
        .expect("answer 1 listed");
    assert_eq!(first.themes, vec![school.id, play.id]);
    assert!(first.answer.attributes.is_some());

    // Filtered by theme.
    let tagged = answers(&server, &city, &format!("&ward=00004&theme={}", play.id)).await;
    assert_eq!(tagged.page.matching, 3);
    let untagged = answers(&server, &city, "&ward=00004&theme=untagged").await;
    assert_eq!(untagged.page.matching, 4);

    // The results' spreadsheet carries the themes as the page shows them.
    {
        use calamine::{Data, Reader, Xlsx};
        let (status, bytes) = server
            .get_raw_as(
                &city,
                &format!("/api/v1/export/results.xlsx?survey={SURVEY}&ward=00004"),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let mut workbook: Xlsx<_> =
            Xlsx::new(std::io::Cursor::new(bytes)).expect("the download is an .xlsx");
        let sheet = workbook.worksheet_range("Chủ đề").expect("the themes");
        let count = |label: &str| {
            sheet
                .rows()
                .find(|row| {
                    row.first() == Some(&Data::String(QUESTION.to_owned()))
                        && row.get(3) == Some(&Data::String(label.to_owned()))
                })
                .and_then(|row| row.get(4).cloned())
        };
        assert_eq!(count("Trường học"), Some(Data::Float(6.0)));
        assert_eq!(count("Sân chơi"), Some(Data::String("< 5".to_owned())));
    }

    // Ngọc Hà has 3 children: their words without any attribute.
    let ngoc_ha = answers(&server, &city, "&ward=00008").await;
    assert_eq!(ngoc_ha.page.matching, 3);
    assert!(ngoc_ha
        .page
        .answers
        .iter()
        .all(|listed| listed.answer.attributes.is_none()));
    assert_eq!(ngoc_ha.counts.answered, Shown::Under(5));

    // Renamed by its creator, not by another ward officer's colleague.
    let (status, renamed) = server
        .put_as::<_, Theme>(
            &officer,
            &format!("/api/v1/themes/{}", play.id),
            &ThemeLabel {
                label: "Chỗ vui chơi".to_owned(),
            },
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed.label, "Chỗ vui chơi");

    // Every change is in the audit log, without a child's words.
    assert_eq!(audit(&server, AuditAction::ThemeCreated).await.len(), 2);
    assert_eq!(audit(&server, AuditAction::ThemeRenamed).await.len(), 1);
    let tags = audit(&server, AuditAction::AnswerTagged).await;
    assert_eq!(tags.len(), 9, "a tag sent again is not logged again");
    for entry in &tags {
        assert_eq!(entry.ward_code.as_deref(), Some("00004"));
        assert!(entry.detail.contains(&format!("question={QUESTION}")));
        assert!(!entry.detail.contains("Trường") && !entry.target.contains("Trường"));
    }
    assert!(tags
        .iter()
        .any(|entry| entry.actor.as_deref() == Some("badinh.canbo")
            && entry.target == Uuid::from_u128(8).to_string()));

    // Untagged: counted no more; deleted: its tags go with it.
    let (status, _) = change_tag(&server, &officer, "DELETE", play.id, 1).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(audit(&server, AuditAction::AnswerUntagged).await.len(), 1);
    let request = Request::delete(format!("/api/v1/themes/{}", school.id))
        .header("authorization", format!("Bearer {officer}"))
        .body(Body::empty())
        .expect("request");
    let (status, _) = server.call_raw(request).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a theme the city made");
    let request = Request::delete(format!("/api/v1/themes/{}", school.id))
        .header("authorization", format!("Bearer {city}"))
        .body(Body::empty())
        .expect("request");
    let (status, _) = server.call_raw(request).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let after = answers(&server, &city, "&ward=00004").await;
    assert_eq!(after.themes.len(), 1);
    // 2 on play, under 5; the 10 untagged hidden, or 12 − 10 gives it back.
    assert_eq!(count_of(&after, &renamed), Shown::Under(5));
    assert_eq!(after.counts.untagged, Shown::Hidden);
    let deleted = audit(&server, AuditAction::ThemeDeleted).await;
    assert_eq!(deleted.len(), 1);
    assert!(deleted[0].detail.contains("tags=6"), "{:?}", deleted[0]);
}

#[tokio::test]
async fn a_search_without_diacritics_finds_the_childrens_words() {
    let server = server().await;
    load(&server).await;
    let city = server.city_token.clone();
    let found = answers(&server, &city, "&q=truong").await;
    assert_eq!(found.page.matching, 7);
    assert!(found
        .page
        .answers
        .iter()
        .all(|listed| listed.answer.text.contains("Trường")));
    let found = answers(&server, &city, "&q=SAN%20CHOI").await;
    assert_eq!(found.page.matching, 5);
    let found = answers(&server, &city, "&q=den%20duong").await;
    assert_eq!(found.page.matching, 3);
    let none = answers(&server, &city, "&q=b%C6%A1i").await;
    assert_eq!(none.page.matching, 0);
    // The counts are the question's, whatever the search.
    assert_eq!(none.counts.answered, Shown::Count(15));

    let long = "a".repeat(101);
    let (status, error) = server
        .get_as::<ApiError>(
            &city,
            &format!("/api/v1/results/answers?survey={SURVEY}&question={QUESTION}&q={long}"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error.code, ApiErrorCode::Invalid);
    // A question that is not free text has no list.
    let (status, _) = server
        .get_as::<ApiError>(
            &city,
            &format!("/api/v1/results/answers?survey={SURVEY}&question=deep_water_nearby"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_ward_officer_tags_only_their_ward_and_a_collector_nothing() {
    let server = server().await;
    load(&server).await;
    let city = server.city_token.clone();
    let officer = server.sign_in("badinh.canbo").await;
    let collector = server.sign_in("badinh").await;
    let lights = created(&server, &city, "Đèn đường").await;

    // Answer 13 is Ngọc Hà's.
    let (status, bytes) = change_tag(&server, &officer, "POST", lights.id, 13).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let error: ApiError = serde_json::from_slice(&bytes).expect("an error");
    assert!(!error.message.vi.is_empty() && !error.message.en.is_empty());
    let (status, _) = server
        .get_as::<ApiError>(
            &officer,
            &format!("/api/v1/results/answers?survey={SURVEY}&question={QUESTION}&ward=00008"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A collector reads and tags nothing.
    let (status, _) = change_tag(&server, &collector, "POST", lights.id, 1).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = create(&server, &collector, "Cây xanh").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, error) = server
        .get_as::<ApiError>(
            &collector,
            &format!("/api/v1/results/answers?survey={SURVEY}&question={QUESTION}"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!error.message.vi.is_empty());
    let (status, _) = server
        .get_as::<ApiError>(&collector, &format!("/api/v1/themes?survey={SURVEY}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Only written answers of the theme's survey are tagged.
    let (status, _) = change_tag(&server, &city, "POST", lights.id, 999).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = change_tag(&server, &city, "POST", Uuid::from_u128(7), 1).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(audit(&server, AuditAction::AnswerTagged).await.is_empty());

    // The city tags any ward's answer.
    let tagged = tag(&server, &city, lights.id, 13).await;
    assert_eq!(tagged.themes, vec![lights.id]);
    let entries = audit(&server, AuditAction::AnswerTagged).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].ward_code.as_deref(), Some("00008"));
}

#[tokio::test]
async fn a_withdrawn_response_takes_its_answer_and_tags_out_of_the_counts() {
    let server = server().await;
    load(&server).await;
    let city = server.city_token.clone();
    let school = created(&server, &city, "Trường học").await;
    for n in 1..=7 {
        tag(&server, &city, school.id, n).await;
    }
    let before = answers(&server, &city, "&ward=00004").await;
    assert_eq!(count_of(&before, &school), Shown::Count(7));

    server
        .push_changes(
            &city,
            vec![MutationChange::WithdrawResponse {
                response_id: Uuid::from_u128(1),
                withdrawn_at: Utc::now(),
            }],
        )
        .await;
    let after = answers(&server, &city, "&ward=00004").await;
    assert_eq!(after.counts.answered, Shown::Count(11));
    assert_eq!(count_of(&after, &school), Shown::Count(6));
    assert_eq!(after.page.matching, 11);
    assert!(after
        .page
        .answers
        .iter()
        .all(|listed| listed.answer.response_id != Uuid::from_u128(1)));
    // The tag itself is gone with the response.
    let tags = server
        .database()
        .answer_tags(SURVEY, QUESTION)
        .await
        .expect("tags read");
    assert_eq!(tags.len(), 6);
    assert!(tags.iter().all(|tag| tag.response_id != Uuid::from_u128(1)));
    // Its answer can no longer be tagged.
    let (status, _) = change_tag(&server, &city, "POST", school.id, 1).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_theme_splits_by_sex_without_a_small_cell() {
    let server = server().await;
    load(&server).await;
    let city = server.city_token.clone();
    let school = created(&server, &city, "Trường học").await;
    for n in 1..=7 {
        tag(&server, &city, school.id, n).await;
    }
    let path = |theme: Uuid, split: &str, ward: &str| {
        format!(
            "/api/v1/results/themes/table?survey={SURVEY}&question={QUESTION}&theme={theme}&split={split}&ward={ward}"
        )
    };
    let (status, table) = server
        .get_as::<PublishedTable>(&city, &path(school.id, "sex", "00004"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(table.rows[0].key, school.id.to_string());
    // Its row totals are the theme's count and the others; its total
    // those who answered, as the counts beside show them.
    assert_eq!(table.row_totals[0], Shown::Count(7));
    assert_eq!(table.row_totals[1], Shown::Count(5));
    assert_eq!(table.total, Shown::Count(12));
    for shown in table.cells.iter().flatten() {
        if let Some(count) = shown.count() {
            assert!(count == 0 || count >= 5, "{table:?}");
        }
    }
    for row in 0..table.rows.len() {
        let mut line = table.cells[row].clone();
        line.push(table.row_totals[row]);
        let withheld = line.iter().filter(|shown| shown.is_suppressed()).count();
        assert_ne!(withheld, 1, "row {row}: {table:?}");
    }

    // An unknown theme, another ward, a collector: refused.
    let (status, _) = server
        .get_as::<ApiError>(&city, &path(Uuid::from_u128(7), "sex", "00004"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let officer = server.sign_in("badinh.canbo").await;
    let (status, _) = server
        .get_as::<ApiError>(&officer, &path(school.id, "sex", "00008"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let collector = server.sign_in("badinh").await;
    let (status, _) = server
        .get_as::<ApiError>(&collector, &path(school.id, "sex", "00004"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server
        .get_as::<ApiError>(&city, &path(school.id, "height", "00004"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_scope_too_large_to_recount_asks_for_a_narrower_one() {
    let server = server().await.with_state(|state| state.recount_limit = 12);
    load(&server).await;
    let city = server.city_token.clone();
    // The whole city holds 15 responses, over the limit of 12: a clear
    // refusal, nothing read.
    let (status, error) = server
        .get_as::<thamgia_core::ApiError>(
            &city,
            &format!("/api/v1/results/answers?survey={SURVEY}&question={QUESTION}"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error.message.en.contains("15 responses"), "{error:?}");
    // Ba Đình's 12, a period without responses: read.
    assert_eq!(
        answers(&server, &city, "&ward=00004").await.page.matching,
        12
    );
    answers(&server, &city, "&period=2025-Q1").await;
}

#[tokio::test]
async fn a_theme_another_ward_uses_is_changed_only_by_the_city() {
    let server = server().await;
    load(&server).await;
    let city = server.city_token.clone();
    let officer = server.sign_in("badinh.canbo").await;
    let lights = created(&server, &officer, "Đèn đường").await;
    // Ba Đình's officer tags their own ward's answer: still theirs to change.
    tag(&server, &officer, lights.id, 1).await;
    let rename = |token: String, label: &'static str| {
        let server = &server;
        async move {
            let request = Request::put(format!("/api/v1/themes/{}", lights.id))
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::from(
                    serde_json::to_vec(&ThemeLabel {
                        label: label.to_owned(),
                    })
                    .expect("serialises"),
                ))
                .expect("request");
            server.call_raw(request).await
        }
    };
    assert_eq!(rename(officer.clone(), "Đèn ngõ").await.0, StatusCode::OK);

    // Ngọc Hà's answer 13 is tagged with it (by the city): Ba Đình's
    // officer may no longer rename or delete it; the city may.
    tag(&server, &city, lights.id, 13).await;
    let (status, bytes) = rename(officer.clone(), "Khác").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let error: ApiError = serde_json::from_slice(&bytes).expect("an error");
    assert!(
        error.message.en.contains("no other ward"),
        "{}",
        error.message.en
    );
    let delete = |token: &str| {
        Request::delete(format!("/api/v1/themes/{}", lights.id))
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request")
    };
    assert_eq!(
        server.call_raw(delete(&officer)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        rename(city.clone(), "Đèn đường ngõ").await.0,
        StatusCode::OK
    );
    assert_eq!(
        server.call_raw(delete(&city)).await.0,
        StatusCode::NO_CONTENT
    );
}
