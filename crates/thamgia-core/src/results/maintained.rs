//! Results kept current as responses arrive, for a city's million.
//!
//! Counting every response again for each query takes seconds at city
//! scale. Instead the responses of a survey are kept summarised by
//! **cell** — one ward in one quarter (Hanoi's calendar) — and a query
//! merges the summaries of the cells it covers: a ward or the city, all
//! time or a quarter, half or year (every period the town hall asks for is
//! whole quarters). A cell's summary is of the responses that count in it
//! (`counted`), so a withdrawal or a correction changes the cells of the
//! versions it touches, and those cells are summarised again from what the
//! store holds.
//!
//! The store says which cells changed ([`CellState`]): each cell has a
//! revision the push transaction raises whenever anything of the cell
//! changes, and a count of removals it raises when a change is more than
//! a response added (a withdrawal, a correction, a version that stops or
//! starts counting); a response added is stamped with the revision it
//! raised. [`SurveyIndex::stale`] says, cell by cell, what the index must
//! read: only the responses added since the revision it holds
//! ([`Catch::Extend`], the common case of a tablet's push), or the cell's
//! counted responses anew ([`Catch::Rebuild`]). Several servers on one
//! database each catch up the same way. The state a cell is caught up to
//! is its release (`release.rs`): the figures change in steps, so the
//! responses a cell is read up to are those up to the release's revision.
//!
//! No I/O here: the server reads and writes, this decides.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, FixedOffset, Utc};

use super::distribution::Distribution;
use super::figures::{figures_of, figures_of_table, Figure, Figures, Standing};
use super::filter::Dimension;
use super::joint::{JointPattern, Link};
use super::linked::publish_marked_table;
use super::published::{publish_marked_results, PublishedResults};
use super::summary::{Interned, Shape, Summary};
use super::suppression::{PublishedTable, Threshold};
use super::table::CrossTable;
use super::SurveyResults;
use crate::audit::CITY_UTC_OFFSET_HOURS;
use crate::report::{Period, PeriodLength};
use crate::response::{Response, ResponseStatus};
use crate::survey::SurveyDefinition;
use uuid::Uuid;

/// One ward in one quarter: what the maintained results keep summaries of.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    /// The ward or commune code.
    pub ward: String,
    /// The quarter the response was started in, in Hanoi's calendar.
    pub quarter: Period,
}

impl CellKey {
    /// The cell of a response: its ward and the quarter of Hanoi's
    /// calendar it was started in (the same instants `api::results::
    /// filter_for` puts in a period). `None` only for a date out of range.
    pub fn of(response: &Response) -> Option<CellKey> {
        Some(CellKey {
            ward: response.ward_code.clone(),
            quarter: quarter_of(response.created_at)?,
        })
    }

    /// Whether the cell is within `ward` (`None`: every ward) and `period`
    /// (`None`: all time).
    pub fn within(&self, ward: Option<&str>, period: Option<Period>) -> bool {
        ward.is_none_or(|ward| ward == self.ward)
            && period.is_none_or(|period| {
                let (start, end) = period.dates();
                let (first, _) = self.quarter.dates();
                first >= start && first < end
            })
    }
}

/// The quarters a period is made of, oldest first.
pub fn quarters_of(period: Period) -> Vec<Period> {
    let (start, end) = period.dates();
    std::iter::successors(
        Period::containing(start, PeriodLength::Quarter),
        |quarter| Period::containing(quarter.dates().1, PeriodLength::Quarter),
    )
    .take_while(|quarter| quarter.dates().0 < end)
    .take(4)
    .collect()
}

/// The quarter of Hanoi's calendar an instant falls in.
pub fn quarter_of(instant: DateTime<Utc>) -> Option<Period> {
    let offset = FixedOffset::east_opt(CITY_UTC_OFFSET_HOURS * 3600)?;
    let day = instant.with_timezone(&offset).date_naive();
    Period::containing(day, PeriodLength::Quarter)
}

/// Where a cell stands in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CellState {
    /// Raised by every change of the cell; a response added carries the
    /// revision it raised the cell to.
    pub revision: i64,
    /// Raised by every change that is not a response added.
    pub removals: i64,
}

