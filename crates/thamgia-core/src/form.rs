//! The form engine: a survey compiled once into a dependency graph, then
//! evaluated against a response's answers.
//!
//! Every question, group and repeat is a node. A node depends on the nodes
//! its expressions name (`${x}`) and on its enclosing group or repeat (a
//! group that is not relevant makes its questions not relevant). Compiling
//! parses every expression, checks every name, orders the nodes so that each
//! comes after what it depends on, and refuses cycles — so a bad expression
//! is an error at import, with the item and the reason, never a panic while
//! a child is answering.
//!
//! A node inside a repeat is evaluated once per instance. A name resolves in
//! the instance being evaluated when it is in the same repeat, and at the
//! enclosing level otherwise; naming a question inside a repeat from outside
//! it is refused. So an edit in one instance recomputes only that instance's
//! dependents: the cost of an edit does not grow with the number of instances.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use crate::expression::{EvaluationContext, Expression, Value};
use crate::localized::Localized;
use crate::response::{AnswerValue, Answers};
use crate::survey::{Item, QuestionKind, SurveyDefinition};

/// Why a survey cannot be run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{item}: {message}")]
pub struct FormError {
    /// The question, group or repeat concerned.
    pub item: String,
    /// What is wrong, in both languages.
    pub message: Localized,
}

/// Where one node's value lives: the node and, for each repeat around it,
/// the instance index (outermost first).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeKey {
    /// Index of the node in document order.
    pub node: usize,
    /// Instance indexes of the enclosing repeats.
    pub instance: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum NodeKind {
    Question(QuestionKind),
    Group,
    Repeat,
}

#[derive(Debug, Clone)]
struct Node {
    name: String,
    kind: NodeKind,
    /// The repeat scope the node sits in (0 is the survey itself).
    scope: usize,
    /// For a repeat: the scope of its own items.
    inner_scope: Option<usize>,
    parent: Option<usize>,
    relevant: Option<Expression>,
    constraint: Option<Expression>,
    calculation: Option<Expression>,
    required: bool,
}

#[derive(Debug, Clone)]
struct Scope {
    /// Repeat names from the survey down to this scope.
    repeat_chain: Vec<String>,
    parent: Option<usize>,
}

/// A survey compiled for evaluation.
#[derive(Debug, Clone)]
pub struct FormEngine {
    nodes: Vec<Node>,
    by_name: HashMap<String, usize>,
    scopes: Vec<Scope>,
    /// Position of each node in evaluation order.
    rank: Vec<usize>,
    /// Nodes in evaluation order.
    order: Vec<usize>,
    /// Direct dependents of each node.
    dependents: Vec<Vec<usize>>,
}

/// The computed state of one response: relevance, calculated values and
/// constraint results of every node instance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormState {
    relevant: HashMap<NodeKey, bool>,
    calculated: HashMap<NodeKey, Value>,
    constraint_failed: HashSet<NodeKey>,
}

impl FormState {
    /// How many node instances are known (for tests and benches).
    pub fn len(&self) -> usize {
        self.relevant.len()
    }

    /// Whether nothing has been evaluated.
    pub fn is_empty(&self) -> bool {
        self.relevant.is_empty()
    }
}

fn expression_error(
    item: &str,
    column: &str,
    source: &str,
    error: &crate::expression::ExpressionError,
) -> FormError {
    FormError {
        item: item.to_owned(),
        message: Localized::new(
            format!("biểu thức {column} \"{source}\" sai: {}", error.message.vi),
            format!(
                "the {column} expression \"{source}\" is wrong: {}",
                error.message.en
            ),
        ),
    }
}

fn parse(
    item: &str,
    column: &str,
    source: &Option<String>,
) -> Result<Option<Expression>, FormError> {
    match source.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => Expression::parse(text)
            .map(Some)
            .map_err(|error| expression_error(item, column, text, &error)),
    }
}

