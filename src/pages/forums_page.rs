//! `/forums`: the children's forums of the tablet's ward, each with its
//! date, place, children, where it is in the sync, the 15-day deadline to
//! report it to the city, and where each recommendation is on its way to an
//! answer and back to the children. "New forum" starts a draft and opens it.
//!
//! Every forum of the town hall reaches every tablet by pull (so that a
//! colleague can record the feedback); the list shows those of the chosen
//! ward, and any forum made here that has not reached the town hall yet,
//! whatever its ward.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use thamgia_core::forum::{Forum, RecommendationStatus};

use crate::components::loaded::Loaded;
use crate::platform;
use crate::state::{use_app, AppState, Notice};
use crate::storage::{LocalSyncState, StoredForum};

/// A date as shown on the tablet: 20/11/2026.
pub(crate) fn format_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// Where a forum is in the sync: the badge's CSS class, its label, and the
/// town hall's reason when it refused the forum.
pub(crate) fn forum_state(
    app: AppState,
    stored: &StoredForum,
) -> (&'static str, &'static str, Option<String>) {
    let texts = app.texts();
    match &stored.sync {
        LocalSyncState::Draft => ("state--draft", texts.state_draft, None),
        LocalSyncState::Waiting { .. } => ("state--waiting", texts.state_waiting, None),
        LocalSyncState::Synced { .. } | LocalSyncState::Withdrawn => {
            ("state--synced", texts.forum_at_townhall, None)
        }
        LocalSyncState::Rejected { message } => (
            "state--rejected",
            texts.state_rejected,
            Some(app.pick(message)),
        ),
        LocalSyncState::Conflict { message } => (
            "state--conflict",
            texts.state_conflict,
            Some(app.pick(message)),
        ),
    }
}

/// The state's name in `data-state`.
pub(crate) fn state_name(sync: &LocalSyncState) -> &'static str {
    match sync {
        LocalSyncState::Draft => "draft",
        LocalSyncState::Waiting { .. } => "waiting",
        LocalSyncState::Synced { .. } => "synced",
        LocalSyncState::Rejected { .. } => "rejected",
        LocalSyncState::Conflict { .. } => "conflict",
        LocalSyncState::Withdrawn => "withdrawn",
    }
}

/// Where a forum stands against the 15-day deadline to report it to the city.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReportDeadline {
    /// The town hall has it.
    Reported,
    /// Not at the town hall yet, with this many days left.
    DaysLeft(i64),
    /// Not at the town hall yet, and today is the last day.
    Today,
    /// Not at the town hall yet, this many days after the last day.
    Overdue(i64),
}

impl ReportDeadline {
    /// Where `stored` stands on `today`.
    pub(crate) fn of(stored: &StoredForum, today: NaiveDate) -> ReportDeadline {
        if matches!(stored.sync, LocalSyncState::Synced { .. }) {
            return ReportDeadline::Reported;
        }
        match (stored.forum.report_due() - today).num_days() {
            0 => ReportDeadline::Today,
            left if left > 0 => ReportDeadline::DaysLeft(left),
            late => ReportDeadline::Overdue(-late),
        }
    }
}

/// The 15-day report deadline as a sentence, and whether it is overdue.
pub(crate) fn deadline_line(
    app: AppState,
    stored: &StoredForum,
    today: NaiveDate,
) -> (String, bool) {
    let texts = app.texts();
    let date = format_date(stored.forum.report_due());
    match ReportDeadline::of(stored, today) {
        ReportDeadline::Reported => ((texts.forum_reported)(&date), false),
        ReportDeadline::Today => ((texts.forum_due_today)(&date), false),
        ReportDeadline::DaysLeft(left) => ((texts.forum_due_days_left)(&date, left), false),
        ReportDeadline::Overdue(late) => ((texts.forum_due_overdue)(&date, late), true),
    }
}

/// The status's name in `data-status` and class names.
pub(crate) fn recommendation_status_name(status: RecommendationStatus) -> &'static str {
    match status {
        RecommendationStatus::AwaitingAnswer => "awaiting_answer",
        RecommendationStatus::AwaitingFeedback => "awaiting_feedback",
        RecommendationStatus::Closed => "closed",
    }
}

/// Whether the list shows `stored` to a tablet working in `ward_code`.
fn shown_here(stored: &StoredForum, ward_code: Option<&str>) -> bool {
    let made_here_and_not_sent = !matches!(stored.sync, LocalSyncState::Synced { .. });
    ward_code.is_none_or(|code| stored.forum.ward_code == code) || made_here_and_not_sent
}

