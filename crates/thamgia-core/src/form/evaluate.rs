//! Evaluating a compiled form against a response's answers: relevance,
//! calculated values and constraint results of every node instance, from
//! scratch or only for what one edit can change, and labels with their
//! `${name}` references filled in.

use chrono::NaiveDate;

use crate::expression::{EvaluationContext, Value};
use crate::response::{AnswerValue, Answers};
use crate::survey::Choice;

use super::{Clock, FormEngine, FormState, Map, NodeKey, NodeKind, Set};

impl FormEngine {
    /// Evaluates every node instance from scratch.
    pub fn evaluate_all(&self, answers: &Answers, today: NaiveDate) -> FormState {
        self.evaluate_with(answers, today, None)
    }

    /// Evaluates every node instance from scratch with the tablet's clock:
    /// `now()`, `uuid()` and `today()` read it.
    pub fn evaluate_all_at(&self, answers: &Answers, clock: Clock) -> FormState {
        self.evaluate_with(answers, clock.now.date(), Some(clock))
    }

    pub(super) fn evaluate_with(
        &self,
        answers: &Answers,
        today: NaiveDate,
        clock: Option<Clock>,
    ) -> FormState {
        let mut state = FormState {
            clock,
            ..FormState::default()
        };
        // Every node outside a repeat has its relevance kept: room for
        // them at once rather than the map growing four times over.
        state.relevant.reserve(self.nodes.len());
        for &node in &self.order {
            if self.depth(node) == 0 {
                // Outside any repeat: one instance, without a list of them.
                let key = NodeKey {
                    node,
                    instance: Vec::new(),
                };
                self.evaluate_node(&mut state, answers, today, key);
                continue;
            }
            for instance in self.instances(answers, self.nodes[node].scope, &[]) {
                self.evaluate_node(&mut state, answers, today, NodeKey { node, instance });
            }
        }
        state
    }

    /// Recomputes what depends on the answer at `changed`, after it changed.
    /// Returns how many node instances were recomputed.
    pub fn update(
        &self,
        state: &mut FormState,
        answers: &Answers,
        changed: &NodeKey,
        today: NaiveDate,
    ) -> usize {
        let mut affected: Vec<usize> = vec![changed.node];
        let mut seen: Set<usize> = affected.iter().copied().collect();
        let mut cursor = 0;
        while cursor < affected.len() {
            let node = affected[cursor];
            cursor += 1;
            for &dependent in &self.dependents[node] {
                if seen.insert(dependent) {
                    affected.push(dependent);
                }
            }
        }
        crate::sorting::sort_by_key(&mut affected, |node| self.rank[*node]);
        let mut recomputed = 0;
        let changed_depth = self.depth(changed.node);
        let prefix = &changed.instance[..changed_depth.min(changed.instance.len())];
        for node in affected {
            for instance in self.instances(answers, self.nodes[node].scope, prefix) {
                self.evaluate_node(state, answers, today, NodeKey { node, instance });
                recomputed += 1;
            }
        }
        recomputed
    }

    fn evaluate_node(
        &self,
        state: &mut FormState,
        answers: &Answers,
        today: NaiveDate,
        key: NodeKey,
    ) {
        let node = &self.nodes[key.node];
        let parent_relevant = match node.parent {
            Some(parent) => {
                let depth = self.depth(parent);
                *state
                    .relevant
                    .get(&NodeKey {
                        node: parent,
                        instance: key.instance[..depth.min(key.instance.len())].to_vec(),
                    })
                    .unwrap_or(&true)
            }
            None => true,
        };
        let context = Context {
            engine: self,
            state,
            answers,
            at: &key,
            today,
        };
        let relevant = parent_relevant
            && node
                .relevant
                .as_ref()
                .is_none_or(|expression| expression.evaluate_bool(&context));
        let calculated = match (&node.calculation, relevant) {
            (Some(expression), true) => Some(expression.evaluate(&context)),
            _ => None,
        };
        let answer = self.answer(answers, &key);
        let constraint_failed = relevant
            && match (&node.constraint, answer) {
                (Some(expression), Some(_)) => !expression.evaluate_bool(&context),
                _ => false,
            };
        let count = match (&node.repeat_count, relevant) {
            (Some(expression), true) => {
                let count = expression.evaluate(&context).to_number();
                (count.is_finite() && count >= 0.0)
                    .then(|| (count.floor() as usize).min(crate::limits::MAX_REPEAT_COUNT))
            }
            _ => None,
        };
        let required_now = relevant
            && node
                .required_if
                .as_ref()
                .is_some_and(|expression| expression.evaluate_bool(&context));
        let read_only_now = relevant
            && node
                .read_only_if
                .as_ref()
                .is_some_and(|expression| expression.evaluate_bool(&context));
        let offered = match (&node.choice_filter, &node.kind, relevant) {
            (Some(filter), NodeKind::Question(kind), true) => Some(
                kind.choices()
                    .iter()
                    .enumerate()
                    .filter(|(_, choice)| {
                        filter.evaluate_bool(&ChoiceContext {
                            inner: &context,
                            choice,
                        })
                    })
                    .map(|(index, _)| index)
                    .collect::<Vec<usize>>(),
            ),
            _ => None,
        };
        let not_offered = match (&offered, &node.kind, answer) {
            (Some(offered), NodeKind::Question(kind), Some(answer)) => {
                let is_offered = |value: &String| {
                    offered.iter().any(|index| {
                        kind.choices()
                            .get(*index)
                            .is_some_and(|c| &c.value == value)
                    })
                };
                match answer {
                    AnswerValue::Choice(value) => !is_offered(value),
                    AnswerValue::Choices(values) | AnswerValue::Ranking(values) => {
                        !values.iter().all(is_offered)
                    }
                    _ => false,
                }
            }
            _ => false,
        };
        kept(&mut state.offered, &key, offered);
        kept(&mut state.counts, &key, count);
        marked(&mut state.required_now, &key, required_now);
        marked(&mut state.read_only_now, &key, read_only_now);
        marked(&mut state.not_offered, &key, not_offered);
        kept(&mut state.calculated, &key, calculated);
        marked(&mut state.constraint_failed, &key, constraint_failed);
        state.relevant.insert(key, relevant);
    }

