//! Tests of the expression language through its public face: parse a text,
//! evaluate it against some answers, compare with what ODK would give.

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::NaiveDate;

use super::*;

/// Answers for a test; the value of `.` is stored under the name ".".
/// Records every name it is asked for, to check that evaluation is lazy.
struct Answers {
    values: HashMap<String, Value>,
    asked: RefCell<Vec<String>>,
}

impl Answers {
    fn new(values: &[(&str, Value)]) -> Answers {
        Answers {
            values: values
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone()))
                .collect(),
            asked: RefCell::new(Vec::new()),
        }
    }

    fn get(&self, name: &str) -> Value {
        self.asked.borrow_mut().push(name.to_owned());
        self.values.get(name).cloned().unwrap_or(Value::Empty)
    }
}

impl EvaluationContext for Answers {
    fn value_of(&self, name: &str) -> Value {
        self.get(name)
    }

    fn current_value(&self) -> Value {
        self.get(".")
    }

    fn today(&self) -> NaiveDate {
        date(2025, 6, 1)
    }
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid date in a test")
}

fn text(text: &str) -> Value {
    Value::Text(text.to_owned())
}

fn number(number: f64) -> Value {
    Value::Number(number)
}

/// Values are equal, counting NaN as equal to itself.
fn same(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) if left.is_nan() && right.is_nan() => true,
        _ => left == right,
    }
}

/// Parses `source`, evaluates it with `values`, and expects `expected`.
#[track_caller]
fn check(source: &str, values: &[(&str, Value)], expected: Value) {
    let expression = Expression::parse(source)
        .unwrap_or_else(|error| panic!("{source:?} should parse, but: {error}"));
    let actual = expression.evaluate(&Answers::new(values));
    assert!(
        same(&actual, &expected),
        "{source:?} gave {actual:?}, expected {expected:?}"
    );
    assert_eq!(
        expression.evaluate_bool(&Answers::new(values)),
        actual.to_bool(),
        "evaluate_bool of {source:?}"
    );
}

/// `check` without answers.
#[track_caller]
fn check_alone(source: &str, expected: Value) {
    check(source, &[], expected);
}

/// Expects `source` to be refused at `position`, with an English message
/// containing `english` and a Vietnamese one too.
#[track_caller]
fn check_error(source: &str, position: usize, english: &str) {
    let error = match Expression::parse(source) {
        Ok(expression) => panic!("{source:?} should not parse, but gave {expression:?}"),
        Err(error) => error,
    };
    assert_eq!(error.position, position, "position for {source:?}: {error}");
    assert!(
        error.message.en.contains(english),
        "the message for {source:?} should contain {english:?}: {error}"
    );
    assert!(
        !error.message.vi.is_empty(),
        "Vietnamese message for {source:?}"
    );
    assert_ne!(
        error.message.vi, error.message.en,
        "translated for {source:?}"
    );
}

#[test]
fn literals() {
    check_alone("3", number(3.0));
    check_alone("3.25", number(3.25));
    check_alone(".5", number(0.5));
    check_alone("5.", number(5.0));
    check_alone("007", number(7.0));
    check_alone("'yes'", text("yes"));
    check_alone("\"yes\"", text("yes"));
    check_alone("''", text(""));
    check_alone("\"it's\"", text("it's"));
    check_alone("'say \"hi\"'", text("say \"hi\""));
    check_alone("'Hà Nội'", text("Hà Nội"));
    check_alone("  \t\n 3 \n", number(3.0));
}

#[test]
fn references_and_the_current_value() {
    check("${age}", &[("age", number(9.0))], number(9.0));
    check("${name}", &[("name", text("Lan"))], text("Lan"));
    check("${unanswered}", &[], Value::Empty);
    check("${q.1-b_2}", &[("q.1-b_2", text("x"))], text("x"));
    check("${_private}", &[("_private", text("x"))], text("x"));
    check("${tuổi}", &[("tuổi", number(8.0))], number(8.0));
    check(".", &[(".", number(42.0))], number(42.0));
    check(". + 1", &[(".", number(41.0))], number(42.0));
}

#[test]
fn arithmetic() {
    check_alone("1 + 2", number(3.0));
    check_alone("1 - 2", number(-1.0));
    check_alone("3 * 4", number(12.0));
    check_alone("7 div 2", number(3.5));
    check_alone("7 mod 3", number(1.0));
    check_alone("-7 mod 3", number(-1.0));
    check_alone("7 mod -3", number(1.0));
    check_alone("5.5 mod 2", number(1.5));
    check_alone("-3", number(-3.0));
    check_alone("- 3", number(-3.0));
    check_alone("--3", number(3.0));
    check_alone("---3", number(-3.0));
    check_alone("2 - -3", number(5.0));
    check_alone("1-1", number(0.0));
    check_alone("3div 2", number(1.5));
    check_alone("-'3'", number(-3.0));
    check_alone("--'3'", number(3.0));
    check_alone("'3' + 1", number(4.0));
    check_alone("' 3 ' + 1", number(4.0));
    check_alone("'-2.5' * 2", number(-5.0));
    check_alone("true() + true()", number(2.0));
}

