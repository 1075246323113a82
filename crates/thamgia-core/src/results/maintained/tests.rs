//! The maintained results equal a full recount after any sequence of
//! pushes, replays, conflicting copies, corrections and withdrawals, for
//! every ward and period and every table — when the store raises the
//! revision of exactly the cells whose counted responses changed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::api::results::filter_for;
use crate::response::{
    AgeBand, AnswerValue, Disclosure, EthnicGroup, Participant, Sex, SpecialCircumstance,
};
use crate::results::{counted, participants_table, question_table, survey_results};

use crate::test_random::Xorshift as Rng;

const WARDS: [&str; 3] = ["00004", "00070", "00001"];

/// An instant in 2026's first three quarters, some near a quarter's edge
/// in Hanoi's time (17:00 UTC on 31 March is already 1 April there).
fn instant(rng: &mut Rng) -> DateTime<Utc> {
    let edges = [
        Utc.with_ymd_and_hms(2026, 3, 31, 16, 59, 0),
        Utc.with_ymd_and_hms(2026, 3, 31, 17, 0, 0),
        Utc.with_ymd_and_hms(2026, 6, 30, 17, 30, 0),
    ];
    if rng.chance(20) {
        return rng.pick(&edges).single().expect("valid instant");
    }
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("valid instant")
        + Duration::minutes(rng.below(270 * 24 * 60) as i64)
}

fn answer(rng: &mut Rng, question: &str) -> Option<AnswerValue> {
    if rng.chance(15) {
        return None;
    }
    let text = |value: &&str| (*value).to_owned();
    Some(match question {
        "safe" => AnswerValue::Choice(text(rng.pick(&[
            "always",
            "sometimes",
            "never",
            "unsure",
            "maybe",
            "zz-other",
        ]))),
        "likes_school" => AnswerValue::YesNo(rng.chance(50)),
        "mood" => AnswerValue::Smiley(rng.below(6) as u8),
        "worries" => AnswerValue::Choices(
            ["traffic", "bullying", "homework", "noise"]
                .iter()
                .filter(|_| rng.chance(40))
                .map(text)
                .collect(),
        ),
        "priorities" => {
            let mut options = vec![text(&"parks"), text(&"schools"), text(&"safety")];
            if rng.chance(10) {
                options.push(text(&"libraries"));
            }
            let first = rng.below(options.len() as u64) as usize;
            options.swap(0, first);
            AnswerValue::Ranking(options)
        }
        "hours" => AnswerValue::Number(rng.below(12) as f64),
        "last_trip" => AnswerValue::Date(
            chrono::NaiveDate::from_ymd_opt(
                2026,
                1 + rng.below(9) as u32,
                1 + rng.below(28) as u32,
            )
            .expect("valid date"),
        ),
        "why" => AnswerValue::Text(text(rng.pick(&["Xe nhiều", "Tối quá", "Không có vỉa hè"]))),
        "changed" => {
            if rng.chance(50) {
                AnswerValue::Number(rng.below(5) as f64)
            } else {
                AnswerValue::Text(text(&"khác"))
            }
        }
        _ => return None,
    })
}

fn fresh(rng: &mut Rng, id: u128) -> Response {
    let version = if rng.chance(5) {
        3
    } else {
        1 + rng.below(2) as u32
    };
    let created_at = instant(rng);
    let mut answers = crate::response::Answers::new();
    for question in [
        "safe",
        "likes_school",
        "mood",
        "worries",
        "priorities",
        "hours",
        "last_trip",
        "why",
        "changed",
    ] {
        if let Some(value) = answer(rng, question) {
            answers.insert(question.to_owned(), value);
        }
    }
    Response {
        id: Uuid::from_u128(id),
        survey_id: "safety".to_owned(),
        survey_version: version,
        ward_code: (*rng.pick(&WARDS)).to_owned(),
        participant: Participant {
            age_band: rng.chance(95).then(|| *rng.pick(&AgeBand::ALL)),
            sex: Some(*rng.pick(&Sex::ALL)),
            ethnic_group: rng.chance(70).then(|| *rng.pick(&EthnicGroup::ALL[..3])),
            disability: rng.chance(60).then(|| *rng.pick(&Disclosure::ALL)),
            special_circumstances: SpecialCircumstance::ALL[..3]
                .iter()
                .filter(|_| rng.chance(15))
                .copied()
                .collect(),
            heard_before: None,
        },
        consent: Default::default(),
        answers,
        status: ResponseStatus::Completed,
        corrects: None,
        referral: None,
        shown_orders: BTreeMap::new(),
        created_at,
        updated_at: created_at,
    }
}

