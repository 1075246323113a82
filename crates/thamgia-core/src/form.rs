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
//!
//! The engine's parts: `compile` builds the graph from a survey and refuses
//! what cannot run; `evaluate` computes relevance, calculations and
//! constraints, fully or after one edit, and fills labels' `${name}`;
//! `editing` lists and changes a response's answers (repeat instances
//! added and removed, unknown answers found) and keeps what a completed
//! response should; `generated` makes forms for tests and benches. This
//! file holds the compiled types and the look-ups every part shares.

use std::collections::{HashMap, HashSet};

/// The form's maps and sets, hashed with foldhash: the server checks every
/// pushed response through them, and std's SipHash of their keys (a node
/// and its repeat instances) was a fifth of that check. Its seed is still
/// drawn per map.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type Set<K> = HashSet<K, foldhash::fast::RandomState>;

use crate::expression::{Expression, Value};
use crate::localized::Localized;
use crate::response::{AnswerValue, Answers};
use crate::survey::QuestionKind;

mod compile;
mod editing;
mod evaluate;
mod generated;

#[cfg(test)]
mod calculation_tests;
#[cfg(test)]
mod tests;

pub use evaluate::answer_to_value;
pub use generated::{answers, generated_form, time_edits};

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
    /// Which options are offered (`choice_filter`), per option.
    choice_filter: Option<Expression>,
    required: bool,
    /// Required while this holds (`required` as an expression).
    required_if: Option<Expression>,
    /// For a repeat: how many instances it has (`repeat_count`).
    repeat_count: Option<Expression>,
    /// The names its label and hint quote (`${name}`), checked to exist.
    quoted: Vec<String>,
    /// The number its options' order follows (`randomize` with a `seed`).
    seed: Option<Expression>,
    /// Not answered while this holds (`read_only` as an expression).
    read_only_if: Option<Expression>,
    /// What a trigger's change sets the answer to (`calculation` with a
    /// `trigger`; `None`: cleared).
    triggered: Option<Expression>,
    /// The names of the questions whose change sets this one (`trigger`).
    trigger_names: Vec<String>,
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
    by_name: Map<String, usize>,
    scopes: Vec<Scope>,
    /// Position of each node in evaluation order.
    rank: Vec<usize>,
    /// Nodes in evaluation order.
    order: Vec<usize>,
    /// Direct dependents of each node.
    dependents: Vec<Vec<usize>>,
    /// What each response is called (the survey's `instance_name`).
    instance_name: Option<Expression>,
    /// For each node, the questions its change sets (their `trigger`
    /// names it), so an edit looks up only those.
    triggered_by: Vec<Vec<usize>>,
    /// The asked questions whose answer is computed all along (a
    /// `calculation` without a `trigger`).
    computed: Vec<usize>,
}

/// The tablet's clock and a random number for one filling: what `now()`
/// and `uuid()` read (core has neither). Without one (the server checking
/// a response) they give nothing, and `once()` keeps what the tablet
/// stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The date and time where the worker is.
    pub now: chrono::NaiveDateTime,
    /// Drawn once per filling: each question's `uuid()` is made from it,
    /// so it stays the same from one evaluation to the next.
    pub random: u64,
}

/// The computed state of one response: relevance, calculated values and
/// constraint results of every node instance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormState {
    /// The clock the state was evaluated with, if any.
    clock: Option<Clock>,
    relevant: Map<NodeKey, bool>,
    calculated: Map<NodeKey, Value>,
    constraint_failed: Set<NodeKey>,
    /// The options offered (their indexes) of each relevant instance of a
    /// question with a `choice_filter`.
    offered: Map<NodeKey, Vec<usize>>,
    /// Instances whose answer is an option not offered any more.
    not_offered: Set<NodeKey>,
    /// Relevant instances of questions required by an expression that
    /// holds now.
    required_now: Set<NodeKey>,
    /// Instances of questions read-only by an expression that holds now.
    read_only_now: Set<NodeKey>,
    /// How many instances each relevant repeat with a `repeat_count` has,
    /// by the repeat's key (the instance of the scope it sits in).
    counts: Map<NodeKey, usize>,
}

impl FormState {
    /// Sets the time `now()` reads from the next evaluation on (the tablet
    /// calls it before an incremental update).
    pub fn set_now(&mut self, now: chrono::NaiveDateTime) {
        if let Some(clock) = &mut self.clock {
            clock.now = now;
        }
    }

    /// How many node instances are known (for tests and benches).
    pub fn len(&self) -> usize {
        self.relevant.len()
    }

    /// Whether nothing has been evaluated.
    pub fn is_empty(&self) -> bool {
        self.relevant.is_empty()
    }
}

impl FormEngine {
    /// The node index of a name.
    pub fn node(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// How many nodes the survey has.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The name of a node.
    pub fn name(&self, node: usize) -> &str {
        &self.nodes[node].name
    }

    /// The scope whose instances a node's value lives in: a repeat's own
    /// value (its instances) lives in its enclosing scope.
    fn depth(&self, node: usize) -> usize {
        self.scopes[self.nodes[node].scope].repeat_chain.len()
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
}