#[test]
fn arithmetic_never_fails_it_gives_infinity_or_nan() {
    check_alone("1 div 0", number(f64::INFINITY));
    check_alone("-1 div 0", number(f64::NEG_INFINITY));
    check_alone("0 div 0", number(f64::NAN));
    check_alone("5 mod 0", number(f64::NAN));
    check_alone("'abc' + 1", number(f64::NAN));
    check_alone("'1e3' + 0", number(f64::NAN));
    check_alone("'+3' + 0", number(f64::NAN));
    check_alone("'inf' + 0", number(f64::NAN));
    check_alone("'1.2.3' + 0", number(f64::NAN));
    check_alone("'-' + 0", number(f64::NAN));
}

#[test]
fn precedence_follows_xpath() {
    check_alone("1 + 2 * 3", number(7.0));
    check_alone("(1 + 2) * 3", number(9.0));
    check_alone("10 - 2 - 3", number(5.0));
    check_alone("8 div 2 div 2", number(2.0));
    check_alone("2 * 3 mod 4", number(2.0));
    check_alone("-2 * 3", number(-6.0));
    check_alone("- (2 + 3) * 2", number(-10.0));
    check_alone("1 + 1 = 2", Value::Bool(true));
    check_alone("1 < 2 = 2 < 3", Value::Bool(true));
    check_alone("3 > 2 > 1", Value::Bool(false));
    check_alone("1 = 1 and 2 = 3", Value::Bool(false));
    check_alone("true() or false() and false()", Value::Bool(true));
    check_alone("(true() or false()) and false()", Value::Bool(false));
    check_alone("1 or 0 and 0", Value::Bool(true));
    check_alone("((((((1))))))", number(1.0));
}

#[test]
fn equality_compares_as_booleans_then_numbers_then_text() {
    check_alone("1 = 1", Value::Bool(true));
    check_alone("1 != 1", Value::Bool(false));
    check_alone("'10' = 10.0", Value::Bool(true));
    check_alone("'10' = '10.0'", Value::Bool(false));
    check_alone("'abc' = 'abc'", Value::Bool(true));
    check_alone("'abc' != 'abd'", Value::Bool(true));
    check_alone("'Abc' = 'abc'", Value::Bool(false));
    check_alone("true() = 'x'", Value::Bool(true));
    check_alone("false() = ''", Value::Bool(true));
    check_alone("true() = 2", Value::Bool(true));
    check_alone("false() = 0", Value::Bool(true));
    check_alone("true() != false()", Value::Bool(true));
    check_alone("0 div 0 = 0 div 0", Value::Bool(false));
    check_alone("0 div 0 != 0 div 0", Value::Bool(true));
    check_alone("'abc' = 0 div 0", Value::Bool(false));
}

#[test]
fn relational_operators_compare_as_numbers() {
    check_alone("1 < 2", Value::Bool(true));
    check_alone("2 < 2", Value::Bool(false));
    check_alone("2 <= 2", Value::Bool(true));
    check_alone("3 <= 2", Value::Bool(false));
    check_alone("3 > 2", Value::Bool(true));
    check_alone("2 > 2", Value::Bool(false));
    check_alone("2 >= 2", Value::Bool(true));
    check_alone("1 >= 2", Value::Bool(false));
    check_alone("'10' > '9'", Value::Bool(true));
    check_alone("'b' > 'a'", Value::Bool(false));
    check_alone("'b' < 'a'", Value::Bool(false));
    check_alone("true() > false()", Value::Bool(true));
    check_alone("0 div 0 < 1", Value::Bool(false));
    check_alone("0 div 0 >= 1", Value::Bool(false));
}

#[test]
fn an_unanswered_question_is_empty_text_and_nan() {
    let none: &[(&str, Value)] = &[];
    check("${x} = ''", none, Value::Bool(true));
    check("${x} != ''", none, Value::Bool(false));
    check("${x} = 0", none, Value::Bool(false));
    check("${x} != 0", none, Value::Bool(true));
    check("${x} < 1", none, Value::Bool(false));
    check("${x} >= 1", none, Value::Bool(false));
    check("${x} = false()", none, Value::Bool(true));
    check("${x} + 1", none, number(f64::NAN));
    check("-${x}", none, number(f64::NAN));
    check("not(${x})", none, Value::Bool(true));
    check("string-length(${x})", none, number(0.0));
    check("count-selected(${x})", none, number(0.0));
    check("selected(${x}, '')", none, Value::Bool(false));
    check("concat('[', ${x}, ']')", none, text("[]"));
    check("${x}", none, Value::Empty);
    // An answer that is empty text behaves the same.
    check("${x} = ''", &[("x", text(""))], Value::Bool(true));
    check("${x} + 1", &[("x", text(""))], number(f64::NAN));
}

