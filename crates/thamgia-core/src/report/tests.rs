//! Tests of the report rules: the clock, the merge (with property tests over
//! random edit sets from a small deterministic generator), clock skew,
//! periods and status changes.

use uuid::Uuid;

use super::*;

const LAN: Uuid = Uuid::from_u128(0xA);
const MINH: Uuid = Uuid::from_u128(0xB);

fn report_id() -> ReportId {
    "00004:2026-Q3".parse().expect("a valid report id")
}

fn edit(
    field: FieldKey,
    content: FieldContent,
    wall_ms: i64,
    counter: u32,
    client_id: Uuid,
) -> FieldEdit {
    FieldEdit {
        report_id: report_id(),
        field,
        content,
        stamp: Stamp {
            hlc: Hlc::new(wall_ms, counter),
            client_id,
        },
        author: format!("officer {}", client_id.as_u128()),
        sent_as: None,
    }
}

fn value_edit(number: f64, wall_ms: i64, counter: u32, client_id: Uuid) -> FieldEdit {
    edit(
        FieldKey::value("4.1"),
        FieldContent::Number(number),
        wall_ms,
        counter,
        client_id,
    )
}

fn fields_from(edits: &[FieldEdit]) -> ReportFields {
    let mut fields = ReportFields::new(report_id());
    for edit in edits {
        fields.apply(edit.clone()).expect("an edit of this report");
    }
    fields
}

// ---------------------------------------------------------------- clock

#[test]
fn tick_follows_the_wall_clock_and_never_goes_back() {
    let mut clock = HlcClock::new();
    assert_eq!(clock.tick(1_000), Hlc::new(1_000, 0));
    assert_eq!(
        clock.tick(1_000),
        Hlc::new(1_000, 1),
        "same millisecond: the counter moves"
    );
    assert_eq!(
        clock.tick(2_000),
        Hlc::new(2_000, 0),
        "the wall moved: the counter restarts"
    );
    assert_eq!(
        clock.tick(1_500),
        Hlc::new(2_000, 1),
        "a clock set back does not move the reading back"
    );
    assert_eq!(clock.last(), Hlc::new(2_000, 1));

    let mut resumed = HlcClock::resume(clock.last());
    assert_eq!(
        resumed.tick(2_000),
        Hlc::new(2_000, 2),
        "a reload never reuses a reading"
    );

    let mut full = HlcClock::resume(Hlc::new(5, u32::MAX));
    assert_eq!(
        full.tick(5),
        Hlc::new(6, 0),
        "a full counter moves on to the next millisecond"
    );
}

#[test]
fn observe_is_later_than_both_clocks() {
    // The remote is ahead: take its wall, one past its counter.
    let mut clock = HlcClock::resume(Hlc::new(1_000, 4));
    assert_eq!(clock.observe(Hlc::new(3_000, 7), 2_000), Hlc::new(3_000, 8));
    assert_eq!(
        clock.tick(2_500),
        Hlc::new(3_000, 9),
        "later local edits stay after what was seen"
    );

    // The local clock is ahead of the remote and of the wall clock.
    let mut clock = HlcClock::resume(Hlc::new(5_000, 2));
    assert_eq!(clock.observe(Hlc::new(4_000, 9), 4_500), Hlc::new(5_000, 3));

    // Same wall on both sides: one past the larger counter.
    let mut clock = HlcClock::resume(Hlc::new(5_000, 2));
    assert_eq!(clock.observe(Hlc::new(5_000, 6), 4_000), Hlc::new(5_000, 7));

    // Physical time is ahead of both: the counter restarts.
    let mut clock = HlcClock::resume(Hlc::new(5_000, 2));
    assert_eq!(clock.observe(Hlc::new(5_500, 6), 6_000), Hlc::new(6_000, 0));
    assert_eq!(clock.last(), Hlc::new(6_000, 0));
}

// ---------------------------------------------------------------- merge

#[test]
fn the_larger_stamp_wins_in_either_order() {
    let early = value_edit(10.0, 1_000, 0, MINH);
    let later_counter = value_edit(11.0, 1_000, 1, LAN);
    let later_wall = value_edit(12.0, 2_000, 0, LAN);

    for edits in [
        vec![early.clone(), later_counter.clone(), later_wall.clone()],
        vec![later_wall.clone(), later_counter.clone(), early.clone()],
        vec![later_counter.clone(), later_wall.clone(), early.clone()],
    ] {
        let fields = fields_from(&edits);
        let state = fields.get(&FieldKey::value("4.1")).expect("edited");
        assert_eq!(state.winner, later_wall);
        assert_eq!(
            state.others,
            vec![early.clone(), later_counter.clone()],
            "losers kept, oldest first"
        );
    }

    assert_eq!(
        merge(Some(FieldState::new(early.clone())), later_counter.clone()).winner,
        later_counter,
        "the counter decides within one millisecond"
    );
}

