//! The records the server refused and kept aside, with the reasons, for the
//! town hall to follow up; a response kept whole can be accepted
//! (`POST /quarantine/{client_id}/{seq}/release`): the server checks it
//! again as the officer sending it, and keeps it if the rules allow.

use leptos::prelude::*;
use thamgia_core::{Localized, MutationOutcome, QuarantinedRecord};
use uuid::Uuid;

use super::{townhall_failure, TOWNHALL_ERROR};
use crate::api::ApiClient;
use crate::components::fetched::Fetched;
use crate::state::{use_app, use_online, Ward};

/// The records the server refused and kept aside, with the reasons.
#[component]
pub(crate) fn QuarantineCard(wards: Memo<Vec<Ward>>) -> impl IntoView {
    let app = use_app();
    let online = use_online();
    let records = LocalResource::new(move || {
        online.track();
        app.data_revision.track();
        async move { ApiClient::for_this_origin().quarantine().await }
    });
    let kind_label = move |kind: &str| {
        let texts = app.townhall_texts();
        match kind {
            "submit_response" => texts.quarantine_kind_response,
            "submit_forum" => texts.quarantine_kind_forum,
            "edit_report_field" | "change_report_status" => texts.quarantine_kind_report,
            "record_feedback" => texts.quarantine_kind_feedback,
            "withdraw_response" => texts.quarantine_kind_withdrawal,
            _ => "—",
        }
    };
    // What the last acceptance came to: a success, or why it failed.
    let result = RwSignal::new(None::<(bool, Localized)>);
    let release = Action::new_local(move |record: &(Uuid, u64)| {
        let (client_id, seq) = *record;
        async move {
            match ApiClient::for_this_origin()
                .release_record(client_id, seq)
                .await
            {
                Ok(outcome) => {
                    let text = match outcome {
                        MutationOutcome::Applied | MutationOutcome::AlreadyStored => {
                            crate::i18n::townhall::townhall_both(|texts| texts.quarantine_released)
                        }
                        _ => crate::i18n::townhall::townhall_both(|texts| {
                            texts.quarantine_release_resolved
                        }),
                    };
                    result.set(Some((true, text)));
                    records.refetch();
                }
                Err(failure) => result.set(Some((false, townhall_failure(&failure)))),
            }
        }
    });
    let ward_label = move |code: &Option<String>| {
        let language = app.language.get();
        match code {
            None => "—".to_owned(),
            Some(code) => wards.with(|wards| {
                wards
                    .iter()
                    .find(|ward| &ward.code == code)
                    .map(|ward| ward.name(language).to_owned())
                    .unwrap_or_else(|| code.clone())
            }),
        }
    };
    let body = move |list: Vec<QuarantinedRecord>| {
        if list.is_empty() {
            return view! {
                <p class="muted" data-test="quarantine-empty">{app.townhall_texts().quarantine_empty}</p>
            }
            .into_any();
        }
        let texts = app.townhall_texts();
        view! {
            <div class="table-scroll" tabindex="0"><table class="data-table" data-test="quarantine-table">
                <thead>
                    <tr>
                        <th>{texts.quarantine_when}</th>
                        <th>{texts.quarantine_ward}</th>
                        <th>{texts.quarantine_what}</th>
                        <th>{texts.quarantine_why}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|record| {
                            let reasons = record
                                .reasons
                                .iter()
                                .map(|reason| app.pick(reason).to_owned())
                                .collect::<Vec<_>>()
                                .join(" ");
                            let releasable =
                                record.kind == "submit_response" && record.payload_complete;
                            let key = (record.client_id, record.seq);
                            let when = record.received_at.replace('T', " ");
                            let when = when.get(..16).unwrap_or(&when).to_owned();
                            view! {
                                <tr data-test="quarantined" data-kind=record.kind.clone()>
                                    <td>{when}</td>
                                    <td>{ward_label(&record.ward_code)}</td>
                                    <td>
                                        {kind_label(&record.kind)}
                                        <br/>
                                        <span class="muted">{record.record_id.clone()}</span>
                                        {record.sent_by.clone().map(|sender| view! {
                                            <br/>
                                            <span class="muted">{texts.quarantine_sent_by} " " {sender}</span>
                                        })}
                                        {(!record.payload_complete).then(|| view! {
                                            <br/>
                                            <span class="muted" data-test="quarantine-cut">
                                                {texts.quarantine_cut} " (" {thamgia_core::storage_space::format_megabytes(record.payload_bytes as f64, app.language.get())} ")"
                                            </span>
                                        })}
                                    </td>
                                    <td>
                                        {reasons}
                                        {releasable.then(|| view! {
                                            <br/>
                                            <button
                                                type="button"
                                                class="btn btn-secondary"
                                                data-test="release"
                                                disabled=move || release.pending().get()
                                                on:click=move |_| {
                                                    let question = app.townhall_texts().quarantine_release_confirm;
                                                    if window().confirm_with_message(question).unwrap_or(false) {
                                                        release.dispatch_local(key);
                                                    }
                                                }
                                            >
                                                {texts.quarantine_release}
                                            </button>
                                        })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table></div>
        }
        .into_any()
    };
    view! {
        <section class="card" data-test="quarantine-card">
            <h2 class="card-title">{move || app.townhall_texts().quarantine_title}</h2>
            <p class="muted">{move || app.townhall_texts().quarantine_intro}</p>
            {move || result.get().map(|(success, text)| {
                let class = if success { "notice notice--success" } else { "notice notice--error" };
                view! { <p class=class role="status" data-test="release-result">{app.pick(&text)}</p> }
            })}
            <Fetched resource=records failure=townhall_failure test=TOWNHALL_ERROR let:list>
                {body(list)}
            </Fetched>
        </section>
    }
}