#[test]
fn and_or_not_and_booleans() {
    check_alone("true()", Value::Bool(true));
    check_alone("false()", Value::Bool(false));
    check_alone("true() and true()", Value::Bool(true));
    check_alone("true() and false()", Value::Bool(false));
    check_alone("false() or true()", Value::Bool(true));
    check_alone("false() or false()", Value::Bool(false));
    check_alone("not(true())", Value::Bool(false));
    check_alone("not(0)", Value::Bool(true));
    check_alone("not('')", Value::Bool(true));
    check_alone("boolean('false')", Value::Bool(true));
    check_alone("boolean(0)", Value::Bool(false));
    check_alone("boolean(0 div 0)", Value::Bool(false));
    check_alone("boolean(-0.5)", Value::Bool(true));
    check_alone("boolean(today())", Value::Bool(true));
    check_alone("1 and 'x'", Value::Bool(true));
}

#[test]
fn if_coalesce_and_or_evaluate_only_what_they_need() {
    let answers = Answers::new(&[("a", text("A")), ("b", text("B"))]);
    let evaluate = |source: &str| {
        answers.asked.borrow_mut().clear();
        let value = Expression::parse(source)
            .expect("a valid expression")
            .evaluate(&answers);
        (value, answers.asked.borrow().clone())
    };
    assert_eq!(
        evaluate("if(true(), ${a}, ${b})"),
        (text("A"), vec!["a".to_owned()])
    );
    assert_eq!(
        evaluate("if(0, ${a}, ${b})"),
        (text("B"), vec!["b".to_owned()])
    );
    assert_eq!(
        evaluate("coalesce(${a}, ${b})"),
        (text("A"), vec!["a".to_owned()])
    );
    assert_eq!(
        evaluate("coalesce(${none}, ${b})"),
        (text("B"), vec!["none".to_owned(), "b".to_owned()])
    );
    assert_eq!(
        evaluate("${a} or ${b}"),
        (Value::Bool(true), vec!["a".to_owned()])
    );
    assert_eq!(
        evaluate("${none} and ${b}"),
        (Value::Bool(false), vec!["none".to_owned()])
    );
}

#[test]
fn choice_functions() {
    let activities = [("activities", text("football reading  music"))];
    check(
        "selected(${activities}, 'football')",
        &activities,
        Value::Bool(true),
    );
    check(
        "selected(${activities}, 'music')",
        &activities,
        Value::Bool(true),
    );
    check(
        "selected(${activities}, ' music ')",
        &activities,
        Value::Bool(true),
    );
    check(
        "selected(${activities}, 'foot')",
        &activities,
        Value::Bool(false),
    );
    check(
        "selected(${activities}, '')",
        &activities,
        Value::Bool(false),
    );
    check("count-selected(${activities})", &activities, number(3.0));
    check(
        "selected-at(${activities}, 0)",
        &activities,
        text("football"),
    );
    check("selected-at(${activities}, 2)", &activities, text("music"));
    check("selected-at(${activities}, 3)", &activities, text(""));
    check("selected-at(${activities}, -1)", &activities, text(""));
    check("selected-at(${activities}, 0.5)", &activities, text(""));
    check(
        "selected(${one}, 'yes')",
        &[("one", text("yes"))],
        Value::Bool(true),
    );
    check(
        "selected(${n}, 3)",
        &[("n", text("1 3"))],
        Value::Bool(true),
    );
}

