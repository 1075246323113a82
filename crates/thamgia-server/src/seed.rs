//! Reference and demo data shipped with the server.
//!
//! Hanoi's units and the demo survey are data files under `seed/`, compiled
//! in so the binary needs nothing beside it.

use chrono::Utc;
use thamgia_core::SurveyDefinition;

use crate::database::Database;

pub use crate::units::{Unit, UnitList};

const HANOI_UNITS: &str = include_str!("../seed/hanoi-units.json");
/// The indicator catalogue ships with the core crate (the app reads the
/// same file).
const INDICATORS: &str = thamgia_core::indicator::SHIPPED_CATALOGUE;

/// The plan's 24 indicators with their national and Hanoi targets.
pub fn indicator_catalogue() -> Result<thamgia_core::indicator::Catalogue, serde_json::Error> {
    serde_json::from_str(INDICATORS)
}
const DEMO_SURVEY: &str = include_str!("../seed/survey-school-safety-play.json");

/// Hanoi's units in force.
pub fn hanoi_units() -> Result<UnitList, serde_json::Error> {
    serde_json::from_str(HANOI_UNITS)
}

/// The bilingual child-consultation survey on school safety and play spaces.
pub fn demo_survey() -> Result<SurveyDefinition, serde_json::Error> {
    serde_json::from_str(DEMO_SURVEY)
}

/// Publishes the demo survey if it is not there yet.
pub async fn seed_demo(database: &Database) -> anyhow::Result<()> {
    let survey = demo_survey()?;
    if database.publish_survey(&survey, Utc::now()).await? {
        tracing::info!(survey = %survey.key(), "demo survey published");
    }
    Ok(())
}

