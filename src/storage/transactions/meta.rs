//! The `meta` store's own operations: the sync bookkeeping (this
//! install's client id, created on first use, and when the last sync
//! succeeded), the session signed in on this tablet, the account the
//! database belongs to, and the indicator catalogue last read from the
//! server.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionDurability;
use thamgia_core::account::Session;
use thamgia_core::indicator::Catalogue;

use super::{
    commit, read_meta, read_only, read_or_create_meta, read_record, read_write, request_put_at,
    write_meta,
};
use crate::storage::connection::{CATALOGUE_KEY, META, OWNER_KEY, SESSION_KEY};
use crate::storage::error::StorageError;
use crate::storage::SyncMeta;

pub(in crate::storage) async fn sync_meta(database: &Database) -> Result<SyncMeta, StorageError> {
    // Almost always the record exists: read it without taking a write lock.
    {
        let transaction = read_only(database, &[META])?;
        let meta = transaction.object_store(META)?;
        if let Some(record) = read_meta(&meta).await? {
            return Ok(record.into());
        }
    }
    // First use. Another tab may be doing the same, so look again inside the
    // write transaction rather than overwrite its client id.
    let transaction = read_write(database, &[META], TransactionDurability::Strict)?;
    let record = {
        let meta = transaction.object_store(META)?;
        let record = read_or_create_meta(&meta).await?;
        write_meta(&meta, &record).await?;
        record
    };
    commit(transaction).await?;
    Ok(record.into())
}

pub(in crate::storage) async fn set_last_success(
    database: &Database,
    at_ms: i64,
) -> Result<(), StorageError> {
    let transaction = read_write(database, &[META], TransactionDurability::Default)?;
    {
        let meta = transaction.object_store(META)?;
        let mut record = read_or_create_meta(&meta).await?;
        record.last_success_ms = Some(at_ms);
        write_meta(&meta, &record).await?;
    }
    commit(transaction).await
}

pub(in crate::storage) async fn load_session(
    database: &Database,
) -> Result<Option<Session>, StorageError> {
    let transaction = read_only(database, &[META])?;
    let meta = transaction.object_store(META)?;
    read_record(&meta, SESSION_KEY).await
}

pub(in crate::storage) async fn save_session(
    database: &Database,
    session: &Session,
) -> Result<(), StorageError> {
    // Strict: a sign-in that the tablet forgets after a power cut would
    // leave the worker unable to work offline.
    let transaction = read_write(database, &[META], TransactionDurability::Strict)?;
    {
        let meta = transaction.object_store(META)?;
        request_put_at(&meta, SESSION_KEY, session)?.await?;
    }
    commit(transaction).await
}

pub(in crate::storage) async fn clear_session(database: &Database) -> Result<(), StorageError> {
    let transaction = read_write(database, &[META], TransactionDurability::Strict)?;
    {
        let meta = transaction.object_store(META)?;
        meta.delete(SESSION_KEY).primitive()?.await?;
    }
    commit(transaction).await
}

pub(in crate::storage) async fn owner(database: &Database) -> Result<Option<String>, StorageError> {
    let transaction = read_only(database, &[META])?;
    let meta = transaction.object_store(META)?;
    read_record(&meta, OWNER_KEY).await
}

pub(in crate::storage) async fn claim(
    database: &Database,
    username: &str,
) -> Result<bool, StorageError> {
    // Read and written in one transaction: two tabs claiming at once
    // cannot both win.
    let transaction = read_write(database, &[META], TransactionDurability::Strict)?;
    let owned = {
        let meta = transaction.object_store(META)?;
        match read_record::<String>(&meta, OWNER_KEY).await? {
            Some(owner) => owner == username,
            None => {
                request_put_at(&meta, OWNER_KEY, &username)?.await?;
                true
            }
        }
    };
    commit(transaction).await?;
    Ok(owned)
}

pub(in crate::storage) async fn load_catalogue(
    database: &Database,
) -> Result<Option<Catalogue>, StorageError> {
    let transaction = read_only(database, &[META])?;
    let meta = transaction.object_store(META)?;
    read_record(&meta, CATALOGUE_KEY).await
}

pub(in crate::storage) async fn save_catalogue(
    database: &Database,
    catalogue: &Catalogue,
) -> Result<(), StorageError> {
    // Default durability: a catalogue lost to a power cut is read again.
    let transaction = read_write(database, &[META], TransactionDurability::Default)?;
    {
        let meta = transaction.object_store(META)?;
        request_put_at(&meta, CATALOGUE_KEY, catalogue)?.await?;
    }
    commit(transaction).await
}
