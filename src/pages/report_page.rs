//! `/report`: the ward's report on the children's action programme for one
//! period: the 24 indicators in their four groups (value, note and evidence each), a
//! narrative, and the report's life (submit; send back or approve).
//!
//! Every field is saved on its own, as one edit in IndexedDB with its outbox
//! mutation ([`Store::edit_report_field`](crate::storage::Store::edit_report_field)),
//! once the officer pauses typing ([`TYPING_PAUSE`]), leaves the box, or
//! leaves the page: one edit per thought rather than per keystroke, since
//! every edit is kept, sent and shown to every tablet. Several officers fill
//! in the same report on their own tablets; each field shows the latest edit
//! and, under it, what other tablets entered that lost ("also entered by …
//! at …"), so nobody's number disappears unseen.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Datelike;
use gloo_storage::{LocalStorage as BrowserStorage, Storage};
use leptos::prelude::*;
use thamgia_core::indicator::{Catalogue, Indicator, IndicatorGroup, HANOI};
use thamgia_core::report::{
    FieldContent, FieldEdit, FieldKey, FieldState, Period, ReportId, ReportStatus,
};
use thamgia_core::sync_client::Trigger;
use thamgia_core::Localized;
use uuid::Uuid;

use crate::platform;
use crate::state::use_app;
use crate::storage::StoredReport;

/// Where the officer's name is remembered between visits.
const AUTHOR_KEY: &str = "thamgia.author";

/// The indicator catalogue as the server seeds it.
///
/// Compiled into the app for now. It will come by sync, like surveys, so that
/// a city officer can edit targets (and the catalogue's version) without a
/// new release of the app.
const SHIPPED_CATALOGUE: &str = include_str!("../../crates/thamgia-server/seed/indicators.json");

/// How long typing must pause before what was typed is saved.
const TYPING_PAUSE: Duration = Duration::from_millis(700);

/// What the page writes; one action runs them all, in the order asked, so
/// an edit made just before "submit" is queued before the submission.
#[derive(Debug, Clone)]
enum ReportCommand {
    /// Saves one field, in the name of `author`.
    Edit {
        field: FieldKey,
        content: FieldContent,
        author: String,
    },
    /// Asks the town hall to move the report.
    ChangeStatus(ReportStatus),
    /// Forgets the last refusal once read.
    DismissRejection,
}

