//! Publishing a survey from an XLSForm workbook (.xlsx), for a city officer.
//!
//! The file is read in the browser and posted as is to
//! `/api/v1/surveys/import`; the server converts it and publishes it as the
//! next version of its form, or lists every problem with its sheet and row.
//! A published form lists what was read but is not used; a form refused only
//! for questions Tham Gia never asks (a location, a photo, data from a file)
//! can be imported without them once the officer agrees.
//! This is the one page that needs a connection: nothing is queued offline,
//! because an officer fixing a form wants the server's verdict now.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use thamgia_core::api::import::{ImportProblem, ImportQuery, ImportRefusedBody, ImportedSurvey};
use thamgia_core::sync_client::{SyncFailure, Trigger};
use thamgia_core::Localized;
use wasm_bindgen_futures::JsFuture;

use crate::api::{ApiClient, UploadFailure};
use crate::platform;
use crate::state::{use_app, use_online};

/// What became of one import.
#[derive(Debug, Clone, PartialEq)]
enum ImportOutcome {
    /// Published; the survey as the server stored it, and what it read
    /// but does not use.
    Published(ImportedSurvey),
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

/// Reads the file and posts it (with `trim`: without the questions Tham
/// Gia never asks).
async fn import(file: Option<web_sys::File>, trim: bool) -> ImportOutcome {
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
    let query = ImportQuery {
        file_name: Some(file.name()),
        trim,
    };
    match api.import_form(bytes, &query).await {
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
    let import_action = Action::new_local(move |(file, trim): &(Option<web_sys::File>, bool)| {
        let (file, trim) = (file.clone(), *trim);
        async move {
            let outcome = import(file, trim).await;
            if matches!(outcome, ImportOutcome::Published(_)) {
                // Bring the new survey to this tablet too.
                app.sync.get_value().request(Trigger::UserRequest);
            }
            outcome
        }
    });
    let chosen = move || {
        file_input
            .get()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
    };
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        import_action.dispatch_local((chosen(), false));
    };
    // The same file again, without what is never asked.
    let trim = Callback::new(move |()| {
        import_action.dispatch_local((chosen(), true));
    });
    let pending = import_action.pending();

    view! {
        <section class="card">
            <h1 class="card-title">{move || app.townhall_texts().import_title}</h1>
            <p class="muted">{move || app.townhall_texts().import_intro}</p>
            <Show when=move || !online.get()>
                <p class="notice notice--error" role="status" data-test="import-offline">
                    {move || app.townhall_texts().import_offline}
                </p>
            </Show>
            <form on:submit=submit>
                <label class="field">
                    <span class="field-label">{move || app.townhall_texts().import_file}</span>
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
                        if pending.get() { app.townhall_texts().import_submitting } else { app.townhall_texts().import_submit }
                    }}
                </button>
            </form>
            {move || {
                import_action.value().get().map(|outcome| view! { <ImportResult outcome trim/> })
            }}
        </section>
    }
}

/// Rows of problems or warnings: sheet, row, what it says.
fn problem_rows(
    problems: &[ImportProblem],
    whole_file: &'static str,
    test: &'static str,
) -> impl IntoView {
    let app = use_app();
    problems
        .iter()
        .map(|problem| {
            let sheet = if problem.sheet.is_empty() {
                whole_file.to_owned()
            } else {
                problem.sheet.clone()
            };
            let row = problem.row.map(|row| row.to_string()).unwrap_or_default();
            view! {
                <tr data-test=test>
                    <td>{sheet}</td>
                    <td>{row}</td>
                    <td>{app.pick(&problem.message)}</td>
                </tr>
            }
        })
        .collect_view()
}

/// What became of the last import; `trim` imports the same file again
/// without the questions Tham Gia never asks.
#[component]
fn ImportResult(outcome: ImportOutcome, trim: Callback<()>) -> impl IntoView {
    let app = use_app();
    let error = move |text: String| {
        view! {
            <p class="notice notice--error" role="alert" data-test="import-result">{text}</p>
        }
        .into_any()
    };
    move || {
        let texts = app.townhall_texts();
        match &outcome {
            ImportOutcome::Published(imported) => {
                let survey = &imported.survey;
                let warnings = (!imported.warnings.is_empty()).then(|| {
                    view! {
                        <p>{texts.import_warnings}</p>
                        <table class="import-problems" data-test="import-warnings">
                            <thead>
                                <tr>
                                    <th scope="col">{texts.import_sheet}</th>
                                    <th scope="col">{texts.import_row}</th>
                                    <th scope="col">{texts.import_note}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {problem_rows(&imported.warnings, texts.import_whole_file, "import-warning")}
                            </tbody>
                        </table>
                    }
                });
                view! {
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
                        {warnings}
                    </div>
                }
                .into_any()
            }
            ImportOutcome::Refused(refused) => {
                // Refused only for questions never asked: the officer may
                // import the form without them.
                let all_trimmable = !refused.problems.is_empty()
                    && refused.problems.iter().all(|problem| problem.trimmable);
                let count = refused.problems.len();
                let offer = all_trimmable.then(|| {
                    view! {
                        <p>{texts.import_trim_intro}</p>
                        <button
                            type="button"
                            class="btn btn-primary"
                            data-test="import-trim"
                            on:click=move |_| trim.run(())
                        >
                            {format!("{} ({count})", texts.import_trim)}
                        </button>
                    }
                });
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
                            <tbody>
                                {problem_rows(&refused.problems, texts.import_whole_file, "import-problem")}
                            </tbody>
                        </table>
                        {offer}
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
