//! Who was heard against the child population: a city officer enters a
//! ward's children by group, and the results name the groups heard from
//! less than their share — hand-worked figures, age bands, sexes,
//! disability, ethnic groups and special circumstances; a population whose
//! groups do not add up is refused; collectors read nothing.

use chrono::{TimeZone, Utc};
use thamgia_core::api::results::WhoWasHeard;
use thamgia_core::api::townhall::PopulationBody;
use thamgia_core::response::{AgeBand, Disclosure, EthnicGroup, Sex, SpecialCircumstance};
use thamgia_core::results::representation::{
    ChildPopulation, EthnicPopulation, Hearing, PopulationGroup,
};
use thamgia_core::results::suppression::Shown;
use thamgia_core::results::Dimension;
use thamgia_core::{ApiError, MutationChange, Response};
use thamgia_server::seed;
use uuid::Uuid;

mod support;

use support::{server, TestServer};

const SURVEY: &str = "an-toan-truong-hoc-va-vui-choi";
const BA_DINH: &str = "00004";

fn child(n: u128, age_band: AgeBand, sex: Sex, ethnic_group: EthnicGroup) -> Response {
    let at = Utc
        .with_ymd_and_hms(2026, 8, 10, 9, 0, 0)
        .single()
        .expect("valid time");
    let survey = seed::demo_survey().expect("demo survey parses");
    let mut response = seed::sample_response(&survey, Uuid::from_u128(n), n as usize, at);
    response.ward_code = BA_DINH.to_owned();
    response.participant.age_band = Some(age_band);
    response.participant.sex = Some(sex);
    response.participant.disability = Some(Disclosure::No);
    response.participant.ethnic_group = Some(ethnic_group);
    response.participant.special_circumstances = Vec::new();
    response
}

