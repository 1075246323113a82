//! `/audit`: the city officer reads the audit log — who did what with
//! children's data, and when (see `thamgia_core::audit`).
//!
//! Filters (a period of days in Hanoi's time, an action, part of an
//! actor's name, a ward) are applied with a button; the table shows a page
//! of entries, newest first, with "older" to go back in time and "newest"
//! to return; the CSV link downloads the same selection (fetched with the
//! session's token, [`download_on_click`]). Like the town hall, the page is
//! online-only: the log lives on the server.

use chrono::NaiveDate;
use leptos::ev;
use leptos::prelude::*;
use thamgia_core::audit::{AuditAction, AuditEntry, AuditQuery};
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::{Language, Localized};

use crate::api::{download_on_click, ApiClient};
use crate::components::fetched::Fetched;
use crate::components::ward_picker::fetch_units;
use crate::i18n::townhall::{townhall_both, TownhallTexts};
use crate::state::{use_app, use_online, Ward};

/// What the filter form holds, as typed.
#[derive(Debug, Clone, Copy)]
struct FilterForm {
    from: RwSignal<String>,
    to: RwSignal<String>,
    action: RwSignal<String>,
    actor: RwSignal<String>,
    ward: RwSignal<String>,
}

impl FilterForm {
    fn new() -> FilterForm {
        FilterForm {
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
            action: RwSignal::new(String::new()),
            actor: RwSignal::new(String::new()),
            ward: RwSignal::new(String::new()),
        }
    }

    /// The query the form asks for, or why it cannot be sent.
    fn query(self) -> Result<AuditQuery, Localized> {
        let day = |text: String| {
            let text = text.trim().to_owned();
            if text.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| townhall_both(|texts| texts.audit_bad_date))
        };
        let text = |value: String| Some(value.trim().to_owned()).filter(|text| !text.is_empty());
        let query = AuditQuery {
            from: day(self.from.get_untracked())?,
            to: day(self.to.get_untracked())?,
            action: AuditAction::parse(&self.action.get_untracked()),
            actor: text(self.actor.get_untracked()),
            ward: text(self.ward.get_untracked()),
            before: None,
            limit: None,
        };
        query.check()?;
        Ok(query)
    }

    fn clear(self) {
        for field in [self.from, self.to, self.action, self.actor, self.ward] {
            field.set(String::new());
        }
    }
}

/// What a failed load says: the server's own message when it sent one.
fn failure_text(failure: &SyncFailure) -> Localized {
    match failure {
        SyncFailure::Offline => townhall_both(|texts| texts.audit_offline),
        SyncFailure::Server {
            error: Some(error), ..
        } => error.message.clone(),
        _ => townhall_both(|texts| texts.audit_load_failed),
    }
}

/// The ward's name in `language` with its code, or the code alone when the
/// list is not loaded.
fn ward_label(units: &[Ward], code: &str, language: Language) -> String {
    units.iter().find(|unit| unit.code == code).map_or_else(
        || code.to_owned(),
        |unit| format!("{} · {code}", unit.name(language)),
    )
}

/// The page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let app = use_app();
    let online = use_online();
    let form = FilterForm::new();
    let problem = RwSignal::new(None::<Localized>);
    // The filters applied, and where the page shown starts (`None`: newest).
    let applied = RwSignal::new(AuditQuery::default());
    let before = RwSignal::new(None::<i64>);
    let units = LocalResource::new(fetch_units);
    let unit_list = Memo::new(move |_| units.get().and_then(Result::ok).unwrap_or_default());
    let page = LocalResource::new(move || {
        online.track();
        let mut query = applied.get();
        query.before = before.get();
        async move { ApiClient::for_this_origin().audit(&query).await }
    });

    let apply = move |event: ev::SubmitEvent| {
        event.prevent_default();
        match form.query() {
            Ok(query) => {
                problem.set(None);
                before.set(None);
                applied.set(query);
            }
            Err(message) => problem.set(Some(message)),
        }
    };
    let clear = move |_| {
        form.clear();
        problem.set(None);
        before.set(None);
        applied.set(AuditQuery::default());
    };
    let csv_href = move || {
        let filters = applied.get().filter_string();
        if filters.is_empty() {
            "/api/v1/export/audit.csv".to_owned()
        } else {
            format!("/api/v1/export/audit.csv?{filters}")
        }
    };

    let table = move |shown: thamgia_core::audit::AuditPage| {
        let texts = app.townhall_texts();
        let older = shown
            .entries
            .last()
            .map(|entry| entry.id)
            .filter(|_| shown.has_more);
        let rows = if shown.entries.is_empty() {
            view! { <p class="muted" data-test="audit-empty">{texts.audit_none}</p> }.into_any()
        } else {
            view! { <EntryTable entries=shown.entries units=unit_list/> }.into_any()
        };
        view! {
            {rows}
            <div class="actions">
                <Show when=move || before.get().is_some()>
                    <button type="button" class="btn btn-secondary" data-test="audit-newest" on:click=move |_| before.set(None)>
                        {move || app.townhall_texts().audit_newest}
                    </button>
                </Show>
                {older.map(|id| view! {
                    <button type="button" class="btn btn-secondary" data-test="audit-older" on:click=move |_| before.set(Some(id))>
                        {move || app.townhall_texts().audit_older}
                    </button>
                })}
            </div>
        }
        .into_any()
    };

    view! {
        <section class="card" data-test="audit">
            <h1 class="card-title">{move || app.townhall_texts().audit_title}</h1>
            <p class="muted">{move || app.townhall_texts().audit_intro}</p>
            <Show when=move || !online.get()>
                <p class="notice notice--error" role="status">{move || app.townhall_texts().audit_offline}</p>
            </Show>
            <Filters form units=unit_list apply clear/>
            {move || problem.get().map(|message| view! {
                <p class="notice notice--error" role="alert" data-test="audit-filter-error">{app.pick(&message)}</p>
            })}
            <p>
                <a class="btn btn-secondary" href=csv_href download="audit.csv" data-test="audit-download" on:click=download_on_click>
                    {move || app.townhall_texts().audit_download}
                </a>
            </p>
            <Fetched resource=page failure=failure_text test="audit-failed" let:shown>
                {table(shown)}
            </Fetched>
        </section>
    }
}

