//! Each kind of question against the fixture, computed by hand from the
//! five counted responses 1, 2, 3, 4 and 7.

use super::*;
use crate::response::AnswerValue;

fn question<'a>(results: &'a SurveyResults, name: &str, version: u32) -> &'a QuestionResult {
    results
        .questions
        .iter()
        .find(|question| question.question_id == name && question.versions.contains(&version))
        .expect("the question has a result")
}

/// Answered, skipped, not asked, unreadable.
fn standing(question: &QuestionResult) -> (u64, u64, u64, u64) {
    (
        question.answered,
        question.skipped,
        question.not_asked,
        question.unreadable,
    )
}

fn counts(categories: &[CategoryCount]) -> Vec<(&str, u64)> {
    categories
        .iter()
        .map(|count| (count.category.key.as_str(), count.count))
        .collect()
}

#[test]
fn a_single_choice_counts_each_option_of_every_version() {
    let results = results(&ResultsFilter::default());
    let safe = question(&results, "safe", 2);
    assert_eq!(standing(safe), (5, 0, 0, 0));
    assert_eq!(safe.label.en, "safe (en)");
    let Distribution::Categories { categories } = &safe.distribution else {
        panic!("{:?}", safe.distribution);
    };
    // Response 6 said "always" but was corrected by 7 ("never").
    assert_eq!(
        counts(categories),
        vec![("always", 1), ("sometimes", 1), ("never", 3), ("unsure", 0)]
    );
}

#[test]
fn yes_no_counts_yes_and_no_and_a_skip_apart() {
    let results = results(&ResultsFilter::default());
    let likes = question(&results, "likes_school", 1);
    assert_eq!(standing(likes), (4, 1, 0, 0), "response 4 skipped it");
    let Distribution::Categories { categories } = &likes.distribution else {
        panic!("{:?}", likes.distribution);
    };
    assert_eq!(counts(categories), vec![("yes", 3), ("no", 1)]);
    assert_eq!(categories[0].category.label.vi, "Có");
}

#[test]
fn a_smiley_scale_counts_each_face_and_its_median() {
    let results = results(&ResultsFilter::default());
    let mood = question(&results, "mood", 2);
    // Faces 5, 3, 4, 5, 1: sorted 1 3 4 5 5.
    assert_eq!(
        mood.distribution,
        Distribution::Scale {
            points: 5,
            counts: vec![1, 0, 1, 1, 2],
            median: Some(4.0),
            labels: Vec::new(),
            declined: None,
        }
    );
}

#[test]
fn multiple_choice_counts_the_children_choosing_each_option() {
    let results = results(&ResultsFilter::default());
    let worries = question(&results, "worries", 2);
    assert_eq!(
        standing(worries),
        (5, 0, 0, 0),
        "choosing none is an answer"
    );
    let Distribution::Choices { options } = &worries.distribution else {
        panic!("{:?}", worries.distribution);
    };
    assert_eq!(
        counts(options),
        vec![("traffic", 3), ("bullying", 2), ("homework", 1)]
    );
}

#[test]
fn a_ranking_gives_each_option_its_places_mean_rank_and_firsts() {
    let results = results(&ResultsFilter::default());
    let priorities = question(&results, "priorities", 2);
    assert_eq!(standing(priorities), (4, 1, 0, 0));
    let Distribution::Ranking { options } = &priorities.distribution else {
        panic!("{:?}", priorities.distribution);
    };
    // 1: safety parks schools; 2: parks safety schools;
    // 3: safety schools parks; 7: schools parks safety.
    let places: Vec<(&str, Vec<u64>, u64, Option<f64>)> = options
        .iter()
        .map(|option| {
            (
                option.category.key.as_str(),
                option.positions.clone(),
                option.ranked_first(),
                option.mean_rank(),
            )
        })
        .collect();
    assert_eq!(
        places,
        vec![
            ("parks", vec![1, 2, 1], 1, Some(2.0)),
            ("schools", vec![1, 1, 2], 1, Some(2.25)),
            ("safety", vec![2, 1, 1], 2, Some(1.75)),
        ]
    );
}

#[test]
fn numbers_give_a_histogram_median_and_quartiles() {
    let results = results(&ResultsFilter::default());
    let hours = question(&results, "hours", 2);
    // 2, 4, 7, 10, 0: sorted 0 2 4 7 10; quartiles at positions 1 and 3.
    let Distribution::Numbers {
        bins,
        median,
        lower_quartile,
        upper_quartile,
        declined: None,
    } = &hours.distribution
    else {
        panic!("{:?}", hours.distribution);
    };
    assert_eq!(
        (*median, *lower_quartile, *upper_quartile),
        (Some(4.0), Some(2.0), Some(7.0))
    );
    // 0 to 10 holds 11 whole numbers: six bins two wide.
    let edges: Vec<(f64, f64, u64)> = bins
        .iter()
        .map(|bin| (bin.from, bin.to, bin.count))
        .collect();
    assert_eq!(
        edges,
        vec![
            (0.0, 2.0, 1),
            (2.0, 4.0, 1),
            (4.0, 6.0, 1),
            (6.0, 8.0, 1),
            (8.0, 10.0, 0),
            (10.0, 12.0, 1),
        ]
    );
}