    /// Whether the node instance is asked.
    pub fn is_relevant(&self, state: &FormState, key: &NodeKey) -> bool {
        *state.relevant.get(key).unwrap_or(&true)
    }

    /// Whether the node instance's answer breaks its constraint.
    pub fn breaks_constraint(&self, state: &FormState, key: &NodeKey) -> bool {
        state.constraint_failed.contains(key)
    }

    /// The options a question instance offers, by index into its choices,
    /// when its `choice_filter` decides them; `None`: every option.
    pub fn offered<'a>(&self, state: &'a FormState, key: &NodeKey) -> Option<&'a [usize]> {
        state.offered.get(key).map(Vec::as_slice)
    }

    /// The number a question instance's `randomize` seed gives now (as its
    /// bits, so that any number orders alike each time); `None` without a
    /// seed, or when it gives no number yet.
    pub fn seed(
        &self,
        state: &FormState,
        answers: &Answers,
        key: &NodeKey,
        today: NaiveDate,
    ) -> Option<u64> {
        let expression = self.nodes[key.node].seed.as_ref()?;
        let context = Context {
            engine: self,
            state,
            answers,
            at: key,
            today,
        };
        let number = expression.evaluate(&context).to_number();
        number.is_finite().then(|| number.to_bits())
    }

    /// How many instances a repeat has at `key` (the instance of the scope
    /// it sits in) when its `repeat_count` decides it; `None`: the worker
    /// decides.
    pub fn repeat_count(&self, state: &FormState, key: &NodeKey) -> Option<usize> {
        state.counts.get(key).copied()
    }

    /// Every repeat instance count a `repeat_count` decides, with the
    /// repeat's key.
    pub fn repeat_counts<'a>(
        &self,
        state: &'a FormState,
    ) -> impl Iterator<Item = (&'a NodeKey, usize)> + 'a {
        state.counts.iter().map(|(key, count)| (key, *count))
    }

    /// Whether the question instance must be answered in a completed
    /// response (when it is relevant): always, or while its `required`
    /// expression holds.
    pub fn is_required(&self, state: &FormState, key: &NodeKey) -> bool {
        self.nodes[key.node].required || state.required_now.contains(key)
    }

    /// Whether the question instance's answer is an option its
    /// `choice_filter` does not offer (any more): an earlier answer changed.
    pub fn answer_not_offered(&self, state: &FormState, key: &NodeKey) -> bool {
        state.not_offered.contains(key)
    }

    /// Whether a question instance is shown but not answered now: its
    /// `read_only` expression holds, or its answer is computed all along
    /// (a `calculation` without a `trigger`).
    pub fn is_read_only(&self, state: &FormState, key: &NodeKey) -> bool {
        let node = &self.nodes[key.node];
        state.read_only_now.contains(key)
            || (node.calculation.is_some()
                && matches!(&node.kind, NodeKind::Question(kind) if kind.takes_answer()))
    }

    /// The answers a change of the answer at `changed` sets (XLSForm's
    /// `trigger`): every relevant instance the change reaches of each
    /// question it triggers, with its `calculation`'s value now (as that
    /// question's kind takes it), or `None` to clear it. `state` is the
    /// state after the change.
    pub fn triggered(
        &self,
        state: &FormState,
        answers: &Answers,
        changed: &NodeKey,
    ) -> Vec<(NodeKey, Option<AnswerValue>)> {
        let depth = self.depth(changed.node);
        let prefix = &changed.instance[..depth.min(changed.instance.len())];
        let mut set = Vec::new();
        for &index in &self.triggered_by[changed.node] {
            let node = &self.nodes[index];
            let NodeKind::Question(kind) = &node.kind else {
                continue;
            };
            for instance in self.instances(answers, node.scope, prefix) {
                let key = NodeKey {
                    node: index,
                    instance,
                };
                if !self.is_relevant(state, &key) {
                    continue;
                }
                let context = Context {
                    engine: self,
                    state,
                    answers,
                    at: &key,
                    today: state
                        .clock
                        .map_or_else(NaiveDate::default, |clock| clock.now.date()),
                };
                let value = node.triggered.as_ref().and_then(|expression| {
                    super::editing::answer_for(kind, &expression.evaluate(&context))
                });
                set.push((key, value));
            }
        }
        set
    }

    /// What the response is called (the survey's `instance_name`) with
    /// its answers now: at most [`MAX_INSTANCE_NAME_CHARS`] characters,
    /// `None` when the survey names none or the name is empty.
    pub fn instance_name(&self, state: &FormState, answers: &Answers) -> Option<String> {
        let expression = self.instance_name.as_ref()?;
        let at = NodeKey {
            node: 0,
            instance: Vec::new(),
        };
        let context = Context {
            engine: self,
            state,
            answers,
            at: &at,
            today: state
                .clock
                .map_or_else(NaiveDate::default, |clock| clock.now.date()),
        };
        let name = expression.evaluate(&context).to_text();
        let name = name.trim();
        (!name.is_empty()).then(|| name.chars().take(MAX_INSTANCE_NAME_CHARS).collect())
    }

    /// The computed value of a calculate node instance.
    pub fn calculated<'a>(&self, state: &'a FormState, key: &NodeKey) -> Option<&'a Value> {
        state.calculated.get(key)
    }

    /// `text` with every `${name}` replaced by that question's current value
    /// as seen from `instance` (XLSForm's output in labels and notes).
    pub fn interpolate(
        &self,
        state: &FormState,
        answers: &Answers,
        text: &str,
        instance: &[usize],
    ) -> String {
        if !text.contains("${") {
            return text.to_owned();
        }
        let at = NodeKey {
            node: 0,
            instance: instance.to_vec(),
        };
        let context = Context {
            engine: self,
            state,
            answers,
            at: &at,
            today: NaiveDate::default(),
        };
        let mut result = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            result.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match after.find('}') {
                Some(end) => {
                    result.push_str(&context.value_of(after[..end].trim()).to_text());
                    rest = &after[end + 1..];
                }
                None => {
                    result.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        result.push_str(rest);
        result
    }
}

/// The longest name of a response shown (see [`FormEngine::instance_name`]).
pub const MAX_INSTANCE_NAME_CHARS: usize = 200;

/// An answer as expressions see it: choices as space-separated values (as
/// XLSForm's `selected()` expects), yes/no as "yes"/"no", scales as numbers.
pub fn answer_to_value(answer: &AnswerValue) -> Value {
    match answer {
        AnswerValue::Text(text) => Value::Text(text.clone()),
        AnswerValue::Number(number) => Value::Number(*number),
        AnswerValue::Date(date) => Value::Date(*date),
        AnswerValue::Choice(value) => Value::Text(value.clone()),
        AnswerValue::Choices(values) | AnswerValue::Ranking(values) => {
            Value::Text(values.join(" "))
        }
        AnswerValue::YesNo(yes) => Value::Text(if *yes { "yes" } else { "no" }.to_owned()),
        // "I don't know" is no point of the scale.
        AnswerValue::Smiley(0) | AnswerValue::Rating(0) | AnswerValue::DontKnow => Value::Empty,
        AnswerValue::Smiley(points) | AnswerValue::Rating(points) => {
            Value::Number(f64::from(*points))
        }
        AnswerValue::Repeat(instances) => Value::Number(instances.len() as f64),
    }
}

/// The context of a `choice_filter` deciding on one option: the form's
/// answers, and the option's columns for bare names.
struct ChoiceContext<'a> {
    inner: &'a Context<'a>,
    choice: &'a Choice,
}

