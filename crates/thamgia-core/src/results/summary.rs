//! The results of a set of counted responses in a form that merges: the
//! one path every figure takes. A full recount summarises every response
//! at once; the maintained results (`maintained`) keep one summary per
//! ward and quarter and merge the ones a query covers. Both finish through
//! the same functions here, so they can only differ if merging does —
//! which the property tests rule out.

use std::collections::{HashMap, HashSet};

use super::filter::{Category, Dimension};
use super::questions::{MatchedQuestion, Standing, Versions};
use super::table::CrossTable;
use super::tally::Tally;
use super::{answer_row, answer_rows, pair, split_columns, QuestionResult, SurveyResults};
use crate::response::Response;
use crate::survey::{QuestionKind, SurveyDefinition};
use uuid::Uuid;

/// Every dimension a result can be split by, in the order a [`Combo`]
/// holds them.
const DIMENSIONS: [Dimension; 7] = [
    Dimension::AgeBand,
    Dimension::Sex,
    Dimension::Disability,
    Dimension::EthnicGroup,
    Dimension::SpecialCircumstances,
    Dimension::Ward,
    Dimension::Month,
];

/// A child's category in every dimension.
type Combo = [Category; 7];

fn place_of(dimension: Dimension) -> usize {
    DIMENSIONS
        .iter()
        .position(|known| *known == dimension)
        .unwrap_or(0)
}

/// Categories held once and named by number: the combinations of
/// attributes children have, and the answers to each question. Shared by
/// every summary of one survey, only ever added to.
#[derive(Debug, Clone, Default)]
pub struct Interned {
    combos: Vec<Combo>,
    combo_ids: HashMap<Combo, u32>,
    /// Per question (in matched order): its answers' rows.
    rows: Vec<Names>,
}

#[derive(Debug, Clone, Default)]
struct Names {
    categories: Vec<Category>,
    ids: HashMap<String, u32>,
}

impl Interned {
    fn combo(&mut self, response: &Response) -> u32 {
        let combo: Combo = DIMENSIONS.map(|dimension| dimension.category(response));
        if let Some(id) = self.combo_ids.get(&combo) {
            return *id;
        }
        let id = u32::try_from(self.combos.len()).unwrap_or(u32::MAX);
        self.combos.push(combo.clone());
        self.combo_ids.insert(combo, id);
        id
    }

    fn row(&mut self, question: usize, category: Category) -> u32 {
        if self.rows.len() <= question {
            self.rows.resize_with(question + 1, Names::default);
        }
        let names = &mut self.rows[question];
        if let Some(id) = names.ids.get(&category.key) {
            return *id;
        }
        let id = u32::try_from(names.categories.len()).unwrap_or(u32::MAX);
        names.ids.insert(category.key.clone(), id);
        names.categories.push(category);
        id
    }
}

/// Where one question stood across the responses summarised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Standings {
    answered: u64,
    skipped: u64,
    not_asked: u64,
    unreadable: u64,
    not_in_version: u64,
}

/// What a set of counted responses adds to every figure.
#[derive(Debug, Clone)]
pub struct Summary {
    respondents: u64,
    unknown_version: u64,
    standings: Vec<Standings>,
    tallies: Vec<Option<Tally>>,
    /// Children per combination of attributes.
    people: HashMap<u32, u64>,
    /// Per question with one answer per child: children per combination
    /// of attributes and answer row.
    answers: Vec<HashMap<(u32, u32), u64>>,
}

impl Summary {
    /// How many children the summary counts.
    pub fn respondents(&self) -> u64 {
        self.respondents
    }

    /// The responses whose own words the summary keeps, each once.
    pub(super) fn word_ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self
            .tallies
            .iter()
            .flatten()
            .flat_map(Tally::word_ids)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Forgets the words of the responses in `gone` (their counts stay);
    /// whether any went.
    pub(super) fn forget_words(&mut self, gone: &HashSet<Uuid>) -> bool {
        // Every tally, not only up to the first that held some.
        let mut went = false;
        for tally in self.tallies.iter_mut().flatten() {
            went |= tally.forget_words(gone);
        }
        went
    }
}

