//! The town hall's CSV exports, which Excel opens with Vietnamese intact
//! (UTF-8 with a byte-order mark). What the town hall reads is
//! `database::townhall`.

use std::collections::BTreeMap;

use thamgia_core::indicator::Catalogue;
use thamgia_core::report::{
    FieldContent, FieldEdit, FieldKey, Period, ReportFields, ReportId, ReportStatus,
};
use thamgia_core::{Item, Response, SurveyDefinition};

use crate::csv_export::CsvExport;
use crate::error::ServerError;

/// How the responses' CSV writes "I don't know / I'd rather not say", for
/// every kind of question that offers it.
const DONT_KNOW: &str = "dont_know";

pub use crate::database::{
    milestone, period_dates, Overview, Participation, TrendPoint, WardOverview,
    PARTICIPATION_INDICATOR,
};

fn text_of(fields: &ReportFields, key: &FieldKey) -> String {
    match fields.get(key).map(|state| &state.winner.content) {
        Some(FieldContent::Text(text)) => text.clone(),
        Some(FieldContent::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

pub use crate::csv_export::UTF8_BOM;

/// Top-level question names of a survey, in order (repeats and groups
/// flattened to their questions; a repeat is one column of JSON).
fn columns(items: &[Item], into: &mut Vec<String>) {
    for item in items {
        match item {
            Item::Question(question)
                if question.kind.takes_answer()
                    || matches!(question.kind, thamgia_core::QuestionKind::Calculate { .. }) =>
            {
                into.push(question.id.clone());
            }
            Item::Question(_) => {}
            Item::Group(group) => columns(&group.items, into),
            Item::Repeat(group) => into.push(group.id.clone()),
        }
    }
}

/// Responses of a survey as CSV, written page by page: one row per
/// response, one column per question of any version (a repeat's instances
/// as JSON). The header comes first, with the byte-order mark; each page of
/// rows follows as its own piece of text.
#[derive(Debug)]
pub struct ResponsesCsv {
    names: Vec<String>,
}

impl ResponsesCsv {
    /// The columns of every one of a survey's `versions`: the newest
    /// version's questions in its order, then each question an older
    /// version asked and a newer one no longer does (the newer versions
    /// first), so no answer a response holds is left out of the file.
    pub fn new(versions: &[SurveyDefinition]) -> ResponsesCsv {
        let mut newest_first: Vec<&SurveyDefinition> = versions.iter().collect();
        newest_first.sort_by_key(|survey| std::cmp::Reverse(survey.version));
        let mut names = Vec::new();
        for survey in newest_first {
            let mut asked = Vec::new();
            columns(&survey.items, &mut asked);
            for name in asked {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        ResponsesCsv { names }
    }

    /// The byte-order mark and the header row.
    pub fn header(&self) -> Result<String, ServerError> {
        let mut writer = CsvExport::new();
        let mut header: Vec<String> = [
            "id",
            "survey_version",
            "ward_code",
            "age_band",
            "sex",
            "ethnic_group",
            "disability",
            "heard_before",
            "created_at",
            "received_at",
            "corrects",
            "superseded_by",
        ]
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
        header.extend(self.names.iter().cloned());
        writer.row(&header)?;
        writer.finish()
    }

    /// The rows of one page of responses (no byte-order mark).
    pub fn rows(&self, rows: &[(Response, String, Option<String>)]) -> Result<String, ServerError> {
        let mut writer = CsvExport::new();
        for (response, received_at, superseded_by) in rows {
            writer.row(self.record(response, received_at, superseded_by.as_deref())?)?;
        }
        writer.finish_part()
    }

    fn record(
        &self,
        response: &Response,
        received_at: &str,
        superseded_by: Option<&str>,
    ) -> Result<Vec<String>, ServerError> {
        let text = |value: serde_json::Result<serde_json::Value>| match value {
            Ok(serde_json::Value::String(text)) => text,
            Ok(serde_json::Value::Null) | Err(_) => String::new(),
            Ok(other) => other.to_string(),
        };
        let mut record = vec![
            response.id.to_string(),
            response.survey_version.to_string(),
            response.ward_code.clone(),
            text(serde_json::to_value(response.participant.age_band)),
            text(serde_json::to_value(response.participant.sex)),
            text(serde_json::to_value(response.participant.ethnic_group)),
            text(serde_json::to_value(response.participant.disability)),
            text(serde_json::to_value(response.participant.heard_before)),
            response.created_at.to_rfc3339(),
            received_at.to_owned(),
            response
                .corrects
                .map(|id| id.to_string())
                .unwrap_or_default(),
            superseded_by.unwrap_or_default().to_owned(),
        ];
        for name in &self.names {
            record.push(match response.answers.get(name) {
                None => String::new(),
                Some(thamgia_core::AnswerValue::Text(text)) => text.clone(),
                Some(thamgia_core::AnswerValue::Number(number)) => number.to_string(),
                Some(thamgia_core::AnswerValue::Date(date)) => date.to_string(),
                Some(thamgia_core::AnswerValue::Choice(value)) => value.clone(),
                Some(
                    thamgia_core::AnswerValue::Choices(values)
                    | thamgia_core::AnswerValue::Ranking(values),
                ) => values.join(" "),
                Some(thamgia_core::AnswerValue::YesNo(yes)) => {
                    if *yes { "yes" } else { "no" }.to_owned()
                }
                // "I don't know" is one word for every kind: a scale's
                // point 0 (valid only where the question offers it) would
                // be read as a point by anyone averaging the column, and a
                // range's 0 is a number given.
                Some(
                    thamgia_core::AnswerValue::Smiley(0)
                    | thamgia_core::AnswerValue::Rating(0)
                    | thamgia_core::AnswerValue::DontKnow,
                ) => DONT_KNOW.to_owned(),
                Some(
                    thamgia_core::AnswerValue::Smiley(points)
                    | thamgia_core::AnswerValue::Rating(points),
                ) => points.to_string(),
                Some(repeat @ thamgia_core::AnswerValue::Repeat(_)) => {
                    serde_json::to_string(repeat)?
                }
            });
        }
        Ok(record)
    }
}

/// The participation of every ward in a period as CSV, one row per ward
/// in the overview's order: what the town hall's card shows, with each
/// figure in a column of its own (a share left empty without a
/// population).
pub fn participation_csv(overview: &Overview) -> Result<String, ServerError> {
    let mut writer = CsvExport::new();
    writer.row([
        "ward_code",
        "ward_name_vi",
        "period",
        "responses",
        "consulted_7_plus",
        "largest_survey_7_plus",
        "first_time_7_plus",
        "again_7_plus",
        "heard_before_unknown_7_plus",
        "forum_children_7_plus",
        "child_population_7_15",
        "percent",
        "first_time_percent",
        "target_percent",
    ])?;
    let number = |value: Option<f64>| value.map(|value| format!("{value:.2}")).unwrap_or_default();
    for ward in &overview.wards {
        let participation = &ward.participation;
        writer.row([
            ward.code.clone(),
            ward.name_vi.clone(),
            overview.period.clone(),
            ward.responses.to_string(),
            participation.consulted_7_plus.to_string(),
            participation.largest_survey_7_plus.to_string(),
            participation.first_time_7_plus.to_string(),
            participation.again_7_plus.to_string(),
            participation.heard_before_unknown().to_string(),
            participation.forum_children_7_plus.to_string(),
            participation
                .child_population_7_15
                .map(|population| population.to_string())
                .unwrap_or_default(),
            number(participation.percent),
            number(participation.first_time_percent),
            number(overview.participation_target),
        ])?;
    }
    writer.finish()
}

/// The reports of a period as CSV: one row per ward and indicator entered.
pub fn reports_csv(
    period: Period,
    reports: &BTreeMap<ReportId, (ReportStatus, ReportFields)>,
    catalogue: &Catalogue,
) -> Result<String, ServerError> {
    let mut writer = CsvExport::new();
    writer.row([
        "ward_code",
        "period",
        "status",
        "indicator",
        "indicator_name_vi",
        "value",
        "note",
        "evidence",
        "entered_by",
        "also_entered",
    ])?;
    for (report_id, (status, fields)) in reports {
        let status_text = serde_json::to_value(status)?
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for indicator in &catalogue.indicators {
            let value_key = FieldKey::value(&indicator.code);
            let Some(state) = fields.get(&value_key) else {
                continue;
            };
            let value = text_of(fields, &value_key);
            let also: Vec<String> = state
                .conflicting()
                .map(|edit: &FieldEdit| {
                    format!(
                        "{}: {}",
                        edit.author,
                        match &edit.content {
                            FieldContent::Number(number) => number.to_string(),
                            FieldContent::Text(text) => text.clone(),
                            FieldContent::Cleared => String::new(),
                        }
                    )
                })
                .collect();
            writer.row([
                report_id.ward_code().to_owned(),
                period.to_string(),
                status_text.clone(),
                indicator.code.clone(),
                indicator.name.vi.clone(),
                value,
                text_of(fields, &FieldKey::note(&indicator.code)),
                text_of(fields, &FieldKey::evidence(&indicator.code)),
                state.winner.author.clone(),
                also.join("; "),
            ])?;
        }
    }
    writer.finish()
}
