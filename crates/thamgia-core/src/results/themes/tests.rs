use chrono::TimeZone;

use super::*;
use crate::response::Participant;
use crate::results::distribution::AnswerAttributes;

fn id(number: u128) -> Uuid {
    Uuid::from_u128(number)
}

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 8, minute, 0)
        .single()
        .expect("a time")
}

fn theme(number: u128, label: &str) -> Theme {
    Theme {
        id: id(1000 + number),
        survey_id: "s".to_owned(),
        label: label.to_owned(),
        created_by: "officer".to_owned(),
        created_at: at(0),
    }
}

fn answer(number: u128, text: &str) -> FreeTextAnswer {
    FreeTextAnswer {
        response_id: id(number),
        text: text.to_owned(),
        attributes: Some(AnswerAttributes {
            ward_code: "00004".to_owned(),
            participant: Participant::default(),
        }),
    }
}

fn tag(response: u128, question: &str, theme: u128) -> AnswerTag {
    AnswerTag {
        response_id: id(response),
        question_id: question.to_owned(),
        theme_id: id(1000 + theme),
    }
}

#[test]
fn a_label_is_trimmed_bounded_and_unique_without_case_or_diacritics() {
    let themes = vec![theme(1, "Trường học"), theme(2, "Sân chơi")];
    assert_eq!(
        check_theme_label("  An toàn giao thông ", &themes, None),
        Ok("An toàn giao thông".to_owned())
    );
    assert_eq!(
        check_theme_label("   ", &themes, None),
        Err(ThemeRefusal::EmptyLabel)
    );
    let long = "a".repeat(MAX_THEME_LABEL_CHARS + 1);
    assert_eq!(
        check_theme_label(&long, &themes, None),
        Err(ThemeRefusal::LabelTooLong)
    );
    // Eighty Vietnamese letters are eighty characters, not bytes.
    let vietnamese = "ư".repeat(MAX_THEME_LABEL_CHARS);
    assert!(check_theme_label(&vietnamese, &themes, None).is_ok());
    for same in ["truong hoc", "TRƯỜNG  HỌC", "Truong Hoc"] {
        assert_eq!(
            check_theme_label(same, &themes, None),
            Err(ThemeRefusal::DuplicateLabel("Trường học".to_owned())),
            "{same}"
        );
    }
    // A theme renamed to its own label in other letters is no duplicate.
    assert_eq!(
        check_theme_label("trường học", &themes, Some(id(1001))),
        Ok("trường học".to_owned())
    );
    assert!(check_theme_label("sân chơi", &themes, Some(id(1001))).is_err());
}

#[test]
fn a_codebook_is_bounded() {
    let full: Vec<Theme> = (0..MAX_THEMES_PER_SURVEY as u128)
        .map(|number| theme(number, &format!("Chủ đề {number}")))
        .collect();
    assert_eq!(
        check_theme_label("Một chủ đề nữa", &full, None),
        Err(ThemeRefusal::TooManyThemes)
    );
    // Renaming within a full codebook is still allowed.
    assert!(check_theme_label("Tên mới", &full, Some(id(1000))).is_ok());
}

#[test]
fn every_refusal_says_what_to_do_in_both_languages() {
    for refusal in [
        ThemeRefusal::EmptyLabel,
        ThemeRefusal::LabelTooLong,
        ThemeRefusal::DuplicateLabel("Trường học".to_owned()),
        ThemeRefusal::TooManyThemes,
    ] {
        let message = refusal.message();
        assert!(!message.vi.is_empty() && !message.en.is_empty());
        assert_ne!(message.vi, message.en);
    }
}

#[test]
fn only_city_officers_and_the_creator_change_a_theme_another_ward_does_not_use() {
    let account = |username: &str, role: Role| AccountInfo {
        username: username.to_owned(),
        display_name: username.to_owned(),
        role,
        ward_code: (role != Role::CityOfficer).then(|| "00004".to_owned()),
    };
    let made = theme(1, "Trường học");
    for elsewhere in [false, true] {
        assert!(may_change_theme(
            &account("city", Role::CityOfficer),
            &made,
            elsewhere
        ));
        assert!(!may_change_theme(
            &account("other", Role::WardOfficer),
            &made,
            elsewhere
        ));
        assert!(!may_change_theme(
            &account("officer", Role::Collector),
            &made,
            elsewhere
        ));
    }
    assert!(may_change_theme(
        &account("officer", Role::WardOfficer),
        &made,
        false
    ));
    // Its creator no longer, once another ward's answers carry it.
    assert!(!may_change_theme(
        &account("officer", Role::WardOfficer),
        &made,
        true
    ));
}

