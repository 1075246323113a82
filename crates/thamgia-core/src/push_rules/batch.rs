//! A push decided as a batch, pure: where each mutation stands in its
//! client's numbering ([`sequence`]), what a rule says of a submitted
//! response ([`submission_refusal`]), and what becomes of it given what the
//! server holds under its id ([`submission`]).
//!
//! The server reads for the whole batch at once: the outcomes it logged
//! for the seqs sent again, and what it holds under every response id the
//! batch names (a stored response's digest, a tombstone's ward), one query
//! per table. It then asks these functions mutation by mutation, in the
//! batch's order, keeps what each decision changes (a response stored
//! earlier in the batch is held for the rest of it), and writes the
//! decisions with a few multi-row statements in the push's one
//! transaction. Whatever is not decided here (every mutation [`batched`]
//! says no to, and [`Submit::OneByOne`]) is applied by the server's own
//! path, one mutation at a time, after everything before it is written:
//! the outcomes are those of applying the batch one mutation after the
//! other.

use crate::form::FormEngine;
use crate::protocol::{MutationChange, MutationOutcome, PushStatus, RefusalCode};
use crate::response::{Response, ResponseStatus};
use crate::survey::SurveyDefinition;
use crate::validation::{validate_with, ValidationMode};
use crate::{corrections, limits, Localized};

/// Where one mutation of a push stands in its client's numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A seq at or below the `last_seq` the server held before this push,
    /// logged for the same record: answered with the outcome logged then.
    Logged,
    /// A seq applied earlier in this very push (the batch holds it twice)
    /// for the same record: answered as that mutation is.
    Repeated {
        /// The index in the batch of the mutation applied at this seq.
        earlier: usize,
    },
    /// The next seq: applied now.
    Apply,
}

/// A push's numbering, decided before anything is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    /// One step for each mutation considered: the batch's first
    /// `steps.len()`, in order (a gap or a reused seq ends it).
    pub steps: Vec<Step>,
    /// Whether the whole batch was considered.
    pub status: PushStatus,
    /// The client's `last_seq` after the push.
    pub last_seq: u64,
}

/// The steps of a push of `mutations` (each its seq and record id, in the
/// batch's order) from a client whose `last_seq` was `stored_last`;
/// `logged(seq)` is the record id the server logged at a seq at or below
/// `stored_last`, if any.
///
/// A seq at or below the client's `last_seq` is a replay: answered as
/// logged when it carries the same record, else the client reused its
/// numbers ([`PushStatus::SeqReused`]) and nothing from there is
/// considered. A seq beyond `last_seq + 1` is a gap ([`PushStatus::Gap`]).
/// Every other mutation is applied, whatever its outcome, and raises
/// `last_seq`; so the seqs this push applies follow `stored_last` one by
/// one, and a seq sent twice in one batch is a replay of the first.
pub fn sequence<'a>(
    stored_last: u64,
    mutations: &[(u64, &str)],
    logged: impl Fn(u64) -> Option<&'a str>,
) -> Sequence {
    let mut steps = Vec::with_capacity(mutations.len());
    // The index in the batch of the mutation applied at `stored_last + 1 + n`.
    let mut applied_at: Vec<usize> = Vec::new();
    let mut last_seq = stored_last;
    let mut status = PushStatus::Ok;
    for (index, &(seq, record_id)) in mutations.iter().enumerate() {
        if seq <= last_seq {
            let step = if seq <= stored_last {
                (logged(seq) == Some(record_id)).then_some(Step::Logged)
            } else {
                usize::try_from(seq - stored_last - 1)
                    .ok()
                    .and_then(|applied| applied_at.get(applied).copied())
                    .filter(|earlier| {
                        mutations
                            .get(*earlier)
                            .is_some_and(|(_, earlier_record)| *earlier_record == record_id)
                    })
                    .map(|earlier| Step::Repeated { earlier })
            };
            match step {
                Some(step) => {
                    steps.push(step);
                    continue;
                }
                None => {
                    status = PushStatus::SeqReused { seq };
                    break;
                }
            }
        }
        if seq != last_seq + 1 {
            status = PushStatus::Gap {
                expected_seq: last_seq + 1,
            };
            break;
        }
        steps.push(Step::Apply);
        applied_at.push(index);
        last_seq = seq;
    }
    Sequence {
        steps,
        status,
        last_seq,
    }
}