impl FormEngine {
    /// Compiles `survey`, or lists every reason it cannot run.
    pub fn compile(survey: &SurveyDefinition) -> Result<FormEngine, Vec<FormError>> {
        let mut engine = FormEngine {
            nodes: Vec::new(),
            by_name: HashMap::new(),
            scopes: vec![Scope {
                repeat_chain: Vec::new(),
                parent: None,
            }],
            rank: Vec::new(),
            order: Vec::new(),
            dependents: Vec::new(),
        };
        let mut errors = Vec::new();
        engine.add_items(&survey.items, 0, None, &mut errors);
        engine.link(&mut errors);
        if errors.is_empty() {
            Ok(engine)
        } else {
            Err(errors)
        }
    }

    fn add_items(
        &mut self,
        items: &[Item],
        scope: usize,
        parent: Option<usize>,
        errors: &mut Vec<FormError>,
    ) {
        for item in items {
            let index = self.nodes.len();
            let name = item.id().to_owned();
            if name.trim().is_empty() {
                errors.push(FormError {
                    item: format!("#{}", index + 1),
                    message: Localized::new("thiếu tên", "the name is missing"),
                });
            }
            if self.by_name.insert(name.clone(), index).is_some() {
                errors.push(FormError {
                    item: name.clone(),
                    message: Localized::new("tên bị trùng", "the name is used twice"),
                });
            }
            let node = match item {
                Item::Question(question) => {
                    let calculation = match &question.kind {
                        QuestionKind::Calculate { calculation } => {
                            parse(&name, "calculation", &Some(calculation.clone())).unwrap_or_else(
                                |error| {
                                    errors.push(error);
                                    None
                                },
                            )
                        }
                        _ => None,
                    };
                    Node {
                        name: name.clone(),
                        kind: NodeKind::Question(question.kind.clone()),
                        scope,
                        inner_scope: None,
                        parent,
                        relevant: parse(&name, "relevant", &question.relevant).unwrap_or_else(
                            |error| {
                                errors.push(error);
                                None
                            },
                        ),
                        constraint: parse(&name, "constraint", &question.constraint)
                            .unwrap_or_else(|error| {
                                errors.push(error);
                                None
                            }),
                        calculation,
                        required: question.required,
                    }
                }
                Item::Group(group) | Item::Repeat(group) => {
                    let is_repeat = matches!(item, Item::Repeat(_));
                    Node {
                        name: name.clone(),
                        kind: if is_repeat {
                            NodeKind::Repeat
                        } else {
                            NodeKind::Group
                        },
                        scope,
                        inner_scope: None,
                        parent,
                        relevant: parse(&name, "relevant", &group.relevant).unwrap_or_else(
                            |error| {
                                errors.push(error);
                                None
                            },
                        ),
                        constraint: None,
                        calculation: None,
                        required: false,
                    }
                }
            };
            self.nodes.push(node);
            match item {
                Item::Question(_) => {}
                Item::Group(group) => self.add_items(&group.items, scope, Some(index), errors),
                Item::Repeat(group) => {
                    let mut repeat_chain = self.scopes[scope].repeat_chain.clone();
                    repeat_chain.push(name.clone());
                    let inner = self.scopes.len();
                    self.scopes.push(Scope {
                        repeat_chain,
                        parent: Some(scope),
                    });
                    self.nodes[index].inner_scope = Some(inner);
                    self.add_items(&group.items, inner, Some(index), errors);
                }
            }
        }
    }

    fn scope_contains(&self, outer: usize, mut inner: usize) -> bool {
        loop {
            if inner == outer {
                return true;
            }
            match self.scopes[inner].parent {
                Some(parent) => inner = parent,
                None => return false,
            }
        }
    }

    /// The scope whose instances a node's value lives in: a repeat's own
    /// value (its instances) lives in its enclosing scope.
    fn depth(&self, node: usize) -> usize {
        self.scopes[self.nodes[node].scope].repeat_chain.len()
    }

