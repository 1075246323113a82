//! The push's scope rules as tables: each case a mutation, an account and
//! the facts the server read, and the decision expected.

use chrono::{NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::account::Role;
use crate::forum::{ChildFeedback, FeedbackChannel};
use crate::report::{
    FieldContent, FieldEdit, FieldKey, Hlc, Period, PeriodKind, ReportId, ReportStatusChange, Stamp,
};

fn account(role: Role, ward: Option<&str>) -> AccountInfo {
    AccountInfo {
        username: "someone".to_owned(),
        display_name: "Someone".to_owned(),
        role,
        ward_code: ward.map(str::to_owned),
    }
}

fn report(ward: &str) -> ReportId {
    let period = Period::new(2026, PeriodKind::Quarter(1)).expect("a period");
    ReportId::new(ward, period).expect("a report id")
}

fn edit(ward: &str) -> MutationChange {
    MutationChange::EditReportField {
        edit: FieldEdit {
            report_id: report(ward),
            field: FieldKey::value("4.1"),
            content: FieldContent::Number(3.0),
            stamp: Stamp {
                hlc: Hlc {
                    wall_ms: 1,
                    counter: 0,
                },
                client_id: Uuid::nil(),
            },
            author: String::new(),
            sent_as: None,
        },
    }
}

fn status(ward: &str, from: ReportStatus, to: ReportStatus) -> MutationChange {
    MutationChange::ChangeReportStatus {
        change: ReportStatusChange {
            report_id: report(ward),
            from,
            to,
        },
    }
}

fn withdrawal() -> MutationChange {
    MutationChange::WithdrawResponse {
        response_id: Uuid::from_u128(1),
        withdrawn_at: Utc.timestamp_opt(0, 0).single().expect("a time"),
    }
}

fn feedback() -> MutationChange {
    MutationChange::RecordFeedback {
        feedback: ChildFeedback {
            recommendation_id: Uuid::from_u128(2),
            given_on: NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date"),
            channel: FeedbackChannel::Meeting,
            note: String::new(),
        },
    }
}

/// What a refusal is about, enough to tell the rules apart.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Decision {
    Allowed,
    OtherWard,
    OfficersOnly,
    CityOnly,
}

fn decision(refusal: Option<Refusal>) -> Decision {
    match refusal.map(|refusal| refusal.code) {
        None => Decision::Allowed,
        Some(RefusalCode::OtherWard) => Decision::OtherWard,
        Some(RefusalCode::CityOfficersOnly) => Decision::CityOnly,
        Some(RefusalCode::WardOfficersOnly) => Decision::OfficersOnly,
        Some(code) => panic!("an unexpected refusal: {code:?}"),
    }
}

/// A case's input: who sends what, and the ward the server read for it.
type Input<'a> = (&'a AccountInfo, &'a MutationChange, Option<&'a str>);

fn check((account, change, looked_up): Input<'_>, expected: Decision) {
    let got = decision(out_of_scope(account, change, looked_up));
    assert_eq!(
        got,
        expected,
        "{:?} sending {} (looked up: {looked_up:?})",
        account.role,
        change.kind()
    );
}

#[test]
fn an_account_sends_only_what_its_ward_and_role_allow() {
    use Decision::*;
    use ReportStatus::*;
    let collector = account(Role::Collector, Some("00004"));
    let officer = account(Role::WardOfficer, Some("00004"));
    let city = account(Role::CityOfficer, None);
    let cases: &[(Input<'_>, Decision)] = &[
        ((&collector, &edit("00004"), None), OfficersOnly),
        ((&officer, &edit("00004"), None), Allowed),
        ((&officer, &edit("00007"), None), OtherWard),
        ((&city, &edit("00007"), None), Allowed),
        (
            (&officer, &status("00004", Draft, Submitted), None),
            Allowed,
        ),
        (
            (&collector, &status("00004", Draft, Submitted), None),
            OfficersOnly,
        ),
        (
            (&officer, &status("00004", Submitted, Approved), None),
            CityOnly,
        ),
        (
            (&officer, &status("00007", Draft, Submitted), None),
            OtherWard,
        ),
        (
            (&city, &status("00004", Submitted, Approved), None),
            Allowed,
        ),
        ((&collector, &withdrawal(), Some("00004")), Allowed),
        ((&collector, &withdrawal(), Some("00007")), OtherWard),
        // A response the server knows nothing of is not refused for its ward.
        ((&collector, &withdrawal(), None), Allowed),
        ((&collector, &feedback(), Some("00007")), OtherWard),
        ((&officer, &feedback(), Some("00004")), Allowed),
        ((&city, &feedback(), Some("00007")), Allowed),
    ];
    for &(input, expected) in cases {
        check(input, expected);
    }
}

#[test]
fn a_record_names_its_ward_or_says_what_to_read() {
    for (change, ward, lookup) in [
        (edit("00004"), Some("00004"), WardLookup::Named),
        (
            status("00007", ReportStatus::Draft, ReportStatus::Submitted),
            Some("00007"),
            WardLookup::Named,
        ),
        (withdrawal(), None, WardLookup::Response(Uuid::from_u128(1))),
        (
            feedback(),
            None,
            WardLookup::Recommendation(Uuid::from_u128(2)),
        ),
    ] {
        assert_eq!(mutation_ward(&change).as_deref(), ward, "{}", change.kind());
        assert_eq!(ward_lookup(&change), lookup, "{}", change.kind());
    }
}

#[test]
fn only_wards_in_force_are_accepted() {
    let known = |ward: &str| ward == "00004";
    assert_eq!(unknown_ward(&edit("00004"), known), None);
    let refusal = unknown_ward(&edit("99999"), known).expect("refused");
    assert_eq!(refusal.code, RefusalCode::UnknownWard);
    let message = refusal.message;
    assert!(message.en.contains("“99999”"), "{}", message.en);
    assert!(message.vi.contains("“99999”"), "{}", message.vi);
    // A record that does not name its ward is not refused here.
    assert_eq!(unknown_ward(&withdrawal(), known), None);
}
