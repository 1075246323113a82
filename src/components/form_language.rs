//! The language of a form's own texts. A form may carry languages beyond
//! Vietnamese and English (XLSForm's `label::Hmoob (hmn)`); the worker
//! picks one for the form alone, per survey and remembered on the tablet,
//! while the app's own texts stay in Vietnamese or English.

use leptos::prelude::*;
use thamgia_core::{Localized, SurveyDefinition};

use crate::preferences::{save_form_language, saved_form_language};
use crate::state::{use_app, AppState};

/// The form language picked while a form is open (`None`: the app's).
#[derive(Clone, Copy)]
struct FormLanguage(RwSignal<Option<String>>);

/// Provides the form language of `survey` to the components below: the
/// worker's last pick for this survey when the survey still has it.
pub fn provide_form_language(survey: &SurveyDefinition) {
    let picked =
        saved_form_language(&survey.id).filter(|language| survey.languages.contains(language));
    provide_context(FormLanguage(RwSignal::new(picked)));
}

/// Picks a form's texts: in the form language when one is picked and the
/// text has it, else in the app's language. `Copy`, for view closures.
#[derive(Clone, Copy)]
pub struct FormText {
    app: AppState,
    language: Option<RwSignal<Option<String>>>,
}

impl FormText {
    /// `text` in the form's language (reactive).
    pub fn pick(&self, text: &Localized) -> String {
        let language = self.app.language.get();
        match self.language {
            Some(picked) => {
                picked.with(|picked| text.in_form(picked.as_deref(), language).to_owned())
            }
            None => text.get(language).to_owned(),
        }
    }
}

/// The picker of the form's texts where [`provide_form_language`] ran;
/// elsewhere every text shows in the app's language.
pub fn use_form_text() -> FormText {
    FormText {
        app: use_app(),
        language: use_context::<FormLanguage>().map(|FormLanguage(language)| language),
    }
}

/// A select of the form's languages, shown only when the form has more
/// than Vietnamese and English.
#[component]
pub fn FormLanguagePicker(survey_id: String, languages: Vec<String>) -> impl IntoView {
    let app = use_app();
    let Some(FormLanguage(picked)) = use_context::<FormLanguage>() else {
        return ().into_any();
    };
    if languages.is_empty() {
        return ().into_any();
    }
    let on_change = move |event: leptos::ev::Event| {
        let value = event_target_value(&event);
        let language = (!value.is_empty()).then_some(value);
        save_form_language(&survey_id, language.as_deref());
        picked.set(language);
    };
    view! {
        <label class="form-language" data-test="form-language">
            <span>{move || app.texts().form_language}</span>
            <select on:change=on_change prop:value=move || picked.get().unwrap_or_default()>
                <option value="">{move || app.texts().form_language_app}</option>
                {languages
                    .into_iter()
                    .map(|language| view! { <option value=language.clone()>{language.clone()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
    .into_any()
}
