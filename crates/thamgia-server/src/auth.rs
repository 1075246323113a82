//! Accounts, device tokens and the caller of each request.
//!
//! Passwords are hashed with argon2 (its default parameters, a fresh salt
//! per hash) off the async threads. Signing in issues a device token: 32
//! random bytes, hex, given to the device once; the server keeps only its
//! SHA-256, so a copy of the database signs no one in. A token is checked on
//! every request against the database (no cache), so a revoked token or a
//! deactivated account stops working at the very next request.
//!
//! [`Caller`] is the extractor every protected handler takes; its `require_*`
//! methods apply the role and ward rules of [`thamgia_core::account`].
//!
//! The rows of accounts and tokens are read and written by
//! `database::accounts`; this module decides (hashes, checks, refuses).

use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use thamgia_core::account::{
    check_account, AccountChange, AccountInfo, AccountRecord, LoginRequest, NewAccount, Role,
    Session, MAX_LABEL_CHARS, MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS,
};
use thamgia_core::{limits, Localized};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::error::ServerError;
use crate::{AppState, Database};

/// The password of every demo account (demo data only).
pub const DEMO_PASSWORD: &str = "thamgia-demo";

/// How stale `last_used_at` may get before a request refreshes it: a
/// city officer sees roughly when a device was last used, and a busy tablet
/// does not write on every request.
const LAST_USED_GRANULARITY_MINUTES: i64 = 10;

fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn token_digest(token: &str) -> String {
    crate::database::sha256_hex(token)
}

/// A new device token: 32 bytes from the operating system's generator
/// (two version-4 UUIDs' worth), as 64 hex digits.
fn new_token() -> String {
    let mut token = Uuid::new_v4().simple().to_string();
    token.push_str(&Uuid::new_v4().simple().to_string());
    token
}

fn hash_password(password: &str) -> Result<String, ServerError> {
    let salt = SaltString::encode_b64(Uuid::new_v4().as_bytes())
        .map_err(|error| ServerError::Internal(format!("salt: {error}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| ServerError::Internal(format!("argon2: {error}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash no password matches, verified against when the user name is
/// unknown, so a wrong name takes as long to refuse as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password(&new_token()).unwrap_or_default())
}

/// How long a password check waits for its turn before the server answers
/// that it is busy.
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Room for password hashes running at once: one per core. Each takes
/// Argon2's 19 MiB for tens of milliseconds, and cannot be stopped once
/// begun, so sign-ins sent all at once (by anyone: an unknown name is
/// checked too) would otherwise hold that much memory each.
fn hashing_room() -> Arc<Semaphore> {
    static ROOM: OnceLock<Arc<Semaphore>> = OnceLock::new();
    Arc::clone(ROOM.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Arc::new(Semaphore::new(cores))
    }))
}

/// Runs a password hash or check on a blocking thread once there is room
/// for it ([`hashing_room`]), waiting up to [`HASHING_WAIT`]. The room is
/// held until the hash ends, even if the request that asked for it ended
/// first.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServerError> {
    let permit = match tokio::time::timeout(HASHING_WAIT, hashing_room().acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        Ok(Err(_closed)) => return Err(ServerError::Internal("hashing closed".to_owned())),
        Err(_elapsed) => {
            return Err(ServerError::Busy(Localized::new(
                "Máy chủ đang bận kiểm tra nhiều lượt đăng nhập. Hãy thử lại sau ít phút.",
                "The server is busy checking many sign-ins. Try again in a few minutes.",
            )))
        }
    };
    tokio::task::spawn_blocking(move || {
        let done = work();
        drop(permit);
        done
    })
    .await
    .map_err(|error| ServerError::Internal(format!("password hashing: {error}")))
}

fn refused_sign_in() -> ServerError {
    ServerError::Unauthorized(Localized::new(
        "Sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đã bị khoá. Hãy kiểm tra lại hoặc hỏi cán bộ thành phố.",
        "Wrong user name or password, or the account is deactivated. Check them, or ask the city officer.",
    ))
}

fn no_session() -> ServerError {
    ServerError::Unauthorized(Localized::new(
        "Cần đăng nhập: thiếu mã phiên. Hãy đăng nhập lại.",
        "Sign-in needed: no session token was sent. Sign in again.",
    ))
}