/// Whether a mutation may be decided with the batch ([`submission`]): a
/// submitted response that is neither sent withdrawn (its chain is
/// withdrawn with it) nor a correction (its chain is read and settled).
/// Every other mutation is applied one by one.
pub fn batched(change: &MutationChange) -> bool {
    matches!(
        change,
        MutationChange::SubmitResponse { response }
            if response.status != ResponseStatus::Withdrawn && response.corrects.is_none()
    )
}

/// Why the server refuses a submitted response by the rules of its survey
/// (`None` when the server holds no such survey version): an unknown
/// survey, a response not completed, or the answers' problems, on the day
/// it was completed ([`Response::completed_on`], the day the tablet judged
/// it on, however late it arrives). `None` when it may be kept. Pure, so
/// the server asks before it takes the write lock.
pub fn submission_refusal(
    survey: Option<(&SurveyDefinition, &FormEngine)>,
    response: &Response,
) -> Option<MutationOutcome> {
    let (code, reasons): (RefusalCode, Vec<Localized>) = match survey {
        None => (
            RefusalCode::UnknownSurvey,
            vec![Localized::new(
                format!(
                    "Máy chủ không có khảo sát \"{}\" phiên bản {}.",
                    limits::quoted(&response.survey_id),
                    response.survey_version
                ),
                format!(
                    "The server has no survey \"{}\" version {}.",
                    limits::quoted(&response.survey_id),
                    response.survey_version
                ),
            )],
        ),
        Some(_) if response.status != ResponseStatus::Completed => (
            RefusalCode::NotCompleted,
            vec![Localized::new(
                "Chỉ gửi được phiếu đã hoàn thành.",
                "Only completed responses can be sent.",
            )],
        ),
        Some((survey, engine)) => (
            RefusalCode::InvalidAnswers,
            validate_with(
                engine,
                survey,
                response,
                ValidationMode::Complete,
                response.completed_on(),
            )
            .into_iter()
            .map(|issue| match issue.question_id {
                Some(question) => Localized::new(
                    format!("{question}: {}", issue.message.vi),
                    format!("{question}: {}", issue.message.en),
                ),
                None => issue.message,
            })
            .collect(),
        ),
    };
    (!reasons.is_empty()).then(|| MutationOutcome::rejected(code, limits::joined_reasons(&reasons)))
}

/// The answer to a response whose id the server holds with other content.
pub fn response_conflict() -> MutationOutcome {
    MutationOutcome::Conflict {
        message: Localized::new(
            "Máy chủ đã có một phiếu khác cùng mã. Cả hai đều được giữ lại để cán bộ thành phố xem xét.",
            "The server already holds a different response with the same id. Both are kept for a city officer to review.",
        ),
    }
}

/// What the server holds under a submitted response's id when the push
/// reaches it (what it read, and what the push stored since).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Held<'a> {
    /// The tombstone kept under the id, if consent was withdrawn for it:
    /// the ward it is kept under (`None`: any ward).
    pub tombstone: Option<Option<&'a str>>,
    /// The digest of the content stored under the id, if a response is.
    pub stored_sha256: Option<&'a str>,
}

/// What becomes of a submitted response.
#[derive(Debug, Clone, PartialEq)]
pub enum Submit {
    /// A withdrawal of consent is kept for it: answered
    /// [`MutationOutcome::Withdrawn`], nothing of it kept.
    Withdrawn,
    /// A rule refuses it: answered with the refusal, kept aside.
    Refused(MutationOutcome),
    /// New: stored now ([`MutationOutcome::Applied`]).
    Store,
    /// The very same content is stored (a retried submission).
    AlreadyStored,
    /// Other content is stored under its id: kept beside it, the original
    /// untouched ([`response_conflict`]).
    Conflict,
    /// Left to the server's one-by-one path: a tombstone of another ward
    /// (which it drops before considering the response afresh), a response
    /// sent withdrawn, a correction.
    OneByOne,
}