#[test]
fn dates_are_counted_by_month() {
    let results = results(&ResultsFilter::default());
    let trip = question(&results, "last_trip", 2);
    assert_eq!(standing(trip), (4, 1, 0, 0));
    let Distribution::Months { months } = &trip.distribution else {
        panic!("{:?}", trip.distribution);
    };
    assert_eq!(counts(months), vec![("2026-03", 2), ("2026-04", 2)]);
}

#[test]
fn free_text_lists_the_answers_and_tells_not_asked_from_skipped() {
    let results = results(&ResultsFilter::default());
    let why = question(&results, "why", 2);
    // Asked only when `safe` is "never": responses 2, 4 and 7; 4 left it empty.
    assert_eq!(standing(why), (2, 1, 2, 0));
    let Distribution::FreeText { answers } = &why.distribution else {
        panic!("{:?}", why.distribution);
    };
    let texts: Vec<(Uuid, &str, Option<&str>)> = answers
        .iter()
        .map(|answer| {
            (
                answer.response_id,
                answer.text.as_str(),
                answer
                    .attributes
                    .as_ref()
                    .map(|attributes| attributes.ward_code.as_str()),
            )
        })
        .collect();
    // Newest first.
    assert_eq!(
        texts,
        vec![
            (Uuid::from_u128(7), "Không có vỉa hè", Some("00070")),
            (Uuid::from_u128(2), "Xe máy chạy nhanh quá", Some("00004")),
        ]
    );
    let published = suppression::publish_free_text(answers, 2, suppression::Threshold::DEFAULT);
    assert!(published.iter().all(|answer| answer.attributes.is_none()));
    assert_eq!(published[0].text, "Không có vỉa hè");
}

#[test]
fn a_question_whose_kind_changed_is_reported_per_version() {
    let results = results(&ResultsFilter::default());
    let as_text = question(&results, "changed", 2);
    assert_eq!(
        standing(as_text),
        (1, 1, 0, 0),
        "responses 3 and 4 of version 2"
    );
    let as_number = question(&results, "changed", 1);
    assert_eq!(
        standing(as_number),
        (3, 0, 0, 0),
        "responses 1, 2 and 7 of version 1"
    );
    let Distribution::Numbers { median, .. } = as_number.distribution else {
        panic!("{:?}", as_number.distribution);
    };
    assert_eq!(median, Some(3.0), "3, 5, 3");
}

#[test]
fn every_question_accounts_for_every_respondent() {
    let results = results(&ResultsFilter::default());
    for question in &results.questions {
        let (answered, skipped, not_asked, unreadable) = standing(question);
        assert_eq!(
            answered + skipped + not_asked + unreadable + question.not_in_version,
            results.respondents,
            "{}",
            question.question_id
        );
    }
}

#[test]
fn results_travel_as_json() {
    let results = results(&ResultsFilter::default());
    let json = serde_json::to_string(&results).expect("serialises");
    let back: SurveyResults = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back, results);
}

#[test]
fn a_face_scale_s_points_carry_the_survey_s_words() {
    let words: Vec<Localized> = (1..=5)
        .map(|point| Localized::new(format!("mức {point}"), format!("level {point}")))
        .collect();
    let mut definitions = definitions();
    for definition in &mut definitions {
        for item in &mut definition.items {
            if let Item::Question(question) = item {
                if question.id == "mood" {
                    question.kind = QuestionKind::Smiley {
                        points: 5,
                        labels: words.clone(),
                        words_from: None,
                        dont_know: false,
                    };
                }
            }
        }
    }
    let results = survey_results(&definitions, &responses(), &ResultsFilter::default());
    let mood = question(&results, "mood", 2);
    let Distribution::Scale { labels, counts, .. } = &mood.distribution else {
        panic!("{:?}", mood.distribution);
    };
    assert_eq!(labels, &words);
    assert_eq!(counts, &vec![1, 0, 1, 1, 2]);
    let published =
        crate::results::publish_results(&results, crate::results::suppression::Threshold::new(2));
    let mood = published
        .questions
        .iter()
        .find(|question| question.question_id == "mood")
        .expect("mood");
    let first = &mood.distribution.answer_counts()[0].0;
    // The key stays the point (a table's row); the label is the survey's.
    assert_eq!(
        (first.key.as_str(), first.label.en.as_str()),
        ("1", "level 1")
    );
}

