//! A response's answers read and changed through the compiled form: the
//! question instances that exist, answers set and cleared, repeat instances
//! added and removed, answers that name nothing found, and the answers a
//! completed response keeps.

use chrono::NaiveDate;

use crate::expression::Value;
use crate::response::{AnswerValue, Answers};
use crate::survey::QuestionKind;

use super::{FormEngine, FormState, Node, NodeKey, NodeKind};

impl FormEngine {
    /// Every question node instance that exists for `answers`, in document
    /// order, with its question kind and whether it is required.
    pub fn question_instances(&self, answers: &Answers) -> Vec<(NodeKey, &QuestionKind, bool)> {
        let mut found = Vec::new();
        for (index, node) in self.nodes.iter().enumerate() {
            if let NodeKind::Question(kind) = &node.kind {
                if self.depth(index) == 0 {
                    // Outside any repeat: its one instance.
                    let key = NodeKey {
                        node: index,
                        instance: Vec::new(),
                    };
                    found.push((key, kind, node.required));
                    continue;
                }
                for instance in self.instances(answers, node.scope, &[]) {
                    found.push((
                        NodeKey {
                            node: index,
                            instance,
                        },
                        kind,
                        node.required,
                    ));
                }
            }
        }
        found
    }

    /// Sets (or, with `None`, clears) the answer of a question node
    /// instance. The repeat instances on its path must exist.
    pub fn set_answer(&self, answers: &mut Answers, key: &NodeKey, value: Option<AnswerValue>) {
        let node = &self.nodes[key.node];
        if let Some(map) = answers_at_mut(
            answers,
            &self.scopes[node.scope].repeat_chain,
            &key.instance,
        ) {
            match value {
                Some(value) => map.insert(node.name.clone(), value),
                None => map.remove(&node.name),
            };
        }
    }

    /// One edit as the tablet makes it: sets the answer at `key`,
    /// recomputes what depends on it, sets the answers its change
    /// triggers (each recomputed in turn; what they set triggers nothing
    /// further, as in ODK), and stores the answers computed all along.
    /// Returns how many node instances were recomputed.
    pub fn edit(
        &self,
        answers: &mut Answers,
        state: &mut FormState,
        key: &NodeKey,
        value: Option<AnswerValue>,
        today: NaiveDate,
    ) -> usize {
        self.set_answer(answers, key, value);
        let mut recomputed = self.update(state, answers, key, today);
        for (set, value) in self.triggered(state, answers, key) {
            if self.answer(answers, &set) != value.as_ref() {
                self.set_answer(answers, &set, value);
                recomputed += self.update(state, answers, &set, today);
            }
        }
        self.store_calculated(answers, state);
        recomputed
    }

    /// Stores the answer of every asked question computed all along (a
    /// `calculation` without a `trigger`) as its kind takes it, so it is
    /// shown, counted as answered, and saved with the draft. Returns
    /// whether any answer changed.
    pub fn store_calculated(&self, answers: &mut Answers, state: &FormState) -> bool {
        let mut changed = false;
        for &index in &self.computed {
            let node = &self.nodes[index];
            let NodeKind::Question(kind) = &node.kind else {
                continue;
            };
            for instance in self.instances(answers, node.scope, &[]) {
                let key = NodeKey {
                    node: index,
                    instance,
                };
                if !self.is_relevant(state, &key) {
                    continue;
                }
                let value = state
                    .calculated
                    .get(&key)
                    .and_then(|value| answer_for(kind, value));
                if self.answer(answers, &key) != value.as_ref() {
                    self.set_answer(answers, &key, value);
                    changed = true;
                }
            }
        }
        changed
    }

    /// How many instances a repeat node has at `instance` (the instance of
    /// the scope the repeat sits in).
    pub fn instance_count(&self, answers: &Answers, repeat: usize, instance: &[usize]) -> usize {
        match self.answer(
            answers,
            &NodeKey {
                node: repeat,
                instance: instance.to_vec(),
            },
        ) {
            Some(AnswerValue::Repeat(instances)) => instances.len(),
            _ => 0,
        }
    }

    /// Adds an empty instance at the end of a repeat; returns its index.
    pub fn add_instance(&self, answers: &mut Answers, repeat: usize, instance: &[usize]) -> usize {
        let node = &self.nodes[repeat];
        let Some(map) = answers_at_mut(answers, &self.scopes[node.scope].repeat_chain, instance)
        else {
            return 0;
        };
        let entry = map
            .entry(node.name.clone())
            .or_insert_with(|| AnswerValue::Repeat(Vec::new()));
        if !matches!(entry, AnswerValue::Repeat(_)) {
            *entry = AnswerValue::Repeat(Vec::new());
        }
        match entry {
            AnswerValue::Repeat(instances) => {
                instances.push(Answers::new());
                instances.len() - 1
            }
            _ => 0,
        }
    }

