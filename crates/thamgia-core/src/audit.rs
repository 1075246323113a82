//! The audit log: who did what with children's data, and when.
//!
//! Decree 13/2023/NĐ-CP on the protection of personal data expects the
//! processing of personal data to be logged. The server appends one
//! [`AuditEntry`] for every sign-in (and failure), account and device
//! change, survey import, export, withdrawal of consent, report status
//! change, answer to a children's recommendation, change of targets or
//! child population, and change of a survey's themes or of the themes an
//! answer is tagged with; entries are never changed or deleted.
//!
//! An entry says who acted (the account, or the name typed at a failed
//! sign-in, cut to [`MAX_ACTOR_CHARS`]), what was done ([`AuditAction`]),
//! which ward it concerns, and its target: the id or name of a thing (an
//! account, a device, a survey, a response id, a report id, an export). Its
//! detail is a short note of codes and counts (`role=collector`, `rows=42`).
//! It never holds a child's answers or anything a child wrote: the server
//! builds every entry from ids, codes and numbers, and bounds every text
//! ([`AuditEvent::bounded`]).
//!
//! City officers read the log through [`AuditQuery`] filters (a period of
//! days in Hanoi's time, an action, an actor, a ward), a page at a time,
//! newest first, and download the same selection as CSV.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::account::{AccountInfo, Role, MAX_USERNAME_CHARS};
use crate::localized::Localized;

/// Longest actor kept: a user name, or the prefix of a name typed at a
/// failed sign-in.
pub const MAX_ACTOR_CHARS: usize = MAX_USERNAME_CHARS;
/// Longest target kept (an id, a user name, a survey key, an export name).
pub const MAX_TARGET_CHARS: usize = 160;
/// Longest detail kept (codes and counts).
pub const MAX_DETAIL_CHARS: usize = 200;
/// Longest ward code kept or asked for.
pub const MAX_WARD_CHARS: usize = 16;
/// Entries in a page when the query names no limit.
pub const DEFAULT_AUDIT_PAGE: u32 = 100;
/// Most entries in one page.
pub const MAX_AUDIT_PAGE: u32 = 500;
/// Most entries in one CSV export; a longer selection is narrowed by period.
pub const MAX_AUDIT_EXPORT_ROWS: u32 = 50_000;
/// Hanoi's offset from UTC, in hours (Vietnam keeps no daylight saving):
/// the days of a query's period and the times shown are Hanoi's.
pub const CITY_UTC_OFFSET_HOURS: i32 = 7;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// An account signed in on a device (the target is the device).
    SignIn,
    /// A sign-in was refused (wrong name or password, or inactive account).
    SignInFailed,
    /// A user name was locked after repeated failed sign-ins.
    SignInLocked,
    /// A device signed out.
    SignOut,
    /// A city officer created an account.
    AccountCreated,
    /// A city officer changed an account's name, role or ward.
    AccountChanged,
    /// A city officer set a new password for an account.
    PasswordReset,
    /// A city officer deactivated an account.
    AccountDeactivated,
    /// A city officer reactivated an account.
    AccountReactivated,
    /// A city officer revoked a device's token.
    DeviceRevoked,
    /// A city officer imported an XLSForm and published a survey version.
    SurveyImported,
    /// The responses of a survey were downloaded as CSV.
    ExportResponses,
    /// The ward reports of a period were downloaded as CSV.
    ExportReports,
    /// The participation of every ward in a period was downloaded as CSV.
    ExportParticipation,
    /// The children's forums were downloaded as CSV.
    ExportForums,
    /// The audit log itself was downloaded as CSV.
    ExportAudit,
    /// A survey's results were downloaded (XLSX or CSV).
    ExportResults,
    /// Consent was withdrawn at the town hall (a guardian asked the ward).
    ConsentWithdrawn,
    /// A tablet sent the withdrawal of a response's consent.
    ResponseWithdrawn,
    /// An officer accepted a record the server had refused and kept aside
    /// (a response sent by an account that could not reach its ward).
    RecordReleased,
    /// A ward report was submitted, sent back or approved (by a push).
    ReportStatusChanged,
    /// An authority's answer to a children's recommendation was recorded.
    RecommendationAnswered,
    /// A city officer replaced an indicator's targets.
    TargetsChanged,
    /// A city officer entered a ward's number of children aged 7 to 15.
    PopulationChanged,
    /// An officer added a theme to a survey's codebook.
    ThemeCreated,
    /// An officer renamed a theme.
    ThemeRenamed,
    /// An officer deleted a theme (and its tags).
    ThemeDeleted,
    /// An officer tagged a child's answer with a theme.
    AnswerTagged,
    /// An officer took a theme off a child's answer.
    AnswerUntagged,
    /// A ward officer marked a referral after a possible disclosure as
    /// followed up.
    ReferralFollowedUp,
}

