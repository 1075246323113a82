//! Vietnamese / English switch.

use leptos::prelude::*;
use thamgia_core::Language;

use crate::state::{save_language, use_app};

/// Two buttons, "VI" and "EN"; the choice is remembered on the tablet.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let app = use_app();
    let button = move |language: Language, label: &'static str, title: &'static str| {
        view! {
            <button
                type="button"
                title=title
                data-test=format!("lang-{}", language.tag())
                aria-pressed=move || (app.language.get() == language).to_string()
                on:click=move |_| {
                    app.language.set(language);
                    save_language(language);
                }
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="lang-switch" role="group" aria-label="Ngôn ngữ / Language">
            {button(Language::Vi, "VI", "Tiếng Việt")}
            {button(Language::En, "EN", "English")}
        </div>
    }
}