fn ended_session() -> ServerError {
    ServerError::Unauthorized(Localized::new(
        "Phiên đăng nhập này không còn hiệu lực (đã đăng xuất, bị thu hồi hoặc tài khoản bị khoá). Hãy đăng nhập lại; dữ liệu trên máy không bị mất.",
        "This session is no longer valid (signed out, revoked, or the account was deactivated). Sign in again; nothing on the tablet is lost.",
    ))
}

/// Who is making a request: an active account with an unrevoked token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account's row id.
    pub account_id: String,
    /// The token's id.
    pub device_id: Uuid,
    /// Who it is and what it may do.
    pub info: AccountInfo,
}

impl Caller {
    /// Refuses unless the caller is a city officer.
    pub fn require_city(&self) -> Result<(), ServerError> {
        if self.info.is_city_officer() {
            Ok(())
        } else {
            Err(ServerError::Forbidden(Localized::new(
                "Chỉ cán bộ thành phố được làm việc này.",
                "Only a city officer may do this.",
            )))
        }
    }

    /// Refuses unless the caller may read and write `ward_code`'s data.
    pub fn require_ward(&self, ward_code: &str) -> Result<(), ServerError> {
        if self.info.may_access_ward(ward_code) {
            Ok(())
        } else {
            Err(other_ward(ward_code))
        }
    }

    /// Refuses unless the caller may act as `ward_code`'s officer.
    pub fn require_officer_of(&self, ward_code: &str) -> Result<(), ServerError> {
        if self.info.may_act_for_ward(ward_code) {
            Ok(())
        } else if self.info.may_access_ward(ward_code) {
            Err(ServerError::Forbidden(Localized::new(
                "Việc này dành cho cán bộ phường/xã hoặc cán bộ thành phố.",
                "This is for the ward officer or a city officer.",
            )))
        } else {
            Err(other_ward(ward_code))
        }
    }

    /// The ward a scoped request is about: the one asked for, which the
    /// caller must be allowed to reach, or else the caller's own ward
    /// (`None` for a city officer who asked for none: every ward).
    pub fn ward_scope(&self, asked: Option<&str>) -> Result<Option<String>, ServerError> {
        match asked {
            Some(ward) => {
                self.require_ward(ward)?;
                Ok(Some(ward.to_owned()))
            }
            None => Ok(self.info.ward_code.clone()),
        }
    }
}

/// The refusal of a ward the caller may not reach, quoting at most the
/// start of the code asked for (a request may send megabytes of it).
fn other_ward(ward_code: &str) -> ServerError {
    let ward_code = limits::quoted(ward_code);
    ServerError::Forbidden(Localized::new(
        format!("Tài khoản này không được truy cập dữ liệu của phường/xã {ward_code}."),
        format!("This account may not reach the data of ward {ward_code}."),
    ))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ServerError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Caller, ServerError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(no_session)?;
        let token = header
            .to_str()
            .ok()
            .and_then(bearer_token)
            .ok_or_else(no_session)?;
        state
            .database
            .caller(token, Utc::now())
            .await?
            .ok_or_else(ended_session)
    }
}

/// A refusal when a sign-in's user name or password is longer than any
/// account's can be: checked before any lookup, hash or log line.
pub fn oversized_sign_in(request: &LoginRequest) -> Option<ServerError> {
    let too_long = request.username.chars().nth(MAX_USERNAME_CHARS).is_some()
        || request.password.chars().nth(MAX_PASSWORD_CHARS).is_some()
        || request.device_label.chars().nth(MAX_LABEL_CHARS).is_some();
    too_long.then(|| {
        ServerError::Invalid(Localized::new(
            format!("Tên đăng nhập tối đa {MAX_USERNAME_CHARS} ký tự, mật khẩu tối đa {MAX_PASSWORD_CHARS} ký tự, tên thiết bị tối đa {MAX_LABEL_CHARS} ký tự."),
            format!("A user name has at most {MAX_USERNAME_CHARS} characters, a password at most {MAX_PASSWORD_CHARS}, a device name at most {MAX_LABEL_CHARS}."),
        ))
    })
}

/// The token of an `Authorization: Bearer <token>` value. The scheme is
/// matched without regard to case (RFC 9110, 11.1); a token is never longer
/// than [`MAX_TOKEN_CHARS`], so a longer one is refused before any lookup.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= MAX_TOKEN_CHARS)
        .then_some(token)
}

