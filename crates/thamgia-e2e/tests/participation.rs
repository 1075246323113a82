//! The town hall's participation in Chromium, read through the real
//! server: two surveys heard from Ba Đình's children this quarter, 6 and
//! 4 of them. Answers are anonymous, so the 10 consultations may count a
//! child twice; the card shows them, and under them the most one survey
//! heard from: at least 6 different children, 6 % of the ward's 100.
//! Four of the children said it was their first consultation this year,
//! two that it was not, one did not remember and three were not asked:
//! the card shows 4 children for the first time this year, 4 %, and 4
//! consultations not known to be either. A children's forum of the ward,
//! today, heard 32 children aged 7 and over (and 5 younger): shown beside
//! the consultations, never added to them.

use anyhow::Result;
use chrono::{Datelike, Utc};
use thamgia_core::forum::{Forum, ParticipantCount};
use thamgia_core::{
    AgeBand, HeardBefore, Mutation, MutationChange, PushRequest, Sex, SCHEMA_VERSION,
};
use thamgia_e2e::*;
use thamgia_server::seed;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_town_hall_sees_the_consultations_and_at_least_how_many_children() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;

    // A second survey beside the demo one; 6 children aged 10–12 answer
    // the first, 4 the second, all in Ba Đình, now.
    let first = seed::demo_survey()?;
    let mut second = first.clone();
    second.id = "khao-sat-thu-hai".to_owned();
    let now = Utc::now();
    server.database.publish_survey(&second, now).await?;
    let mutations = (0..10u64)
        .map(|n| {
            let survey = if n < 6 { &first } else { &second };
            let mut response = seed::sample_response(
                survey,
                Uuid::from_u128(0x7000 + u128::from(n)),
                n as usize,
                now,
            );
            response.ward_code = "00004".to_owned();
            response.participant.age_band = Some(AgeBand::From10To12);
            response.participant.heard_before = match n {
                0..=2 | 6 => Some(HeardBefore::FirstTime),
                3 | 7 => Some(HeardBefore::Again),
                4 => Some(HeardBefore::Unsure),
                _ => None,
            };
            Mutation {
                seq: n + 1,
                change: MutationChange::SubmitResponse { response },
            }
        })
        .collect::<Vec<_>>();
    let mut forum = Forum::new(Uuid::from_u128(0xF0), "00004", now.date_naive(), now);
    forum.place = "Nhà văn hóa".to_owned();
    forum.adult_supporters = 8;
    forum.consents_collected = 37;
    forum.participants = [(AgeBand::From10To12, 32), (AgeBand::Under7, 5)]
        .into_iter()
        .map(|(age_band, count)| ParticipantCount {
            age_band,
            sex: Sex::NotStated,
            count,
        })
        .collect();
    forum.submitted = true;
    let mut mutations = mutations;
    mutations.push(Mutation {
        seq: 11,
        change: MutationChange::SubmitForum { forum },
    });
    server
        .database
        .push(
            &PushRequest {
                client_id: Uuid::from_u128(0xB1),
                schema_version: SCHEMA_VERSION,
                mutations,
            },
            now,
        )
        .await?;
    server
        .database
        .set_child_population("00004", now.year(), 100, None, now)
        .await?;

    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;
    sign_in(&page, "thanhpho", DEMO_PASSWORD).await?;
    open_townhall(&page).await?;
    const ROW: &str = "[data-test=participation-row][data-code='00004']";
    wait_for(
        &page,
        "Ba Đình's 10 consultations, at least 6 children",
        &format!(
            "(document.querySelector({}) || {{}}).textContent?.includes('6')",
            selector_literal(&format!("{ROW} [data-test=participation-at-least]"))
        ),
    )
    .await?;
    let consulted = text_of(&page, &format!("{ROW} [data-test=consulted]")).await?;
    assert!(consulted.starts_with("10"), "{consulted}");
    let share = text_of(
        &page,
        &format!("{ROW} [data-test=participation-at-least-percent]"),
    )
    .await?;
    assert!(share.contains('6') && share.contains('%'), "{share}");
    // The children heard for the first time this year, as they said.
    let first_time = text_of(
        &page,
        &format!("{ROW} [data-test=participation-first-time]"),
    )
    .await?;
    assert_eq!(first_time, "4 em lần đầu trong năm");
    let unknown = text_of(
        &page,
        &format!("{ROW} [data-test=participation-first-time-unknown]"),
    )
    .await?;
    assert_eq!(unknown, "4 lượt chưa rõ");
    let first_share = text_of(
        &page,
        &format!("{ROW} [data-test=participation-first-time-percent]"),
    )
    .await?;
    assert!(
        first_share.starts_with('4') && first_share.contains('%'),
        "{first_share}"
    );
    let forum_children = text_of(
        &page,
        &format!("{ROW} [data-test=participation-forum-children]"),
    )
    .await?;
    assert_eq!(forum_children, "32 em từ 7 tuổi ở diễn đàn");
    // The whole city under the wards: only Ba Đình has children entered,
    // so the shares are over its 100 children.
    let city = |test: &str| {
        let selector = format!("[data-test=participation-city] [data-test={test}]");
        let page = &page;
        async move { text_of(page, &selector).await }
    };
    assert_eq!(
        city("city-wards-counted").await?,
        "tỷ lệ tính trên 1/126 phường/xã có số trẻ em"
    );
    assert!(city("city-consulted").await?.starts_with("10"));
    assert_eq!(city("city-first-time").await?, "4 em lần đầu trong năm");
    assert_eq!(
        city("city-forum-children").await?,
        "32 em từ 7 tuổi ở diễn đàn"
    );
    assert_eq!(city("city-population").await?, "100");
    assert!(city("city-percent").await?.starts_with("10"));
    assert!(city("city-first-time-percent").await?.starts_with('4'));
    // The same figures, downloaded through the export card's link.
    let href: String = js(
        &page,
        "document.querySelector('[data-test=export-participation]').getAttribute('href')",
    )
    .await?;
    assert!(
        href.starts_with("/api/v1/export/participation.csv?period="),
        "{href}"
    );
    let csv = String::from_utf8(download_as_city_officer(&page, &href).await?)?;
    let ba_dinh = csv
        .lines()
        .find(|line| line.starts_with("00004,"))
        .unwrap_or_default();
    // Code, name, period, 10 responses, 10 consultations, 6 the largest
    // survey, 4 for the first time, 2 again, 4 not known, 32 at the forum,
    // 100 children, 10 %, 4 %.
    let fields: Vec<&str> = ba_dinh.split(',').collect();
    assert_eq!(
        fields.get(3..13),
        Some(&["10", "10", "6", "4", "2", "4", "32", "100", "10.00", "4.00"][..]),
        "{ba_dinh}"
    );
    // The card says what it counts.
    let intro = text_of(&page, "[data-test=participation-card]").await?;
    assert!(intro.contains("hai lần"), "{intro}");

    close_browser(browser, events).await?;
    server.stop().await
}
