//! Accounts and device tokens: the rows behind signing in, a request's
//! caller, and the town hall's account pages. Hashing passwords and the
//! rules of who may do what stay in `auth`; this module reads and writes
//! what they decide.

use chrono::{DateTime, Utc};
use sqlx::Row;
use thamgia_core::account::{AccountInfo, AccountRecord, DeviceRecord, Role};
use uuid::Uuid;

use super::{timestamp, Database};
use crate::error::ServerError;

/// A valid device token's device and account, as a request's caller.
pub struct TokenHolder {
    /// The device the token was issued to.
    pub device_id: Uuid,
    /// When the token was last used, if ever.
    pub last_used_at: Option<String>,
    /// The account's id.
    pub account_id: String,
    /// The account.
    pub info: AccountInfo,
}

/// An active account as a sign-in reads it.
pub struct SignInRow {
    /// The account's id.
    pub account_id: String,
    /// The account.
    pub info: AccountInfo,
    /// The argon2 hash of its password.
    pub password_hash: String,
}

impl Database {
    /// The device and account of a token (by its digest), if it is known,
    /// not revoked, and its account active.
    pub(crate) async fn device_of_token(
        &self,
        token_sha256: &str,
    ) -> Result<Option<TokenHolder>, ServerError> {
        let row = sqlx::query(
            "SELECT d.id AS device_id, d.last_used_at, a.id AS account_id, a.username,
                    a.display_name, a.role, a.ward_code
             FROM device_tokens d JOIN accounts a ON a.id = d.account_id
             WHERE d.token_sha256 = $1 AND d.revoked_at IS NULL AND a.active = 1",
        )
        .bind(token_sha256)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let device_id: String = row.try_get("device_id")?;
        Ok(Some(TokenHolder {
            device_id: Uuid::parse_str(&device_id)
                .map_err(|error| ServerError::Internal(format!("device id: {error}")))?,
            last_used_at: row.try_get("last_used_at")?,
            account_id: row.try_get("account_id")?,
            info: account_info(&row)?,
        }))
    }