/// What the index must read of a cell to be current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catch {
    /// The counted responses added with a revision after `after`, up to
    /// the state's revision, for [`SurveyIndex::extend`].
    Extend {
        /// The revision the index holds.
        after: i64,
    },
    /// Every counted response of the cell up to the state's revision, for
    /// [`SurveyIndex::replace`].
    Rebuild,
    /// Nothing of the cell: it is published empty ([`SurveyIndex::clear`]).
    Clear,
}

/// A cell whose words are to be checked against the store
/// ([`SurveyIndex::words_to_check`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordsToCheck {
    /// The cell.
    pub key: CellKey,
    /// The responses whose words it keeps.
    pub responses: Vec<Uuid>,
    /// The store's removals in the cell, to mark it checked at.
    pub removals: i64,
}

impl WordsToCheck {
    /// The responses of [`WordsToCheck::responses`] not among those the
    /// store still counts (`counting`, as it answered for them).
    pub fn gone(&self, counting: &HashSet<Uuid>) -> HashSet<Uuid> {
        self.responses
            .iter()
            .filter(|id| !counting.contains(id))
            .copied()
            .collect()
    }
}

/// One cell as the index holds it.
#[derive(Debug, Clone)]
struct Cell {
    state: CellState,
    summary: Summary,
    /// The store's removals the words kept were last checked at: a cell
    /// kept at its release while withdrawals come in keeps counting the
    /// children who left until the next step, never their words.
    words_checked: i64,
    /// The cell's figures, for the pattern every scope is published with:
    /// made when a pattern is next made, not at every change (a cell is
    /// read in many small steps at start).
    figures: OnceLock<Figures>,
}

impl Cell {
    fn new(state: CellState, summary: Summary) -> Cell {
        Cell {
            state,
            summary,
            words_checked: state.removals,
            figures: OnceLock::new(),
        }
    }
}

/// One survey's results, kept by cell.
#[derive(Debug, Clone)]
pub struct SurveyIndex {
    definitions: Vec<SurveyDefinition>,
    interned: Interned,
    cells: BTreeMap<CellKey, Cell>,
    /// The pattern every scope's page is published with, for the threshold
    /// it was made with: made at the first read after a change.
    pattern: OnceLock<(Threshold, JointPattern)>,
    /// The patterns of the tables beside the results asked for since the
    /// last change.
    tables: TablePatterns,
}

/// A table beside the results.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum TableKey {
    /// A question split by one or two dimensions.
    Question(String, Vec<Dimension>),
    /// Who took part, by rows and columns.
    Participants(Dimension, Option<Dimension>),
}

impl TableKey {
    /// Whether other tables print its totals too: every dimension is a
    /// participant's attribute (see `Figures::shared_totals`).
    fn shares_its_totals(&self) -> bool {
        let attribute = |dimension: &Dimension| dimension.fixed_categories().is_some();
        match self {
            TableKey::Question(_, split) => split.iter().all(attribute),
            TableKey::Participants(rows, columns) => {
                attribute(rows) && columns.as_ref().is_none_or(attribute)
            }
        }
    }
}

/// Patterns of tables, made at the first read after a change; `None`: the
/// table would give a child away beside the results. Each is made once
/// however many read it at the same moment: the first to ask makes it and
/// the others wait for it (five officers opening the same split at once
/// made it five times, and held five times its memory, 150 MiB at 10,000
/// responses).
#[derive(Debug, Default)]
struct TablePatterns(Mutex<HashMap<(TableKey, Threshold), TableSlot>>);

/// Where a table's pattern is kept once made, shared by its readers.
type TableSlot = Arc<OnceLock<KeptTable>>;

/// A table's pattern as kept: `None` when the table is not published.
type KeptTable = Arc<Option<JointPattern>>;

impl Clone for TablePatterns {
    /// A copy starts with none (they are made again when asked for).
    fn clone(&self) -> TablePatterns {
        TablePatterns::default()
    }
}

impl SurveyIndex {
    /// An index of no response, for the survey whose versions are
    /// `definitions` (oldest first, as the store lists them).
    pub fn new(definitions: Vec<SurveyDefinition>) -> SurveyIndex {
        SurveyIndex {
            definitions,
            interned: Interned::default(),
            cells: BTreeMap::new(),
            pattern: OnceLock::new(),
            tables: TablePatterns::default(),
        }
    }