/// The fixture's results with question `name` asked as `kind` in every
/// version, each answer given as `convert` makes it, and `unsure` more
/// children of version 2 answering `dont_know`.
fn results_with_i_dont_know(
    name: &str,
    kind: QuestionKind,
    convert: impl Fn(&AnswerValue) -> AnswerValue,
    unsure: usize,
    dont_know: AnswerValue,
) -> SurveyResults {
    let mut definitions = definitions();
    for definition in &mut definitions {
        for item in &mut definition.items {
            if let Item::Question(question) = item {
                if question.id == name {
                    question.kind = kind.clone();
                }
            }
        }
    }
    let mut responses = responses();
    for response in &mut responses {
        if let Some(answer) = response.answers.get_mut(name) {
            *answer = convert(answer);
        }
    }
    for id in 0..unsure {
        let mut child = responses[0].clone();
        child.id = uuid::Uuid::from_u128(20 + id as u128);
        child.survey_version = 2;
        child.answers.insert(name.to_owned(), dont_know.clone());
        responses.push(child);
    }
    survey_results(&definitions, &responses, &ResultsFilter::default())
}

/// The mood's points, its median and how many declined.
fn scale_of(question: &QuestionResult) -> (Vec<u64>, Option<f64>, Option<u64>) {
    let Distribution::Scale {
        counts,
        median,
        declined,
        ..
    } = &question.distribution
    else {
        panic!("{:?}", question.distribution);
    };
    (counts.clone(), *median, *declined)
}

#[test]
fn i_dont_know_is_counted_apart_from_the_scale_and_its_median() {
    let face_scale = QuestionKind::Smiley {
        points: 5,
        labels: Vec::new(),
        words_from: None,
        dont_know: true,
    };
    // Two more children of version 2 in Ba Đình said "I don't know".
    let results =
        results_with_i_dont_know("mood", face_scale, Clone::clone, 2, AnswerValue::Smiley(0));
    let mood = question(&results, "mood", 2);
    // Faces 5, 3, 4, 5, 1 as before; the two are apart, out of the median.
    assert_eq!(scale_of(mood), (vec![1, 0, 1, 1, 2], Some(4.0), Some(2)));
    assert_eq!(mood.answered, 7);
    assert_eq!(mood.unreadable, 0);
    let published =
        crate::results::publish_results(&results, crate::results::suppression::Threshold::new(2));
    let answers = published
        .questions
        .iter()
        .find(|question| question.question_id == "mood")
        .expect("mood")
        .distribution
        .answer_counts();
    // Listed after the points, under key "0"; every answer adds up.
    assert_eq!(answers.len(), 6);
    assert_eq!(answers[5].0.key, "0");
    assert_eq!(answers[5].1, crate::results::suppression::Shown::Count(2));
}

#[test]
fn i_dont_know_on_a_rating_is_counted_apart_from_its_points() {
    // The same children on a rating of five that offers "I don't know".
    let rating = QuestionKind::Rating {
        points: 5,
        dont_know: true,
    };
    let as_rating = |answer: &AnswerValue| match answer {
        AnswerValue::Smiley(point) => AnswerValue::Rating(*point),
        other => other.clone(),
    };
    let results = results_with_i_dont_know("mood", rating, as_rating, 2, AnswerValue::Rating(0));
    let mood = question(&results, "mood", 2);
    assert_eq!(scale_of(mood), (vec![1, 0, 1, 1, 2], Some(4.0), Some(2)));
    assert_eq!(mood.unreadable, 0);
}

#[test]
fn i_dont_know_on_a_range_is_counted_apart_from_the_numbers() {
    // The hours as a range of 0 to 10 that offers "I don't know".
    let range = QuestionKind::Range {
        start: 0.0,
        end: 10.0,
        step: 1.0,
        dont_know: true,
    };
    let results = results_with_i_dont_know("hours", range, Clone::clone, 3, AnswerValue::DontKnow);
    let hours = question(&results, "hours", 2);
    let Distribution::Numbers {
        bins,
        median,
        declined,
        ..
    } = &hours.distribution
    else {
        panic!("{:?}", hours.distribution);
    };
    // 2, 4, 7, 10, 0 as before; the three are in no bin, nor the median.
    assert_eq!(bins.iter().map(|bin| bin.count).sum::<u64>(), 5);
    assert_eq!(*median, Some(4.0));
    assert_eq!(*declined, Some(3));
    assert_eq!(hours.answered, 8);
    assert_eq!(hours.unreadable, 0);
}