    fn link(&mut self, errors: &mut Vec<FormError>) {
        let count = self.nodes.len();
        self.dependents = vec![Vec::new(); count];
        let mut incoming = vec![0_usize; count];
        for (index, node) in self.nodes.iter().enumerate() {
            let mut sources: Vec<usize> = node.parent.into_iter().collect();
            let expressions = [&node.relevant, &node.constraint, &node.calculation];
            for expression in expressions.into_iter().flatten() {
                for name in expression.references() {
                    match self.by_name.get(name) {
                        None => errors.push(FormError {
                            item: node.name.clone(),
                            message: Localized::new(
                                format!("không có câu hỏi tên \"{name}\""),
                                format!("there is no question named \"{name}\""),
                            ),
                        }),
                        Some(&source) => {
                            let source_node = &self.nodes[source];
                            if !self.scope_contains(source_node.scope, node.scope) {
                                errors.push(FormError {
                                    item: node.name.clone(),
                                    message: Localized::new(
                                        format!("không dùng được \"{name}\" vì nó nằm trong một nhóm lặp khác"),
                                        format!("cannot use \"{name}\": it is inside a repeat this item is not in"),
                                    ),
                                });
                            } else if matches!(source_node.kind, NodeKind::Repeat | NodeKind::Group)
                            {
                                errors.push(FormError {
                                    item: node.name.clone(),
                                    message: Localized::new(
                                        format!("\"{name}\" là một nhóm, không phải câu hỏi"),
                                        format!("\"{name}\" is a group, not a question"),
                                    ),
                                });
                            } else if source != index {
                                sources.push(source);
                            }
                        }
                    }
                }
            }
            sources.sort_unstable();
            sources.dedup();
            for source in sources {
                self.dependents[source].push(index);
                incoming[index] += 1;
            }
        }
        // Kahn's algorithm, taking nodes in document order when free.
        let mut ready: std::collections::BTreeSet<usize> =
            (0..count).filter(|index| incoming[*index] == 0).collect();
        while let Some(next) = ready.pop_first() {
            self.order.push(next);
            for &dependent in &self.dependents[next] {
                incoming[dependent] -= 1;
                if incoming[dependent] == 0 {
                    ready.insert(dependent);
                }
            }
        }
        if self.order.len() < count {
            let stuck: Vec<&str> = (0..count)
                .filter(|index| incoming[*index] > 0)
                .map(|index| self.nodes[index].name.as_str())
                .collect();
            errors.push(FormError {
                item: stuck.join(", "),
                message: Localized::new(
                    "các biểu thức phụ thuộc vòng tròn vào nhau",
                    "these expressions depend on each other in a circle",
                ),
            });
        }
        self.rank = vec![0; count];
        for (position, &node) in self.order.iter().enumerate() {
            self.rank[node] = position;
        }
    }