impl EvaluationContext for ChoiceContext<'_> {
    fn value_of(&self, name: &str) -> Value {
        self.inner.value_of(name)
    }

    fn current_value(&self) -> Value {
        self.inner.current_value()
    }

    fn today(&self) -> NaiveDate {
        self.inner.today
    }

    fn position(&self) -> Option<usize> {
        self.inner.position()
    }

    fn choice_label(&self, question: &str, value: &str) -> Option<String> {
        self.inner.choice_label(question, value)
    }

    fn now(&self) -> Option<chrono::NaiveDateTime> {
        self.inner.now()
    }

    fn uuid(&self) -> Option<String> {
        self.inner.uuid()
    }

    fn choice_column(&self, name: &str) -> Value {
        self.choice
            .column(name)
            .map_or(Value::Empty, |text| Value::Text(text.to_owned()))
    }
}

struct Context<'a> {
    engine: &'a FormEngine,
    state: &'a FormState,
    answers: &'a Answers,
    at: &'a NodeKey,
    today: NaiveDate,
}

impl Context<'_> {
    /// The value of one question instance: empty when it is not asked.
    fn value_at(&self, key: NodeKey) -> Value {
        if !self.engine.is_relevant(self.state, &key) {
            return Value::Empty;
        }
        if let Some(value) = self.state.calculated.get(&key) {
            return value.clone();
        }
        self.engine
            .answer(self.answers, &key)
            .map(answer_to_value)
            .unwrap_or(Value::Empty)
    }
}