#[test]
fn equal_clock_readings_are_decided_by_client_id() {
    let from_lan = value_edit(10.0, 1_000, 3, LAN);
    let from_minh = value_edit(20.0, 1_000, 3, MINH);
    assert!(MINH > LAN);
    let one_way = merge(Some(FieldState::new(from_lan.clone())), from_minh.clone());
    let other_way = merge(Some(FieldState::new(from_minh.clone())), from_lan.clone());
    assert_eq!(one_way, other_way);
    assert_eq!(one_way.winner, from_minh);
    assert_eq!(one_way.others, vec![from_lan]);
}

#[test]
fn the_losing_value_is_kept_and_shown_as_a_conflict() {
    let lan_enters = value_edit(31.5, 1_000, 0, LAN);
    let minh_confirms = value_edit(32.0, 1_500, 0, MINH);
    let minh_enters = value_edit(32.0, 2_000, 0, MINH);

    let fields = fields_from(&[
        minh_enters.clone(),
        lan_enters.clone(),
        minh_confirms.clone(),
        lan_enters.clone(),
    ]);
    let state = fields.get(&FieldKey::value("4.1")).expect("edited");
    assert_eq!(state.content(), &FieldContent::Number(32.0));
    assert_eq!(
        state.others,
        vec![lan_enters.clone(), minh_confirms.clone()],
        "the duplicate is stored once; the same value is still history"
    );
    let conflicts: Vec<&FieldEdit> = state.conflicting().collect();
    assert_eq!(
        conflicts,
        vec![&lan_enters],
        "only a different value is worth showing"
    );
    assert_eq!(conflicts[0].author, "officer 10");
    assert_eq!(conflicts[0].stamp.hlc.wall_ms, 1_000);
    let history: Vec<&FieldEdit> = state.history().collect();
    assert_eq!(history, vec![&lan_enters, &minh_confirms, &minh_enters]);
}

#[test]
fn a_removal_is_an_edit_that_merges_like_the_others() {
    let entered = value_edit(12.0, 1_000, 0, LAN);
    let cleared = edit(
        FieldKey::value("4.1"),
        FieldContent::Cleared,
        2_000,
        0,
        MINH,
    );
    for edits in [
        [entered.clone(), cleared.clone()],
        [cleared.clone(), entered.clone()],
    ] {
        let fields = fields_from(&edits);
        let state = fields.get(&FieldKey::value("4.1")).expect("edited");
        assert_eq!(
            state.content(),
            &FieldContent::Cleared,
            "an old value does not come back"
        );
        assert_eq!(state.conflicting().collect::<Vec<_>>(), vec![&entered]);
    }
}

#[test]
fn two_different_edits_under_one_stamp_are_both_kept_and_every_replica_agrees() {
    let first = value_edit(1.0, 1_000, 0, LAN);
    let second = value_edit(2.0, 1_000, 0, LAN);
    let one_way = fields_from(&[first.clone(), second.clone()]);
    let other_way = fields_from(&[second.clone(), first.clone()]);
    assert_eq!(one_way, other_way);
    let state = one_way.get(&FieldKey::value("4.1")).expect("edited");
    assert_eq!(state.history().count(), 2);
}

#[test]
fn an_edit_of_another_report_is_refused() {
    let mut fields = ReportFields::new(report_id());
    let mut other = value_edit(1.0, 1_000, 0, LAN);
    other.report_id = "00004:2026-Q4".parse().expect("valid");
    let error = fields.apply(other.clone()).expect_err("another report");
    assert!(matches!(error, ReportError::WrongReport { .. }));
    assert!(fields.fields().is_empty());
    let error = fields
        .apply_all(vec![value_edit(2.0, 1_000, 0, LAN), other.clone()])
        .expect_err("another report among them");
    assert!(matches!(error, ReportError::WrongReport { .. }));
    assert!(fields.fields().is_empty());

    let mut other_replica = ReportFields::new(other.report_id.clone());
    other_replica.apply(other).expect("its own report");
    assert!(fields.merge(other_replica).is_err());
    assert!(fields.fields().is_empty());
}