/// What the store holds: every response it took (a withdrawn one as its
/// tombstone), the revision each added response raised its cell to, and
/// each cell's state, kept as the server keeps them.
#[derive(Default)]
struct Store {
    responses: BTreeMap<Uuid, Response>,
    added_at: BTreeMap<Uuid, i64>,
    states: BTreeMap<CellKey, CellState>,
}

impl Store {
    fn counted(&self) -> BTreeSet<Uuid> {
        counted(self.responses.values())
            .into_iter()
            .map(|response| response.id)
            .collect()
    }

    /// Applies one change, `added` the id of a response it adds, if any:
    /// the added response raises its cell's revision and is stamped with
    /// it; every other response whose counting changed raises its cell's
    /// revision and removals.
    fn apply(&mut self, added: Option<Uuid>, change: impl FnOnce(&mut BTreeMap<Uuid, Response>)) {
        let before = self.counted();
        let held_before = self.responses.len();
        change(&mut self.responses);
        let after = self.counted();
        let added = added.filter(|_| self.responses.len() > held_before);
        if let Some(id) = added {
            let key = CellKey::of(&self.responses[&id]).expect("a cell");
            let state = self.states.entry(key).or_default();
            state.revision += 1;
            self.added_at.insert(id, state.revision);
        }
        for id in before.symmetric_difference(&after) {
            if Some(*id) == added && after.contains(id) {
                continue;
            }
            let key = CellKey::of(&self.responses[id]).expect("a cell");
            let state = self.states.entry(key).or_default();
            state.revision += 1;
            state.removals += 1;
        }
    }

    /// The counted responses of one cell added in `(after, up_to]`, as the
    /// server reads them.
    fn cell(&self, key: &CellKey, (after, up_to): (i64, i64)) -> Vec<Response> {
        let counted = self.counted();
        self.responses
            .values()
            .filter(|response| counted.contains(&response.id))
            .filter(|response| CellKey::of(response).as_ref() == Some(key))
            .filter(|response| {
                self.added_at
                    .get(&response.id)
                    .is_some_and(|at| *at > after && *at <= up_to)
            })
            .cloned()
            .collect()
    }

    fn catch_up(&self, index: &mut SurveyIndex) -> (usize, usize) {
        let states: Vec<(CellKey, CellState)> = self
            .states
            .iter()
            .map(|(key, state)| (key.clone(), *state))
            .collect();
        self.catch_up_to(index, &states)
    }

    /// Catches `index` up to `targets`: each cell at the state given.
    fn catch_up_to(
        &self,
        index: &mut SurveyIndex,
        targets: &[(CellKey, CellState)],
    ) -> (usize, usize) {
        let (mut extended, mut rebuilt) = (0, 0);
        for (key, catch) in index.stale(targets) {
            let state = targets
                .iter()
                .find(|(known, _)| known == key)
                .map(|(_, state)| *state)
                .expect("a target");
            match catch {
                Catch::Extend { after } => {
                    extended += 1;
                    index.extend(key.clone(), state, &self.cell(key, (after, state.revision)));
                }
                Catch::Rebuild => {
                    rebuilt += 1;
                    index.replace(
                        key.clone(),
                        state,
                        &self.cell(key, (i64::MIN, state.revision)),
                    );
                }
                Catch::Clear => index.clear(key),
            }
        }
        (extended, rebuilt)
    }
}

