//! A table of cases derived from the ODK XForms specification
//! (getodk.github.io/xforms-spec, "XPath Functions" and "Data Types") and
//! the XPath 1.0 rules it builds on: what each expression gives, written
//! as ODK writes the value into a submission (`string()` of the result).
//! Empty values, type coercion and dates first, as forms meet them most.

use chrono::NaiveDate;

use super::{EvaluationContext, Expression, Value};

/// Answers by name; today is 2026-12-05.
struct Answers(Vec<(&'static str, Value)>);

impl EvaluationContext for Answers {
    fn value_of(&self, name: &str) -> Value {
        self.0
            .iter()
            .find(|(known, _)| *known == name)
            .map_or(Value::Empty, |(_, value)| value.clone())
    }

    fn current_value(&self) -> Value {
        self.value_of(".")
    }

    fn today(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default()
    }
}

fn answers() -> Answers {
    let text = |text: &str| Value::Text(text.to_owned());
    Answers(vec![
        // An unanswered question reads as empty text.
        ("empty", Value::Empty),
        // Answers are stored as text; numbers read from it.
        ("age", text("11")),
        ("members", Value::Number(6.0)),
        ("spaced", text(" 12 ")),
        ("choices", text("sport read  music")),
        (
            "day",
            Value::Date(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap_or_default()),
        ),
        ("day_text", text("2026-12-05")),
        ("code", text("HK123")),
        ("name", text("Ước mơ")),
    ])
}

/// (expression, what ODK gives as text, where the rule comes from).
const CASES: &[(&str, &str, &str)] = &[
    // Empty values: "" as text, NaN as a number, false as a boolean.
    ("${empty}", "", "an unanswered node is the empty string"),
    ("${empty} + 1", "NaN", "number('') is NaN; NaN + 1 is NaN"),
    ("${empty} = ''", "true", "string comparison with ''"),
    ("${empty} = 0", "false", "number('') = 0 is NaN = 0, false"),
    ("${empty} != 0", "true", "NaN != 0 is true"),
    ("${empty} < 1", "false", "any comparison with NaN is false"),
    ("boolean(${empty})", "false", "boolean('') is false"),
    ("not(${empty})", "true", "not(boolean(''))"),
    ("string-length(${empty})", "0", "string-length('')"),
    (
        "concat('a', ${empty}, 'b')",
        "ab",
        "concat of '' adds nothing",
    ),
    (
        "coalesce(${empty}, 'x')",
        "x",
        "coalesce takes the first non-empty",
    ),
    (
        "coalesce(${age}, 'x')",
        "11",
        "coalesce keeps a non-empty first",
    ),
    ("count-selected(${empty})", "0", "no choice selected"),
    ("selected(${empty}, 'a')", "false", "nothing selected"),
    (
        "format-date(${empty}, '%Y')",
        "",
        "format-date of an empty value is empty",
    ),
    ("- ${empty}", "NaN", "unary minus of NaN"),
    // Type coercion.
    ("${age} + 1", "12", "number('11') + 1"),
    ("${age} > 9", "true", "relational operators compare numbers"),
    ("${age} = 11", "true", "= with a number compares as numbers"),
    ("${age} = '11'", "true", "= with strings compares strings"),
    (
        "${members} = '6'",
        "true",
        "a number against a string: as numbers",
    ),
    (
        "number(${spaced})",
        "12",
        "number() allows surrounding whitespace",
    ),
    ("number('12abc')", "NaN", "number() of a non-number"),
    ("number('1e3')", "NaN", "XPath 1.0 numbers have no exponent"),
    ("number(true())", "1", "number(true()) is 1"),
    ("1 + true()", "2", "booleans count as 1 and 0 in arithmetic"),
    ("boolean('0')", "true", "a non-empty string is true"),
    ("boolean(0)", "false", "0 is false"),
    ("boolean(0 div 0)", "false", "NaN is false"),
    ("string(true())", "true", "booleans as true/false"),
    ("string(1 div 0)", "Infinity", "XPath: positive infinity"),
    ("string(-1 div 0)", "-Infinity", "XPath: negative infinity"),
    ("string(0 div 0)", "NaN", "XPath: NaN"),
    ("string(3.0)", "3", "integers without a decimal point"),
    ("string(1000000)", "1000000", "never exponent notation"),
    ("string(2.5)", "2.5", "decimals as written"),
    ("'abc' = 'abc'", "true", "string equality"),
    ("'a' != 'b'", "true", "string inequality"),
    // Arithmetic.
    ("7 div 2", "3.5", "div is real division"),
    ("7 mod 2", "1", "mod"),
    ("-7 mod 2", "-1", "mod takes the sign of the dividend"),
    (
        "1 div 0",
        "Infinity",
        "division by zero is infinity, not an error",
    ),
    ("2 + 3 * 4", "14", "precedence"),
    ("int(1.7)", "1", "int() truncates"),
    ("int(-1.7)", "-1", "int() truncates towards zero"),
    ("int('12abc')", "NaN", "int() of a non-number"),
    ("round(2.5)", "3", "round half up"),
    ("round(-2.5)", "-2", "round half towards positive infinity"),
    ("round(3.14159, 2)", "3.14", "round to digits"),
    (
        "round(1234.5, -2)",
        "1200",
        "round to tens with negative digits",
    ),
    ("floor(-1.2)", "-2", "floor"),
    ("ceiling(1.2)", "2", "ceiling"),
    ("abs(-3)", "3", "abs"),
    ("pow(2, 10)", "1024", "pow"),
    ("sqrt(16)", "4", "sqrt"),
    ("log10(1000)", "3", "log10"),
    ("exp(0)", "1", "exp"),
    ("min(3, 1, 2)", "1", "min of several"),
    ("max(${age}, ${members})", "11", "max of answers"),
    // Text.
    ("string-length(${name})", "6", "characters, not bytes"),
    (
        "substr('hello', 1, 3)",
        "el",
        "0-based start, end exclusive",
    ),
    ("substr('hello', 3)", "lo", "to the end"),
    ("contains('abc', 'b')", "true", "contains"),
    ("starts-with('abc', 'ab')", "true", "starts-with"),
    ("ends-with('abc', 'bc')", "true", "ends-with"),
    ("normalize-space('  a   b ')", "a b", "normalize-space"),
    (
        "regex(${code}, '^[A-Z]{2}[0-9]{3}$')",
        "true",
        "regex on the whole value",
    ),
    (
        "regex('xHK123x', '[A-Z]{2}[0-9]{3}')",
        "true",
        "regex matches anywhere unless anchored",
    ),
    ("if(${age} < 12, 'child', 'teen')", "child", "if"),
    (
        "concat(${age}, ' tuổi')",
        "11 tuổi",
        "concat converts numbers as string()",
    ),
    (
        "substring-before('2026-12-05', '-')",
        "2026",
        "substring-before",
    ),
    (
        "substring-after('a=b=c', '=')",
        "b=c",
        "substring-after the first",
    ),
    (
        "substring-after('abc', 'x')",
        "",
        "substring-after of a missing part",
    ),
    ("translate('bAr', 'abc', 'ABC')", "BAr", "translate"),
    (
        "translate('--a--', '-', '')",
        "a",
        "translate removes what has no counterpart",
    ),
    ("boolean-from-string('true')", "true", "boolean-from-string"),
    (
        "boolean-from-string('1')",
        "true",
        "boolean-from-string of 1",
    ),
    (
        "boolean-from-string('yes')",
        "false",
        "only true and 1 are true",
    ),
    (
        "checklist(2, -1, true(), false(), ${age} > 9)",
        "true",
        "at least two true",
    ),
    (
        "checklist(-1, 1, true(), true())",
        "false",
        "at most one true",
    ),
    (
        "weighted-checklist(5, -1, true(), 3, false(), 4, true(), 2)",
        "true",
        "weights of the true answers",
    ),
    ("count-non-empty(${age})", "1", "one value, not empty"),
    ("count-non-empty(${empty})", "0", "one value, empty"),
    ("join(', ', ${age})", "11", "join of one value"),
    // Multiple choice.
    (
        "selected(${choices}, 'read')",
        "true",
        "selected: a space-separated name",
    ),
    (
        "selected(${choices}, 'rea')",
        "false",
        "selected matches whole names",
    ),
    (
        "count-selected(${choices})",
        "3",
        "extra spaces separate, not count",
    ),
    ("selected-at(${choices}, 1)", "read", "0-based"),
    ("selected-at(${choices}, 9)", "", "past the end: empty"),
    // Dates: days since 1970-01-01 in arithmetic.
    ("date('1970-01-02') + 0", "1", "a date is a number of days"),
    (
        "format-date(date(0), '%Y-%m-%d')",
        "1970-01-01",
        "date() of a number of days",
    ),
    (
        "format-date(date('2026-12-05'), '%d/%m/%Y')",
        "05/12/2026",
        "format-date",
    ),
    (
        "format-date(${day}, '%e/%n/%y')",
        "28/2/26",
        "day and month without zeros, short year",
    ),
    (
        "format-date(${day_text}, '%Y')",
        "2026",
        "a date answer stored as text",
    ),
    ("${day} + 1", "20513", "2026-03-01 as days since 1970"),
    (
        "format-date(date(${day} + 1), '%Y-%m-%d')",
        "2026-03-01",
        "date arithmetic",
    ),
    ("today() > ${day}", "true", "dates compare as days"),
    ("format-date(today(), '%Y-%m-%d')", "2026-12-05", "today()"),
    (
        "decimal-date-time(date('1970-01-11'))",
        "10",
        "decimal-date-time of a date",
    ),
    (
        "int((today() - date('2014-12-05')) div 365.25)",
        "12",
        "age from a birthday",
    ),
];

#[test]
fn expressions_give_what_odk_gives() {
    let answers = answers();
    let mut wrong = Vec::new();
    for (source, expected, rule) in CASES {
        let expression = match Expression::parse(source) {
            Ok(expression) => expression,
            Err(error) => {
                wrong.push(format!("{source}: does not parse ({error}) — {rule}"));
                continue;
            }
        };
        let given = expression.evaluate(&answers).to_text();
        if given != *expected {
            wrong.push(format!(
                "{source}: gave {given:?}, ODK gives {expected:?} — {rule}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases differ:\n{}",
        wrong.len(),
        CASES.len(),
        wrong.join("\n")
    );
}
