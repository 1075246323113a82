//! A survey's results as *figures*: every count a results page shows (or
//! gives away, as a remainder can be worked out), named the same way on
//! every scope's page, and the *lines* that tie them within a page (one
//! figure of each line is the sum of the others). Figures of the same name
//! add up across scopes (a ward's quarters to its year, the wards to the
//! city), which is what [`joint`](super::joint) suppresses together.
//!
//! A histogram's bars are figures named by their edges ([`Figure::Bar`]).
//! Edges follow each scope's own answers unless the question bounds them,
//! so bars of two scopes add up only when every cell has the same edges;
//! [`joint`](super::joint) takes them into its pattern only then, and a
//! page publishes its bars on their own otherwise. A range's "I don't
//! know" is one more bar of its histogram ([`DONT_KNOW_BAR`]): with the
//! bars it adds up to the children who answered, and it is suppressed with
//! them, in the joint pattern or on the page alone.

use std::collections::{BTreeMap, BTreeSet};

use super::distribution::Distribution;
use super::table::CrossTable;
use super::SurveyResults;

/// Where children stood on one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Standing {
    /// Asked and answered.
    Answered,
    /// Asked, no answer.
    Skipped,
    /// Not asked.
    NotAsked,
    /// An answer that does not fit the kind.
    Unreadable,
    /// Answered another version.
    NotInVersion,
}

impl Standing {
    /// Every standing, in the order a page lists them.
    pub const ALL: [Standing; 5] = [
        Standing::Answered,
        Standing::Skipped,
        Standing::NotAsked,
        Standing::Unreadable,
        Standing::NotInVersion,
    ];
}

/// One count of a survey's results, by what it counts. Questions are
/// numbered in the results' order (the same on every scope of one survey).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Figure {
    /// Children whose responses count.
    Respondents,
    /// Of them, those of a version the results know (never printed).
    KnownVersion,
    /// Of them, those of a version no definition was given for.
    UnknownVersion,
    /// Where children stood on question `.0`.
    Standing(u32, Standing),
    /// Children giving answer `.1` (a choice, a month, a scale point; "0"
    /// is a scale's "I don't know") to question `.0`.
    Answer(u32, String),
    /// Answers to number question `.0` in the histogram bar `.1` ("from –
    /// to").
    Bar(u32, String),
    /// Children choosing option `.1` of a multiple-choice question.
    Chose(u32, String),
    /// Children who answered without choosing it (never printed).
    NotChose(u32, String),
    /// Children ranking option `.1` at place `.2` (from 1).
    Position(u32, String, u32),
    /// Children ranking option `.1` at all.
    Ranked(u32, String),
    /// Children's options at place `.1` (from 2; place 1 is "answered";
    /// never printed).
    PlaceTotal(u32, u32),
    /// Every place given (never printed).
    RankTotal(u32),
    /// A cell of a table beside the results (a split, who took part): its
    /// row's and column's keys.
    Cell(String, String),
    /// A table's row total.
    RowTotal(String),
    /// A table's column total.
    ColumnTotal(String),
    /// A table's total.
    TableTotal,
}

impl Figure {
    /// Whether a page prints it (others are remainders a reader can work
    /// out, hidden at no cost).
    pub fn printed(&self) -> bool {
        !matches!(
            self,
            Figure::KnownVersion
                | Figure::NotChose(..)
                | Figure::PlaceTotal(..)
                | Figure::RankTotal(_)
        )
    }

    /// Whether it is only ever a sum (a total rather than a cell), the
    /// later choice of a complement. "Answered" is a cell among where
    /// children stood, though its answers add up to it.
    pub fn is_total(&self) -> bool {
        matches!(
            self,
            Figure::Respondents
                | Figure::Ranked(..)
                | Figure::PlaceTotal(..)
                | Figure::RankTotal(_)
                | Figure::RowTotal(_)
                | Figure::ColumnTotal(_)
                | Figure::TableTotal
        )
    }
}

/// The figures of one page, and the figures it shows regardless of any
/// count (a free-text question's "answered": its list of answers gives it
/// away).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Every figure the page lists, zeros included.
    pub counts: BTreeMap<Figure, u64>,
    /// Figures given away whatever is hidden.
    pub known: BTreeSet<Figure>,
    /// A table whose totals other tables print too (every dimension a
    /// participant's attribute: how many girls answered is the column
    /// total of each split by sex of a question they all answered, and of
    /// who took part): its cells are protected as if its row and column
    /// totals were known ([`cell_lines`]). Not a split by ward or month,
    /// whose columns are the results' own scopes or parts of them (a
    /// ward's column of a split by ward is its results), protected by the
    /// results' pattern they are linked to.
    pub shared_totals: bool,
}