/// A survey's versions and questions, as every summary of it is shaped.
pub(super) struct Shape<'a> {
    versions: Versions<'a>,
    matched: Vec<MatchedQuestion<'a>>,
    not_summarised: Vec<String>,
    survey_id: String,
    /// Per question: whether each child gives one answer (a table row).
    one_answer: Vec<bool>,
}

impl<'a> Shape<'a> {
    pub(super) fn new(definitions: &'a [SurveyDefinition]) -> Shape<'a> {
        let versions = Versions::new(definitions);
        let survey_id = versions
            .newest()
            .map(|definition| definition.id.clone())
            .unwrap_or_default();
        let (matched, not_summarised) = versions.matched();
        let one_answer = matched
            .iter()
            .map(|question| answer_rows(question).is_some())
            .collect();
        Shape {
            versions,
            matched,
            not_summarised,
            survey_id,
            one_answer,
        }
    }

    pub(super) fn survey_id(&self) -> &str {
        &self.survey_id
    }

    /// A summary of no response.
    pub(super) fn empty(&self) -> Summary {
        Summary {
            respondents: 0,
            unknown_version: 0,
            standings: vec![Standings::default(); self.matched.len()],
            tallies: self
                .matched
                .iter()
                .map(|question| Tally::new(&question.kinds()))
                .collect(),
            people: HashMap::new(),
            answers: vec![HashMap::new(); self.matched.len()],
        }
    }

    /// The summary of `responses`, each counted (see `counted`).
    pub(super) fn summarise<'r>(
        &self,
        responses: impl IntoIterator<Item = &'r Response>,
        interned: &mut Interned,
    ) -> Summary {
        let mut summary = self.empty();
        self.extend(&mut summary, responses, interned);
        summary
    }

