//! The functions an expression may call: XPath 1.0's common ones and ODK's
//! extensions, each with the number of arguments it takes.

use super::evaluation::evaluate;
use super::parser::Node;
use super::text_lists;
use super::value::Value;
use super::{EvaluationContext, ExpressionError};

/// A supported function. A name not in [`NAMES`] is refused when parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Function {
    /// `not(x)`: the opposite of `boolean(x)`.
    Not,
    /// `true()`.
    True,
    /// `false()`.
    False,
    /// `boolean(x)`.
    Boolean,
    /// `if(condition, then, else)`: only the chosen branch is evaluated.
    If,
    /// `coalesce(a, b)`: `a` unless it is empty text, else `b`.
    Coalesce,
    /// `selected(choices, name)`: whether the space-separated `choices`
    /// holds `name`.
    Selected,
    /// `count-selected(choices)`: how many space-separated names `choices` holds.
    CountSelected,
    /// `selected-at(choices, index)`: the 0-based `index`th name, or "".
    SelectedAt,
    /// `string(x)`.
    String,
    /// `string-length(x)`, in characters.
    StringLength,
    /// `concat(a, …)`.
    Concat,
    /// `contains(haystack, needle)`.
    Contains,
    /// `starts-with(text, prefix)`.
    StartsWith,
    /// `ends-with(text, suffix)`.
    EndsWith,
    /// `substr(text, start, end?)`: characters from the 0-based `start` up to
    /// but not including `end`, as in ODK.
    Substr,
    /// `normalize-space(x)`: trims and collapses runs of whitespace.
    NormalizeSpace,
    /// `number(x)`.
    Number,
    /// `int(x)`: truncates toward zero.
    Int,
    /// `round(x, digits?)`: halves go up, toward positive infinity.
    Round,
    /// `floor(x)`.
    Floor,
    /// `ceiling(x)`.
    Ceiling,
    /// `abs(x)`.
    Abs,
    /// `pow(base, exponent)`.
    Pow,
    /// `sum(values)`: the sum of a repeat's values read from outside it;
    /// NaN if one is not a number (an unanswered one, say), as in ODK.
    Sum,
    /// `count(values)`: how many values (a repeat's instances, or a
    /// question's across them); 1 for a question outside any repeat,
    /// answered or not, as ODK counts its one node.
    Count,
    /// `position(..)`: the 1-based number of the repeat instance being
    /// evaluated (parsed into its own node; listed for its name).
    Position,
    /// `indexed-repeat(${question}, ${repeat}, n)`: the question's value in
    /// the `n`th (1-based) instance of the repeat; empty past the last.
    IndexedRepeat,
    /// `format-date(date, format)`: the date written with ODK's codes
    /// (`%Y-%m-%d`, `%e/%n/%Y`, …); empty when it is no date.
    FormatDate,
    /// `format-date-time(date-time, format)`: as `format-date`, with the
    /// time of day (`%H:%M`).
    FormatDateTime,
    /// `decimal-date-time(date-time)`: days since 1970-01-01, the time of
    /// day as a fraction.
    DecimalDateTime,
    /// `jr:choice-name(value, '${question}')`: the label of the option
    /// `value` of that question (its Vietnamese, else its English).
    ChoiceName,
    /// `sqrt(x)`, as in ODK (NaN outside its domain).
    Sqrt,
    /// `exp(x)`, as in ODK (NaN outside its domain).
    Exp,
    /// `exp10(x)`, as in ODK (NaN outside its domain).
    Exp10,
    /// `log(x)`, as in ODK (NaN outside its domain).
    Log,
    /// `log10(x)`, as in ODK (NaN outside its domain).
    Log10,
    /// `sin(x)`, as in ODK (NaN outside its domain).
    Sin,
    /// `cos(x)`, as in ODK (NaN outside its domain).
    Cos,
    /// `tan(x)`, as in ODK (NaN outside its domain).
    Tan,
    /// `asin(x)`, as in ODK (NaN outside its domain).
    Asin,
    /// `acos(x)`, as in ODK (NaN outside its domain).
    Acos,
    /// `atan(x)`, as in ODK (NaN outside its domain).
    Atan,
    /// `atan2(y, x)`.
    Atan2,
    /// `pi()`.
    Pi,
    /// `now()`: the date and time, `YYYY-MM-DDTHH:MM:SS` (empty where no
    /// clock is given).
    Now,
    /// `uuid()`: a random id (`uuid(length)` too: the length is not used).
    Uuid,
    /// `once(x)`: the question's value once it has one, else `x`: what a
    /// calculation first gave is kept.
    Once,
    /// `min(a, …)`: NaN if any argument is not a number.
    Min,
    /// `max(a, …)`: NaN if any argument is not a number.
    Max,
    /// `today()`: the date the context gives.
    Today,
    /// `date(x)`: a date from `YYYY-MM-DD` text or a count of days since
    /// 1970-01-01; empty when neither.
    Date,
    /// `regex(text, pattern)`: whether `pattern` matches somewhere in
    /// `text` (anchor it with `^…$` to match the whole), as ODK and Enketo
    /// test it; false for a pattern that is not valid.
    Regex,
    /// `substring-before(text, part)`: what comes before the first `part`.
    SubstringBefore,
    /// `substring-after(text, part)`: what comes after the first `part`.
    SubstringAfter,
    /// `translate(text, from, to)`: each character of `from` replaced by
    /// the one at its place in `to`, or removed.
    Translate,
    /// `boolean-from-string(text)`: true for `true` and `1` only.
    BooleanFromString,
    /// `count-non-empty(values)`: how many of a repeat's values are not "".
    CountNonEmpty,
    /// `join(separator, values)`: a repeat's values joined.
    Join,
    /// `checklist(min, max, answers…)`: whether the number of true answers
    /// is within `min`..`max` (-1: no bound).
    Checklist,
    /// `weighted-checklist(min, max, answer, weight, …)`: the same with the
    /// weights of the true answers summed.
    WeightedChecklist,
}

