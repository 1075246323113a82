//! `/townhall/withdrawals`: consent withdrawn through the ward. A guardian
//! (or the child) calls the ward with the reference the worker gave the
//! family when the answers were taken ("3F2A-91C0",
//! `thamgia_core::response::reference`). The ward officer (their ward) or
//! a city officer (every ward) types it, sees the responses held under it
//! (survey, ward, day, age band, sex: nothing of the answers) and
//! withdraws the family's: its answers are deleted at the town hall and
//! on every tablet at its next sync. Online, like the rest of the town
//! hall app.

use leptos::ev;
use leptos::prelude::*;
use thamgia_core::response::{reference, reference_prefix, reference_problem, ReferencedResponse};
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::Localized;
use uuid::Uuid;

use crate::api::ApiClient;
use crate::components::fetched::online_failure;
use crate::state::use_app;

/// What the page shows below the form.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    /// Nothing asked yet.
    Nothing,
    /// The responses held under the reference typed (maybe none).
    Found {
        typed: String,
        responses: Vec<ReferencedResponse>,
    },
    /// A response was withdrawn.
    Withdrawn(String),
}

fn failure_text(failure: &SyncFailure) -> Localized {
    online_failure(
        failure,
        Localized::new(
            "Không liên lạc được với máy chủ. Hãy thử lại.",
            "The server could not be reached. Try again.",
        ),
    )
}

#[component]
pub fn WithdrawalsPage() -> impl IntoView {
    let app = use_app();
    let typed = RwSignal::new(String::new());
    let shown = RwSignal::new(Shown::Nothing);
    let problem = RwSignal::new(None::<Localized>);
    let find = Action::new_local(move |prefix: &String| {
        let prefix = prefix.clone();
        async move {
            match ApiClient::for_this_origin()
                .responses_by_reference(&prefix)
                .await
            {
                Ok(responses) => {
                    problem.set(None);
                    shown.set(Shown::Found {
                        typed: typed.get_untracked().trim().to_owned(),
                        responses,
                    });
                }
                Err(error) => problem.set(Some(failure_text(&error))),
            }
        }
    });
    let withdraw = Action::new_local(move |id: &Uuid| {
        let id = *id;
        async move {
            match ApiClient::for_this_origin().withdraw_response(id).await {
                Ok(()) => {
                    problem.set(None);
                    typed.set(String::new());
                    shown.set(Shown::Withdrawn(reference(id)));
                }
                Err(error) => problem.set(Some(failure_text(&error))),
            }
        }
    });
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        match reference_prefix(&typed.get_untracked()) {
            Some(prefix) => {
                problem.set(None);
                find.dispatch_local(prefix);
            }
            None => problem.set(Some(reference_problem())),
        }
    };
    let busy = move || find.pending().get() || withdraw.pending().get();
    let title = Localized::new("Rút lại sự đồng ý", "Withdraw consent");
    let intro = Localized::new(
        "Khi cha mẹ, người giám hộ hoặc trẻ muốn rút lại sự đồng ý, hãy hỏi mã phiếu mà người phỏng vấn đã đưa cho gia đình. Câu trả lời của phiếu bị xoá trên máy chủ, và trên mọi máy tính bảng ở lần đồng bộ sau.",
        "When a parent, guardian or the child wants to withdraw consent, ask for the reference the worker gave the family. The response's answers are deleted on the server, and on every tablet at its next sync.",
    );
    let label = Localized::new("Mã phiếu", "Reference");
    let find_text = Localized::new("Tìm", "Find");
    view! {
        <section class="card" data-test="withdrawals">
            <h1>{move || app.pick(&title)}</h1>
            <p class="muted">{move || app.pick(&intro)}</p>
            <form class="reference-form" novalidate=true on:submit=submit>
                <label>
                    {move || app.pick(&label)}
                    <input
                        type="text"
                        data-test="reference"
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        maxlength="32"
                        placeholder="3F2A-91C0"
                        prop:value=move || typed.get()
                        on:input=move |event| typed.set(event_target_value(&event))
                    />
                </label>
                <button type="submit" class="btn btn-primary" data-test="find-reference" disabled=busy>
                    {move || app.pick(&find_text)}
                </button>
            </form>
            {move || problem.get().map(|message| view! {
                <p class="notice notice--error" role="alert" data-test="withdrawal-problem">{app.pick(&message)}</p>
            })}
            {move || match shown.get() {
                Shown::Nothing => ().into_any(),
                Shown::Found { typed, responses } => found(typed, responses, withdraw).into_any(),
                Shown::Withdrawn(reference) => {
                    let done = Localized::new(
                        format!("Đã rút lại sự đồng ý cho phiếu {reference}: câu trả lời đã bị xoá trên máy chủ; mọi máy tính bảng sẽ xoá ở lần đồng bộ sau."),
                        format!("Consent withdrawn for response {reference}: its answers are deleted on the server; every tablet deletes them at its next sync."),
                    );
                    view! { <p class="notice" role="status" data-test="withdrawal-done">{move || app.pick(&done)}</p> }.into_any()
                }
            }}
        </section>
    }
}

