//! Publishing a survey from an XLSForm workbook (.xlsx), for a city officer.
//!
//! The file is read in the browser and posted as is to
//! `/api/v1/surveys/import`; the server converts it and publishes it as the
//! next version of its form, or lists every problem with its sheet and row.
//! This is the one page that needs a connection: nothing is queued offline,
//! because an officer fixing a form wants the server's verdict now.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use thamgia_core::api::import::ImportRefusedBody;
use thamgia_core::sync_client::{SyncFailure, Trigger};
use thamgia_core::{Localized, SurveyDefinition};
use wasm_bindgen_futures::JsFuture;

use crate::api::{ApiClient, UploadFailure};
use crate::platform;
use crate::state::{use_app, use_online};

/// What became of one import.
#[derive(Debug, Clone, PartialEq)]
enum ImportOutcome {
    /// Published; the survey as the server stored it.
    Published(SurveyDefinition),
    /// The server read the workbook and refused it.
    Refused(ImportRefusedBody),
    /// No file was chosen.
    NoFile,
    /// The browser could not read the chosen file.
    ReadFailed,
    /// The tablet is offline.
    Offline,
    /// The server answered with an error of its own.
    ServerError(Localized),
    /// No usable answer.
    Failed,
}

/// Reads the whole file into memory. XLSForm workbooks are small (the server
/// refuses anything over its body limit with a clear message anyway).
async fn read_file(file: &web_sys::File) -> Option<Vec<u8>> {
    let buffer = JsFuture::from(file.array_buffer()).await.ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Reads the file and posts it.
async fn import(file: Option<web_sys::File>) -> ImportOutcome {
    let Some(file) = file else {
        return ImportOutcome::NoFile;
    };
    if !platform::is_online() {
        return ImportOutcome::Offline;
    }
    let Some(bytes) = read_file(&file).await else {
        return ImportOutcome::ReadFailed;
    };
    let api = ApiClient::for_this_origin();
    match api.import_form(bytes).await {
        Ok(survey) => ImportOutcome::Published(survey),
        Err(UploadFailure::Refused(refused)) => ImportOutcome::Refused(refused),
        Err(UploadFailure::Failed(SyncFailure::Offline)) => ImportOutcome::Offline,
        Err(UploadFailure::Failed(SyncFailure::Server {
            error: Some(error), ..
        })) => ImportOutcome::ServerError(error.message),
        Err(UploadFailure::Failed(failure)) => {
            leptos::logging::warn!("import failed: {failure:?}");
            ImportOutcome::Failed
        }
    }
}

/// The import form and its result.
#[component]
pub fn ImportPage() -> impl IntoView {
    let app = use_app();
    let online = use_online();
    let file_input = NodeRef::<html::Input>::new();
    let import_action = Action::new_local(move |file: &Option<web_sys::File>| {
        let file = file.clone();
        async move {
            let outcome = import(file).await;
            if matches!(outcome, ImportOutcome::Published(_)) {
                // Bring the new survey to this tablet too.
                app.sync.get_value().request(Trigger::UserRequest);
            }
            outcome
        }
    });
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        let file = file_input
            .get()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        import_action.dispatch_local(file);
    };
    let pending = import_action.pending();

    view! {
        <section class="card">
            <h1 class="card-title">{move || app.texts().import_title}</h1>
            <p class="muted">{move || app.texts().import_intro}</p>
            <Show when=move || !online.get()>
                <p class="notice notice--error" role="status" data-test="import-offline">
                    {move || app.texts().import_offline}
                </p>
            </Show>
            <form on:submit=submit>
                <label class="field">
                    <span class="field-label">{move || app.texts().import_file}</span>
                    <input
                        type="file"
                        accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        data-test="import-file"
                        node_ref=file_input
                    />
                </label>
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-test="import-submit"
                    disabled=move || pending.get() || !online.get()
                >
                    {move || {
                        if pending.get() { app.texts().import_submitting } else { app.texts().import_submit }
                    }}
                </button>
            </form>
            {move || import_action.value().get().map(|outcome| view! { <ImportResult outcome/> })}
        </section>
    }
}

/// What became of the last import.
#[component]
fn ImportResult(outcome: ImportOutcome) -> impl IntoView {
    let app = use_app();
    let error = move |text: String| {
        view! {
            <p class="notice notice--error" role="alert" data-test="import-result">{text}</p>
        }
        .into_any()
    };
    move || {
        let texts = app.texts();
        match &outcome {
            ImportOutcome::Published(survey) => view! {
                <div class="notice notice--success" role="status" data-test="import-result">
                    <p>
                        {format!(
                            "{} “{}” {} {}.",
                            texts.import_published,
                            app.pick(&survey.title),
                            texts.import_version,
                            survey.version,
                        )}
                    </p>
                    <p class="muted">{texts.import_published_next}</p>
                </div>
            }
            .into_any(),
            ImportOutcome::Refused(refused) => {
                let rows = refused
                    .problems
                    .iter()
                    .map(|problem| {
                        let sheet = if problem.sheet.is_empty() {
                            texts.import_whole_file.to_owned()
                        } else {
                            problem.sheet.clone()
                        };
                        let row = problem.row.map(|row| row.to_string()).unwrap_or_default();
                        view! {
                            <tr data-test="import-problem">
                                <td>{sheet}</td>
                                <td>{row}</td>
                                <td>{app.pick(&problem.message)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="notice notice--error" role="alert" data-test="import-result">
                        <p>{app.pick(&refused.message)}</p>
                        <table class="import-problems">
                            <thead>
                                <tr>
                                    <th scope="col">{texts.import_sheet}</th>
                                    <th scope="col">{texts.import_row}</th>
                                    <th scope="col">{texts.import_problem}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
            ImportOutcome::NoFile => error(texts.import_choose_file.to_owned()),
            ImportOutcome::ReadFailed => error(texts.import_read_failed.to_owned()),
            ImportOutcome::Offline => error(texts.import_offline.to_owned()),
            ImportOutcome::ServerError(message) => error(app.pick(message)),
            ImportOutcome::Failed => error(texts.import_failed.to_owned()),
        }
    }
}
