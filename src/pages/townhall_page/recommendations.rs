//! The town hall's follow-up of children's recommendations: every forum's
//! recommendations with the authority's answer, the feedback given back to
//! the children and the deadlines, and a form to record an answer.
//!
//! Like the rest of the town hall view it is online-only: the forums of all
//! wards live on the town hall's server. The server's answers are read into
//! the structs below, which mirror `thamgia_server::forums` (the app does not
//! depend on the server crate); the forum, answer and feedback types come
//! from core.
//!
//! Recording an answer belongs to city officers: the town hall view is
//! shown to them only, and the server refuses anyone else.
//!
//! This file holds the server's answers and the rules over them; the card,
//! its counts, each recommendation and the answer form are components in
//! `recommendations/`.

mod answer_form;
mod recommendation_item;
mod recommendations_card;
mod status_summary;

pub(super) use recommendations_card::RecommendationsCard;

use chrono::NaiveDate;
pub(crate) use thamgia_core::api::forums::{AnswerBody, ForumView, RecommendationView};
use thamgia_core::forum::{Decision, RecommendationStatus};
use thamgia_core::search::contains_folded;
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::Localized;
use uuid::Uuid;

use crate::api::ApiClient;
use crate::i18n::townhall::{townhall_both, TOWNHALL_EN, TOWNHALL_VI};
use crate::state::Ward;

/// One recommendation with what the list shows of its forum.
#[derive(Debug, Clone, PartialEq)]
struct RecommendationRow {
    ward_code: String,
    held_on: NaiveDate,
    place: String,
    children: u32,
    report_due: NaiveDate,
    item: RecommendationView,
}

impl RecommendationRow {
    /// What keys the row in the list: a row whose answer or feedback changed
    /// is drawn again, one that did not keeps its half-typed form.
    fn key(&self) -> String {
        format!(
            "{}|{:?}|{:?}|{}",
            self.item.recommendation.id,
            self.item.answer,
            self.item.feedback,
            self.item.answer_overdue
        )
    }
}

/// Every forum's recommendations, newest forum first (the server's order
/// for forums held the same day).
fn recommendation_rows(mut forums: Vec<ForumView>) -> Vec<RecommendationRow> {
    forums.sort_by_key(|view| std::cmp::Reverse(view.forum.held_on));
    forums
        .into_iter()
        .flat_map(|view| {
            let children = view.forum.children();
            let ForumView {
                forum,
                report_due,
                recommendations,
                ..
            } = view;
            recommendations
                .into_iter()
                .map(move |item| RecommendationRow {
                    ward_code: forum.ward_code.clone(),
                    held_on: forum.held_on,
                    place: forum.place.clone(),
                    children,
                    report_due,
                    item,
                })
        })
        .collect()
}

/// Every status, in the order a recommendation goes through them.
const STATUSES: [RecommendationStatus; 3] = [
    RecommendationStatus::AwaitingAnswer,
    RecommendationStatus::AwaitingFeedback,
    RecommendationStatus::Closed,
];

/// A status as written on the wire, for the filter's values and
/// `data-status`.
fn status_key(status: RecommendationStatus) -> &'static str {
    match status {
        RecommendationStatus::AwaitingAnswer => "awaiting_answer",
        RecommendationStatus::AwaitingFeedback => "awaiting_feedback",
        RecommendationStatus::Closed => "closed",
    }
}

/// The CSS class of a status badge.
fn status_class(status: RecommendationStatus) -> &'static str {
    match status {
        RecommendationStatus::AwaitingAnswer => "state-badge state--draft",
        RecommendationStatus::AwaitingFeedback => "state-badge state--waiting",
        RecommendationStatus::Closed => "state-badge state--synced",
    }
}

/// A decision as written on the wire, for `data-test`.
fn decision_key(decision: Decision) -> &'static str {
    match decision {
        Decision::Accepted => "accepted",
        Decision::Partly => "partly",
        Decision::Rejected => "rejected",
    }
}

/// Where the card is with the forums.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Loading,
    Failed(SyncFailure),
    /// Loaded: no forum has recommendations yet.
    Empty,
    Ready,
}