fn step(rng: &mut Rng, store: &mut Store, next_id: &mut u128) {
    let held: Vec<Uuid> = store.responses.keys().copied().collect();
    match rng.below(10) {
        // A new response.
        0..=4 => {
            *next_id += 1;
            let response = fresh(rng, *next_id);
            store.apply(Some(response.id), |responses| {
                responses.insert(response.id, response);
            });
        }
        // A replay, or another copy under a held id: the store keeps what
        // it first took.
        5 => {
            if let Some(id) = held.first().map(|_| *rng.pick(&held)) {
                let copy = fresh(rng, id.as_u128());
                store.apply(Some(copy.id), |responses| {
                    responses.entry(copy.id).or_insert(copy);
                });
            }
        }
        // A correction of a held response, sometimes in a later quarter.
        6..=7 => {
            if let Some(corrected) = held.first().map(|_| *rng.pick(&held)) {
                *next_id += 1;
                let mut correction = fresh(rng, *next_id);
                let original = &store.responses[&corrected];
                correction.ward_code = original.ward_code.clone();
                correction.corrects = Some(corrected);
                if rng.chance(60) {
                    correction.created_at =
                        original.created_at + Duration::hours(1 + rng.below(24 * 60) as i64);
                }
                store.apply(Some(correction.id), |responses| {
                    responses.insert(correction.id, correction);
                });
            }
        }
        // A withdrawal: the chain leaves.
        _ => {
            if let Some(id) = held.first().map(|_| *rng.pick(&held)) {
                store.apply(None, |responses| {
                    if let Some(response) = responses.get_mut(&id) {
                        response.status = ResponseStatus::Withdrawn;
                    }
                });
            }
        }
    }
}

fn assert_same(index: &SurveyIndex, store: &Store, round: usize) {
    let definitions = index.definitions().to_vec();
    let responses: Vec<Response> = store.responses.values().cloned().collect();
    let periods: [Option<Period>; 5] = [
        None,
        "2026-Q1".parse().ok(),
        "2026-Q2".parse().ok(),
        "2026-H1".parse().ok(),
        "2026".parse().ok(),
    ];
    let wards = [None, Some(WARDS[0]), Some(WARDS[1])];
    for ward in wards {
        for period in periods {
            let filter = filter_for(ward.map(str::to_owned), period);
            let context = format!("round {round}, ward {ward:?}, period {period:?}");
            assert_eq!(
                index.results(ward, period),
                survey_results(&definitions, &responses, &filter),
                "{context}"
            );
            assert_eq!(
                index.participants_table(ward, period, Dimension::AgeBand, Some(Dimension::Sex)),
                participants_table(
                    &definitions,
                    &responses,
                    &filter,
                    Dimension::AgeBand,
                    Some(Dimension::Sex)
                ),
                "{context}"
            );
            for (question, split) in [
                ("safe", vec![Dimension::Sex]),
                (
                    "safe",
                    vec![Dimension::Ward, Dimension::SpecialCircumstances],
                ),
                ("mood", vec![Dimension::Month]),
                (
                    "priorities",
                    vec![Dimension::EthnicGroup, Dimension::Disability],
                ),
                ("last_trip", vec![Dimension::AgeBand]),
            ] {
                assert_eq!(
                    index.question_table(ward, period, question, &split),
                    question_table(&definitions, &responses, &filter, question, &split),
                    "{context}, {question} by {split:?}"
                );
            }
        }
    }
}

#[test]
fn maintained_results_equal_a_recount_after_any_history() {
    for seed in 1..=6u64 {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed);
        let mut store = Store::default();
        let mut index = SurveyIndex::new(crate::results::tests::definitions());
        let mut next_id = 0;
        let (mut extended, mut rebuilt) = (0, 0);
        for round in 0..40 {
            for _ in 0..1 + rng.below(6) {
                step(&mut rng, &mut store, &mut next_id);
            }
            // The index catches up now and then, as queries come.
            if rng.chance(30) || round == 39 {
                let (more, again) = store.catch_up(&mut index);
                extended += more;
                rebuilt += again;
                assert_same(&index, &store, round);
            }
        }
        assert!(index.respondents() > 0, "seed {seed} counted someone");
        // Both ways of catching up were taken.
        assert!(
            extended > 0 && rebuilt > 0,
            "seed {seed}: {extended} extended, {rebuilt} rebuilt"
        );
    }
}

