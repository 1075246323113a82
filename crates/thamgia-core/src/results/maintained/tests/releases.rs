//! Results published in steps (`release.rs`) over the maintained index:
//! after any history, each cell shows the store exactly as it stood at its
//! release, but for the words of children no longer counted (withdrawn or
//! corrected since), which leave at once; and two releases of a cell are a
//! step of changes apart.

use std::collections::HashSet;

use super::*;
use crate::results::distribution::Distribution;
use crate::results::release::{release, ReleaseStep};
use crate::results::suppression::Threshold;

/// The store after each change: every cell's state and every response.
type Snapshot = (BTreeMap<CellKey, CellState>, Vec<Response>);

/// The responses that count in the store as it stands.
fn still_counted(store: &Store) -> HashSet<Uuid> {
    counted(store.responses.values())
        .into_iter()
        .map(|response| response.id)
        .collect()
}

/// What the server does once caught up: the words of each cell that a
/// removal may have reached are checked against the store, and those of
/// responses that no longer count are forgotten. Gives how many were.
fn check_words(index: &mut SurveyIndex, store: &Store) -> usize {
    let states: Vec<(CellKey, CellState)> = store
        .states
        .iter()
        .map(|(key, state)| (key.clone(), *state))
        .collect();
    let counting = still_counted(store);
    let mut forgotten = 0;
    for check in index.words_to_check(&states) {
        let gone = check.gone(&counting);
        forgotten += gone.len();
        index.forget_words(&check.key, &gone, check.removals);
    }
    assert!(
        index.words_to_check(&states).is_empty(),
        "every cell checked"
    );
    forgotten
}

/// `results` without the words of responses not in `counting`.
fn without_words_of_others(mut results: SurveyResults, counting: &HashSet<Uuid>) -> SurveyResults {
    for question in &mut results.questions {
        if let Distribution::FreeText { answers } = &mut question.distribution {
            answers.retain(|answer| counting.contains(&answer.response_id));
        }
    }
    results
}

/// Whether `index` shows each cell of `released` as the store stood when
/// the cell was at that state, but for the words of responses that no
/// longer count in `store`.
fn assert_as_released(
    index: &SurveyIndex,
    store: &Store,
    released: &BTreeMap<CellKey, CellState>,
    history: &[Snapshot],
    round: usize,
) {
    let counting = still_counted(store);
    let definitions = index.definitions().to_vec();
    for (key, at) in released {
        let stood: &[Response] = if at.revision == 0 {
            &[]
        } else {
            history
                .iter()
                .find(|(states, _)| states.get(key) == Some(at))
                .map(|(_, responses)| responses.as_slice())
                .expect("the store stood at every release")
        };
        let filter = filter_for(Some(key.ward.clone()), Some(key.quarter));
        assert_eq!(
            index.results(Some(&key.ward), Some(key.quarter)),
            without_words_of_others(survey_results(&definitions, stood, &filter), &counting),
            "round {round}, cell {key:?} released at {at:?}"
        );
    }
}

#[test]
fn each_cell_shows_the_store_as_it_stood_at_its_release() {
    let every = ReleaseStep::of(Threshold::DEFAULT);
    for seed in 1..=6u64 {
        let mut rng = Rng(0x51ee_d0c5_7e95_0000 ^ seed);
        let mut store = Store::default();
        let mut index = SurveyIndex::new(crate::results::tests::definitions());
        let mut next_id = 0;
        let mut released: BTreeMap<CellKey, CellState> = BTreeMap::new();
        let mut history: Vec<Snapshot> = Vec::new();
        let (mut held_back, mut releases, mut words_gone) = (0, 0, 0);
        for round in 0..60 {
            for _ in 0..1 + rng.below(3) {
                step(&mut rng, &mut store, &mut next_id);
                history.push((
                    store.states.clone(),
                    store.responses.values().cloned().collect(),
                ));
            }
            if !(rng.chance(40) || round == 59) {
                continue;
            }
            // A query comes: each cell at its release.
            let mut targets = Vec::new();
            for (key, state) in &store.states {
                let last = released.get(key).copied();
                let decided = release(every, *state, last, index.held(key));
                if decided.new {
                    let before = last.unwrap_or_default();
                    assert!(
                        decided.at.revision - before.revision >= every.changes(),
                        "seed {seed}, round {round}: {key:?} released from {before:?} to {:?}",
                        decided.at
                    );
                    released.insert(key.clone(), decided.at);
                    releases += 1;
                }
                if decided.waiting(*state) > 0 {
                    held_back += 1;
                }
                targets.push((key.clone(), decided.at));
            }
            store.catch_up_to(&mut index, &targets);
            words_gone += check_words(&mut index, &store);
            let shown: BTreeMap<CellKey, CellState> = targets.into_iter().collect();
            assert_as_released(&index, &store, &shown, &history, round);
        }
        assert!(
            releases > 0 && held_back > 0 && words_gone > 0,
            "seed {seed}: {releases} releases, {held_back} cells held back, \
             {words_gone} times a word left before its figures"
        );
    }
}

#[test]
fn an_index_made_anew_shows_a_release_with_arrivals_since() {
    // A restart: a new index, the releases kept. A release with only
    // arrivals since is read again up to its revision.
    let every = ReleaseStep::of(Threshold::DEFAULT);
    let mut rng = Rng(11);
    let mut store = Store::default();
    let mut next_id = 0;
    let arrive = |rng: &mut Rng, store: &mut Store, next_id: &mut u128| {
        *next_id += 1;
        let mut response = fresh(rng, *next_id);
        response.ward_code = WARDS[0].to_owned();
        response.created_at = Utc
            .with_ymd_and_hms(2026, 5, 2, 3, 0, 0)
            .single()
            .expect("valid instant");
        store.apply(Some(response.id), |responses| {
            responses.insert(response.id, response);
        });
    };
    for _ in 0..6 {
        arrive(&mut rng, &mut store, &mut next_id);
    }
    let (key, at) = store
        .states
        .iter()
        .next()
        .map(|(key, state)| (key.clone(), *state))
        .expect("one cell");
    assert_eq!(at.revision, 6);
    let stood: Vec<Response> = store.responses.values().cloned().collect();
    for _ in 0..3 {
        arrive(&mut rng, &mut store, &mut next_id);
    }
    let mut index = SurveyIndex::new(crate::results::tests::definitions());
    let decided = release(every, store.states[&key], Some(at), index.held(&key));
    assert_eq!((decided.at, decided.new), (at, false));
    assert_eq!(decided.waiting(store.states[&key]), 3);
    store.catch_up_to(&mut index, &[(key.clone(), decided.at)]);
    let filter = filter_for(Some(key.ward.clone()), Some(key.quarter));
    let results = index.results(Some(&key.ward), Some(key.quarter));
    assert_eq!(
        results,
        survey_results(index.definitions(), &stood, &filter)
    );
    assert_eq!(results.respondents, 6);
}