/// The page.
#[component]
pub fn ReportPage() -> impl IntoView {
    let app = use_app();
    let today = platform::now().with_timezone(&chrono::Local).date_naive();
    let choices = period_choices(today);
    let Some(current) = choices.first().copied() else {
        // Only a date beyond year 9999 has no period.
        return ().into_any();
    };
    let period = RwSignal::new(current);
    // The name last typed here, else the signed-in person's.
    let author = RwSignal::new(
        BrowserStorage::get::<String>(AUTHOR_KEY)
            .ok()
            .filter(|name| !name.trim().is_empty())
            .or_else(|| {
                app.session.with_untracked(|session| {
                    session
                        .as_ref()
                        .map(|session| session.account.display_name.clone())
                })
            })
            .unwrap_or_default(),
    );
    let catalogue: Result<Catalogue, String> =
        serde_json::from_str(SHIPPED_CATALOGUE).map_err(|error| error.to_string());
    let report_id = Memo::new(move |_| {
        app.ward
            .get()
            .map(|ward| ReportId::new(ward.code, period.get()))
    });

    let head = view! {
        <section class="card report-head">
            <h2 class="card-title">{move || app.texts().report_title}</h2>
            <p class="muted">{move || app.texts().report_intro}</p>
            {move || app.ward.get().map(|ward| view! {
                <p>{app.texts().ward_current} ": " <strong>{ward.name(app.language.get()).to_owned()}</strong></p>
            })}
            <div class="report-head-fields">
                <label class="report-label">
                    <span>{move || app.texts().report_author}</span>
                    <input
                        type="text"
                        data-test="author"
                        autocomplete="name"
                        maxlength="80"
                        prop:value=move || author.get()
                        on:input=move |event| {
                            let typed = event_target_value(&event);
                            save_author(&typed);
                            author.set(typed);
                        }
                    />
                    <small class="muted">{move || app.texts().report_author_hint}</small>
                </label>
                <label class="report-label">
                    <span>{move || app.texts().report_period}</span>
                    <select
                        data-test="report-period"
                        on:change=move |event| {
                            if let Ok(chosen) = event_target_value(&event).parse::<Period>() {
                                period.set(chosen);
                            }
                        }
                    >
                        {choices
                            .into_iter()
                            .map(|choice| view! {
                                <option value=choice.key() prop:selected=move || period.get() == choice>
                                    {move || app.pick(&choice.label())}
                                </option>
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
        </section>
    };

    let body = match catalogue {
        Err(error) => {
            leptos::logging::warn!("indicators.json does not parse: {error}");
            view! {
                <p class="notice notice--error" role="alert">{move || app.texts().report_catalogue_failed}</p>
            }
            .into_any()
        }
        Ok(catalogue) => {
            let catalogue = StoredValue::new(catalogue);
            (move || match report_id.get() {
                None => view! {
                    <p class="notice notice--info" data-test="report-no-ward">
                        {app.texts().report_choose_ward} " "
                        <a href="/">{app.texts().back_home}</a>
                    </p>
                }
                .into_any(),
                Some(Err(error)) => view! {
                    <p class="notice notice--error" role="alert">{app.pick(&error.message())}</p>
                }
                .into_any(),
                Some(Ok(report_id)) => {
                    view! { <ReportForm report_id author catalogue/> }.into_any()
                }
            })
            .into_any()
        }
    };

    view! {
        {head}
        {body}
    }
    .into_any()
}

/// The report of one ward and period, once read from the tablet.
#[component]
fn ReportForm(
    report_id: ReportId,
    author: RwSignal<String>,
    catalogue: StoredValue<Catalogue>,
) -> impl IntoView {
    let app = use_app();
    let year = report_id.period().year();
    let report_id = StoredValue::new(report_id);
    // Reread after every local change and every pull (both bump the data
    // revision); the previous value stays on show while rereading, so the
    // inputs are never rebuilt and never lose what is being typed.
    let loaded = LocalResource::new(move || {
        app.data_revision.track();
        let store = app.store();
        let report_id = report_id.get_value();
        async move {
            store
                .report(&report_id)
                .await
                .map_err(|error| error.message())
        }
    });
    // The report as last read successfully.
    let report = Memo::new(
        move |previous: Option<&Option<StoredReport>>| match loaded.get() {
            Some(Ok(report)) => Some(report),
            _ => previous.cloned().flatten(),
        },
    );
    let load_error = Memo::new(move |_| loaded.get().and_then(Result::err));
    let locked = Signal::derive(move || {
        report.with(|report| report.as_ref().is_some_and(StoredReport::is_locked))
    });

    let write = Action::new_local(move |command: &ReportCommand| {
        let command = command.clone();
        let store = app.store();
        let report_id = report_id.get_value();
        async move {
            let written = match command {
                ReportCommand::Edit {
                    field,
                    content,
                    author,
                } => store
                    .edit_report_field(&report_id, field, content, author, platform::now_ms())
                    .await
                    .map(|_| true),
                ReportCommand::ChangeStatus(to) => store
                    .change_report_status(&report_id, to)
                    .await
                    .map(|()| true),
                ReportCommand::DismissRejection => store
                    .dismiss_report_rejection(&report_id)
                    .await
                    .map(|()| false),
            };
            // Reread either way: a refusal may come from a state this page
            // had not seen yet (an approval pulled meanwhile).
            app.records_changed();
            match written {
                Ok(queued) => {
                    if queued {
                        app.sync.get_value().request(Trigger::LocalChange);
                    }
                    Ok(())
                }
                Err(error) => Err(error.message()),
            }
        }
    });

    // What was typed and not saved yet, the latest per field.
    let unsaved = StoredValue::new_local(Unsaved::default());
    let take_unsaved = move || {
        unsaved
            .try_update_value(|unsaved| {
                if let Some(timer) = unsaved.timer.take() {
                    timer.clear();
                }
                std::mem::take(&mut unsaved.edits)
            })
            .unwrap_or_default()
    };
    let save_now = move || {
        for (field, (content, author)) in take_unsaved() {
            write.dispatch_local(ReportCommand::Edit {
                field,
                content,
                author,
            });
        }
    };
    let on_typed = Callback::new(move |(field, content): (FieldKey, Option<FieldContent>)| {
        let author = author.get_untracked().trim().to_owned();
        unsaved.update_value(|unsaved| {
            match content {
                Some(content) => {
                    unsaved.edits.insert(field, (content, author));
                }
                // Back to what is stored, or not a number: nothing to save.
                None => {
                    unsaved.edits.remove(&field);
                }
            }
            if let Some(timer) = unsaved.timer.take() {
                timer.clear();
            }
        });
        match set_timeout_with_handle(save_now, TYPING_PAUSE) {
            Ok(timer) => unsaved.update_value(|unsaved| unsaved.timer = Some(timer)),
            // Without a timer the edit is saved when the box is left.
            Err(error) => leptos::logging::warn!("typing timer not set: {error:?}"),
        }
    });
    let on_left = Callback::new(move |()| save_now());
    // Leaving the page (or choosing another period or ward) saves what was
    // typed. The action belongs to this component and goes with it, so the
    // store is called directly.
    on_cleanup(move || {
        let edits = take_unsaved();
        if edits.is_empty() {
            return;
        }
        let store = app.store();
        let driver = app.sync.get_value();
        let report_id = report_id.get_value();
        wasm_bindgen_futures::spawn_local(async move {
            for (field, (content, author)) in edits {
                let saved = store
                    .edit_report_field(&report_id, field, content, author, platform::now_ms())
                    .await;
                if let Err(error) = saved {
                    leptos::logging::warn!("an edit typed before leaving was not saved: {error}");
                }
            }
            driver.request(Trigger::LocalChange);
        });
    });
    let edits = FieldCallbacks { on_typed, on_left };
    let write_error = Memo::new(move |_| write.value().get().and_then(Result::err));

    view! {
        <Show
            when=move || report.with(Option::is_some)
            fallback=move || match load_error.get() {
                Some(message) => view! { <p class="notice notice--error" role="alert">{app.pick(&message)}</p> }.into_any(),
                None => view! { <p class="muted">{app.texts().loading}</p> }.into_any(),
            }
        >
            <StatusCard report write/>
            {move || write_error.get().map(|message| view! {
                <p class="notice notice--error" role="alert" data-test="report-error">{app.pick(&message)}</p>
            })}
            <ReportBody catalogue year report locked edits/>
            <StatusActions report write/>
        </Show>
    }
}

/// The indicators, group by group, and the narrative.
#[component]
fn ReportBody(
    catalogue: StoredValue<Catalogue>,
    year: i32,
    report: Memo<Option<StoredReport>>,
    locked: Signal<bool>,
    edits: FieldCallbacks,
) -> impl IntoView {
    let app = use_app();
    let groups = IndicatorGroup::ALL
        .into_iter()
        .map(|group| {
            let indicators: Vec<Indicator> = catalogue.with_value(|catalogue| catalogue.in_group(group).cloned().collect());
            view! {
                <section class="card indicator-group" data-group=group.number()>
                    <h2 class="card-title">
                        {move || format!("{} {}: {}", app.texts().report_group, group.number(), app.pick(&group.label()))}
                    </h2>
                    {indicators
                        .into_iter()
                        .map(|indicator| {
                            let target = catalogue.with_value(|catalogue| catalogue.target_for(&indicator.code, HANOI, year));
                            view! { <IndicatorFields indicator target year report locked edits/> }
                        })
                        .collect_view()}
                </section>
            }
        })
        .collect_view();
    view! {
        {groups}
        <section class="card">
            <h2 class="card-title">{move || app.texts().report_narrative}</h2>
            <p class="muted">{move || app.texts().report_narrative_hint}</p>
            <FieldInput key=FieldKey::narrative() kind=FieldKind::Paragraph test_id="narrative".to_owned() report locked edits/>
        </section>
    }
}

/// The report's status, what waits for the town hall, and why a change was
/// refused.
#[component]
fn StatusCard(
    report: Memo<Option<StoredReport>>,
    write: Action<ReportCommand, Result<(), Localized>>,
) -> impl IntoView {
    let app = use_app();
    let status = Memo::new(move |_| {
        report.with(|report| {
            report
                .as_ref()
                .map(|report| (report.status, report.pending_status))
        })
    });
    let rejection = Memo::new(move |_| {
        report.with(|report| {
            report
                .as_ref()
                .and_then(|report| report.last_rejection.clone())
        })
    });
    view! {
        <section class="card report-status-card">
            {move || status.get().map(|(stored, pending)| {
                let shown = match pending {
                    Some(asked) => app.texts().report_pending.replace("{status}", &app.pick(&asked.label())),
                    None => app.pick(&stored.label()),
                };
                view! {
                    <p>
                        {app.texts().report_status} ": "
                        <span
                            class=format!("report-status report-status--{}", status_name(stored))
                            data-test="report-status"
                            data-status=status_name(stored)
                            data-pending=pending.map(status_name).unwrap_or_default()
                        >
                            {shown}
                        </span>
                    </p>
                    {stored.is_locked().then(|| view! {
                        <p class="notice notice--info" data-test="report-locked">{app.texts().report_locked}</p>
                    })}
                    {(pending == Some(ReportStatus::Approved)).then(|| view! {
                        <p class="notice notice--info">{app.texts().report_approval_pending}</p>
                    })}
                }
            })}
            {move || rejection.get().map(|message| view! {
                <div class="notice notice--error" role="alert" data-test="report-rejection">
                    <p>{app.texts().report_rejected} " " {app.pick(&message)}</p>
                    <button
                        type="button"
                        class="btn btn-secondary"
                        on:click=move |_| {
                            write.dispatch_local(ReportCommand::DismissRejection);
                        }
                    >
                        {app.texts().report_dismiss}
                    </button>
                </div>
            })}
        </section>
    }
}

/// The buttons that move the report along its life.
#[component]
fn StatusActions(
    report: Memo<Option<StoredReport>>,
    write: Action<ReportCommand, Result<(), Localized>>,
) -> impl IntoView {
    let app = use_app();
    let status = Memo::new(move |_| {
        report.with(|report| {
            report
                .as_ref()
                .map(|report| (report.status, report.pending_status))
        })
    });
    let change = move |to: ReportStatus| {
        write.dispatch_local(ReportCommand::ChangeStatus(to));
    };
    move || {
        let texts = app.texts();
        match status.get() {
            // Nothing to do while the town hall has not answered, nor once
            // the report is approved.
            None | Some((_, Some(_))) | Some((ReportStatus::Approved, None)) => ().into_any(),
            Some((ReportStatus::Draft, None)) => view! {
                <div class="actions report-actions">
                    <button
                        type="button"
                        class="btn btn-primary btn-large"
                        data-test="submit-report"
                        on:click=move |_| change(ReportStatus::Submitted)
                    >
                        {texts.report_submit}
                    </button>
                </div>
            }
            .into_any(),
            // A submitted report waits for the city officer.
            Some((ReportStatus::Submitted, None)) if !app.is_city_officer() => ().into_any(),
            // Sending back and approving are the city officer's.
            Some((ReportStatus::Submitted, None)) => view! {
                <div class="actions report-actions">
                    <span class="muted">{texts.report_officer_actions}</span>
                    <button
                        type="button"
                        class="btn btn-secondary"
                        data-test="send-back-report"
                        on:click=move |_| change(ReportStatus::Draft)
                    >
                        {texts.report_send_back}
                    </button>
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-test="approve-report"
                        on:click=move |_| change(ReportStatus::Approved)
                    >
                        {texts.report_approve}
                    </button>
                </div>
            }
            .into_any(),
        }
    }
}

/// One indicator: its name, unit and target, its value and its note.
#[component]
fn IndicatorFields(
    indicator: Indicator,
    target: Option<f64>,
    year: i32,
    report: Memo<Option<StoredReport>>,
    locked: Signal<bool>,
    edits: FieldCallbacks,
) -> impl IntoView {
    let app = use_app();
    let code = indicator.code.clone();
    let name = indicator.name.clone();
    let unit = indicator.unit.label();
    let target_text = move || {
        let texts = app.texts();
        match target {
            Some(value) => texts
                .report_target
                .replace("{year}", &year.to_string())
                .replace("{value}", &value.to_string()),
            None => texts.report_no_target.replace("{year}", &year.to_string()),
        }
    };
    view! {
        <div class="indicator" data-indicator=code.clone()>
            <h3 class="indicator-name">
                <span class="indicator-code">{code.clone()}</span>
                " "
                {move || app.pick(&name)}
            </h3>
            <p class="muted indicator-meta">
                {move || app.texts().report_unit} ": " {move || app.pick(&unit)}
                " · "
                <span data-test="target">{target_text}</span>
            </p>
            <div class="indicator-fields">
                <FieldInput key=FieldKey::value(&code) kind=FieldKind::Number test_id=format!("value-{code}") report locked edits/>
                <FieldInput key=FieldKey::note(&code) kind=FieldKind::Line test_id=format!("note-{code}") report locked edits/>
                <FieldInput key=FieldKey::evidence(&code) kind=FieldKind::Evidence test_id=format!("evidence-{code}") report locked edits/>
            </div>
        </div>
    }
}

/// The state of one field in the report as last read.
fn field_state(report: Memo<Option<StoredReport>>, key: FieldKey) -> Memo<Option<FieldState>> {
    Memo::new(move |_| {
        report.with(|report| {
            report
                .as_ref()
                .and_then(|report| report.fields.get(&key).cloned())
        })
    })
}

/// What was typed and not saved yet.
#[derive(Default)]
struct Unsaved {
    /// The latest content typed in each field, and who typed it.
    edits: BTreeMap<FieldKey, (FieldContent, String)>,
    /// Saves them once typing pauses.
    timer: Option<TimeoutHandle>,
}

/// How a field tells the report what was typed.
#[derive(Clone, Copy)]
struct FieldCallbacks {
    /// Something was typed: the content to save, or `None` when there is
    /// nothing to save (the text says what is stored, or is not a number).
    on_typed: Callback<(FieldKey, Option<FieldContent>)>,
    /// The officer left a box: save what was typed now.
    on_left: Callback<()>,
}

/// What a field holds and how it is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldKind {
    /// An indicator's value: a number.
    Number,
    /// A note: a line of text.
    Line,
    /// Evidence: a line saying where the figure comes from (a register,
    /// a document number, a link).
    Evidence,
    /// The narrative: paragraphs of text.
    Paragraph,
}

impl FieldKind {
    /// The content `text` stands for; `None` when it is not a number in a
    /// number field. An empty box clears the field.
    fn content(self, text: &str) -> Option<FieldContent> {
        match self {
            FieldKind::Number => parse_number(text)
                .map(|number| number.map_or(FieldContent::Cleared, FieldContent::Number)),
            FieldKind::Line | FieldKind::Evidence | FieldKind::Paragraph
                if text.trim().is_empty() =>
            {
                Some(FieldContent::Cleared)
            }
            FieldKind::Line | FieldKind::Evidence | FieldKind::Paragraph => {
                Some(FieldContent::Text(text.to_owned()))
            }
        }
    }
}

/// The text a box shows for `content`.
fn display(content: Option<&FieldContent>) -> String {
    match content {
        Some(FieldContent::Number(number)) => number.to_string(),
        Some(FieldContent::Text(text)) => text.clone(),
        Some(FieldContent::Cleared) | None => String::new(),
    }
}

/// One field's box: an indicator's value, a note or the narrative.
///
/// What the officer typed stays in the box — while they are in it, while
/// it waits to be saved, and when it is not a number (with a message; it is
/// then not saved) — until the stored content changes to something else
/// than both what was typed and what was stored when they typed it: that is
/// a colleague's later edit arriving by sync, and it is shown.
///
/// A value is a text box with a decimal keyboard rather than
/// `type="number"`: a number box reports anything it cannot read ("12,5" in
/// some browsers) as empty, which would clear the field instead of keeping
/// what was typed.
#[component]
fn FieldInput(
    key: FieldKey,
    kind: FieldKind,
    test_id: String,
    report: Memo<Option<StoredReport>>,
    locked: Signal<bool>,
    edits: FieldCallbacks,
) -> impl IntoView {
    let app = use_app();
    let state = field_state(report, key.clone());
    let stored =
        Memo::new(move |_| state.with(|state| state.as_ref().map(|state| state.content().clone())));
    // The text typed here, with the content stored when it was typed.
    let typed: RwSignal<Option<(String, Option<FieldContent>)>> = RwSignal::new(None);
    let focused = RwSignal::new(false);
    let shown = Memo::new(move |_| {
        stored.with(|stored| {
            typed.with(|typed| match typed {
                Some((text, stored_then))
                    if focused.get()
                        || stored == stored_then
                        || kind.content(text).is_none_or(|content| {
                            content.same_as(stored.as_ref().unwrap_or(&FieldContent::Cleared))
                        }) =>
                {
                    text.clone()
                }
                _ => display(stored.as_ref()),
            })
        })
    });
    let invalid = Signal::derive(move || shown.with(|text| kind.content(text).is_none()));
    let key_typed = key.clone();
    let typed_now = move |text: String| {
        let content = kind
            .content(&text)
            .filter(|content| changes(state, content));
        typed.set(Some((text, stored.get_untracked())));
        edits.on_typed.run((key_typed.clone(), content));
    };
    let typed_on_change = typed_now.clone();
    let input = match kind {
        FieldKind::Paragraph => view! {
            <textarea
                rows="8"
                data-test=test_id
                disabled=move || locked.get()
                prop:value=move || shown.get()
                on:focus=move |_| focused.set(true)
                on:blur=move |_| focused.set(false)
                on:input=move |event| typed_now(event_target_value(&event))
                on:change=move |event| {
                    typed_on_change(event_target_value(&event));
                    edits.on_left.run(());
                }
            ></textarea>
        }
        .into_any(),
        FieldKind::Number | FieldKind::Line | FieldKind::Evidence => view! {
            <input
                type="text"
                inputmode=if kind == FieldKind::Number { "decimal" } else { "text" }
                autocomplete="off"
                data-test=test_id
                disabled=move || locked.get()
                aria-invalid=move || invalid.get().to_string()
                prop:value=move || shown.get()
                on:focus=move |_| focused.set(true)
                on:blur=move |_| focused.set(false)
                on:input=move |event| typed_now(event_target_value(&event))
                on:change=move |event| {
                    typed_on_change(event_target_value(&event));
                    edits.on_left.run(());
                }
            />
        }
        .into_any(),
    };
    // The narrative's heading is its label.
    let label = (kind != FieldKind::Paragraph).then(|| {
        let texts = move || app.texts();
        view! {
            <span>
                {move || match kind {
                    FieldKind::Number => texts().report_value,
                    FieldKind::Evidence => texts().report_evidence,
                    _ => texts().report_note,
                }}
            </span>
        }
    });
    view! {
        <div class="report-field">
            <label class="report-label">
                {label}
                {input}
            </label>
            <Show when=move || invalid.get()>
                <p class="field-error" role="alert">{move || app.texts().report_number_invalid}</p>
            </Show>
            <AlsoEntered state/>
        </div>
    }
}

/// "Also entered by … at …: …" under a field, for each other tablet whose
/// latest edit of it lost and differs from what is shown.
///
/// The field's [`FieldState::conflicting`] edits, narrowed to what a person
/// would call a conflict: edits from the tablet that made the winning edit
/// are its own earlier values, and of each other tablet only the latest
/// counts (its earlier values it replaced itself).
#[component]
fn AlsoEntered(state: Memo<Option<FieldState>>) -> impl IntoView {
    let app = use_app();
    move || {
        let texts = app.texts();
        state
            .with(|state| state.as_ref().map(also_entered).unwrap_or_default())
            .into_iter()
            .map(|edit| {
                let author = if edit.author.trim().is_empty() {
                    texts.report_unknown_author.to_owned()
                } else {
                    edit.author.clone()
                };
                let value = match &edit.content {
                    FieldContent::Number(number) => number.to_string(),
                    FieldContent::Text(text) => text.clone(),
                    FieldContent::Cleared => texts.report_cleared.to_owned(),
                };
                let line = texts
                    .report_conflict
                    .replace("{author}", &author)
                    .replace(
                        "{time}",
                        &platform::format_local_time(edit.stamp.hlc.wall_ms),
                    )
                    .replace("{value}", &value);
                view! { <p class="conflict" data-test="conflict">{line}</p> }
            })
            .collect_view()
    }
}

/// The losing edits worth showing beside a field (see [`AlsoEntered`]),
/// oldest first.
fn also_entered(state: &FieldState) -> Vec<FieldEdit> {
    let shown_by = state.winner.stamp.client_id;
    // `conflicting()` goes oldest first, so the last edit kept per tablet is
    // its latest.
    let mut latest: BTreeMap<Uuid, &FieldEdit> = BTreeMap::new();
    for edit in state.conflicting() {
        if edit.stamp.client_id != shown_by {
            latest.insert(edit.stamp.client_id, edit);
        }
    }
    let mut edits: Vec<FieldEdit> = latest.into_values().cloned().collect();
    edits.sort_by_key(|edit| edit.stamp);
    edits
}

/// Whether saving `content` changes what the field shows (leaving a box
/// untouched, or retyping the same value, queues nothing).
fn changes(state: Memo<Option<FieldState>>, content: &FieldContent) -> bool {
    state.with_untracked(|state| match state {
        Some(state) => !state.content().same_as(content),
        None => *content != FieldContent::Cleared,
    })
}

/// Reads a typed number: `Some(None)` for an empty box, `Some(Some(n))` for
/// a finite number written with a decimal point or comma, `None` for
/// anything else.
fn parse_number(text: &str) -> Option<Option<f64>> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Some(None);
    }
    trimmed
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
        .map(Some)
}

