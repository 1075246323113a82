//! Tests of reading internally tagged enums tag first: every variant of
//! every converted enum reads back what its derived `Serialize` writes,
//! with the tag first, last or in the middle; what serde's derive refused
//! is refused with its messages; unknown fields are skipped; and
//! `serde_path_to_error` still names the field at fault.

use std::collections::BTreeSet;
use std::fmt::Debug;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::TagFirst;
use crate::forum::{AuthorityAnswer, ChildFeedback, Decision, FeedbackChannel, Forum};
use crate::localized::Localized;
use crate::protocol::{
    Change, ChangeEntity, Mutation, MutationChange, MutationOutcome, PullResponse, PushRequest,
    PushStatus, RefusalCode, SCHEMA_VERSION,
};
use crate::report::{
    FieldContent, FieldEdit, FieldKey, Hlc, ReportId, ReportStatus, ReportStatusChange, Stamp,
};
use crate::response::{AgeBand, AnswerValue, Response};
use crate::survey::{Choice, Group, Item, Layout, Question, QuestionKind, SurveyDefinition};

// Samples.

fn now() -> DateTime<Utc> {
    Utc.timestamp_opt(1_790_000_000, 0)
        .single()
        .expect("a valid time")
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("a valid date")
}

fn report_id() -> ReportId {
    "00004:2026-Q4".parse().expect("a valid report id")
}

fn response() -> Response {
    let mut response = Response::new_draft(Uuid::from_u128(1), "play", 2, "00004", now());
    response.set_answer(
        "idea",
        Some(AnswerValue::Text("Thêm sân chơi".to_owned())),
        now(),
    );
    response
}

fn edit() -> FieldEdit {
    FieldEdit {
        report_id: report_id(),
        field: FieldKey::value("4.1"),
        content: FieldContent::Number(42.5),
        stamp: Stamp {
            hlc: Hlc {
                wall_ms: 1_790_000_000_013,
                counter: 2,
            },
            client_id: Uuid::from_u128(0xAB),
        },
        author: "Nguyễn Thị Lan".to_owned(),
        sent_as: None,
    }
}

fn forum() -> Forum {
    Forum::new(Uuid::from_u128(2), "00004", day(), now())
}

fn feedback() -> ChildFeedback {
    ChildFeedback {
        recommendation_id: Uuid::from_u128(3),
        given_on: day(),
        channel: FeedbackChannel::School,
        note: "Các em đã được nghe".to_owned(),
    }
}

fn choices() -> Vec<Choice> {
    let mut walk = Choice::new("walk", Localized::new("Đi bộ", "I walk"));
    walk.columns
        .insert("district".to_owned(), "ba_dinh".to_owned());
    vec![
        walk,
        Choice::new("bus", Localized::new("Xe buýt", "By bus")),
    ]
}

/// One of each kind of question, with and without the fields that may be
/// left out.
fn every_question_kind() -> Vec<QuestionKind> {
    vec![
        QuestionKind::ShortText { max_length: 80 },
        QuestionKind::LongText { max_length: 2_000 },
        QuestionKind::Number {
            min: Some(0.0),
            max: Some(120.5),
            integer: true,
        },
        QuestionKind::Number {
            min: None,
            max: None,
            integer: false,
        },
        QuestionKind::Date,
        QuestionKind::Time,
        QuestionKind::DateTime,
        QuestionKind::Acknowledge,
        QuestionKind::SingleChoice { choices: choices() },
        QuestionKind::MultipleChoice { choices: choices() },
        QuestionKind::YesNo,
        QuestionKind::Smiley {
            points: 5,
            labels: (1..=5)
                .map(|point| Localized::new(format!("Mặt {point}"), format!("Face {point}")))
                .collect(),
            words_from: Some(AgeBand::From13To15),
            dont_know: true,
        },
        QuestionKind::Smiley {
            points: 3,
            labels: Vec::new(),
            words_from: None,
            dont_know: false,
        },
        QuestionKind::Range {
            start: 0.0,
            end: 10.0,
            step: 0.5,
            dont_know: false,
        },
        QuestionKind::Range {
            start: 0.0,
            end: 10.0,
            step: 1.0,
            dont_know: true,
        },
        QuestionKind::Rating {
            points: 7,
            dont_know: false,
        },
        QuestionKind::Rating {
            points: 5,
            dont_know: true,
        },
        QuestionKind::Ranking { choices: choices() },
        QuestionKind::Note,
        QuestionKind::Calculate {
            calculation: "${age} * 12".to_owned(),
        },
    ]
}

