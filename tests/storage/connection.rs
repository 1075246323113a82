//! A database deleted or a connection lost under the app, and the errors a
//! worker reads.

use thamgia::storage::{
    Counts, IoFailure, LocalSyncState, Refusal, StorageError, Store, StoredResponse,
};
use thamgia_core::report::{ReportError, ReportStatus};
use thamgia_core::Localized;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

#[wasm_bindgen_test]
async fn the_store_reopens_after_another_tab_deletes_the_database() {
    let name = unique_database_name("deleted");
    let store = Store::open(&name).await.expect("open");
    let old_client_id = store.sync_meta().await.expect("meta").client_id;
    store
        .complete_response(&completed(1, 0))
        .await
        .expect("complete");

    // Deleting fires `versionchange` on the store's connection, which closes
    // itself instead of blocking the deletion forever.
    indexed_db_futures::database::Database::delete_by_name(&name)
        .expect("start deleting")
        .await
        .expect("delete");

    // The next operation reopens (and so recreates) the database: a wiped
    // database gets a new client id, never the old one with a reset seq.
    let meta = store.sync_meta().await.expect("meta after reopening");
    assert_ne!(meta.client_id, old_client_id);
    assert_eq!(meta.next_seq, 1);
    assert_eq!(store.responses().await.expect("responses"), Vec::new());
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
}

#[wasm_bindgen_test]
async fn a_connection_lost_under_the_app_is_reopened_and_the_write_retried() {
    let store = Store::open(&unique_database_name("lost"))
        .await
        .expect("open");
    let first = completed(1, 0);
    let first_draft = draft(2, 1);
    assert_eq!(store.complete_response(&first).await.expect("complete"), 1);
    store.save_draft(&first_draft).await.expect("save a draft");
    let meta_before = store.sync_meta().await.expect("meta");

    // The browser drops the connection without a `close` event: the next
    // transaction fails with InvalidStateError, the store reopens the
    // database and runs the write again, once.
    store.lose_connection_for_tests();
    let second = completed(3, 2);
    assert_eq!(
        store
            .complete_response(&second)
            .await
            .expect("complete on a lost connection"),
        2,
        "the next seq, neither skipped nor reused"
    );

    // The same for a draft write and for a read.
    store.lose_connection_for_tests();
    let second_draft = draft(4, 3);
    store
        .save_draft(&second_draft)
        .await
        .expect("save a draft on a lost connection");
    store.lose_connection_for_tests();
    assert_eq!(
        store
            .read_outbox(10)
            .await
            .expect("read the outbox on a lost connection"),
        (vec![submit(1, &first), submit(2, &second)], 2),
        "the outbox holds each completion once, in order"
    );

    // Nothing written before the loss is lost or changed.
    let meta = store.sync_meta().await.expect("meta");
    assert_eq!(meta.client_id, meta_before.client_id);
    assert_eq!(meta.next_seq, 3);
    for (response, state) in [
        (&first, LocalSyncState::Waiting { seq: 1 }),
        (&first_draft, LocalSyncState::Draft),
        (&second, LocalSyncState::Waiting { seq: 2 }),
        (&second_draft, LocalSyncState::Draft),
    ] {
        assert_eq!(
            store.response(response.id).await.expect("read"),
            Some(StoredResponse {
                response: response.clone(),
                sync: state,
            })
        );
    }
    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            drafts: 2,
            waiting: 2,
            ..Counts::default()
        }
    );
}

#[wasm_bindgen_test]
fn the_quota_message_tells_the_worker_to_sync_then_free_space() {
    let message = IoFailure::QuotaExceeded.message();
    // Vietnamese, with its diacritics: sync with the button's own label,
    // then free space on the tablet; what was saved is safe.
    for part in [
        "đã đầy",
        "vẫn an toàn",
        "“Đồng bộ ngay”",
        "giải phóng dung lượng",
        "thử lại",
    ] {
        assert!(message.vi.contains(part), "{part:?} in {:?}", message.vi);
    }
    let sync = message.vi.find("Đồng bộ ngay").expect("sync named");
    let free = message.vi.find("giải phóng").expect("freeing named");
    assert!(sync < free, "sync first, then free space: {:?}", message.vi);
    for part in [
        "storage is full",
        "is safe",
        "“Sync now”",
        "free space",
        "try again",
    ] {
        assert!(message.en.contains(part), "{part:?} in {:?}", message.en);
    }
    let sync = message.en.find("Sync now").expect("sync named");
    let free = message.en.find("free space").expect("freeing named");
    assert!(sync < free, "sync first, then free space: {:?}", message.en);
}

#[wasm_bindgen_test]
fn every_error_tells_the_user_what_to_do_in_both_languages_and_says_its_kind() {
    let failures = [
        IoFailure::QuotaExceeded,
        IoFailure::Closed,
        IoFailure::Unavailable("blocked".to_owned()),
        IoFailure::Other("DataError".to_owned()),
    ]
    .map(StorageError::from);
    let refusals = [
        Refusal::NotADraft,
        Refusal::NotCompleted,
        Refusal::NotFound,
        Refusal::Withdrawn,
        Refusal::ReportLocked,
        Refusal::Report(ReportError::TransitionNotAllowed {
            from: ReportStatus::Approved,
            to: ReportStatus::Draft,
        }),
        Refusal::ForumSubmitted,
        Refusal::ForumNotSubmitted,
        Refusal::ForumIncomplete(Localized::new("Hãy ghi địa điểm.", "Enter the place.")),
        Refusal::RecommendationNotFound,
        Refusal::FeedbackAlreadyGiven,
    ]
    .map(StorageError::from);
    for error in failures.iter().chain(&refusals) {
        let message = error.message();
        assert!(
            !message.vi.is_empty() && !message.en.is_empty(),
            "{error:?}"
        );
        assert_ne!(message.vi, message.en, "{error:?}");
    }
    assert!(failures.iter().all(StorageError::is_io));
    assert!(!refusals.iter().any(StorageError::is_io));
}