/// Every supported function by the name an expression calls it by.
const NAMES: [(&str, Function); 61] = [
    ("not", Function::Not),
    ("true", Function::True),
    ("false", Function::False),
    ("boolean", Function::Boolean),
    ("if", Function::If),
    ("coalesce", Function::Coalesce),
    ("selected", Function::Selected),
    ("count-selected", Function::CountSelected),
    ("selected-at", Function::SelectedAt),
    ("string", Function::String),
    ("string-length", Function::StringLength),
    ("concat", Function::Concat),
    ("contains", Function::Contains),
    ("starts-with", Function::StartsWith),
    ("ends-with", Function::EndsWith),
    ("substr", Function::Substr),
    ("normalize-space", Function::NormalizeSpace),
    ("number", Function::Number),
    ("int", Function::Int),
    ("round", Function::Round),
    ("floor", Function::Floor),
    ("ceiling", Function::Ceiling),
    ("abs", Function::Abs),
    ("pow", Function::Pow),
    ("sqrt", Function::Sqrt),
    ("exp", Function::Exp),
    ("exp10", Function::Exp10),
    ("log", Function::Log),
    ("log10", Function::Log10),
    ("sin", Function::Sin),
    ("cos", Function::Cos),
    ("tan", Function::Tan),
    ("asin", Function::Asin),
    ("acos", Function::Acos),
    ("atan", Function::Atan),
    ("atan2", Function::Atan2),
    ("pi", Function::Pi),
    ("now", Function::Now),
    ("uuid", Function::Uuid),
    ("once", Function::Once),
    ("sum", Function::Sum),
    ("jr:choice-name", Function::ChoiceName),
    ("format-date", Function::FormatDate),
    ("format-date-time", Function::FormatDateTime),
    ("decimal-date-time", Function::DecimalDateTime),
    ("position", Function::Position),
    ("indexed-repeat", Function::IndexedRepeat),
    ("count", Function::Count),
    ("min", Function::Min),
    ("max", Function::Max),
    ("today", Function::Today),
    ("date", Function::Date),
    ("regex", Function::Regex),
    ("substring-before", Function::SubstringBefore),
    ("substring-after", Function::SubstringAfter),
    ("translate", Function::Translate),
    ("boolean-from-string", Function::BooleanFromString),
    ("count-non-empty", Function::CountNonEmpty),
    ("join", Function::Join),
    ("checklist", Function::Checklist),
    ("weighted-checklist", Function::WeightedChecklist),
];

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arity {
    Exactly(usize),
    Between(usize, usize),
    AtLeast(usize),
}

