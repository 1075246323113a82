//! The counts the database keeps so that the town hall reads them instead
//! of counting responses (migrations 0020, 0025, 0026, 0029): each ward's participation by
//! day of Hanoi's calendar (the overview) and each survey's responses (the export's audit
//! entry). Whatever writes the responses — pushes stored as batches or
//! one by one, corrections that supersede a version, withdrawals that
//! delete every version, a response sent again — the overview's
//! participation of every period is what counting the responses gave, the
//! query it ran before kept here as the oracle, and each survey's count is
//! its responses counted. On SQLite, and on PostgreSQL in the PostgreSQL
//! pass (`THAMGIA_TEST_POSTGRES_URL`).

mod support;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use sqlx::{AnyConnection, Connection, Row};
use support::{push_changes, submit};
use thamgia_core::report::Period;
use thamgia_core::{AgeBand, MutationChange, MutationOutcome, Response, SurveyDefinition};
use thamgia_server::townhall::Participation;
use thamgia_server::{seed, Database};
use uuid::Uuid;

const TABLET: Uuid = Uuid::from_u128(0xC0_0B7);

/// How the overview counted each ward's participation in a period before
/// the counts were kept, with the period's days those of Hanoi's calendar
/// (migration 0029): the responses that count created from midnight in
/// Hanoi on the period's first day (17:00 UTC the day before, `created_at`
/// compared as text) to midnight on the first day after it; by survey, for the most one survey heard from; of the
/// children of 7 and over, those who said it was their first consultation
/// this year, and those who said it was not.
const COUNTED_FROM_RESPONSES: &str = "SELECT ward_code, survey_id, COUNT(*) AS responses,
        CAST(SUM(CASE WHEN age_band IN ('7-9', '10-12', '13-15') THEN 1 ELSE 0 END) AS BIGINT) AS older,
        CAST(SUM(CASE WHEN age_band IN ('7-9', '10-12', '13-15') AND heard_before = 'first_time'
                 THEN 1 ELSE 0 END) AS BIGINT) AS first_time,
        CAST(SUM(CASE WHEN age_band IN ('7-9', '10-12', '13-15') AND heard_before = 'again'
                 THEN 1 ELSE 0 END) AS BIGINT) AS again
     FROM responses
     WHERE superseded_by IS NULL AND created_at >= $1 AND created_at < $2
     GROUP BY ward_code, survey_id";

/// A fresh database on the backend under test, with what must live as
/// long as it, and its URL for the oracle's own connection.
struct Store {
    database: Database,
    url: String,
    _postgres: Option<support::PostgresDatabase>,
    _directory: tempfile::TempDir,
}

async fn store() -> Store {
    let directory = tempfile::tempdir().expect("a folder");
    let postgres = support::PostgresDatabase::create_if_configured().await;
    let url = match &postgres {
        Some(postgres) => postgres.url.clone(),
        None => format!(
            "sqlite://{}?mode=rwc",
            directory.path().join("counts.sqlite3").display()
        ),
    };
    let database = Database::connect(&url)
        .await
        .expect("connected and migrated");
    Store {
        database,
        url,
        _postgres: postgres,
        _directory: directory,
    }
}

/// Numbers that look random and are the same at every run (SplitMix64).
struct Dice(u64);

impl Dice {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % bound.max(1)
    }
}

fn at(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, second)
        .single()
        .expect("a time")
}

/// Instants at the edges the day of `created_at` must fall on the right
/// side of: midnight in Hanoi (17:00 UTC the day before) at the start of a
/// quarter and the millisecond before it, and midnight UTC, which is 07:00
/// in Hanoi, inside the quarter.
fn edges() -> Vec<DateTime<Utc>> {
    let last_millisecond = Duration::milliseconds(1);
    vec![
        at(2026, 4, 1, 0, 0, 0) - last_millisecond,
        at(2026, 4, 1, 0, 0, 0),
        at(2026, 3, 31, 17, 0, 0),
        at(2026, 3, 31, 17, 0, 0) - last_millisecond,
        at(2026, 6, 30, 17, 0, 0) - last_millisecond,
        at(2026, 7, 1, 0, 0, 0) - last_millisecond,
        at(2026, 7, 1, 0, 0, 0),
        at(2026, 6, 30, 17, 0, 0),
        at(2026, 10, 1, 0, 0, 0) - last_millisecond,
        at(2026, 10, 1, 0, 0, 0),
        at(2026, 5, 15, 0, 0, 0),
        at(2026, 5, 15, 23, 59, 59) + Duration::milliseconds(999),
    ]
}

/// A response to `survey` from `ward`, created `created_at`; `n` chooses
/// its age band and answers.
fn response(survey: &SurveyDefinition, n: u64, ward: &str, created_at: DateTime<Utc>) -> Response {
    let mut response = seed::sample_response(
        survey,
        Uuid::from_u128(0x5000_0000 + u128::from(n)),
        n as usize,
        created_at,
    );
    response.ward_code = ward.to_owned();
    response
}