/// 20 children of Ba Đình: aged 10–12, 10 girls and 5 boys; aged 13–15,
/// 5 boys; none aged 7–9; none said they have a disability. The 15 aged
/// 10–12 are Kinh, the 5 aged 13–15 Mường; the 5 boys aged 10–12 live in
/// poor households.
async fn load(server: &TestServer) {
    let mut children = Vec::new();
    for n in 0..10 {
        children.push(child(
            100 + n,
            AgeBand::From10To12,
            Sex::Female,
            EthnicGroup::Kinh,
        ));
    }
    for n in 0..5 {
        let mut poor = child(200 + n, AgeBand::From10To12, Sex::Male, EthnicGroup::Kinh);
        poor.participant.special_circumstances = vec![SpecialCircumstance::PoorHousehold];
        children.push(poor);
        children.push(child(
            300 + n,
            AgeBand::From13To15,
            Sex::Male,
            EthnicGroup::Muong,
        ));
    }
    let token = server.city_token.clone();
    let answer = server
        .push_changes(
            &token,
            children
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

/// 100 girls and 100 boys in each band from 7 to 15; 30 children with a
/// disability (5 %); 480 Kinh, 60 Mường and 60 Dao (80, 10 and 10 %); 60
/// in special circumstances (10 %).
fn population() -> ChildPopulation {
    let mut groups = Vec::new();
    for age_band in [AgeBand::From7To9, AgeBand::From10To12, AgeBand::From13To15] {
        for sex in [Sex::Female, Sex::Male] {
            groups.push(PopulationGroup {
                age_band,
                sex,
                children: 100,
            });
        }
    }
    ChildPopulation {
        groups,
        with_disability: Some(30),
        ethnic_groups: [
            (EthnicGroup::Kinh, 480),
            (EthnicGroup::Muong, 60),
            (EthnicGroup::Dao, 60),
        ]
        .map(|(group, children)| EthnicPopulation { group, children })
        .to_vec(),
        in_special_circumstances: Some(60),
    }
}

async fn heard(server: &TestServer, token: &str) -> (axum::http::StatusCode, Vec<u8>) {
    server
        .get_raw_as(
            token,
            &format!("/api/v1/results/heard?survey={SURVEY}&ward={BA_DINH}&period=2026-Q3"),
        )
        .await
}

#[tokio::test]
async fn the_groups_heard_from_less_than_their_share_are_named() {
    let server = server().await;
    load(&server).await;
    let city = server.city_token.clone();
    // Nothing entered yet: nothing compared.
    let (status, body) = heard(&server, &city).await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let before: WhoWasHeard = serde_json::from_slice(&body).expect("json");
    assert!(before.groups.is_empty());

    let request = axum::http::Request::put(format!("/api/v1/wards/{BA_DINH}/population/2026"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            serde_json::to_vec(&PopulationBody {
                children_7_15: 600,
                groups: Some(population()),
            })
            .expect("serialises"),
        ))
        .expect("request");
    let (status, _) = server.call(request).await;
    assert_eq!(status, axum::http::StatusCode::NO_CONTENT);

    let (status, body) = heard(&server, &city).await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let after: WhoWasHeard = serde_json::from_slice(&body).expect("json");
    assert_eq!(after.populations, vec![(BA_DINH.to_owned(), 2026)]);
    let group = |dimension: Dimension, key: &str| {
        after
            .groups
            .iter()
            .find(|group| group.dimension == dimension && group.group.key == key)
            .unwrap_or_else(|| panic!("no group {key}: {:?}", after.groups))
    };
    // Each band is a third of the children; 7–9 was not heard at all.
    let young = group(Dimension::AgeBand, "7-9");
    assert_eq!(young.heard, Shown::Count(0));
    assert_eq!(young.hearing, Hearing::Under);
    // 10–12: 15 of 20; 13–15: 5 of 20 = 0.25, at least 0.7 × 1/3.
    assert_eq!(group(Dimension::AgeBand, "10-12").heard_share, Some(0.75));
    assert_eq!(group(Dimension::AgeBand, "13-15").hearing, Hearing::Fair);
    // Girls and boys, 10 of 20 each: in proportion.
    assert_eq!(group(Dimension::Sex, "female").heard_share, Some(0.5));
    assert_eq!(group(Dimension::Sex, "male").hearing, Hearing::Fair);
    // No child said they have a disability, against 5 % of the children.
    let disabled = group(Dimension::Disability, "yes");
    assert_eq!(disabled.heard, Shown::Count(0));
    assert_eq!(disabled.hearing, Hearing::Under);
    // Kinh 15 of 20 (75 % against 80 %), Mường 5 of 20 (25 % against
    // 10 %): in proportion; no Dao child heard, against 10 %.
    let kinh = group(Dimension::EthnicGroup, "kinh");
    assert_eq!(
        (kinh.heard, kinh.heard_share),
        (Shown::Count(15), Some(0.75))
    );
    assert_eq!(kinh.hearing, Hearing::Fair);
    assert_eq!(
        group(Dimension::EthnicGroup, "muong").heard_share,
        Some(0.25)
    );
    let dao = group(Dimension::EthnicGroup, "dao");
    assert_eq!((dao.heard, dao.hearing), (Shown::Count(0), Hearing::Under));
    // 5 of 20 in special circumstances (25 %) against 10 %.
    let special = group(Dimension::SpecialCircumstances, "any");
    assert_eq!(special.heard, Shown::Count(5));
    assert_eq!(special.heard_share, Some(0.25));
    assert_eq!(special.hearing, Hearing::Fair);
    // The ward's figures come back to fill the form with.
    assert_eq!(after.entered, Some(population()));
    assert_eq!(after.entered_year, 2026, "the period's year");
}

#[tokio::test]
async fn a_population_that_does_not_add_up_is_refused_and_collectors_read_nothing() {
    let server = server().await;
    let city = server.city_token.clone();
    let (status, error) = server
        .put_as::<_, ApiError>(
            &city,
            &format!("/api/v1/wards/{BA_DINH}/population/2026"),
            &PopulationBody {
                children_7_15: 599,
                groups: Some(population()),
            },
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::BAD_REQUEST);
    assert!(error.message.en.contains("add up to 600"), "{error:?}");
    // More children by ethnic group than children.
    let mut too_many = population();
    too_many.ethnic_groups[0].children = 500;
    let (status, error) = server
        .put_as::<_, ApiError>(
            &city,
            &format!("/api/v1/wards/{BA_DINH}/population/2026"),
            &PopulationBody {
                children_7_15: 600,
                groups: Some(too_many),
            },
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::BAD_REQUEST);
    assert!(error.message.en.contains("ethnic group"), "{error:?}");

    let collector = server.sign_in("badinh").await;
    let (status, _) = heard(&server, &collector).await;
    assert_eq!(status, axum::http::StatusCode::FORBIDDEN);
}