    /// Whether any repeat's instances are counted by a `repeat_count`.
    pub fn has_repeat_counts(&self) -> bool {
        self.nodes.iter().any(|node| node.repeat_count.is_some())
    }

    /// Whether a relevant repeat has fewer instances than its
    /// `repeat_count` asks for (what [`Self::fit_instances`] would add).
    pub fn lacks_instances(&self, answers: &Answers, state: &FormState) -> bool {
        state.counts.iter().any(|(key, count)| {
            self.is_relevant(state, key)
                && self.instance_count(answers, key.node, &key.instance) < *count
        })
    }

    /// Adds the empty instances that repeats with a `repeat_count` lack, as
    /// `state` (evaluated for `answers`) counts them, then evaluates again,
    /// until nothing is lacking (a count inside a new instance is known
    /// only once that instance exists); bounded by the nesting of repeats.
    /// Never removes an instance: one beyond the count keeps its answers
    /// until the worker removes it (validation asks for that). Returns
    /// whether any instance was added.
    pub fn fit_instances(
        &self,
        answers: &mut Answers,
        state: &mut FormState,
        today: NaiveDate,
    ) -> bool {
        let mut added = false;
        for _ in 0..self.scopes.len() {
            let mut lacking: Vec<(NodeKey, usize)> = state
                .counts
                .iter()
                .filter(|(key, _)| self.is_relevant(state, key))
                .map(|(key, count)| (key.clone(), *count))
                .collect();
            crate::sorting::sort(&mut lacking);
            let mut changed = false;
            for (key, count) in lacking {
                while self.instance_count(answers, key.node, &key.instance) < count {
                    self.add_instance(answers, key.node, &key.instance);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
            added = true;
            *state = self.evaluate_with(answers, today, state.clock);
        }
        added
    }

    /// Removes one instance of a repeat, with its answers.
    pub fn remove_instance(
        &self,
        answers: &mut Answers,
        repeat: usize,
        instance: &[usize],
        index: usize,
    ) {
        let node = &self.nodes[repeat];
        if let Some(map) = answers_at_mut(answers, &self.scopes[node.scope].repeat_chain, instance)
        {
            if let Some(AnswerValue::Repeat(instances)) = map.get_mut(&node.name) {
                if index < instances.len() {
                    instances.remove(index);
                }
                if instances.is_empty() {
                    map.remove(&node.name);
                }
            }
        }
    }

    /// Whether a map of `scope`'s answers may hold `name`: a question or
    /// repeat of that scope (names are unique in a survey).
    fn in_scope(&self, name: &str, scope: usize) -> bool {
        self.node(name).is_some_and(|node| {
            let node = &self.nodes[node];
            node.scope == scope && !matches!(node.kind, NodeKind::Group)
        })
    }

    /// Answer keys that name nothing in their scope, with their instance.
    pub fn unknown_answers(&self, answers: &Answers) -> Vec<(String, Vec<usize>)> {
        let mut unknown = Vec::new();
        self.collect_unknown(answers, 0, &mut Vec::new(), &mut unknown);
        unknown
    }

    fn collect_unknown(
        &self,
        map: &Answers,
        scope: usize,
        instance: &mut Vec<usize>,
        unknown: &mut Vec<(String, Vec<usize>)>,
    ) {
        for (name, value) in map {
            if !self.in_scope(name, scope) {
                unknown.push((name.clone(), instance.clone()));
                continue;
            }
            let repeat_scope = self
                .node(name)
                .and_then(|node| self.nodes[node].inner_scope);
            match (value, repeat_scope) {
                (AnswerValue::Repeat(instances), Some(inner)) => {
                    for (index, instance_map) in instances.iter().enumerate() {
                        instance.push(index);
                        self.collect_unknown(instance_map, inner, instance, unknown);
                        instance.pop();
                    }
                }
                (AnswerValue::Repeat(_), None) | (_, Some(_)) => {
                    unknown.push((name.clone(), instance.clone()))
                }
                _ => {}
            }
        }
    }

    /// The answers with every answer to a question that is not asked
    /// removed, and every calculated value stored: what a completed
    /// response keeps.
    pub fn finalize(&self, answers: &Answers, today: NaiveDate) -> Answers {
        self.finalize_state(answers, &self.evaluate_all(answers, today))
    }

    /// [`Self::finalize`] with the tablet's clock: what `now()` and
    /// `uuid()` give at completion is stored, and `once()` keeps it.
    pub fn finalize_at(&self, answers: &Answers, clock: super::Clock) -> Answers {
        self.finalize_state(answers, &self.evaluate_all_at(answers, clock))
    }

    fn finalize_state(&self, answers: &Answers, state: &FormState) -> Answers {
        let mut result = answers.clone();
        // Deepest first, so removing a repeat's answers never shifts a key
        // still to be visited.
        let mut keys: Vec<(NodeKey, &Node)> = Vec::new();
        for (index, node) in self.nodes.iter().enumerate() {
            for instance in self.instances(answers, node.scope, &[]) {
                keys.push((
                    NodeKey {
                        node: index,
                        instance,
                    },
                    node,
                ));
            }
        }
        crate::sorting::sort_by_key(&mut keys, |key| std::cmp::Reverse(key.0.instance.len()));
        for (key, node) in keys {
            let Some(map) = answers_at_mut(
                &mut result,
                &self.scopes[node.scope].repeat_chain,
                &key.instance,
            ) else {
                continue;
            };
            if !self.is_relevant(state, &key) {
                map.remove(&node.name);
                continue;
            }
            if let Some(value) = state.calculated.get(&key) {
                let answer = match &node.kind {
                    NodeKind::Question(kind) if kind.takes_answer() => answer_for(kind, value),
                    _ => value_to_answer(value),
                };
                match answer {
                    Some(answer) => map.insert(node.name.clone(), answer),
                    None => map.remove(&node.name),
                };
            }
        }
        result
    }
}

fn answers_at_mut<'a>(
    answers: &'a mut Answers,
    chain: &[String],
    instance: &[usize],
) -> Option<&'a mut Answers> {
    let mut current = answers;
    for (depth, repeat) in chain.iter().enumerate() {
        match current.get_mut(repeat) {
            Some(AnswerValue::Repeat(instances)) => {
                current = instances.get_mut(*instance.get(depth)?)?
            }
            _ => return None,
        }
    }
    Some(current)
}

