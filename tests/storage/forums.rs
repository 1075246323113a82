//! Children's forums: submission, problems, answers and feedback pulled,
//! refusals, and a renumbering that queues again what the server had.

use chrono::NaiveDate;
use thamgia::storage::{LocalSyncState, Refusal, StorageError, Store, StoredForum};
use thamgia_core::forum::{
    AuthorityAnswer, ChildFeedback, Decision, FeedbackChannel, Forum, Opinion, ParticipantCount,
    Recommendation, RecommendationStatus, Topic,
};
use thamgia_core::protocol::{Change, ChangeEntity, Mutation, MutationChange};
use thamgia_core::report::{FieldContent, FieldKey};
use thamgia_core::{AgeBand, Localized, MutationOutcome, MutationResult, Sex};
use uuid::Uuid;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::reports::*;
use crate::support::*;

pub(crate) fn day(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, month, day).expect("a valid date")
}

/// The id of the `index`-th recommendation of forum `number`.
pub(crate) fn recommendation_id(number: u128, index: u128) -> Uuid {
    Uuid::from_u128(number * 100 + index)
}

/// A forum of 32 children with one topic and one recommendation, ready to
/// submit but not marked submitted.
pub(crate) fn forum(number: u128, held_on: NaiveDate) -> Forum {
    let mut forum = Forum::new(Uuid::from_u128(number), "00004", held_on, at_minute(0));
    forum.place = "Nhà văn hoá tổ dân phố 5".to_owned();
    forum.facilitators = "Chị Lan, anh Minh".to_owned();
    forum.adult_supporters = 7;
    forum.consents_collected = 32;
    forum.participants = vec![
        ParticipantCount {
            age_band: AgeBand::From10To12,
            sex: Sex::Female,
            count: 17,
        },
        ParticipantCount {
            age_band: AgeBand::From13To15,
            sex: Sex::Male,
            count: 15,
        },
    ];
    forum.topics = vec![Topic {
        id: Uuid::from_u128(number * 1000),
        title: "An toàn trên đường đến trường".to_owned(),
        opinions: vec![Opinion {
            id: Uuid::from_u128(number * 1000 + 1),
            text: "Ngõ 12 tối quá, chúng em sợ khi đi học thêm về.".to_owned(),
            smiley: Some(2),
            votes: 21,
        }],
    }];
    forum.recommendations = vec![Recommendation {
        id: recommendation_id(number, 1),
        text: "Lắp đèn chiếu sáng ở ngõ 12".to_owned(),
        authority: "UBND phường Ba Đình".to_owned(),
        votes: 25,
    }];
    forum
}

pub(crate) fn submitted(mut forum: Forum) -> Forum {
    forum.submitted = true;
    forum
}

pub(crate) fn submit_forum_mutation(seq: u64, forum: &Forum) -> Mutation {
    Mutation {
        seq,
        change: MutationChange::SubmitForum {
            forum: forum.clone(),
        },
    }
}

pub(crate) fn answer(recommendation_id: Uuid, decision: Decision) -> AuthorityAnswer {
    AuthorityAnswer {
        recommendation_id,
        decision,
        reasons: "Đã có trong kế hoạch chỉnh trang đô thị".to_owned(),
        actions: "Lắp 3 đèn trước ngày 31/12".to_owned(),
        answered_on: day(12, 1),
    }
}

pub(crate) fn feedback(recommendation_id: Uuid, channel: FeedbackChannel) -> ChildFeedback {
    ChildFeedback {
        recommendation_id,
        given_on: day(12, 10),
        channel,
        note: "Đọc câu trả lời của phường ở buổi chào cờ".to_owned(),
    }
}

pub(crate) async fn stored_forum(store: &Store, id: Uuid) -> StoredForum {
    store
        .forum(id)
        .await
        .expect("read the forum")
        .expect("the forum is stored")
}