    /// Adds `responses` (counted, none of them in `summary` yet) to
    /// `summary`.
    pub(super) fn extend<'r>(
        &self,
        summary: &mut Summary,
        responses: impl IntoIterator<Item = &'r Response>,
        interned: &mut Interned,
    ) {
        let all: Vec<&MatchedQuestion<'_>> = self.matched.iter().collect();
        for response in responses {
            self.add(summary, response, &all, interned);
        }
        for tally in summary.tallies.iter_mut().flatten() {
            tally.settle();
        }
    }

    fn add(
        &self,
        summary: &mut Summary,
        response: &Response,
        all: &[&MatchedQuestion<'_>],
        interned: &mut Interned,
    ) {
        summary.respondents += 1;
        let combo = interned.combo(response);
        *summary.people.entry(combo).or_default() += 1;
        if !self.versions.knows(response.survey_version) {
            summary.unknown_version += 1;
            for standing in &mut summary.standings {
                standing.not_in_version += 1;
            }
            return;
        }
        let asked = self.versions.asked(response, all);
        for (index, asked) in asked.into_iter().enumerate() {
            let standing = &mut summary.standings[index];
            match asked {
                Standing::NotInVersion => standing.not_in_version += 1,
                Standing::NotAsked => standing.not_asked += 1,
                Standing::Skipped => standing.skipped += 1,
                Standing::Answered(answer) => {
                    let fits = summary.tallies[index]
                        .as_mut()
                        .is_some_and(|tally| tally.add(answer, response));
                    if fits {
                        standing.answered += 1;
                    } else {
                        standing.unreadable += 1;
                    }
                    if self.one_answer[index] {
                        if let Some(row) = answer_row(answer) {
                            let row = interned.row(index, row);
                            *summary.answers[index].entry((combo, row)).or_default() += 1;
                        }
                    }
                }
            }
        }
    }

    /// The results of the responses `summaries` counted (disjoint sets).
    pub(super) fn results<'s>(
        &self,
        summaries: impl IntoIterator<Item = &'s Summary>,
    ) -> SurveyResults {
        let mut respondents = 0;
        let mut unknown_version = 0;
        let mut standings = vec![Standings::default(); self.matched.len()];
        let mut tallies: Vec<Option<Tally>> = self
            .matched
            .iter()
            .map(|question| Tally::new(&question.kinds()))
            .collect();
        for summary in summaries {
            respondents += summary.respondents;
            unknown_version += summary.unknown_version;
            for (total, standing) in standings.iter_mut().zip(&summary.standings) {
                total.answered += standing.answered;
                total.skipped += standing.skipped;
                total.not_asked += standing.not_asked;
                total.unreadable += standing.unreadable;
                total.not_in_version += standing.not_in_version;
            }
            for (total, tally) in tallies.iter_mut().zip(&summary.tallies) {
                if let (Some(total), Some(tally)) = (total.as_mut(), tally) {
                    total.merge(tally);
                }
            }
        }
        SurveyResults {
            survey_id: self.survey_id.clone(),
            title: self
                .versions
                .newest()
                .map(|definition| definition.title.clone())
                .unwrap_or_default(),
            versions: self.versions.numbers(),
            respondents,
            unknown_version,
            questions: self
                .matched
                .iter()
                .zip(standings)
                .zip(tallies)
                .filter_map(|((question, standing), tally)| {
                    Some(QuestionResult {
                        question_id: question.name.clone(),
                        label: question.label.clone(),
                        versions: question
                            .versions
                            .iter()
                            .map(|(version, _)| *version)
                            .collect(),
                        answered: standing.answered,
                        skipped: standing.skipped,
                        not_asked: standing.not_asked,
                        unreadable: standing.unreadable,
                        not_in_version: standing.not_in_version,
                        distribution: tally?.finish(),
                    })
                })
                .collect(),
            not_summarised: self.not_summarised.clone(),
        }
    }

    /// The children `summaries` counted, by `rows` and, if given, by
    /// `columns` (otherwise in one column, "all").
    pub(super) fn participants<'s>(
        &self,
        summaries: impl IntoIterator<Item = &'s Summary>,
        interned: &Interned,
        rows: Dimension,
        columns: Option<Dimension>,
    ) -> CrossTable {
        let mut people: HashMap<u32, u64> = HashMap::new();
        for summary in summaries {
            for (combo, count) in &summary.people {
                *people.entry(*combo).or_default() += count;
            }
        }
        let mut builder = TableBuilder::new(
            rows.fixed_categories(),
            match columns {
                Some(dimension) => dimension.fixed_categories(),
                None => Some(vec![super::everyone()]),
            },
        );
        for (combo, count) in people {
            let Some(combo) = interned.combos.get(combo as usize) else {
                continue;
            };
            let column = match columns {
                Some(dimension) => combo[place_of(dimension)].clone(),
                None => super::everyone(),
            };
            builder.add(&combo[place_of(rows)], &column, count);
        }
        builder.finish(false, false)
    }

    /// The answers to question `question_id` split by one or two
    /// dimensions (see `question_table`).
    pub(super) fn question_table<'s>(
        &self,
        summaries: impl IntoIterator<Item = &'s Summary>,
        interned: &Interned,
        question_id: &str,
        split: &[Dimension],
    ) -> Option<CrossTable> {
        let mut same_name = self
            .matched
            .iter()
            .enumerate()
            .filter(|(_, question)| question.name == question_id);
        let (index, question) = same_name.next()?;
        if same_name.next().is_some() || split.is_empty() || split.len() > 2 {
            return None;
        }
        let rows = answer_rows(question)?;
        let fixed_columns = split
            .iter()
            .all(|dimension| dimension.fixed_categories().is_some())
            .then(|| split_columns(split));
        let mut counts: HashMap<(u32, u32), u64> = HashMap::new();
        for summary in summaries {
            for (key, count) in summary.answers.get(index).into_iter().flatten() {
                *counts.entry(*key).or_default() += count;
            }
        }
        let mut columns_of: HashMap<u32, super::Category> = HashMap::new();
        let names = interned.rows.get(index);
        let mut builder = TableBuilder::new(Some(rows), fixed_columns);
        for ((combo, row), count) in counts {
            let (Some(combo_categories), Some(row)) = (
                interned.combos.get(combo as usize),
                names.and_then(|names| names.categories.get(row as usize)),
            ) else {
                continue;
            };
            let column = columns_of.entry(combo).or_insert_with(|| match split {
                [first, second] => pair(
                    &combo_categories[place_of(*first)],
                    &combo_categories[place_of(*second)],
                ),
                [one, ..] => combo_categories[place_of(*one)].clone(),
                [] => super::everyone(),
            });
            builder.add(row, column, count);
        }
        // Months of a date question are listed in order.
        let date = matches!(question.kinds().first(), Some(QuestionKind::Date));
        Some(builder.finish(date, false))
    }
}

