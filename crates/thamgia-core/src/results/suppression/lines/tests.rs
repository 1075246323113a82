use super::*;

fn plain(lines: &mut Lines, values: &[u64]) -> Vec<usize> {
    values
        .iter()
        .map(|value| {
            lines.entry(Entry {
                value: *value,
                cost: Cost::default(),
                fixed: false,
            })
        })
        .collect()
}

#[test]
fn a_small_entry_gets_a_partner_in_each_of_its_lines() {
    // Two lines sharing entry 0 (3): each needs one more withheld.
    let mut lines = Lines::new();
    let entries = plain(&mut lines, &[3, 10, 13, 7, 10]);
    lines.line(vec![entries[0], entries[1], entries[2]]);
    lines.line(vec![entries[0], entries[3], entries[4]]);
    let marks = lines.suppress(Threshold::DEFAULT, &[]);
    assert_eq!(marks[0], Mark::Primary);
    assert_eq!(marks[1], Mark::Complement, "the smaller of 10 and 13");
    assert_eq!(marks[3], Mark::Complement, "the smaller of 7 and 10");
    assert_eq!(marks[2], Mark::Published);
    assert_eq!(marks[4], Mark::Published);
}

#[test]
fn a_cheaper_entry_is_hidden_before_a_smaller_one() {
    let mut lines = Lines::new();
    let small = plain(&mut lines, &[2])[0];
    let printed = lines.entry(Entry {
        value: 6,
        cost: Cost {
            printed: true,
            ..Cost::default()
        },
        fixed: false,
    });
    let remainder = lines.entry(Entry {
        value: 40,
        cost: Cost::default(),
        fixed: false,
    });
    lines.line(vec![small, printed, remainder]);
    let marks = lines.suppress(Threshold::DEFAULT, &[]);
    assert_eq!(marks[remainder], Mark::Complement);
    assert_eq!(marks[printed], Mark::Published);
}

#[test]
fn a_fixed_entry_is_never_a_complement() {
    let mut lines = Lines::new();
    let entries = plain(&mut lines, &[3, 0, 20, 23]);
    let zero = lines.entry(Entry {
        value: 0,
        cost: Cost::default(),
        fixed: true,
    });
    lines.line(vec![entries[0], zero, entries[2], entries[3]]);
    let marks = lines.suppress(Threshold::DEFAULT, &[]);
    assert_eq!(marks[zero], Mark::Published);
    assert_eq!(marks[entries[2]], Mark::Complement);
}

#[test]
fn entries_hidden_beforehand_are_completed_too() {
    let mut lines = Lines::new();
    let entries = plain(&mut lines, &[30, 10, 40]);
    lines.line(entries.clone());
    let marks = lines.suppress(Threshold::DEFAULT, &[entries[2]]);
    assert_eq!(
        marks,
        vec![Mark::Published, Mark::Complement, Mark::Complement]
    );
}

use crate::test_random::Xorshift as Generator;

/// Entries, lines over them and entries hidden beforehand, drawn from
/// `seed`: members are drawn with repeats, some lines have fewer than
/// two, some hidden indexes are past the last entry.
struct Input {
    entries: Vec<Entry>,
    lines: Vec<Vec<usize>>,
    hidden: Vec<usize>,
}

fn drawn(seed: u64) -> Input {
    let mut generator = Generator(0x9E37_79B9_7F4A_7C15 ^ seed);
    let count = generator.below(40);
    let mut entries = Vec::new();
    for _ in 0..count {
        entries.push(Entry {
            value: generator.below(15),
            cost: Cost {
                known: generator.below(6) == 0,
                printed: generator.below(2) == 0,
                breadth: generator.below(3) as u8,
                total: generator.below(4) == 0,
            },
            fixed: generator.below(8) == 0,
        });
    }
    let mut lines = Vec::new();
    if count > 0 {
        for _ in 0..generator.below(60) {
            let mut line = Vec::new();
            for _ in 0..generator.below(7) {
                line.push(generator.below(count) as usize);
            }
            lines.push(line);
        }
    }
    let mut hidden = Vec::new();
    for _ in 0..generator.below(5) {
        hidden.push(generator.below(count + 2) as usize);
    }
    Input {
        entries,
        lines,
        hidden,
    }
}

/// The lines kept and the lines each entry is in, as a vector each
/// (how `Lines` kept them before they were flattened).
fn listed(input: &Input) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let mut lines: Vec<Vec<usize>> = Vec::new();
    let mut member_of = vec![Vec::new(); input.entries.len()];
    for line in &input.lines {
        if line.len() < 2 {
            continue;
        }
        for member in line {
            member_of[*member].push(lines.len());
        }
        lines.push(line.clone());
    }
    (lines, member_of)
}

