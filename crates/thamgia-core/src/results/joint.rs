//! Every scope of a survey's results suppressed together, so that no two
//! pages can be set against each other.
//!
//! A page's figures are sums of cells (one ward in one quarter): the city's
//! count of an answer is the sum of its wards', a year's the sum of its
//! halves', a half's of its quarters'. Suppressed page by page, a reader
//! holding the city's figure and every ward's but one could subtract and
//! find that ward's "< k". So the pages of every scope a results page
//! offers — each ward and the city, in each quarter, half and year that
//! holds responses, and over all time — are read as one system: each
//! figure of each page is an entry; its lines are the page's own (the
//! answers add up to "answered", see [`figures`](super::figures)) and the
//! lines across pages (the wards to the city, for each period and figure;
//! the quarters to their half and year, the halves to their year, the years
//! to all time, for each ward or the city and figure). The rule of
//! [`suppression`](super::suppression) then runs once over all of it, and
//! each page is published with its part of that one pattern.
//!
//! A complement is taken first from figures never printed, then from the
//! narrowest scope (a ward before the city, a quarter before a year), then
//! as within a table. A figure a page does not list (a month nobody
//! answered there) is a known zero, and a free-text question's "answered"
//! is given away by its list of answers (the words are always shown, see
//! `suppression`): neither is ever a complement.
//!
//! A histogram's bars are in the pattern when every cell has the same
//! edges (a question that bounds its answers); otherwise no page's bars
//! add up to another's, and each page's stand on their own. Each table
//! beside the results (a split, who took part) has a pattern of its own
//! over every scope, linked to this one ([`JointPattern::compute_linked`]).
//! What this does not cover: differences between the pattern of today and
//! of yesterday (figures that change as responses arrive).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::figures::{cell_lines, lines_within, Figure, Figures};
use super::suppression::lines::{Cost, Entry, Lines, Mark};
use super::suppression::Threshold;
use crate::report::{Period, PeriodLength};

/// Which of a page's figures are withheld, and why; a figure not named is
/// shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageMarks {
    marks: HashMap<Figure, Mark>,
    /// The number questions whose histogram bars the pattern holds (their
    /// edges the same in every cell); the others' bars are the page's own.
    bars: BTreeSet<u32>,
}

impl PageMarks {
    /// The mark of `figure`.
    pub fn of(&self, figure: &Figure) -> Mark {
        self.marks.get(figure).copied().unwrap_or(Mark::Published)
    }

    /// Whether the pattern holds question `q`'s histogram bars.
    pub fn holds_bars(&self, q: u32) -> bool {
        self.bars.contains(&q)
    }

    /// The marks of one page suppressed on its own (no other scope is
    /// published beside it).
    pub fn alone(figures: &Figures, threshold: Threshold) -> PageMarks {
        let pattern = JointPattern::compute([(None, None, figures)], threshold);
        pattern.marks(None, None)
    }
}

/// A page: a ward (`None`: the city) in a period (`None`: all time).
type Scope = (Option<String>, Option<Period>);

/// The one pattern of every scope's page.
#[derive(Debug, Clone, Default)]
pub struct JointPattern {
    layout: Vec<Figure>,
    index: HashMap<Figure, usize>,
    pages: HashMap<Scope, usize>,
    marks: Vec<Mark>,
    /// The number questions whose bars are in the pattern.
    bars: BTreeSet<u32>,
}

/// A pattern already made that shares figures with the one being made.
pub struct Link<'a> {
    /// The pattern made first (the survey's results).
    pub pattern: &'a JointPattern,
    /// The figure of `pattern` that a figure of the new one equals, if any
    /// (a split's row total is the question's count of that answer).
    pub same_as: &'a dyn Fn(&Figure) -> Option<Figure>,
}

/// How wide a period is: quarter 0 to all time 3.
fn period_breadth(period: Option<Period>) -> u8 {
    match period.map(|period| period.kind().length()) {
        Some(PeriodLength::Quarter) => 0,
        Some(PeriodLength::Half) => 1,
        Some(PeriodLength::Year) => 2,
        None => 3,
    }
}

/// The periods containing `quarter`, narrowest first: itself, its half,
/// its year and all time.
fn periods_of(quarter: Option<Period>) -> Vec<Option<Period>> {
    let Some(quarter) = quarter else {
        return vec![None];
    };
    let (start, _) = quarter.dates();
    let mut periods = vec![Some(quarter)];
    for length in [PeriodLength::Half, PeriodLength::Year] {
        if let Some(period) = Period::containing(start, length) {
            if Some(period) != periods.last().copied().flatten() {
                periods.push(Some(period));
            }
        }
    }
    periods.push(None);
    periods
}