#[test]
fn themes_are_counted_once_per_answer_and_untagged_answers_beside_them() {
    let themes = vec![theme(1, "Trường học"), theme(2, "Sân chơi")];
    let answers: Vec<FreeTextAnswer> = (1..=8).map(|n| answer(n, "…")).collect();
    let tags = vec![
        tag(1, "q", 1),
        tag(1, "q", 1), // sent twice: counted once
        tag(1, "q", 2), // two themes on one answer
        tag(2, "q", 1),
        tag(3, "q", 2),
        tag(4, "other", 1), // another question
        tag(99, "q", 1),    // an answer not counted (withdrawn)
        tag(5, "q", 7),     // a theme not in the codebook (deleted)
    ];
    let counts = theme_counts(&answers, &themes, &tags, "q");
    assert_eq!(counts.answered, 8);
    let by_label: Vec<(&str, u64)> = counts
        .themes
        .iter()
        .map(|count| (count.label.as_str(), count.count))
        .collect();
    assert_eq!(by_label, vec![("Trường học", 2), ("Sân chơi", 2)]);
    assert_eq!(counts.untagged, 5);
}

#[test]
fn theme_counts_are_published_like_multiple_choice_options() {
    let themes = vec![
        theme(1, "Trường học"),
        theme(2, "Sân chơi"),
        theme(3, "Nhà"),
    ];
    let answers: Vec<FreeTextAnswer> = (1..=20).map(|n| answer(n, "…")).collect();
    let mut tags = Vec::new();
    // Theme 1: 10 answers (10 did not: both shown).
    tags.extend((1..=10).map(|n| tag(n, "q", 1)));
    // Theme 2: 2 answers: under k.
    tags.extend((11..=12).map(|n| tag(n, "q", 2)));
    // Theme 3: 17 answers: its remainder (3) is under k, so it is hidden.
    tags.extend((1..=17).map(|n| tag(n, "q", 3)));
    let counts = theme_counts(&answers, &themes, &tags, "q");
    let published = publish_theme_counts(&counts, Shown::Count(20), Threshold::DEFAULT);
    assert_eq!(published.answered, Shown::Count(20));
    let shown: Vec<Shown> = published.themes.iter().map(|theme| theme.count).collect();
    assert_eq!(
        shown,
        vec![Shown::Count(10), Shown::Under(5), Shown::Hidden]
    );
    // 3 answers untagged (18, 19, 20): under k.
    assert_eq!(published.untagged, Shown::Under(5));

    // Fewer than k answers: nothing but "< k" and what cannot be small.
    let few = theme_counts(&answers[..3], &themes, &tags, "q");
    let published = publish_theme_counts(&few, Shown::Under(5), Threshold::DEFAULT);
    assert_eq!(published.answered, Shown::Under(5));
    assert!(published
        .themes
        .iter()
        .all(|theme| theme.count.is_suppressed() || theme.count == Shown::Count(0)));
}

#[test]
fn no_published_theme_count_is_between_one_and_k_minus_one() {
    // Every split of up to 12 answers among 3 themes, with every k from 2
    // to 6: a published count is 0 or at least k, and so is its remainder.
    let themes = vec![theme(1, "a"), theme(2, "b"), theme(3, "c")];
    for answered in 0..=12u128 {
        let answers: Vec<FreeTextAnswer> = (1..=answered).map(|n| answer(n, "…")).collect();
        for pattern in 0..64u128 {
            let tags: Vec<AnswerTag> = (1..=answered)
                .flat_map(|n| {
                    (1..=3u128)
                        .filter(move |theme| (pattern >> ((n + theme) % 6)) & 1 == 1)
                        .map(move |theme| tag(n, "q", theme))
                })
                .collect();
            let counts = theme_counts(&answers, &themes, &tags, "q");
            for k in 2..=6 {
                let threshold = Threshold::new(k);
                let answered = if threshold.is_small(counts.answered) {
                    Shown::Under(k)
                } else {
                    Shown::Count(counts.answered)
                };
                let published = publish_theme_counts(&counts, answered, threshold);
                let shown = published
                    .themes
                    .iter()
                    .map(|theme| theme.count)
                    .chain([published.untagged, published.answered]);
                for count in shown.filter_map(Shown::count) {
                    assert!(!threshold.is_small(count), "{count} under {k}");
                    if published.answered.count().is_some() {
                        assert!(!threshold.is_small(counts.answered - count.min(counts.answered)));
                    }
                }
            }
        }
    }
}

