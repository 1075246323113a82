//! The search for complements over any set of *lines* — groups of entries
//! one of which is the sum of the others — shared by a table with its
//! totals ([`super::grid`]) and by every scope of a survey's results
//! suppressed together ([`crate::results::joint`]). The rule is the parent
//! module's: until every line holding a withheld entry holds at least two,
//! one more entry of a line holding only one is hidden.

use std::collections::BTreeSet;

use super::Threshold;

/// Which entries are withheld, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mark {
    /// Shown (or, for an entry never printed, free to be worked out).
    Published,
    /// A count from 1 to k − 1.
    Primary,
    /// Hidden so that a withheld count cannot be recovered.
    Complement,
}

/// What a complement costs, compared in this order (less is chosen
/// first); ties go to the entry listed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cost {
    /// Shown or given away elsewhere: hidden here only when nothing else
    /// is left.
    pub known: bool,
    /// Shown: an entry never printed (a remainder) costs nothing to hide.
    pub printed: bool,
    /// How wide the entry's scope is (a ward in a quarter is 0, the city
    /// over all time the most): the wider the figure, the more it is read.
    pub breadth: u8,
    /// A total rather than a cell.
    pub total: bool,
}

/// One entry: its count, what hiding it costs, and whether it may be a
/// complement at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The count.
    pub value: u64,
    /// What hiding it costs.
    pub cost: Cost,
    /// Never chosen as a complement (a zero a page does not list: hiding
    /// it would hide nothing, the reader knows it is zero).
    pub fixed: bool,
}

/// Entries and the lines that tie them.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    entries: Vec<Entry>,
    lines: Vec<Vec<usize>>,
    member_of: Vec<Vec<usize>>,
}

impl Lines {
    /// No entries yet.
    pub fn new() -> Lines {
        Lines::default()
    }

    /// Adds an entry and returns its index.
    pub fn entry(&mut self, entry: Entry) -> usize {
        self.entries.push(entry);
        self.member_of.push(Vec::new());
        self.entries.len() - 1
    }

    /// Adds a line over `members` (entry indexes; one of them is the sum
    /// of the others, which one does not matter here). A line of fewer
    /// than two entries ties nothing and is left out.
    pub fn line(&mut self, members: Vec<usize>) {
        if members.len() < 2 {
            return;
        }
        let index = self.lines.len();
        for member in &members {
            self.member_of[*member].push(index);
        }
        self.lines.push(members);
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Which entries are withheld: the small ones, those in `hidden`, and
    /// complements until no line holds exactly one withheld entry. When
    /// every other entry of such a line is `fixed`, it stays so: a fixed
    /// zero cannot leave it so (the sum of a small count and zeros is
    /// small), a figure given away elsewhere can, and then hiding would
    /// protect nothing. Lines are completed in the order they were added,
    /// the lowest first, each time.
    pub fn suppress(&self, threshold: Threshold, hidden: &[usize]) -> Vec<Mark> {
        let mut marks: Vec<Mark> = self
            .entries
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
        let mut withheld: Vec<usize> = self
            .lines
            .iter()
            .map(|line| {
                line.iter()
                    .filter(|member| marks[**member] != Mark::Published)
                    .count()
            })
            .collect();
        let mut open: BTreeSet<usize> = (0..self.lines.len())
            .filter(|line| withheld[*line] == 1)
            .collect();
        // Each complement withholds one more entry, so this ends within
        // the number of entries.
        while let Some(line) = open.pop_first() {
            if withheld[line] != 1 {
                continue;
            }
            let rank = |member: usize| {
                // Its other lines: one left with a single withheld entry is
                // completed at once (best); one with none is started (worst).
                let others = self.member_of[member]
                    .iter()
                    .filter(|other| **other != line)
                    .map(|other| match withheld[*other] {
                        1 => 0,
                        0 => 2,
                        _ => 1,
                    });
                others.min().unwrap_or(2)
            };
            let complement = self.lines[line]
                .iter()
                .copied()
                .filter(|member| marks[*member] == Mark::Published && !self.entries[*member].fixed)
                .min_by_key(|member| {
                    let entry = &self.entries[*member];
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
            for other in &self.member_of[complement] {
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
}

impl Lines {
    /// Whether no line holds exactly one withheld entry under `marks`.
    pub fn settled(&self, marks: &[Mark]) -> bool {
        self.lines.iter().all(|line| {
            line.iter()
                .filter(|member| marks[**member] != Mark::Published)
                .count()
                != 1
        })
    }
}

#[cfg(test)]
mod tests {
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
}