impl Function {
    /// The function called `name` in an expression, if it is supported.
    pub(super) fn from_name(name: &str) -> Option<Function> {
        NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|&(_, function)| function)
    }

    /// The name the function is called by. Every function is made by
    /// [`Function::from_name`], so each one met here is in [`NAMES`].
    pub(super) fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, function)| *function == self)
            .map_or("", |&(name, _)| name)
    }

    fn arity(self) -> Arity {
        match self {
            Function::True | Function::False | Function::Today | Function::Pi | Function::Now => {
                Arity::Exactly(0)
            }
            Function::Not
            | Function::Boolean
            | Function::CountSelected
            | Function::String
            | Function::StringLength
            | Function::NormalizeSpace
            | Function::Number
            | Function::Int
            | Function::Floor
            | Function::Ceiling
            | Function::Abs
            | Function::Sum
            | Function::Count
            | Function::Position
            | Function::Once
            | Function::Sqrt
            | Function::Exp
            | Function::Exp10
            | Function::Log
            | Function::Log10
            | Function::Sin
            | Function::Cos
            | Function::Tan
            | Function::Asin
            | Function::Acos
            | Function::Atan
            | Function::DecimalDateTime
            | Function::BooleanFromString
            | Function::CountNonEmpty
            | Function::Date => Arity::Exactly(1),
            Function::Coalesce
            | Function::Selected
            | Function::SelectedAt
            | Function::Contains
            | Function::StartsWith
            | Function::EndsWith
            | Function::Pow
            | Function::Atan2
            | Function::FormatDate
            | Function::FormatDateTime
            | Function::ChoiceName
            | Function::SubstringBefore
            | Function::SubstringAfter
            | Function::Join
            | Function::Regex => Arity::Exactly(2),
            Function::If | Function::IndexedRepeat | Function::Translate => Arity::Exactly(3),
            Function::Checklist => Arity::AtLeast(3),
            Function::WeightedChecklist => Arity::AtLeast(4),
            Function::Round => Arity::Between(1, 2),
            Function::Uuid => Arity::Between(0, 1),
            Function::Substr => Arity::Between(2, 3),
            Function::Concat | Function::Min | Function::Max => Arity::AtLeast(1),
        }
    }

    /// Refuses a call with the wrong number of arguments; `position` is where
    /// the function's name starts.
    pub(super) fn check_arity(self, given: usize, position: usize) -> Result<(), ExpressionError> {
        let (fits, vi_expected, en_expected) = match self.arity() {
            Arity::Exactly(0) => (
                given == 0,
                "không nhận đối số nào".to_owned(),
                "takes no arguments".to_owned(),
            ),
            Arity::Exactly(1) => (
                given == 1,
                "cần đúng 1 đối số".to_owned(),
                "takes 1 argument".to_owned(),
            ),
            Arity::Exactly(count) => (
                given == count,
                format!("cần đúng {count} đối số"),
                format!("takes {count} arguments"),
            ),
            Arity::Between(low, high) => (
                (low..=high).contains(&given),
                format!("cần {low} hoặc {high} đối số"),
                format!("takes {low} or {high} arguments"),
            ),
            Arity::AtLeast(count) => (
                given >= count,
                format!("cần ít nhất {count} đối số"),
                format!(
                    "takes at least {count} argument{}",
                    if count == 1 { "" } else { "s" }
                ),
            ),
        };
        if fits {
            return Ok(());
        }
        let name = self.name();
        Err(ExpressionError::new(
            position,
            format!("Hàm \"{name}\" {vi_expected}, nhưng ở đây có {given}. Hãy sửa lại số đối số."),
            format!("Function \"{name}\" {en_expected}, but is given {given} here. Correct the arguments."),
        ))
    }

    /// Calls the function on `arguments`, evaluating them only as needed.
    pub(super) fn call(self, arguments: &[Node], context: &dyn EvaluationContext) -> Value {
        // The arity was checked when parsing; a missing argument still reads
        // as empty rather than panicking.
        let argument = |index: usize| {
            arguments
                .get(index)
                .map_or(Value::Empty, |node| evaluate(node, context))
        };
        let text = |index: usize| argument(index).to_text();
        let number = |index: usize| argument(index).to_number();
        match self {
            Function::Not => Value::Bool(!argument(0).to_bool()),
            Function::True => Value::Bool(true),
            Function::False => Value::Bool(false),
            Function::Boolean => Value::Bool(argument(0).to_bool()),
            Function::If => {
                if argument(0).to_bool() {
                    argument(1)
                } else {
                    argument(2)
                }
            }
            Function::Coalesce => {
                let first = argument(0);
                if first.to_text().is_empty() {
                    argument(1)
                } else {
                    first
                }
            }
            Function::Selected => {
                let wanted = text(1);
                let wanted = wanted.trim();
                Value::Bool(text(0).split_whitespace().any(|item| item == wanted))
            }
            Function::CountSelected => count(text(0).split_whitespace().count()),
            Function::SelectedAt => {
                let index = number(1);
                let item = if index >= 0.0 && index.fract() == 0.0 {
                    // Whole and not negative; an index too large to fit
                    // becomes usize::MAX, past any real list.
                    text(0)
                        .split_whitespace()
                        .nth(index as usize)
                        .map(str::to_owned)
                } else {
                    None
                };
                Value::Text(item.unwrap_or_default())
            }
            Function::String => Value::Text(text(0)),
            Function::StringLength => count(text(0).chars().count()),
            Function::Concat => Value::Text(
                arguments
                    .iter()
                    .map(|node| evaluate(node, context).to_text())
                    .collect(),
            ),
            Function::Contains => Value::Bool(text(0).contains(&text(1))),
            Function::StartsWith => Value::Bool(text(0).starts_with(&text(1))),
            Function::EndsWith => Value::Bool(text(0).ends_with(&text(1))),
            Function::Substr => {
                let characters: Vec<char> = text(0).chars().collect();
                let length = characters.len();
                let start = character_index(number(1), length, 0);
                let end = if arguments.len() > 2 {
                    character_index(number(2), length, length)
                } else {
                    length
                };
                Value::Text(
                    characters
                        .get(start..end)
                        .unwrap_or_default()
                        .iter()
                        .collect(),
                )
            }
            Function::NormalizeSpace => {
                Value::Text(text(0).split_whitespace().collect::<Vec<_>>().join(" "))
            }
            Function::Number => Value::Number(number(0)),
            Function::Int => Value::Number(number(0).trunc()),
            Function::Round => {
                let digits = if arguments.len() > 1 { number(1) } else { 0.0 };
                Value::Number(super::rounding::round(number(0), digits))
            }
            Function::Floor => Value::Number(number(0).floor()),
            Function::Ceiling => Value::Number(number(0).ceil()),
            Function::Abs => Value::Number(number(0).abs()),
            Function::Pow => Value::Number(number(0).powf(number(1))),
            Function::Sqrt => Value::Number(number(0).sqrt()),
            Function::Exp => Value::Number(number(0).exp()),
            Function::Exp10 => Value::Number(10_f64.powf(number(0))),
            Function::Log => Value::Number(number(0).ln()),
            Function::Log10 => Value::Number(number(0).log10()),
            Function::Sin => Value::Number(number(0).sin()),
            Function::Cos => Value::Number(number(0).cos()),
            Function::Tan => Value::Number(number(0).tan()),
            Function::Asin => Value::Number(number(0).asin()),
            Function::Acos => Value::Number(number(0).acos()),
            Function::Atan => Value::Number(number(0).atan()),
            Function::Atan2 => Value::Number(number(0).atan2(number(1))),
            Function::Pi => Value::Number(std::f64::consts::PI),
            Function::Sum => Value::Number(each(argument(0)).iter().map(Value::to_number).sum()),
            Function::Count => count(match argument(0) {
                Value::Nodeset(values) => values.len(),
                _ => 1,
            }),
            Function::FormatDate | Function::FormatDateTime => {
                match super::format_date::date_time_of(&argument(0)) {
                    Some(moment) => Value::Text(super::format_date::format(moment, &text(1))),
                    None => Value::Empty,
                }
            }
            Function::DecimalDateTime => super::format_date::date_time_of(&argument(0))
                .map_or(Value::Number(f64::NAN), |moment| {
                    Value::Number(super::format_date::decimal_days(moment))
                }),
            Function::ChoiceName => {
                let question = text(1);
                let question = question.trim();
                let name = question
                    .strip_prefix("${")
                    .and_then(|rest| rest.strip_suffix('}'))
                    .unwrap_or(question);
                context
                    .choice_label(name.trim(), text(0).trim())
                    .map_or(Value::Empty, Value::Text)
            }
            Function::Now => context.now().map_or(Value::Empty, |moment| {
                Value::Text(moment.format("%Y-%m-%dT%H:%M:%S").to_string())
            }),
            Function::Uuid => context.uuid().map_or(Value::Empty, Value::Text),
            Function::Once => {
                let kept = context.current_value();
                if kept.to_text().is_empty() {
                    argument(0)
                } else {
                    kept
                }
            }
            Function::Position => context
                .position()
                .map_or(Value::Empty, |position| Value::Number(position as f64)),
            Function::IndexedRepeat => {
                let index = number(2);
                let wanted = (index >= 1.0 && index.fract() == 0.0).then(|| index as usize - 1);
                match (argument(0), wanted) {
                    (Value::Nodeset(values), Some(wanted)) => {
                        values.get(wanted).cloned().unwrap_or(Value::Empty)
                    }
                    (value, Some(0)) => value,
                    _ => Value::Empty,
                }
            }
            Function::Min => Value::Number(extreme(arguments, context, f64::min)),
            Function::Max => Value::Number(extreme(arguments, context, f64::max)),
            Function::Today => Value::Date(context.today()),
            Function::Date => argument(0).to_date().map_or(Value::Empty, Value::Date),
            Function::Regex => Value::Bool(super::patterns::regex_matches(&text(0), &text(1))),
            Function::SubstringBefore => {
                Value::Text(text_lists::before(&text(0), &text(1)).to_owned())
            }
            Function::SubstringAfter => {
                Value::Text(text_lists::after(&text(0), &text(1)).to_owned())
            }
            Function::Translate => Value::Text(text_lists::translate(&text(0), &text(1), &text(2))),
            Function::BooleanFromString => Value::Bool(matches!(text(0).trim(), "true" | "1")),
            Function::CountNonEmpty => count(
                each(argument(0))
                    .iter()
                    .filter(|value| !value.to_text().is_empty())
                    .count(),
            ),
            Function::Join => Value::Text(
                each(argument(1))
                    .iter()
                    .map(Value::to_text)
                    .collect::<Vec<_>>()
                    .join(&text(0)),
            ),
            Function::Checklist | Function::WeightedChecklist => {
                let weighted = self == Function::WeightedChecklist;
                let values: Vec<Value> = arguments[2.min(arguments.len())..]
                    .iter()
                    .flat_map(|node| each(evaluate(node, context)))
                    .collect();
                Value::Bool(text_lists::checklist(
                    number(0),
                    number(1),
                    &values,
                    weighted,
                ))
            }
        }
    }
}

