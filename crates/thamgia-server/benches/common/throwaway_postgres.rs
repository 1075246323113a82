//! A fresh PostgreSQL database for one bench run, on the server
//! `THAMGIA_BENCH_POSTGRES_URL` names (`cargo xtask bench` starts one),
//! dropped afterwards.

use std::str::FromStr;

use anyhow::Result;
use sqlx::any::AnyConnectOptions;
use sqlx::{Connection, Executor, PgConnection};
use uuid::Uuid;

/// The PostgreSQL server's URL, unless the variable is unset or empty.
pub fn admin_url() -> Option<String> {
    std::env::var("THAMGIA_BENCH_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// A database made on the server of `admin_url`, named `<prefix>_<uuid>`.
pub struct ThrowawayDatabase {
    admin: PgConnection,
    name: String,
    /// The URL of the database itself.
    pub url: String,
}

impl ThrowawayDatabase {
    /// Creates the database (UTF-8, C collation, from `template0`).
    pub async fn create(admin_url: &str, prefix: &str) -> Result<ThrowawayDatabase> {
        let name = format!("{prefix}_{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(admin_url).await?;
        admin
            .execute(
                format!(
                    "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' \
                     LC_COLLATE 'C' LC_CTYPE 'C'"
                )
                .as_str(),
            )
            .await?;
        let mut url = AnyConnectOptions::from_str(admin_url)?.database_url;
        url.set_path(&format!("/{name}"));
        Ok(ThrowawayDatabase {
            admin,
            name,
            url: url.to_string(),
        })
    }

    /// Drops the database, closing whatever is still connected to it.
    pub async fn drop_database(mut self) -> Result<()> {
        self.admin
            .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
            .await?;
        self.admin.close().await?;
        Ok(())
    }
}