#[wasm_bindgen_test]
async fn submitting_a_forum_writes_it_and_its_outbox_entry_together_and_survives_reopening() {
    let name = unique_database_name("forum-submit");
    let response = completed(1, 0);
    let draft = forum(7, day(11, 20));
    let older = forum(8, day(11, 2));
    {
        let store = Store::open(&name).await.expect("open");
        store.complete_response(&response).await.expect("complete");
        store.save_forum_draft(&older).await.expect("save a draft");
        store.save_forum_draft(&draft).await.expect("save a draft");
        assert_eq!(
            store.forums().await.expect("forums"),
            vec![
                StoredForum::draft(draft.clone()),
                StoredForum::draft(older.clone())
            ],
            "the latest held first"
        );
        assert_eq!(
            store
                .submit_forum(&submitted(draft.clone()))
                .await
                .expect("submit"),
            2
        );
        // A double tap queues nothing more.
        assert_eq!(
            store
                .submit_forum(&submitted(draft.clone()))
                .await
                .expect("submit again"),
            2
        );
    }

    // After a reload the forum waits, its mutation follows the response's,
    // and it can no longer change.
    let store = Store::open(&name).await.expect("open again");
    let waiting = stored_forum(&store, draft.id).await;
    assert_eq!(waiting.forum, submitted(draft.clone()));
    assert_eq!(waiting.sync, LocalSyncState::Waiting { seq: 2 });
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (
            vec![
                submit(1, &response),
                submit_forum_mutation(2, &submitted(draft.clone()))
            ],
            2
        )
    );
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 3);
    assert!(matches!(
        store.save_forum_draft(&draft).await,
        Err(StorageError::Refused(Refusal::ForumSubmitted))
    ));
    assert!(matches!(
        store.discard_forum_draft(draft.id).await,
        Err(StorageError::Refused(Refusal::ForumSubmitted))
    ));
    let mut changed = submitted(draft.clone());
    changed.place = "Trường THCS Giảng Võ".to_owned();
    assert!(matches!(
        store.submit_forum(&changed).await,
        Err(StorageError::Refused(Refusal::ForumSubmitted))
    ));
    let mut other_draft = submitted(draft.clone());
    other_draft.submitted = false;
    assert!(matches!(
        store.save_forum_draft(&other_draft).await,
        Err(StorageError::Refused(Refusal::ForumSubmitted))
    ));
    assert_eq!(stored_forum(&store, draft.id).await, waiting);

    // A draft can be discarded.
    store
        .discard_forum_draft(older.id)
        .await
        .expect("discard the draft");
    assert_eq!(store.forum(older.id).await.expect("read"), None);

    // A renumbering moves the forum with its mutation.
    store
        .apply_push_results(1, &[result(1, MutationOutcome::Applied)])
        .await
        .expect("apply the push results");
    store
        .renumber_outbox(Uuid::from_u128(0xC1E27))
        .await
        .expect("renumber");
    assert_eq!(
        stored_forum(&store, draft.id).await.sync,
        LocalSyncState::Waiting { seq: 1 }
    );
    // The response the town hall had acknowledged is queued again after it
    // (the server asking for a new numbering may have lost it).
    let (outbox, total) = store.read_outbox(10).await.expect("read the outbox");
    assert_eq!(total, 2);
    assert_eq!(
        outbox[0],
        submit_forum_mutation(1, &submitted(draft.clone()))
    );
    assert!(
        matches!(&outbox[1].change, MutationChange::SubmitResponse { .. }) && outbox[1].seq == 2
    );

    // The town hall takes both (the response it still had: AlreadyStored).
    store
        .apply_push_results(
            2,
            &[
                result(1, MutationOutcome::Applied),
                result(2, MutationOutcome::AlreadyStored),
            ],
        )
        .await
        .expect("apply the push results");
    assert!(matches!(
        stored_forum(&store, draft.id).await.sync,
        LocalSyncState::Synced { .. }
    ));
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
}