    /// The versions the index was made for: when the store lists others
    /// (a version was published), the index is made again.
    pub fn definitions(&self) -> &[SurveyDefinition] {
        &self.definitions
    }

    /// The state the index holds cell `key` at, if it holds it.
    pub fn held(&self, key: &CellKey) -> Option<CellState> {
        self.cells.get(key).map(|cell| cell.state)
    }

    /// The cells of `states` (every cell at the state it is to be
    /// published at: its release, `release.rs`) the index holds no summary
    /// of, or another one, with what to read of each. A cell released
    /// empty (revision 0) needs no summary.
    pub fn stale<'a>(&self, states: &'a [(CellKey, CellState)]) -> Vec<(&'a CellKey, Catch)> {
        states
            .iter()
            .filter_map(|(key, state)| match self.cells.get(key) {
                None if state.revision == 0 => None,
                Some(cell) if cell.state == *state => None,
                Some(_) if state.revision == 0 => Some((key, Catch::Clear)),
                Some(cell)
                    if cell.state.removals == state.removals
                        && cell.state.revision < state.revision =>
                {
                    Some((
                        key,
                        Catch::Extend {
                            after: cell.state.revision,
                        },
                    ))
                }
                _ => Some((key, Catch::Rebuild)),
            })
            .collect()
    }

    /// The responses of `responses` that may count in cell `key`:
    /// completed ones of this survey and of this cell.
    fn of_cell<'r>(
        survey_id: &'r str,
        key: &'r CellKey,
        responses: &'r [Response],
    ) -> impl Iterator<Item = &'r Response> + 'r {
        responses.iter().filter(move |response| {
            response.survey_id == survey_id
                && response.status == ResponseStatus::Completed
                && CellKey::of(response).as_ref() == Some(key)
        })
    }

    /// Summarises cell `key` anew at `state` from `responses`: the
    /// responses of the cell that count, as the store read them after it
    /// read the state.
    pub fn replace(&mut self, key: CellKey, state: CellState, responses: &[Response]) {
        let shape = Shape::new(&self.definitions);
        let survey_id = shape.survey_id().to_owned();
        let summary = shape.summarise(
            Self::of_cell(&survey_id, &key, responses),
            &mut self.interned,
        );
        self.cells.insert(key, Cell::new(state, summary));
        self.changed();
    }

    /// Adds to cell `key` the responses added since the revision it holds
    /// and up to `state`'s (see [`Catch::Extend`]), counted ones only, as
    /// the store read them after it read the state; the cell is then at
    /// `state`. A cell the index does not hold is summarised from them.
    pub fn extend(&mut self, key: CellKey, state: CellState, responses: &[Response]) {
        let shape = Shape::new(&self.definitions);
        let survey_id = shape.survey_id().to_owned();
        let added = Self::of_cell(&survey_id, &key, responses);
        match self.cells.get_mut(&key) {
            Some(cell) => {
                shape.extend(&mut cell.summary, added, &mut self.interned);
                cell.figures = OnceLock::new();
                cell.state = state;
                cell.words_checked = cell.words_checked.max(state.removals);
            }
            None => {
                let summary = shape.summarise(added, &mut self.interned);
                self.cells.insert(key, Cell::new(state, summary));
            }
        }
        self.changed();
    }

    /// Drops cell `key`: it is published with nothing in it.
    pub fn clear(&mut self, key: &CellKey) {
        if self.cells.remove(key).is_some() {
            self.changed();
        }
    }

    /// The cells held whose words may be of a response taken out since
    /// they were read: the store (`store`, every cell as it stands) counts
    /// more removals in the cell than its words were checked at. Each
    /// with the responses whose words it keeps, to ask the store which
    /// still count, and the removals to mark it checked at
    /// ([`SurveyIndex::forget_words`]).
    pub fn words_to_check(&self, store: &[(CellKey, CellState)]) -> Vec<WordsToCheck> {
        store
            .iter()
            .filter_map(|(key, state)| {
                let cell = self.cells.get(key)?;
                (state.removals > cell.words_checked).then(|| WordsToCheck {
                    key: key.clone(),
                    responses: cell.summary.word_ids(),
                    removals: state.removals,
                })
            })
            .collect()
    }

    /// Forgets, in cell `key`, the words of the responses of `gone`
    /// (withdrawn, or superseded by a correction: no longer counted in
    /// the store), and marks its words checked at `removals`. The cell's
    /// figures stay those of its release until the next step: leaving
    /// them at once would tell what a child who withdrew had answered.
    pub fn forget_words(&mut self, key: &CellKey, gone: &HashSet<Uuid>, removals: i64) {
        let Some(cell) = self.cells.get_mut(key) else {
            return;
        };
        cell.words_checked = cell.words_checked.max(removals);
        if cell.summary.forget_words(gone) {
            cell.figures = OnceLock::new();
            self.changed();
        }
    }

    /// Forgets the patterns made before a change (made again at the next
    /// read).
    fn changed(&mut self) {
        self.pattern = OnceLock::new();
        self.tables = TablePatterns::default();
    }

    /// How many responses count across every cell.
    pub fn respondents(&self) -> u64 {
        self.cells
            .values()
            .map(|cell| cell.summary.respondents())
            .sum()
    }

    fn covered<'a>(
        &'a self,
        ward: Option<&'a str>,
        period: Option<Period>,
    ) -> impl Iterator<Item = &'a Summary> + 'a {
        self.cells
            .iter()
            .filter(move |(key, _)| key.within(ward, period))
            .map(|(_, cell)| &cell.summary)
    }

    /// The results for `ward` (`None`: the city) in `period` (`None`: all
    /// time): what `survey_results` gives with `filter_for(ward, period)`.
    pub fn results(&self, ward: Option<&str>, period: Option<Period>) -> SurveyResults {
        Shape::new(&self.definitions).results(self.covered(ward, period))
    }

    /// The results for `ward` (`None`: the city) in `period` (`None`: all
    /// time) as they may be published: suppressed with the one pattern of
    /// every scope's page (see [`joint`](super::joint)), so that no two
    /// pages can be set against each other.
    pub fn published(
        &self,
        ward: Option<&str>,
        period: Option<Period>,
        threshold: Threshold,
    ) -> PublishedResults {
        self.publish(&self.results(ward, period), ward, period, threshold)
    }

    /// `results`, this index's results for `ward` in `period`
    /// ([`SurveyIndex::results`]), as they may be published (see
    /// [`SurveyIndex::published`]): for a caller that reads them too.
    pub fn publish(
        &self,
        results: &SurveyResults,
        ward: Option<&str>,
        period: Option<Period>,
        threshold: Threshold,
    ) -> PublishedResults {
        let marks = self.pattern(threshold, |pattern| pattern.marks(ward, period));
        publish_marked_results(results, threshold, &marks)
    }

    /// Calls `read` with the pattern of every scope's page for `threshold`:
    /// the one kept since the last change, made now if there is none.
    fn pattern<T>(&self, threshold: Threshold, read: impl FnOnce(&JointPattern) -> T) -> T {
        let make = || {
            let shape = Shape::new(&self.definitions);
            JointPattern::compute(
                self.cells.iter().map(|(key, cell)| {
                    let figures = cell
                        .figures
                        .get_or_init(|| figures_of(&shape.results([&cell.summary])));
                    (Some(key.ward.as_str()), Some(key.quarter), figures)
                }),
                threshold,
            )
        };
        let (kept_for, pattern) = self.pattern.get_or_init(|| (threshold, make()));
        if *kept_for == threshold {
            read(pattern)
        } else {
            read(&make())
        }
    }

    /// The pattern of a table beside the results: each cell's table
    /// (`table_of`), its figures shared with the results as `same_as`
    /// says; kept until the next change.
    fn table_pattern(
        &self,
        key: TableKey,
        threshold: Threshold,
        table_of: impl Fn(&Summary) -> Option<CrossTable>,
        same_as: &dyn Fn(&Figure) -> Option<Figure>,
    ) -> KeptTable {
        let shared_totals = key.shares_its_totals();
        let key = (key, threshold);
        // The slot is taken out of the map before the pattern is made, so
        // tables of other keys are made meanwhile; a poisoned map (a panic
        // while it was held) leaves each reader to make its own.
        let slot = match self.tables.0.lock() {
            Ok(mut kept) => Arc::clone(kept.entry(key).or_default()),
            Err(_) => Arc::new(OnceLock::new()),
        };
        let made = slot.get_or_init(|| {
            let cells: Vec<(&CellKey, Figures)> = self
                .cells
                .iter()
                .filter_map(|(cell, held)| {
                    let mut figures = figures_of_table(&table_of(&held.summary)?);
                    figures.shared_totals = shared_totals;
                    Some((cell, figures))
                })
                .collect();
            Arc::new(self.pattern(threshold, |results| {
                JointPattern::compute_linked(
                    cells.iter().map(|(cell, figures)| {
                        (Some(cell.ward.as_str()), Some(cell.quarter), figures)
                    }),
                    threshold,
                    Link {
                        pattern: results,
                        same_as,
                    },
                )
            }))
        });
        Arc::clone(made)
    }

    /// One question split (see `question_table`) as it may be published
    /// beside the results of `ward` in `period`, suppressed with the one
    /// pattern of every scope's split and linked to the results' (its row
    /// totals are the question's counts, its total those who answered):
    /// `None` for no such table, `Some(None)` when it would give a child
    /// away.
    pub fn published_question_table(
        &self,
        ward: Option<&str>,
        period: Option<Period>,
        question_id: &str,
        split: &[Dimension],
        threshold: Threshold,
    ) -> Option<Option<PublishedTable>> {
        let table = self.question_table(ward, period, question_id, split)?;
        let shape = Shape::new(&self.definitions);
        let questions = shape.results(std::iter::empty()).questions;
        let q = questions
            .iter()
            .position(|question| question.question_id == question_id)?;
        let ranking = matches!(questions[q].distribution, Distribution::Ranking { .. });
        let q = u32::try_from(q).ok()?;
        let same_as = move |figure: &Figure| match figure {
            Figure::RowTotal(key) if ranking => Some(Figure::Position(q, key.clone(), 1)),
            Figure::RowTotal(key) => Some(Figure::Answer(q, key.clone())),
            Figure::TableTotal => Some(Figure::Standing(q, Standing::Answered)),
            _ => None,
        };
        let pattern = self.table_pattern(
            TableKey::Question(question_id.to_owned(), split.to_vec()),
            threshold,
            |summary| {
                shape.question_table(std::iter::once(summary), &self.interned, question_id, split)
            },
            &same_as,
        );
        Some(
            pattern.as_ref().as_ref().map(|pattern| {
                publish_marked_table(&table, threshold, &pattern.marks(ward, period))
            }),
        )
    }

    /// Who took part (see `participants_table`) as it may be published
    /// beside the results of `ward` in `period`, with the one pattern of
    /// every scope's table, its total linked to the respondents; `None`
    /// when it would give a child away.
    pub fn published_participants_table(
        &self,
        ward: Option<&str>,
        period: Option<Period>,
        rows: Dimension,
        columns: Option<Dimension>,
        threshold: Threshold,
    ) -> Option<PublishedTable> {
        let table = self.participants_table(ward, period, rows, columns);
        let shape = Shape::new(&self.definitions);
        let same_as =
            |figure: &Figure| (figure == &Figure::TableTotal).then_some(Figure::Respondents);
        let pattern = self.table_pattern(
            TableKey::Participants(rows, columns),
            threshold,
            |summary| {
                Some(shape.participants(std::iter::once(summary), &self.interned, rows, columns))
            },
            &same_as,
        );
        pattern
            .as_ref()
            .as_ref()
            .map(|pattern| publish_marked_table(&table, threshold, &pattern.marks(ward, period)))
    }

    /// Who took part (see `participants_table`).
    pub fn participants_table(
        &self,
        ward: Option<&str>,
        period: Option<Period>,
        rows: Dimension,
        columns: Option<Dimension>,
    ) -> CrossTable {
        Shape::new(&self.definitions).participants(
            self.covered(ward, period),
            &self.interned,
            rows,
            columns,
        )
    }

    /// One question split (see `question_table`).
    pub fn question_table(
        &self,
        ward: Option<&str>,
        period: Option<Period>,
        question_id: &str,
        split: &[Dimension],
    ) -> Option<CrossTable> {
        Shape::new(&self.definitions).question_table(
            self.covered(ward, period),
            &self.interned,
            question_id,
            split,
        )
    }
}

#[cfg(test)]
mod tests;
