//! Evaluates an expression tree with XPath 1.0's rules for operators and
//! comparisons.

use super::parser::{BinaryOperator, Node};
use super::value::Value;
use super::EvaluationContext;

/// Evaluates `node`. The tree's depth is bounded by the parser, so the
/// recursion is too.
pub(super) fn evaluate(node: &Node, context: &dyn EvaluationContext) -> Value {
    match node {
        Node::Number(number) => Value::Number(*number),
        Node::Text(text) => Value::Text(text.clone()),
        Node::Reference(name) => context.value_of(name),
        Node::CurrentValue => context.current_value(),
        Node::ChoiceColumn(name) => context.choice_column(name),
        Node::Position => context
            .position()
            .map_or(Value::Empty, |position| Value::Number(position as f64)),
        Node::Negate(operand) => Value::Number(-evaluate(operand, context).to_number()),
        Node::Or(operands) => Value::Bool(
            operands
                .iter()
                .any(|operand| evaluate(operand, context).to_bool()),
        ),
        Node::And(operands) => Value::Bool(
            operands
                .iter()
                .all(|operand| evaluate(operand, context).to_bool()),
        ),
        Node::Chain { first, rest } => rest
            .iter()
            .fold(evaluate(first, context), |left, (operator, operand)| {
                apply(*operator, &left, &evaluate(operand, context))
            }),
        Node::Call {
            function,
            arguments,
        } => function.call(arguments, context),
    }
}

fn apply(operator: BinaryOperator, left: &Value, right: &Value) -> Value {
    match operator {
        BinaryOperator::Equal => Value::Bool(equal(left, right)),
        // Also right for NaN: NaN = x is false, so NaN != x is true.
        BinaryOperator::NotEqual => Value::Bool(!equal(left, right)),
        BinaryOperator::Less => Value::Bool(relate(left, right, |a, b| a < b)),
        BinaryOperator::LessOrEqual => Value::Bool(relate(left, right, |a, b| a <= b)),
        BinaryOperator::Greater => Value::Bool(relate(left, right, |a, b| a > b)),
        BinaryOperator::GreaterOrEqual => Value::Bool(relate(left, right, |a, b| a >= b)),
        BinaryOperator::Add => Value::Number(left.to_number() + right.to_number()),
        BinaryOperator::Subtract => Value::Number(left.to_number() - right.to_number()),
        BinaryOperator::Multiply => Value::Number(left.to_number() * right.to_number()),
        BinaryOperator::Divide => Value::Number(left.to_number() / right.to_number()),
        // Rust's `%` on f64 is C's fmod, the same as XPath's `mod`: the sign
        // follows the dividend, and x mod 0 is NaN.
        BinaryOperator::Modulo => Value::Number(left.to_number() % right.to_number()),
    }
}

/// XPath's `=`: as booleans if either side is one, else as numbers if either
/// side is one, else as text. An empty answer is the empty text.
fn equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        // A node-set beside a boolean is its own boolean (not empty).
        (Value::Nodeset(_), Value::Bool(_)) | (Value::Bool(_), Value::Nodeset(_)) => {
            left.to_bool() == right.to_bool()
        }
        (Value::Nodeset(values), other) | (other, Value::Nodeset(values)) => {
            values.iter().any(|value| equal(value, other))
        }
        (Value::Bool(_), _) | (_, Value::Bool(_)) => left.to_bool() == right.to_bool(),
        (Value::Number(_), _) | (_, Value::Number(_)) => left.to_number() == right.to_number(),
        _ => left.to_text() == right.to_text(),
    }
}

/// XPath's `<`, `<=`, `>`, `>=`: always as numbers. Beside a date, a text
/// `YYYY-MM-DD` counts as that date, so `${birth_date} < '2015-01-01'`
/// works. Anything compared with NaN is false.
fn relate(left: &Value, right: &Value, compare: fn(f64, f64) -> bool) -> bool {
    // A node-set compares true when one of its values does.
    if let Value::Nodeset(values) = left {
        return values.iter().any(|value| relate(value, right, compare));
    }
    if let Value::Nodeset(values) = right {
        return values.iter().any(|value| relate(left, value, compare));
    }
    let involves_date = matches!(left, Value::Date(_)) || matches!(right, Value::Date(_));
    if involves_date {
        compare(left.to_number_beside_date(), right.to_number_beside_date())
    } else {
        compare(left.to_number(), right.to_number())
    }
}
