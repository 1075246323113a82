//! Accounts, roles and what each role may reach: the wire shapes of the
//! session and account endpoints, shared by the app and the server.
//!
//! Three roles, from the field to the city:
//! - a **collector** takes children's views and records forums in one ward;
//! - a **ward officer** does the same and files and submits the ward's
//!   reports, answers recommendations addressed to the ward and records
//!   withdrawals of consent for it;
//! - a **city officer** (the administrator) sees every ward, publishes
//!   surveys, approves reports, keeps the targets and manages accounts.
//!
//! The rules are functions of the role and the ward, so the server and the
//! app apply the same ones; the server is the one that enforces them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::localized::Localized;
use crate::report::ReportStatus;

/// Longest user name accepted.
pub const MAX_USERNAME_CHARS: usize = 64;
/// Shortest password accepted for a new account or a reset.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (argon2 takes any length; this bounds the work).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Longest display name or device label accepted.
pub const MAX_LABEL_CHARS: usize = 120;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Takes children's views and records forums in one ward.
    Collector,
    /// A collector who also files the ward's reports and answers for it.
    WardOfficer,
    /// Sees every ward, publishes surveys, approves reports, manages accounts.
    CityOfficer,
}

impl Role {
    /// Every role, from the field to the city.
    pub const ALL: [Role; 3] = [Role::Collector, Role::WardOfficer, Role::CityOfficer];

    /// The role's name for people.
    pub fn label(self) -> Localized {
        match self {
            Role::Collector => Localized::new("Cán bộ thu thập", "Collector"),
            Role::WardOfficer => Localized::new("Cán bộ phường/xã", "Ward officer"),
            Role::CityOfficer => Localized::new("Cán bộ thành phố", "City officer"),
        }
    }

    /// The role's wire name (`collector`, `ward_officer`, `city_officer`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Collector => "collector",
            Role::WardOfficer => "ward_officer",
            Role::CityOfficer => "city_officer",
        }
    }

    /// The role of a wire name.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// Whether the role needs a ward (every role but the city officer's).
    pub fn has_ward(self) -> bool {
        self != Role::CityOfficer
    }
}

/// An account as the app and the town hall see it (never its password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// The name used to sign in.
    pub username: String,
    /// The person's name as shown.
    pub display_name: String,
    /// What the account may do.
    pub role: Role,
    /// The ward it works in; `None` for a city officer.
    pub ward_code: Option<String>,
}

impl AccountInfo {
    /// Whether the account reads survey results (of the wards it may
    /// reach): ward and city officers; a collector takes children's views
    /// and reads none.
    pub fn may_read_results(&self) -> bool {
        matches!(self.role, Role::WardOfficer | Role::CityOfficer)
    }

    /// Whether the account may read and write ward `ward_code`'s data.
    pub fn may_access_ward(&self, ward_code: &str) -> bool {
        match self.role {
            Role::CityOfficer => true,
            Role::Collector | Role::WardOfficer => self.ward_code.as_deref() == Some(ward_code),
        }
    }

    /// Whether the account may act for the ward as its officer: submit its
    /// reports, answer its recommendations, record a withdrawal of consent.
    pub fn may_act_for_ward(&self, ward_code: &str) -> bool {
        match self.role {
            Role::CityOfficer => true,
            Role::WardOfficer => self.ward_code.as_deref() == Some(ward_code),
            Role::Collector => false,
        }
    }

    /// Whether the account may move ward `ward_code`'s report to `to`:
    /// approval is the city's; submitting and sending back are the ward
    /// officer's (and the city's).
    pub fn may_change_report_status(&self, ward_code: &str, to: ReportStatus) -> bool {
        match to {
            ReportStatus::Approved => self.is_city_officer(),
            ReportStatus::Draft | ReportStatus::Submitted => self.may_act_for_ward(ward_code),
        }
    }

    /// Whether the account is the city's (publishes surveys, approves
    /// reports, sees the town hall view, manages accounts).
    pub fn is_city_officer(&self) -> bool {
        self.role == Role::CityOfficer
    }
}

/// The body of `POST /session`: signing in on a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    /// The account's user name.
    pub username: String,
    /// Its password.
    pub password: String,
    /// What the device is called, so a city officer can tell devices apart
    /// when revoking one ("Máy tính bảng 3", "Chrome on the office PC").
    pub device_label: String,
}

/// The answer to a successful sign-in: a device token, shown only once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Sent as `Authorization: Bearer <token>` with every request.
    pub token: String,
    /// The token's id, under which a city officer can revoke it.
    pub device_id: Uuid,
    /// Who signed in.
    pub account: AccountInfo,
}