#[test]
fn a_search_without_diacritics_finds_the_words() {
    let answers = vec![
        answer(1, "Em muốn trường có thêm cây xanh"),
        answer(2, "Sân chơi an toàn hơn"),
        answer(3, "TRƯỜNG HỌC gần nhà"),
    ];
    let search = |text: &str| AnswerSearch {
        text: text.to_owned(),
        ..AnswerSearch::default()
    };
    let page = answer_page(&answers, &[], &[], "q", &search("truong"));
    assert_eq!(page.matching, 2);
    let mut found: Vec<Uuid> = page
        .answers
        .iter()
        .map(|listed| listed.answer.response_id)
        .collect();
    found.sort();
    assert_eq!(found, vec![id(1), id(3)]);
    let page = answer_page(&answers, &[], &[], "q", &search("  SAN CHOI "));
    assert_eq!(page.matching, 1);
    let page = answer_page(&answers, &[], &[], "q", &search("bơi"));
    assert_eq!(page.matching, 0);
    assert!(page.answers.is_empty() && page.next_offset.is_none());
}

#[test]
fn a_list_keeps_its_order_by_theme_and_by_pages() {
    let themes = vec![theme(1, "Trường học"), theme(2, "Sân chơi")];
    let count = ANSWERS_PAGE as u128 + 10;
    // Newest first, as `question_answers` gives them.
    let answers: Vec<FreeTextAnswer> = (1..=count).rev().map(|n| answer(n, "ý kiến")).collect();
    let tags = vec![tag(3, "q", 2), tag(3, "q", 1), tag(5, "q", 1)];

    let first = answer_page(&answers, &themes, &tags, "q", &AnswerSearch::default());
    assert_eq!(first.matching, count as u64);
    assert_eq!(first.answers.len(), ANSWERS_PAGE);
    assert_eq!(first.answers[0].answer.response_id, id(count));
    assert_eq!(first.next_offset, Some(ANSWERS_PAGE as u64));
    let second = answer_page(
        &answers,
        &themes,
        &tags,
        "q",
        &AnswerSearch {
            offset: ANSWERS_PAGE,
            ..AnswerSearch::default()
        },
    );
    assert_eq!(second.answers.len(), 10);
    assert_eq!(second.next_offset, None);
    assert_eq!(second.answers[9].answer.response_id, id(1));
    let third = second
        .answers
        .iter()
        .find(|listed| listed.answer.response_id == id(3));
    // Themes in the codebook's order, whatever the order they were tagged.
    assert_eq!(
        third.map(|listed| listed.themes.clone()),
        Some(vec![id(1001), id(1002)])
    );

    let tagged = answer_page(
        &answers,
        &themes,
        &tags,
        "q",
        &AnswerSearch {
            theme: Some(ThemeFilter::Theme(id(1001))),
            ..AnswerSearch::default()
        },
    );
    let ids: Vec<Uuid> = tagged
        .answers
        .iter()
        .map(|listed| listed.answer.response_id)
        .collect();
    assert_eq!(ids, vec![id(5), id(3)]);
    let untagged = answer_page(
        &answers,
        &themes,
        &tags,
        "q",
        &AnswerSearch {
            theme: Some(ThemeFilter::Untagged),
            ..AnswerSearch::default()
        },
    );
    assert_eq!(untagged.matching, count as u64 - 2);
}

#[test]
fn a_theme_filter_is_read_from_its_key() {
    assert_eq!(ThemeFilter::parse("untagged"), Some(ThemeFilter::Untagged));
    let theme = ThemeFilter::Theme(id(7));
    assert_eq!(ThemeFilter::parse(&theme.key()), Some(theme));
    assert_eq!(ThemeFilter::parse("school"), None);
}

mod split {
    use super::*;
    use crate::response::{Answers, ResponseStatus, Sex};
    use crate::results::filter::{Dimension, ResultsFilter};
    use crate::survey::{Item, Layout, Question, QuestionKind, SurveyDefinition};

