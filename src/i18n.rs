//! The user interface's words, in Vietnamese first and English.
//!
//! Every text is a field of [`Texts`], so a missing translation is a compile
//! error, not a blank on a tablet. A text with something in it (a count, a
//! date, a name) is a function of typed arguments rather than a template, so
//! a misspelt placeholder cannot compile, and English can say "1 record" and
//! "2 records" where Vietnamese has one form. The texts of each language are
//! in their own file, [`vi`] and [`en`], grouped by page in the order of
//! [`Texts`].
//!
//! The texts only the town hall app's pages show are in a table of their
//! own, [`townhall::TownhallTexts`]: a static is linked whole, every text
//! in it, wherever one of its texts is read, so the tablet app, which never
//! reads that table, does not download them. A text both apps show stays
//! in [`Texts`].

mod en;
pub mod townhall;
mod vi;

pub use en::EN;
use thamgia_core::Language;
pub use vi::VI;

/// All user-interface texts of one language, grouped by page.
#[derive(Debug)]
pub struct Texts {
    // The whole app: name, navigation, language, shared words.
    pub app_name: &'static str,
    pub tagline: &'static str,
    /// Signed in, while the rest of the app arrives (`crate::rest`).
    pub rest_loading: &'static str,
    pub nav_home: &'static str,
    pub nav_responses: &'static str,
    pub nav_report: &'static str,
    pub nav_townhall: &'static str,
    pub nav_forums: &'static str,
    pub nav_results: &'static str,
    pub language_name: &'static str,
    pub loading: &'static str,
    /// The button that reads again what failed to load.
    pub retry: &'static str,
    pub not_found: &'static str,
    pub back_home: &'static str,
    pub back: &'static str,
    pub next: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub edit: &'static str,
    pub storage_failed_title: &'static str,
    pub population_invalid: &'static str,

    // Home page: the ward, the surveys, the counts, the drafts, the storage,
    // the referrals waiting.
    pub ward_title: &'static str,
    pub ward_intro: &'static str,
    pub ward_search: &'static str,
    pub ward_change: &'static str,
    pub ward_loading: &'static str,
    pub ward_load_failed: &'static str,
    pub ward_current: &'static str,
    pub surveys_title: &'static str,
    pub surveys_none: &'static str,
    pub survey_start: &'static str,
    pub survey_questions: &'static str,
    pub counts_title: &'static str,
    pub count_drafts: &'static str,
    pub count_waiting: &'static str,
    pub count_synced: &'static str,
    pub count_problems: &'static str,
    pub drafts_title: &'static str,
    pub draft_resume: &'static str,
    pub storage_ask: &'static str,
    pub storage_used: &'static str,
    pub storage_persisted: &'static str,
    pub storage_not_persisted: &'static str,
    pub storage_unknown: &'static str,
    pub referrals_open: fn(u64) -> String,
    pub referrals_view: &'static str,
    /// Records of other accounts on this tablet not sent yet: how many,
    /// and whose ("lan: 3, minh: 1").
    pub other_accounts_unsent: fn(u64, &str) -> String,

    // Sync bar.
    pub sync_now: &'static str,
    pub sync_idle: &'static str,
    pub sync_sending: &'static str,
    pub sync_receiving: &'static str,
    pub sync_waiting_retry: &'static str,
    pub sync_offline: &'static str,
    pub sync_last_success: &'static str,
    pub sync_never: &'static str,
    pub sync_next_retry: &'static str,