#[test]
fn text_functions() {
    check_alone("string(3)", text("3"));
    check_alone("string(-2.5)", text("-2.5"));
    check_alone("string(0.1 + 0.2)", text("0.30000000000000004"));
    check_alone("string(1000000 * 1000000)", text("1000000000000"));
    check_alone("string(0.000001)", text("0.000001"));
    check_alone("string(-0)", text("0"));
    check_alone("string(0 div 0)", text("NaN"));
    check_alone("string(1 div 0)", text("Infinity"));
    check_alone("string(-1 div 0)", text("-Infinity"));
    check_alone("string(true())", text("true"));
    check_alone("string(1 = 2)", text("false"));
    check_alone("string(${x})", text(""));
    check_alone("string-length('Hà Nội')", number(6.0));
    check_alone("string-length('')", number(0.0));
    check_alone("string-length(12.5)", number(4.0));
    check_alone("concat('a', 1, true(), '-', 2.5)", text("a1true-2.5"));
    check_alone("concat('only')", text("only"));
    check_alone("coalesce('', 'b')", text("b"));
    check_alone("coalesce('a', 'b')", text("a"));
    check_alone("coalesce(0, 'b')", number(0.0));
    check_alone("contains('Hà Nội', 'Nội')", Value::Bool(true));
    check_alone("contains('Hà Nội', 'noi')", Value::Bool(false));
    check_alone("contains('abc', '')", Value::Bool(true));
    check_alone("starts-with('football', 'foot')", Value::Bool(true));
    check_alone("starts-with('football', 'ball')", Value::Bool(false));
    check_alone("ends-with('football', 'ball')", Value::Bool(true));
    check_alone("ends-with('football', 'foot')", Value::Bool(false));
    check_alone("substr('Hà Nội', 3)", text("Nội"));
    check_alone("substr('Hà Nội', 0, 2)", text("Hà"));
    check_alone("substr('abc', 2, 1)", text(""));
    check_alone("substr('abc', -5, 99)", text("abc"));
    check_alone("substr('abc', 'x')", text("abc"));
    check_alone("normalize-space('  a \t b\n ')", text("a b"));
}

#[test]
fn number_functions() {
    check_alone("number('12')", number(12.0));
    check_alone("number(' -1.5 ')", number(-1.5));
    check_alone("number('')", number(f64::NAN));
    check_alone("number('twelve')", number(f64::NAN));
    check_alone("number(true())", number(1.0));
    check_alone("number(false())", number(0.0));
    check_alone("int(3.7)", number(3.0));
    check_alone("int(-3.7)", number(-3.0));
    check_alone("int('12.9')", number(12.0));
    check_alone("int('')", number(f64::NAN));
    check_alone("round(2.5)", number(3.0));
    check_alone("round(2.4)", number(2.0));
    check_alone("round(-2.5)", number(-2.0));
    check_alone("round(-2.6)", number(-3.0));
    check_alone("round(2.71828, 2)", number(2.72));
    check_alone("round(2.71428, 2)", number(2.71));
    check_alone("round(2.675, 2)", number(2.68));
    check_alone("round(1.005, 2)", number(1.01));
    check_alone("round(1234.5, -2)", number(1200.0));
    check_alone("round(1250, -2)", number(1300.0));
    check_alone("round(5, 400)", number(5.0));
    check_alone("round(5, -400)", number(0.0));
    check_alone("round(0 div 0)", number(f64::NAN));
    check_alone("round(1, 'x')", number(f64::NAN));
    check_alone("round(1 div 0, 2)", number(f64::INFINITY));
    check_alone("floor(2.7)", number(2.0));
    check_alone("floor(-2.2)", number(-3.0));
    check_alone("ceiling(2.2)", number(3.0));
    check_alone("ceiling(-2.7)", number(-2.0));
    check_alone("abs(-4)", number(4.0));
    check_alone("pow(2, 10)", number(1024.0));
    check_alone("pow(4, 0.5)", number(2.0));
    check_alone("min(3, 1, 2)", number(1.0));
    check_alone("max(3, 1, '7')", number(7.0));
    check_alone("max(3, ${none})", number(f64::NAN));
}

#[test]
fn dates_count_as_days_since_1970() {
    check_alone("today()", Value::Date(date(2025, 6, 1)));
    check_alone("string(today())", text("2025-06-01"));
    check_alone("date('1970-01-01') = 0", Value::Bool(true));
    check_alone("number(date('1970-01-02'))", number(1.0));
    check_alone("number(date('1969-12-31'))", number(-1.0));
    check_alone("date(0)", Value::Date(date(1970, 1, 1)));
    check_alone("date(20000.9)", Value::Date(date(2024, 10, 4)));
    check_alone(
        "date('2024-02-29T10:30:00+07:00')",
        Value::Date(date(2024, 2, 29)),
    );
    check_alone("date('2023-02-29')", Value::Empty);
    check_alone("date('01/02/2023')", Value::Empty);
    check_alone("date('')", Value::Empty);
    check_alone("date(1 div 0)", Value::Empty);
    check_alone("date(today())", Value::Date(date(2025, 6, 1)));
    check_alone("today() + 1", number(20_241.0));
    check_alone("date(today() + 1)", Value::Date(date(2025, 6, 2)));
    let birth = [("birth", Value::Date(date(2015, 3, 1)))];
    check("today() - ${birth}", &birth, number(3_745.0));
    check("${birth} < '2016-01-01'", &birth, Value::Bool(true));
    check("${birth} >= '2015-03-01'", &birth, Value::Bool(true));
    check("${birth} > '2015-03-01'", &birth, Value::Bool(false));
    check("'2016-01-01' > ${birth}", &birth, Value::Bool(true));
    check("${birth} < today()", &birth, Value::Bool(true));
    check("${birth} = '2015-03-01'", &birth, Value::Bool(true));
    check("${birth} != '2015-03-02'", &birth, Value::Bool(true));
    check("${birth} < 'someday'", &birth, Value::Bool(false));
    check("${birth} < ${none}", &birth, Value::Bool(false));
    // Text alone is never a date: as in XPath it is not a number.
    check_alone("'2015-03-01' < '2016-01-01'", Value::Bool(false));
}

