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
mod format_date;
mod functions;
mod lexer;
mod parser;
mod patterns;
mod rounding;
mod text_lists;
mod value;

#[cfg(test)]
mod odk_cases;
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
    choice_columns: Vec<String>,
    uses_current_value: bool,
}

impl Expression {
    /// Parses `source`, or says where and why it is not a valid expression.
    ///
    /// An empty (or blank) source is an error: a survey without a condition
    /// should have no expression at all rather than an empty one.
    pub fn parse(source: &str) -> Result<Expression, ExpressionError> {
        Self::parse_with(source, false)
    }

    /// Parses a `choice_filter`: an expression evaluated once per choice of
    /// a list, where a bare name is a column of that choice (`cf`, `name`,
    /// `label::English`, lower-cased), as in XLSForm's cascading selects:
    /// `${state} = cf` offers the choices whose `cf` column holds the
    /// answer to `state`.
    pub fn parse_choice_filter(source: &str) -> Result<Expression, ExpressionError> {
        Self::parse_with(source, true)
    }

    fn parse_with(source: &str, choice_columns: bool) -> Result<Expression, ExpressionError> {
        let tokens = lexer::tokenize(source)?;
        let root = parser::parse(&tokens, source.chars().count(), choice_columns)?;
        let mut references = Vec::new();
        let mut choice_column_names = Vec::new();
        let mut uses_current_value = false;
        root.visit(&mut |node| match node {
            parser::Node::Reference(name) if !references.contains(name) => {
                references.push(name.clone());
            }
            parser::Node::ChoiceColumn(name) if !choice_column_names.contains(name) => {
                choice_column_names.push(name.clone());
            }
            parser::Node::CurrentValue => uses_current_value = true,
            _ => {}
        });
        Ok(Expression {
            source: source.to_owned(),
            root,
            references,
            choice_columns: choice_column_names,
            uses_current_value,
        })
    }

    /// The choice columns a `choice_filter` reads (lower-cased, in the order
    /// they first appear); empty for any other expression.
    pub fn choice_columns(&self) -> &[String] {
        &self.choice_columns
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

/// The names `${…}` that a text (a label, a hint) refers to, in order.
pub fn names_in_text(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                names.push(after[..end].trim().to_owned());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    names
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

    /// A column of the choice a `choice_filter` is deciding on: empty
    /// outside a filter, or when the choice has no such column.
    fn choice_column(&self, _name: &str) -> Value {
        Value::Empty
    }

    /// For `jr:choice-name(value, '${question}')`: the label of the option
    /// `value` of `question`; `None` when there is no such option.
    fn choice_label(&self, _question: &str, _value: &str) -> Option<String> {
        None
    }

    /// For `now()`: the date and time where the worker is; `None` where no
    /// clock is given (the server checking a response: core has no clock).
    fn now(&self) -> Option<chrono::NaiveDateTime> {
        None
    }

    /// For `uuid()`: a random id for the question being evaluated, the
    /// same at every evaluation of one filling; `None` without a clock.
    fn uuid(&self) -> Option<String> {
        None
    }

    /// For `position(..)`: the 1-based number of the repeat instance the
    /// expression is evaluated in; `None` outside any repeat.
    fn position(&self) -> Option<usize> {
        None
    }
}
