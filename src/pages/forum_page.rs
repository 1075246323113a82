//! `/forum/:id`: one children's forum (Circular 29/2019).
//!
//! A draft is recorded here: level, date, place, facilitators, adult
//! supporters, parental consents, the children as counts by age band and
//! sex, topics with the opinions voiced (an optional face, votes), and the
//! recommendations to named authorities. Every change is saved on the tablet
//! at once; the Circular 29 checks are shown as they change, as warnings
//! that never block. "Submit" lists what is missing, or queues the forum for
//! the town hall and syncs.
//!
//! A submitted forum is read-only. Each recommendation shows where it is,
//! the authority's answer once it came by pull, and then a small form to
//! record the feedback given back to the children.
//!
//! This file holds the page, the draft's [`Editor`] and the helpers its
//! pieces share; each piece is a component of its own in `forum_page/`.

mod feedback_form;
mod forum_editor;
mod forum_summary;
mod opinion_editor;
mod participant_grid;
mod recommendation_editor;
mod topic_editor;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use thamgia_core::forum::{
    FeedbackChannel, Forum, Opinion, ParticipantCount, Recommendation, Topic,
};
use thamgia_core::{AgeBand, Sex};
use uuid::Uuid;

use crate::components::loaded::Loaded;
use crate::hooks::use_autosave::UseAutosaveReturn;
use crate::platform;
use crate::state::{use_app, AppState};
use forum_editor::ForumEditor;
use forum_summary::ForumSummary;

/// The rows of the participant grid: the bands Circular 29 forums are for,
/// then the youngest.
const BANDS: [AgeBand; 4] = [
    AgeBand::From7To9,
    AgeBand::From10To12,
    AgeBand::From13To15,
    AgeBand::Under7,
];

/// The page: reads the forum once, then edits the draft or shows the
/// submitted forum (at once after submitting it here).
#[component]
pub fn ForumPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    // Bumped when the draft was submitted here, to read it again.
    let submitted = RwSignal::new(0_u32);
    // Read once per id (and after submitting): the draft editor is the only
    // writer of its draft, and the summary rereads by itself when records
    // change.
    let loaded = LocalResource::new(move || {
        submitted.track();
        let id = params
            .read()
            .get("id")
            .and_then(|text| Uuid::parse_str(&text).ok());
        let store = app.store();
        async move {
            match id {
                None => Ok(None),
                Some(id) => store.forum(id).await.map_err(|error| error.message()),
            }
        }
    });
    view! {
        <Loaded resource=loaded let:found>
            {match found {
                None => view! {
                    <p class="notice notice--error" data-test="forum-not-found">{app.texts().forum_not_found}</p>
                    <a class="btn btn-secondary" href="/forums">{app.texts().forum_back}</a>
                }
                .into_any(),
                Some(stored) if stored.is_draft() => {
                    let on_submitted = Callback::new(move |()| submitted.update(|count| *count += 1));
                    view! { <ForumEditor forum=stored.forum on_submitted/> }.into_any()
                }
                Some(stored) => view! { <ForumSummary initial=stored/> }.into_any(),
            }}
        </Loaded>
    }
}

/// What the draft editor's pieces share. `Copy`: every field is a handle.
#[derive(Clone, Copy)]
struct Editor {
    app: AppState,
    forum: RwSignal<Forum>,
    autosave: UseAutosaveReturn,
}

impl Editor {
    /// Saves the draft (see [`use_autosave`]).
    fn save(self) {
        self.autosave.save();
    }

    /// Changes the draft and saves it.
    fn update(self, change: impl FnOnce(&mut Forum)) {
        self.forum.update(|forum| {
            change(forum);
            forum.updated_at = platform::now();
        });
        self.save();
    }

    /// Changes one topic, if it is still there, and saves.
    fn update_topic(self, topic_id: Uuid, change: impl FnOnce(&mut Topic)) {
        self.update(|forum| {
            if let Some(topic) = forum.topics.iter_mut().find(|topic| topic.id == topic_id) {
                change(topic);
            }
        });
    }

