//! The user interface's words, in Vietnamese first and English.
//!
//! Every text is a field of [`Texts`], so a missing translation is a compile
//! error, not a blank on a tablet. A text with something in it (a count, a
//! date, a name) is a function of typed arguments rather than a template, so
//! a misspelt placeholder cannot compile, and English can say "1 record" and
//! "2 records" where Vietnamese has one form. The texts of each language are
//! in their own file, [`vi`] and [`en`], grouped by page in the order of
//! [`Texts`].

mod en;
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
    pub nav_home: &'static str,
    pub nav_responses: &'static str,
    pub nav_import: &'static str,
    pub nav_report: &'static str,
    pub nav_townhall: &'static str,
    pub nav_tablet_app: &'static str,
    pub nav_forums: &'static str,
    pub nav_accounts: &'static str,
    pub nav_audit: &'static str,
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

    // Home page: the ward, the surveys, the counts, the drafts, the storage.
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
    pub smiley_names: [&'static str; 5],
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

    // Import page (XLSForm).
    pub import_title: &'static str,
    pub import_intro: &'static str,
    pub import_file: &'static str,
    pub import_submit: &'static str,
    pub import_submitting: &'static str,
    pub import_choose_file: &'static str,
    pub import_offline: &'static str,
    pub import_read_failed: &'static str,
    pub import_published: &'static str,
    pub import_version: &'static str,
    pub import_published_next: &'static str,
    pub import_sheet: &'static str,
    pub import_row: &'static str,
    pub import_problem: &'static str,
    pub import_whole_file: &'static str,
    pub import_failed: &'static str,
    pub import_warnings: &'static str,
    pub import_note: &'static str,
    pub import_trim_intro: &'static str,
    pub import_trim: &'static str,

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

    // Town hall page: header and periods.
    pub townhall_title: &'static str,
    pub townhall_intro: &'static str,
    pub townhall_offline: &'static str,
    pub townhall_load_failed: &'static str,
    pub townhall_try_again_later: &'static str,
    pub period_label: &'static str,
    pub period_quarters: &'static str,
    pub period_halves: &'static str,
    pub period_years: &'static str,

    // Town hall page: participation card.
    pub participation_title: &'static str,
    pub participation_intro: &'static str,
    /// The participation target of a year, already formatted with its unit.
    pub participation_target_line: fn(i32, &str) -> String,
    pub no_target: &'static str,
    /// How many wards the search shows, of how many.
    pub wards_shown: fn(usize, usize) -> String,
    pub ward_search_label: &'static str,
    pub ward_column: &'static str,
    pub responses_column: &'static str,
    pub consulted_column: &'static str,
    /// The population column of a year.
    pub population_column: fn(i32) -> String,
    pub participation_column: &'static str,
    pub sort_participation: &'static str,
    pub target_column: &'static str,
    pub no_population: &'static str,
    pub population_save: &'static str,
    pub population_saved: &'static str,
    pub population_save_failed: &'static str,
    pub population_invalid: &'static str,

    // Town hall page: indicators card and trend card.
    pub indicators_title: &'static str,
    pub indicator_label: &'static str,
    pub unit_label: &'static str,
    pub indicator_note: &'static str,
    /// Hanoi's target for a milestone year.
    pub target_year: fn(i32) -> String,
    pub indicator_no_values: &'static str,
    /// Also list the wards without a report, with how many.
    pub show_unreported: fn(usize) -> String,
    pub value_column: &'static str,
    pub against_target_column: &'static str,
    pub status_column: &'static str,
    pub trend_column: &'static str,
    pub meets_target: &'static str,
    pub misses_target: &'static str,
    pub no_value: &'static str,
    pub no_report: &'static str,
    pub trend_show: &'static str,
    /// A ward's trend.
    pub trend_title: fn(&str) -> String,
    pub trend_intro: &'static str,
    pub trend_none: &'static str,
    pub trend_close: &'static str,

    // Town hall page: quarantine card.
    pub quarantine_title: &'static str,
    pub quarantine_intro: &'static str,
    pub quarantine_empty: &'static str,
    pub quarantine_when: &'static str,
    pub quarantine_ward: &'static str,
    pub quarantine_what: &'static str,
    pub quarantine_why: &'static str,
    pub quarantine_sent_by: &'static str,
    pub quarantine_cut: &'static str,
    pub quarantine_kind_response: &'static str,
    pub quarantine_kind_forum: &'static str,
    pub quarantine_kind_report: &'static str,
    pub quarantine_kind_feedback: &'static str,
    pub quarantine_kind_withdrawal: &'static str,

    // Town hall page: exports.
    pub export_title: &'static str,
    pub export_intro: &'static str,
    pub export_responses: &'static str,
    pub export_reports: &'static str,
    pub export_no_surveys: &'static str,
    pub townhall_export_forums: &'static str,

    // Town hall page: recommendations, answers and feedback.
    pub townhall_recommendations_title: &'static str,
    pub townhall_recommendations_intro: &'static str,
    pub townhall_recommendations_none: &'static str,
    pub townhall_recommendations_none_match: &'static str,
    /// How many recommendations the filters show, of how many.
    pub townhall_recommendations_shown: fn(usize, usize) -> String,
    pub townhall_recommendation_status: &'static str,
    pub townhall_recommendation_status_all: &'static str,
    pub townhall_only_overdue: &'static str,
    pub townhall_overdue_answers: &'static str,
    /// An answer overdue by a number of days.
    pub townhall_overdue_days: fn(i64) -> String,
    /// When and where a forum was held.
    pub townhall_forum_held: fn(&str, &str) -> String,
    /// How many children took part in a forum.
    pub townhall_forum_children: fn(u32) -> String,
    /// The forum report's due date.
    pub townhall_forum_report_due: fn(&str) -> String,
    pub townhall_recommendation_authority: &'static str,
    /// A recommendation's votes.
    pub townhall_recommendation_votes: fn(u32) -> String,
    /// The answer's due date.
    pub townhall_answer_due: fn(&str) -> String,
    pub townhall_answer_title: &'static str,
    pub townhall_answer_decision: &'static str,
    pub townhall_answer_reasons: &'static str,
    pub townhall_answer_actions: &'static str,
    pub townhall_answer_date: &'static str,
    pub townhall_answer_record: &'static str,
    pub townhall_answer_revise: &'static str,
    pub townhall_answer_cancel: &'static str,
    pub townhall_answer_save: &'static str,
    pub townhall_answer_saved: &'static str,
    pub townhall_answer_save_failed: &'static str,
    pub townhall_answer_unreachable: &'static str,
    pub townhall_answer_choose_decision: &'static str,
    pub townhall_answer_date_invalid: &'static str,
    pub townhall_feedback_title: &'static str,
    pub townhall_feedback_given_on: &'static str,
    pub townhall_feedback_channel: &'static str,
    pub townhall_feedback_note: &'static str,

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

    // Audit page.
    pub audit_title: &'static str,
    pub audit_intro: &'static str,
    pub audit_offline: &'static str,
    pub audit_load_failed: &'static str,
    pub audit_bad_date: &'static str,
    pub audit_from: &'static str,
    pub audit_to: &'static str,
    pub audit_action: &'static str,
    pub audit_all_actions: &'static str,
    pub audit_actor: &'static str,
    pub audit_ward: &'static str,
    pub audit_all_wards: &'static str,
    pub audit_apply: &'static str,
    pub audit_clear: &'static str,
    pub audit_time: &'static str,
    pub audit_role: &'static str,
    pub audit_target: &'static str,
    pub audit_detail: &'static str,
    pub audit_none: &'static str,
    pub audit_older: &'static str,
    pub audit_newest: &'static str,
    pub audit_download: &'static str,
    pub audit_no_account: &'static str,

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

    // Accounts page.
    pub accounts_title: &'static str,
    pub accounts_intro: &'static str,
    pub accounts_offline: &'static str,
    pub accounts_load_failed: &'static str,
    pub accounts_none: &'static str,
    pub accounts_username: &'static str,
    pub accounts_display_name: &'static str,
    pub accounts_role: &'static str,
    pub accounts_ward: &'static str,
    pub accounts_city_wide: &'static str,
    pub accounts_status: &'static str,
    pub accounts_active: &'static str,
    pub accounts_inactive: &'static str,
    pub accounts_devices: &'static str,
    pub accounts_no_devices: &'static str,
    pub accounts_device_created: &'static str,
    pub accounts_device_last_used: &'static str,
    pub accounts_device_never_used: &'static str,
    pub accounts_device_revoked: &'static str,
    pub accounts_revoke: &'static str,
    pub accounts_revoked_done: &'static str,
    pub accounts_actions: &'static str,
    pub accounts_deactivate: &'static str,
    pub accounts_reactivate: &'static str,
    pub accounts_new_password: &'static str,
    pub accounts_reset_password: &'static str,
    pub accounts_password_reset_done: &'static str,
    pub accounts_saved: &'static str,
    pub accounts_create_title: &'static str,
    pub accounts_password: &'static str,
    pub accounts_choose_ward: &'static str,
    pub accounts_create: &'static str,
    pub accounts_created: &'static str,
    pub accounts_busy: &'static str,

    // Results page: what children said.
    pub nav_results: &'static str,
    pub nav_referrals: &'static str,
    pub day_invalid: &'static str,
    pub referrals_open: fn(u64) -> String,
    pub referrals_view: &'static str,
    pub results_title: &'static str,
    /// How small counts are shown, for a threshold k.
    pub results_intro: fn(u64) -> String,
    pub results_survey: &'static str,
    pub results_no_surveys: &'static str,
    pub results_scope: &'static str,
    pub results_whole_city: &'static str,
    pub results_period: &'static str,
    pub results_all_time: &'static str,
    pub results_load_failed: &'static str,
    /// The children who took part (a published count, as shown).
    pub results_respondents: fn(&str) -> String,
    /// Answered, skipped, not asked (published counts, as shown).
    pub results_answer_line: fn(&str, &str, &str) -> String,
    pub results_hidden: &'static str,
    pub results_median: fn(&str) -> String,
    pub results_quartiles: fn(&str, &str) -> String,
    pub results_mean_rank: &'static str,
    pub results_ranked_first: &'static str,
    pub results_not_summarised: fn(&str) -> String,
    pub results_split: &'static str,
    pub results_split_none: &'static str,
    pub results_answer: &'static str,
    pub results_total: &'static str,
    pub results_download_xlsx: &'static str,
    pub results_download_csv: &'static str,
    pub results_who_took_part: &'static str,
    pub results_who_took_part_note: &'static str,
    pub results_print: &'static str,
    pub results_print_title: &'static str,
    /// The hatched part of a stacked bar: counts withheld.
    pub results_withheld_part: &'static str,
    /// A split's chart, for screen readers: the dimension split by.
    pub results_chart_shares: fn(&str) -> String,
    pub results_compare: &'static str,
    pub results_compare_none: &'static str,
    pub results_compare_wards: &'static str,
    pub results_compare_periods: &'static str,
    /// Two scopes side by side: the first, the second.
    pub results_compare_title: fn(&str, &str) -> String,
    pub results_compare_note: &'static str,
    /// A question whose answers cannot be set side by side (free text,
    /// numbers, several answers each).
    pub results_compare_not_comparable: &'static str,
    pub heard_title: &'static str,
    /// A face scale's "I don't know / I'd rather not say".
    pub face_dont_know: &'static str,
    /// How a group comes to be marked: the ratio as a percentage.
    pub heard_note: fn(&str) -> String,
    pub heard_none: &'static str,
    pub heard_group: &'static str,
    pub heard_share_heard: &'static str,
    pub heard_share_population: &'static str,
    pub heard_standing: &'static str,
    pub heard_under: &'static str,
    pub heard_fair: &'static str,
    pub heard_unknown: &'static str,
    /// The years of the population compared.
    pub heard_years: fn(&str) -> String,
    /// The form's title: the year entered.
    pub population_form_title: fn(i32) -> String,
    pub population_girls: &'static str,
    pub population_boys: &'static str,
    pub population_disability: &'static str,
    pub population_groups_save: &'static str,
    pub population_groups_saved: &'static str,
    pub population_not_a_number: &'static str,
    // Free-text answers and their themes.
    pub themes_title: &'static str,
    pub themes_intro: &'static str,
    pub themes_untagged: &'static str,
    pub themes_none_yet: &'static str,
    pub themes_new_label: &'static str,
    pub themes_new: &'static str,
    pub themes_tag: &'static str,
    pub themes_untag: &'static str,
    pub themes_save_failed: &'static str,
    pub themes_split_theme: &'static str,
    pub themes_delete: &'static str,
    /// Whether to delete the theme named, with its tags.
    pub themes_delete_confirm: fn(&str) -> String,
    pub answers_search: &'static str,
    pub answers_all_themes: &'static str,
    /// How many answers match a search.
    pub answers_matching: fn(u64) -> String,
    pub answers_newer: &'static str,
    pub answers_older: &'static str,
    pub dimension_age_band: &'static str,
    pub dimension_sex: &'static str,
    pub dimension_disability: &'static str,
    pub dimension_ethnic_group: &'static str,
    pub dimension_special_circumstances: &'static str,
    pub dimension_ward: &'static str,
    pub dimension_month: &'static str,
}