#[test]
fn a_cell_left_stale_shows_in_the_comparison() {
    // The comparison above can fail: an index that misses one cell's
    // change differs from the recount.
    let mut rng = Rng(7);
    let mut store = Store::default();
    let mut index = SurveyIndex::new(crate::results::tests::definitions());
    let mut next_id = 0;
    for _ in 0..20 {
        step(&mut rng, &mut store, &mut next_id);
    }
    store.catch_up(&mut index);
    let response = fresh(&mut rng, 10_000);
    store.responses.insert(response.id, response);
    let definitions = index.definitions().to_vec();
    let responses: Vec<Response> = store.responses.values().cloned().collect();
    assert_ne!(
        index.results(None, None),
        survey_results(&definitions, &responses, &filter_for(None, None))
    );
}

#[test]
fn a_response_belongs_to_the_quarter_of_its_day_in_hanoi() {
    let mut rng = Rng(3);
    let mut response = fresh(&mut rng, 1);
    response.created_at = Utc
        .with_ymd_and_hms(2026, 3, 31, 17, 0, 0)
        .single()
        .expect("valid");
    let key = CellKey::of(&response).expect("a cell");
    assert_eq!(key.quarter.to_string(), "2026-Q2");
    assert!(key.within(None, "2026-H1".parse().ok()));
    assert!(!key.within(None, "2026-Q1".parse().ok()));
    assert!(!key.within(Some("99999"), None));
}

#[test]
fn a_period_is_made_of_its_quarters() {
    let keys = |period: &str| -> Vec<String> {
        quarters_of(period.parse().expect("a period"))
            .into_iter()
            .map(|quarter| quarter.to_string())
            .collect()
    };
    assert_eq!(keys("2026-Q3"), ["2026-Q3"]);
    assert_eq!(keys("2026-H1"), ["2026-Q1", "2026-Q2"]);
    assert_eq!(keys("2026"), ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
}

#[test]
fn a_table_s_pattern_is_made_once_when_many_ask_for_it_at_once() {
    let mut rng = Rng(11);
    let mut store = Store::default();
    let mut index = SurveyIndex::new(crate::results::tests::definitions());
    let mut next_id = 0;
    for _ in 0..40 {
        step(&mut rng, &mut store, &mut next_id);
    }
    store.catch_up(&mut index);
    let cells = index.cells.len();
    assert!(cells > 1, "a few cells to make the pattern from");
    let made = std::sync::atomic::AtomicUsize::new(0);
    let readers = 4;
    let together = std::sync::Barrier::new(readers);
    let key = || TableKey::Participants(Dimension::AgeBand, Some(Dimension::Sex));
    std::thread::scope(|scope| {
        for _ in 0..readers {
            scope.spawn(|| {
                let shape = Shape::new(&index.definitions);
                together.wait();
                index.table_pattern(
                    key(),
                    Threshold::DEFAULT,
                    |summary| {
                        made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        // Long enough that the readers overlap.
                        std::thread::sleep(std::time::Duration::from_millis(2));
                        Some(shape.participants(
                            std::iter::once(summary),
                            &index.interned,
                            Dimension::AgeBand,
                            Some(Dimension::Sex),
                        ))
                    },
                    &|_| None,
                )
            });
        }
    });
    assert_eq!(
        made.load(std::sync::atomic::Ordering::SeqCst),
        cells,
        "each cell's table made once, by one reader, for {readers} readers"
    );
    // Another key is made apart.
    let shape = Shape::new(&index.definitions);
    index.table_pattern(
        TableKey::Participants(Dimension::Sex, None),
        Threshold::DEFAULT,
        |summary| {
            made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Some(shape.participants(
                std::iter::once(summary),
                &index.interned,
                Dimension::Sex,
                None,
            ))
        },
        &|_| None,
    );
    assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 2 * cells);
}

mod releases;