/// The periods compared: every quarter and half of 2026, the year, and
/// the quarters either side of it.
fn periods() -> Vec<Period> {
    let mut periods = vec![
        Period::quarter(2025, 4).expect("a quarter"),
        Period::quarter(2027, 1).expect("a quarter"),
        Period::whole_year(2026).expect("a year"),
    ];
    for quarter in 1..=4 {
        periods.push(Period::quarter(2026, quarter).expect("a quarter"));
    }
    for half in 1..=2 {
        periods.push(Period::half(2026, half).expect("a half"));
    }
    periods
}

/// The participation of `period` as counting the responses gave it:
/// every ward with a population that year, and every ward with a response
/// that counts in the period.
async fn counted(
    oracle: &mut AnyConnection,
    period: Period,
    populations: &BTreeMap<String, u64>,
) -> BTreeMap<String, (u64, Participation)> {
    let (start, end) = period.dates();
    let hanoi_midnight = |day: chrono::NaiveDate| {
        (day.and_time(chrono::NaiveTime::MIN) - Duration::hours(7))
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    };
    let rows = sqlx::query(COUNTED_FROM_RESPONSES)
        .bind(hanoi_midnight(start))
        .bind(hanoi_midnight(end))
        .fetch_all(&mut *oracle)
        .await
        .expect("counted");
    let mut expected = BTreeMap::new();
    if period.year() == 2026 {
        for (ward, population) in populations {
            expected.insert(ward.clone(), (0, Participation::new(0, Some(*population))));
        }
    }
    let mut by_ward: BTreeMap<String, (u64, u64, u64, u64, u64)> = BTreeMap::new();
    for row in rows {
        let ward: String = row.get("ward_code");
        let count = |column: &str| row.get::<i64, _>(column).max(0) as u64;
        let older = count("older");
        let counted = by_ward.entry(ward).or_default();
        counted.0 += count("responses");
        counted.1 += older;
        counted.2 = counted.2.max(older);
        counted.3 += count("first_time");
        counted.4 += count("again");
    }
    for (ward, (responses, older, largest, first_time, again)) in by_ward {
        let population = if period.year() == 2026 {
            populations.get(&ward).copied()
        } else {
            None
        };
        expected.insert(
            ward,
            (
                responses,
                Participation::by_surveys(older, largest, population)
                    .heard_before(first_time, again),
            ),
        );
    }
    expected
}

/// The overview's participation of every period and each survey's count
/// against counting the responses; returns how many responses counted in
/// 2026 and how many of them were of children under 7.
async fn assert_counts_agree(
    store: &Store,
    surveys: &[&SurveyDefinition],
    populations: &BTreeMap<String, u64>,
    when: &str,
) -> (u64, u64) {
    let units = seed::hanoi_units().expect("units");
    let catalogue = seed::indicator_catalogue().expect("catalogue");
    let mut oracle = AnyConnection::connect(&store.url)
        .await
        .expect("the oracle connects");
    let mut year = (0, 0);
    for period in periods() {
        let expected = counted(&mut oracle, period, populations).await;
        let kept = store
            .database
            .participation(period)
            .await
            .expect("participation read");
        assert_eq!(kept, expected, "{period}, {when}");
        let overview = store
            .database
            .overview(period, &units, &catalogue)
            .await
            .expect("overview read");
        for ward in &overview.wards {
            let expected = expected
                .get(&ward.code)
                .cloned()
                .unwrap_or((0, Participation::new(0, None)));
            assert_eq!(
                (ward.responses, ward.participation.clone()),
                expected,
                "{period}, ward {}, {when}",
                ward.code
            );
        }
        if period == Period::whole_year(2026).expect("a year") {
            for (responses, participation) in expected.values() {
                year.0 += responses;
                year.1 += responses - participation.consulted_7_plus;
            }
        }
    }
    for survey in surveys {
        let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses WHERE survey_id = $1")
            .bind(&survey.id)
            .fetch_one(&mut oracle)
            .await
            .expect("counted");
        assert_eq!(
            store
                .database
                .response_count_of_survey(&survey.id)
                .await
                .expect("count read"),
            held.max(0) as u64,
            "{}, {when}",
            survey.id
        );
    }
    oracle.close().await.ok();
    year
}