#[test]
fn realistic_xlsform_expressions() {
    let age = |years: f64| [("age", number(years))];
    check("${age} >= 7 and ${age} < 12", &age(7.0), Value::Bool(true));
    check(
        "${age} >= 7 and ${age} < 12",
        &age(12.0),
        Value::Bool(false),
    );
    check("${age} >= 7 and ${age} < 12", &[], Value::Bool(false));
    check(
        "${age} >= 7 and ${age} < 12",
        &[("age", text("9"))],
        Value::Bool(true),
    );

    let relevant = "selected(${activities}, 'football') or ${other} != ''";
    check(
        relevant,
        &[("activities", text("music football"))],
        Value::Bool(true),
    );
    check(relevant, &[("other", text("cờ vua"))], Value::Bool(true));
    check(
        relevant,
        &[("activities", text("music"))],
        Value::Bool(false),
    );

    let constraint = ". >= 0 and . <= 120";
    check(constraint, &[(".", number(0.0))], Value::Bool(true));
    check(constraint, &[(".", number(120.0))], Value::Bool(true));
    check(constraint, &[(".", number(121.0))], Value::Bool(false));
    check(constraint, &[(".", number(-1.0))], Value::Bool(false));

    let calculation = "if(${consent} = 'yes', 1, 0) + count-selected(${tools})";
    check(
        calculation,
        &[("consent", text("yes")), ("tools", text("pen phone"))],
        number(3.0),
    );
    check(calculation, &[("consent", text("no"))], number(0.0));

    let under_sixteen = "today() - ${birth_date} < 365 * 16";
    check(
        under_sixteen,
        &[("birth_date", Value::Date(date(2012, 1, 1)))],
        Value::Bool(true),
    );
    check(
        under_sixteen,
        &[("birth_date", Value::Date(date(2005, 1, 1)))],
        Value::Bool(false),
    );
    check(under_sixteen, &[], Value::Bool(false));

    let short_enough = "string-length(.) <= 200";
    check(
        short_enough,
        &[(".", text(&"a".repeat(200)))],
        Value::Bool(true),
    );
    check(
        short_enough,
        &[(".", text(&"ô".repeat(201)))],
        Value::Bool(false),
    );
    check(short_enough, &[], Value::Bool(true));

    check(
        "concat(${first}, ' (', ${age}, ' tuổi)')",
        &[("first", text("Lan")), ("age", number(9.0))],
        text("Lan (9 tuổi)"),
    );
    check(
        "round(${score} div ${total} * 100, 1)",
        &[("score", number(2.0)), ("total", number(3.0))],
        number(66.7),
    );
    check(
        "not(selected(${tools}, 'none')) or count-selected(${tools}) = 1",
        &[("tools", text("none"))],
        Value::Bool(true),
    );
}

#[test]
fn references_are_distinct_in_order_of_first_appearance() {
    let references = |source: &str| {
        Expression::parse(source)
            .expect("a valid expression")
            .references()
            .to_vec()
    };
    assert_eq!(
        references("${b} + ${a} * ${b} + if(${c}, ${a}, ${d})"),
        ["b", "a", "c", "d"]
    );
    assert_eq!(references("selected(${q.1-x}, 'y')"), ["q.1-x"]);
    assert_eq!(references("1 + ."), Vec::<String>::new());
    assert_eq!(references("'${not_a_reference}'"), Vec::<String>::new());
}

#[test]
fn uses_current_value_says_whether_dot_appears() {
    let uses = |source: &str| {
        Expression::parse(source)
            .expect("a valid expression")
            .uses_current_value()
    };
    assert!(uses(". >= 0 and . <= 120"));
    assert!(uses("string-length(.) <= 200"));
    assert!(uses("if(${a}, 1, .)"));
    assert!(!uses("${a} > 0"));
    assert!(!uses(".5 > 0"));
    assert!(!uses("'.'"));
}

