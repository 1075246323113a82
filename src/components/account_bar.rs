//! Who is signed in (name and role) and the sign-out button, in the top bar.
//!
//! Signing out never deletes a record: it forgets the session only, so
//! responses, drafts, the outbox and the client id stay on the tablet, in
//! the account's own database, and what waits is sent after the account's
//! next sign-in here (another account signing in works in its own). When something has not been
//! sent yet, the worker is asked first, in both languages, how many records
//! wait, that they stay here, and that signing out can wait.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::account_database::unsent_records;
use crate::api::{self, ApiClient};
use crate::i18n::{both, EN, VI};
use crate::platform;
use crate::state::{use_app, Notice};

/// Asks, in both languages, whether to sign out with `unsent` records
/// still on the tablet. `None` (unknown) asks too.
fn confirm_sign_out(unsent: Option<u64>) -> bool {
    let question = format!(
        "{}\n\n{}",
        (VI.sign_out_confirm)(unsent),
        (EN.sign_out_confirm)(unsent),
    );
    match window().confirm_with_message(&question) {
        Ok(answer) => answer,
        Err(error) => {
            leptos::logging::warn!("confirmation dialog failed: {error:?}");
            false
        }
    }
}

/// The signed-in account and the sign-out button.
#[component]
pub fn AccountBar() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    // One sign-out at a time: the button is disabled while it runs (the
    // question, the server, the session forgotten).
    let sign_out = Action::new_local(move |(): &()| {
        let store = app.store();
        let navigate = navigate.clone();
        async move {
            let unsent = unsent_records(&store).await;
            if unsent != Some(0) && !confirm_sign_out(unsent) {
                return;
            }
            if platform::is_online() {
                // The token is forgotten here whatever the server says; a
                // token the server still holds can be revoked at the town hall.
                if let Err(failure) = ApiClient::for_this_origin().sign_out().await {
                    leptos::logging::warn!("sign-out not told to the server: {failure:?}");
                }
            }
            match store.clear_session().await {
                Ok(()) => {
                    api::set_token(None);
                    crate::state::tell_other_tabs_the_session_changed();
                    navigate("/", NavigateOptions::default());
                    app.session_ended.set(false);
                    app.signing_in_again.set(false);
                    app.session.set(None);
                }
                Err(error) => {
                    let failed = both(|texts| texts.sign_out_failed);
                    let message = error.message();
                    app.notice.set(Some(Notice::here(
                        thamgia_core::Localized::new(
                            format!("{} {}", failed.vi, message.vi),
                            format!("{} {}", failed.en, message.en),
                        ),
                        false,
                    )));
                }
            }
        }
    });

    let who = move || {
        app.account().map(|account| {
            let role = app.pick(&account.role.label());
            let username = account.username.clone();
            view! {
                <span class="signed-in" data-test="signed-in" data-username=username data-role=account.role.as_str()>
                    <span class="sr-only">{app.texts().signed_in_as} ": "</span>
                    <strong>{account.display_name.clone()}</strong>
                    <span class="muted">" · " {role}</span>
                </span>
            }
        })
    };

    view! {
        <div class="account-bar">
            {who}
            <button
                type="button"
                class="btn btn-sign-out"
                data-test="sign-out"
                disabled=move || sign_out.pending().get()
                on:click=move |_| {
                    sign_out.dispatch_local(());
                }
            >
                {move || app.texts().sign_out}
            </button>
        </div>
    }
}