fn question(id: &str, kind: QuestionKind) -> Question {
    Question {
        id: id.to_owned(),
        label: Localized::new(format!("Câu {id}"), format!("Question {id}")),
        hint: Some(Localized::new("Gợi ý", "Hint")),
        required: true,
        kind,
        relevant: Some("${age} > 6".to_owned()),
        ..Question::default()
    }
}

fn group(id: &str, repeat_count: Option<&str>, items: Vec<Item>) -> Group {
    Group {
        id: id.to_owned(),
        label: Localized::new("Nhóm", "Group"),
        relevant: None,
        repeat_count: repeat_count.map(str::to_owned),
        field_list: repeat_count.is_none(),
        items,
    }
}

/// One of each item: a question, a group holding every kind of question,
/// and a repeat.
fn every_item() -> Vec<Item> {
    let kinds = every_question_kind()
        .into_iter()
        .enumerate()
        .map(|(index, kind)| Item::Question(question(&format!("q{index}"), kind)))
        .collect();
    vec![
        Item::Question(question("age", QuestionKind::ShortText { max_length: 3 })),
        Item::Group(group("page", None, kinds)),
        Item::Repeat(group(
            "people",
            Some("${children}"),
            vec![Item::Question(question("name", QuestionKind::Note))],
        )),
    ]
}

fn survey() -> SurveyDefinition {
    SurveyDefinition {
        id: "every-kind".to_owned(),
        version: 3,
        title: Localized::new("Mọi loại câu hỏi", "Every kind of question"),
        description: Localized::default(),
        age_bands: vec![AgeBand::From10To12],
        layout: Layout::PagePerGroup,
        form_version: Some("2026120501".to_owned()),
        languages: Vec::new(),
        instance_name: None,
        items: every_item(),
    }
}

fn every_mutation_change() -> Vec<MutationChange> {
    vec![
        MutationChange::SubmitResponse {
            response: response(),
        },
        MutationChange::WithdrawResponse {
            response_id: Uuid::from_u128(1),
            withdrawn_at: now(),
        },
        MutationChange::EditReportField { edit: edit() },
        MutationChange::ChangeReportStatus {
            change: ReportStatusChange {
                report_id: report_id(),
                from: ReportStatus::Draft,
                to: ReportStatus::Submitted,
            },
        },
        MutationChange::SubmitForum { forum: forum() },
        MutationChange::RecordFeedback {
            feedback: feedback(),
        },
    ]
}

fn every_change_entity() -> Vec<ChangeEntity> {
    vec![
        ChangeEntity::Survey { survey: survey() },
        ChangeEntity::ResponseWithdrawn {
            response_id: Uuid::from_u128(1),
        },
        ChangeEntity::ResponseAccepted {
            response_id: Uuid::from_u128(2),
        },
        ChangeEntity::ReportFieldEdited { edit: edit() },
        ChangeEntity::ForumStored { forum: forum() },
        ChangeEntity::RecommendationAnswered {
            answer: AuthorityAnswer {
                recommendation_id: Uuid::from_u128(3),
                decision: Decision::Partly,
                reasons: "Ngân sách năm sau".to_owned(),
                actions: "Lắp đèn".to_owned(),
                answered_on: day(),
            },
        },
        ChangeEntity::FeedbackRecorded {
            feedback: feedback(),
        },
        ChangeEntity::ReportStatusChanged {
            report_id: report_id(),
            status: ReportStatus::Approved,
        },
    ]
}

fn every_push_status() -> Vec<PushStatus> {
    vec![
        PushStatus::Ok,
        PushStatus::Gap { expected_seq: 41 },
        PushStatus::SeqReused { seq: 7 },
    ]
}