// ------------------------------------------------- merge: property tests

/// SplitMix64: a tiny deterministic generator, so every run checks the same
/// cases and a failure names its seed.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.0;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for index in (1..items.len()).rev() {
            items.swap(index, self.below(index + 1));
        }
    }
}

/// A random set of edits over a few fields and clients, with readings drawn
/// from a narrow range so that equal walls, equal counters and equal stamps
/// all happen, and with random duplicates.
fn random_edits(generator: &mut Generator) -> Vec<FieldEdit> {
    let fields = [
        FieldKey::value("1.1"),
        FieldKey::note("1.1"),
        FieldKey::value("4.1"),
        FieldKey::evidence("4.1"),
        FieldKey::narrative(),
    ];
    let clients = [LAN, MINH, Uuid::from_u128(0xC)];
    let authors = ["Lan", "Minh", ""];
    let numbers = [0.0, 2.5, 30.0];
    let texts = ["Đã kiểm tra", "Chưa có số liệu"];

    let count = 1 + generator.below(12);
    let mut edits = Vec::new();
    for _ in 0..count {
        let field = generator.pick(&fields).clone();
        let content = match (generator.below(4), field.holds_number()) {
            (0, _) => FieldContent::Cleared,
            (_, true) => FieldContent::Number(*generator.pick(&numbers)),
            (_, false) => FieldContent::Text((*generator.pick(&texts)).to_owned()),
        };
        let mut new_edit = edit(
            field,
            content,
            1_000 + generator.below(4) as i64,
            generator.below(3) as u32,
            *generator.pick(&clients),
        );
        new_edit.author = (*generator.pick(&authors)).to_owned();
        edits.push(new_edit);
    }
    for _ in 0..generator.below(count + 1) {
        let duplicate = generator.pick(&edits).clone();
        edits.push(duplicate);
    }
    edits
}

/// Every ordering of `items`, by Heap's algorithm.
fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    fn heap<T: Clone>(size: usize, items: &mut Vec<T>, out: &mut Vec<Vec<T>>) {
        if size <= 1 {
            out.push(items.clone());
            return;
        }
        for index in 0..size {
            heap(size - 1, items, out);
            let swap_with = if size.is_multiple_of(2) { index } else { 0 };
            items.swap(swap_with, size - 1);
        }
    }
    let mut out = Vec::new();
    heap(items.len(), &mut items.to_vec(), &mut out);
    out
}

/// Splits `edits` into `groups` replicas, each built on its own.
fn replicas(edits: &[FieldEdit], groups: usize, generator: &mut Generator) -> Vec<ReportFields> {
    let mut replicas: Vec<ReportFields> = (0..groups)
        .map(|_| ReportFields::new(report_id()))
        .collect();
    for edit in edits {
        let index = generator.below(groups);
        replicas[index]
            .apply(edit.clone())
            .expect("an edit of this report");
    }
    replicas
}

/// What the state must be, computed independently of the merge: per field,
/// the winner has the largest stamp, and `others` holds every other distinct
/// edit once, sorted by stamp.
fn check_against_the_model(fields: &ReportFields, edits: &[FieldEdit], seed: u64) {
    for (key, state) in fields.fields() {
        let mut distinct: Vec<&FieldEdit> = Vec::new();
        for edit in edits.iter().filter(|edit| &edit.field == key) {
            if !distinct.contains(&edit) {
                distinct.push(edit);
            }
        }
        let largest = distinct
            .iter()
            .map(|edit| edit.stamp)
            .max()
            .expect("a field edited");
        assert_eq!(
            state.winner.stamp, largest,
            "seed {seed}: the largest stamp wins"
        );
        assert_eq!(
            state.others.len() + 1,
            distinct.len(),
            "seed {seed}: every distinct edit kept once"
        );
        assert!(distinct.contains(&&state.winner));
        assert!(state.others.iter().all(|other| distinct.contains(&other)));
        assert!(
            state
                .others
                .windows(2)
                .all(|pair| pair[0].stamp <= pair[1].stamp),
            "seed {seed}: sorted by stamp"
        );
        assert!(state.history().all(|edit| &edit.field == key));
    }
    let edited: std::collections::BTreeSet<&FieldKey> =
        edits.iter().map(|edit| &edit.field).collect();
    assert_eq!(
        edited.len(),
        fields.fields().len(),
        "seed {seed}: one state per edited field"
    );
}