#[wasm_bindgen_test]
async fn a_forum_with_problems_cannot_be_submitted() {
    let store = Store::open(&unique_database_name("forum-problems"))
        .await
        .expect("open");
    let mut draft = forum(7, day(11, 20));
    draft.place = "  ".to_owned();
    draft.recommendations[0].authority.clear();
    store.save_forum_draft(&draft).await.expect("save a draft");

    match store.submit_forum(&submitted(draft.clone())).await {
        Err(StorageError::Refused(Refusal::ForumIncomplete(problem))) => {
            assert_eq!(
                problem,
                Localized::new("Hãy ghi địa điểm.", "Enter the place.")
            );
            assert_eq!(Refusal::ForumIncomplete(problem.clone()).message(), problem);
        }
        other => panic!("expected the first problem, got {other:?}"),
    }
    assert!(matches!(
        store.submit_forum(&forum(7, day(11, 20))).await,
        Err(StorageError::Refused(Refusal::ForumNotSubmitted))
    ));

    // Nothing was written: the draft is still a draft, the outbox empty,
    // and the next seq unused.
    assert_eq!(
        stored_forum(&store, draft.id).await,
        StoredForum::draft(draft.clone())
    );
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 1);

    // Circular 29 warnings do not stop it: 12 children with one adult.
    draft.place = "Nhà văn hoá tổ dân phố 5".to_owned();
    draft.recommendations[0].authority = "UBND phường Ba Đình".to_owned();
    draft.participants.truncate(1);
    draft.participants[0].count = 12;
    draft.adult_supporters = 1;
    assert!(!draft.warnings().is_empty());
    assert_eq!(
        store.submit_forum(&submitted(draft)).await.expect("submit"),
        1
    );
}

