//! The texts only the town hall app's pages show, in Vietnamese first and
//! English: its navigation, the town hall page, the form import, the audit
//! log, the accounts and the results. They are a table of their own, apart
//! from [`Texts`](super::Texts), because a static is linked whole: the
//! tablet app reads no text of this table, so it downloads none of them. A
//! text the tablet app shows too belongs in [`Texts`](super::Texts).
//!
//! The rules are [`Texts`](super::Texts)' own: every text is a field, a
//! text with something in it is a function of typed arguments, and each
//! language is in its own file, [`vi`] and [`en`], grouped by page in the
//! order of [`TownhallTexts`].

mod en;
mod vi;

pub use en::TOWNHALL_EN;
use thamgia_core::{Language, Localized};
pub use vi::TOWNHALL_VI;

/// The town hall app's own texts of one language, grouped by page.
#[derive(Debug)]
pub struct TownhallTexts {
    // The town hall app's navigation.
    pub nav_import: &'static str,
    pub nav_tablet_app: &'static str,
    pub nav_accounts: &'static str,
    pub nav_audit: &'static str,
    pub nav_referrals: &'static str,
    pub nav_withdrawals: &'static str,
    pub nav_refused: &'static str,

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
    /// Under a ward's consultations: at least this many different children
    /// (the survey that heard from the most), and as a share.
    pub participation_at_least_children: fn(&str) -> String,
    pub participation_at_least_share: fn(&str) -> String,
    /// Under a ward's consultations: the children consulted for the first
    /// time this year, as they said, those whose consultation is not known
    /// to be their first or not, and the first ones as a share.
    pub participation_first_time_children: fn(&str) -> String,
    pub participation_first_time_unknown: fn(&str) -> String,
    pub participation_first_time_share: fn(&str) -> String,
    /// Under a ward's consultations: the children aged 7 and over at its
    /// forums of the period.
    pub participation_forum_children: fn(&str) -> String,
    /// The whole city's line under the wards, and how many wards' children
    /// were entered, of how many.
    pub participation_city: &'static str,
    pub participation_city_wards: fn(usize, usize) -> String,
    pub sort_participation: &'static str,
    pub target_column: &'static str,
    pub no_population: &'static str,
    pub population_save: &'static str,
    pub population_saved: &'static str,
    pub population_save_failed: &'static str,

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
    pub quarantine_release: &'static str,
    pub quarantine_release_confirm: &'static str,
    pub quarantine_released: &'static str,
    pub quarantine_release_resolved: &'static str,

    // Town hall page: exports.
    pub export_title: &'static str,
    pub export_intro: &'static str,
    pub export_responses: &'static str,
    pub export_reports: &'static str,
    pub export_participation: &'static str,
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
    /// Changes the figures do not show yet, and the step k they change by.
    pub results_waiting: fn(u64, u64) -> String,
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
    /// The ethnic groups' part of the form, and what leaving one empty means.
    pub population_ethnic_title: &'static str,
    pub population_special: &'static str,
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

/// One town hall text in both languages, taken from the two tables.
pub fn townhall_both(pick: impl Fn(&'static TownhallTexts) -> &'static str) -> Localized {
    Localized::new(pick(&TOWNHALL_VI), pick(&TOWNHALL_EN))
}

/// One town hall text of both languages made by `make` (a text with a value
/// in it).
pub fn townhall_both_with(make: impl Fn(&'static TownhallTexts) -> String) -> Localized {
    Localized::new(make(&TOWNHALL_VI), make(&TOWNHALL_EN))
}

/// The town hall texts of `language`.
pub fn townhall_texts(language: Language) -> &'static TownhallTexts {
    match language {
        Language::Vi => &TOWNHALL_VI,
        Language::En => &TOWNHALL_EN,
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::{TOWNHALL_EN, TOWNHALL_VI};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn english_counts_one_thing_in_the_singular() {
        assert_eq!((TOWNHALL_EN.townhall_overdue_days)(1), "overdue by 1 day");
        assert_eq!((TOWNHALL_EN.townhall_overdue_days)(3), "overdue by 3 days");
        assert_eq!((TOWNHALL_EN.townhall_recommendation_votes)(1), "1 vote");
        assert_eq!((TOWNHALL_EN.townhall_recommendation_votes)(0), "0 votes");
        assert_eq!(
            (TOWNHALL_EN.wards_shown)(3, 126),
            "Showing 3 of 126 wards and communes"
        );
    }

    #[wasm_bindgen_test]
    fn vietnamese_counts_have_one_form() {
        assert_eq!((TOWNHALL_VI.townhall_overdue_days)(1), "quá hạn 1 ngày");
        assert_eq!((TOWNHALL_VI.townhall_overdue_days)(10), "quá hạn 10 ngày");
    }
}
