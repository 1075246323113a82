//! The app's shell: top bar, navigation, routes, and browser event wiring.

use std::rc::Rc;

use leptos::ev;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use thamgia_core::sync_client::{SyncStatus, Trigger};
use thamgia_core::Localized;

use crate::components::language_switch::LanguageSwitch;
use crate::components::sync_bar::SyncBar;
use crate::pages::fill_page::FillPage;
use crate::pages::forum_page::ForumPage;
use crate::pages::forums_page::ForumsPage;
use crate::pages::home_page::HomePage;
use crate::pages::import_page::ImportPage;
use crate::pages::report_page::ReportPage;
use crate::pages::responses_page::ResponsesPage;
use crate::pages::townhall_page::TownhallPage;
use crate::state::{provide_app_state, use_app};
use crate::storage::Store;
use crate::sync::SyncDriver;

/// The whole app.
#[component]
pub fn App(
    store: Store,
    driver: Rc<SyncDriver>,
    data_revision: RwSignal<u64>,
    sync_status: RwSignal<SyncStatus>,
) -> impl IntoView {
    let app = provide_app_state(store, driver, data_revision, sync_status);

    // Sync when the network comes back and when the tablet wakes the tab.
    let online = window_event_listener(ev::online, move |_| {
        app.sync.get_value().request(Trigger::Online);
    });
    let offline = window_event_listener(ev::offline, move |_| {
        app.sync.get_value().went_offline();
    });
    let visible = window_event_listener(ev::visibilitychange, move |_| {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            app.sync.get_value().request(Trigger::Timer);
        }
    });
    on_cleanup(move || {
        online.remove();
        offline.remove();
        visible.remove();
    });
    // Pull the chosen ward's reports and forums.
    Effect::new(move |_| {
        let ward = app.ward.get().map(|ward| ward.code);
        app.sync.get_value().set_ward(ward);
    });
    Effect::new(move |_| {
        let tag = app.language.get().tag();
        if let Some(root) = document().document_element() {
            if let Err(error) = root.set_attribute("lang", tag) {
                leptos::logging::warn!("lang attribute not set: {error:?}");
            }
        }
    });

    view! {
        <Router>
            <div class="app-shell">
                <header class="top-bar">
                    <div class="brand">
                        <strong>{move || app.texts().app_name}</strong>
                        <span class="muted">" · " {move || app.texts().tagline}</span>
                    </div>
                    <div class="top-bar-actions">
                        <LanguageSwitch/>
                    </div>
                </header>
                <nav class="nav">
                    <A href="/" exact=true>{move || app.texts().nav_home}</A>
                    <A href="/responses">{move || app.texts().nav_responses}</A>
                    <A href="/report">{move || app.texts().nav_report}</A>
                    <A href="/forums">{move || app.texts().nav_forums}</A>
                    <A href="/import">{move || app.texts().nav_import}</A>
                    <A href="/townhall">{move || app.texts().nav_townhall}</A>
                </nav>
                <SyncBar/>
                <main class="page">
                    <NoticeBanner/>
                    <Routes fallback=|| view! { <HomePage/> }>
                        <Route path=path!("/") view=HomePage/>
                        <Route path=path!("/responses") view=ResponsesPage/>
                        <Route path=path!("/report") view=ReportPage/>
                        <Route path=path!("/import") view=ImportPage/>
                        <Route path=path!("/townhall") view=TownhallPage/>
                        <Route path=path!("/fill/:id") view=FillPage/>
                        <Route path=path!("/forums") view=ForumsPage/>
                        <Route path=path!("/forum/:id") view=ForumPage/>
                    </Routes>
                </main>
            </div>
        </Router>
    }
}

/// Shows and clears the one-off notice.
#[component]
fn NoticeBanner() -> impl IntoView {
    let app = use_app();
    move || {
        app.notice.get().map(|notice| {
            let class = if notice.success {
                "notice notice--success"
            } else {
                "notice notice--error"
            };
            view! {
                <div class=class role="status" data-test="notice">
                    <span>{app.pick(&notice.text)}</span>
                    " "
                    <button class="btn btn-secondary" on:click=move |_| app.notice.set(None)>"✕"</button>
                </div>
            }
        })
    }
}

/// Shown instead of the app when IndexedDB cannot be opened at all.
#[component]
pub fn StorageFailed(message: Localized) -> impl IntoView {
    view! {
        <div class="app-shell">
            <main class="page">
                <div class="notice notice--error" role="alert">
                    <h1>"Không mở được bộ nhớ của trình duyệt / The browser's storage could not be opened"</h1>
                    <p>{message.vi.clone()}</p>
                    <p lang="en">{message.en.clone()}</p>
                </div>
            </main>
        </div>
    }
}