#[wasm_bindgen_test]
async fn pulled_answers_and_feedback_attach_to_the_forum_holding_the_recommendation() {
    let store = Store::open(&unique_database_name("forum-pull"))
        .await
        .expect("open");
    // Ours, submitted here and taken by the town hall.
    let ours = submitted(forum(1, day(11, 20)));
    store
        .save_forum_draft(&forum(1, day(11, 20)))
        .await
        .expect("save");
    store.submit_forum(&ours).await.expect("submit");
    store
        .apply_push_results(1, &[result(1, MutationOutcome::Applied)])
        .await
        .expect("apply");
    let ours_before = stored_forum(&store, ours.id).await;
    // A colleague's, with two recommendations.
    let mut theirs = submitted(forum(2, day(11, 5)));
    theirs.recommendations.push(Recommendation {
        id: recommendation_id(2, 2),
        text: "Mở sân chơi ở nhà văn hoá vào cuối tuần".to_owned(),
        authority: "UBND phường Ba Đình".to_owned(),
        votes: 30,
    });
    let mut ours_as_pulled = ours.clone();
    ours_as_pulled.place = "(bản của thành phố)".to_owned();

    let first = answer(recommendation_id(2, 2), Decision::Partly);
    let revised = answer(recommendation_id(2, 2), Decision::Accepted);
    let colleagues_feedback = feedback(recommendation_id(2, 2), FeedbackChannel::School);
    store
        .apply_pull(
            &[
                Change {
                    seq: 10,
                    entity: ChangeEntity::ForumStored {
                        forum: theirs.clone(),
                    },
                },
                // Our own forum coming back does not replace ours.
                Change {
                    seq: 11,
                    entity: ChangeEntity::ForumStored {
                        forum: ours_as_pulled,
                    },
                },
                Change {
                    seq: 12,
                    entity: ChangeEntity::RecommendationAnswered {
                        answer: first.clone(),
                    },
                },
                Change {
                    seq: 13,
                    entity: ChangeEntity::RecommendationAnswered {
                        answer: answer(recommendation_id(1, 1), Decision::Rejected),
                    },
                },
                Change {
                    seq: 14,
                    entity: ChangeEntity::RecommendationAnswered {
                        answer: revised.clone(),
                    },
                },
                Change {
                    seq: 15,
                    entity: ChangeEntity::FeedbackRecorded {
                        feedback: colleagues_feedback.clone(),
                    },
                },
                // About a forum this tablet does not hold: dropped.
                Change {
                    seq: 16,
                    entity: ChangeEntity::RecommendationAnswered {
                        answer: answer(recommendation_id(9, 1), Decision::Accepted),
                    },
                },
            ],
            16,
        )
        .await
        .expect("apply the pull");

    assert_eq!(store.sync_meta().await.expect("meta").cursor, 16);
    let forums = store.forums().await.expect("forums");
    assert_eq!(
        forums
            .iter()
            .map(|stored| stored.forum.id)
            .collect::<Vec<_>>(),
        vec![ours.id, theirs.id]
    );
    let held_theirs = stored_forum(&store, theirs.id).await;
    assert_eq!(held_theirs.forum, theirs);
    assert!(matches!(held_theirs.sync, LocalSyncState::Synced { .. }));
    assert_eq!(held_theirs.answer(recommendation_id(2, 2)), Some(&revised));
    assert_eq!(held_theirs.answer(recommendation_id(2, 1)), None);
    assert_eq!(
        held_theirs.feedback_on(recommendation_id(2, 2)),
        Some(&colleagues_feedback)
    );
    assert_eq!(
        held_theirs.recommendation_status(recommendation_id(2, 1)),
        RecommendationStatus::AwaitingAnswer
    );
    assert_eq!(
        held_theirs.recommendation_status(recommendation_id(2, 2)),
        RecommendationStatus::Closed
    );
    let held_ours = stored_forum(&store, ours.id).await;
    assert_eq!(held_ours.forum, ours_before.forum);
    assert_eq!(held_ours.sync, ours_before.sync);
    assert_eq!(
        held_ours.recommendation_status(recommendation_id(1, 1)),
        RecommendationStatus::AwaitingFeedback
    );

    // Feedback recorded here: on its forum and in the outbox together.
    let told = feedback(recommendation_id(1, 1), FeedbackChannel::Meeting);
    assert_eq!(store.record_feedback(&told).await.expect("record"), 2);
    assert_eq!(store.record_feedback(&told).await.expect("again"), 2);
    assert!(matches!(
        store
            .record_feedback(&feedback(recommendation_id(1, 1), FeedbackChannel::Online))
            .await,
        Err(StorageError::Refused(Refusal::FeedbackAlreadyGiven))
    ));
    assert!(matches!(
        store
            .record_feedback(&feedback(recommendation_id(9, 1), FeedbackChannel::Online))
            .await,
        Err(StorageError::Refused(Refusal::RecommendationNotFound))
    ));
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (
            vec![Mutation {
                seq: 2,
                change: MutationChange::RecordFeedback {
                    feedback: told.clone()
                },
            }],
            1
        )
    );
    assert_eq!(
        stored_forum(&store, ours.id)
            .await
            .recommendation_status(recommendation_id(1, 1)),
        RecommendationStatus::Closed
    );

    // Acknowledged, it leaves the outbox and stays on its forum.
    store
        .apply_push_results(2, &[result(2, MutationOutcome::Applied)])
        .await
        .expect("apply");
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
    assert_eq!(
        stored_forum(&store, ours.id)
            .await
            .feedback_on(recommendation_id(1, 1)),
        Some(&told)
    );
    assert_eq!(store.record_feedback(&told).await.expect("again"), 0);

    // Feedback on a draft's recommendation is refused.
    store
        .save_forum_draft(&forum(3, day(12, 1)))
        .await
        .expect("save");
    assert!(matches!(
        store
            .record_feedback(&feedback(recommendation_id(3, 1), FeedbackChannel::Notice))
            .await,
        Err(StorageError::Refused(Refusal::ForumNotSubmitted))
    ));
}

#[wasm_bindgen_test]
async fn a_refused_forum_keeps_its_reason() {
    let store = Store::open(&unique_database_name("forum-refused"))
        .await
        .expect("open");
    let refused = submitted(forum(1, day(11, 20)));
    let duplicate = submitted(forum(2, day(11, 21)));
    store.submit_forum(&refused).await.expect("submit");
    store.submit_forum(&duplicate).await.expect("submit");
    let reason = Localized::new("Thiếu cơ quan nhận", "No authority");
    let conflict = Localized::new("Trùng mã", "Same id");
    store
        .apply_push_results(
            2,
            &[
                result(
                    1,
                    MutationOutcome::Rejected {
                        code: thamgia_core::RefusalCode::InvalidRecord,
                        message: reason.clone(),
                    },
                ),
                result(
                    2,
                    MutationOutcome::Conflict {
                        message: conflict.clone(),
                    },
                ),
            ],
        )
        .await
        .expect("apply");
    assert_eq!(
        stored_forum(&store, refused.id).await.sync,
        LocalSyncState::Rejected { message: reason }
    );
    assert_eq!(
        stored_forum(&store, duplicate.id).await.sync,
        LocalSyncState::Conflict { message: conflict }
    );
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
}