impl EvaluationContext for Context<'_> {
    fn value_of(&self, name: &str) -> Value {
        let Some(node) = self.engine.node(name) else {
            return Value::Empty;
        };
        let depth = self.engine.depth(node);
        if depth > self.at.instance.len() {
            // Inside a repeat this expression is outside of: the value in
            // every instance (compiling allowed only repeats nested here).
            let scope = self.engine.nodes[node].scope;
            return Value::Nodeset(
                self.engine
                    .instances(self.answers, scope, &self.at.instance)
                    .into_iter()
                    .map(|instance| self.value_at(NodeKey { node, instance }))
                    .collect(),
            );
        }
        let key = NodeKey {
            node,
            instance: self.at.instance[..depth].to_vec(),
        };
        if self.engine.nodes[node].kind == NodeKind::Repeat {
            // A repeat read as a whole: one (empty) value per instance.
            let count = if self.engine.is_relevant(self.state, &key) {
                self.engine
                    .instance_count(self.answers, node, &key.instance)
            } else {
                0
            };
            return Value::Nodeset(vec![Value::Empty; count]);
        }
        self.value_at(key)
    }

    fn current_value(&self) -> Value {
        self.engine
            .answer(self.answers, self.at)
            .map(answer_to_value)
            .unwrap_or(Value::Empty)
    }

    fn today(&self) -> NaiveDate {
        self.today
    }

    fn position(&self) -> Option<usize> {
        self.at.instance.last().map(|index| index + 1)
    }

    fn now(&self) -> Option<chrono::NaiveDateTime> {
        self.state.clock.map(|clock| clock.now)
    }

    fn uuid(&self) -> Option<String> {
        let clock = self.state.clock?;
        // A version 4 id from the filling's number, the node and its
        // instance: the same at every evaluation, another for each.
        let mut mixed = clock.random ^ (self.at.node as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for index in &self.at.instance {
            mixed = crate::survey::splitmix64(mixed ^ *index as u64);
        }
        let high = crate::survey::splitmix64(mixed);
        let low = crate::survey::splitmix64(high);
        let mut bytes = [0_u8; 16];
        bytes[..8].copy_from_slice(&high.to_be_bytes());
        bytes[8..].copy_from_slice(&low.to_be_bytes());
        Some(
            uuid::Builder::from_random_bytes(bytes)
                .into_uuid()
                .to_string(),
        )
    }

    fn choice_label(&self, question: &str, value: &str) -> Option<String> {
        let node = self.engine.node(question)?;
        let NodeKind::Question(kind) = &self.engine.nodes[node].kind else {
            return None;
        };
        let choice = kind.choices().iter().find(|choice| choice.value == value)?;
        Some(if choice.label.vi.is_empty() {
            choice.label.en.clone()
        } else {
            choice.label.vi.clone()
        })
    }
}

/// Sets what `map` keeps for `key`: `value`, or nothing. A map with
/// nothing in it has nothing to remove: most stay empty through a whole
/// evaluation from scratch, whose every node would otherwise be hashed
/// once for each of them.
fn kept<V>(map: &mut Map<NodeKey, V>, key: &NodeKey, value: Option<V>) {
    match value {
        Some(value) => {
            map.insert(key.clone(), value);
        }
        None if map.is_empty() => {}
        None => {
            map.remove(key);
        }
    }
}

/// Puts `key` in `set` or takes it out, as [`kept`] does for a map.
fn marked(set: &mut Set<NodeKey>, key: &NodeKey, on: bool) {
    if on {
        set.insert(key.clone());
    } else if !set.is_empty() {
        set.remove(key);
    }
}
