//! The expression language of XLSForm's `relevant`, `constraint` and
//! `calculation` columns: parsed once when a survey is loaded, evaluated many
//! times while a worker fills it in.
//!
//! The language is the subset of XPath 1.0 that survey authors actually write,
//! with ODK's extensions: `${name}` refers to the answer of another question,
//! `.` to the answer of the question being checked. Values follow XPath's
//! conversion rules (an unanswered question is the empty string, which is NaN
//! as a number), so an expression copied from a form that works in ODK Collect
//! or Enketo means the same thing here.
//!
//! Parsing is where every mistake is caught: unknown functions, wrong numbers
//! of arguments and unbalanced parentheses are [`ExpressionError`]s with a
//! position and a bilingual message. Evaluation never fails and never panics:
//! a type mismatch becomes NaN, the empty string or `false`, as in XPath.
//! Nothing here reads a clock: `today()` asks the [`EvaluationContext`].
//!
//! ```
//! use thamgia_core::expression::{EvaluationContext, Expression, Value};
//!
//! struct Answers;
//! impl EvaluationContext for Answers {
//!     fn value_of(&self, name: &str) -> Value {
//!         match name {
//!             "age" => Value::Number(9.0),
//!             _ => Value::Empty,
//!         }
//!     }
//!     fn current_value(&self) -> Value {
//!         Value::Empty
//!     }
//!     fn today(&self) -> chrono::NaiveDate {
//!         chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("a valid date")
//!     }
//! }
//!
//! let relevant = Expression::parse("${age} >= 7 and ${age} < 12").expect("a valid expression");
//! assert_eq!(relevant.references(), ["age"]);
//! assert!(relevant.evaluate_bool(&Answers));
//! ```

mod evaluation;
mod functions;
mod lexer;
mod parser;
mod value;

#[cfg(test)]
mod tests;

use crate::localized::Localized;

pub use value::Value;

/// A parsed expression, ready to be evaluated any number of times.
///
/// Two expressions are equal when they were parsed from the same text.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    source: String,
    root: parser::Node,
    references: Vec<String>,
    uses_current_value: bool,
}

impl Expression {
    /// Parses `source`, or says where and why it is not a valid expression.
    ///
    /// An empty (or blank) source is an error: a survey without a condition
    /// should have no expression at all rather than an empty one.
    pub fn parse(source: &str) -> Result<Expression, ExpressionError> {
        let tokens = lexer::tokenize(source)?;
        let root = parser::parse(&tokens, source.chars().count())?;
        let mut references = Vec::new();
        let mut uses_current_value = false;
        root.visit(&mut |node| match node {
            parser::Node::Reference(name) if !references.contains(name) => {
                references.push(name.clone());
            }
            parser::Node::CurrentValue => uses_current_value = true,
            _ => {}
        });
        Ok(Expression {
            source: source.to_owned(),
            root,
            references,
            uses_current_value,
        })
    }

    /// The text the expression was parsed from, unchanged.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The distinct question names referred to as `${name}`, in the order they
    /// first appear. The form engine uses them to know which answers an
    /// expression depends on, so it re-evaluates only when one of them changes.
    pub fn references(&self) -> &[String] {
        &self.references
    }

    /// Whether the expression uses `.`, the value of the question it belongs
    /// to (usual in constraints, meaningless in most other columns).
    pub fn uses_current_value(&self) -> bool {
        self.uses_current_value
    }

    /// Evaluates the expression against the answers given so far.
    ///
    /// Never panics and never fails: type mismatches follow XPath 1.0's
    /// conversions, division by zero gives infinity or NaN.
    pub fn evaluate(&self, context: &dyn EvaluationContext) -> Value {
        evaluation::evaluate(&self.root, context)
    }

    /// Evaluates the expression and converts the result as XPath's
    /// `boolean()` does: what `relevant` and `constraint` need.
    pub fn evaluate_bool(&self, context: &dyn EvaluationContext) -> bool {
        self.evaluate(context).to_bool()
    }
}

/// Why a text is not a valid expression, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} (at character {position})")]
pub struct ExpressionError {
    /// Where the problem is, as a 0-based offset in characters (not bytes)
    /// into the source, so it can be shown under the text of the form.
    pub position: usize,
    /// What is wrong and what to do, in Vietnamese and English.
    pub message: Localized,
}

impl ExpressionError {
    fn new(position: usize, vi: impl Into<String>, en: impl Into<String>) -> ExpressionError {
        ExpressionError {
            position,
            message: Localized::new(vi, en),
        }
    }
}

/// Where an expression finds the answers it refers to.
///
/// The form engine implements it over the response being filled in; tests
/// implement it over a map.
pub trait EvaluationContext {
    /// The value of `${name}`: [`Value::Empty`] when the question is
    /// unanswered, not relevant, or unknown.
    fn value_of(&self, name: &str) -> Value;

    /// The value of `.`, the question the expression belongs to.
    fn current_value(&self) -> Value;

    /// Today's date where the worker is, for `today()`: core has no clock.
    fn today(&self) -> chrono::NaiveDate;
}