/// A server restored from an older backup asks for a new numbering (a
/// gap, or a change log shorter than the tablet's cursor): the renumbering
/// queues again everything the tablet holds that the server had
/// acknowledged, each keyed by its own id, so the server gets back what it
/// lost and nothing counts twice. Another tablet's report edit, pulled
/// here, is that tablet's to send.
#[wasm_bindgen_test]
async fn a_renumbering_queues_again_everything_the_server_had_acknowledged() {
    let store = Store::open(&unique_database_name("requeue"))
        .await
        .expect("open");
    let kept = completed(1, 0);
    let withdrawn = completed(2, 5);
    store.complete_response(&kept).await.expect("complete");
    store.complete_response(&withdrawn).await.expect("complete");
    let held = submitted(forum(7, day(11, 20)));
    store.submit_forum(&held).await.expect("submit the forum");
    let own_edit = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(31.0),
            "Lan".to_owned(),
            NOW_MS,
        )
        .await
        .expect("edit");
    let acknowledged: Vec<MutationResult> = (1..=4)
        .map(|seq| result(seq, MutationOutcome::Applied))
        .collect();
    store
        .apply_push_results(4, &acknowledged)
        .await
        .expect("acknowledged");
    let told = feedback(recommendation_id(7, 1), FeedbackChannel::School);
    store.record_feedback(&told).await.expect("feedback");
    store
        .withdraw_response(withdrawn.id, at_minute(30))
        .await
        .expect("withdraw");
    store
        .apply_push_results(
            6,
            &[
                result(5, MutationOutcome::Applied),
                result(6, MutationOutcome::Withdrawn),
            ],
        )
        .await
        .expect("acknowledged");
    let theirs = remote_value_edit(0xB0B, NOW_MS + 60_000, 29.0, "Minh");
    store
        .apply_pull(
            &[Change {
                seq: 1,
                entity: ChangeEntity::ReportFieldEdited {
                    edit: theirs.clone(),
                },
            }],
            1,
        )
        .await
        .expect("pulled");
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);

    store
        .renumber_outbox(Uuid::from_u128(0xC1E27))
        .await
        .expect("renumber");

    let (outbox, total) = store.read_outbox(20).await.expect("read the outbox");
    let changes: Vec<&MutationChange> = outbox.iter().map(|entry| &entry.change).collect();
    assert_eq!(total, 5, "{changes:?}");
    assert_eq!(
        outbox.iter().map(|entry| entry.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    let has =
        |wanted: &dyn Fn(&MutationChange) -> bool| changes.iter().any(|change| wanted(change));
    assert!(has(
        &|change| matches!(change, MutationChange::SubmitResponse { response } if response.id == kept.id)
    ));
    assert!(has(
        &|change| matches!(change, MutationChange::WithdrawResponse { response_id, .. } if *response_id == withdrawn.id)
    ));
    assert!(
        !has(
            &|change| matches!(change, MutationChange::SubmitResponse { response } if response.id == withdrawn.id)
        ),
        "a tombstone is sent as its withdrawal, never as answers"
    );
    assert!(has(
        &|change| matches!(change, MutationChange::SubmitForum { forum } if forum.id == held.id)
    ));
    assert!(has(
        &|change| matches!(change, MutationChange::RecordFeedback { feedback } if *feedback == told)
    ));
    assert!(has(
        &|change| matches!(change, MutationChange::EditReportField { edit } if *edit == own_edit)
    ));
    assert!(
        !has(
            &|change| matches!(change, MutationChange::EditReportField { edit } if *edit == theirs)
        ),
        "another tablet's edit is not this tablet's to send"
    );
    // The re-sent response and forum show as waiting again; the tombstone
    // stays a tombstone.
    assert!(matches!(
        sync_of(&store, &kept).await,
        LocalSyncState::Waiting { .. }
    ));
    assert_eq!(sync_of(&store, &withdrawn).await, LocalSyncState::Withdrawn);
    assert!(matches!(
        stored_forum(&store, held.id).await.sync,
        LocalSyncState::Waiting { .. }
    ));
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 6);
}