/// Which statuses the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusFilter {
    All,
    Only(RecommendationStatus),
}

impl StatusFilter {
    /// The filter's `<option>` value.
    fn key(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Only(status) => status_key(status),
        }
    }

    /// The filter of an `<option>` value; everything for an unknown one.
    fn from_key(key: &str) -> StatusFilter {
        STATUSES
            .into_iter()
            .find(|status| status_key(*status) == key)
            .map_or(StatusFilter::All, StatusFilter::Only)
    }

    fn admits(self, status: RecommendationStatus) -> bool {
        match self {
            StatusFilter::All => true,
            StatusFilter::Only(only) => only == status,
        }
    }
}

/// What the list is narrowed to.
#[derive(Debug, Clone, PartialEq)]
struct Filters {
    /// The ward search, already folded.
    folded_query: String,
    status: StatusFilter,
    only_overdue: bool,
}

/// Whether `row`, of the ward `ward` when the overview names it, passes the
/// filters. The search finds either name without diacritics, or the code.
fn row_matches(row: &RecommendationRow, ward: Option<&Ward>, filters: &Filters) -> bool {
    let query = filters.folded_query.as_str();
    let ward_found = query.is_empty()
        || row.ward_code.contains(query)
        || ward.is_some_and(|ward| {
            contains_folded(&ward.name_vi, query) || contains_folded(&ward.name_en, query)
        });
    ward_found
        && filters.status.admits(row.item.status)
        && (!filters.only_overdue || row.item.answer_overdue)
}

/// How many recommendations are in each status, and how many answers are
/// overdue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct StatusCounts {
    awaiting_answer: usize,
    awaiting_feedback: usize,
    closed: usize,
    overdue: usize,
}

impl StatusCounts {
    fn of_rows(rows: &[RecommendationRow]) -> StatusCounts {
        rows.iter()
            .fold(StatusCounts::default(), |mut counts, row| {
                match row.item.status {
                    RecommendationStatus::AwaitingAnswer => counts.awaiting_answer += 1,
                    RecommendationStatus::AwaitingFeedback => counts.awaiting_feedback += 1,
                    RecommendationStatus::Closed => counts.closed += 1,
                }
                if row.item.answer_overdue {
                    counts.overdue += 1;
                }
                counts
            })
    }

    fn of(self, status: RecommendationStatus) -> usize {
        match status {
            RecommendationStatus::AwaitingAnswer => self.awaiting_answer,
            RecommendationStatus::AwaitingFeedback => self.awaiting_feedback,
            RecommendationStatus::Closed => self.closed,
        }
    }

    fn total(self) -> usize {
        self.awaiting_answer + self.awaiting_feedback + self.closed
    }
}

/// Days an overdue answer is late on `today`; at least one, since the server
/// (whose clock decides) already found it overdue.
fn overdue_days(answer_due: NaiveDate, today: NaiveDate) -> i64 {
    (today - answer_due).num_days().max(1)
}

/// A date as the app shows dates.
fn show_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// What an officer is told when the town hall's server could not be read
/// or written: the server's own reason when it gave one, otherwise
/// `fallback`, which says what to do.
pub(crate) fn failure_message(failure: &SyncFailure, fallback: Localized) -> Localized {
    match failure {
        SyncFailure::Offline => townhall_both(|texts| texts.townhall_offline),
        SyncFailure::Server {
            error: Some(error), ..
        } => Localized::new(
            format!(
                "{} {}",
                error.message.vi, TOWNHALL_VI.townhall_try_again_later
            ),
            format!(
                "{} {}",
                error.message.en, TOWNHALL_EN.townhall_try_again_later
            ),
        ),
        other => {
            leptos::logging::warn!("town hall request failed: {other:?}");
            fallback
        }
    }
}