/// The filter form.
#[component]
fn Filters(
    form: FilterForm,
    units: Memo<Vec<Ward>>,
    apply: impl Fn(ev::SubmitEvent) + 'static,
    clear: impl Fn(ev::MouseEvent) + 'static,
) -> impl IntoView {
    let app = use_app();
    let text_input = move |label: fn(&TownhallTexts) -> &'static str,
                           kind: &'static str,
                           test: &'static str,
                           value: RwSignal<String>| {
        view! {
            <label class="field">
                <span class="field-label">{move || label(app.townhall_texts())}</span>
                <input
                    type=kind
                    data-test=test
                    autocapitalize="none"
                    spellcheck="false"
                    prop:value=move || value.get()
                    on:input=move |event| value.set(event_target_value(&event))
                />
            </label>
        }
    };
    let action_options = move || {
        AuditAction::ALL
            .into_iter()
            .map(|action| {
                let code = action.as_str();
                view! {
                    <option value=code prop:selected=move || form.action.get() == code>
                        {move || app.pick(&action.label())}
                    </option>
                }
            })
            .collect_view()
    };
    let ward_options = move || {
        let language = app.language.get();
        units
            .get()
            .into_iter()
            .map(|unit| {
                let code = unit.code.clone();
                let selected = code.clone();
                view! {
                    <option value=code prop:selected=move || form.ward.get() == selected>
                        {unit.name(language).to_owned()} " · " {unit.code.clone()}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <form on:submit=apply data-test="audit-filters">
            <div class="recommendation-filters audit-filters">
                {text_input(|texts| texts.audit_from, "date", "audit-from", form.from)}
                {text_input(|texts| texts.audit_to, "date", "audit-to", form.to)}
                <label class="field">
                    <span class="field-label">{move || app.townhall_texts().audit_action}</span>
                    <select data-test="audit-action" on:change=move |event| form.action.set(event_target_value(&event))>
                        <option value="" prop:selected=move || form.action.get().is_empty()>
                            {move || app.townhall_texts().audit_all_actions}
                        </option>
                        {action_options}
                    </select>
                </label>
                {text_input(|texts| texts.audit_actor, "text", "audit-actor", form.actor)}
                <label class="field">
                    <span class="field-label">{move || app.townhall_texts().audit_ward}</span>
                    <select data-test="audit-ward" on:change=move |event| form.ward.set(event_target_value(&event))>
                        <option value="" prop:selected=move || form.ward.get().is_empty()>
                            {move || app.townhall_texts().audit_all_wards}
                        </option>
                        {ward_options}
                    </select>
                </label>
            </div>
            <div class="actions">
                <button type="submit" class="btn btn-primary" data-test="audit-apply">
                    {move || app.townhall_texts().audit_apply}
                </button>
                <button type="button" class="btn btn-secondary" data-test="audit-clear" on:click=clear>
                    {move || app.townhall_texts().audit_clear}
                </button>
            </div>
        </form>
    }
}

/// A page of entries, newest first.
#[component]
fn EntryTable(entries: Vec<AuditEntry>, units: Memo<Vec<Ward>>) -> impl IntoView {
    let app = use_app();
    let header = move || {
        let texts = app.townhall_texts();
        view! {
            <tr>
                <th>{texts.audit_time}</th>
                <th>{texts.audit_actor}</th>
                <th>{texts.audit_role}</th>
                <th>{texts.audit_action}</th>
                <th>{texts.audit_ward}</th>
                <th>{texts.audit_target}</th>
                <th>{texts.audit_detail}</th>
            </tr>
        }
    };
    let rows = entries
        .into_iter()
        .map(|entry| {
            let time = entry.local_time();
            let action = entry.action;
            let role = entry.actor_role;
            let ward = entry.ward_code.clone();
            let ward_text = move || {
                ward.as_deref().map_or_else(
                    || "—".to_owned(),
                    |code| ward_label(&units.get(), code, app.language.get()),
                )
            };
            let actor = entry.actor.clone();
            let actor_text = move || {
                actor
                    .clone()
                    .unwrap_or_else(|| app.townhall_texts().audit_no_account.to_owned())
            };
            view! {
                <tr data-test="audit-row" data-id=entry.id.to_string() data-action=action.as_str()>
                    <td class="numeric">{time}</td>
                    <th scope="row">{actor_text}</th>
                    <td>{move || role.map_or_else(|| "—".to_owned(), |role| app.pick(&role.label()))}</td>
                    <td>{move || app.pick(&action.label())}</td>
                    <td>{ward_text}</td>
                    <td>{entry.target}</td>
                    <td>{entry.detail}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data-table audit-table" data-test="audit-table">
                <thead>{header}</thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
