//! Tests of the audit log's types: action codes and labels, bounded texts,
//! the events of an account change, and the query's filters.

use chrono::NaiveDate;

use super::*;
use crate::account::AccountChange;

fn account(username: &str, role: Role, ward: Option<&str>) -> AccountInfo {
    AccountInfo {
        username: username.to_owned(),
        display_name: "Lê Thu Hà".to_owned(),
        role,
        ward_code: ward.map(str::to_owned),
    }
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
}

#[test]
fn every_action_has_one_code_and_a_label_in_both_languages() {
    let mut codes = std::collections::HashSet::new();
    for action in AuditAction::ALL {
        let code = action.as_str();
        assert!(codes.insert(code), "{code} twice");
        assert_eq!(AuditAction::parse(code), Some(action));
        assert_eq!(code.parse::<AuditAction>(), Ok(action));
        // The serde name is the code.
        assert_eq!(
            serde_json::to_value(action).expect("serialises"),
            serde_json::Value::String(code.to_owned())
        );
        let label = action.label();
        assert!(!label.vi.is_empty() && !label.en.is_empty(), "{code}");
        assert_ne!(label.vi, label.en, "{code} is not translated");
    }
    assert_eq!(AuditAction::parse("drop_table"), None);
    assert_eq!("".parse::<AuditAction>(), Err(UnknownAuditAction));
}

#[test]
fn texts_are_bounded_and_lose_their_control_characters() {
    assert_eq!(bound_text("badinh", MAX_ACTOR_CHARS), "badinh");
    assert_eq!(bound_text("a\nb\tc\u{1b}[2J", 20), "a b c [2J");
    let long = "ư".repeat(MAX_ACTOR_CHARS * 1000);
    let bounded = bound_text(&long, MAX_ACTOR_CHARS);
    assert_eq!(bounded.chars().count(), MAX_ACTOR_CHARS);
    assert!(bounded.ends_with('…'));
    assert_eq!(bound_text(&"x".repeat(10), 10), "x".repeat(10));
    assert_eq!(bound_text("abc", 0), "");

    let attempted = AuditEvent::attempted(
        &format!("  {}", "=".repeat(5000)),
        AuditAction::SignInFailed,
    );
    let actor = attempted.actor.clone().expect("the attempted name");
    assert_eq!(actor.chars().count(), MAX_ACTOR_CHARS);
    assert_eq!(attempted.actor_role, None);

    let event = AuditEvent::new(AuditAction::SignIn)
        .ward(Some(&"9".repeat(100)))
        .target("t".repeat(1000))
        .detail("d\r\n".repeat(1000))
        .bounded();
    assert_eq!(
        event.ward_code.map(|ward| ward.chars().count()),
        Some(MAX_WARD_CHARS)
    );
    assert_eq!(event.target.chars().count(), MAX_TARGET_CHARS);
    assert_eq!(event.detail.chars().count(), MAX_DETAIL_CHARS);
    assert!(!event.detail.contains('\n'));
}

#[test]
fn an_event_by_an_account_names_it_its_role_and_its_ward() {
    let officer = account("badinh.canbo", Role::WardOfficer, Some("00004"));
    let event = AuditEvent::by(&officer, AuditAction::SignOut).target("device");
    assert_eq!(event.actor.as_deref(), Some("badinh.canbo"));
    assert_eq!(event.actor_role, Some(Role::WardOfficer));
    assert_eq!(event.ward_code.as_deref(), Some("00004"));
    assert_eq!(event.target, "device");
    let elsewhere = event.ward(Some("00008"));
    assert_eq!(elsewhere.ward_code.as_deref(), Some("00008"));
    let anonymous = AuditEvent::by_account(None, AuditAction::ResponseWithdrawn);
    assert_eq!((anonymous.actor, anonymous.actor_role), (None, None));
}

#[test]
fn an_account_change_gives_one_event_per_kind_of_change_and_never_the_password() {
    let city = account("thanhpho", Role::CityOfficer, None);
    let after = account("lan", Role::WardOfficer, Some("00008"));
    let check = |change: AccountChange, expected: &[(AuditAction, &str)]| {
        let events = account_change_events(&city, &after, &change);
        let got: Vec<(AuditAction, &str)> = events
            .iter()
            .map(|event| (event.action, event.detail.as_str()))
            .collect();
        assert_eq!(got, expected, "{change:?}");
        for event in &events {
            assert_eq!(event.actor.as_deref(), Some("thanhpho"));
            assert_eq!(event.target, "lan");
            assert_eq!(event.ward_code.as_deref(), Some("00008"));
            if let Some(password) = &change.password {
                assert!(!event.detail.contains(password.as_str()));
            }
        }
    };
    check(
        AccountChange {
            role: Some(Role::WardOfficer),
            ward_code: Some("00008".to_owned()),
            ..AccountChange::default()
        },
        &[(AuditAction::AccountChanged, "role=ward_officer ward=00008")],
    );
    check(
        AccountChange {
            display_name: Some("Lan".to_owned()),
            ..AccountChange::default()
        },
        &[(AuditAction::AccountChanged, "display_name")],
    );
    check(
        AccountChange {
            password: Some("một mật khẩu mới".to_owned()),
            active: Some(false),
            ..AccountChange::default()
        },
        &[
            (AuditAction::PasswordReset, ""),
            (AuditAction::AccountDeactivated, ""),
        ],
    );
    check(
        AccountChange {
            active: Some(true),
            ..AccountChange::default()
        },
        &[(AuditAction::AccountReactivated, "")],
    );
    check(
        AccountChange::default(),
        &[(AuditAction::AccountChanged, "")],
    );
}