#[test]
fn an_expression_keeps_its_source_and_compares_by_it() {
    let source = "  ${age}>=7  ";
    let expression = Expression::parse(source).expect("a valid expression");
    assert_eq!(expression.source(), source);
    assert_eq!(expression.clone(), expression);
    assert_eq!(Expression::parse(source), Ok(expression.clone()));
    assert_ne!(Expression::parse("${age} >= 8").ok(), Some(expression));
}

#[test]
fn errors_say_where_and_why_in_both_languages() {
    check_error("", 0, "empty");
    check_error("   ", 0, "empty");
    check_error("foo(1)", 0, "Function \"foo\" is not supported");
    check_error("1 + foo(1)", 4, "Function \"foo\" is not supported");
    check_error("jr:itext('label')", 0, "\"jr:itext\" is not supported");
    check_error("not(1, 2)", 0, "takes 1 argument, but is given 2");
    check_error("today(1)", 0, "takes no arguments");
    check_error("if(1, 2)", 0, "takes 3 arguments, but is given 2");
    check_error("round()", 0, "takes 1 or 2 arguments");
    check_error("concat()", 0, "takes at least 1 argument");
    check_error("selected(${a})", 0, "takes 2 arguments");
    check_error("(1 + 2", 0, "never closed");
    check_error("not(1", 3, "never closed");
    check_error("1 + 2)", 5, "no matching \"(\"");
    check_error("(1))", 3, "no matching \"(\"");
    check_error("1 2", 2, "\"2\" is not expected here");
    check_error("(1 2)", 3, "\"2\" is not expected here");
    check_error("concat(1 2)", 9, "\"2\" is not expected here");
    check_error("concat(1,)", 9, "\")\" is not expected here");
    check_error("concat(,1)", 7, "\",\" is not expected here");
    check_error("1 +", 3, "ends too early");
    check_error("not(", 4, "ends too early");
    check_error("-", 1, "ends too early");
    check_error("1 = = 2", 4, "\"=\" is not expected here");
    check_error("1 and and 2", 6, "\"and\" is not expected here");
    check_error("and", 0, "\"and\" is not expected here");
    check_error("1 div", 5, "ends too early");
    check_error("..", 0, "\"..\" is not expected here");
    check_error(
        "position(.)",
        0,
        "position can only be used as position(..)",
    );
    check_error("${}", 0, "has no question name");
    check_error("1 + ${}", 4, "has no question name");
    check_error("${age", 0, "never closed");
    check_error("${age name}", 0, "never closed");
    check_error("$age", 0, "followed by a question name in braces");
    check_error("${1st}", 2, "\"1st\" is not valid");
    check_error("${a!}", 2, "\"a!\" is not valid");
    check_error("'yes", 0, "never closed");
    check_error("${a} = \"yes", 7, "never closed");
    check_error("${a} = ‘yes’", 7, "curly quote");
    check_error("${a} = yes", 7, "If it is text, put it in quotes: 'yes'");
    check_error("1 ! 2", 2, "\"!\" is not allowed");
    check_error("1 # 2", 2, "\"#\" is not allowed");
    check_error("/data/age > 3", 0, "\"/\" is not allowed");
    check_error("${a} == 1", 6, "\"=\" is not expected here");
    // Positions count characters, not bytes.
    check_error("'Hà Nội' = foo(1)", 11, "\"foo\"");
}

#[test]
fn errors_display_both_languages_and_the_position() {
    let error = Expression::parse("foo()").expect_err("foo is not a function");
    assert_eq!(
        error.to_string(),
        "Hàm \"foo\" không được hỗ trợ. Hãy kiểm tra chính tả hoặc dùng một hàm khác. / \
         Function \"foo\" is not supported. Check its spelling or use another function. \
         (at character 0)"
    );
}

#[test]
fn nesting_is_limited_so_no_input_overflows_the_stack() {
    let nested = |depth: usize| format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
    check_alone(&nested(parser::MAX_NESTING), number(1.0));
    check_error(
        &nested(parser::MAX_NESTING + 1),
        parser::MAX_NESTING,
        "nested too deeply",
    );
    check_error(
        &"(".repeat(100_000),
        parser::MAX_NESTING,
        "nested too deeply",
    );
    check_error(
        &"not(".repeat(100_000),
        4 * parser::MAX_NESTING + 3,
        "nested too deeply",
    );

    // Long flat chains and runs of minus signs are not nesting: they parse,
    // evaluate and drop without deep recursion.
    let long_sum = vec!["1"; 100_000].join(" + ");
    check_alone(&long_sum, number(100_000.0));
    check_alone(&format!("{}1", "-".repeat(100_001)), number(-1.0));
    let long_or = vec!["${a} = 1"; 50_000].join(" or ");
    check(&long_or, &[("a", number(1.0))], Value::Bool(true));
}