/// One text in both languages, taken from the two tables.
pub fn both(pick: impl Fn(&'static Texts) -> &'static str) -> thamgia_core::Localized {
    thamgia_core::Localized::new(pick(&VI), pick(&EN))
}

/// One text of both languages made by `make` (a text with a value in it).
pub fn both_with(make: impl Fn(&'static Texts) -> String) -> thamgia_core::Localized {
    thamgia_core::Localized::new(make(&VI), make(&EN))
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
        assert_eq!((EN.townhall_overdue_days)(1), "overdue by 1 day");
        assert_eq!((EN.townhall_overdue_days)(3), "overdue by 3 days");
        assert_eq!((EN.forum_children)(1), "1 child");
        assert_eq!((EN.forum_children)(24), "24 children");
        assert_eq!((EN.townhall_recommendation_votes)(1), "1 vote");
        assert_eq!((EN.townhall_recommendation_votes)(0), "0 votes");
        assert_eq!(
            (EN.forum_due_days_left)("01/11/2026", 1),
            "Report to the city by 01/11/2026 (1 day left)"
        );
        assert_eq!(
            (EN.wards_shown)(3, 126),
            "Showing 3 of 126 wards and communes"
        );
        assert!((EN.sign_out_confirm)(Some(1)).starts_with("1 record has not been sent"));
        assert!((EN.sign_out_confirm)(Some(2)).starts_with("2 records have not been sent"));
        assert!((EN.sign_out_confirm)(None).starts_with("? records have not been sent"));
    }

    #[wasm_bindgen_test]
    fn vietnamese_counts_have_one_form() {
        assert_eq!((VI.townhall_overdue_days)(1), "quá hạn 1 ngày");
        assert_eq!((VI.townhall_overdue_days)(10), "quá hạn 10 ngày");
        assert_eq!((VI.forum_children)(1), "1 trẻ em");
        assert!((VI.sign_out_confirm)(Some(1)).starts_with("Còn 1 bản ghi chưa gửi"));
        assert!((VI.sign_out_confirm)(None).starts_with("Còn ? bản ghi chưa gửi"));
    }
}