#[test]
fn times_are_stored_in_utc_and_shown_in_hanoi() {
    let time = NaiveDate::from_ymd_opt(2026, 8, 15)
        .and_then(|day| day.and_hms_milli_opt(18, 5, 0, 250))
        .expect("a valid time")
        .and_utc();
    let stored = stored_time(time);
    assert_eq!(stored, "2026-08-15T18:05:00.250Z");
    // 18:05 UTC is 01:05 the next day in Hanoi.
    assert_eq!(local_time(&stored), "16/08/2026 01:05");
    let entry = AuditEntry {
        id: 1,
        at: stored,
        actor: None,
        actor_role: None,
        action: AuditAction::SignIn,
        ward_code: None,
        target: String::new(),
        detail: String::new(),
    };
    assert_eq!(entry.local_time(), "16/08/2026 01:05");
    assert_eq!(local_time("not a time"), "not a time");
}

#[test]
fn a_period_is_whole_days_of_hanoi() {
    let query = AuditQuery {
        from: Some(date(2026, 8, 1)),
        to: Some(date(2026, 8, 31)),
        ..AuditQuery::default()
    };
    // Midnight in Hanoi is 17:00 UTC the day before.
    assert_eq!(query.since().as_deref(), Some("2026-07-31T17:00:00.000Z"));
    assert_eq!(query.until().as_deref(), Some("2026-08-31T17:00:00.000Z"));
    let inside = "2026-08-31T16:59:59.999Z";
    let after = "2026-08-31T17:00:00.000Z";
    let until = query.until().expect("an end");
    assert!(inside < until.as_str() && after >= until.as_str());
    assert_eq!(AuditQuery::default().since(), None);
    assert_eq!(AuditQuery::default().until(), None);
}

#[test]
fn queries_are_checked_and_bounded() {
    assert!(AuditQuery::default().check().is_ok());
    let backwards = AuditQuery {
        from: Some(date(2026, 8, 2)),
        to: Some(date(2026, 8, 1)),
        ..AuditQuery::default()
    };
    let problem = backwards.check().expect_err("refused");
    assert!(problem.vi.contains("ngày bắt đầu") && problem.en.contains("start date"));
    let far = AuditQuery {
        from: Some(date(12_000, 1, 1)),
        ..AuditQuery::default()
    };
    assert!(far.check().is_err());
    let long_actor = AuditQuery {
        actor: Some("a".repeat(MAX_ACTOR_CHARS + 1)),
        ..AuditQuery::default()
    };
    assert!(long_actor.check().is_err());
    let odd_ward = AuditQuery {
        ward: Some("00004'; --".to_owned()),
        ..AuditQuery::default()
    };
    assert!(odd_ward.check().is_err());

    assert_eq!(AuditQuery::default().page_size(), DEFAULT_AUDIT_PAGE);
    let huge = AuditQuery {
        limit: Some(u32::MAX),
        ..AuditQuery::default()
    };
    assert_eq!(huge.page_size(), MAX_AUDIT_PAGE);
    assert_eq!(huge.export_size(), MAX_AUDIT_EXPORT_ROWS);
    let zero = AuditQuery {
        limit: Some(0),
        ..AuditQuery::default()
    };
    assert_eq!((zero.page_size(), zero.export_size()), (1, 1));
    assert_eq!(AuditQuery::default().export_size(), MAX_AUDIT_EXPORT_ROWS);
}

#[test]
fn the_query_string_carries_the_filters_encoded() {
    let query = AuditQuery {
        from: Some(date(2026, 8, 1)),
        to: Some(date(2026, 8, 31)),
        action: Some(AuditAction::ExportResponses),
        actor: Some("lan nguyễn&x=1".to_owned()),
        ward: Some("00004".to_owned()),
        before: Some(120),
        limit: Some(50),
    };
    assert_eq!(
        query.filter_string(),
        "from=2026-08-01&to=2026-08-31&action=export_responses&actor=lan%20nguy%E1%BB%85n%26x%3D1&ward=00004"
    );
    assert_eq!(
        query.query_string(),
        format!("{}&before=120&limit=50", query.filter_string())
    );
    assert_eq!(AuditQuery::default().query_string(), "");
    let only_page = AuditQuery {
        before: Some(7),
        ..AuditQuery::default()
    };
    assert_eq!(only_page.query_string(), "before=7");
}

#[test]
fn a_query_reads_from_its_parameters_and_empty_ones_filter_nothing() {
    // The query string's values arrive as strings, as serde_json's string
    // map gives them here.
    let read = |pairs: &[(&str, &str)]| -> Result<AuditQuery, serde_json::Error> {
        let map: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(name, value)| {
                (
                    (*name).to_owned(),
                    serde_json::Value::String((*value).to_owned()),
                )
            })
            .collect();
        serde_json::from_value(serde_json::Value::Object(map))
    };
    let query = read(&[
        ("from", "2026-08-01"),
        ("to", ""),
        ("action", "sign_in_failed"),
        ("actor", " lan "),
        ("ward", ""),
        ("before", "42"),
        ("limit", "10"),
    ])
    .expect("read");
    assert_eq!(
        query,
        AuditQuery {
            from: Some(date(2026, 8, 1)),
            to: None,
            action: Some(AuditAction::SignInFailed),
            actor: Some("lan".to_owned()),
            ward: None,
            before: Some(42),
            limit: Some(10),
        }
    );
    assert_eq!(read(&[]).expect("read"), AuditQuery::default());
    assert!(read(&[("action", "drop_table")]).is_err());
    assert!(read(&[("from", "01/08/2026")]).is_err());
    assert!(read(&[("before", "many")]).is_err());
}