#[test]
fn any_order_grouping_or_repetition_of_the_same_edits_gives_the_same_report() {
    let mut exhaustive_cases = 0;
    for seed in 0..500_u64 {
        let mut generator = Generator(seed);
        let edits = random_edits(&mut generator);
        let expected = fields_from(&edits);
        check_against_the_model(&expected, &edits, seed);

        // Commutative: any order.
        if edits.len() <= 6 {
            exhaustive_cases += 1;
            for ordering in permutations(&edits) {
                assert_eq!(
                    fields_from(&ordering),
                    expected,
                    "seed {seed}: permutation {ordering:?}"
                );
            }
        }
        for _ in 0..8 {
            let mut shuffled = edits.clone();
            generator.shuffle(&mut shuffled);
            assert_eq!(fields_from(&shuffled), expected, "seed {seed}: shuffled");
        }

        // All at once, into nothing or into a replica holding some of them.
        let mut at_once = ReportFields::new(report_id());
        at_once.apply_all(edits.clone()).expect("same report");
        assert_eq!(at_once, expected, "seed {seed}: all at once");
        let split = generator.below(edits.len() + 1);
        let mut partly = fields_from(&edits[..split]);
        partly
            .apply_all(edits[generator.below(split + 1)..].to_vec())
            .expect("same report");
        assert_eq!(partly, expected, "seed {seed}: the rest at once");

        // Associative: replicas built apart, then merged in any grouping.
        let groups = 2 + generator.below(3);
        let mut parts = replicas(&edits, groups, &mut generator);
        while parts.len() > 1 {
            let first = parts.swap_remove(generator.below(parts.len()));
            let mut second = parts.swap_remove(generator.below(parts.len()));
            second.merge(first).expect("same report");
            parts.push(second);
        }
        assert_eq!(
            parts.pop(),
            Some(expected.clone()),
            "seed {seed}: random merge tree"
        );

        let three = replicas(&edits, 3, &mut generator);
        let [a, b, c] = <[ReportFields; 3]>::try_from(three).expect("three replicas");
        let mut left = a.clone();
        left.merge(b.clone()).expect("same report");
        left.merge(c.clone()).expect("same report");
        let mut right = b;
        right.merge(c).expect("same report");
        let mut right_grouped = a;
        right_grouped.merge(right).expect("same report");
        assert_eq!(
            left, right_grouped,
            "seed {seed}: (a ∪ b) ∪ c = a ∪ (b ∪ c)"
        );
        assert_eq!(left, expected);

        // Idempotent: everything again, edit by edit and as a whole replica.
        let mut again = expected.clone();
        for edit in &edits {
            again.apply(edit.clone()).expect("same report");
        }
        assert_eq!(again, expected, "seed {seed}: edits applied twice");
        again.merge(expected.clone()).expect("same report");
        assert_eq!(again, expected, "seed {seed}: a replica merged with itself");
    }
    assert!(
        exhaustive_cases >= 50,
        "only {exhaustive_cases} sets small enough to try every order"
    );
}

// ---------------------------------------------------------------- clock skew

