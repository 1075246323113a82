//! The start screen: the child's anonymous attributes (age band, sex,
//! whether a survey already heard them this year, and the optional ones),
//! then the consents the law asks for.

use leptos::prelude::*;
use thamgia_core::{
    response::start_missing_message, AgeBand, ConsentMethod, ConsentRecord, Disclosure,
    EthnicGroup, HeardBefore, Localized, Response, Sex, SpecialCircumstance,
};

use super::Editor;
use crate::components::choice_button::ChoiceButton;
use crate::platform;

/// Buttons for one consent: not given, verbally, in writing.
fn consent_buttons(
    editor: Editor,
    test: &'static str,
    read: fn(&Response) -> Option<ConsentRecord>,
    write: fn(&mut Response, Option<ConsentRecord>),
) -> impl IntoView {
    let app = editor.app;
    let methods: Vec<Option<ConsentMethod>> = std::iter::once(None)
        .chain(ConsentMethod::ALL.into_iter().map(Some))
        .collect();
    view! {
        <div class=group_class(editor, test) role="group" data-test=test aria-invalid=invalid(editor, test)>
            {methods
                .into_iter()
                .map(|method| {
                    let label = Signal::derive(move || match method {
                        None => app.texts().consent_not_given.to_owned(),
                        Some(method) => app.pick(&method.label()),
                    });
                    let data_value = method.map_or("none".to_owned(), |method| format!("{method:?}").to_lowercase());
                    view! {
                        <ChoiceButton
                            data_value
                            pressed=Signal::derive(move || editor.response.with(|draft| read(draft).map(|record| record.method) == method))
                            disabled=editor.read_only
                            label
                            on_press=Callback::new(move |()| {
                                let record = method.map(|method| ConsentRecord { method, given_at: platform::now() });
                                editor.update(&|draft| write(draft, record));
                            })
                        />
                    }
                })
                .collect_view()}
        </div>
    }
}

/// A row of option buttons for one participant attribute.
fn option_buttons<T: Copy + PartialEq + std::fmt::Debug + Send + Sync + 'static>(
    editor: Editor,
    test: &'static str,
    options: Vec<T>,
    label: fn(T) -> Localized,
    read: fn(&Response) -> Option<T>,
    write: fn(&mut Response, T),
) -> impl IntoView {
    let app = editor.app;
    view! {
        <div class=group_class(editor, test) role="group" data-test=test aria-invalid=invalid(editor, test)>
            {options
                .into_iter()
                .map(|option| {
                    let text = label(option);
                    let data_value = format!("{option:?}");
                    view! {
                        <ChoiceButton
                            data_value
                            pressed=Signal::derive(move || editor.response.with(|draft| read(draft) == Some(option)))
                            disabled=editor.read_only
                            label=Signal::derive(move || app.pick(&text))
                            on_press=Callback::new(move |()| editor.update(&|draft| write(draft, option)))
                        />
                    }
                })
                .collect_view()}
        </div>
    }
}

