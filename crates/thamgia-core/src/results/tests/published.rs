//! Published results: no small count leaves, shared figures stay withheld
//! in both tables, statistics that would give a count back are withheld.

use super::*;
use crate::results::suppression::tests::Rng;
use crate::results::suppression::{Shown, Threshold};

/// Every count published anywhere in `value` (a `{"shown": "count"}`).
fn published_counts(value: &serde_json::Value, into: &mut Vec<u64>) {
    match value {
        serde_json::Value::Object(map) => {
            if map.get("shown").and_then(|shown| shown.as_str()) == Some("count") {
                into.push(map["count"].as_u64().expect("a count"));
            }
            for inner in map.values() {
                published_counts(inner, into);
            }
        }
        serde_json::Value::Array(items) => {
            for inner in items {
                published_counts(inner, into);
            }
        }
        _ => {}
    }
}

#[test]
fn no_small_count_is_published_for_any_filter_or_k() {
    let filters = [
        ResultsFilter::default(),
        ResultsFilter {
            wards: vec!["00004".to_owned()],
            ..ResultsFilter::default()
        },
        ResultsFilter {
            sexes: vec![Sex::Female],
            ..ResultsFilter::default()
        },
    ];
    for filter in &filters {
        let raw = results(filter);
        for k in 2..=6 {
            let threshold = Threshold::new(k);
            let published = publish_results(&raw, threshold);
            let json = serde_json::to_value(&published).expect("serialises");
            let mut counts = Vec::new();
            published_counts(&json, &mut counts);
            assert!(!counts.is_empty());
            assert!(
                counts.iter().all(|count| !threshold.is_small(*count)),
                "k = {k}, {filter:?}: {counts:?}"
            );
            let back: PublishedResults = serde_json::from_value(json).expect("reads back");
            assert_eq!(back, published);
        }
    }
}

fn published_question(results: &PublishedResults, name: &str) -> PublishedQuestion {
    results
        .questions
        .iter()
        .find(|question| question.question_id == name)
        .expect("the question is published")
        .clone()
}

#[test]
fn small_groups_show_words_without_attributes() {
    let raw = results(&ResultsFilter::default());
    let why = |k| {
        let published = publish_results(&raw, Threshold::new(k));
        match published_question(&published, "why").distribution {
            PublishedDistribution::FreeText { answers } => answers,
            other => panic!("{other:?}"),
        }
    };
    // Five respondents: attributes shown for k = 5, not for k = 6.
    assert!(why(5).iter().all(|answer| answer.attributes.is_some()));
    let hidden = why(6);
    assert_eq!(hidden.len(), 2);
    assert!(hidden.iter().all(|answer| answer.attributes.is_none()));
}

fn question_result(
    answered: u64,
    skipped: u64,
    not_asked: u64,
    distribution: Distribution,
) -> SurveyResults {
    SurveyResults {
        survey_id: "safety".to_owned(),
        title: Localized::default(),
        versions: vec![1],
        respondents: answered + skipped + not_asked,
        unknown_version: 0,
        questions: vec![QuestionResult {
            question_id: "q".to_owned(),
            label: Localized::default(),
            versions: vec![1],
            answered,
            skipped,
            not_asked,
            unreadable: 0,
            not_in_version: 0,
            distribution,
        }],
        not_summarised: Vec::new(),
    }
}

fn category_counts(counts: &[u64]) -> Vec<CategoryCount> {
    counts
        .iter()
        .enumerate()
        .map(|(index, count)| CategoryCount {
            category: Category::plain(index.to_string()),
            count: *count,
        })
        .collect()
}

#[test]
fn answered_withheld_as_a_complement_stays_withheld_in_the_answers() {
    // Two skipped: "answered" (30, the smallest other count) is hidden to
    // protect them, so the answers' table must not add up to it.
    let raw = question_result(
        30,
        2,
        40,
        Distribution::Categories {
            categories: category_counts(&[10, 20]),
        },
    );
    let published = publish_results(&raw, Threshold::DEFAULT);
    let question = &published.questions[0];
    assert_eq!(published.respondents, Shown::Count(72));
    assert_eq!(question.skipped, Shown::Under(5));
    assert_eq!(question.answered, Shown::Hidden);
    assert_eq!(question.not_asked, Shown::Count(40));
    let PublishedDistribution::Categories { categories } = &question.distribution else {
        panic!("{:?}", question.distribution);
    };
    let shown: Vec<Shown> = categories.iter().map(|count| count.count).collect();
    assert_eq!(shown, vec![Shown::Hidden, Shown::Count(20)]);
}