#[tokio::test]
async fn kept_counts_equal_counting_the_responses_whatever_wrote_them() {
    let store = store().await;
    let database = &store.database;
    seed::seed_demo(database).await.expect("the demo survey");
    // The demo survey asks children of 7 and over; a second survey of
    // every age band has younger ones, who count as responses but not as
    // children of 7 and over.
    let demo = seed::demo_survey().expect("demo survey");
    let mut every_age = demo.clone();
    every_age.id = "moi-lua-tuoi".to_owned();
    every_age.age_bands = AgeBand::ALL.to_vec();
    database
        .publish_survey(&every_age, Utc::now())
        .await
        .expect("published");
    let surveys = [&demo, &every_age];

    let units = seed::hanoi_units().expect("units");
    let wards: Vec<String> = units
        .units
        .iter()
        .take(5)
        .map(|unit| unit.code.clone())
        .collect();
    // Populations of two wards with responses and one without.
    let mut populations = BTreeMap::new();
    for (ward, children) in [
        (&wards[0], 1_200),
        (&wards[1], 800),
        (&units.units[9].code, 500),
    ] {
        database
            .set_child_population(ward, 2026, children, None, Utc::now())
            .await
            .expect("population set");
        populations.insert(ward.clone(), children);
    }

    let mut dice = Dice(20_260_401);
    let mut seq = 0;
    let mut n = 0;
    let start = at(2026, 3, 20, 0, 0, 0);
    // Each child's versions, oldest first, while none was withdrawn.
    let mut chains: Vec<Vec<Response>> = Vec::new();

    // Responses over 200 days from 20 March and at the day's edges, in
    // pushes of up to 60 (stored as batches).
    let mut first: Vec<Response> = Vec::new();
    for edge in edges() {
        for survey in surveys {
            n += 1;
            let ward = &wards[dice.below(wards.len() as u64) as usize];
            first.push(response(survey, n, ward, edge));
        }
    }
    for _ in 0..240 {
        n += 1;
        let survey = surveys[dice.below(2) as usize];
        let ward = &wards[dice.below(wards.len() as u64) as usize];
        let created = start + Duration::minutes(dice.below(200 * 24 * 60) as i64);
        first.push(response(survey, n, ward, created));
    }
    for pushed in first.chunks(60) {
        let outcomes = push_changes(
            database,
            TABLET,
            &mut seq,
            pushed.iter().map(submit).collect(),
        )
        .await;
        assert!(
            outcomes
                .iter()
                .all(|outcome| *outcome == MutationOutcome::Applied),
            "{outcomes:?}"
        );
        chains.extend(pushed.iter().map(|response| vec![response.clone()]));
    }
    let (counted_2026, under_7) =
        assert_counts_agree(&store, &surveys, &populations, "after the first pushes").await;
    assert!(
        counted_2026 > 200,
        "{counted_2026} responses counted in 2026"
    );
    assert!(under_7 > 0, "some children under 7 took part");
    // Both surveys heard from children of one ward: its consultations
    // are more than the most one survey heard from.
    let year = store
        .database
        .participation(Period::whole_year(2026).expect("a year"))
        .await
        .expect("participation read");
    assert!(
        year.values().any(|(_, participation)| {
            participation.largest_survey_7_plus > 0
                && participation.largest_survey_7_plus < participation.consulted_7_plus
        }),
        "{year:?}"
    );
    // Children said it was their first consultation this year, or not,
    // and some were not asked.
    assert!(
        year.values().any(|(_, participation)| {
            participation.first_time_7_plus > 0
                && participation.again_7_plus > 0
                && participation.heard_before_unknown() > 0
        }),
        "{year:?}"
    );

    // Rounds of corrections (some created before the version they correct,
    // some days or a quarter after; another age band), withdrawals (every
    // version of a child deleted) and responses sent again, mixed in pushes.
    for round in 0..4 {
        let mut changes = Vec::new();
        let mut withdrawn = 0;
        for _ in 0..30 {
            if chains.is_empty() {
                break;
            }
            let chain = dice.below(chains.len() as u64) as usize;
            match dice.below(10) {
                0..=5 => {
                    let corrected = &chains[chain][dice.below(chains[chain].len() as u64) as usize];
                    let survey = surveys
                        .iter()
                        .find(|survey| survey.id == corrected.survey_id)
                        .expect("its survey");
                    n += 1;
                    let created = corrected.created_at
                        + Duration::minutes(dice.below(100 * 24 * 60) as i64)
                        - Duration::days(3);
                    let mut correction = response(survey, n, &corrected.ward_code, created);
                    correction.corrects = Some(corrected.id);
                    changes.push(submit(&correction));
                    chains[chain].push(correction);
                }
                6..=7 => {
                    let version = &chains[chain][dice.below(chains[chain].len() as u64) as usize];
                    changes.push(MutationChange::WithdrawResponse {
                        response_id: version.id,
                        withdrawn_at: Utc::now(),
                    });
                    chains.swap_remove(chain);
                    withdrawn += 1;
                }
                _ => {
                    let version = &chains[chain][dice.below(chains[chain].len() as u64) as usize];
                    changes.push(submit(version));
                }
            }
        }
        let outcomes = push_changes(database, TABLET, &mut seq, changes).await;
        assert!(
            outcomes.iter().all(|outcome| matches!(
                outcome,
                MutationOutcome::Applied
                    | MutationOutcome::AlreadyStored
                    | MutationOutcome::Withdrawn
            )),
            "round {round}: {outcomes:?}"
        );
        assert_eq!(
            outcomes
                .iter()
                .filter(|outcome| **outcome == MutationOutcome::Withdrawn)
                .count(),
            withdrawn,
            "round {round}"
        );
        assert_counts_agree(
            &store,
            &surveys,
            &populations,
            &format!("after round {round} of corrections and withdrawals"),
        )
        .await;
    }
    let held = database.response_count().await.expect("counted");
    let counting = database.counted_response_count().await.expect("counted");
    assert!(
        counting < held,
        "corrections superseded some versions: {counting} of {held} count"
    );
    database.close().await;
}
