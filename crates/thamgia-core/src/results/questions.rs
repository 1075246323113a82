//! The questions of a survey across its versions, and whether each was
//! answered, skipped or not asked in one response.
//!
//! Questions are matched by name across every version of a form. A name
//! whose kind (the kind of answer, whatever its options or number of
//! points) is the same in every version gives one result covering them
//! all, labelled and ordered as in the newest version; a name whose kind
//! changed gives one result per version, since counts of different kinds
//! cannot be added. Notes and calculations are not asked, so they get no
//! result. Questions inside a repeat are answered once per instance, not
//! once per child, so the child-based counts here do not fit them: they are
//! listed as not summarised (an extension point).

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::mem::discriminant;

use chrono::{FixedOffset, NaiveDate};

use crate::audit::CITY_UTC_OFFSET_HOURS;
use crate::form::{FormEngine, NodeKey};
use crate::localized::Localized;
use crate::response::{AnswerValue, Response};
use crate::survey::{Item, Question, QuestionKind, SurveyDefinition};

/// A question as results report it: one name, the versions it covers.
#[derive(Debug, Clone)]
pub(super) struct MatchedQuestion<'a> {
    pub(super) name: String,
    pub(super) label: Localized,
    /// The versions covered, newest first, each with the question's kind.
    pub(super) versions: Vec<(u32, &'a QuestionKind)>,
}

impl MatchedQuestion<'_> {
    pub(super) fn covers(&self, version: u32) -> bool {
        self.versions.iter().any(|(covered, _)| *covered == version)
    }

    pub(super) fn kinds(&self) -> Vec<&QuestionKind> {
        self.versions.iter().map(|(_, kind)| *kind).collect()
    }
}

/// Every version of one form, compiled for relevance.
pub(super) struct Versions<'a> {
    /// Each version, its engine compiled when a response is first read
    /// (merging summaries reads none, so compiles none).
    by_version: BTreeMap<u32, (&'a SurveyDefinition, OnceCell<Option<FormEngine>>)>,
}

/// Where a question stood in one response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Standing<'a> {
    /// Asked and answered.
    Answered(&'a AnswerValue),
    /// Asked, left without an answer.
    Skipped,
    /// Not asked: its relevance was false.
    NotAsked,
    /// The response's version does not have it (or is unknown).
    NotInVersion,
}

impl<'a> Versions<'a> {
    /// The versions of `definitions` (the first definition's form id only).
    pub(super) fn new(definitions: &'a [SurveyDefinition]) -> Versions<'a> {
        let form = definitions.first().map(|definition| definition.id.as_str());
        let by_version = definitions
            .iter()
            .filter(|definition| Some(definition.id.as_str()) == form)
            .map(|definition| (definition.version, (definition, OnceCell::new())))
            .collect();
        Versions { by_version }
    }

    /// The newest version's definition.
    pub(super) fn newest(&self) -> Option<&'a SurveyDefinition> {
        self.by_version
            .values()
            .next_back()
            .map(|(definition, _)| *definition)
    }

    /// The version numbers, oldest first.
    pub(super) fn numbers(&self) -> Vec<u32> {
        self.by_version.keys().copied().collect()
    }

    /// Whether a response's version is known.
    pub(super) fn knows(&self, version: u32) -> bool {
        self.by_version.contains_key(&version)
    }

    /// The questions to report, in the newest version's order, and the
    /// names of the questions inside repeats (not summarised).
    pub(super) fn matched(&self) -> (Vec<MatchedQuestion<'a>>, Vec<String>) {
        let mut order: Vec<String> = Vec::new();
        let mut found: BTreeMap<String, Vec<(u32, &'a Question)>> = BTreeMap::new();
        let mut in_repeats: Vec<String> = Vec::new();
        for (version, (definition, _)) in self.by_version.iter().rev() {
            for (question, in_repeat) in questions_of(&definition.items, false) {
                if !question.kind.takes_answer() {
                    continue;
                }
                if in_repeat {
                    if !in_repeats.contains(&question.id) {
                        in_repeats.push(question.id.clone());
                    }
                    continue;
                }
                if !order.contains(&question.id) {
                    order.push(question.id.clone());
                }
                found
                    .entry(question.id.clone())
                    .or_default()
                    .push((*version, question));
            }
        }
        let mut matched = Vec::new();
        for name in order {
            let versions = found.remove(&name).unwrap_or_default();
            let Some((_, newest)) = versions.first() else {
                continue;
            };
            let same_kind = versions
                .iter()
                .all(|(_, question)| discriminant(&question.kind) == discriminant(&newest.kind));
            if same_kind {
                matched.push(MatchedQuestion {
                    name: name.clone(),
                    label: newest.label.clone(),
                    versions: versions
                        .iter()
                        .map(|(version, question)| (*version, &question.kind))
                        .collect(),
                });
            } else {
                for (version, question) in &versions {
                    matched.push(MatchedQuestion {
                        name: name.clone(),
                        label: question.label.clone(),
                        versions: vec![(*version, &question.kind)],
                    });
                }
            }
        }
        in_repeats.retain(|name| !matched.iter().any(|question| &question.name == name));
        (matched, in_repeats)
    }

    /// Where each of `questions` stood in `response`.
    pub(super) fn asked<'r>(
        &self,
        response: &'r Response,
        questions: &[&MatchedQuestion<'_>],
    ) -> Vec<Standing<'r>> {
        let Some((definition, engine)) = self.by_version.get(&response.survey_version) else {
            return vec![Standing::NotInVersion; questions.len()];
        };
        // A published survey compiled at import; if one no longer does,
        // its questions are taken as always asked.
        let engine = engine.get_or_init(|| FormEngine::compile(definition).ok());
        // `today()` in a relevance is the day the child answered.
        let state = engine
            .as_ref()
            .map(|engine| engine.evaluate_all(&response.answers, answer_day(response)));
        questions
            .iter()
            .map(|question| {
                if !question.covers(response.survey_version) {
                    return Standing::NotInVersion;
                }
                let relevant = match (engine, &state) {
                    (Some(engine), Some(state)) => match engine.node(&question.name) {
                        Some(node) => engine.is_relevant(
                            state,
                            &NodeKey {
                                node,
                                instance: Vec::new(),
                            },
                        ),
                        None => true,
                    },
                    _ => true,
                };
                match (relevant, response.answers.get(&question.name)) {
                    (false, _) => Standing::NotAsked,
                    (true, Some(answer)) => Standing::Answered(answer),
                    (true, None) => Standing::Skipped,
                }
            })
            .collect()
    }
}

/// The day a response was answered, in Hanoi's time.
fn answer_day(response: &Response) -> NaiveDate {
    let offset =
        FixedOffset::east_opt(CITY_UTC_OFFSET_HOURS * 3600).expect("a whole-hour offset is valid");
    response.created_at.with_timezone(&offset).date_naive()
}

/// Every question under `items`, in document order, with whether it sits
/// inside a repeat.
fn questions_of(items: &[Item], in_repeat: bool) -> Vec<(&Question, bool)> {
    let mut found = Vec::new();
    for item in items {
        match item {
            Item::Question(question) => found.push((question, in_repeat)),
            Item::Group(group) => found.extend(questions_of(&group.items, in_repeat)),
            Item::Repeat(group) => found.extend(questions_of(&group.items, true)),
        }
    }
    found
}
