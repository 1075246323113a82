//! On home: the other accounts on this tablet that still hold records not
//! sent, by user name with how many, and that those leave when their
//! account signs in here again. Each account's records are its own
//! (`crate::account_database`): only the counts are read. Nothing shows
//! when there are none.

use leptos::prelude::*;

use crate::account_database::others_unsent;
use crate::state::use_app;

/// The notice of other accounts' unsent records.
#[component]
pub fn OtherAccounts() -> impl IntoView {
    let app = use_app();
    let others = LocalResource::new(move || {
        app.data_revision.track();
        let store = app.store();
        async move { others_unsent(&store).await }
    });
    move || {
        others
            .get()
            .filter(|others| !others.is_empty())
            .map(|others| {
                let total: u64 = others.iter().map(|(_, count)| count).sum();
                let whose = others
                    .iter()
                    .map(|(username, count)| format!("{username}: {count}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                    <section class="notice notice--info" data-test="other-accounts" data-count=total>
                        <p>{move || (app.texts().other_accounts_unsent)(total, &whose)}</p>
                    </section>
                }
            })
    }
}