/// What becomes of `response` (its content's digest `sha256`) when the
/// server holds `held` under its id and the rules say `refusal`
/// ([`submission_refusal`]), in the order the server has always checked:
/// a tombstone first, then a withdrawal sent as a response, the rules, a
/// correction, and last what is stored under the id.
pub fn submission(
    response: &Response,
    held: Held<'_>,
    refusal: Option<&MutationOutcome>,
    sha256: &str,
) -> Submit {
    if let Some(ward) = held.tombstone {
        return if corrections::tombstone_withdraws(ward, &response.ward_code) {
            Submit::Withdrawn
        } else {
            Submit::OneByOne
        };
    }
    if response.status == ResponseStatus::Withdrawn {
        return Submit::OneByOne;
    }
    if let Some(refusal) = refusal {
        return Submit::Refused(refusal.clone());
    }
    if response.corrects.is_some() {
        return Submit::OneByOne;
    }
    match held.stored_sha256 {
        None => Submit::Store,
        Some(stored) if stored == sha256 => Submit::AlreadyStored,
        Some(_) => Submit::Conflict,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    use super::*;

    /// The steps of a push of `mutations` from a client at `stored_last`
    /// whose log holds record `r<seq>` at every seq from 1.
    fn steps(stored_last: u64, mutations: &[(u64, &str)]) -> Sequence {
        let log: Vec<String> = (0..=stored_last).map(|seq| format!("r{seq}")).collect();
        let log = &log;
        sequence(stored_last, mutations, move |seq| {
            usize::try_from(seq)
                .ok()
                .filter(|seq| *seq >= 1)
                .and_then(|seq| log.get(seq))
                .map(String::as_str)
        })
    }

    #[test]
    fn a_fresh_batch_is_applied_in_order() {
        let plan = steps(0, &[(1, "r1"), (2, "r2"), (3, "r3")]);
        assert_eq!(plan.steps, vec![Step::Apply; 3]);
        assert_eq!((plan.status, plan.last_seq), (PushStatus::Ok, 3));
    }

    #[test]
    fn a_batch_sent_again_is_answered_from_the_log_and_carries_on() {
        let plan = steps(2, &[(1, "r1"), (2, "r2"), (3, "r3")]);
        assert_eq!(plan.steps, vec![Step::Logged, Step::Logged, Step::Apply]);
        assert_eq!((plan.status, plan.last_seq), (PushStatus::Ok, 3));
    }

    #[test]
    fn a_seq_sent_twice_in_one_batch_is_a_replay_of_the_first() {
        let plan = steps(1, &[(2, "r2"), (3, "r3"), (2, "r2"), (4, "r4"), (3, "r3")]);
        assert_eq!(
            plan.steps,
            vec![
                Step::Apply,
                Step::Apply,
                Step::Repeated { earlier: 0 },
                Step::Apply,
                Step::Repeated { earlier: 1 },
            ]
        );
        assert_eq!((plan.status, plan.last_seq), (PushStatus::Ok, 4));
    }

    #[test]
    fn a_reused_seq_stops_the_batch_from_the_log_or_from_the_batch() {
        let plan = steps(2, &[(2, "other"), (3, "r3")]);
        assert_eq!(plan.steps, Vec::<Step>::new());
        assert_eq!(plan.status, PushStatus::SeqReused { seq: 2 });
        assert_eq!(plan.last_seq, 2);

        let plan = steps(0, &[(1, "r1"), (2, "r2"), (1, "other"), (3, "r3")]);
        assert_eq!(plan.steps, vec![Step::Apply, Step::Apply]);
        assert_eq!(plan.status, PushStatus::SeqReused { seq: 1 });
        assert_eq!(plan.last_seq, 2);

        // Seq 0 is never logged: a reused seq, as it always was.
        let plan = steps(0, &[(0, "r0")]);
        assert_eq!(plan.status, PushStatus::SeqReused { seq: 0 });
    }

    #[test]
    fn a_gap_stops_the_batch_after_what_came_before() {
        let plan = steps(1, &[(2, "r2"), (4, "r4"), (5, "r5")]);
        assert_eq!(plan.steps, vec![Step::Apply]);
        assert_eq!(plan.status, PushStatus::Gap { expected_seq: 3 });
        assert_eq!(plan.last_seq, 2);
    }

    fn response(ward: &str) -> Response {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
            .single()
            .expect("a time");
        let mut response = Response::new_draft(Uuid::from_u128(1), "s", 1, ward, at);
        response.status = ResponseStatus::Completed;
        response
    }

    #[test]
    fn a_submission_is_decided_in_the_order_the_server_checks() {
        let new = response("00004");
        let refusal =
            MutationOutcome::rejected(RefusalCode::InvalidAnswers, Localized::new("sai", "wrong"));
        let nothing = Held::default();
        let stored = |sha256| Held {
            tombstone: None,
            stored_sha256: Some(sha256),
        };
        let tombstone = |ward| Held {
            tombstone: Some(ward),
            stored_sha256: None,
        };
        assert_eq!(submission(&new, nothing, None, "a"), Submit::Store);
        assert_eq!(
            submission(&new, stored("a"), None, "a"),
            Submit::AlreadyStored
        );
        assert_eq!(submission(&new, stored("b"), None, "a"), Submit::Conflict);
        // The rules before what is stored: a retried copy that breaks them
        // is refused, as it always was.
        assert_eq!(
            submission(&new, stored("a"), Some(&refusal), "a"),
            Submit::Refused(refusal.clone())
        );
        // A tombstone before anything else: of any ward or of its own.
        assert_eq!(
            submission(&new, tombstone(None), Some(&refusal), "a"),
            Submit::Withdrawn
        );
        assert_eq!(
            submission(&new, tombstone(Some("00004")), None, "a"),
            Submit::Withdrawn
        );
        // Another ward's tombstone is dropped by the one-by-one path.
        assert_eq!(
            submission(&new, tombstone(Some("00007")), None, "a"),
            Submit::OneByOne
        );
        let mut correction = new.clone();
        correction.corrects = Some(Uuid::from_u128(2));
        assert!(!batched(&MutationChange::SubmitResponse {
            response: correction.clone()
        }));
        assert_eq!(
            submission(&correction, nothing, None, "a"),
            Submit::OneByOne
        );
        assert_eq!(
            submission(&correction, nothing, Some(&refusal), "a"),
            Submit::Refused(refusal.clone())
        );
        let mut withdrawn = new.clone();
        withdrawn.status = ResponseStatus::Withdrawn;
        assert!(!batched(&MutationChange::SubmitResponse {
            response: withdrawn.clone()
        }));
        assert_eq!(submission(&withdrawn, nothing, None, "a"), Submit::OneByOne);
        assert!(batched(&MutationChange::SubmitResponse { response: new }));
    }

    /// A survey whose one question, the day of the visit, must be today.
    fn visit_today() -> SurveyDefinition {
        use crate::survey::{Item, Layout, Question, QuestionKind};
        SurveyDefinition {
            id: "s".to_owned(),
            version: 1,
            title: Localized::new("Thăm", "Visit"),
            description: Localized::default(),
            age_bands: Vec::new(),
            layout: Layout::OneQuestionPerScreen,
            form_version: None,
            languages: Vec::new(),
            instance_name: None,
            items: vec![Item::Question(Question {
                id: "visit".to_owned(),
                label: Localized::new("Ngày thăm", "Day of the visit"),
                required: true,
                kind: QuestionKind::Date,
                constraint: Some(". = today()".to_owned()),
                ..Question::default()
            })],
        }
    }

    #[test]
    fn the_rules_see_today_as_the_day_in_hanoi_the_response_was_completed() {
        use crate::response::{AgeBand, AnswerValue, ConsentMethod, ConsentRecord, Sex};
        let survey = visit_today();
        let engine = FormEngine::compile(&survey).expect("compiles");
        // Completed at 06:30 in Hanoi on 7 December, 23:30 UTC on the 6th,
        // and received any day later.
        let completed = Utc
            .with_ymd_and_hms(2026, 12, 6, 23, 30, 0)
            .single()
            .expect("a time");
        let visited_on = |day: u32| {
            let mut response = Response::new_draft(Uuid::from_u128(2), "s", 1, "00004", completed);
            response.participant.age_band = Some(AgeBand::From10To12);
            response.participant.sex = Some(Sex::Male);
            let consent = Some(ConsentRecord {
                method: ConsentMethod::Verbal,
                given_at: completed,
            });
            response.consent.child_assent = consent;
            response.consent.guardian_consent = consent;
            let day = chrono::NaiveDate::from_ymd_opt(2026, 12, day).expect("a day");
            response.set_answer("visit", Some(AnswerValue::Date(day)), completed);
            response.status = ResponseStatus::Completed;
            response
        };
        assert_eq!(visited_on(7).completed_on().to_string(), "2026-12-07");
        assert_eq!(
            submission_refusal(Some((&survey, &engine)), &visited_on(7)),
            None
        );
        assert!(matches!(
            submission_refusal(Some((&survey, &engine)), &visited_on(6)),
            Some(MutationOutcome::Rejected {
                code: RefusalCode::InvalidAnswers,
                ..
            })
        ));
    }

    #[test]
    fn an_unknown_survey_or_a_draft_is_refused_with_its_code() {
        let unknown = submission_refusal(None, &response("00004"));
        assert!(matches!(
            unknown,
            Some(MutationOutcome::Rejected {
                code: RefusalCode::UnknownSurvey,
                ..
            })
        ));
    }
}