/// Longest device token accepted (ours are 64 hexadecimal digits).
pub const MAX_TOKEN_CHARS: usize = 128;

impl Database {
    /// The caller holding `token`, if it is valid: known, not revoked, and
    /// its account active.
    pub async fn caller(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Caller>, ServerError> {
        let Some(device) = self.device_of_token(&token_digest(token)).await? else {
            return Ok(None);
        };
        let stale = timestamp(now - Duration::minutes(LAST_USED_GRANULARITY_MINUTES));
        if device.last_used_at.is_none_or(|used| used < stale) {
            self.touch_device(device.device_id, &timestamp(now)).await?;
        }
        Ok(Some(Caller {
            account_id: device.account_id,
            device_id: device.device_id,
            info: device.info,
        }))
    }

    /// Signs in: checks the password and issues a device token.
    pub async fn sign_in(
        &self,
        request: &LoginRequest,
        now: DateTime<Utc>,
    ) -> Result<Session, ServerError> {
        let label = request.device_label.trim();
        if label.chars().count() > MAX_LABEL_CHARS {
            return Err(ServerError::Invalid(Localized::new(
                format!("Tên thiết bị quá dài (tối đa {MAX_LABEL_CHARS} ký tự)."),
                format!("The device name is too long (at most {MAX_LABEL_CHARS} characters)."),
            )));
        }
        let row = self.sign_in_row(&request.username).await?;
        let hash = match &row {
            Some(row) => row.password_hash.clone(),
            None => decoy_hash().to_owned(),
        };
        let password = request.password.clone();
        let matches = blocking(move || verify_password(&password, &hash)).await?;
        let Some(row) = row.filter(|_| matches) else {
            tracing::info!(username = %limits::quoted(&request.username), "sign-in refused");
            return Err(refused_sign_in());
        };
        let token = new_token();
        let device_id = Uuid::new_v4();
        let label = if label.is_empty() { "—" } else { label };
        self.insert_device_token(
            device_id,
            &token_digest(&token),
            &row.account_id,
            label,
            &timestamp(now),
        )
        .await?;
        let account = row.info;
        tracing::info!(username = %account.username, %device_id, "signed in");
        Ok(Session {
            token,
            device_id,
            account,
        })
    }

    /// Creates an account; refuses a user name already taken.
    pub async fn create_account(
        &self,
        account: &NewAccount,
        now: DateTime<Utc>,
    ) -> Result<AccountRecord, ServerError> {
        check_account(&account.info, Some(&account.password)).map_err(ServerError::Invalid)?;
        let taken = self.username_exists(&account.info.username).await?;
        if taken {
            return Err(username_taken(&account.info.username));
        }
        let password = account.password.clone();
        let hash = blocking(move || hash_password(&password)).await??;
        let inserted = self
            .insert_account(&account.info, &hash, &timestamp(now))
            .await?;
        if !inserted {
            return Err(username_taken(&account.info.username));
        }
        self.account(&account.info.username)
            .await?
            .ok_or(ServerError::NotFound)
    }

    /// Creates the account unless its user name exists (demo data, the
    /// first city officer). Returns whether it was created.
    pub async fn ensure_account(
        &self,
        account: &NewAccount,
        now: DateTime<Utc>,
    ) -> Result<bool, ServerError> {
        if self.account(&account.info.username).await?.is_some() {
            return Ok(false);
        }
        match self.create_account(account, now).await {
            Ok(_) => Ok(true),
            Err(ServerError::Conflict(_)) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Changes an account. Deactivating it stops its tokens at once.
    pub async fn update_account(
        &self,
        username: &str,
        change: &AccountChange,
        now: DateTime<Utc>,
    ) -> Result<AccountRecord, ServerError> {
        let current = self.account(username).await?.ok_or(ServerError::NotFound)?;
        let mut info = current.info.clone();
        if let Some(name) = &change.display_name {
            info.display_name = name.clone();
        }
        if let Some(role) = change.role {
            info.role = role;
            if !role.has_ward() {
                info.ward_code = None;
            }
        }
        if let Some(ward) = &change.ward_code {
            info.ward_code = Some(ward.clone()).filter(|_| info.role.has_ward());
        }
        check_account(&info, change.password.as_deref()).map_err(ServerError::Invalid)?;
        let hash = match change.password.clone() {
            Some(password) => Some(blocking(move || hash_password(&password)).await??),
            None => None,
        };
        let active = change.active.unwrap_or(current.active);
        self.write_account(username, &info, active, hash, &timestamp(now))
            .await?;
        self.account(username).await?.ok_or(ServerError::NotFound)
    }
}

fn username_taken(username: &str) -> ServerError {
    ServerError::Conflict(Localized::new(
        format!("Tên đăng nhập \"{username}\" đã có người dùng. Hãy chọn tên khác."),
        format!("The user name \"{username}\" is taken. Choose another."),
    ))
}

/// The demo accounts: a collector and a ward officer in Phường Ba Đình
/// (00004), and a city officer. Their password is [`DEMO_PASSWORD`].
pub fn demo_accounts() -> Vec<NewAccount> {
    let account = |username: &str, name: &str, role: Role, ward: Option<&str>| NewAccount {
        info: AccountInfo {
            username: username.to_owned(),
            display_name: name.to_owned(),
            role,
            ward_code: ward.map(str::to_owned),
        },
        password: DEMO_PASSWORD.to_owned(),
    };
    vec![
        account("badinh", "Nguyễn Thị Lan", Role::Collector, Some("00004")),
        account(
            "badinh.canbo",
            "Trần Văn Minh",
            Role::WardOfficer,
            Some("00004"),
        ),
        account("thanhpho", "Lê Thu Hà", Role::CityOfficer, None),
    ]
}

/// Failed sign-ins of one user name before it is locked for a while.
pub const MAX_FAILED_SIGN_INS: u32 = 5;
/// How long failures are remembered, and how long a lock lasts.
pub const SIGN_IN_LOCK_MINUTES: i64 = 15;

/// Slows password guessing: after [`MAX_FAILED_SIGN_INS`] failures within
/// [`SIGN_IN_LOCK_MINUTES`], the user name cannot sign in (even with the
/// right password) until that long after the last failure. A success, or a
/// city officer setting a new password, clears the count.
///
/// Kept in memory: a restart forgets it, which only gives a guesser a few
/// more tries; keyed by user name, not address, since a town hall's tablets
/// may share one address behind its router.
#[derive(Debug, Clone, Default)]
pub struct SignInGuard {
    failures: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Failures>>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: DateTime<Utc>,
}

impl SignInGuard {
    /// Refuses if `username` is locked at `now`.
    pub fn check(&self, username: &str, now: DateTime<Utc>) -> Result<(), ServerError> {
        let failures = self.with_map(|map| map.get(&key(username)).copied());
        match failures {
            Some(failures)
                if failures.count >= MAX_FAILED_SIGN_INS
                    && now < failures.last + Duration::minutes(SIGN_IN_LOCK_MINUTES) =>
            {
                let minutes = ((failures.last + Duration::minutes(SIGN_IN_LOCK_MINUTES) - now)
                    .num_seconds()
                    + 59)
                    / 60;
                Err(ServerError::TooManyAttempts(Localized::new(
                    format!("Đăng nhập sai quá {MAX_FAILED_SIGN_INS} lần. Hãy thử lại sau {minutes} phút, hoặc nhờ cán bộ thành phố đặt lại mật khẩu. Dữ liệu trên máy không bị ảnh hưởng."),
                    format!("More than {MAX_FAILED_SIGN_INS} failed sign-ins. Try again in {minutes} minute(s), or ask a city officer to reset the password. Nothing on the tablet is affected."),
                )))
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed sign-in of `username` at `now`, and tells whether
    /// this failure locked the name (it is the
    /// [`MAX_FAILED_SIGN_INS`]th within the window).
    ///
    /// The map holds at most [`SIGN_IN_GUARD_CAPACITY`] names, each at
    /// most [`MAX_USERNAME_CHARS`] long (longer names are refused before
    /// they get here): when it is full, what is older than the window goes,
    /// and if it is still full the name failed longest ago goes. Every
    /// failure costs the sender a password hash, so filling the map to push
    /// a guessed name out takes longer than the lock-out lasts.
    pub fn failed(&self, username: &str, now: DateTime<Utc>) -> bool {
        self.with_map(|map| {
            if map.len() >= SIGN_IN_GUARD_CAPACITY && !map.contains_key(&key(username)) {
                map.retain(|_, failures| {
                    now < failures.last + Duration::minutes(SIGN_IN_LOCK_MINUTES)
                });
                if map.len() >= SIGN_IN_GUARD_CAPACITY {
                    let oldest = map
                        .iter()
                        .min_by_key(|(_, failures)| failures.last)
                        .map(|(name, _)| name.clone());
                    if let Some(oldest) = oldest {
                        map.remove(&oldest);
                    }
                }
            }
            let entry = map.entry(key(username)).or_insert(Failures {
                count: 0,
                last: now,
            });
            if now >= entry.last + Duration::minutes(SIGN_IN_LOCK_MINUTES) {
                entry.count = 0;
            }
            entry.count = entry.count.saturating_add(1);
            entry.last = now;
            entry.count == MAX_FAILED_SIGN_INS
        })
    }

    /// How many names the guard holds now.
    pub fn len(&self) -> usize {
        self.with_map(|map| map.len())
    }

    /// Whether the guard holds no name.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Clears `username`'s failures (a success, or a new password).
    pub fn clear(&self, username: &str) {
        self.with_map(|map| map.remove(&key(username)));
    }

    fn with_map<T>(
        &self,
        use_it: impl FnOnce(&mut std::collections::HashMap<String, Failures>) -> T,
    ) -> T {
        // A panic while holding the lock cannot leave the map inconsistent
        // (each use is one small update): go on with it.
        let mut map = match self.failures.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        use_it(&mut map)
    }
}

fn key(username: &str) -> String {
    limits::truncated(username.trim(), MAX_USERNAME_CHARS).to_lowercase()
}

/// Most user names the sign-in guard remembers at once (about 100 bytes
/// each: a few MiB at most).
pub const SIGN_IN_GUARD_CAPACITY: usize = 20_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_failures_lock_a_name_for_a_while() {
        let guard = SignInGuard::default();
        let start = Utc::now();
        for attempt in 0..MAX_FAILED_SIGN_INS {
            assert!(guard.check("badinh", start).is_ok(), "attempt {attempt}");
            let locked = guard.failed("badinh", start + Duration::seconds(i64::from(attempt)));
            assert_eq!(
                locked,
                attempt + 1 == MAX_FAILED_SIGN_INS,
                "attempt {attempt}"
            );
        }
        let locked = guard.check("BaDinh", start + Duration::minutes(1));
        match locked {
            Err(ServerError::TooManyAttempts(message)) => {
                assert!(message.vi.contains("thử lại sau 15 phút"), "{message:?}");
                assert!(message.en.contains("15 minute"), "{message:?}");
            }
            other => panic!("not locked: {other:?}"),
        }
        assert!(
            guard.check("thanhpho", start).is_ok(),
            "other names are not locked"
        );
        assert!(guard
            .check(
                "badinh",
                start + Duration::minutes(SIGN_IN_LOCK_MINUTES + 1)
            )
            .is_ok());
        guard.clear("badinh");
        assert!(guard.check("badinh", start + Duration::minutes(1)).is_ok());
        // Failures spread wider than the window never lock.
        for hour in 0..10 {
            guard.failed("lan", start + Duration::hours(hour));
        }
        assert!(guard.check("lan", start + Duration::hours(9)).is_ok());
    }

    #[test]
    fn the_guard_holds_a_bounded_number_of_names_and_keeps_a_recent_lock() {
        let guard = SignInGuard::default();
        let start = Utc::now();
        for attempt in 0..MAX_FAILED_SIGN_INS {
            guard.failed(
                "badinh",
                start + Duration::seconds(i64::from(attempt) + 100),
            );
        }
        // A flood of other names within the window: the map stays bounded,
        // and the names that failed longest ago go first.
        for number in 0..SIGN_IN_GUARD_CAPACITY + 500 {
            guard.failed(&format!("guess{number}"), start);
        }
        assert_eq!(guard.len(), SIGN_IN_GUARD_CAPACITY);
        assert!(
            guard.check("badinh", start + Duration::minutes(1)).is_err(),
            "the most recent lock survives the flood"
        );
        // A name is kept by its first characters only.
        let long = "a".repeat(MAX_USERNAME_CHARS * 100);
        assert!(key(&long).chars().count() <= MAX_USERNAME_CHARS);
    }
}