/// An account as a city officer manages it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    /// Who it is and what it may do.
    #[serde(flatten)]
    pub info: AccountInfo,
    /// Whether it may sign in and use its tokens.
    pub active: bool,
    /// Its devices, newest first.
    pub devices: Vec<DeviceRecord>,
}

/// A device token as a city officer sees it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRecord {
    /// The token's id.
    pub id: Uuid,
    /// What the device was called at sign-in.
    pub label: String,
    /// When the token was issued (RFC 3339).
    pub created_at: String,
    /// When it was last used, to the nearest few minutes.
    pub last_used_at: Option<String>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// The body of `POST /accounts`: a city officer creates an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    /// Who it is and what it may do.
    #[serde(flatten)]
    pub info: AccountInfo,
    /// Its first password.
    pub password: String,
}

/// The body of `PUT /accounts/{username}`: what changes (absent fields stay).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChange {
    /// A new display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// A new role (a ward must then be given for any role but the city's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// A new ward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward_code: Option<String>,
    /// Deactivates (every token stops working at once) or reactivates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// A new password (the account's tokens stay valid; revoke them apart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// Why an account's details are refused, for people.
pub fn check_account(info: &AccountInfo, password: Option<&str>) -> Result<(), Localized> {
    let username = info.username.as_str();
    if username.is_empty()
        || username.chars().count() > MAX_USERNAME_CHARS
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(Localized::new(
            format!("Tên đăng nhập chỉ gồm chữ không dấu, số và . _ - (tối đa {MAX_USERNAME_CHARS} ký tự)."),
            format!("A user name has only letters without accents, digits and . _ - (at most {MAX_USERNAME_CHARS} characters)."),
        ));
    }
    let display = info.display_name.trim();
    if display.is_empty() || display.chars().count() > MAX_LABEL_CHARS {
        return Err(Localized::new(
            format!("Hãy nhập họ tên (tối đa {MAX_LABEL_CHARS} ký tự)."),
            format!("Enter the person's name (at most {MAX_LABEL_CHARS} characters)."),
        ));
    }
    match (info.role.has_ward(), info.ward_code.as_deref()) {
        (true, None | Some("")) => {
            return Err(Localized::new(
                "Cán bộ thu thập và cán bộ phường/xã cần được gán một phường/xã.",
                "Collectors and ward officers must be given a ward.",
            ))
        }
        (false, Some(_)) => {
            return Err(Localized::new(
                "Cán bộ thành phố không gắn với một phường/xã.",
                "A city officer is not tied to a ward.",
            ))
        }
        _ => {}
    }
    if let Some(password) = password {
        check_password(password)?;
    }
    Ok(())
}

/// Why a new password is refused, for people.
pub fn check_password(password: &str) -> Result<(), Localized> {
    let length = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&length) {
        return Err(Localized::new(
            format!("Mật khẩu cần từ {MIN_PASSWORD_CHARS} đến {MAX_PASSWORD_CHARS} ký tự."),
            format!("A password needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(role: Role, ward: Option<&str>) -> AccountInfo {
        AccountInfo {
            username: "lan.nguyen".to_owned(),
            display_name: "Nguyễn Thị Lan".to_owned(),
            role,
            ward_code: ward.map(str::to_owned),
        }
    }

    #[test]
    fn ward_scope_follows_the_role() {
        let collector = account(Role::Collector, Some("00004"));
        assert!(collector.may_access_ward("00004"));
        assert!(!collector.may_access_ward("00008"));
        assert!(!collector.may_act_for_ward("00004"));
        let officer = account(Role::WardOfficer, Some("00004"));
        assert!(officer.may_act_for_ward("00004"));
        assert!(!officer.may_act_for_ward("00008"));
        let city = account(Role::CityOfficer, None);
        assert!(city.may_access_ward("00008") && city.may_act_for_ward("00008"));
        assert!(city.is_city_officer() && !officer.is_city_officer());
        assert!(officer.may_change_report_status("00004", ReportStatus::Submitted));
        assert!(!officer.may_change_report_status("00004", ReportStatus::Approved));
        assert!(!collector.may_change_report_status("00004", ReportStatus::Submitted));
        assert!(city.may_change_report_status("00004", ReportStatus::Approved));
    }

    #[test]
    fn accounts_are_checked() {
        assert!(check_account(
            &account(Role::Collector, Some("00004")),
            Some("mật khẩu dài")
        )
        .is_ok());
        assert!(check_account(&account(Role::Collector, None), None).is_err());
        assert!(check_account(&account(Role::CityOfficer, Some("00004")), None).is_err());
        assert!(check_account(&account(Role::CityOfficer, None), Some("short")).is_err());
        let mut spaced = account(Role::CityOfficer, None);
        spaced.username = "lan nguyen".to_owned();
        assert!(check_account(&spaced, None).is_err());
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }
}