/// Records an authority's answer at the server.
async fn save_answer(recommendation_id: Uuid, body: AnswerBody) -> Result<(), SyncFailure> {
    ApiClient::for_this_origin()
        .answer_recommendation(recommendation_id, &body)
        .await
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;
    use thamgia_core::forum::{
        AuthorityAnswer, ChildFeedback, FeedbackChannel, Forum, ParticipantCount, Recommendation,
    };
    use thamgia_core::response::{AgeBand, Sex};
    use thamgia_core::search::fold;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
    }

    fn forum(id: u128, ward_code: &str, held_on: NaiveDate, recommendations: &[u128]) -> Forum {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 1, 8, 0, 0)
            .single()
            .expect("a valid time");
        let mut forum = Forum::new(Uuid::from_u128(id), ward_code, held_on, now);
        forum.place = "Nhà văn hóa".to_owned();
        forum.participants = vec![ParticipantCount {
            age_band: AgeBand::From10To12,
            sex: Sex::Female,
            count: 32,
        }];
        forum.submitted = true;
        forum.recommendations = recommendations
            .iter()
            .map(|id| Recommendation {
                id: Uuid::from_u128(*id),
                text: "Lắp đèn đường trước cổng trường".to_owned(),
                authority: "UBND phường Ba Đình".to_owned(),
                votes: 12,
            })
            .collect();
        forum
    }

    /// The forums as the server sends them: an old forum first, with one
    /// answered and told recommendation, then a newer one with an overdue
    /// recommendation and a fresh one.
    fn server_json() -> serde_json::Value {
        let old = forum(1, "00004", date(2026, 9, 1), &[11]);
        let new = forum(2, "00008", date(2026, 10, 1), &[21, 22]);
        let answer = AuthorityAnswer {
            recommendation_id: Uuid::from_u128(11),
            decision: Decision::Partly,
            reasons: "Ngân sách năm sau".to_owned(),
            actions: "Lắp 3 đèn trong quý 1".to_owned(),
            answered_on: date(2026, 9, 20),
        };
        let feedback = ChildFeedback {
            recommendation_id: Uuid::from_u128(11),
            given_on: date(2026, 9, 25),
            channel: FeedbackChannel::School,
            note: String::new(),
        };
        json!([
            {
                "forum": old,
                "report_due": "2026-09-16",
                "received_at": "2026-09-02T08:00:00Z",
                "received_at": "2026-09-02T08:00:00+00:00",
                "recommendations": [{
                    "recommendation": old.recommendations[0],
                    "answer": answer,
                    "feedback": feedback,
                    "status": "closed",
                    "answer_due": "2026-10-01",
                    "answer_overdue": false
                }]
            },
            {
                "forum": new,
                "report_due": "2026-10-16",
                "received_at": "2026-10-03T08:00:00Z",
                "received_at": "2026-10-02T08:00:00+00:00",
                "recommendations": [
                    {
                        "recommendation": new.recommendations[0],
                        "answer": null,
                        "feedback": null,
                        "status": "awaiting_answer",
                        "answer_due": "2026-10-31",
                        "answer_overdue": true
                    },
                    {
                        "recommendation": new.recommendations[1],
                        "answer": null,
                        "feedback": null,
                        "status": "awaiting_answer",
                        "answer_due": "2026-10-31",
                        "answer_overdue": false
                    }
                ]
            }
        ])
    }

    fn rows() -> Vec<RecommendationRow> {
        let forums: Vec<ForumView> =
            serde_json::from_value(server_json()).unwrap_or_else(|error| panic!("{error}"));
        recommendation_rows(forums)
    }

    fn ids(rows: &[RecommendationRow]) -> Vec<u128> {
        rows.iter()
            .map(|row| row.item.recommendation.id.as_u128())
            .collect()
    }

    fn filters(query: &str, status: StatusFilter, only_overdue: bool) -> Filters {
        Filters {
            folded_query: fold(query),
            status,
            only_overdue,
        }
    }

    fn shown(rows: &[RecommendationRow], wards: &[Ward], filters: &Filters) -> Vec<u128> {
        let kept: Vec<RecommendationRow> = rows
            .iter()
            .filter(|row| {
                let ward = wards.iter().find(|ward| ward.code == row.ward_code);
                row_matches(row, ward, filters)
            })
            .cloned()
            .collect();
        ids(&kept)
    }

    #[wasm_bindgen_test]
    fn the_list_reads_what_the_server_sends_newest_forum_first() {
        let rows = rows();
        assert_eq!(ids(&rows), [21, 22, 11]);
        assert_eq!(rows[0].ward_code, "00008");
        assert_eq!(rows[0].children, 32);
        assert_eq!(rows[0].report_due, date(2026, 10, 16));
        assert!(rows[0].item.answer_overdue);
        let closed = &rows[2].item;
        assert_eq!(closed.status, RecommendationStatus::Closed);
        assert_eq!(
            closed.answer.as_ref().map(|answer| answer.decision),
            Some(Decision::Partly)
        );
        assert_eq!(
            closed.feedback.as_ref().map(|feedback| feedback.channel),
            Some(FeedbackChannel::School)
        );
    }

    #[wasm_bindgen_test]
    fn counts_cover_every_recommendation_and_the_overdue_answers() {
        let counts = StatusCounts::of_rows(&rows());
        assert_eq!(
            counts,
            StatusCounts {
                awaiting_answer: 2,
                awaiting_feedback: 0,
                closed: 1,
                overdue: 1,
            }
        );
        assert_eq!(counts.total(), 3);
        assert_eq!(counts.of(RecommendationStatus::Closed), 1);
    }

    #[wasm_bindgen_test]
    fn filters_find_wards_without_diacritics_by_status_and_overdue() {
        let rows = rows();
        let wards = [Ward {
            code: "00008".to_owned(),
            name_vi: "Phường Ngọc Hà".to_owned(),
            name_en: "Ngoc Ha Ward".to_owned(),
        }];
        let all = StatusFilter::All;
        assert_eq!(shown(&rows, &wards, &filters("", all, false)), [21, 22, 11]);
        assert_eq!(
            shown(&rows, &wards, &filters("ngoc ha", all, false)),
            [21, 22]
        );
        assert_eq!(
            shown(&rows, &wards, &filters("Ngọc Hà", all, false)),
            [21, 22]
        );
        // A ward the overview does not name is still found by its code.
        assert_eq!(shown(&rows, &wards, &filters("00004", all, false)), [11]);
        assert!(shown(&rows, &[], &filters("ngoc ha", all, false)).is_empty());
        let closed = StatusFilter::Only(RecommendationStatus::Closed);
        assert_eq!(shown(&rows, &wards, &filters("", closed, false)), [11]);
        assert_eq!(shown(&rows, &wards, &filters("", all, true)), [21]);
        assert!(shown(&rows, &wards, &filters("", closed, true)).is_empty());
    }

    #[wasm_bindgen_test]
    fn overdue_answers_are_late_by_at_least_one_day() {
        let due = date(2026, 10, 31);
        assert_eq!(overdue_days(due, date(2026, 11, 10)), 10);
        // The server's clock found it overdue; the tablet's may lag behind.
        assert_eq!(overdue_days(due, date(2026, 10, 31)), 1);
        assert_eq!((TOWNHALL_VI.townhall_overdue_days)(10), "quá hạn 10 ngày");
        assert_eq!((TOWNHALL_EN.townhall_overdue_days)(1), "overdue by 1 day");
        assert_eq!((TOWNHALL_EN.townhall_overdue_days)(3), "overdue by 3 days");
    }

    #[wasm_bindgen_test]
    fn wire_names_are_the_servers() {
        for status in STATUSES {
            assert_eq!(
                serde_json::to_value(status).unwrap_or_else(|error| panic!("{error}")),
                json!(status_key(status))
            );
            assert_eq!(
                StatusFilter::from_key(StatusFilter::Only(status).key()),
                StatusFilter::Only(status)
            );
        }
        assert_eq!(StatusFilter::from_key("all"), StatusFilter::All);
        for decision in Decision::ALL {
            assert_eq!(
                serde_json::to_value(decision).unwrap_or_else(|error| panic!("{error}")),
                json!(decision_key(decision))
            );
        }
        let body = AnswerBody {
            decision: Decision::Rejected,
            reasons: "Ngoài thẩm quyền".to_owned(),
            actions: String::new(),
            answered_on: date(2026, 12, 1),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap_or_else(|error| panic!("{error}")),
            json!({
                "decision": "rejected",
                "reasons": "Ngoài thẩm quyền",
                "actions": "",
                "answered_on": "2026-12-01"
            })
        );
    }
}