    /// The node index of a name.
    pub fn node(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// How many nodes the survey has.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The answers map holding the values of `scope` at `instance`.
    fn answers_at<'a>(
        &self,
        answers: &'a Answers,
        scope: usize,
        instance: &[usize],
    ) -> Option<&'a Answers> {
        let mut current = answers;
        for (depth, repeat) in self.scopes[scope].repeat_chain.iter().enumerate() {
            match current.get(repeat) {
                Some(AnswerValue::Repeat(instances)) => {
                    current = instances.get(*instance.get(depth)?)?
                }
                _ => return None,
            }
        }
        Some(current)
    }

    /// The answer of a question node at an instance, if any.
    pub fn answer<'a>(&self, answers: &'a Answers, key: &NodeKey) -> Option<&'a AnswerValue> {
        let node = &self.nodes[key.node];
        self.answers_at(answers, node.scope, &key.instance)?
            .get(&node.name)
    }

    /// Every instance key of `scope` that exists in `answers` under `prefix`.
    fn instances(&self, answers: &Answers, scope: usize, prefix: &[usize]) -> Vec<Vec<usize>> {
        let depth = self.scopes[scope].repeat_chain.len();
        if prefix.len() >= depth {
            return vec![prefix[..depth].to_vec()];
        }
        let parent = self.scopes[scope].parent.unwrap_or(0);
        let mut keys = Vec::new();
        for outer in self.instances(answers, parent, prefix) {
            let count = match self
                .answers_at(answers, parent, &outer)
                .and_then(|map| map.get(&self.scopes[scope].repeat_chain[depth - 1]))
            {
                Some(AnswerValue::Repeat(instances)) => instances.len(),
                _ => 0,
            };
            for index in 0..count {
                let mut key = outer.clone();
                key.push(index);
                keys.push(key);
            }
        }
        keys
    }

    /// Evaluates every node instance from scratch.
    pub fn evaluate_all(&self, answers: &Answers, today: NaiveDate) -> FormState {
        let mut state = FormState::default();
        for &node in &self.order {
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
        let mut seen: HashSet<usize> = affected.iter().copied().collect();
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
        affected.sort_by_key(|node| self.rank[*node]);
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
        let constraint_failed = relevant
            && match (&node.constraint, self.answer(answers, &key)) {
                (Some(expression), Some(_)) => !expression.evaluate_bool(&context),
                _ => false,
            };
        match calculated {
            Some(value) => {
                state.calculated.insert(key.clone(), value);
            }
            None => {
                state.calculated.remove(&key);
            }
        }
        if constraint_failed {
            state.constraint_failed.insert(key.clone());
        } else {
            state.constraint_failed.remove(&key);
        }
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

    /// The computed value of a calculate node instance.
    pub fn calculated<'a>(&self, state: &'a FormState, key: &NodeKey) -> Option<&'a Value> {
        state.calculated.get(key)
    }

    /// Every question node instance that exists for `answers`, in document
    /// order, with its question kind and whether it is required.
    pub fn question_instances(&self, answers: &Answers) -> Vec<(NodeKey, &QuestionKind, bool)> {
        let mut found = Vec::new();
        for (index, node) in self.nodes.iter().enumerate() {
            if let NodeKind::Question(kind) = &node.kind {
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

    /// The name of a node.
    pub fn name(&self, node: usize) -> &str {
        &self.nodes[node].name
    }

    /// The names a map of `scope`'s answers may hold.
    fn names_in_scope(&self, scope: usize) -> HashSet<&str> {
        self.nodes
            .iter()
            .filter(|node| node.scope == scope && !matches!(node.kind, NodeKind::Group))
            .map(|node| node.name.as_str())
            .collect()
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
        let names = self.names_in_scope(scope);
        for (name, value) in map {
            if !names.contains(name.as_str()) {
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
        let state = self.evaluate_all(answers, today);
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
        keys.sort_by_key(|key| std::cmp::Reverse(key.0.instance.len()));
        for (key, node) in keys {
            let Some(map) = answers_at_mut(
                &mut result,
                &self.scopes[node.scope].repeat_chain,
                &key.instance,
            ) else {
                continue;
            };
            if !self.is_relevant(&state, &key) {
                map.remove(&node.name);
                continue;
            }
            if let Some(value) = state.calculated.get(&key) {
                match value_to_answer(value) {
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
    }
}

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
        AnswerValue::Smiley(points) | AnswerValue::Rating(points) => {
            Value::Number(f64::from(*points))
        }
        AnswerValue::Repeat(instances) => Value::Number(instances.len() as f64),
    }
}

struct Context<'a> {
    engine: &'a FormEngine,
    state: &'a FormState,
    answers: &'a Answers,
    at: &'a NodeKey,
    today: NaiveDate,
}

impl EvaluationContext for Context<'_> {
    fn value_of(&self, name: &str) -> Value {
        let Some(node) = self.engine.node(name) else {
            return Value::Empty;
        };
        let depth = self.engine.depth(node);
        let key = NodeKey {
            node,
            instance: self.at.instance[..depth.min(self.at.instance.len())].to_vec(),
        };
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

    fn current_value(&self) -> Value {
        self.engine
            .answer(self.answers, self.at)
            .map(answer_to_value)
            .unwrap_or(Value::Empty)
    }

    fn today(&self) -> NaiveDate {
        self.today
    }
}

/// A map from question name to answers, for building test and bench data.
pub fn answers<const N: usize>(entries: [(&str, AnswerValue); N]) -> Answers {
    entries
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect::<BTreeMap<_, _>>()
}

/// A generated form for benches and tests: `questions` numeric questions in
/// chains of ten linked by relevance and constraints, the second half inside
/// a repeat `people` with `instances` instances, every question answered.
pub fn generated_form(questions: usize, instances: usize) -> (SurveyDefinition, Answers) {
    use crate::survey::{Group, Layout, Question};
    let number = |id: String, relevant: Option<String>, constraint: Option<String>| {
        Item::Question(Question {
            id: id.clone(),
            label: Localized::new(id.clone(), id),
            hint: None,
            required: false,
            kind: QuestionKind::Number {
                min: None,
                max: None,
                integer: false,
            },
            relevant,
            constraint,
            constraint_message: None,
        })
    };
    let half = questions / 2;
    let mut outside: Vec<Item> = (0..half)
        .map(|index| {
            let linked = index % 10 != 0;
            number(
                format!("q{index}"),
                linked.then(|| format!("${{q{}}} != 1", index.saturating_sub(1))),
                linked.then(|| ". >= 0".to_owned()),
            )
        })
        .collect();
    let inside: Vec<Item> = (0..(questions - half))
        .map(|index| {
            let linked = index % 10 != 0;
            number(
                format!("r{index}"),
                linked.then(|| format!("${{r{}}} != 1 and ${{q0}} != 99", index.saturating_sub(1))),
                None,
            )
        })
        .collect();
    outside.push(Item::Repeat(Group {
        id: "people".to_owned(),
        label: Localized::new("Người", "Person"),
        relevant: None,
        items: inside,
    }));
    let survey = SurveyDefinition {
        id: "generated".to_owned(),
        version: 1,
        title: Localized::new("Biểu mẫu sinh tự động", "Generated form"),
        description: Localized::default(),
        age_bands: Vec::new(),
        layout: Layout::PagePerGroup,
        items: outside,
    };
    let instance: Answers = (0..(questions - half))
        .map(|index| (format!("r{index}"), AnswerValue::Number(2.0)))
        .collect();
    let mut all: Answers = (0..half)
        .map(|index| (format!("q{index}"), AnswerValue::Number(2.0)))
        .collect();
    all.insert(
        "people".to_owned(),
        AnswerValue::Repeat(vec![instance; instances]),
    );
    (survey, all)
}

/// Times edits of a generated form: each edit changes one answer inside a
/// different repeat instance (alternating 1 and 2, so relevance flips) and
/// recomputes. `now_ms` is the caller's clock (core has none). Returns
/// (compile ms, full evaluation ms, mean ms per edit, node instances
/// recomputed per edit).
pub fn time_edits(
    questions: usize,
    instances: usize,
    edits: usize,
    now_ms: &dyn Fn() -> f64,
) -> (f64, f64, f64, f64) {
    let (survey, mut all) = generated_form(questions, instances);
    let started = now_ms();
    let Ok(engine) = FormEngine::compile(&survey) else {
        return (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    };
    let compiled = now_ms();
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let mut state = engine.evaluate_all(&all, today);
    let evaluated = now_ms();
    let node = engine.node("r0").unwrap_or(0);
    let mut recomputed = 0;
    for edit in 0..edits {
        let key = NodeKey {
            node,
            instance: vec![edit % instances.max(1)],
        };
        let value = if edit % 2 == 0 { 1.0 } else { 2.0 };
        engine.set_answer(&mut all, &key, Some(AnswerValue::Number(value)));
        recomputed += engine.update(&mut state, &all, &key, today);
    }
    let finished = now_ms();
    let edits = edits.max(1) as f64;
    (
        compiled - started,
        evaluated - compiled,
        (finished - evaluated) / edits,
        recomputed as f64 / edits,
    )
}

#[cfg(test)]
mod tests;