#[test]
fn a_tablet_a_day_ahead_does_not_win_against_a_later_edit_once_bounded() {
    const DAY_MS: i64 = 24 * 60 * 60_000;
    const MINUTE_MS: i64 = 60_000;
    let real_start = 1_780_000_000_000_i64;

    // Lan's tablet believes it is tomorrow; she enters 40 at real_start.
    let mut lan_tablet = HlcClock::new();
    let lans_edit = edit(
        FieldKey::value("4.1"),
        FieldContent::Number(40.0),
        0,
        0,
        LAN,
    );
    let lans_edit = FieldEdit {
        stamp: Stamp {
            hlc: lan_tablet.tick(real_start + DAY_MS),
            client_id: LAN,
        },
        ..lans_edit
    };

    // Ten minutes later (real time), Minh, on a correct clock and without
    // having seen Lan's edit, enters 42.
    let minh_now = real_start + 10 * MINUTE_MS;
    let mut minh_tablet = HlcClock::new();
    let minhs_edit = FieldEdit {
        stamp: Stamp {
            hlc: minh_tablet.tick(minh_now),
            client_id: MINH,
        },
        ..value_edit(42.0, 0, 0, MINH)
    };

    // Without bound(): Lan's future stamp wins for a whole day.
    let unbounded = fields_from(&[lans_edit.clone(), minhs_edit.clone()]);
    let state = unbounded.get(&FieldKey::value("4.1")).expect("edited");
    assert_eq!(
        state.content(),
        &FieldContent::Number(40.0),
        "unbounded, the earlier edit wins"
    );

    // With bound(): the server clamps each edit on receipt, with its own clock.
    let lans_stored = bound(lans_edit.clone(), real_start + 1_000, MAX_CLOCK_AHEAD_MS);
    assert_eq!(
        lans_stored.stamp.hlc.wall_ms,
        real_start + 1_000 + MAX_CLOCK_AHEAD_MS
    );
    assert_eq!(
        lans_stored.stamp.hlc.counter, lans_edit.stamp.hlc.counter,
        "the counter is kept"
    );
    assert_eq!(lans_stored.content, lans_edit.content);
    let minhs_stored = bound(minhs_edit.clone(), minh_now + 2_000, MAX_CLOCK_AHEAD_MS);
    assert_eq!(
        minhs_stored, minhs_edit,
        "a stamp within the bound is untouched"
    );

    let bounded = fields_from(&[lans_stored.clone(), minhs_stored.clone()]);
    let state = bounded.get(&FieldKey::value("4.1")).expect("edited");
    assert_eq!(
        state.content(),
        &FieldContent::Number(42.0),
        "the later edit wins"
    );
    assert_eq!(
        state.others,
        vec![lans_stored.clone()],
        "Lan's value is kept"
    );
    assert_eq!(
        state.conflicting().collect::<Vec<_>>(),
        vec![&lans_stored],
        "and shown as a conflict"
    );

    // Every replica gets the stored (bounded) edits from the server and agrees.
    assert_eq!(
        fields_from(&[minhs_stored.clone(), lans_stored.clone()]),
        bounded
    );

    // Lan's own tablet still holds her edit with its original stamp; when it
    // pulls the bounded copy, the two are known as one edit and the bounded
    // one stays: her tablet agrees with the server, in any order, however
    // often the copies arrive.
    assert_eq!(lans_stored.sent_as, Some(lans_edit.stamp.hlc));
    for order in [
        vec![lans_edit.clone(), lans_stored.clone(), minhs_stored.clone()],
        vec![minhs_stored.clone(), lans_stored.clone(), lans_edit.clone()],
        vec![
            lans_stored.clone(),
            lans_edit.clone(),
            minhs_stored.clone(),
            lans_edit.clone(),
        ],
    ] {
        assert_eq!(fields_from(&order), bounded, "{order:?}");
    }
    // Bounded again later (sent again after a renumbering, or to a server
    // restored from a backup that forgot the first bounding): still one
    // edit, remembering the original, under the latest bounding, in any
    // order, with or without the tablet's own copy.
    let bounded_later = bound(lans_edit.clone(), real_start + 60_000, MAX_CLOCK_AHEAD_MS);
    assert_eq!(bounded_later.sent_as, Some(lans_edit.stamp.hlc));
    let expected = fields_from(&[bounded_later.clone(), minhs_stored.clone()]);
    for order in [
        vec![
            bounded_later.clone(),
            lans_stored.clone(),
            minhs_stored.clone(),
        ],
        vec![
            lans_stored.clone(),
            minhs_stored.clone(),
            bounded_later.clone(),
        ],
        vec![
            lans_edit.clone(),
            bounded_later.clone(),
            lans_stored.clone(),
            minhs_stored.clone(),
        ],
    ] {
        assert_eq!(fields_from(&order), expected, "{order:?}");
    }
    let state = expected.get(&FieldKey::value("4.1")).expect("edited");
    assert_eq!(state.others, vec![bounded_later.clone()]);

    // A tablet that pulls Lan's bounded stamp is dragged at most five minutes
    // ahead, and its own later edits still follow real time.
    let mut third_tablet = HlcClock::new();
    let seen = third_tablet.observe(lans_stored.stamp.hlc, real_start + 2_000);
    assert!(seen.wall_ms <= real_start + 2_000 + MAX_CLOCK_AHEAD_MS);
    assert_eq!(third_tablet.tick(minh_now).wall_ms, minh_now);
}

// ---------------------------------------------------------------- periods