/// The search over lists of lists, as it was before they were
/// flattened.
fn suppress_listed(
    entries: &[Entry],
    lines: &[Vec<usize>],
    member_of: &[Vec<usize>],
    threshold: Threshold,
    hidden: &[usize],
) -> Vec<Mark> {
    let mut marks: Vec<Mark> = entries
        .iter()
        .map(|entry| {
            if threshold.is_small(entry.value) {
                Mark::Primary
            } else {
                Mark::Published
            }
        })
        .collect();
    for index in hidden {
        if marks.get(*index) == Some(&Mark::Published) {
            marks[*index] = Mark::Complement;
        }
    }
    let mut withheld: Vec<usize> = lines
        .iter()
        .map(|line| {
            line.iter()
                .filter(|member| marks[**member] != Mark::Published)
                .count()
        })
        .collect();
    let mut open: BTreeSet<usize> = (0..lines.len())
        .filter(|line| withheld[*line] == 1)
        .collect();
    while let Some(line) = open.pop_first() {
        if withheld[line] != 1 {
            continue;
        }
        let rank = |member: usize| {
            member_of[member]
                .iter()
                .filter(|other| **other != line)
                .map(|other| match withheld[*other] {
                    1 => 0,
                    0 => 2,
                    _ => 1,
                })
                .min()
                .unwrap_or(2)
        };
        let complement = lines[line]
            .iter()
            .copied()
            .filter(|member| marks[*member] == Mark::Published && !entries[*member].fixed)
            .min_by_key(|member| {
                let entry = &entries[*member];
                (
                    entry.cost,
                    entry.value == 0,
                    rank(*member),
                    entry.value,
                    *member,
                )
            });
        let Some(complement) = complement else {
            continue;
        };
        marks[complement] = Mark::Complement;
        for other in &member_of[complement] {
            withheld[*other] += 1;
            match withheld[*other] {
                1 => {
                    open.insert(*other);
                }
                _ => {
                    open.remove(other);
                }
            }
        }
    }
    marks
}

fn settled_listed(lines: &[Vec<usize>], marks: &[Mark]) -> bool {
    lines.iter().all(|line| {
        line.iter()
            .filter(|member| marks[**member] != Mark::Published)
            .count()
            != 1
    })
}

fn widened(flat: &Flat) -> Vec<Vec<usize>> {
    flat.iter()
        .map(|list| list.iter().map(|at| *at as usize).collect())
        .collect()
}

#[test]
fn flat_lines_hold_what_lists_of_lists_held() {
    for seed in 0..300 {
        let input = drawn(seed);
        let mut lines = Lines::new();
        for entry in &input.entries {
            lines.entry(*entry);
        }
        for line in &input.lines {
            lines.line(line.clone());
        }
        let (listed_lines, member_of) = listed(&input);
        assert_eq!(widened(&lines.lines), listed_lines, "seed {seed}");
        let flat_member_of = lines.lines.transpose(input.entries.len());
        assert_eq!(widened(&flat_member_of), member_of, "seed {seed}");
    }
}

#[test]
fn flat_lines_suppress_as_lists_of_lists_did() {
    for seed in 0..300 {
        let input = drawn(seed);
        let (listed_lines, member_of) = listed(&input);
        let mut lines = Lines::new();
        for entry in &input.entries {
            lines.entry(*entry);
        }
        // Half the lines, a search, then the rest: a line added after
        // a search counts in the next one.
        let half = input.lines.len() / 2;
        for line in &input.lines[..half] {
            lines.line(line.clone());
        }
        lines.suppress(Threshold::DEFAULT, &input.hidden);
        for line in &input.lines[half..] {
            lines.line(line.clone());
        }
        for threshold in [Threshold::DEFAULT, Threshold::new(3), Threshold::new(11)] {
            let marks = lines.suppress(threshold, &input.hidden);
            let expected = suppress_listed(
                &input.entries,
                &listed_lines,
                &member_of,
                threshold,
                &input.hidden,
            );
            assert_eq!(marks, expected, "seed {seed}, k {}", threshold.k());
            let settled = settled_listed(&listed_lines, &expected);
            assert_eq!(lines.settled(&marks), settled, "seed {seed}");
        }
    }
}

#[test]
#[should_panic(expected = "a line over entry 2 of 2")]
fn a_line_over_a_missing_entry_is_refused() {
    let mut lines = Lines::new();
    let entries = plain(&mut lines, &[3, 10]);
    lines.line(vec![entries[0], entries[1], 2]);
}