/// The values of a node-set one by one; any other value alone.
fn each(value: Value) -> Vec<Value> {
    match value {
        Value::Nodeset(values) => values,
        other => vec![other],
    }
}

fn count(count: usize) -> Value {
    // Counts of characters or choices are far below 2^53, where f64 stops
    // being exact.
    Value::Number(count as f64)
}

/// A character index from an expression's number: truncated, kept within
/// `0..=length`; `fallback` when not a number.
fn character_index(number: f64, length: usize, fallback: usize) -> usize {
    if number.is_nan() {
        fallback
    } else {
        // Float-to-integer casts saturate, so negative numbers become 0 and
        // huge ones usize::MAX before the clamp.
        (number.trunc() as usize).min(length)
    }
}

/// The smallest or largest of the arguments as numbers; NaN if any is not a
/// number, as `min` and `max` are in ODK.
fn extreme(arguments: &[Node], context: &dyn EvaluationContext, pick: fn(f64, f64) -> f64) -> f64 {
    let numbers = arguments
        .iter()
        .flat_map(|node| each(evaluate(node, context)))
        .map(|value| value.to_number());
    let mut result: Option<f64> = None;
    for number in numbers {
        if number.is_nan() {
            return f64::NAN;
        }
        result = Some(result.map_or(number, |so_far| pick(so_far, number)));
    }
    result.unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::{Function, NAMES};

    #[test]
    fn each_name_is_listed_once_and_names_its_function() {
        for (index, &(name, function)) in NAMES.iter().enumerate() {
            assert!(
                NAMES[..index]
                    .iter()
                    .all(|&(known, other)| known != name && other != function),
                "{name} listed twice"
            );
            assert_eq!(Function::from_name(name), Some(function));
            assert_eq!(function.name(), name);
        }
        assert_eq!(Function::from_name("no-such-function"), None);
    }
}
