//! `/accounts`: the city officer manages accounts and their devices.
//!
//! A table of every account (user name, name, role, ward, active, and its
//! devices with a "revoke" button for each device still signed in), the
//! account's actions (deactivate or reactivate, reset the password), and a
//! form to create an account. The form is checked with core's
//! `check_account` before anything is sent, and the server's message is
//! shown when it refuses. Like the town hall, the page is online-only.

use leptos::ev;
use leptos::prelude::*;
use thamgia_core::account::{
    check_account, check_password, AccountChange, AccountInfo, AccountRecord, DeviceRecord,
    NewAccount, Role,
};
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::{Language, Localized};

use crate::api::ApiClient;
use crate::components::fetched::Fetched;
use crate::components::ward_picker::fetch_units;
use crate::i18n::townhall::townhall_both;
use crate::platform;
use crate::state::{use_app, use_online, Ward};

/// What an action's failure says: the server's own message when it sent
/// one, otherwise what happened to the connection.
fn failure_text(failure: &SyncFailure) -> Localized {
    match failure {
        SyncFailure::Offline => townhall_both(|texts| texts.accounts_offline),
        SyncFailure::Server {
            error: Some(error), ..
        } => error.message.clone(),
        other => other.message(),
    }
}

/// What the table's failure to load says.
fn load_failure_text(failure: &SyncFailure) -> Localized {
    match failure {
        SyncFailure::Offline => townhall_both(|texts| texts.accounts_offline),
        SyncFailure::Server {
            error: Some(error), ..
        } => error.message.clone(),
        _ => townhall_both(|texts| texts.accounts_load_failed),
    }
}

/// An RFC 3339 time from the server as local "HH:MM, DD/MM/YYYY" (as
/// sent when it does not parse).
fn local_time(text: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|time| platform::format_local_time(time.timestamp_millis()))
        .unwrap_or_else(|_| text.to_owned())
}

/// The ward's name in `language`, or its code when the list is not loaded.
fn ward_name(units: &[Ward], code: &str, language: Language) -> String {
    units
        .iter()
        .find(|unit| unit.code == code)
        .map_or_else(|| code.to_owned(), |unit| unit.name(language).to_owned())
}

/// The result of the last action, shown above the table (or under the
/// form, for the creation of an account).
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    text: Localized,
    success: bool,
    from_form: bool,
}

