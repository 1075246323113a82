//! The counts kept beside the responses (migrations 0020, 0022, 0025, 0026) gained
//! by responses just stored: one multi-row statement per table for a
//! whole batch. Core's [`CountsAdded`] says what they gain; the triggers
//! move them when a stored response is superseded, changed or withdrawn.
//!
//! Every statement that stores responses is followed by this, in the same
//! transaction and before anything else writes: a trigger that later
//! takes a response out of its day's count finds the count it is in.

use sqlx::AnyConnection;
use thamgia_core::response::counts::CountsAdded;

use crate::database::{own_rows_per_statement, own_values_list, statement_chunks};
use crate::error::ServerError;

/// Adds `counts` to the kept counts.
pub(in crate::database) async fn add_counts(
    connection: &mut AnyConnection,
    counts: &CountsAdded,
) -> Result<(), ServerError> {
    let days: Vec<_> = counts.by_day.iter().collect();
    const DAY: &str = "(?, ?, ?, ?, ?, ?, ?)";
    for chunk in statement_chunks(&days, own_rows_per_statement(connection, DAY)) {
        let statement = format!(
            "INSERT INTO participation_by_day (day, ward_code, survey_id, responses, older,
                 first_time, again)
             VALUES {}
             ON CONFLICT (day, ward_code, survey_id) DO UPDATE
             SET responses = participation_by_day.responses + excluded.responses,
                 older = participation_by_day.older + excluded.older,
                 first_time = participation_by_day.first_time + excluded.first_time,
                 again = participation_by_day.again + excluded.again",
            own_values_list(connection, DAY, chunk.len())
        );
        let mut query = sqlx::query(&statement);
        for ((day, ward_code, survey_id), gained) in chunk {
            query = query
                .bind(day.as_str())
                .bind(ward_code.as_str())
                .bind(survey_id.as_str())
                .bind(gained.responses)
                .bind(gained.older)
                .bind(gained.first_time)
                .bind(gained.again);
        }
        query.execute(&mut *connection).await?;
    }
    let surveys: Vec<_> = counts.by_survey.iter().collect();
    const SURVEY: &str = "(?, ?)";
    for chunk in statement_chunks(&surveys, own_rows_per_statement(connection, SURVEY)) {
        let statement = format!(
            "INSERT INTO survey_response_counts (survey_id, responses)
             VALUES {}
             ON CONFLICT (survey_id) DO UPDATE
             SET responses = survey_response_counts.responses + excluded.responses",
            own_values_list(connection, SURVEY, chunk.len())
        );
        let mut query = sqlx::query(&statement);
        for (survey_id, gained) in chunk {
            query = query.bind(survey_id.as_str()).bind(**gained);
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}