fn every_mutation_outcome() -> Vec<MutationOutcome> {
    let message = Localized::new("Lý do", "Why");
    vec![
        MutationOutcome::Applied,
        MutationOutcome::AlreadyStored,
        MutationOutcome::Conflict {
            message: message.clone(),
        },
        MutationOutcome::Rejected {
            code: RefusalCode::UnknownWard,
            message,
        },
        MutationOutcome::Withdrawn,
    ]
}

// Helpers.

/// A JSON object's entries in the order they are written (a
/// `serde_json::Value` would sort them); the values inside as `Value`s.
struct Entries(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Entries, D::Error> {
        struct EntriesVisitor;

        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries: Vec<(String, Value)> = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }

        deserializer.deserialize_map(EntriesVisitor)
    }
}

fn entries_of(text: &str) -> Vec<(String, Value)> {
    let Entries(entries) = serde_json::from_str(text).expect("an object");
    entries
}

fn text_of(entries: &[(String, Value)]) -> String {
    let written: Vec<String> = entries
        .iter()
        .map(|(key, value)| format!("{}:{value}", Value::from(key.as_str())))
        .collect();
    format!("{{{}}}", written.join(","))
}

fn read<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("{error} in {text}"))
}

fn refusal<T: DeserializeOwned + Debug>(text: &str) -> String {
    match serde_json::from_str::<T>(text) {
        Ok(value) => panic!("{text} read as {value:?}"),
        Err(error) => error.to_string(),
    }
}

/// Checks that `samples` hold every variant of `T`, and that each is
/// written with its tag first, naming its variant, and reads back the same
/// with the tag first, last, or after the first field.
fn check_round_trips<T>(samples: &[T])
where
    T: TagFirst + Serialize + DeserializeOwned + PartialEq + Debug,
{
    let covered: BTreeSet<&str> = samples.iter().map(|value| value.wire_name()).collect();
    let every: BTreeSet<&str> = T::VARIANTS.iter().copied().collect();
    assert_eq!(covered, every, "the samples of {}", T::NAME);
    for value in samples {
        let written = serde_json::to_string(value).expect("serialises");
        let entries = entries_of(&written);
        assert_eq!(entries[0].0, T::TAG, "{written}");
        assert_eq!(entries[0].1, Value::from(value.wire_name()), "{written}");
        assert_eq!(&read::<T>(&written), value, "{written}");

        let mut tag_last = entries.clone();
        let tag = tag_last.remove(0);
        tag_last.push(tag.clone());
        assert_eq!(&read::<T>(&text_of(&tag_last)), value);

        let mut tag_in_the_middle = entries[1..].to_vec();
        tag_in_the_middle.insert(tag_in_the_middle.len().min(1), tag);
        assert_eq!(&read::<T>(&text_of(&tag_in_the_middle)), value);
    }
}

// Round trips.

#[test]
fn every_mutation_change_reads_back_wherever_its_tag_is() {
    check_round_trips(&every_mutation_change());
}

#[test]
fn every_change_entity_reads_back_wherever_its_tag_is() {
    check_round_trips(&every_change_entity());
}

#[test]
fn every_push_status_reads_back_wherever_its_tag_is() {
    check_round_trips(&every_push_status());
}

#[test]
fn every_mutation_outcome_reads_back_wherever_its_tag_is() {
    check_round_trips(&every_mutation_outcome());
}

#[test]
fn every_item_reads_back_wherever_its_tag_is() {
    check_round_trips(&every_item());
}

#[test]
fn every_question_kind_reads_back_wherever_its_tag_is() {
    check_round_trips(&every_question_kind());
}

#[test]
fn a_survey_reads_the_same_with_every_object_s_keys_sorted() {
    // A `Value` sorts keys: `id` comes before `item`, `choices` before
    // `type`, so every item and kind below the top takes the slower path.
    for text in [
        serde_json::to_string(&survey()).expect("serialises"),
        include_str!("../../../thamgia-server/seed/survey-school-safety-play.json").to_owned(),
    ] {
        let direct: SurveyDefinition = read(&text);
        let sorted: Value = read(&text);
        assert_eq!(read::<SurveyDefinition>(&sorted.to_string()), direct);
    }
}