/// A small deterministic generator (xorshift64*), so the test needs no crate
/// and fails the same way every time.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

/// Pieces of expressions, valid and not, for random sources.
const PIECES: &[&str] = &[
    "${a}",
    "${b_2}",
    "${q.1-x}",
    ".",
    ".5",
    "3",
    "4.25",
    "0",
    "'x'",
    "\"y y\"",
    "''",
    "(",
    ")",
    "(",
    ")",
    ",",
    "+",
    "-",
    "*",
    "div",
    "mod",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "and",
    "or",
    "not(",
    "selected(",
    "count-selected(",
    "if(",
    "concat(",
    "round(",
    "substr(",
    "date(",
    "today()",
    "true()",
    "false()",
    "string-length(",
    "coalesce(",
    "int(",
    "$",
    "${",
    "}",
    "'",
    "\"",
    "${}",
    "foo(",
    "..",
    "!",
    "‘",
    "Hà Nội",
    "/",
    "[",
    "1e5",
    " ",
    "\t",
    "é",
    "jr:x(",
];

const OPERATORS: &[&str] = &[
    "+", "-", "*", "div", "mod", "=", "!=", "<", "<=", ">", ">=", "and", "or",
];

const OPERANDS: &[&str] = &[
    "${a}",
    "${b_2}",
    "${q.1-x}",
    "${none}",
    ".",
    "0",
    "3",
    "-4.25",
    "'x'",
    "'2020-02-02'",
    "''",
    "today()",
    "true()",
    "false()",
    "0 div 0",
    "1 div 0",
];

/// A well-formed expression of at most `depth` levels of calls and
/// parentheses.
fn well_formed(generator: &mut Generator, depth: usize) -> String {
    let operand = |generator: &mut Generator| -> String {
        if depth == 0 || generator.below(3) > 0 {
            return OPERANDS[generator.below(OPERANDS.len())].to_owned();
        }
        let inner = |generator: &mut Generator| well_formed(generator, depth - 1);
        match generator.below(8) {
            0 => format!("({})", inner(generator)),
            1 => format!("not({})", inner(generator)),
            2 => format!(
                "if({}, {}, {})",
                inner(generator),
                inner(generator),
                inner(generator)
            ),
            3 => format!("concat({}, {})", inner(generator), inner(generator)),
            4 => format!("selected({}, {})", inner(generator), inner(generator)),
            5 => format!("round({}, {})", inner(generator), inner(generator)),
            6 => format!(
                "substr({}, {}, {})",
                inner(generator),
                inner(generator),
                inner(generator)
            ),
            _ => format!("date({})", inner(generator)),
        }
    };
    let mut source = operand(generator);
    for _ in 0..generator.below(4) {
        source.push(' ');
        source.push_str(OPERATORS[generator.below(OPERATORS.len())]);
        source.push(' ');
        source.push_str(&operand(generator));
    }
    source
}

/// `source` with one piece inserted, or one character removed, at random.
fn corrupt(generator: &mut Generator, source: &str) -> String {
    let mut characters: Vec<char> = source.chars().collect();
    let at = generator.below(characters.len() + 1);
    if generator.below(2) == 0 && at < characters.len() {
        characters.remove(at);
    } else {
        let piece = PIECES[generator.below(PIECES.len())];
        characters.splice(at..at, piece.chars());
    }
    characters.into_iter().collect()
}

#[test]
fn parsing_random_token_soup_never_panics() {
    let mut generator = Generator(0x9e37_79b9_7f4a_7c15);
    let answers = Answers::new(&[
        ("a", number(3.0)),
        ("b_2", text("x y")),
        ("q.1-x", Value::Date(date(2020, 2, 2))),
        (".", text("12")),
    ]);
    let mut parsed = 0;
    for round in 0..10_000 {
        let source = match round % 3 {
            // Soup: pieces in any order.
            0 => {
                let separator = if generator.below(3) == 0 { "" } else { " " };
                (0..generator.below(16))
                    .map(|_| PIECES[generator.below(PIECES.len())])
                    .collect::<Vec<_>>()
                    .join(separator)
            }
            // Valid expressions, to exercise evaluation.
            1 => well_formed(&mut generator, 3),
            // Nearly valid ones, the mistakes people make.
            _ => {
                let source = well_formed(&mut generator, 3);
                corrupt(&mut generator, &source)
            }
        };
        match Expression::parse(&source) {
            Ok(expression) => {
                parsed += 1;
                assert_eq!(expression.source(), source);
                let _value: Value = expression.evaluate(&answers);
                let _truth: bool = expression.evaluate_bool(&answers);
                for name in expression.references() {
                    assert!(
                        source.contains(&format!("${{{name}}}")),
                        "{name} in {source:?}"
                    );
                }
            }
            Err(error) => {
                assert!(
                    error.position <= source.chars().count(),
                    "position {} beyond {source:?}",
                    error.position
                );
                assert!(!error.message.vi.is_empty() && !error.message.en.is_empty());
            }
        }
    }
    // Every well-formed source parses; some corrupted ones still do.
    assert!(parsed >= 3_333, "only {parsed} of 10,000 parsed");
}