/// Age band, sex and the optional attributes, then consent.
#[component]
pub(super) fn StartScreen(editor: Editor) -> impl IntoView {
    let app = editor.app;
    let age_bands: Vec<AgeBand> = editor.survey.with_value(|survey| {
        if survey.age_bands.is_empty() {
            AgeBand::ALL.to_vec()
        } else {
            AgeBand::ALL
                .into_iter()
                .filter(|band| survey.age_bands.contains(band))
                .collect()
        }
    });
    let age_values: Vec<String> = age_bands.iter().map(serde_json_text).collect();
    let show_errors = editor.show_errors;
    view! {
        <section class="card consent-block">
            <h2 class="card-title">{move || app.texts().participant_title}</h2>
            <p class="muted">{move || app.texts().participant_intro}</p>
            <h3>{move || app.texts().age_band}</h3>
            <div class=group_class(editor, "age-bands") role="group" data-test="age-bands" aria-invalid=invalid(editor, "age-bands")>
                {age_bands
                    .into_iter()
                    .zip(age_values)
                    .map(|(band, data_value)| {
                        let label = band.label();
                        view! {
                            <ChoiceButton
                                data_value
                                pressed=Signal::derive(move || editor.response.with(|draft| draft.participant.age_band == Some(band)))
                                disabled=editor.read_only
                                label=Signal::derive(move || app.pick(&label))
                                on_press=Callback::new(move |()| editor.update(&|draft| draft.participant.age_band = Some(band)))
                            />
                        }
                    })
                    .collect_view()}
            </div>
            <h3>{move || app.texts().sex}</h3>
            {option_buttons(editor, "sex", Sex::ALL.to_vec(), Sex::label, |draft| draft.participant.sex, |draft, sex| draft.participant.sex = Some(sex))}
            <h3>{move || app.texts().heard_before}</h3>
            {option_buttons(editor, "heard-before", HeardBefore::ALL.to_vec(), HeardBefore::label, |draft| draft.participant.heard_before, |draft, heard| draft.participant.heard_before = Some(heard))}
            <details class="optional-attributes">
                <summary>{move || app.texts().more_about_child}</summary>
                <h3>{move || app.texts().ethnic_group}</h3>
                {option_buttons(editor, "ethnic-group", EthnicGroup::ALL.to_vec(), EthnicGroup::label, |draft| draft.participant.ethnic_group, |draft, group| draft.participant.ethnic_group = Some(group))}
                <h3>{move || app.texts().disability}</h3>
                {option_buttons(editor, "disability", Disclosure::ALL.to_vec(), Disclosure::label, |draft| draft.participant.disability, |draft, answer| draft.participant.disability = Some(answer))}
                <h3>{move || app.texts().special_circumstances}</h3>
                <div class="choice-grid" role="group" data-test="special-circumstances">
                    {SpecialCircumstance::ALL
                        .into_iter()
                        .map(|circumstance| {
                            let label = circumstance.label();
                            view! {
                                <ChoiceButton
                                    data_value=format!("{circumstance:?}")
                                    pressed=Signal::derive(move || editor.response.with(|draft| draft.participant.special_circumstances.contains(&circumstance)))
                                    disabled=editor.read_only
                                    label=Signal::derive(move || app.pick(&label))
                                    on_press=Callback::new(move |()| editor.update(&|draft| {
                                        let list = &mut draft.participant.special_circumstances;
                                        if list.contains(&circumstance) {
                                            list.retain(|known| *known != circumstance);
                                        } else {
                                            list.push(circumstance);
                                        }
                                    }))
                                />
                            }
                        })
                        .collect_view()}
                </div>
            </details>

            <h3>{move || app.texts().consent_title}</h3>
            <Show when=move || editor.response.with(|draft| draft.participant.age_band.is_none_or(AgeBand::needs_child_assent))>
                <p>{move || app.texts().consent_child}</p>
                {consent_buttons(editor, "child-assent", |draft| draft.consent.child_assent, |draft, record| draft.consent.child_assent = record)}
            </Show>
            <p>{move || app.texts().consent_guardian}</p>
            {consent_buttons(editor, "guardian-consent", |draft| draft.consent.guardian_consent, |draft, record| draft.consent.guardian_consent = record)}
            <Show when=move || show_errors.get() && editor.response.with(|draft| !draft.start_missing().is_empty())>
                <p class="field-error" role="alert" data-test="start-missing">
                    {move || app.pick(&start_missing_message(&editor.response.with(Response::start_missing)))}
                </p>
            </Show>
        </section>
    }
}

/// Whether the start-screen field whose buttons are `test` is missing and
/// the worker has already been told to fill it.
fn is_marked(editor: Editor, test: &str) -> bool {
    editor.show_errors.get()
        && editor.response.with(|draft| {
            draft
                .start_missing()
                .iter()
                .any(|field| field.test_name() == test)
        })
}

/// The class of a group of buttons: marked while it is missing.
fn group_class(editor: Editor, test: &'static str) -> impl Fn() -> &'static str + Send + Sync {
    move || {
        if is_marked(editor, test) {
            "choice-grid choice-grid--missing"
        } else {
            "choice-grid"
        }
    }
}

/// `aria-invalid` of a group of buttons.
fn invalid(editor: Editor, test: &'static str) -> impl Fn() -> Option<&'static str> + Send + Sync {
    move || is_marked(editor, test).then_some("true")
}

fn serde_json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}