#[test]
fn a_mean_rank_beside_a_withheld_count_is_withheld() {
    let option = |key: &str, positions: Vec<u64>| RankedOption {
        category: Category::plain(key),
        positions,
    };
    let raw = question_result(
        30,
        0,
        0,
        Distribution::Ranking {
            options: vec![
                option("parks", vec![2, 10, 18]),
                option("schools", vec![10, 12, 8]),
                option("safety", vec![18, 8, 4]),
            ],
        },
    );
    let published = publish_results(&raw, Threshold::DEFAULT);
    let PublishedDistribution::Ranking { options } = &published.questions[0].distribution else {
        panic!("{:?}", published.questions[0].distribution);
    };
    for option in options {
        let withheld = option.positions.iter().any(|shown| shown.is_suppressed());
        assert_eq!(option.mean_rank.is_none(), withheld, "{option:?}");
        assert!(option.positions.iter().all(|shown| shown
            .count()
            .is_none_or(|count| !Threshold::DEFAULT.is_small(count))));
    }
    // 2 and 4 are small; the complements close a rectangle with them
    // (parks third, safety first), so schools keeps every count.
    let shapes: Vec<Vec<Shown>> = options
        .iter()
        .map(|option| option.positions.clone())
        .collect();
    assert_eq!(
        shapes,
        vec![
            vec![Shown::Under(5), Shown::Count(10), Shown::Hidden],
            vec![Shown::Count(10), Shown::Count(12), Shown::Count(8)],
            vec![Shown::Hidden, Shown::Count(8), Shown::Under(5)],
        ]
    );
    assert_eq!(options[1].mean_rank, Some(58.0 / 30.0));
}

#[test]
fn statistics_of_few_answers_are_withheld() {
    let raw = results(&ResultsFilter::default());
    let published = publish_results(&raw, Threshold::new(6));
    match published_question(&published, "hours").distribution {
        PublishedDistribution::Numbers {
            median,
            lower_quartile,
            upper_quartile,
            ..
        } => assert_eq!((median, lower_quartile, upper_quartile), (None, None, None)),
        other => panic!("{other:?}"),
    }
    let published = publish_results(&raw, Threshold::new(5));
    match published_question(&published, "mood").distribution {
        PublishedDistribution::Scale { median, .. } => assert_eq!(median, Some(4.0)),
        other => panic!("{other:?}"),
    }
}

/// The attacker over both tables of a question at once: the unknowns are
/// the withheld figures; an equation (a list of figures that add up to
/// zero with their signs) with exactly one unknown gives it away, which
/// may open others. Returns what it learns.
fn recovered(equations: &[Vec<usize>], known: &mut [bool]) -> Vec<usize> {
    let mut learnt = Vec::new();
    loop {
        let mut progress = false;
        for equation in equations {
            let unknown: Vec<usize> = equation
                .iter()
                .copied()
                .filter(|figure| !known[*figure])
                .collect();
            if let [figure] = unknown.as_slice() {
                known[*figure] = true;
                learnt.push(*figure);
                progress = true;
            }
        }
        if !progress {
            return learnt;
        }
    }
}

#[test]
fn generated_questions_never_give_a_withheld_figure_away_across_their_two_tables() {
    let mut rng = Rng(71);
    let mut complements_seen = 0;
    for _ in 0..2_000 {
        let mut count = |small_percent: u64| {
            let roll = rng.next(100);
            if roll < 15 {
                0
            } else if roll < 15 + small_percent {
                1 + rng.next(4)
            } else {
                5 + rng.next(40)
            }
        };
        let categories: Vec<u64> = (0..4).map(|_| count(25)).collect();
        let (skipped, not_asked) = (count(40), count(20));
        let answered: u64 = categories.iter().sum();
        let raw = question_result(
            answered,
            skipped,
            not_asked,
            Distribution::Categories {
                categories: category_counts(&categories),
            },
        );
        let published = publish_results(&raw, Threshold::DEFAULT);
        let question = &published.questions[0];
        let PublishedDistribution::Categories { categories: shown } = &question.distribution else {
            panic!("{:?}", question.distribution);
        };
        // Figures: 0 respondents, 1 answered, 2 skipped, 3 not asked,
        // 4 unreadable, 5 not in version, 6.. the answers.
        let mut figures = vec![
            published.respondents,
            question.answered,
            question.skipped,
            question.not_asked,
            question.unreadable,
            question.not_in_version,
        ];
        figures.extend(shown.iter().map(|count| count.count));
        complements_seen += figures
            .iter()
            .filter(|shown| **shown == Shown::Hidden)
            .count();
        let mut known: Vec<bool> = figures.iter().map(|shown| !shown.is_suppressed()).collect();
        let equations = vec![vec![0, 1, 2, 3, 4, 5], vec![1, 6, 7, 8, 9]];
        let learnt = recovered(&equations, &mut known);
        assert!(
            learnt.is_empty(),
            "figures {learnt:?} recovered from {figures:?} ({answered} answered, {skipped} skipped, {not_asked} not asked, {categories:?})"
        );
    }
    assert!(
        complements_seen > 100,
        "the generator exercises complements"
    );
}