impl AuditAction {
    /// Every action, in the order a filter lists them.
    pub const ALL: [AuditAction; 30] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignInLocked,
        AuditAction::SignOut,
        AuditAction::AccountCreated,
        AuditAction::AccountChanged,
        AuditAction::PasswordReset,
        AuditAction::AccountDeactivated,
        AuditAction::AccountReactivated,
        AuditAction::DeviceRevoked,
        AuditAction::SurveyImported,
        AuditAction::ExportResponses,
        AuditAction::ExportReports,
        AuditAction::ExportParticipation,
        AuditAction::ExportForums,
        AuditAction::ExportAudit,
        AuditAction::ExportResults,
        AuditAction::ConsentWithdrawn,
        AuditAction::ResponseWithdrawn,
        AuditAction::RecordReleased,
        AuditAction::ReportStatusChanged,
        AuditAction::RecommendationAnswered,
        AuditAction::TargetsChanged,
        AuditAction::PopulationChanged,
        AuditAction::ThemeCreated,
        AuditAction::ThemeRenamed,
        AuditAction::ThemeDeleted,
        AuditAction::AnswerTagged,
        AuditAction::AnswerUntagged,
        AuditAction::ReferralFollowedUp,
    ];

    /// The wire and stored code (`sign_in`, `export_audit`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::SignInLocked => "sign_in_locked",
            AuditAction::SignOut => "sign_out",
            AuditAction::AccountCreated => "account_created",
            AuditAction::AccountChanged => "account_changed",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::AccountDeactivated => "account_deactivated",
            AuditAction::AccountReactivated => "account_reactivated",
            AuditAction::DeviceRevoked => "device_revoked",
            AuditAction::SurveyImported => "survey_imported",
            AuditAction::ExportResponses => "export_responses",
            AuditAction::ExportReports => "export_reports",
            AuditAction::ExportParticipation => "export_participation",
            AuditAction::ExportForums => "export_forums",
            AuditAction::ExportAudit => "export_audit",
            AuditAction::ExportResults => "export_results",
            AuditAction::ConsentWithdrawn => "consent_withdrawn",
            AuditAction::ResponseWithdrawn => "response_withdrawn",
            AuditAction::RecordReleased => "record_released",
            AuditAction::ReportStatusChanged => "report_status_changed",
            AuditAction::RecommendationAnswered => "recommendation_answered",
            AuditAction::TargetsChanged => "targets_changed",
            AuditAction::PopulationChanged => "population_changed",
            AuditAction::ThemeCreated => "theme_created",
            AuditAction::ThemeRenamed => "theme_renamed",
            AuditAction::ThemeDeleted => "theme_deleted",
            AuditAction::AnswerTagged => "answer_tagged",
            AuditAction::AnswerUntagged => "answer_untagged",
            AuditAction::ReferralFollowedUp => "referral_followed_up",
        }
    }

    /// The action of a code, if it is one.
    pub fn parse(text: &str) -> Option<AuditAction> {
        AuditAction::ALL
            .into_iter()
            .find(|action| action.as_str() == text)
    }

    /// What the action is called, for people.
    pub fn label(self) -> Localized {
        let (vi, en) = match self {
            AuditAction::SignIn => ("Đăng nhập", "Signed in"),
            AuditAction::SignInFailed => ("Đăng nhập không thành công", "Failed sign-in"),
            AuditAction::SignInLocked => (
                "Tạm khoá đăng nhập do sai nhiều lần",
                "Sign-in locked after repeated failures",
            ),
            AuditAction::SignOut => ("Đăng xuất", "Signed out"),
            AuditAction::AccountCreated => ("Tạo tài khoản", "Account created"),
            AuditAction::AccountChanged => ("Sửa tài khoản", "Account changed"),
            AuditAction::PasswordReset => ("Đặt lại mật khẩu", "Password reset"),
            AuditAction::AccountDeactivated => ("Khoá tài khoản", "Account deactivated"),
            AuditAction::AccountReactivated => ("Mở lại tài khoản", "Account reactivated"),
            AuditAction::DeviceRevoked => ("Thu hồi thiết bị", "Device revoked"),
            AuditAction::SurveyImported => ("Nhập biểu mẫu khảo sát", "Survey imported"),
            AuditAction::ExportResponses => ("Tải CSV phiếu trả lời", "Responses exported (CSV)"),
            AuditAction::ExportReports => ("Tải CSV báo cáo", "Reports exported (CSV)"),
            AuditAction::ExportParticipation => {
                ("Tải CSV tỷ lệ tham gia", "Participation exported (CSV)")
            }
            AuditAction::ExportForums => ("Tải CSV diễn đàn trẻ em", "Forums exported (CSV)"),
            AuditAction::ExportAudit => ("Tải CSV nhật ký truy cập", "Audit log exported (CSV)"),
            AuditAction::ExportResults => ("Tải kết quả khảo sát", "Survey results exported"),
            AuditAction::ConsentWithdrawn => (
                "Rút lại sự đồng ý (tại phường/thành phố)",
                "Consent withdrawn at the town hall",
            ),
            AuditAction::ResponseWithdrawn => (
                "Rút lại sự đồng ý (từ máy tính bảng)",
                "Consent withdrawn on a tablet",
            ),
            AuditAction::RecordReleased => {
                ("Nhận lại bản ghi bị từ chối", "Refused record accepted")
            }
            AuditAction::ReportStatusChanged => ("Đổi trạng thái báo cáo", "Report status changed"),
            AuditAction::RecommendationAnswered => {
                ("Ghi câu trả lời cho kiến nghị", "Recommendation answered")
            }
            AuditAction::TargetsChanged => ("Sửa chỉ tiêu", "Targets changed"),
            AuditAction::PopulationChanged => {
                ("Sửa số trẻ em 7–15 tuổi", "Child population changed")
            }
            AuditAction::ThemeCreated => ("Thêm chủ đề ý kiến", "Theme created"),
            AuditAction::ThemeRenamed => ("Đổi tên chủ đề ý kiến", "Theme renamed"),
            AuditAction::ThemeDeleted => ("Xoá chủ đề ý kiến", "Theme deleted"),
            AuditAction::AnswerTagged => {
                ("Gắn chủ đề cho câu trả lời", "Answer tagged with a theme")
            }
            AuditAction::AnswerUntagged => {
                ("Bỏ chủ đề khỏi câu trả lời", "Theme taken off an answer")
            }
            AuditAction::ReferralFollowedUp => (
                "Đã theo dõi một trường hợp chuyển tiếp",
                "Referral followed up",
            ),
        };
        Localized::new(vi, en)
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A code that names no [`AuditAction`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an audit action code")]
pub struct UnknownAuditAction;

impl FromStr for AuditAction {
    type Err = UnknownAuditAction;

    fn from_str(text: &str) -> Result<AuditAction, UnknownAuditAction> {
        AuditAction::parse(text).ok_or(UnknownAuditAction)
    }
}

/// An event to append: everything of an [`AuditEntry`] but its number and
/// time, which the server gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Who acted: a user name, or the prefix of the name typed at a failed
    /// sign-in; `None` when no account is known (a push without one).
    pub actor: Option<String>,
    /// The actor's role, when the actor is an account.
    pub actor_role: Option<Role>,
    /// What was done.
    pub action: AuditAction,
    /// The ward the action concerns, if one.
    pub ward_code: Option<String>,
    /// What it was done to (an id or a name), or empty.
    pub target: String,
    /// Codes and counts (`role=collector`, `rows=42`), or empty.
    pub detail: String,
}

impl AuditEvent {
    /// An event with no actor yet.
    pub fn new(action: AuditAction) -> AuditEvent {
        AuditEvent {
            actor: None,
            actor_role: None,
            action,
            ward_code: None,
            target: String::new(),
            detail: String::new(),
        }
    }

    /// An event by `account`, about the account's own ward until
    /// [`AuditEvent::ward`] says otherwise.
    pub fn by(account: &AccountInfo, action: AuditAction) -> AuditEvent {
        AuditEvent {
            actor: Some(account.username.clone()),
            actor_role: Some(account.role),
            ward_code: account.ward_code.clone(),
            ..AuditEvent::new(action)
        }
    }

    /// An event by `account` when one is known.
    pub fn by_account(account: Option<&AccountInfo>, action: AuditAction) -> AuditEvent {
        match account {
            Some(account) => AuditEvent::by(account, action),
            None => AuditEvent::new(action),
        }
    }

    /// An event of an attempt under `username`, which may name no account
    /// (a failed sign-in): only its bounded prefix is kept.
    pub fn attempted(username: &str, action: AuditAction) -> AuditEvent {
        AuditEvent {
            actor: Some(bound_text(username.trim(), MAX_ACTOR_CHARS)),
            ..AuditEvent::new(action)
        }
    }

    /// The ward the action concerns (`None`: no ward, or every ward).
    pub fn ward(mut self, ward_code: Option<&str>) -> AuditEvent {
        self.ward_code = ward_code.map(str::to_owned);
        self
    }

    /// What the action was done to.
    pub fn target(mut self, target: impl fmt::Display) -> AuditEvent {
        self.target = target.to_string();
        self
    }

    /// A short note of codes and counts.
    pub fn detail(mut self, detail: impl Into<String>) -> AuditEvent {
        self.detail = detail.into();
        self
    }

    /// The event with every text cut to its bound and control characters
    /// replaced, as the server stores it.
    pub fn bounded(self) -> AuditEvent {
        AuditEvent {
            actor: self.actor.map(|actor| bound_text(&actor, MAX_ACTOR_CHARS)),
            ward_code: self.ward_code.map(|ward| bound_text(&ward, MAX_WARD_CHARS)),
            target: bound_text(&self.target, MAX_TARGET_CHARS),
            detail: bound_text(&self.detail, MAX_DETAIL_CHARS),
            ..self
        }
    }
}

/// `text` in at most `max_chars` characters: control characters (line
/// breaks, tabs, escapes) become spaces, and a longer text is cut and ends
/// with "…".
pub fn bound_text(text: &str, max_chars: usize) -> String {
    let mut cleaned = text.chars().map(|character| {
        if character.is_control() {
            ' '
        } else {
            character
        }
    });
    let mut bounded: String = cleaned.by_ref().take(max_chars).collect();
    if cleaned.next().is_some() && max_chars > 0 {
        bounded.pop();
        bounded.push('…');
    }
    bounded
}

/// The events of a change to an account made by `actor`: a new password, a
/// deactivation or a reactivation each have their own action; a change of
/// name, role or ward is `account_changed`, its detail naming what changed.
/// `after` is the account as changed. The password itself is never logged.
pub fn account_change_events(
    actor: &AccountInfo,
    after: &AccountInfo,
    change: &crate::account::AccountChange,
) -> Vec<AuditEvent> {
    let event = |action| {
        AuditEvent::by(actor, action)
            .ward(after.ward_code.as_deref())
            .target(&after.username)
    };
    let mut events = Vec::new();
    let mut changed = Vec::new();
    if change.display_name.is_some() {
        changed.push("display_name".to_owned());
    }
    if let Some(role) = change.role {
        changed.push(format!("role={}", role.as_str()));
    }
    if change.ward_code.is_some() || change.role.is_some() {
        changed.push(format!(
            "ward={}",
            after.ward_code.as_deref().unwrap_or("-")
        ));
    }
    if !changed.is_empty() {
        events.push(event(AuditAction::AccountChanged).detail(changed.join(" ")));
    }
    if change.password.is_some() {
        events.push(event(AuditAction::PasswordReset));
    }
    match change.active {
        Some(false) => events.push(event(AuditAction::AccountDeactivated)),
        Some(true) => events.push(event(AuditAction::AccountReactivated)),
        None => {}
    }
    if events.is_empty() {
        events.push(event(AuditAction::AccountChanged));
    }
    events
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its number: later entries have larger numbers.
    pub id: i64,
    /// When it happened (RFC 3339, UTC, milliseconds).
    pub at: String,
    /// Who acted (see [`AuditEvent::actor`]).
    pub actor: Option<String>,
    /// The actor's role, when the actor is an account.
    pub actor_role: Option<Role>,
    /// What was done.
    pub action: AuditAction,
    /// The ward the action concerns, if one.
    pub ward_code: Option<String>,
    /// What it was done to.
    pub target: String,
    /// Codes and counts.
    pub detail: String,
}

impl AuditEntry {
    /// When it happened in Hanoi's time, as "dd/mm/yyyy HH:MM" (the stored
    /// text when it does not parse).
    pub fn local_time(&self) -> String {
        local_time(&self.at)
    }
}

/// One page of the log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    /// The entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// Whether older entries match too: ask again with `before` set to the
    /// last entry's id.
    pub has_more: bool,
}

/// Hanoi's offset from UTC.
pub fn city_offset() -> FixedOffset {
    FixedOffset::east_opt(CITY_UTC_OFFSET_HOURS * 3600).expect("a whole-hour offset is valid")
}

/// The day it is in Hanoi at `time`.
pub fn city_date(time: DateTime<Utc>) -> NaiveDate {
    time.with_timezone(&city_offset()).date_naive()
}

/// A time as the server stores it: RFC 3339 in UTC with milliseconds, so
/// stored times order as text.
pub fn stored_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A stored time in Hanoi's time, as "dd/mm/yyyy HH:MM" (the text itself
/// when it does not parse).
pub fn local_time(stored: &str) -> String {
    DateTime::parse_from_rfc3339(stored)
        .map(|time| {
            time.with_timezone(&city_offset())
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| stored.to_owned())
}

mod query;

pub use query::AuditQuery;

#[cfg(test)]
mod tests;
