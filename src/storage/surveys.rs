//! [`Store`]'s reads of published surveys, each one transaction of
//! `transactions/surveys.rs`.

use thamgia_core::SurveyDefinition;

use super::{transactions, StorageError, Store};

impl Store {
    /// The latest version of each stored survey, sorted by Vietnamese title.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn surveys(&self) -> Result<Vec<SurveyDefinition>, StorageError> {
        self.run(|database| async move { transactions::surveys(&database).await })
            .await
    }

    /// One survey version, as responses made with it need it.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn survey(
        &self,
        id: &str,
        version: u32,
    ) -> Result<Option<SurveyDefinition>, StorageError> {
        self.run(move |database| async move { transactions::survey(&database, id, version).await })
            .await
    }
}