/// The figures of `results` (every count but a histogram's bars).
pub fn figures_of(results: &SurveyResults) -> Figures {
    let mut figures = Figures::default();
    let counts = &mut figures.counts;
    counts.insert(Figure::Respondents, results.respondents);
    counts.insert(
        Figure::KnownVersion,
        results.respondents.saturating_sub(results.unknown_version),
    );
    counts.insert(Figure::UnknownVersion, results.unknown_version);
    for (index, question) in results.questions.iter().enumerate() {
        let q = u32::try_from(index).unwrap_or(u32::MAX);
        let standings = [
            question.answered,
            question.skipped,
            question.not_asked,
            question.unreadable,
            question.not_in_version,
        ];
        for (standing, count) in Standing::ALL.into_iter().zip(standings) {
            counts.insert(Figure::Standing(q, standing), count);
        }
        match &question.distribution {
            Distribution::Categories { categories: listed }
            | Distribution::Months { months: listed } => {
                for count in listed {
                    counts.insert(Figure::Answer(q, count.category.key.clone()), count.count);
                }
            }
            Distribution::Scale {
                counts: points,
                declined,
                ..
            } => {
                for (point, count) in points.iter().enumerate() {
                    counts.insert(Figure::Answer(q, (point + 1).to_string()), *count);
                }
                if let Some(declined) = declined {
                    counts.insert(Figure::Answer(q, "0".to_owned()), *declined);
                }
            }
            Distribution::Choices { options } => {
                for option in options {
                    let key = option.category.key.clone();
                    counts.insert(Figure::Chose(q, key.clone()), option.count);
                    counts.insert(
                        Figure::NotChose(q, key),
                        question.answered.saturating_sub(option.count),
                    );
                }
            }
            Distribution::Ranking { options } => {
                let places = options
                    .iter()
                    .map(|option| option.positions.len())
                    .max()
                    .unwrap_or(0);
                let mut place_totals = vec![0_u64; places];
                for option in options {
                    let key = &option.category.key;
                    for (place, total) in place_totals.iter_mut().enumerate() {
                        let count = option.positions.get(place).copied().unwrap_or(0);
                        *total += count;
                        let number = u32::try_from(place + 1).unwrap_or(u32::MAX);
                        counts.insert(Figure::Position(q, key.clone(), number), count);
                    }
                    counts.insert(Figure::Ranked(q, key.clone()), option.ranked());
                }
                for (place, total) in place_totals.iter().enumerate().skip(1) {
                    let number = u32::try_from(place + 1).unwrap_or(u32::MAX);
                    counts.insert(Figure::PlaceTotal(q, number), *total);
                }
                counts.insert(Figure::RankTotal(q), place_totals.iter().sum());
            }
            Distribution::FreeText { .. } => {
                figures
                    .known
                    .insert(Figure::Standing(q, Standing::Answered));
            }
            Distribution::Numbers { bins, declined, .. } => {
                for bin in bins {
                    counts.insert(Figure::Bar(q, bar_key(bin.from, bin.to)), bin.count);
                }
                if let Some(declined) = declined {
                    counts.insert(Figure::Bar(q, DONT_KNOW_BAR.to_owned()), *declined);
                }
            }
        }
    }
    figures
}

/// The name of the bar of a range's "I don't know / I'd rather not say"
/// (no edges are written so).
pub const DONT_KNOW_BAR: &str = "dont_know";

/// The name of a histogram bar.
pub fn bar_key(from: f64, to: f64) -> String {
    format!("{from} – {to}")
}

/// The figures of a table with its totals (every cell listed).
pub fn figures_of_table(table: &CrossTable) -> Figures {
    let mut figures = Figures::default();
    let counts = &mut figures.counts;
    for (row, cells) in table.rows.iter().zip(&table.cells) {
        for (column, count) in table.columns.iter().zip(cells) {
            counts.insert(Figure::Cell(row.key.clone(), column.key.clone()), *count);
        }
    }
    for (row, total) in table.rows.iter().zip(&table.row_totals) {
        counts.insert(Figure::RowTotal(row.key.clone()), *total);
    }
    for (column, total) in table.columns.iter().zip(&table.column_totals) {
        counts.insert(Figure::ColumnTotal(column.key.clone()), *total);
    }
    counts.insert(Figure::TableTotal, table.total);
    figures
}

/// Each row's and each column's cells of a table among `figures`, without
/// their total. Other tables print the same totals under their own names
/// (how many girls answered a question is the column total of each split
/// by sex of a question they all answered, and of who took part), each
/// under its own pattern, so one may show a total another hides: a line's
/// cells are protected as if its total were known (a withheld cell has
/// another withheld cell beside it), not by hiding the total. These are
/// not equations (no member is the sum of the others), only lines for the
/// search for complements. A split by two attributes (columns `"x|y"`)
/// also has, in each row, the cells of one first category and those of
/// one second category: they add up to a cell of the split by that one
/// attribute, another table.
pub fn cell_lines(figures: &BTreeSet<Figure>) -> Vec<Vec<Figure>> {
    let mut rows: BTreeMap<&str, Vec<Figure>> = BTreeMap::new();
    let mut columns: BTreeMap<&str, Vec<Figure>> = BTreeMap::new();
    let mut parts: BTreeMap<(&str, bool, &str), Vec<Figure>> = BTreeMap::new();
    for figure in figures {
        if let Figure::Cell(row, column) = figure {
            rows.entry(row).or_default().push(figure.clone());
            columns.entry(column).or_default().push(figure.clone());
            if let Some((first, second)) = column.split_once('|') {
                for part in [(row.as_str(), false, first), (row.as_str(), true, second)] {
                    parts.entry(part).or_default().push(figure.clone());
                }
            }
        }
    }
    rows.into_values()
        .chain(columns.into_values())
        .chain(parts.into_values())
        .filter(|line| line.len() > 1)
        .collect()
}