    /// Notes that a device's token was used at `at`.
    pub(crate) async fn touch_device(&self, device_id: Uuid, at: &str) -> Result<(), ServerError> {
        sqlx::query("UPDATE device_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(at)
            .bind(device_id.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The active account of `username`, with its password hash.
    pub(crate) async fn sign_in_row(
        &self,
        username: &str,
    ) -> Result<Option<SignInRow>, ServerError> {
        let row = sqlx::query(
            "SELECT id AS account_id, username, display_name, role, ward_code, password_hash
             FROM accounts WHERE username = $1 AND active = 1",
        )
        .bind(username)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(SignInRow {
                account_id: row.try_get("account_id")?,
                info: account_info(&row)?,
                password_hash: row.try_get("password_hash")?,
            })
        })
        .transpose()
    }

    /// Stores a new device token's digest for an account.
    pub(crate) async fn insert_device_token(
        &self,
        device_id: Uuid,
        token_sha256: &str,
        account_id: &str,
        label: &str,
        at: &str,
    ) -> Result<(), ServerError> {
        sqlx::query(
            "INSERT INTO device_tokens (id, token_sha256, account_id, device_label, created_at, last_used_at)
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(device_id.to_string())
        .bind(token_sha256)
        .bind(account_id)
        .bind(label)
        .bind(at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Revokes one device token; returns whether it existed and was active.
    pub async fn revoke_device(
        &self,
        device_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, ServerError> {
        let result = sqlx::query(
            "UPDATE device_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(timestamp(now))
        .bind(device_id.to_string())
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() > 0)
    }

    /// Whether an account of that user name exists.
    pub(crate) async fn username_exists(&self, username: &str) -> Result<bool, ServerError> {
        let taken: Option<String> =
            sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1")
                .bind(username)
                .fetch_optional(self.pool())
                .await?;
        Ok(taken.is_some())
    }

    /// Inserts an active account with its password hash; returns false
    /// when the user name is taken.
    pub(crate) async fn insert_account(
        &self,
        info: &AccountInfo,
        password_hash: &str,
        at: &str,
    ) -> Result<bool, ServerError> {
        let inserted = sqlx::query(
            "INSERT INTO accounts (id, username, display_name, role, ward_code, password_hash, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(&info.username)
        .bind(info.display_name.trim())
        .bind(info.role.as_str())
        .bind(info.ward_code.as_deref())
        .bind(password_hash)
        .bind(at)
        .execute(self.pool())
        .await?;
        Ok(inserted.rows_affected() > 0)
    }

    /// Writes an account's details, and its password hash when given.
    pub(crate) async fn write_account(
        &self,
        username: &str,
        info: &AccountInfo,
        active: bool,
        password_hash: Option<String>,
        at: &str,
    ) -> Result<(), ServerError> {
        sqlx::query(
            "UPDATE accounts SET display_name = $1, role = $2, ward_code = $3, active = $4,
                    password_hash = COALESCE($5, password_hash), updated_at = $6
             WHERE username = $7",
        )
        .bind(info.display_name.trim())
        .bind(info.role.as_str())
        .bind(info.ward_code.as_deref())
        .bind(i64::from(active))
        .bind(password_hash)
        .bind(at)
        .bind(username)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One account with its devices.
    pub async fn account(&self, username: &str) -> Result<Option<AccountRecord>, ServerError> {
        Ok(self
            .accounts_where(Some(username))
            .await?
            .into_iter()
            .next())
    }

    /// Every account with its devices, by user name.
    pub async fn accounts(&self) -> Result<Vec<AccountRecord>, ServerError> {
        self.accounts_where(None).await
    }

    async fn accounts_where(
        &self,
        username: Option<&str>,
    ) -> Result<Vec<AccountRecord>, ServerError> {
        let rows = sqlx::query(
            "SELECT id AS account_id, username, display_name, role, ward_code, active
             FROM accounts WHERE ($1 IS NULL OR username = $1) ORDER BY username",
        )
        .bind(username)
        .fetch_all(self.pool())
        .await?;
        let mut records = Vec::with_capacity(rows.len());
        for row in &rows {
            let account_id: String = row.try_get("account_id")?;
            let devices = sqlx::query(
                "SELECT id, device_label, created_at, last_used_at, revoked_at
                 FROM device_tokens WHERE account_id = $1 ORDER BY created_at DESC",
            )
            .bind(&account_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|device| {
                let id: String = device.try_get("id")?;
                Ok(DeviceRecord {
                    id: Uuid::parse_str(&id)
                        .map_err(|error| ServerError::Internal(format!("device id: {error}")))?,
                    label: device.try_get("device_label")?,
                    created_at: device.try_get("created_at")?,
                    last_used_at: device.try_get("last_used_at")?,
                    revoked_at: device.try_get("revoked_at")?,
                })
            })
            .collect::<Result<Vec<_>, ServerError>>()?;
            let active: i64 = row.try_get("active")?;
            records.push(AccountRecord {
                info: account_info(row)?,
                active: active != 0,
                devices,
            });
        }
        Ok(records)
    }

    /// What is stored of an account's secrets: its password hash and its
    /// tokens' digests. For tests that check no secret is kept in clear.
    #[doc(hidden)]
    pub async fn stored_credentials(
        &self,
        username: &str,
    ) -> Result<(String, Vec<String>), ServerError> {
        let hash: String =
            sqlx::query_scalar("SELECT password_hash FROM accounts WHERE username = $1")
                .bind(username)
                .fetch_one(self.pool())
                .await?;
        let digests: Vec<String> = sqlx::query_scalar(
            "SELECT d.token_sha256 FROM device_tokens d JOIN accounts a ON a.id = d.account_id
             WHERE a.username = $1",
        )
        .bind(username)
        .fetch_all(self.pool())
        .await?;
        Ok((hash, digests))
    }

    /// The ward of a stored (or withdrawn) response, for the ward check of
    /// a withdrawal at the town hall.
    pub async fn response_ward(&self, response_id: Uuid) -> Result<Option<String>, ServerError> {
        let mut connection = self.pool().acquire().await?;
        super::response_ward(&mut connection, response_id).await
    }

    /// The ward of the forum a recommendation came from.
    pub async fn recommendation_ward_of(
        &self,
        recommendation_id: Uuid,
    ) -> Result<Option<String>, ServerError> {
        let mut connection = self.pool().acquire().await?;
        super::recommendation_ward(&mut connection, recommendation_id).await
    }
}

fn account_info(row: &sqlx::any::AnyRow) -> Result<AccountInfo, ServerError> {
    let role: String = row.try_get("role")?;
    Ok(AccountInfo {
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role)
            .ok_or_else(|| ServerError::Internal(format!("unknown role {role}")))?,
        ward_code: row.try_get("ward_code")?,
    })
}