// What the derive refused, and what it skipped.

#[test]
fn an_unknown_tag_is_refused_wherever_it_is() {
    for text in [
        r#"{"type":"launch","seq":1}"#,
        r#"{"seq":1,"type":"launch"}"#,
    ] {
        let message = refusal::<PushStatus>(text);
        assert!(
            message
                .starts_with("unknown variant `launch`, expected one of `ok`, `gap`, `seq_reused`"),
            "{message}"
        );
    }
    let message = refusal::<Item>(r#"{"item":"page","id":"a"}"#);
    assert!(message.starts_with("unknown variant `page`"), "{message}");
}

#[test]
fn a_missing_tag_is_refused() {
    for text in ["{}", r#"{"seq":1}"#, r#"{"seq":1,"kind":"gap"}"#] {
        let message = refusal::<PushStatus>(text);
        assert!(message.starts_with("missing field `type`"), "{message}");
    }
    let message = refusal::<Item>(r#"{"id":"a","label":{"vi":"","en":""}}"#);
    assert!(message.starts_with("missing field `item`"), "{message}");
}

#[test]
fn a_repeated_tag_is_refused_wherever_it_is() {
    for text in [
        r#"{"type":"gap","expected_seq":3,"type":"gap"}"#,
        r#"{"type":"gap","type":"ok"}"#,
        r#"{"type":"ok","type":"ok"}"#,
        r#"{"expected_seq":3,"type":"gap","type":"gap"}"#,
    ] {
        let message = refusal::<PushStatus>(text);
        assert!(message.starts_with("duplicate field `type`"), "{message}");
    }
    let message = refusal::<Item>(
        r#"{"item":"question","id":"a","item":"group","label":{"vi":"","en":""},"kind":{"type":"note"}}"#,
    );
    assert!(message.starts_with("duplicate field `item`"), "{message}");
}

#[test]
fn what_is_not_an_object_is_refused_as_the_derive_did() {
    let message = refusal::<PushStatus>("5");
    assert!(
        message
            .starts_with("invalid type: integer `5`, expected internally tagged enum PushStatus"),
        "{message}"
    );
    let message = refusal::<PushStatus>(r#"{"type":5}"#);
    assert!(
        message.starts_with("invalid type: integer `5`, expected variant identifier"),
        "{message}"
    );
}

#[test]
fn a_field_the_variant_lacks_is_refused_by_its_name() {
    for text in [r#"{"type":"gap"}"#, r#"{"seq":1,"type":"gap"}"#] {
        let message = refusal::<PushStatus>(text);
        assert!(
            message.starts_with("missing field `expected_seq`"),
            "{message}"
        );
    }
}

#[test]
fn unknown_fields_are_skipped_as_before() {
    for text in [
        r#"{"type":"gap","expected_seq":3,"note":{"a":[1,2]}}"#,
        r#"{"note":"x","expected_seq":3,"type":"gap"}"#,
    ] {
        assert_eq!(
            read::<PushStatus>(text),
            PushStatus::Gap { expected_seq: 3 }
        );
    }
    for text in [
        r#"{"type":"ok","note":[1,{"b":null}]}"#,
        r#"{"note":true,"type":"ok"}"#,
    ] {
        assert_eq!(read::<PushStatus>(text), PushStatus::Ok);
    }
    let item: Item = read(
        r#"{"item":"question","id":"a","colour":"red","label":{"vi":"A","en":"A"},"kind":{"type":"yes_no","scale":2}}"#,
    );
    assert_eq!(
        item,
        Item::Question(Question {
            id: "a".to_owned(),
            label: Localized::new("A", "A"),
            kind: QuestionKind::YesNo,
            ..Question::default()
        })
    );
}

#[test]
fn a_field_s_default_still_applies() {
    // An older server's refusal, without a code.
    let outcome: MutationOutcome = read(r#"{"type":"rejected","message":{"vi":"x","en":"y"}}"#);
    assert_eq!(
        outcome,
        MutationOutcome::Rejected {
            code: RefusalCode::Unspecified,
            message: Localized::new("x", "y"),
        }
    );
}

#[test]
fn an_error_on_the_slower_path_gives_only_the_input_s_position() {
    let text = r#"{"expected_seq":"three","type":"gap"}"#;
    let message = refusal::<PushStatus>(text);
    assert!(
        message.starts_with(r#"invalid type: string "three", expected u64 at line 1 column"#),
        "{message}"
    );
    assert_eq!(message.matches(" at line ").count(), 1, "{message}");
}

// Paths to errors, as the server reports them for a push.

fn path_to_error<T: DeserializeOwned>(text: &str) -> String {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(_) => panic!("{text} was read"),
        Err(error) => error.path().to_string(),
    }
}

fn push(change: MutationChange) -> String {
    serde_json::to_string(&PushRequest {
        client_id: Uuid::from_u128(0xF0),
        schema_version: SCHEMA_VERSION,
        mutations: vec![Mutation { seq: 1, change }],
    })
    .expect("serialises")
}

#[test]
fn the_path_to_an_error_goes_into_the_variant_s_fields() {
    let text = push(MutationChange::SubmitResponse {
        response: response(),
    })
    .replacen(r#""survey_version":2"#, r#""survey_version":"two""#, 1);
    assert_eq!(
        path_to_error::<PushRequest>(&text),
        "mutations[0].change.response.survey_version"
    );

    let text = push(MutationChange::WithdrawResponse {
        response_id: Uuid::from_u128(1),
        withdrawn_at: now(),
    })
    .replacen("withdraw_response", "withdraw_everything", 1);
    assert_eq!(
        path_to_error::<PushRequest>(&text),
        "mutations[0].change.type"
    );

    let page = PullResponse {
        changes: vec![Change {
            seq: 1,
            entity: ChangeEntity::Survey { survey: survey() },
        }],
        next_cursor: 1,
        has_more: false,
        reset_required: false,
        next_cursor_token: None,
        server_time_ms: None,
    };
    let text = serde_json::to_string(&page).expect("serialises").replacen(
        r#""points":7"#,
        r#""points":"seven""#,
        1,
    );
    // The rating is the sixteenth question of the group, the second item.
    assert_eq!(
        path_to_error::<PullResponse>(&text),
        "changes[0].entity.survey.items[1].items[15].kind.points"
    );
}

#[test]
fn the_path_to_an_error_stops_at_the_enum_when_the_tag_is_not_first() {
    let text = format!(
        r#"{{"client_id":"{client}","schema_version":{SCHEMA_VERSION},"mutations":[{{"seq":1,"change":{{"withdrawn_at":"not a time","response_id":"{response}","type":"withdraw_response"}}}}]}}"#,
        client = Uuid::from_u128(0xF0),
        response = Uuid::from_u128(1),
    );
    assert_eq!(path_to_error::<PushRequest>(&text), "mutations[0].change");
}

#[test]
fn every_enum_s_tag_is_written_first_when_an_object_is_rewritten() {
    for tag in [
        MutationChange::TAG,
        ChangeEntity::TAG,
        PushStatus::TAG,
        MutationOutcome::TAG,
        Item::TAG,
        QuestionKind::TAG,
    ] {
        assert!(super::TAGS.contains(&tag), "{tag} is not in TAGS");
    }
    // Sorted by `Value`, then written with the tags first at every level.
    let nested: Value =
        serde_json::from_str(r#"{"b":1,"item":"x","a":{"z":[{"q":2,"type":"t"}],"type":"y"}}"#)
            .expect("JSON");
    let mut text = Vec::new();
    super::write_value(&mut text, &nested).expect("written");
    assert_eq!(
        String::from_utf8(text).expect("UTF-8"),
        r#"{"item":"x","a":{"type":"y","z":[{"type":"t","q":2}]},"b":1}"#
    );
}