/// The lines tying `figures` (every figure any page of a survey lists),
/// within one page: each line's figures, the sum first.
pub fn lines_within(figures: &BTreeSet<Figure>) -> Vec<Vec<Figure>> {
    let mut lines = vec![vec![
        Figure::Respondents,
        Figure::KnownVersion,
        Figure::UnknownVersion,
    ]];
    // Per question, the lines under its "answered" (answers, a choice and
    // its remainder, a ranking's first place) and the ranking's others.
    let mut questions: BTreeMap<u32, Vec<Vec<Figure>>> = BTreeMap::new();
    let mut answers: BTreeMap<u32, Vec<Figure>> = BTreeMap::new();
    let mut rows: BTreeMap<(u32, &str), Vec<Figure>> = BTreeMap::new();
    let mut places: BTreeMap<(u32, u32), Vec<Figure>> = BTreeMap::new();
    let mut ranked: BTreeMap<u32, Vec<Figure>> = BTreeMap::new();
    let mut table_rows: BTreeMap<&str, Vec<Figure>> = BTreeMap::new();
    let mut table_columns: BTreeMap<&str, Vec<Figure>> = BTreeMap::new();
    for figure in figures {
        match figure {
            Figure::Cell(row, column) => {
                table_rows.entry(row).or_default().push(figure.clone());
                table_columns
                    .entry(column)
                    .or_default()
                    .push(figure.clone());
            }
            Figure::Standing(q, Standing::Answered) => {
                questions.entry(*q).or_default();
            }
            Figure::Answer(q, _) | Figure::Bar(q, _) => {
                answers.entry(*q).or_default().push(figure.clone())
            }
            Figure::Chose(q, key) => questions.entry(*q).or_default().push(vec![
                Figure::Standing(*q, Standing::Answered),
                figure.clone(),
                Figure::NotChose(*q, key.clone()),
            ]),
            Figure::Position(q, key, place) => {
                rows.entry((*q, key)).or_default().push(figure.clone());
                places.entry((*q, *place)).or_default().push(figure.clone());
            }
            Figure::Ranked(q, _) => ranked.entry(*q).or_default().push(figure.clone()),
            _ => {}
        }
    }
    for q in questions.keys() {
        let mut standing = vec![Figure::Respondents];
        standing.extend(Standing::ALL.map(|standing| Figure::Standing(*q, standing)));
        lines.push(standing);
    }
    for (q, figures) in answers {
        let mut line = vec![Figure::Standing(q, Standing::Answered)];
        line.extend(figures);
        lines.push(line);
    }
    for (_, mut choices) in questions {
        lines.append(&mut choices);
    }
    for ((q, key), positions) in rows {
        let mut line = vec![Figure::Ranked(q, key.to_owned())];
        line.extend(positions);
        lines.push(line);
    }
    let mut place_totals: BTreeMap<u32, Vec<Figure>> = BTreeMap::new();
    for ((q, place), positions) in places {
        let total = if place == 1 {
            Figure::Standing(q, Standing::Answered)
        } else {
            Figure::PlaceTotal(q, place)
        };
        place_totals.entry(q).or_default().push(total.clone());
        let mut line = vec![total];
        line.extend(positions);
        lines.push(line);
    }
    for (q, totals) in place_totals {
        let mut line = vec![Figure::RankTotal(q)];
        line.extend(totals);
        lines.push(line);
    }
    for (q, options) in ranked {
        let mut line = vec![Figure::RankTotal(q)];
        line.extend(options);
        lines.push(line);
    }
    // A table: its rows, its columns, and its totals to the total.
    let totals: Vec<Figure> = figures
        .iter()
        .filter(|figure| matches!(figure, Figure::RowTotal(_)))
        .cloned()
        .collect();
    let column_totals: Vec<Figure> = figures
        .iter()
        .filter(|figure| matches!(figure, Figure::ColumnTotal(_)))
        .cloned()
        .collect();
    for (row, cells) in table_rows {
        let mut line = vec![Figure::RowTotal(row.to_owned())];
        line.extend(cells);
        lines.push(line);
    }
    for (column, cells) in table_columns {
        let mut line = vec![Figure::ColumnTotal(column.to_owned())];
        line.extend(cells);
        lines.push(line);
    }
    for parts in [totals, column_totals] {
        if !parts.is_empty() {
            let mut line = vec![Figure::TableTotal];
            line.extend(parts);
            lines.push(line);
        }
    }
    lines
}
