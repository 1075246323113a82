//! The tablet app, at the root: what collectors and ward officers need in
//! the field, offline. A city officer finds the town hall app one tap away
//! (a full page load: it is another bundle, see [`crate::townhall_app`]).

use leptos::prelude::*;
use leptos_router::components::{Route, Routes, A};
use leptos_router::path;

use crate::app::{ForRole, Parts};
use crate::components::sync_bar::SyncBar;
use crate::pages::fill_page::FillPage;
use crate::pages::forum_page::ForumPage;
use crate::pages::forums_page::ForumsPage;
use crate::pages::home_page::HomePage;
use crate::pages::report_page::ReportPage;
use crate::pages::responses_page::ResponsesPage;
use crate::state::{use_app, AppState};

/// The tablet app's navigation and routes.
pub const PARTS: Parts = Parts {
    nav,
    routes,
    syncs: true,
};

fn nav() -> AnyView {
    let app = use_app();
    view! {
        <nav class="nav">
            <A href="/" exact=true>{move || app.texts().nav_home}</A>
            <A href="/responses">{move || app.texts().nav_responses}</A>
            <Show when=move || app.may_report()>
                <A href="/report">{move || app.texts().nav_report}</A>
            </Show>
            <A href="/forums">{move || app.texts().nav_forums}</A>
            <Show when=move || app.is_city_officer()>
                <a href="/townhall" rel="external" data-test="to-townhall">
                    {move || app.texts().nav_townhall}
                </a>
            </Show>
            // Ward officers read what their ward's children said.
            <Show when=move || app.may_report() && !app.is_city_officer()>
                <a href="/townhall/results" rel="external" data-test="to-results">
                    {move || app.texts().nav_results}
                </a>
            </Show>
        </nav>
        <SyncBar/>
    }
    .into_any()
}

fn routes() -> AnyView {
    view! {
        <Routes fallback=|| view! { <HomePage/> }>
            <Route path=path!("/") view=HomePage/>
            <Route path=path!("/responses") view=ResponsesPage/>
            <Route path=path!("/report") view=|| view! { <ForRole allowed=AppState::may_report><ReportPage/></ForRole> }/>
            <Route path=path!("/fill/:id") view=FillPage/>
            <Route path=path!("/forums") view=ForumsPage/>
            <Route path=path!("/forum/:id") view=ForumPage/>
        </Routes>
    }
    .into_any()
}
