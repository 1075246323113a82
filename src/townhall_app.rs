//! The town hall app, under `/townhall`: officers' desk work, done online:
//! what children said (the survey results, for ward and city officers),
//! referrals, consent withdrawn through the ward and the refused records
//! of their ward (for both), and for
//! city officers the town hall's figures and children's
//! recommendations, the refused records, the form import, accounts, the
//! audit log. Its own
//! bundle, so tablets never download it; the service worker leaves it
//! alone. It shares the tablet app's storage (same origin): one sign-in
//! serves both.

use leptos::prelude::*;
use leptos_router::components::{Route, Routes, A};
use leptos_router::path;

use crate::app::{ForRole, Parts};
use crate::pages::accounts_page::AccountsPage;
use crate::pages::audit_page::AuditPage;
use crate::pages::import_page::ImportPage;
use crate::pages::referrals_page::ReferralsPage;
use crate::pages::refused_page::RefusedPage;
use crate::pages::results_page::ResultsPage;
use crate::pages::townhall_page::TownhallPage;
use crate::pages::withdrawals_page::WithdrawalsPage;
use crate::state::{use_app, AppState};

/// The town hall app's navigation and routes.
pub const PARTS: Parts = Parts {
    nav,
    routes,
    syncs: false,
};

fn nav() -> AnyView {
    let app = use_app();
    view! {
        <nav class="nav">
            <Show when=move || app.is_city_officer()>
                <A href="/townhall" exact=true>{move || app.texts().nav_townhall}</A>
            </Show>
            <A href="/townhall/results">{move || app.texts().nav_results}</A>
            <A href="/townhall/referrals">{move || app.townhall_texts().nav_referrals}</A>
            <A href="/townhall/withdrawals">{move || app.townhall_texts().nav_withdrawals}</A>
            // A city officer finds the refused records on the town hall page.
            <Show when=move || !app.is_city_officer()>
                <A href="/townhall/refused">{move || app.townhall_texts().nav_refused}</A>
            </Show>
            <Show when=move || app.is_city_officer()>
                <A href="/townhall/import">{move || app.townhall_texts().nav_import}</A>
                <A href="/townhall/accounts">{move || app.townhall_texts().nav_accounts}</A>
                <A href="/townhall/audit">{move || app.townhall_texts().nav_audit}</A>
            </Show>
            <a href="/" rel="external" data-test="to-tablet-app">
                {move || app.townhall_texts().nav_tablet_app}
            </a>
        </nav>
    }
    .into_any()
}

fn routes() -> AnyView {
    view! {
        <Routes fallback=|| view! { <ForRole allowed=AppState::is_city_officer><TownhallPage/></ForRole> }>
            <Route path=path!("/townhall") view=|| view! { <ForRole allowed=AppState::is_city_officer><TownhallPage/></ForRole> }/>
            <Route path=path!("/townhall/results") view=|| view! { <ForRole allowed=AppState::may_report><ResultsPage/></ForRole> }/>
            <Route path=path!("/townhall/referrals") view=|| view! { <ForRole allowed=AppState::may_report><ReferralsPage/></ForRole> }/>
            <Route path=path!("/townhall/withdrawals") view=|| view! { <ForRole allowed=AppState::may_report><WithdrawalsPage/></ForRole> }/>
            <Route path=path!("/townhall/refused") view=|| view! { <ForRole allowed=AppState::may_report><RefusedPage/></ForRole> }/>
            <Route path=path!("/townhall/import") view=|| view! { <ForRole allowed=AppState::is_city_officer><ImportPage/></ForRole> }/>
            <Route path=path!("/townhall/accounts") view=|| view! { <ForRole allowed=AppState::is_city_officer><AccountsPage/></ForRole> }/>
            <Route path=path!("/townhall/audit") view=|| view! { <ForRole allowed=AppState::is_city_officer><AuditPage/></ForRole> }/>
        </Routes>
    }
    .into_any()
}