/// A cross-table filled from counts in any order: the rows and columns
/// known beforehand first, in their order, then the others by key (all
/// by key for a dimension without a fixed list), so the table does not
/// depend on the order counts arrive in.
struct TableBuilder {
    rows: Vec<Category>,
    known_rows: Option<usize>,
    row_ids: HashMap<String, usize>,
    columns: Vec<Category>,
    known_columns: Option<usize>,
    column_ids: HashMap<String, usize>,
    cells: HashMap<(usize, usize), u64>,
}

impl TableBuilder {
    fn new(rows: Option<Vec<Category>>, columns: Option<Vec<Category>>) -> TableBuilder {
        let known_rows = rows.as_ref().map(Vec::len);
        let known_columns = columns.as_ref().map(Vec::len);
        let rows = rows.unwrap_or_default();
        let columns = columns.unwrap_or_default();
        TableBuilder {
            row_ids: ids(&rows),
            column_ids: ids(&columns),
            rows,
            known_rows,
            columns,
            known_columns,
            cells: HashMap::new(),
        }
    }

    fn add(&mut self, row: &Category, column: &Category, count: u64) {
        let row = position(&mut self.rows, &mut self.row_ids, row);
        let column = position(&mut self.columns, &mut self.column_ids, column);
        *self.cells.entry((row, column)).or_default() += count;
    }

    /// The table; `all_rows_by_key` sorts every row by key.
    fn finish(self, all_rows_by_key: bool, all_columns_by_key: bool) -> CrossTable {
        let row_order = order(
            &self.rows,
            if all_rows_by_key {
                Some(0)
            } else {
                self.known_rows
            },
        );
        let column_order = order(
            &self.columns,
            if all_columns_by_key {
                Some(0)
            } else {
                self.known_columns
            },
        );
        let mut cells = vec![vec![0; column_order.len()]; row_order.len()];
        let row_at: HashMap<usize, usize> = row_order
            .iter()
            .enumerate()
            .map(|(at, row)| (*row, at))
            .collect();
        let column_at: HashMap<usize, usize> = column_order
            .iter()
            .enumerate()
            .map(|(at, column)| (*column, at))
            .collect();
        for ((row, column), count) in self.cells {
            cells[row_at[&row]][column_at[&column]] += count;
        }
        CrossTable::from_cells(
            row_order
                .iter()
                .map(|row| self.rows[*row].clone())
                .collect(),
            column_order
                .iter()
                .map(|column| self.columns[*column].clone())
                .collect(),
            cells,
        )
    }
}

fn ids(categories: &[Category]) -> HashMap<String, usize> {
    categories
        .iter()
        .enumerate()
        .map(|(index, category)| (category.key.clone(), index))
        .collect()
}

fn position(
    categories: &mut Vec<Category>,
    ids: &mut HashMap<String, usize>,
    category: &Category,
) -> usize {
    if let Some(index) = ids.get(&category.key) {
        return *index;
    }
    categories.push(category.clone());
    ids.insert(category.key.clone(), categories.len() - 1);
    categories.len() - 1
}

/// The display order of `categories`: the first `known` as listed, the
/// rest by key (`None`: every one by key).
fn order(categories: &[Category], known: Option<usize>) -> Vec<usize> {
    let known = known.unwrap_or(0).min(categories.len());
    let mut order: Vec<usize> = (0..categories.len()).collect();
    order[known..].sort_by(|a, b| categories[*a].key.cmp(&categories[*b].key));
    order
}