/// The page.
#[component]
pub fn AccountsPage() -> impl IntoView {
    let app = use_app();
    let online = use_online();
    let accounts = LocalResource::new(move || {
        online.track();
        async move { ApiClient::for_this_origin().accounts().await }
    });
    let units = LocalResource::new(fetch_units);
    let outcome = RwSignal::new(None::<Outcome>);
    let unit_list = Memo::new(move |_| units.get().and_then(Result::ok).unwrap_or_default());

    // Runs one change at the server, then reloads the table; one at a
    // time, every button disabled while it runs.
    let change = Action::new_local(move |request: &Request| {
        let request = request.clone();
        let from_form = matches!(request, Request::Create(_));
        async move {
            let (result, done) = request.send().await;
            let shown = match result {
                Ok(()) => Outcome {
                    text: done,
                    success: true,
                    from_form,
                },
                Err(failure) => Outcome {
                    text: failure_text(&failure),
                    success: false,
                    from_form,
                },
            };
            let succeeded = shown.success;
            outcome.try_set(Some(shown));
            if succeeded {
                accounts.refetch();
            }
        }
    });
    let busy = Signal::from(change.pending());
    let run = move |request: Request| {
        if change.pending().get_untracked() {
            return;
        }
        outcome.set(None);
        change.dispatch_local(request);
    };

    let table = move |list: Vec<AccountRecord>| {
        let texts = app.townhall_texts();
        if list.is_empty() {
            return view! { <p class="muted">{texts.accounts_none}</p> }.into_any();
        }
        view! {
            <div class="table-scroll" tabindex="0">
                <table class="data-table accounts-table" data-test="accounts-table">
                    <thead>
                        <tr>
                            <th>{texts.accounts_username}</th>
                            <th>{texts.accounts_display_name}</th>
                            <th>{texts.accounts_role}</th>
                            <th>{texts.accounts_ward}</th>
                            <th>{texts.accounts_status}</th>
                            <th>{texts.accounts_devices}</th>
                            <th>{texts.accounts_actions}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list
                            .into_iter()
                            .map(|record| view! { <AccountRow record units=unit_list busy run/> })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <section class="card" data-test="accounts">
            <h1 class="card-title">{move || app.townhall_texts().accounts_title}</h1>
            <p class="muted">{move || app.townhall_texts().accounts_intro}</p>
            <Show when=move || !online.get()>
                <p class="notice notice--error" role="status">{move || app.townhall_texts().accounts_offline}</p>
            </Show>
            {move || outcome.get().filter(|shown| !shown.from_form).map(|shown| {
                let class = if shown.success { "notice notice--success" } else { "notice notice--error" };
                view! {
                    <p class=class role="status" data-test="accounts-outcome">{app.pick(&shown.text)}</p>
                }
            })}
            <Fetched resource=accounts failure=load_failure_text test="accounts-failed" let:list>
                {table(list)}
            </Fetched>
        </section>
        <NewAccountForm units=unit_list busy run outcome/>
    }
}

/// One change sent to the server, and what to say when it succeeds.
#[derive(Debug, Clone)]
enum Request {
    Create(NewAccount),
    Change {
        username: String,
        change: AccountChange,
    },
    Revoke {
        device: uuid::Uuid,
    },
}

impl Request {
    async fn send(self) -> (Result<(), SyncFailure>, Localized) {
        let api = ApiClient::for_this_origin();
        match self {
            Request::Create(account) => (
                api.create_account(&account).await.map(|_| ()),
                townhall_both(|texts| texts.accounts_created),
            ),
            Request::Change { username, change } => {
                let done = if change.password.is_some() {
                    townhall_both(|texts| texts.accounts_password_reset_done)
                } else {
                    townhall_both(|texts| texts.accounts_saved)
                };
                (
                    api.change_account(&username, &change).await.map(|_| ()),
                    done,
                )
            }
            Request::Revoke { device } => (
                api.revoke_device(device).await,
                townhall_both(|texts| texts.accounts_revoked_done),
            ),
        }
    }
}

/// One account: its details, devices and actions.
#[component]
fn AccountRow(
    record: AccountRecord,
    units: Memo<Vec<Ward>>,
    busy: Signal<bool>,
    run: impl Fn(Request) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let app = use_app();
    let AccountRecord {
        info,
        active,
        devices,
    } = record;
    let AccountInfo {
        username,
        display_name,
        role,
        ward_code,
    } = info;
    let new_password = RwSignal::new(String::new());
    let password_error = RwSignal::new(None::<Localized>);
    let ward = move || match &ward_code {
        Some(code) => ward_name(&units.get(), code, app.language.get()),
        None => app.townhall_texts().accounts_city_wide.to_owned(),
    };
    let toggle = {
        let username = username.clone();
        move |_| {
            run(Request::Change {
                username: username.clone(),
                change: AccountChange {
                    active: Some(!active),
                    ..AccountChange::default()
                },
            });
        }
    };
    let reset = {
        let username = username.clone();
        move |_| {
            let password = new_password.get_untracked();
            if let Err(message) = check_password(&password) {
                password_error.set(Some(message));
                return;
            }
            password_error.set(None);
            new_password.set(String::new());
            run(Request::Change {
                username: username.clone(),
                change: AccountChange {
                    password: Some(password),
                    ..AccountChange::default()
                },
            });
        }
    };
    let toggle_class = if active {
        "btn btn-danger"
    } else {
        "btn btn-secondary"
    };
    view! {
        <tr data-test="account-row" data-username=username.clone() data-active=active.to_string()>
            <th scope="row">{username.clone()}</th>
            <td>{display_name}</td>
            <td>{move || app.pick(&role.label())}</td>
            <td>{ward}</td>
            <td>
                {move || if active { app.townhall_texts().accounts_active } else { app.townhall_texts().accounts_inactive }}
            </td>
            <td>
                <DeviceList devices busy run/>
            </td>
            <td class="account-actions">
                <button
                    type="button"
                    class=toggle_class
                    data-test="toggle-active"
                    disabled=move || busy.get()
                    on:click=toggle
                >
                    {move || if active { app.townhall_texts().accounts_deactivate } else { app.townhall_texts().accounts_reactivate }}
                </button>
                <label class="field">
                    <span class="field-label">{move || app.townhall_texts().accounts_new_password}</span>
                    <input
                        type="password"
                        autocomplete="new-password"
                        data-test="new-password"
                        prop:value=move || new_password.get()
                        on:input=move |event| new_password.set(event_target_value(&event))
                    />
                </label>
                {move || password_error.get().map(|message| view! {
                    <p class="field-error">{app.pick(&message)}</p>
                })}
                <button
                    type="button"
                    class="btn btn-secondary"
                    data-test="reset-password"
                    disabled=move || busy.get()
                    on:click=reset
                >
                    {move || app.townhall_texts().accounts_reset_password}
                </button>
            </td>
        </tr>
    }
}

/// An account's devices, newest first, each with a "revoke" button while
/// it is still signed in.
#[component]
fn DeviceList(
    devices: Vec<DeviceRecord>,
    busy: Signal<bool>,
    run: impl Fn(Request) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let app = use_app();
    if devices.is_empty() {
        return view! { <span class="muted">{move || app.townhall_texts().accounts_no_devices}</span> }
            .into_any();
    }
    view! {
        <ul class="device-list">
            {devices
                .into_iter()
                .map(|device| {
                    let id = device.id;
                    let created = local_time(&device.created_at);
                    let last_used = device.last_used_at.as_deref().map(local_time);
                    let revoked = device.revoked_at.as_deref().map(local_time);
                    let is_revoked = revoked.is_some();
                    let last_used_text = move || {
                        last_used
                            .clone()
                            .unwrap_or_else(|| app.townhall_texts().accounts_device_never_used.to_owned())
                    };
                    view! {
                        <li data-test="device" data-device=id.to_string() data-revoked=is_revoked.to_string()>
                            <strong>{device.label.clone()}</strong>
                            <br/>
                            <small class="muted">
                                {move || app.townhall_texts().accounts_device_created} ": " {created}
                                " · "
                                {move || app.townhall_texts().accounts_device_last_used} ": " {last_used_text}
                            </small>
                            {match revoked {
                                Some(at) => view! {
                                    <br/>
                                    <small class="device-revoked">{move || app.townhall_texts().accounts_device_revoked} ": " {at.clone()}</small>
                                }
                                .into_any(),
                                None => view! {
                                    <br/>
                                    <button
                                        type="button"
                                        class="btn btn-danger"
                                        data-test="revoke-device"
                                        data-device=id.to_string()
                                        disabled=move || busy.get()
                                        on:click=move |_| run(Request::Revoke { device: id })
                                    >
                                        {move || app.townhall_texts().accounts_revoke}
                                    </button>
                                }
                                .into_any(),
                            }}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The form that creates an account.
#[component]
fn NewAccountForm(
    units: Memo<Vec<Ward>>,
    busy: Signal<bool>,
    run: impl Fn(Request) + Copy + Send + Sync + 'static,
    outcome: RwSignal<Option<Outcome>>,
) -> impl IntoView {
    let app = use_app();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Collector);
    let ward_code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Localized>);

    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        let chosen_role = role.get_untracked();
        let ward = ward_code.get_untracked();
        let info = AccountInfo {
            username: username.get_untracked().trim().to_owned(),
            display_name: display_name.get_untracked().trim().to_owned(),
            role: chosen_role,
            ward_code: (chosen_role.has_ward() && !ward.is_empty()).then_some(ward),
        };
        let first_password = password.get_untracked();
        if let Err(message) = check_account(&info, Some(&first_password)) {
            problem.set(Some(message));
            return;
        }
        problem.set(None);
        run(Request::Create(NewAccount {
            info,
            password: first_password,
        }));
        // What was typed stays until the table shows the new account; only
        // the password is not kept on screen.
        password.set(String::new());
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
                    <option value=code prop:selected=move || ward_code.get() == selected>
                        {unit.name(language).to_owned()} " · " {unit.code.clone()}
                    </option>
                }
            })
            .collect_view()
    };

    view! {
        <section class="card" data-test="new-account">
            <h2 class="card-title">{move || app.townhall_texts().accounts_create_title}</h2>
            <form on:submit=submit>
                <label class="field">
                    <span class="field-label">{move || app.townhall_texts().accounts_username}</span>
                    <input
                        type="text"
                        data-test="new-username"
                        autocapitalize="none"
                        spellcheck="false"
                        prop:value=move || username.get()
                        on:input=move |event| username.set(event_target_value(&event))
                    />
                </label>
                <label class="field">
                    <span class="field-label">{move || app.townhall_texts().accounts_display_name}</span>
                    <input
                        type="text"
                        data-test="new-display-name"
                        prop:value=move || display_name.get()
                        on:input=move |event| display_name.set(event_target_value(&event))
                    />
                </label>
                <label class="field">
                    <span class="field-label">{move || app.townhall_texts().accounts_role}</span>
                    <select
                        data-test="new-role"
                        on:change=move |event| {
                            if let Some(chosen) = Role::parse(&event_target_value(&event)) {
                                role.set(chosen);
                            }
                        }
                    >
                        {Role::ALL
                            .into_iter()
                            .map(|choice| view! {
                                <option value=choice.as_str() prop:selected=move || role.get() == choice>
                                    {move || app.pick(&choice.label())}
                                </option>
                            })
                            .collect_view()}
                    </select>
                </label>
                <Show when=move || role.get().has_ward()>
                    <label class="field">
                        <span class="field-label">{move || app.townhall_texts().accounts_ward}</span>
                        <select
                            data-test="new-ward"
                            on:change=move |event| ward_code.set(event_target_value(&event))
                        >
                            <option value="" prop:selected=move || ward_code.get().is_empty()>
                                {move || app.townhall_texts().accounts_choose_ward}
                            </option>
                            {ward_options}
                        </select>
                    </label>
                </Show>
                <label class="field">
                    <span class="field-label">{move || app.townhall_texts().accounts_password}</span>
                    <input
                        type="password"
                        autocomplete="new-password"
                        data-test="new-password-first"
                        prop:value=move || password.get()
                        on:input=move |event| password.set(event_target_value(&event))
                    />
                </label>
                {move || problem.get().map(|message| view! {
                    <p class="notice notice--error" role="alert" data-test="new-account-error">{app.pick(&message)}</p>
                })}
                {move || outcome.get().filter(|shown| shown.from_form).map(|shown| {
                    let class = if shown.success { "notice notice--success" } else { "notice notice--error" };
                    let test = if shown.success { "new-account-created" } else { "new-account-error" };
                    view! { <p class=class role="status" data-test=test>{app.pick(&shown.text)}</p> }
                })}
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-test="create-account"
                    disabled=move || busy.get()
                >
                    {move || if busy.get() { app.townhall_texts().accounts_busy } else { app.townhall_texts().accounts_create }}
                </button>
            </form>
        </section>
    }
}