    // Fill page: the child, consent, the questions, the review.
    pub participant_title: &'static str,
    pub participant_intro: &'static str,
    pub age_band: &'static str,
    pub sex: &'static str,
    /// Whether the child was already consulted by a survey this year.
    pub heard_before: &'static str,
    pub ethnic_group: &'static str,
    pub disability: &'static str,
    pub special_circumstances: &'static str,
    pub more_about_child: &'static str,
    pub consent_title: &'static str,
    pub consent_child: &'static str,
    pub consent_guardian: &'static str,
    pub consent_not_given: &'static str,
    pub questions_title: &'static str,
    pub required: &'static str,
    pub clear_answer: &'static str,
    /// Above a question's guidance for the worker (XLSForm's `guidance_hint`).
    pub worker_guidance: &'static str,
    /// The one button of an acknowledge question.
    pub acknowledge: &'static str,
    pub number_invalid: &'static str,
    pub day_invalid: &'static str,
    pub smiley_names: [&'static str; 5],
    /// A face scale's "I don't know / I'd rather not say".
    pub face_dont_know: &'static str,
    pub keep_order: &'static str,
    pub add_instance: &'static str,
    pub remove_instance: &'static str,
    pub remove_instance_confirm: &'static str,
    /// Which step of how many the child is on.
    pub step_of: fn(usize, usize) -> String,
    pub fix_before_next: &'static str,
    pub form_cannot_run: &'static str,
    /// The picker of a form's language (when it has more than ours).
    pub form_language: &'static str,
    /// Its first option: the form in the app's own language.
    pub form_language_app: &'static str,
    pub correction_of: &'static str,
    pub saved: &'static str,
    pub saving: &'static str,
    pub save_failed: &'static str,
    pub review_title: &'static str,
    pub review_intro: &'static str,
    pub not_answered: &'static str,
    pub complete: &'static str,
    pub complete_fix: &'static str,
    pub completed_notice: &'static str,
    pub review_participant: &'static str,
    pub completed_sent_notice: &'static str,
    pub close_notice: &'static str,
    pub completed_readonly: &'static str,
    pub discard: &'static str,
    pub discard_confirm: &'static str,

    // Responses page: states, corrections, withdrawals.
    pub responses_title: &'static str,
    pub responses_none: &'static str,
    /// The button under the list that shows the next page of responses.
    pub responses_more: &'static str,
    pub state_draft: &'static str,
    pub state_waiting: &'static str,
    pub state_synced: &'static str,
    pub state_rejected: &'static str,
    pub state_conflict: &'static str,
    pub state_withdrawn: &'static str,
    pub withdrawal_waiting: &'static str,
    pub correct_action: &'static str,
    pub withdraw_action: &'static str,
    pub withdraw_confirm: &'static str,
    pub withdrawn_notice: &'static str,
    pub corrects_label: &'static str,
    /// Before a completed response's reference (`thamgia_core::response::reference`).
    pub reference_label: &'static str,
    /// Before the reference in the notice of a completion: the worker gives it to the family.
    pub reference_for_family: &'static str,

    // Ward report page.
    pub report_title: &'static str,
    pub report_intro: &'static str,
    pub report_choose_ward: &'static str,
    pub report_author: &'static str,
    pub report_author_hint: &'static str,
    pub report_period: &'static str,
    pub report_status: &'static str,
    /// The status asked for, waiting for the city.
    pub report_pending: fn(&str) -> String,
    pub report_approval_pending: &'static str,
    pub report_locked: &'static str,
    pub report_group: &'static str,
    pub report_progress_label: &'static str,
    pub report_unit: &'static str,
    /// Hanoi's target of a year and its value.
    pub report_target: fn(i32, f64) -> String,
    /// Beside indicator 4.1: what the town hall holds of the ward, or that
    /// it shows once online.
    pub report_participation_from_townhall: &'static str,
    pub report_participation_offline: &'static str,
    /// No target for a year.
    pub report_no_target: fn(i32) -> String,
    pub report_value: &'static str,
    pub report_note: &'static str,
    pub report_evidence: &'static str,
    pub report_number_invalid: &'static str,
    /// A value that lost a merge: its author, the time and the value.
    pub report_conflict: fn(&str, &str, &str) -> String,
    pub report_unknown_author: &'static str,
    pub report_cleared: &'static str,
    pub report_narrative: &'static str,
    pub report_narrative_hint: &'static str,
    pub report_submit: &'static str,
    pub report_send_back: &'static str,
    pub report_approve: &'static str,
    pub report_officer_actions: &'static str,
    pub report_rejected: &'static str,
    pub report_dismiss: &'static str,
    pub report_catalogue_failed: &'static str,

    // Forums page: the list and deadlines.
    pub forums_title: &'static str,
    pub forums_intro: &'static str,
    pub forums_none: &'static str,
    pub forum_new: &'static str,
    pub forum_choose_ward: &'static str,
    /// How many children took part.
    pub forum_children: fn(u32) -> String,
    pub forum_no_place: &'static str,
    pub forum_at_townhall: &'static str,
    /// The report deadline and the days left.
    pub forum_due_days_left: fn(&str, i64) -> String,
    /// The report deadline is today.
    pub forum_due_today: fn(&str) -> String,
    /// The report deadline and the days it is overdue by.
    pub forum_due_overdue: fn(&str, i64) -> String,
    /// Reported to the city, with the deadline it met.
    pub forum_reported: fn(&str) -> String,
    /// No answer yet, overdue since a date.
    pub forum_answer_overdue: fn(&str) -> String,

    // Forum page: the record, its recommendations, answers and feedback.
    pub forum_record_title: &'static str,
    pub forum_back: &'static str,
    pub forum_not_found: &'static str,
    pub forum_level: &'static str,
    pub forum_date: &'static str,
    pub forum_place: &'static str,
    pub forum_facilitators: &'static str,
    pub forum_adults: &'static str,
    pub forum_consents: &'static str,
    pub forum_participants: &'static str,
    pub forum_participants_hint: &'static str,
    pub forum_girls: &'static str,
    pub forum_boys: &'static str,
    pub forum_not_stated: &'static str,
    pub forum_total: &'static str,
    pub forum_warnings_title: &'static str,
    pub forum_topics: &'static str,
    pub forum_topic_title: &'static str,
    pub forum_add_topic: &'static str,
    pub forum_remove_topic: &'static str,
    pub forum_opinion: &'static str,
    pub forum_add_opinion: &'static str,
    pub forum_remove_opinion: &'static str,
    pub forum_votes: &'static str,
    pub forum_smiley: &'static str,
    pub forum_no_smiley: &'static str,
    pub forum_recommendations: &'static str,
    pub forum_recommendation_text: &'static str,
    pub forum_authority: &'static str,
    pub forum_authority_hint: &'static str,
    pub forum_add_recommendation: &'static str,
    pub forum_remove_recommendation: &'static str,
    pub forum_remove_confirm: &'static str,
    pub forum_none_yet: &'static str,
    pub forum_submit: &'static str,
    pub forum_submit_fix: &'static str,
    pub forum_submitted_notice: &'static str,
    pub forum_discard: &'static str,
    pub forum_discard_confirm: &'static str,
    pub forum_readonly: &'static str,
    pub forum_answer: &'static str,
    pub forum_answered_on: &'static str,
    pub forum_reasons: &'static str,
    pub forum_actions: &'static str,
    pub forum_feedback_title: &'static str,
    pub forum_feedback_intro: &'static str,
    pub forum_feedback_date: &'static str,
    pub forum_feedback_channel: &'static str,
    pub forum_feedback_note: &'static str,
    pub forum_feedback_record: &'static str,
    pub forum_feedback_choose: &'static str,
    /// When and how the children were told.
    pub forum_feedback_given: fn(&str, &str) -> String,

    // Sign-in page and account bar.
    pub login_title: &'static str,
    pub login_intro: &'static str,
    pub login_username: &'static str,
    pub login_password: &'static str,
    pub login_device: &'static str,
    pub login_device_hint: &'static str,
    pub login_device_default: &'static str,
    pub login_submit: &'static str,
    pub login_busy: &'static str,
    pub login_missing: &'static str,
    pub login_offline: &'static str,
    pub login_unreachable: &'static str,
    pub login_failed: &'static str,
    pub login_back: &'static str,
    pub login_again_intro: &'static str,
    pub signed_in_as: &'static str,
    pub sign_out: &'static str,
    /// Whether to sign out with records not sent yet; `None` when the count is unknown.
    pub sign_out_confirm: fn(Option<u64>) -> String,
    pub sign_out_failed: &'static str,
    pub session_ended_text: &'static str,
    pub session_ended_sign_in: &'static str,
    pub role_forbidden: &'static str,
    pub ward_from_account: &'static str,
}

/// One text in both languages, taken from the two tables.
pub fn both(pick: impl Fn(&'static Texts) -> &'static str) -> thamgia_core::Localized {
    thamgia_core::Localized::new(pick(&VI), pick(&EN))
}

/// The texts of `language`.
pub fn texts(language: Language) -> &'static Texts {
    match language {
        Language::Vi => &VI,
        Language::En => &EN,
    }
}

/// A count that may be unknown, as the texts show it: "?" when unknown.
fn count_or_unknown(count: Option<u64>) -> String {
    count.map_or_else(|| "?".to_owned(), |count| count.to_string())
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::{EN, VI};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn english_counts_one_thing_in_the_singular() {
        assert_eq!((EN.forum_children)(1), "1 child");
        assert_eq!((EN.forum_children)(24), "24 children");
        assert_eq!(
            (EN.forum_due_days_left)("01/11/2026", 1),
            "Report to the city by 01/11/2026 (1 day left)"
        );
        assert!((EN.sign_out_confirm)(Some(1)).starts_with("1 record has not been sent"));
        assert!((EN.sign_out_confirm)(Some(2)).starts_with("2 records have not been sent"));
        assert!((EN.sign_out_confirm)(None).starts_with("? records have not been sent"));
    }

    #[wasm_bindgen_test]
    fn vietnamese_counts_have_one_form() {
        assert_eq!((VI.forum_children)(1), "1 trẻ em");
        assert!((VI.sign_out_confirm)(Some(1)).starts_with("Còn 1 bản ghi chưa gửi"));
        assert!((VI.sign_out_confirm)(None).starts_with("Còn ? bản ghi chưa gửi"));
    }
}
