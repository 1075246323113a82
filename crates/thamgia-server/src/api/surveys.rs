//! Surveys: the published survey versions, and an XLSForm imported as the
//! next version.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use thamgia_core::api::import::{ImportQuery, ImportedSurvey, MAX_FILE_NAME_CHARS};
use thamgia_core::audit::AuditAction;
use thamgia_core::{Localized, SurveyDefinition};

use crate::auth::Caller;
use crate::error::ServerError;
use crate::extract::{ApiPath, ApiQuery};
use crate::xlsform::{import_xlsform_with, ImportOptions, ImportProblem};
use crate::AppState;

pub(super) async fn surveys(
    _caller: Caller,
    State(state): State<AppState>,
) -> Result<Json<Vec<SurveyDefinition>>, ServerError> {
    Ok(Json(state.database.latest_surveys().await?))
}

pub(super) async fn survey(
    _caller: Caller,
    State(state): State<AppState>,
    ApiPath((id, version)): ApiPath<(String, u32)>,
) -> Result<Json<SurveyDefinition>, ServerError> {
    state
        .database
        .survey(&id, version)
        .await?
        .map(Json)
        .ok_or(ServerError::NotFound)
}

/// `POST /surveys/import[?file_name=…][&trim=true]`: the body is an
/// XLSForm (.xlsx, whatever the content type says). A form Tham Gia can run
/// is published as the next version of its `form_id` (from the file name
/// when it has no settings) and answered with 201, the survey and every
/// warning (what was read but is not used); otherwise 422 lists every
/// problem with its sheet and row.
///
/// City officers only.
pub(super) async fn import_survey(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ImportedSurvey>), ServerError> {
    caller.require_city()?;
    if !query.is_bounded() {
        return Err(ServerError::Invalid(Localized::new(
            format!("Tên tệp dài tối đa {MAX_FILE_NAME_CHARS} ký tự."),
            format!("A file name is at most {MAX_FILE_NAME_CHARS} characters long."),
        )));
    }
    let body = body?;
    // Unzipping and parsing a workbook is CPU work: off the async threads.
    // A panic inside the reader (a malformed file it did not expect) is the
    // file's fault as far as the author can tell: it is refused, not a 500.
    let imported = tokio::task::spawn_blocking(move || {
        let options = ImportOptions {
            file_name: query.file_name.as_deref(),
            trim: query.trim,
        };
        import_xlsform_with(&body, options)
    })
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "the XLSForm reader panicked");
            Err(vec![ImportProblem::new(
                "",
                None,
                "Không đọc được tệp này. Hãy mở nó bằng Excel, lưu lại dưới dạng .xlsx rồi tải lên lại.",
                "This file cannot be read. Open it in Excel, save it again as .xlsx and upload it again.",
            )])
        })
        .map_err(ServerError::ImportRefused)?;
    let survey = state
        .database
        .publish_next_version(imported.survey, Utc::now())
        .await?;
    tracing::info!(
        survey = %thamgia_core::limits::quoted(&survey.key()),
        form_version = %thamgia_core::limits::quoted(imported.form_version.as_deref().unwrap_or("")),
        "XLSForm imported and published"
    );
    let event = caller
        .event(AuditAction::SurveyImported)
        .target(survey.key());
    state.database.record_after(event, Utc::now()).await;
    Ok((
        StatusCode::CREATED,
        Json(ImportedSurvey {
            survey,
            warnings: imported.warnings,
        }),
    ))
}