/// The status's name in `data-status` and class names.
fn status_name(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Draft => "draft",
        ReportStatus::Submitted => "submitted",
        ReportStatus::Approved => "approved",
    }
}

/// The periods offered: the quarter `today` falls in (the default), the
/// three quarters before it, and the two halves and the whole of its year.
fn period_choices(today: chrono::NaiveDate) -> Vec<Period> {
    let year = today.year();
    let quarter = u8::try_from(today.month0() / 3 + 1).unwrap_or(1);
    let mut choices = Vec::with_capacity(7);
    let (mut quarter_year, mut quarter_number) = (year, quarter);
    for _ in 0..4 {
        choices.push(Period::quarter(quarter_year, quarter_number));
        if quarter_number == 1 {
            quarter_year -= 1;
            quarter_number = 4;
        } else {
            quarter_number -= 1;
        }
    }
    choices.push(Period::half(year, 1));
    choices.push(Period::half(year, 2));
    choices.push(Period::whole_year(year));
    choices.into_iter().filter_map(Result::ok).collect()
}

/// Remembers the officer's name on this tablet.
fn save_author(author: &str) {
    if let Err(error) = BrowserStorage::set(AUTHOR_KEY, author.trim()) {
        leptos::logging::warn!("author name not saved: {error}");
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use thamgia_core::report::{Hlc, ReportId, Stamp};
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
    }

    fn keys(periods: &[Period]) -> Vec<String> {
        periods.iter().map(Period::key).collect()
    }

    /// An edit of indicator 4.1's value by install `client` at `wall_ms`.
    fn edit(client: u128, wall_ms: i64, value: f64, author: &str) -> FieldEdit {
        FieldEdit {
            report_id: ReportId::new("00004", Period::quarter(2026, 3).expect("a valid quarter"))
                .expect("a valid report id"),
            field: FieldKey::value("4.1"),
            content: FieldContent::Number(value),
            stamp: Stamp {
                hlc: Hlc::new(wall_ms, 0),
                client_id: Uuid::from_u128(client),
            },
            author: author.to_owned(),
            sent_as: None,
        }
    }

    fn state_of(edits: Vec<FieldEdit>) -> Option<FieldState> {
        edits.into_iter().fold(None, |state, edit| {
            Some(thamgia_core::report::merge(state, edit))
        })
    }

    #[wasm_bindgen_test]
    fn the_current_quarter_comes_first_then_the_three_before_it_then_the_halves_and_year() {
        assert_eq!(
            keys(&period_choices(date(2026, 8, 15))),
            ["2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4", "2026-H1", "2026-H2", "2026"]
        );
        assert_eq!(
            keys(&period_choices(date(2026, 12, 31))),
            ["2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1", "2026-H1", "2026-H2", "2026"]
        );
        assert_eq!(
            keys(&period_choices(date(2027, 1, 1)))[..4],
            ["2027-Q1", "2026-Q4", "2026-Q3", "2026-Q2"]
        );
    }

    #[wasm_bindgen_test]
    fn numbers_are_read_with_a_point_or_a_comma_and_anything_else_is_kept_aside() {
        assert_eq!(parse_number(" 12,5 "), Some(Some(12.5)));
        assert_eq!(parse_number("31.5"), Some(Some(31.5)));
        assert_eq!(parse_number("  "), Some(None));
        assert_eq!(parse_number("ba mươi"), None);
        assert_eq!(parse_number("1.234,5"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(FieldKind::Number.content(""), Some(FieldContent::Cleared));
        assert_eq!(FieldKind::Number.content("x"), None);
        assert_eq!(
            FieldKind::Line.content("Theo sổ họp"),
            Some(FieldContent::Text("Theo sổ họp".to_owned()))
        );
        assert_eq!(
            FieldKind::Paragraph.content(" \n"),
            Some(FieldContent::Cleared)
        );
    }

    #[wasm_bindgen_test]
    fn also_entered_shows_each_other_tablets_latest_differing_value() {
        // Lan (A) entered 30 then 31.5; Minh (B) entered 29 later, and wins.
        let state = state_of(vec![
            edit(0xA, 1_000, 30.0, "Lan"),
            edit(0xA, 2_000, 31.5, "Lan"),
            edit(0xB, 3_000, 29.0, "Minh"),
        ])
        .expect("a state");
        assert_eq!(also_entered(&state), vec![edit(0xA, 2_000, 31.5, "Lan")]);

        // One's own earlier values are not conflicts, nor is the same value.
        let state = state_of(vec![
            edit(0xA, 1_000, 30.0, "Lan"),
            edit(0xB, 2_000, 29.0, "Minh"),
            edit(0xA, 3_000, 29.0, "Lan"),
        ])
        .expect("a state");
        assert_eq!(also_entered(&state), Vec::<FieldEdit>::new());
    }
}
