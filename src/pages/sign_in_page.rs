//! Signing in: user name, password and a name for this device, one button.
//!
//! Shown instead of everything else while nobody is signed in, and over the
//! app when the worker signs in again after the town hall ended the session
//! (then with a way back, and the user name already filled in). The first
//! sign-in needs a connection; from then on the session is kept in
//! IndexedDB and the app opens offline on it. Each account keeps its
//! session and records in a database of its own on the tablet: signing in
//! as another account than the one whose records are open loads the page
//! again on the account's own (`crate::account_database`). A failed sign-in says why (the
//! server's own message for a wrong password) and keeps what was typed.
//!
//! A collector or ward officer then works in the account's ward
//! ([`settle_ward`]); a city officer chooses a ward on the home page.

use leptos::ev;
use leptos::prelude::*;
use thamgia_core::account::{AccountInfo, LoginRequest, Session};
use thamgia_core::sync_client::{SyncFailure, Trigger};
use thamgia_core::Localized;

use crate::account_database::keep_session;
use crate::api::{self, ApiClient};
use crate::components::ward_picker::fetch_units;
use crate::i18n::{both, texts};
use crate::platform;
use crate::state::{
    save_device_label, save_ward, saved_device_label, use_app, use_online, AppState, Ward,
};

/// Sets the tablet's ward to the account's, for a collector or a ward
/// officer, with its names when the server can be asked (otherwise the code
/// stands in for them until the next sign-in). Nothing for a city officer.
pub(crate) async fn settle_ward(app: AppState, account: &AccountInfo) {
    let Some(code) = account.ward_code.clone() else {
        return;
    };
    let named = match fetch_units().await {
        Ok(units) => units.into_iter().find(|unit| unit.code == code),
        Err(failure) => {
            leptos::logging::warn!("ward names not loaded: {failure:?}");
            None
        }
    };
    let ward = named.unwrap_or_else(|| Ward {
        code: code.clone(),
        name_vi: code.clone(),
        name_en: code.clone(),
    });
    let current = app.ward.get_untracked();
    // A ward that only stands in for its names is not replaced by the same
    // stand-in (that would wake the effect that asked, again and again).
    let better = match &current {
        Some(current) => {
            current.code != ward.code || (current.name_vi == code && ward.name_vi != code)
        }
        None => true,
    };
    if better {
        save_ward(&ward);
        app.ward.set(Some(ward));
    }
}

/// Asks the server for a session and keeps it on the tablet, in the
/// account's own database (`crate::account_database`).
async fn request_session(app: AppState, request: &LoginRequest) -> Result<SignedIn, Localized> {
    if !platform::is_online() {
        return Err(both(|texts| texts.login_offline));
    }
    let session = match ApiClient::for_this_origin().sign_in(request).await {
        Ok(session) => session,
        Err(SyncFailure::Offline) => return Err(both(|texts| texts.login_offline)),
        Err(SyncFailure::Server {
            error: Some(error), ..
        }) => return Err(error.message),
        Err(failure @ (SyncFailure::Unreachable { .. } | SyncFailure::TimedOut { .. })) => {
            leptos::logging::warn!("sign-in: no answer from the server: {failure:?}");
            return Err(both(|texts| texts.login_unreachable));
        }
        Err(other) => {
            leptos::logging::warn!("sign-in failed: {other:?}");
            return Err(both(|texts| texts.login_failed));
        }
    };
    let moved = keep_session(&app.store(), &session)
        .await
        .map_err(|error| error.message())?;
    Ok(SignedIn { session, moved })
}

/// A session the server gave and the tablet kept.
struct SignedIn {
    session: Session,
    /// Whether it was kept in another database than the one open (another
    /// account's records were open): the page loads again on it.
    moved: bool,
}