/// A valid completed response to `survey`, varied by `n`: every question
/// answered, then what is not asked removed. For the bench, the tests and
/// demo data; never for real children.
pub fn sample_response(
    survey: &SurveyDefinition,
    id: uuid::Uuid,
    n: usize,
    now: chrono::DateTime<Utc>,
) -> thamgia_core::Response {
    use thamgia_core::{
        AgeBand, AnswerValue, Answers, Consent, ConsentMethod, ConsentRecord, FormEngine,
        HeardBefore, Item, QuestionKind, ResponseStatus, Sex,
    };

    fn answer(kind: &QuestionKind, n: usize, index: usize) -> Option<AnswerValue> {
        let pick = |count: usize| (n + index) % count.max(1);
        Some(match kind {
            QuestionKind::ShortText { .. } | QuestionKind::LongText { .. } => {
                AnswerValue::Text(format!("Ý kiến số {n}: cần thêm sân chơi an toàn"))
            }
            QuestionKind::Number { min, max, integer } => {
                let low = min.unwrap_or(0.0);
                let high = max.unwrap_or(low + 60.0);
                let value = low + ((n % 60) as f64).min(high - low);
                AnswerValue::Number(if *integer { value.floor() } else { value })
            }
            QuestionKind::Date => AnswerValue::Date(
                chrono::NaiveDate::from_ymd_opt(2026, 1, 1 + (n % 28) as u32).unwrap_or_default(),
            ),
            QuestionKind::SingleChoice { choices } => {
                AnswerValue::Choice(choices.get(pick(choices.len()))?.value.clone())
            }
            QuestionKind::MultipleChoice { choices } => {
                AnswerValue::Choices(vec![choices.get(pick(choices.len()))?.value.clone()])
            }
            QuestionKind::Ranking { choices } => {
                AnswerValue::Ranking(choices.iter().map(|choice| choice.value.clone()).collect())
            }
            QuestionKind::YesNo => AnswerValue::YesNo(n.is_multiple_of(2)),
            QuestionKind::Smiley { points, .. } => {
                AnswerValue::Smiley(1 + pick(usize::from(*points)) as u8)
            }
            QuestionKind::Rating { points, .. } => {
                AnswerValue::Rating(1 + pick(usize::from(*points)) as u8)
            }
            QuestionKind::Range {
                start, end, step, ..
            } => {
                let points = thamgia_core::survey::range_points(*start, *end, *step)?;
                AnswerValue::Number(*points.get(pick(points.len()))?)
            }
            QuestionKind::Time => AnswerValue::Text(format!("{:02}:30", 7 + n % 12)),
            QuestionKind::DateTime => {
                AnswerValue::Text(format!("2026-01-{:02}T{:02}:30", 1 + n % 28, 7 + n % 12))
            }
            QuestionKind::Acknowledge => {
                AnswerValue::Choice(thamgia_core::survey::ACKNOWLEDGED.to_owned())
            }
            QuestionKind::Note | QuestionKind::Calculate { .. } => return None,
        })
    }

    fn fill(items: &[Item], n: usize, into: &mut Answers) {
        for (index, item) in items.iter().enumerate() {
            match item {
                Item::Question(question) => {
                    if let Some(value) = answer(&question.kind, n, index) {
                        into.insert(question.id.clone(), value);
                    }
                }
                Item::Group(group) => fill(&group.items, n, into),
                Item::Repeat(group) => {
                    let instances = (0..1 + n % 3)
                        .map(|instance| {
                            let mut map = Answers::new();
                            fill(&group.items, n + instance, &mut map);
                            map
                        })
                        .collect();
                    into.insert(group.id.clone(), AnswerValue::Repeat(instances));
                }
            }
        }
    }

    let mut response =
        thamgia_core::Response::new_draft(id, &survey.id, survey.version, "00004", now);
    let bands = if survey.age_bands.is_empty() {
        AgeBand::ALL.to_vec()
    } else {
        survey.age_bands.clone()
    };
    let age_band = bands[n % bands.len()];
    response.participant.age_band = Some(age_band);
    response.participant.sex = Some(Sex::ALL[n % Sex::ALL.len()]);
    // Most children are heard for the first time this year; some again,
    // some do not remember, some were not asked.
    response.participant.heard_before = [
        Some(HeardBefore::FirstTime),
        Some(HeardBefore::FirstTime),
        Some(HeardBefore::Again),
        Some(HeardBefore::Unsure),
        None,
    ][n % 5];
    let record = Some(ConsentRecord {
        method: ConsentMethod::ALL[n % 2],
        given_at: now,
    });
    response.consent = Consent {
        child_assent: record,
        guardian_consent: record,
    };
    let mut answers = Answers::new();
    fill(&survey.items, n, &mut answers);
    response.answers = match FormEngine::compile(survey) {
        Ok(engine) => engine.finalize(&answers, now.date_naive()),
        Err(_) => answers,
    };
    response.status = ResponseStatus::Completed;
    response
}

/// A submitted children's forum of `ward_code` held on `held_on`, with 32
/// children (17 girls of 10–12, 15 boys of 13–15) and `recommendations`.
/// For the bench and the tests; never for real children.
pub fn sample_forum(
    id: uuid::Uuid,
    ward_code: &str,
    held_on: chrono::NaiveDate,
    now: chrono::DateTime<Utc>,
    recommendations: Vec<thamgia_core::forum::Recommendation>,
) -> thamgia_core::forum::Forum {
    use thamgia_core::forum::{Forum, ParticipantCount};
    use thamgia_core::{AgeBand, Sex};

    let mut forum = Forum::new(id, ward_code, held_on, now);
    forum.place = "Nhà văn hóa tổ dân phố 5".to_owned();
    forum.facilitators = "Cô Hoa, anh Tuấn".to_owned();
    forum.adult_supporters = 7;
    forum.consents_collected = 32;
    forum.participants = vec![
        ParticipantCount {
            age_band: AgeBand::From10To12,
            sex: Sex::Female,
            count: 17,
        },
        ParticipantCount {
            age_band: AgeBand::From13To15,
            sex: Sex::Male,
            count: 15,
        },
    ];
    forum.recommendations = recommendations;
    forum.submitted = true;
    forum
}