#[test]
fn period_keys_round_trip_and_labels_read_right() {
    let cases = [
        (Period::quarter(2026, 3), "2026-Q3", "Quý 3/2026", "Q3 2026"),
        (Period::quarter(2026, 1), "2026-Q1", "Quý 1/2026", "Q1 2026"),
        (
            Period::half(2026, 1),
            "2026-H1",
            "6 tháng đầu năm 2026",
            "First half of 2026",
        ),
        (
            Period::half(2026, 2),
            "2026-H2",
            "6 tháng cuối năm 2026",
            "Second half of 2026",
        ),
        (Period::whole_year(2026), "2026", "Năm 2026", "Year 2026"),
    ];
    for (period, key, vi, en) in cases {
        let period = period.expect("a valid period");
        assert_eq!(period.key(), key);
        assert_eq!(key.parse::<Period>(), Ok(period));
        assert_eq!(period.label(), crate::Localized::new(vi, en));
        let json = serde_json::to_string(&period).expect("serializes");
        assert_eq!(json, format!("\"{key}\""));
        assert_eq!(
            serde_json::from_str::<Period>(&json).expect("deserializes"),
            period
        );
    }
    for year in [1000, 2021, 2030, 9999] {
        for kind in [1, 2, 3, 4].map(PeriodKind::Quarter).into_iter().chain([
            PeriodKind::Half(1),
            PeriodKind::Half(2),
            PeriodKind::Year,
        ]) {
            let period = Period::new(year, kind).expect("valid");
            assert_eq!(period.key().parse::<Period>(), Ok(period));
            assert_eq!(period.year(), year);
            assert_eq!(period.kind(), kind);
        }
    }
}

#[test]
fn malformed_periods_and_report_ids_are_refused() {
    for key in [
        "",
        "2026-",
        "2026-Q",
        "2026-Q0",
        "2026-Q5",
        "2026-Q03",
        "2026-q3",
        "2026-H0",
        "2026-H3",
        "2026-Y",
        "26-Q1",
        "0999",
        "20266",
        "2026-Q3-x",
        " 2026",
    ] {
        let error = key.parse::<Period>().expect_err(key);
        assert_eq!(
            error,
            ReportError::InvalidPeriod {
                key: key.to_owned()
            }
        );
        assert!(error.message().vi.contains("2026-Q3") && error.message().en.contains("2026-Q3"));
    }
    assert!(Period::quarter(2026, 5).is_err());
    assert!(Period::half(2026, 0).is_err());
    assert!(serde_json::from_str::<Period>("\"2026-Q7\"").is_err());

    let id = report_id();
    assert_eq!(id.ward_code(), "00004");
    assert_eq!(id.period(), Period::quarter(2026, 3).expect("valid"));
    assert_eq!(id.to_string(), "00004:2026-Q3");
    assert_eq!(
        serde_json::to_string(&id).expect("serializes"),
        "\"00004:2026-Q3\""
    );
    for bad in [
        "",
        "00004",
        ":2026-Q3",
        "00004:",
        "00004:2026-Q9",
        "0 004:2026",
        "00004:2026:Q3",
        "a/b:2026",
    ] {
        assert_eq!(
            bad.parse::<ReportId>(),
            Err(ReportError::InvalidReportId { id: bad.to_owned() }),
            "{bad}"
        );
    }
}

// ---------------------------------------------------------------- fields

#[test]
fn field_keys_are_what_the_constructors_make() {
    assert_eq!(FieldKey::value("4.1").as_str(), "indicator/4.1/value");
    assert_eq!(FieldKey::note("4.1").as_str(), "indicator/4.1/note");
    assert_eq!(FieldKey::evidence("4.1").as_str(), "indicator/4.1/evidence");
    assert_eq!(FieldKey::narrative().as_str(), "narrative");
    assert_eq!(FieldKey::note("4.1").indicator_code(), Some("4.1"));
    assert_eq!(FieldKey::narrative().indicator_code(), None);
    assert!(FieldKey::value("4.1").holds_number());
    assert!(!FieldKey::evidence("4.1").holds_number());
    for key in [
        FieldKey::value("4.1"),
        FieldKey::note("a/b"),
        FieldKey::evidence("1"),
        FieldKey::narrative(),
    ] {
        assert_eq!(key.as_str().parse::<FieldKey>(), Ok(key.clone()));
    }
    for bad in [
        "",
        "indicator",
        "indicator/4.1",
        "indicator/4.1/total",
        "narrative/x",
        "value",
    ] {
        assert!(bad.parse::<FieldKey>().is_err(), "{bad}");
    }
}