    /// Changes one opinion, if it is still there, and saves.
    fn update_opinion(self, topic_id: Uuid, opinion_id: Uuid, change: impl FnOnce(&mut Opinion)) {
        self.update_topic(topic_id, |topic| {
            if let Some(opinion) = topic
                .opinions
                .iter_mut()
                .find(|opinion| opinion.id == opinion_id)
            {
                change(opinion);
            }
        });
    }

    /// Changes one recommendation, if it is still there, and saves.
    fn update_recommendation(
        self,
        recommendation_id: Uuid,
        change: impl FnOnce(&mut Recommendation),
    ) {
        self.update(|forum| {
            if let Some(recommendation) = forum
                .recommendations
                .iter_mut()
                .find(|recommendation| recommendation.id == recommendation_id)
            {
                change(recommendation);
            }
        });
    }
}

/// Asks before removing something that holds what was typed; an empty row
/// goes without asking.
fn confirm_removal(app: AppState, has_content: bool) -> bool {
    !has_content
        || window()
            .confirm_with_message(app.texts().forum_remove_confirm)
            .unwrap_or(false)
}

/// The forum as it is sent: opinions left empty and topics with neither a
/// title nor an opinion are dropped, so the town hall gets no blank rows.
fn without_empty_rows(mut forum: Forum) -> Forum {
    for topic in &mut forum.topics {
        topic
            .opinions
            .retain(|opinion| !opinion.text.trim().is_empty());
    }
    forum
        .topics
        .retain(|topic| !topic.title.trim().is_empty() || !topic.opinions.is_empty());
    forum
}

/// Reads a typed count: `Some(None)` for an empty box, `Some(Some(n))` for
/// a whole number from 0, `None` for anything else.
fn parse_count(text: &str) -> Option<Option<u32>> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Some(None);
    }
    trimmed.parse::<u32>().ok().map(Some)
}

/// The children counted in one cell of the grid; `None` when nothing was
/// entered there.
fn count_of(participants: &[ParticipantCount], age_band: AgeBand, sex: Sex) -> Option<u32> {
    participants
        .iter()
        .find(|count| count.age_band == age_band && count.sex == sex)
        .map(|count| count.count)
}

/// Sets one cell of the grid; an emptied cell is removed.
fn set_count(forum: &mut Forum, age_band: AgeBand, sex: Sex, count: Option<u32>) {
    let existing = forum
        .participants
        .iter()
        .position(|entry| entry.age_band == age_band && entry.sex == sex);
    match (existing, count) {
        (Some(index), Some(count)) => forum.participants[index].count = count,
        (Some(index), None) => {
            forum.participants.remove(index);
        }
        (None, Some(count)) => forum.participants.push(ParticipantCount {
            age_band,
            sex,
            count,
        }),
        (None, None) => {}
    }
}

/// The band's name in `data-test`, as serde writes it ("10-12").
fn band_key(age_band: AgeBand) -> &'static str {
    match age_band {
        AgeBand::Under7 => "0-6",
        AgeBand::From7To9 => "7-9",
        AgeBand::From10To12 => "10-12",
        AgeBand::From13To15 => "13-15",
    }
}

/// The sex's name in `data-test`, as serde writes it ("not_stated").
fn sex_key(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "female",
        Sex::Male => "male",
        Sex::NotStated => "not_stated",
    }
}

/// The channel's name in `data-test`, as serde writes it.
fn channel_key(channel: FeedbackChannel) -> &'static str {
    match channel {
        FeedbackChannel::Meeting => "meeting",
        FeedbackChannel::School => "school",
        FeedbackChannel::Notice => "notice",
        FeedbackChannel::Online => "online",
        FeedbackChannel::Other => "other",
    }
}

/// A column heading of the grid.
fn sex_heading(app: AppState, sex: Sex) -> &'static str {
    let texts = app.texts();
    match sex {
        Sex::Female => texts.forum_girls,
        Sex::Male => texts.forum_boys,
        Sex::NotStated => texts.forum_not_stated,
    }
}

/// A number shown in a box: empty for nothing (or zero where zero is the
/// default), so the hint shows.
fn count_text(count: Option<u32>) -> String {
    count.map(|count| count.to_string()).unwrap_or_default()
}