/// The page.
#[component]
pub fn ForumsPage() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let forums = LocalResource::new(move || {
        app.data_revision.track();
        let store = app.store();
        async move { store.forums().await.map_err(|error| error.message()) }
    });

    let create = Action::new_local(move |(): &()| {
        let store = app.store();
        let navigate = navigate.clone();
        let ward = app.ward.get_untracked();
        async move {
            let Some(ward) = ward else {
                return;
            };
            let draft = Forum::new(
                platform::new_uuid(),
                ward.code,
                platform::today(),
                platform::now(),
            );
            match store.save_forum_draft(&draft).await {
                Ok(()) => {
                    app.records_changed();
                    navigate(&format!("/forum/{}", draft.id), NavigateOptions::default());
                }
                Err(error) => app.notice.set(Some(Notice::here(error.message(), false))),
            }
        }
    });

    let list = move |all: Vec<StoredForum>| {
        let ward = app.ward.get();
        let shown: Vec<StoredForum> = all
            .into_iter()
            .filter(|stored| shown_here(stored, ward.as_ref().map(|ward| ward.code.as_str())))
            .collect();
        if shown.is_empty() {
            return view! { <p class="muted" data-test="forums-none">{app.texts().forums_none}</p> }
                .into_any();
        }
        let today = platform::today();
        view! {
            <ul class="forum-list">
                {shown.into_iter().map(|stored| view! { <ForumRow stored today/> }).collect_view()}
            </ul>
        }
        .into_any()
    };

    view! {
        <section class="card">
            <div class="card-head">
                <h1 class="card-title">{move || app.texts().forums_title}</h1>
                <Show
                    when=move || app.ward.get().is_some()
                    fallback=move || view! {
                        <p class="notice notice--info" data-test="forum-no-ward">
                            {app.texts().forum_choose_ward} " "
                            <a href="/">{app.texts().back_home}</a>
                        </p>
                    }
                >
                    <button
                        type="button"
                        class="btn btn-primary btn-large"
                        data-test="new-forum"
                        disabled=move || create.pending().get()
                        on:click=move |_| {
                            create.dispatch_local(());
                        }
                    >
                        {move || app.texts().forum_new}
                    </button>
                </Show>
            </div>
            <p class="muted">{move || app.texts().forums_intro}</p>
            <Loaded resource=forums let:all>
                {list(all)}
            </Loaded>
        </section>
    }
}

/// One forum in the list.
#[component]
fn ForumRow(stored: StoredForum, today: NaiveDate) -> impl IntoView {
    let app = use_app();
    let texts = app.texts();
    let forum = &stored.forum;
    let (class, label, reason) = forum_state(app, &stored);
    let (deadline, overdue) = deadline_line(app, &stored, today);
    let place = if forum.place.trim().is_empty() {
        texts.forum_no_place.to_owned()
    } else {
        forum.place.clone()
    };
    let heading = format!(
        "{} · {} · {}",
        format_date(forum.held_on),
        place,
        (texts.forum_children)(forum.children())
    );
    let answer_due = forum.answer_due();
    let recommendations = forum
        .recommendations
        .iter()
        .map(|recommendation| {
            let status = stored.recommendation_status(recommendation.id);
            // Only a recommendation the town hall holds can be late.
            let late = status == RecommendationStatus::AwaitingAnswer
                && matches!(stored.sync, LocalSyncState::Synced { .. })
                && today > answer_due;
            view! {
                <li data-recommendation=recommendation.id.to_string()>
                    <span>{recommendation.text.clone()}</span>
                    " "
                    <span
                        class=format!("state-badge recommendation-status--{}", recommendation_status_name(status))
                        data-test="recommendation-status"
                        data-status=recommendation_status_name(status)
                    >
                        {app.pick(&status.label())}
                    </span>
                    {late.then(|| view! {
                        <span class="field-error">{(texts.forum_answer_overdue)(&format_date(answer_due))}</span>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <li class="forum-row" data-test="forum-row" data-id=forum.id.to_string() data-state=state_name(&stored.sync)>
            <a class="forum-row-title" href=format!("/forum/{}", forum.id)>{heading}</a>
            " "
            <span class=format!("state-badge {class}") data-test="forum-state">{label}</span>
            {reason.map(|reason| view! { <p class="field-error">{reason}</p> })}
            <p class=if overdue { "forum-deadline forum-deadline--overdue" } else { "forum-deadline muted" } data-test="report-due">
                {deadline}
            </p>
            <ul class="forum-recommendations">{recommendations}</ul>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use thamgia_core::Localized;
    use uuid::Uuid;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn date(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, month, day).expect("a valid date")
    }

    fn stored(sync: LocalSyncState) -> StoredForum {
        let forum = Forum::new(
            Uuid::from_u128(1),
            "00004",
            date(11, 20),
            DateTime::<Utc>::default(),
        );
        StoredForum {
            sync,
            ..StoredForum::draft(forum)
        }
    }

    #[wasm_bindgen_test]
    fn a_forum_is_shown_in_its_ward_and_where_it_was_made_until_it_is_sent() {
        let synced = stored(LocalSyncState::Synced { at_ms: 0 });
        assert!(shown_here(&synced, Some("00004")));
        assert!(shown_here(&synced, None));
        assert!(!shown_here(&synced, Some("00007")));
        let waiting = stored(LocalSyncState::Waiting { seq: 1 });
        assert!(shown_here(&waiting, Some("00007")));
        let refused = stored(LocalSyncState::Rejected {
            message: Localized::new("Thiếu", "Missing"),
        });
        assert!(shown_here(&refused, Some("00007")));
    }

    #[wasm_bindgen_test]
    fn the_report_is_due_fifteen_days_after_the_forum_until_the_town_hall_has_it() {
        // Held on 20 November: due on 5 December.
        let waiting = stored(LocalSyncState::Waiting { seq: 1 });
        assert_eq!(
            ReportDeadline::of(&waiting, date(11, 20)),
            ReportDeadline::DaysLeft(15)
        );
        assert_eq!(
            ReportDeadline::of(&waiting, date(12, 4)),
            ReportDeadline::DaysLeft(1)
        );
        assert_eq!(
            ReportDeadline::of(&waiting, date(12, 5)),
            ReportDeadline::Today
        );
        assert_eq!(
            ReportDeadline::of(&waiting, date(12, 8)),
            ReportDeadline::Overdue(3)
        );
        let draft = stored(LocalSyncState::Draft);
        assert_eq!(
            ReportDeadline::of(&draft, date(12, 6)),
            ReportDeadline::Overdue(1)
        );
        let synced = stored(LocalSyncState::Synced { at_ms: 0 });
        assert_eq!(
            ReportDeadline::of(&synced, date(12, 8)),
            ReportDeadline::Reported
        );
    }
}