#[test]
fn a_distribution_lists_its_answers_by_the_keys_of_a_table_s_rows() {
    use crate::results::suppression::Shown;
    use crate::results::{PublishedBin, PublishedDistribution, PublishedRankedOption};

    let scale = PublishedDistribution::Scale {
        points: 3,
        counts: vec![Shown::Count(6), Shown::Under(5), Shown::Hidden],
        median: None,
        labels: Vec::new(),
        declined: None,
    };
    let keys: Vec<(String, Shown)> = scale
        .answer_counts()
        .into_iter()
        .map(|(category, shown)| (category.key, shown))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("1".to_owned(), Shown::Count(6)),
            ("2".to_owned(), Shown::Under(5)),
            ("3".to_owned(), Shown::Hidden)
        ]
    );
    assert!(scale.one_answer_each());

    let ranking = PublishedDistribution::Ranking {
        options: vec![PublishedRankedOption {
            category: crate::results::Category::plain("park"),
            positions: vec![Shown::Count(7), Shown::Count(2)],
            ranked: Shown::Count(9),
            mean_rank: None,
        }],
    };
    assert_eq!(
        ranking.answer_counts()[0].1,
        Shown::Count(7),
        "ranked first"
    );

    let numbers = PublishedDistribution::Numbers {
        bins: vec![PublishedBin {
            from: 0.0,
            to: 10.0,
            count: Shown::Count(12),
        }],
        median: None,
        lower_quartile: None,
        upper_quartile: None,
        declined: None,
    };
    assert_eq!(numbers.answer_counts()[0].0.key, "0 – 10");
    assert!(!numbers.one_answer_each());
    let words = PublishedDistribution::FreeText {
        answers: Vec::new(),
    };
    assert!(words.answer_counts().is_empty() && !words.one_answer_each());
}

/// A range's result: `bars` (from, to, count) and `declined` children who
/// said "I don't know", every one of them answering.
fn range_result(bars: &[(f64, f64, u64)], declined: u64) -> SurveyResults {
    let numbers: u64 = bars.iter().map(|(_, _, count)| count).sum();
    question_result(
        numbers + declined,
        0,
        0,
        Distribution::Numbers {
            bins: bars
                .iter()
                .map(|(from, to, count)| crate::results::Bin {
                    from: *from,
                    to: *to,
                    count: *count,
                })
                .collect(),
            median: Some(4.0),
            lower_quartile: Some(2.0),
            upper_quartile: Some(7.0),
            declined: Some(declined),
        },
    )
}

/// The checks of a range's page where 2 children said "I don't know":
/// withheld, and not worked out from "answered" less the bars.
fn check_i_dont_know_withheld(published: &PublishedResults) {
    let question = &published.questions[0];
    let PublishedDistribution::Numbers {
        bins,
        declined,
        median,
        ..
    } = &question.distribution
    else {
        panic!("{:?}", question.distribution);
    };
    assert_eq!(*declined, Some(Shown::Under(5)));
    let others_withheld = bins.iter().filter(|bin| bin.count.is_suppressed()).count()
        + usize::from(question.answered.is_suppressed());
    assert!(
        others_withheld >= 1,
        "answered less the bars would give the 2 away: {question:?}"
    );
    // The statistics are of the numbers given, 38 of them.
    assert_eq!(*median, Some(4.0));
    let answers = question.distribution.answer_counts();
    assert_eq!(
        answers.last().map(|(category, _)| category.key.as_str()),
        Some("0"),
        "listed after the bars"
    );
}

#[test]
fn a_ranges_i_dont_know_is_withheld_with_its_bars() {
    let raw = range_result(&[(0.0, 5.0, 20), (5.0, 10.0, 18)], 2);
    check_i_dont_know_withheld(&publish_results(&raw, Threshold::DEFAULT));
}

#[test]
fn a_ranges_i_dont_know_is_withheld_with_bars_published_page_by_page() {
    // Edges that differ between the wards: the bars (and "I don't know")
    // are each page's own, suppressed on the page.
    use crate::results::figures::figures_of;
    use crate::results::joint::JointPattern;
    let w1 = range_result(&[(0.0, 4.0, 20), (4.0, 8.0, 18)], 2);
    let w2 = range_result(&[(0.0, 5.0, 20), (5.0, 10.0, 20)], 9);
    let figures = [figures_of(&w1), figures_of(&w2)];
    let pattern = JointPattern::compute(
        [
            (Some("w1"), None, &figures[0]),
            (Some("w2"), None, &figures[1]),
        ],
        Threshold::DEFAULT,
    );
    let marks = pattern.marks(Some("w1"), None);
    assert!(!marks.holds_bars(0));
    check_i_dont_know_withheld(&publish_marked_results(&w1, Threshold::DEFAULT, &marks));
}