/// A box for a whole number of children, adults, consents or votes.
///
/// The box keeps what was typed: the draft has no other writer while it is
/// open, so nothing needs to be written back into it. What is not a whole
/// number is kept in the box with a message, and not saved.
fn count_input(
    app: AppState,
    test: String,
    label: String,
    initial: String,
    on_change: Callback<Option<u32>>,
) -> impl IntoView {
    let invalid = RwSignal::new(false);
    view! {
        <span class="count-input">
            <input
                type="number"
                min="0"
                step="1"
                inputmode="numeric"
                placeholder="0"
                data-test=test
                aria-label=label
                aria-invalid=move || invalid.get().to_string()
                prop:value=initial
                on:input=move |event| match parse_count(&event_target_value(&event)) {
                    Some(count) => {
                        invalid.set(false);
                        on_change.run(count);
                    }
                    None => invalid.set(true),
                }
            />
            <Show when=move || invalid.get()>
                <span class="field-error" role="alert">{move || app.texts().population_invalid}</span>
            </Show>
        </span>
    }
}

/// The name of a face from 1 to 5.
fn face_name(app: AppState, face: u8) -> &'static str {
    let names = app.texts().smiley_names;
    names[usize::from(face.clamp(1, 5) - 1)]
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, Utc};
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn empty_forum() -> Forum {
        Forum::new(
            Uuid::from_u128(1),
            "00004",
            NaiveDate::from_ymd_opt(2026, 11, 20).expect("a valid date"),
            DateTime::<Utc>::default(),
        )
    }

    #[wasm_bindgen_test]
    fn counts_are_whole_numbers_and_an_empty_box_clears_the_cell() {
        assert_eq!(parse_count(" 12 "), Some(Some(12)));
        assert_eq!(parse_count(""), Some(None));
        assert_eq!(parse_count("-3"), None);
        assert_eq!(parse_count("2.5"), None);
        assert_eq!(parse_count("mười"), None);

        let mut forum = empty_forum();
        set_count(&mut forum, AgeBand::From10To12, Sex::Female, Some(12));
        set_count(&mut forum, AgeBand::From13To15, Sex::Male, Some(9));
        set_count(&mut forum, AgeBand::From10To12, Sex::Female, Some(14));
        assert_eq!(forum.children(), 23);
        assert_eq!(
            count_of(&forum.participants, AgeBand::From10To12, Sex::Female),
            Some(14)
        );
        set_count(&mut forum, AgeBand::From10To12, Sex::Female, None);
        assert_eq!(
            count_of(&forum.participants, AgeBand::From10To12, Sex::Female),
            None
        );
        assert_eq!(forum.participants.len(), 1);
    }

    #[wasm_bindgen_test]
    fn test_names_follow_the_wire_names() {
        for band in AgeBand::ALL {
            assert_eq!(
                serde_json::to_value(band).expect("serialise"),
                serde_json::Value::from(band_key(band))
            );
        }
        for sex in Sex::ALL {
            assert_eq!(
                serde_json::to_value(sex).expect("serialise"),
                serde_json::Value::from(sex_key(sex))
            );
        }
        for channel in FeedbackChannel::ALL {
            assert_eq!(
                serde_json::to_value(channel).expect("serialise"),
                serde_json::Value::from(channel_key(channel))
            );
        }
    }

    #[wasm_bindgen_test]
    fn empty_opinions_and_topics_are_not_sent() {
        let mut forum = empty_forum();
        let opinion = |text: &str| Opinion {
            id: Uuid::from_u128(text.len() as u128 + 10),
            text: text.to_owned(),
            smiley: None,
            votes: 0,
        };
        forum.topics = vec![
            Topic {
                id: Uuid::from_u128(2),
                title: "Sân chơi".to_owned(),
                opinions: vec![opinion("Cần thêm xích đu"), opinion("  ")],
            },
            Topic {
                id: Uuid::from_u128(3),
                title: " ".to_owned(),
                opinions: vec![opinion("")],
            },
            Topic {
                id: Uuid::from_u128(4),
                title: String::new(),
                opinions: vec![opinion("Đường tối")],
            },
        ];
        let sent = without_empty_rows(forum);
        assert_eq!(
            sent.topics
                .iter()
                .map(|topic| (topic.id.as_u128(), topic.opinions.len()))
                .collect::<Vec<_>>(),
            vec![(2, 1), (4, 1)]
        );
    }
}