/// The responses held under the reference `typed`, each with a button to
/// withdraw it; or why there are none.
fn found(
    typed: String,
    responses: Vec<ReferencedResponse>,
    withdraw: Action<Uuid, ()>,
) -> impl IntoView {
    let app = use_app();
    if responses.is_empty() {
        let none = Localized::new(
            format!("Không có phiếu nào mang mã {typed} ở các phường/xã bạn phụ trách. Nếu phiếu chưa được gửi lên máy chủ, hãy thử lại sau khi máy tính bảng đồng bộ, hoặc rút lại ngay trên máy tính bảng đó (Phiếu đã thu)."),
            format!("No response holds the reference {typed} in the wards you reach. If it has not reached the server yet, try again after the tablet syncs, or withdraw it on that tablet (Responses)."),
        );
        return view! { <p class="notice" role="status" data-test="reference-none">{move || app.pick(&none)}</p> }.into_any();
    }
    let several = responses.len() > 1;
    let check = Localized::new(
        "Nhiều phiếu mang mã này: hãy hỏi gia đình ngày, khảo sát, độ tuổi và giới tính để chọn đúng phiếu.",
        "Several responses hold this reference: ask the family for the day, survey, age band and sex to pick the right one.",
    );
    view! {
        {several.then(|| view! { <p class="notice" data-test="reference-several">{move || app.pick(&check)}</p> })}
        <ul class="referral-list" data-test="referenced-list">
            {responses.into_iter().map(|response| row(response, withdraw)).collect_view()}
        </ul>
    }
    .into_any()
}

fn row(response: ReferencedResponse, withdraw: Action<Uuid, ()>) -> impl IntoView {
    let app = use_app();
    let id = response.id;
    let survey = response.survey_title.clone();
    let band = response.age_band.map(|band| band.label());
    let sex = response.sex.map(|sex| sex.label());
    let details = move || {
        [band.as_ref(), sex.as_ref()]
            .into_iter()
            .flatten()
            .map(|label| app.pick(label))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let action = Localized::new(
        "Rút lại và xoá câu trả lời",
        "Withdraw and delete the answers",
    );
    let confirm = Localized::new(
        format!(
            "Xoá câu trả lời của phiếu {}? Không thể hoàn tác.",
            reference(id)
        ),
        format!(
            "Delete the answers of response {}? This cannot be undone.",
            reference(id)
        ),
    );
    view! {
        <li data-test="referenced" data-response=id.to_string()>
            <span>
                <strong>{move || app.pick(&survey)}</strong>
                " · " {response.ward_code.clone()} " · " {response.day.clone()}
                <br/>
                {details}
            </span>
            <button
                type="button"
                class="btn btn-danger"
                data-test="withdraw-referenced"
                disabled=move || withdraw.pending().get()
                on:click=move |_| {
                    let question = app.pick(&confirm);
                    if window().confirm_with_message(&question).unwrap_or(false) {
                        withdraw.dispatch_local(id);
                    }
                }
            >
                {move || app.pick(&action)}
            </button>
        </li>
    }
}
