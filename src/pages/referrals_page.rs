//! `/townhall/referrals`: the referrals workers made after a possible
//! disclosure, for the ward officer (their ward) and city officers (every
//! ward): how many are open, how many followed up, and each open one —
//! survey, to whom, when; nothing about the child — with a button to mark
//! it followed up once the officer has checked with the worker and the
//! child protection services. Online, like the rest of the town hall app.

use leptos::prelude::*;
use thamgia_core::safeguarding::{OpenReferral, ReferralSummary, HOTLINE};
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::Localized;
use uuid::Uuid;

use crate::api::ApiClient;
use crate::components::fetched::{online_failure, Fetched};
use crate::state::use_app;

fn failure_text(failure: &SyncFailure) -> Localized {
    online_failure(
        failure,
        Localized::new(
            "Không tải được danh sách chuyển tiếp.",
            "The referrals could not be loaded.",
        ),
    )
}

#[component]
pub fn ReferralsPage() -> impl IntoView {
    let app = use_app();
    let summary = LocalResource::new(|| async { ApiClient::for_this_origin().referrals().await });
    let problem = RwSignal::new(None::<Localized>);
    let follow_up = Action::new_local(move |id: &Uuid| {
        let id = *id;
        async move {
            match ApiClient::for_this_origin().follow_up_referral(id).await {
                Ok(()) => {
                    problem.set(None);
                    summary.refetch();
                }
                Err(error) => problem.set(Some(failure_text(&error))),
            }
        }
    });
    let title = Localized::new("Các trường hợp chuyển tiếp", "Referrals");
    let intro = Localized::new(
        format!("Khi một câu trả lời có thể là dấu hiệu trẻ bị tổn hại, người phỏng vấn được hướng dẫn chuyển tiếp (cán bộ bảo vệ trẻ em của phường/xã, Tổng đài {HOTLINE}) và ghi lại việc đó, không kèm thông tin nào về trẻ. Hãy liên hệ người phỏng vấn và đánh dấu đã theo dõi khi xong."),
        format!("When an answer may mean a child is being harmed, the worker is guided to refer it (the ward's child protection officer, hotline {HOTLINE}) and records that, with nothing about the child. Check with the worker and mark each one followed up when done."),
    );
    view! {
        <section class="card" data-test="referrals">
            <h1>{move || app.pick(&title)}</h1>
            <p class="muted">{move || app.pick(&intro)}</p>
            {move || problem.get().map(|message| view! { <p class="notice notice--error" role="alert">{app.pick(&message)}</p> })}
            <Fetched resource=summary failure=failure_text test="referrals-failed" let:summary>
                {shown(summary, follow_up)}
            </Fetched>
        </section>
    }
}

fn shown(summary: ReferralSummary, follow_up: Action<Uuid, ()>) -> impl IntoView {
    let app = use_app();
    let open = Localized::new(
        format!(
            "{} trường hợp đang mở, {} đã theo dõi",
            summary.open, summary.followed_up
        ),
        format!("{} open, {} followed up", summary.open, summary.followed_up),
    );
    view! {
        <p class="referral-count" data-test="referrals-open" data-count=summary.open>{summary.open}</p>
        <p>{move || app.pick(&open)}</p>
        <ul class="referral-list">
            {summary.open_referrals.into_iter().map(|referral| row(referral, follow_up)).collect_view()}
        </ul>
    }
}

fn row(referral: OpenReferral, follow_up: Action<Uuid, ()>) -> impl IntoView {
    let app = use_app();
    let id = referral.response_id;
    let to: Vec<Localized> = referral.to.iter().map(|to| to.label()).collect();
    let when = crate::platform::format_local_time(referral.made_at.timestamp_millis());
    let survey = referral.survey_title.clone();
    let done = Localized::new("Đã theo dõi", "Mark followed up");
    view! {
        <li data-test="referral" data-response=id.to_string()>
            <span>
                <strong>{move || app.pick(&survey)}</strong>
                " · " {referral.ward_code.clone()} " · " {when}
                <br/>
                {move || to.iter().map(|line| app.pick(line)).collect::<Vec<_>>().join("; ")}
            </span>
            <button
                type="button"
                class="btn btn-primary"
                data-test="follow-up"
                disabled=move || follow_up.pending().get()
                on:click=move |_| {
                    follow_up.dispatch_local(id);
                }
            >
                {move || app.pick(&done)}
            </button>
        </li>
    }
}
