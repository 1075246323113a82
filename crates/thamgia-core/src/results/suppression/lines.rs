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

/// Lists of indexes kept one after another in one vector, with where each
/// starts (compressed sparse rows): list `i` is
/// `values[offsets[i]..offsets[i + 1]]`. A survey's joint pattern has
/// hundreds of thousands of entries and lines; a `Vec` of its own for each
/// (a 24-byte header and an allocation with room to grow) and 8-byte
/// indexes cost several times the indexes themselves, all at once, while a
/// pattern is built.
#[derive(Debug, Clone)]
struct Flat {
    /// Where each list starts, and then where the last one ends: one more
    /// than there are lists, the first 0.
    offsets: Vec<u32>,
    values: Vec<u32>,
}

impl Default for Flat {
    fn default() -> Flat {
        Flat {
            offsets: vec![0],
            values: Vec::new(),
        }
    }
}

impl Flat {
    /// How many lists there are.
    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// List `list`.
    fn get(&self, list: usize) -> &[u32] {
        &self.values[self.offsets[list] as usize..self.offsets[list + 1] as usize]
    }

    /// Every list, in the order they were pushed.
    fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        self.offsets
            .windows(2)
            .map(|ends| &self.values[ends[0] as usize..ends[1] as usize])
    }

    /// Adds a list after the others.
    fn push(&mut self, list: impl IntoIterator<Item = u32>) {
        self.values.extend(list);
        self.offsets
            .push(to_u32(self.values.len(), "line members in all"));
    }

    /// For each index below `count`, the lists that hold it, in the order
    /// they were pushed, a list once for each time it holds the index: what
    /// pushing each list's number onto a vector per member, list after
    /// list, gives. Every value must be below `count`.
    fn transpose(&self, count: usize) -> Flat {
        // How many times each index is held, then where its list starts.
        let mut offsets = vec![0u32; count + 1];
        for value in &self.values {
            offsets[*value as usize + 1] += 1;
        }
        let mut sum = 0;
        for offset in &mut offsets {
            sum += *offset;
            *offset = sum;
        }
        let mut next: Vec<u32> = offsets[..count].to_vec();
        let mut values = vec![0u32; self.values.len()];
        for (list, members) in self.iter().enumerate() {
            let list = to_u32(list, "lines");
            for member in members {
                let at = &mut next[*member as usize];
                values[*at as usize] = list;
                *at += 1;
            }
        }
        Flat { offsets, values }
    }
}

/// `index` as the `u32` the lists are kept in; a pattern is far from 4
/// billion entries or line members (a million responses give some 400,000
/// entries and 2 million members), so more is a bug.
fn to_u32(index: usize, what: &str) -> u32 {
    u32::try_from(index)
        .unwrap_or_else(|_| panic!("a suppression pattern of more than u32::MAX {what}"))
}

/// How many of `line`'s members `marks` withholds (a member listed twice
/// counts twice).
fn count_withheld(line: &[u32], marks: &[Mark]) -> u32 {
    line.iter()
        .map(|member| u32::from(marks[*member as usize] != Mark::Published))
        .sum()
}

/// Entries and the lines that tie them.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    entries: Vec<Entry>,
    /// Each line's members (entry indexes) as given. Which lines an entry
    /// is in is worked out when suppressing, once every line is in.
    lines: Flat,
}

impl Lines {
    /// No entries yet.
    pub fn new() -> Lines {
        Lines::default()
    }

    /// Adds an entry and returns its index.
    pub fn entry(&mut self, entry: Entry) -> usize {
        let index = to_u32(self.entries.len(), "entries");
        self.entries.push(entry);
        index as usize
    }

    /// Adds a line over `members` (entry indexes; one of them is the sum
    /// of the others, which one does not matter here). A line of fewer
    /// than two entries ties nothing and is left out.
    pub fn line(&mut self, members: Vec<usize>) {
        if members.len() < 2 {
            return;
        }
        let count = self.entries.len();
        if let Some(member) = members.iter().find(|member| **member >= count) {
            panic!("a line over entry {member} of {count}");
        }
        // Below the number of entries, which `entry` keeps within `u32`.
        self.lines
            .push(members.into_iter().map(|member| member as u32));
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
        // The lines each entry is in, by line, from the lines as they are
        // now (a line added after an earlier call counts in the next).
        let member_of = self.lines.transpose(self.entries.len());
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
        let mut withheld: Vec<u32> = self
            .lines
            .iter()
            .map(|line| count_withheld(line, &marks))
            .collect();
        let mut open: BTreeSet<u32> = (0..to_u32(self.lines.len(), "lines"))
            .filter(|line| withheld[*line as usize] == 1)
            .collect();
        // Each complement withholds one more entry, so this ends within
        // the number of entries.
        while let Some(line) = open.pop_first() {
            if withheld[line as usize] != 1 {
                continue;
            }
            let rank = |member: u32| {
                // Its other lines: one left with a single withheld entry is
                // completed at once (best); one with none is started (worst).
                let others = member_of
                    .get(member as usize)
                    .iter()
                    .filter(|other| **other != line)
                    .map(|other| match withheld[*other as usize] {
                        1 => 0,
                        0 => 2,
                        _ => 1,
                    });
                others.min().unwrap_or(2)
            };
            let complement = self
                .lines
                .get(line as usize)
                .iter()
                .copied()
                .filter(|member| {
                    marks[*member as usize] == Mark::Published
                        && !self.entries[*member as usize].fixed
                })
                .min_by_key(|member| {
                    let entry = &self.entries[*member as usize];
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
            marks[complement as usize] = Mark::Complement;
            for other in member_of.get(complement as usize) {
                withheld[*other as usize] += 1;
                match withheld[*other as usize] {
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
        self.lines
            .iter()
            .all(|line| count_withheld(line, marks) != 1)
    }
}

#[cfg(test)]
mod tests;