#[test]
fn regex_matches_somewhere_unless_anchored() {
    let phone = [(".", text("0912345678"))];
    check("regex(., '^[0-9]{10}$')", &phone, Value::Bool(true));
    check("regex(., '^[0-9]{9}$')", &phone, Value::Bool(false));
    // Unanchored, as ODK and Enketo test it: a match anywhere will do.
    check("regex(., '[0-9]{3}')", &phone, Value::Bool(true));
    check(
        "regex(., '^\\d*$')",
        &[(".", text("12a"))],
        Value::Bool(false),
    );
    check(
        "regex(${email}, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,4}')",
        &[("email", text("lan@example.vn"))],
        Value::Bool(true),
    );
    // An empty answer is tested as empty text.
    check("regex(${none}, '^$')", &[], Value::Bool(true));
    check("regex(${none}, '.')", &[], Value::Bool(false));
    // A pattern that is not valid is refused when written out, and never
    // matches when it comes from an answer.
    check_error("regex(., '([0-9]')", 0, "not valid");
    check(
        "regex('abc', ${pattern})",
        &[("pattern", text("(["))],
        Value::Bool(false),
    );
}

/// A choice of a cascading list, for `choice_filter` tests.
struct OneChoice {
    answers: Answers,
    columns: HashMap<&'static str, &'static str>,
}

impl EvaluationContext for OneChoice {
    fn value_of(&self, name: &str) -> Value {
        self.answers.value_of(name)
    }

    fn current_value(&self) -> Value {
        self.answers.current_value()
    }

    fn today(&self) -> NaiveDate {
        self.answers.today()
    }

    fn choice_column(&self, name: &str) -> Value {
        self.columns
            .get(name)
            .map_or(Value::Empty, |text| Value::Text((*text).to_owned()))
    }
}

#[test]
fn a_choice_filter_reads_bare_names_as_the_choices_columns() {
    let filter = Expression::parse_choice_filter("${state} = cf and LABEL::English != ''")
        .expect("a choice filter parses");
    assert_eq!(filter.references(), ["state"]);
    assert_eq!(filter.choice_columns(), ["cf", "label::english"]);
    let choice = |cf, label| OneChoice {
        answers: Answers::new(&[("state", text("texas"))]),
        columns: HashMap::from([("cf", cf), ("label::english", label)]),
    };
    assert!(filter.evaluate_bool(&choice("texas", "Dallas")));
    assert!(!filter.evaluate_bool(&choice("ohio", "Columbus")));
    assert!(!filter.evaluate_bool(&choice("texas", "")));
    // A function name is still a function, and the same bare name in any
    // other column is refused, as before.
    assert!(Expression::parse_choice_filter("selected(${state}, cf)").is_ok());
    assert!(Expression::parse("${state} = cf").is_err());
    assert!(Expression::parse("${state} = cf")
        .is_err_and(|error| error.message.en.contains("not an operator or a function")));
}

#[test]
fn names_in_words_are_found() {
    assert_eq!(
        names_in_text("Em ở ${place} với ${ who }"),
        vec!["place".to_owned(), "who".to_owned()]
    );
    assert!(names_in_text("không có ${ tên").is_empty());
}

#[test]
fn odks_mathematics() {
    check("sqrt(16)", &[], number(4.0));
    check("round(cos(0) + sin(0) + tan(0), 3)", &[], number(1.0));
    check(
        "round(atan(1) * 4, 9) = round(pi(), 9)",
        &[],
        Value::Bool(true),
    );
    check(
        "round(atan2(1, 1) * 4, 9) = round(pi(), 9)",
        &[],
        Value::Bool(true),
    );
    check("round(pi() * 100)", &[], number(314.0));
    check("exp10(2)", &[], number(100.0));
    check("log10(1000)", &[], number(3.0));
    check("round(log(exp(2)), 6)", &[], number(2.0));
    check(
        "round(asin(1) + acos(1), 9) = round(pi() div 2, 9)",
        &[],
        Value::Bool(true),
    );
    check("sqrt(-1)", &[], number(f64::NAN));
}