#[test]
fn content_must_fit_its_field() {
    assert_eq!(value_edit(3.5, 1, 0, LAN).validate(), Ok(()));
    assert!(matches!(
        value_edit(f64::NAN, 1, 0, LAN).validate(),
        Err(ReportError::NumberExpected { .. })
    ));
    assert!(matches!(
        value_edit(f64::INFINITY, 1, 0, LAN).validate(),
        Err(ReportError::NumberExpected { .. })
    ));
    let text_in_value = edit(
        FieldKey::value("4.1"),
        FieldContent::Text("ba mươi".into()),
        1,
        0,
        LAN,
    );
    assert!(matches!(
        text_in_value.validate(),
        Err(ReportError::NumberExpected { .. })
    ));
    let number_in_note = edit(FieldKey::note("4.1"), FieldContent::Number(3.0), 1, 0, LAN);
    assert!(matches!(
        number_in_note.validate(),
        Err(ReportError::TextExpected { .. })
    ));
    for field in [FieldKey::value("4.1"), FieldKey::narrative()] {
        assert_eq!(
            edit(field, FieldContent::Cleared, 1, 0, LAN).validate(),
            Ok(())
        );
    }
}

#[test]
fn an_edit_travels_as_plain_json() {
    let original = value_edit(31.5, 1_000, 2, LAN);
    let json = serde_json::to_value(&original).expect("serializes");
    assert_eq!(json["report_id"], "00004:2026-Q3");
    assert_eq!(json["field"], "indicator/4.1/value");
    assert_eq!(json["content"]["type"], "number");
    assert_eq!(json["stamp"]["hlc"]["wall_ms"], 1_000);
    let back: FieldEdit = serde_json::from_value(json).expect("deserializes");
    assert_eq!(back, original);

    let state = fields_from(&[original.clone(), value_edit(30.0, 900, 0, MINH)]);
    let json = serde_json::to_string(&state).expect("serializes");
    assert_eq!(
        serde_json::from_str::<ReportFields>(&json).expect("deserializes"),
        state
    );
}

// ---------------------------------------------------------------- status

#[test]
fn only_the_report_lifes_transitions_are_allowed() {
    use ReportStatus::{Approved, Draft, Submitted};
    let all = [Draft, Submitted, Approved];
    for from in all {
        for to in all {
            let allowed = matches!(
                (from, to),
                (Draft, Submitted) | (Submitted, Draft) | (Submitted, Approved)
            );
            match transition(from, to) {
                Ok(status) => {
                    assert!(allowed, "{from:?} → {to:?}");
                    assert_eq!(status, to);
                }
                Err(error) => {
                    assert!(!allowed, "{from:?} → {to:?}");
                    assert_eq!(error, ReportError::TransitionNotAllowed { from, to });
                    let message = error.message();
                    assert!(
                        message.vi.contains(&from.label().vi)
                            && message.vi.contains(&to.label().vi)
                    );
                    assert!(
                        message.en.contains(&from.label().en)
                            && message.en.contains(&to.label().en)
                    );
                }
            }
        }
    }
    assert!(Approved.is_locked());
    assert!(!Draft.is_locked() && !Submitted.is_locked());
    assert_eq!(Approved.ensure_editable(), Err(ReportError::Locked));
    assert_eq!(Submitted.ensure_editable(), Ok(()));
    assert!(
        ReportError::Locked.to_string().contains(" / "),
        "both languages"
    );
}

#[test]
fn a_status_change_is_checked_against_the_status_the_server_holds() {
    use ReportStatus::{Approved, Draft, Submitted};
    let submit = ReportStatusChange {
        report_id: report_id(),
        from: Draft,
        to: Submitted,
    };
    assert_eq!(submit.apply_to(Draft), Ok(Submitted));
    assert_eq!(
        submit.apply_to(Submitted),
        Ok(Submitted),
        "a retried request is harmless"
    );
    assert_eq!(
        submit.apply_to(Approved),
        Err(ReportError::StatusChanged {
            expected: Draft,
            current: Approved
        }),
        "an approval made meanwhile is not undone"
    );
    let reopen = ReportStatusChange {
        report_id: report_id(),
        from: Approved,
        to: Draft,
    };
    assert_eq!(
        reopen.apply_to(Approved),
        Err(ReportError::TransitionNotAllowed {
            from: Approved,
            to: Draft
        })
    );
}