/// Starts working under `session`: its token on every request, its ward,
/// the app shown, and a sync round (what waited in the outbox leaves now).
async fn start_session(app: AppState, session: Session) {
    api::set_token(Some(session.token.clone()));
    settle_ward(app, &session.account).await;
    app.session_ended.set(false);
    app.signing_in_again.set(false);
    app.session.set(Some(session));
    crate::state::tell_other_tabs_the_session_changed();
    app.records_changed();
    app.sync.get_value().request(Trigger::UserRequest);
}

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let app = use_app();
    let online = use_online();
    let previous = app.session.get_untracked();
    let again = previous.is_some();
    let language = app.language.get_untracked();
    let username = RwSignal::new(
        previous
            .as_ref()
            .map(|session| session.account.username.clone())
            .unwrap_or_default(),
    );
    let password = RwSignal::new(String::new());
    let device = RwSignal::new(
        saved_device_label()
            .filter(|label| !label.trim().is_empty())
            .unwrap_or_else(|| texts(language).login_device_default.to_owned()),
    );
    let error = RwSignal::new(None::<Localized>);
    // One request at a time: the button is disabled while it runs.
    let sign_in = Action::new_local(move |request: &LoginRequest| {
        let request = request.clone();
        async move {
            match request_session(app, &request).await {
                Ok(SignedIn { session, moved }) => {
                    save_device_label(&request.device_label);
                    if moved {
                        // Another account's records are open here: the
                        // app starts again on this account's own.
                        crate::state::tell_other_tabs_the_session_changed();
                        crate::account_database::reload();
                        return;
                    }
                    // Last: this unmounts the form.
                    start_session(app, session).await;
                }
                // The form keeps what was typed, password included.
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
        }
    });
    let busy = move || sign_in.pending().get();

    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        if sign_in.pending().get_untracked() {
            return;
        }
        let mut device_label = device.get_untracked().trim().to_owned();
        if device_label.is_empty() {
            device_label = texts(app.language.get_untracked())
                .login_device_default
                .to_owned();
        }
        let request = LoginRequest {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            device_label,
        };
        if request.username.is_empty() || request.password.is_empty() {
            error.set(Some(both(|texts| texts.login_missing)));
            return;
        }
        if !platform::is_online() {
            error.set(Some(both(|texts| texts.login_offline)));
            return;
        }
        error.set(None);
        sign_in.dispatch_local(request);
    };

    view! {
        <section class="card sign-in" data-test="sign-in">
            <h1 class="card-title">{move || app.texts().login_title}</h1>
            <p class="muted">
                {move || if again { app.texts().login_again_intro } else { app.texts().login_intro }}
            </p>
            <Show when=move || !online.get()>
                <p class="notice notice--info" role="status" data-test="login-offline">
                    {move || app.texts().login_offline}
                </p>
            </Show>
            <form on:submit=submit>
                <label class="field">
                    <span class="field-label">{move || app.texts().login_username}</span>
                    <input
                        type="text"
                        name="username"
                        data-test="login-username"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        prop:value=move || username.get()
                        on:input=move |event| username.set(event_target_value(&event))
                    />
                </label>
                <label class="field">
                    <span class="field-label">{move || app.texts().login_password}</span>
                    <input
                        type="password"
                        name="password"
                        data-test="login-password"
                        autocomplete="current-password"
                        prop:value=move || password.get()
                        on:input=move |event| password.set(event_target_value(&event))
                    />
                </label>
                <label class="field">
                    <span class="field-label">{move || app.texts().login_device}</span>
                    <input
                        type="text"
                        name="device"
                        data-test="login-device"
                        maxlength="120"
                        prop:value=move || device.get()
                        on:input=move |event| device.set(event_target_value(&event))
                    />
                    <small class="muted">{move || app.texts().login_device_hint}</small>
                </label>
                {move || error.get().map(|message| view! {
                    <p class="notice notice--error" role="alert" data-test="login-error">
                        {app.pick(&message)}
                    </p>
                })}
                <div class="actions">
                    <button
                        type="submit"
                        class="btn btn-primary btn-large"
                        data-test="login-submit"
                        disabled=busy
                    >
                        {move || if busy() { app.texts().login_busy } else { app.texts().login_submit }}
                    </button>
                    <Show when=move || again>
                        <button
                            type="button"
                            class="btn btn-secondary"
                            data-test="login-back"
                            on:click=move |_| app.signing_in_again.set(false)
                        >
                            {move || app.texts().login_back}
                        </button>
                    </Show>
                </div>
            </form>
        </section>
    }
}