impl JointPattern {
    /// The pattern of every page made of `cells`: each a ward and a
    /// quarter (a page of its own when both are `None`) with its figures.
    pub fn compute<'a>(
        cells: impl IntoIterator<Item = (Option<&'a str>, Option<Period>, &'a Figures)>,
        threshold: Threshold,
    ) -> JointPattern {
        Self::build(cells, threshold, None).0
    }

    /// The pattern of a table beside the results (a split, who took part)
    /// made of `cells` like [`Self::compute`], sharing figures with the
    /// results' pattern as `link` says: a figure withheld there is withheld
    /// here, one shown there is never hidden here. `None` when that leaves
    /// a withheld figure alone on a line (the table would give it away
    /// beside the results, or the results beside it): the table is not
    /// published.
    pub fn compute_linked<'a>(
        cells: impl IntoIterator<Item = (Option<&'a str>, Option<Period>, &'a Figures)>,
        threshold: Threshold,
        link: Link<'_>,
    ) -> Option<JointPattern> {
        let (pattern, settled) = Self::build(cells, threshold, Some(link));
        settled.then_some(pattern)
    }

    /// The mark of `figure` on the page of `ward` in `period`.
    pub fn mark_of(&self, ward: Option<&str>, period: Option<Period>, figure: &Figure) -> Mark {
        let page = self.pages.get(&(ward.map(str::to_owned), period));
        match (page, self.index.get(figure)) {
            (Some(page), Some(at)) => self.marks[page * self.layout.len() + at],
            _ => Mark::Published,
        }
    }

    fn build<'a>(
        cells: impl IntoIterator<Item = (Option<&'a str>, Option<Period>, &'a Figures)>,
        threshold: Threshold,
        link: Option<Link<'_>>,
    ) -> (JointPattern, bool) {
        // A cell of nothing but zeros (every response withdrawn) is left
        // out, so the pattern is the same with it or without.
        let cells: Vec<(Option<&str>, Option<Period>, &Figures)> = cells
            .into_iter()
            .filter(|(_, _, figures)| figures.counts.values().any(|count| *count > 0))
            .collect();
        // A histogram's bars add up across cells only when every cell that
        // has them has the same edges; the others stay out.
        let mut edges: BTreeMap<u32, BTreeSet<Vec<&str>>> = BTreeMap::new();
        for (_, _, figures) in &cells {
            let mut of_cell: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
            for figure in figures.counts.keys() {
                if let Figure::Bar(q, key) = figure {
                    of_cell.entry(*q).or_default().push(key);
                }
            }
            for (q, keys) in of_cell {
                edges.entry(q).or_default().insert(keys);
            }
        }
        let bars: BTreeSet<u32> = edges
            .into_iter()
            .filter(|(_, seen)| seen.len() == 1)
            .map(|(q, _)| q)
            .collect();
        let kept = |figure: &&Figure| match figure {
            Figure::Bar(q, _) => bars.contains(q),
            _ => true,
        };
        let layout: Vec<Figure> = cells
            .iter()
            .flat_map(|(_, _, figures)| figures.counts.keys().filter(kept))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .cloned()
            .collect();
        let index: HashMap<&Figure, usize> = layout
            .iter()
            .enumerate()
            .map(|(at, figure)| (figure, at))
            .collect();
        let width = layout.len();
        let known: BTreeSet<&Figure> = cells
            .iter()
            .flat_map(|(_, _, figures)| figures.known.iter())
            .collect();

        // Each page's counts, and which figures it lists, as sums of its
        // cells'.
        let mut pages: BTreeMap<Scope, usize> = BTreeMap::new();
        let mut values: Vec<u64> = Vec::new();
        let mut listed: Vec<bool> = Vec::new();
        for (ward, quarter, figures) in &cells {
            let wards = if ward.is_some() {
                vec![ward.map(str::to_owned), None]
            } else {
                vec![None]
            };
            for ward in &wards {
                for period in periods_of(*quarter) {
                    let next = pages.len();
                    let page = *pages.entry((ward.clone(), period)).or_insert(next);
                    if page == next {
                        values.resize(values.len() + width, 0);
                        listed.resize(listed.len() + width, false);
                    }
                    for (figure, count) in &figures.counts {
                        if let Some(at) = index.get(figure) {
                            values[page * width + at] += count;
                            listed[page * width + at] = true;
                        }
                    }
                }
            }
        }

        let mut lines = Lines::new();
        let mut hidden = Vec::new();
        let mut scopes: Vec<&Scope> = vec![&(None, None); pages.len()];
        for (scope, page) in &pages {
            scopes[*page] = scope;
        }
        for (page, (ward, period)) in scopes.iter().enumerate() {
            let breadth = period_breadth(*period) + if ward.is_none() { 4 } else { 0 };
            for (at, figure) in layout.iter().enumerate() {
                // What the linked pattern shows of the same figure.
                let linked = link.as_ref().and_then(|link| {
                    let same = (link.same_as)(figure)?;
                    Some(link.pattern.mark_of(ward.as_deref(), *period, &same))
                });
                if linked.is_some_and(|mark| mark != Mark::Published) {
                    hidden.push(page * width + at);
                }
                let shown_elsewhere = linked == Some(Mark::Published);
                lines.entry(Entry {
                    value: values[page * width + at],
                    cost: Cost {
                        known: known.contains(figure),
                        printed: figure.printed(),
                        breadth,
                        total: figure.is_total(),
                    },
                    // A figure given away elsewhere (a free-text
                    // question's list of answers shows how many there are)
                    // protects nothing by being hidden.
                    fixed: !listed[page * width + at] || known.contains(figure) || shown_elsewhere,
                });
            }
        }
        // Within each page.
        let figure_set: BTreeSet<Figure> = layout.iter().cloned().collect();
        let indexes = |lines: Vec<Vec<Figure>>| -> Vec<Vec<usize>> {
            lines
                .into_iter()
                .map(|line| {
                    line.iter()
                        .filter_map(|figure| index.get(figure).copied())
                        .collect()
                })
                .collect()
        };
        let within = indexes(lines_within(&figure_set));
        let cells_only = if cells.iter().any(|(_, _, figures)| figures.shared_totals) {
            indexes(cell_lines(&figure_set))
        } else {
            Vec::new()
        };
        for page in 0..pages.len() {
            for line in &within {
                lines.line(line.iter().map(|at| page * width + at).collect());
            }
            // A cell a page does not list is a zero its reader knows (the
            // other wards' columns of a ward's split by ward): it protects
            // nothing, and a line left with one cell is that cell's total.
            for line in &cells_only {
                lines.line(
                    line.iter()
                        .map(|at| page * width + at)
                        .filter(|entry| listed[*entry])
                        .collect(),
                );
            }
        }
        // Across pages: each group is a sum and its parts.
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut wards_of: BTreeMap<Option<Period>, Vec<usize>> = BTreeMap::new();
        let mut parts_of: BTreeMap<(Option<String>, Option<Period>), Vec<usize>> = BTreeMap::new();
        let mut quarters_of_year: BTreeMap<(Option<String>, Option<Period>), Vec<usize>> =
            BTreeMap::new();
        for ((ward, period), page) in &pages {
            if ward.is_some() {
                wards_of.entry(*period).or_default().push(*page);
            }
            let Some(period) = period else { continue };
            let containing = periods_of(Some(*period));
            // The period just wider than this one (a quarter's half, a
            // half's year, a year's all time), of the same place.
            let length = period.kind().length();
            let parent = match length {
                PeriodLength::Quarter => Period::containing(period.dates().0, PeriodLength::Half),
                PeriodLength::Half => Period::containing(period.dates().0, PeriodLength::Year),
                PeriodLength::Year => None,
            };
            parts_of
                .entry((ward.clone(), parent))
                .or_default()
                .push(*page);
            if length == PeriodLength::Quarter {
                if let Some(year) = containing
                    .iter()
                    .flatten()
                    .find(|wider| wider.kind().length() == PeriodLength::Year)
                {
                    quarters_of_year
                        .entry((ward.clone(), Some(*year)))
                        .or_default()
                        .push(*page);
                }
            }
        }
        for (period, wards) in wards_of {
            if let Some(city) = pages.get(&(None, period)) {
                groups.push((*city, wards));
            }
        }
        for (whole, parts) in parts_of.into_iter().chain(quarters_of_year) {
            if let Some(whole) = pages.get(&whole) {
                groups.push((*whole, parts));
            }
        }
        for (whole, parts) in &groups {
            for at in 0..width {
                let mut line = vec![whole * width + at];
                line.extend(parts.iter().map(|part| part * width + at));
                lines.line(line);
            }
        }

        let marks = lines.suppress(threshold, &hidden);
        let settled = lines.settled(&marks);
        let index = layout
            .iter()
            .enumerate()
            .map(|(at, figure)| (figure.clone(), at))
            .collect();
        let pattern = JointPattern {
            layout,
            index,
            pages: pages.into_iter().collect(),
            marks,
            bars,
        };
        (pattern, settled)
    }

    /// The marks of the page of `ward` (`None`: the city) in `period`
    /// (`None`: all time); a page of no response has nothing withheld.
    pub fn marks(&self, ward: Option<&str>, period: Option<Period>) -> PageMarks {
        let Some(page) = self.pages.get(&(ward.map(str::to_owned), period)) else {
            return PageMarks::default();
        };
        let width = self.layout.len();
        PageMarks {
            bars: self.bars.clone(),
            marks: self
                .layout
                .iter()
                .enumerate()
                .filter_map(|(at, figure)| {
                    let mark = self.marks[page * width + at];
                    (mark != Mark::Published).then(|| (figure.clone(), mark))
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