/// A computed value as the answer a question of `kind` takes (a
/// `calculation` on an asked question): a number for a number or a scale,
/// an option's value for a choice, the values for several, a date for a
/// date, yes or no, else the text; `None` when empty or not of that kind.
pub(super) fn answer_for(kind: &QuestionKind, value: &Value) -> Option<AnswerValue> {
    if matches!(value, Value::Empty) {
        return None;
    }
    let text = value.to_text();
    if text.is_empty() {
        return None;
    }
    let number = || {
        let number = value.to_number();
        number.is_finite().then_some(AnswerValue::Number(number))
    };
    match kind {
        QuestionKind::Number { .. } | QuestionKind::Range { .. } => number(),
        QuestionKind::Rating { .. } | QuestionKind::Smiley { .. } => {
            let number = value.to_number();
            (number.is_finite() && number >= 0.0 && number <= f64::from(u8::MAX)).then(|| {
                let points = number.round() as u8;
                if matches!(kind, QuestionKind::Rating { .. }) {
                    AnswerValue::Rating(points)
                } else {
                    AnswerValue::Smiley(points)
                }
            })
        }
        QuestionKind::SingleChoice { .. } | QuestionKind::Acknowledge => {
            Some(AnswerValue::Choice(text.trim().to_owned()))
        }
        QuestionKind::MultipleChoice { .. } | QuestionKind::Ranking { .. } => {
            let values: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
            Some(if matches!(kind, QuestionKind::Ranking { .. }) {
                AnswerValue::Ranking(values)
            } else {
                AnswerValue::Choices(values)
            })
        }
        QuestionKind::Date => match value {
            Value::Date(date) => Some(AnswerValue::Date(*date)),
            _ => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .ok()
                .map(AnswerValue::Date),
        },
        QuestionKind::YesNo => match value {
            Value::Bool(flag) => Some(AnswerValue::YesNo(*flag)),
            _ => match text.trim() {
                "yes" | "true" | "1" => Some(AnswerValue::YesNo(true)),
                "no" | "false" | "0" => Some(AnswerValue::YesNo(false)),
                _ => None,
            },
        },
        _ => Some(AnswerValue::Text(text)),
    }
}

/// A calculated value as it is stored with the response.
fn value_to_answer(value: &Value) -> Option<AnswerValue> {
    match value {
        Value::Empty => None,
        Value::Text(text) if text.is_empty() => None,
        Value::Text(text) => Some(AnswerValue::Text(text.clone())),
        Value::Number(number) if number.is_finite() => Some(AnswerValue::Number(*number)),
        Value::Number(_) => None,
        Value::Bool(flag) => Some(AnswerValue::Text(flag.to_string())),
        Value::Date(date) => Some(AnswerValue::Date(*date)),
        // A calculation that is a repeat's values: stored as XPath reads it.
        Value::Nodeset(values) => values.first().and_then(value_to_answer),
    }
}