    pub(super) fn definitions() -> Vec<SurveyDefinition> {
        let question = |id: &str, kind: QuestionKind| {
            Item::Question(Question {
                id: id.to_owned(),
                label: Localized::new(id, id),
                kind,
                ..Question::default()
            })
        };
        vec![SurveyDefinition {
            id: "s".to_owned(),
            version: 1,
            title: Localized::new("Khảo sát", "Survey"),
            description: Localized::default(),
            age_bands: Vec::new(),
            layout: Layout::OneQuestionPerScreen,
            form_version: None,
            languages: Vec::new(),
            instance_name: None,
            items: vec![
                question("idea", QuestionKind::ShortText { max_length: 200 }),
                question("likes_school", QuestionKind::YesNo),
            ],
        }]
    }

    pub(super) fn response(number: u128, sex: Sex, idea: Option<&str>) -> Response {
        let mut answers = Answers::new();
        answers.insert("likes_school".to_owned(), AnswerValue::YesNo(true));
        if let Some(idea) = idea {
            answers.insert("idea".to_owned(), AnswerValue::Text(idea.to_owned()));
        }
        Response {
            id: id(number),
            survey_id: "s".to_owned(),
            survey_version: 1,
            ward_code: "00004".to_owned(),
            participant: Participant {
                sex: Some(sex),
                ..Participant::default()
            },
            consent: Default::default(),
            answers,
            status: ResponseStatus::Completed,
            corrects: None,
            referral: None,
            shown_orders: BTreeMap::new(),
            created_at: at(number as u32 % 60),
            updated_at: at(number as u32 % 60),
        }
    }

    /// 12 girls and 8 boys wrote an idea, 3 children did not; 9 girls' and
    /// 2 boys' ideas are tagged with the theme.
    fn fixture() -> (Vec<Response>, BTreeSet<Uuid>) {
        let mut responses = Vec::new();
        let mut tagged = BTreeSet::new();
        for number in 1..=12 {
            responses.push(response(number, Sex::Female, Some("cây xanh")));
            if number <= 9 {
                tagged.insert(id(number));
            }
        }
        for number in 13..=20 {
            responses.push(response(number, Sex::Male, Some("sân chơi")));
            if number <= 14 {
                tagged.insert(id(number));
            }
        }
        for number in 21..=23 {
            responses.push(response(number, Sex::Female, None));
        }
        (responses, tagged)
    }

    #[test]
    fn a_theme_splits_like_a_yes_no_question_of_those_who_answered() {
        let (responses, tagged) = fixture();
        let trees = theme(1, "Cây xanh");
        let table = theme_table(
            &definitions(),
            &responses,
            &ResultsFilter::default(),
            "idea",
            &trees,
            &tagged,
            &[Dimension::Sex],
        )
        .expect("a table");
        assert_eq!(table.rows[0].key, trees.id.to_string());
        assert_eq!(table.rows[1].key, OTHER_ANSWERS_KEY);
        let column = |key: &str| {
            table
                .columns
                .iter()
                .position(|column| column.key == key)
                .expect("a column")
        };
        let (girls, boys) = (column("female"), column("male"));
        assert_eq!(table.cells[0][girls], 9);
        assert_eq!(table.cells[1][girls], 3);
        assert_eq!(table.cells[0][boys], 2);
        assert_eq!(table.cells[1][boys], 6);
        assert_eq!(table.total, 20, "only the children who answered");

        // Published against the theme's count (11 of 20): the 2 boys are
        // "< 5" and a complement hides what would give them back.
        let published = publish_theme_table(
            &table,
            Shown::Count(11),
            Shown::Count(20),
            Threshold::DEFAULT,
        )
        .expect("published");
        assert_eq!(published.cells[0][boys], Shown::Under(5));
        assert_eq!(published.total, Shown::Count(20));
        assert_eq!(published.row_totals[0], Shown::Count(11));
        let withheld_in_row = published.cells[0]
            .iter()
            .filter(|shown| shown.is_suppressed())
            .count();
        assert!(withheld_in_row >= 2, "{published:?}");
        for shown in published.cells.iter().flatten() {
            if let Some(count) = shown.count() {
                assert!(!Threshold::DEFAULT.is_small(count), "{published:?}");
            }
        }

        // Not a free-text question, no split, or three dimensions: none.
        let no_table = |question: &str, split: &[Dimension]| {
            theme_table(
                &definitions(),
                &responses,
                &ResultsFilter::default(),
                question,
                &trees,
                &tagged,
                split,
            )
            .is_none()
        };
        assert!(no_table("likes_school", &[Dimension::Sex]));
        assert!(no_table("idea", &[]));
        assert!(no_table(
            "idea",
            &[Dimension::Sex, Dimension::AgeBand, Dimension::Ward]
        ));
    }

    #[test]
    fn a_count_withheld_beside_is_withheld_in_its_split() {
        // 3 of 20 tagged, all girls: the count beside is "< 5", so the
        // table withholds it and the others' total (17 = 20 − 3) too.
        let (responses, _) = fixture();
        let trees = theme(1, "Cây xanh");
        let tagged: BTreeSet<Uuid> = (1..=3).map(id).collect();
        let table = theme_table(
            &definitions(),
            &responses,
            &ResultsFilter::default(),
            "idea",
            &trees,
            &tagged,
            &[Dimension::Sex],
        )
        .expect("a table");
        let published = publish_theme_table(
            &table,
            Shown::Under(5),
            Shown::Count(20),
            Threshold::DEFAULT,
        )
        .expect("published");
        assert!(published.row_totals[0].is_suppressed());
        assert!(published.row_totals[1].is_suppressed());
    }
}

mod answers {
    use super::split::{definitions, response};
    use super::*;
    use crate::response::{ResponseStatus, Sex};
    use crate::results::filter::ResultsFilter;
    use crate::results::suppression::publish_free_text;

    #[test]
    fn every_counted_written_answer_is_listed_newest_first() {
        let mut responses: Vec<Response> = (1..=250)
            .map(|number| response(number, Sex::Female, Some(&format!("ý kiến {number}"))))
            .collect();
        // No answer, a draft, a withdrawn one, a correction of answer 2.
        responses.push(response(251, Sex::Male, None));
        let mut draft = response(252, Sex::Male, Some("nháp"));
        draft.status = ResponseStatus::Draft;
        responses.push(draft);
        let mut withdrawn = response(3, Sex::Female, None);
        withdrawn.id = id(9003);
        withdrawn.status = ResponseStatus::Withdrawn;
        withdrawn.corrects = Some(id(3));
        responses.push(withdrawn);
        let mut corrected = response(253, Sex::Female, Some("ý kiến 2, sửa lại"));
        corrected.corrects = Some(id(2));
        responses.push(corrected);

        let listed = question_answers(
            &definitions(),
            &responses,
            &ResultsFilter::default(),
            "idea",
        )
        .expect("a free-text question");
        // 250 + the one without an answer, less the withdrawn; the
        // correction counts once, as itself.
        assert_eq!(listed.respondents, 250);
        // Every answer, beyond the results' newest 200.
        assert_eq!(listed.answers.len(), 249);
        assert!(listed.answers.len() > crate::results::FREE_TEXT_SHOWN);
        assert!(listed
            .answers
            .iter()
            .all(|answer| answer.response_id != id(2) && answer.response_id != id(3)));
        assert!(listed
            .answers
            .iter()
            .any(|answer| answer.text == "ý kiến 2, sửa lại"));
        // Newest first: by the time the response was started, then by id.
        let order: Vec<Uuid> = listed
            .answers
            .iter()
            .map(|answer| answer.response_id)
            .collect();
        let mut sorted = listed.answers.clone();
        sorted.sort_by_key(|answer| {
            let started = responses
                .iter()
                .find(|response| response.id == answer.response_id)
                .map(|response| response.created_at);
            std::cmp::Reverse((started, answer.response_id))
        });
        let expected: Vec<Uuid> = sorted.iter().map(|answer| answer.response_id).collect();
        assert_eq!(order, expected);

        // Attributes are kept here and dropped on publishing for a small
        // group.
        assert!(listed
            .answers
            .iter()
            .all(|answer| answer.attributes.is_some()));
        let small = publish_free_text(&listed.answers[..3], 3, Threshold::DEFAULT);
        assert!(small.iter().all(|answer| answer.attributes.is_none()));

        assert_eq!(
            question_answers(
                &definitions(),
                &responses,
                &ResultsFilter::default(),
                "likes_school"
            ),
            None
        );
        assert_eq!(
            question_answers(
                &definitions(),
                &responses,
                &ResultsFilter::default(),
                "nothing"
            ),
            None
        );
    }
}
