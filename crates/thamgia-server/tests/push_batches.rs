//! A push is decided as a batch (core's `push_rules::batch`: a few
//! statements a batch, not a few a mutation): the same mutations sent in
//! one batch of 500 or one push each, in the same order, get exactly the
//! same outcomes and leave exactly the same store. Duplicates inside the
//! batch and of an earlier batch, a seq sent twice in one batch, a
//! withdrawal after a submission (and a submission after a withdrawal), a
//! tombstone of another ward, conflicts, refusals of every kind,
//! corrections. Through the router, as the demo city officer; on SQLite,
//! and on PostgreSQL in the PostgreSQL pass.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, TimeZone, Utc};
use thamgia_core::results::maintained::{CellKey, CellState};
use thamgia_core::{
    AnswerValue, Mutation, MutationChange, MutationOutcome, MutationResult, PushRequest,
    PushResponse, PushStatus, RefusalCode, Response, ResponseStatus, SCHEMA_VERSION,
};
use thamgia_server::seed;
use uuid::Uuid;

mod support;

use support::{server, TestServer};

/// The tablet of the batches under test.
const TABLET: Uuid = Uuid::from_u128(0xBA7C);

/// The collector's tablet that leaves a tombstone of its ward beforehand.
const COLLECTOR_TABLET: Uuid = Uuid::from_u128(0xC011);

/// A response the collector withdrew before the server held it: its
/// tombstone is kept under the collector's ward (00004).
const STRAY_TOMBSTONE: u128 = 3000;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 30, 0)
        .single()
        .expect("a time")
}

/// A valid completed response to the demo survey, id `n`, in one of two
/// wards and started on one of 300 days (so in several results cells).
fn response(n: u128) -> Response {
    let survey = seed::demo_survey().expect("demo survey parses");
    let mut response = seed::sample_response(
        &survey,
        Uuid::from_u128(n),
        n as usize,
        at() + Duration::days((n % 300) as i64),
    );
    if n.is_multiple_of(3) {
        response.ward_code = "00008".to_owned();
    }
    response
}

/// `response(n)` with other answers.
fn altered(n: u128) -> Response {
    let mut response = response(n);
    response.answers.insert(
        "idea_to_be_safer".to_owned(),
        AnswerValue::Text(format!("Ý kiến khác {n}")),
    );
    response
}

fn submit(response: Response) -> MutationChange {
    MutationChange::SubmitResponse { response }
}

fn withdraw(n: u128) -> MutationChange {
    MutationChange::WithdrawResponse {
        response_id: Uuid::from_u128(n),
        withdrawn_at: at(),
    }
}

/// What a mutation is expected to come to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    Applied,
    AlreadyStored,
    Conflict,
    Withdrawn,
    Rejected(RefusalCode),
}

fn kind(outcome: &MutationOutcome) -> Expected {
    match outcome {
        MutationOutcome::Applied => Expected::Applied,
        MutationOutcome::AlreadyStored => Expected::AlreadyStored,
        MutationOutcome::Conflict { .. } => Expected::Conflict,
        MutationOutcome::Withdrawn => Expected::Withdrawn,
        MutationOutcome::Rejected { code, .. } => Expected::Rejected(*code),
    }
}

/// A batch being written: its mutations numbered in turn, and what some
/// of them must come to.
struct Batch {
    mutations: Vec<Mutation>,
    next_seq: u64,
    expected: Vec<(usize, Expected)>,
}

impl Batch {
    fn starting_at(next_seq: u64) -> Batch {
        Batch {
            mutations: Vec::new(),
            next_seq,
            expected: Vec::new(),
        }
    }

    /// Adds `change` at the next seq; returns that seq.
    fn add(&mut self, change: MutationChange, expected: Option<Expected>) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if let Some(expected) = expected {
            self.expected.push((self.mutations.len(), expected));
        }
        self.mutations.push(Mutation { seq, change });
        seq
    }

    /// Sends the mutation at `seq` again, as it was.
    fn again(&mut self, seq: u64, expected: Expected) {
        let mutation = self
            .mutations
            .iter()
            .find(|mutation| mutation.seq == seq)
            .cloned()
            .expect("sent before");
        self.expected.push((self.mutations.len(), expected));
        self.mutations.push(mutation);
    }
}

/// An earlier batch (seqs 1–60, responses 1–60) and the batch of 500
/// under test: seqs 41–60 sent again, then every case, among 400-odd new
/// responses.
fn history() -> (Vec<Mutation>, Batch) {
    let mut earlier = Batch::starting_at(1);
    for n in 1..=60 {
        earlier.add(submit(response(n)), None);
    }
    let mut batch = Batch::starting_at(61);
    // Sent again after an answer that was lost: answered from the log.
    for mutation in &earlier.mutations[40..] {
        batch
            .expected
            .push((batch.mutations.len(), Expected::Applied));
        batch.mutations.push(mutation.clone());
    }
    // New ids from 10,000: the cases below name theirs below that.
    let mut fresh = 10_000..;
    let mut new_responses = |batch: &mut Batch, count: usize| {
        for n in fresh.by_ref().take(count) {
            batch.add(submit(response(n)), Some(Expected::Applied));
        }
    };
    new_responses(&mut batch, 20);
    // Held from the earlier batch: the same content, other content.
    batch.add(submit(response(5)), Some(Expected::AlreadyStored));
    batch.add(submit(altered(6)), Some(Expected::Conflict));
    // Held from earlier in this batch: the same, other content, and that
    // other content once more (kept once, answered a conflict again).
    batch.add(submit(response(10_000)), Some(Expected::AlreadyStored));
    batch.add(submit(altered(10_001)), Some(Expected::Conflict));
    batch.add(submit(altered(10_001)), Some(Expected::Conflict));
    new_responses(&mut batch, 30);
    // A seq sent twice in one batch: a replay of the first.
    let twice = batch.add(submit(response(1100)), Some(Expected::Applied));
    new_responses(&mut batch, 5);
    batch.again(twice, Expected::Applied);
    // Withdrawn after it was stored in this batch, then sent again.
    batch.add(withdraw(10_002), Some(Expected::Withdrawn));
    batch.add(submit(response(10_002)), Some(Expected::Withdrawn));
    // Withdrawn before the server ever held it, then sent.
    batch.add(withdraw(2000), Some(Expected::Withdrawn));
    batch.add(submit(response(2000)), Some(Expected::Withdrawn));
    // Withdrawn after the earlier batch stored it, then sent again.
    batch.add(withdraw(7), Some(Expected::Withdrawn));
    batch.add(submit(response(7)), Some(Expected::Withdrawn));
    new_responses(&mut batch, 40);
    // Refused: answers without a guardian's consent, then the same id
    // valid (nothing of it was stored: it is new).
    let mut no_consent = response(2001);
    no_consent.consent.guardian_consent = None;
    batch.add(
        submit(no_consent),
        Some(Expected::Rejected(RefusalCode::InvalidAnswers)),
    );
    batch.add(submit(response(2001)), Some(Expected::Applied));
    let mut unknown_survey = response(2002);
    unknown_survey.survey_id = "no-such-survey".to_owned();
    batch.add(
        submit(unknown_survey),
        Some(Expected::Rejected(RefusalCode::UnknownSurvey)),
    );
    let mut unknown_ward = response(2003);
    unknown_ward.ward_code = "99999".to_owned();
    batch.add(
        submit(unknown_ward),
        Some(Expected::Rejected(RefusalCode::UnknownWard)),
    );
    let mut draft = response(2004);
    draft.status = ResponseStatus::Draft;
    batch.add(
        submit(draft),
        Some(Expected::Rejected(RefusalCode::NotCompleted)),
    );
    new_responses(&mut batch, 40);
    // A correction of a response stored in this batch, the corrected one
    // sent again, and a correction of a response nobody holds.
    let mut correction = response(2005);
    correction.ward_code = response(10_003).ward_code;
    correction.corrects = Some(Uuid::from_u128(10_003));
    batch.add(submit(correction), Some(Expected::Applied));
    batch.add(submit(response(10_003)), Some(Expected::AlreadyStored));
    let mut lost = response(2007);
    lost.corrects = Some(Uuid::from_u128(999_999));
    batch.add(
        submit(lost),
        Some(Expected::Rejected(RefusalCode::CorrectionRefused)),
    );
    // Withdrawn on the tablet before it was ever sent.
    let mut withdrawn = response(2006);
    withdrawn.status = ResponseStatus::Withdrawn;
    withdrawn.answers.clear();
    batch.add(submit(withdrawn), Some(Expected::Withdrawn));
    // Another ward's tombstone does not reach it: dropped, and the
    // response stored; sent again, it is held.
    let mut other_ward = response(STRAY_TOMBSTONE);
    other_ward.ward_code = "00008".to_owned();
    batch.add(submit(other_ward.clone()), Some(Expected::Applied));
    batch.add(submit(other_ward), Some(Expected::AlreadyStored));
    let last_twice = batch.add(submit(response(1200)), Some(Expected::Applied));
    batch.again(last_twice, Expected::Applied);
    // Fill the batch to 500 with new responses.
    let room = 500 - batch.mutations.len();
    new_responses(&mut batch, room);
    (earlier.mutations, batch)
}

async fn push(server: &TestServer, mutations: Vec<Mutation>) -> PushResponse {
    let request = PushRequest {
        client_id: TABLET,
        schema_version: SCHEMA_VERSION,
        mutations,
    };
    let (status, answer) = server.post("/api/v1/sync/push", &request).await;
    assert_eq!(status, StatusCode::OK);
    answer
}

/// Pushes each mutation alone, in order; the results of every push.
async fn one_by_one(server: &TestServer, mutations: &[Mutation]) -> Vec<MutationResult> {
    let mut results = Vec::new();
    for mutation in mutations {
        let answer = push(server, vec![mutation.clone()]).await;
        assert_eq!(answer.status, PushStatus::Ok, "seq {}", mutation.seq);
        results.extend(answer.results);
    }
    results
}

/// The collector of ward 00004 withdraws a response the server never
/// held: a tombstone of its ward.
async fn leave_a_stray_tombstone(server: &TestServer) {
    let token = server.sign_in("badinh").await;
    let request = PushRequest {
        client_id: COLLECTOR_TABLET,
        schema_version: SCHEMA_VERSION,
        mutations: vec![Mutation {
            seq: 1,
            change: withdraw(STRAY_TOMBSTONE),
        }],
    };
    let (status, answer): (_, PushResponse) =
        server.post_as(&token, "/api/v1/sync/push", &request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer.results[0].outcome, MutationOutcome::Withdrawn);
}

/// Everything the two stores hold, compared: responses (as stored, by
/// whom), which count, conflicts, refused records (but when they
/// arrived), tombstones, and every results cell's revision and removals.
async fn assert_same_store(batched: &TestServer, single: &TestServer, ids: &[Uuid]) {
    let (left, right) = (batched.database(), single.database());
    assert_eq!(
        left.response_count().await.expect("count"),
        right.response_count().await.expect("count")
    );
    assert_eq!(
        left.counted_ids().await.expect("ids"),
        right.counted_ids().await.expect("ids")
    );
    assert_eq!(
        left.conflict_count().await.expect("count"),
        right.conflict_count().await.expect("count")
    );
    assert_eq!(
        left.rejected_count().await.expect("count"),
        right.rejected_count().await.expect("count")
    );
    for id in ids {
        let held = |stored: Option<thamgia_server::database::StoredResponse>| {
            stored.map(|stored| (stored.response, stored.client_id))
        };
        assert_eq!(
            held(left.response(*id).await.expect("read")),
            held(right.response(*id).await.expect("read")),
            "response {id}"
        );
        assert_eq!(
            left.is_withdrawn(*id).await.expect("read"),
            right.is_withdrawn(*id).await.expect("read"),
            "tombstone of {id}"
        );
    }
    let refused = |mut records: Vec<thamgia_core::QuarantinedRecord>| {
        for record in &mut records {
            record.received_at = String::new();
        }
        records.sort_by_key(|record| record.seq);
        records
    };
    assert_eq!(
        refused(left.quarantined(None, 500).await.expect("read")),
        refused(right.quarantined(None, 500).await.expect("read"))
    );
    let survey = seed::demo_survey().expect("demo survey parses");
    assert_eq!(
        cells(left.results_cells(&survey.id).await.expect("cells")),
        cells(right.results_cells(&survey.id).await.expect("cells"))
    );
}

/// Results cells in key order.
fn cells(mut cells: Vec<(CellKey, CellState)>) -> Vec<(CellKey, CellState)> {
    cells.sort_by(|a, b| a.0.cmp(&b.0));
    cells
}

#[tokio::test]
async fn a_batch_of_500_gets_the_outcomes_and_leaves_the_store_of_the_same_mutations_one_by_one() {
    let (earlier, batch) = history();
    assert_eq!(batch.mutations.len(), 500);
    let batched = server().await;
    let single = server().await;
    leave_a_stray_tombstone(&batched).await;
    leave_a_stray_tombstone(&single).await;

    // The earlier batch, in one push on one server and one by one on the
    // other.
    let first = push(&batched, earlier.clone()).await;
    assert_eq!((first.status.clone(), first.last_seq), (PushStatus::Ok, 60));
    let mut batched_results = first.results;
    let mut single_results = one_by_one(&single, &earlier).await;

    let answer = push(&batched, batch.mutations.clone()).await;
    assert_eq!(answer.status, PushStatus::Ok);
    assert_eq!(answer.results.len(), 500, "every mutation considered");
    for (index, expected) in &batch.expected {
        let result = &answer.results[*index];
        assert_eq!(
            kind(&result.outcome),
            *expected,
            "seq {} ({:?})",
            result.seq,
            result.outcome
        );
    }
    let last_seq = answer.last_seq;
    batched_results.extend(answer.results);
    single_results.extend(one_by_one(&single, &batch.mutations).await);
    assert_eq!(batched_results, single_results);

    // Both tablets carry on from the same last seq.
    let next = push(&batched, Vec::new()).await;
    assert_eq!(next.last_seq, last_seq);
    assert_eq!(push(&single, Vec::new()).await.last_seq, last_seq);

    let mut ids: Vec<Uuid> = earlier
        .iter()
        .chain(&batch.mutations)
        .map(|mutation| match &mutation.change {
            MutationChange::SubmitResponse { response } => response.id,
            MutationChange::WithdrawResponse { response_id, .. } => *response_id,
            other => panic!("not in this history: {other:?}"),
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_same_store(&batched, &single, &ids).await;
    let survey = seed::demo_survey().expect("demo survey parses");
    let reached = batched
        .database()
        .results_cells(&survey.id)
        .await
        .expect("cells");
    assert!(reached.len() > 2, "the batch reaches several cells");

    // The whole batch sent again: every answer from the log, nothing
    // stored twice.
    let count = batched.database().response_count().await.expect("count");
    let replay = push(&batched, batch.mutations.clone()).await;
    assert_eq!(replay.status, PushStatus::Ok);
    assert_eq!(
        replay.results,
        batched_results[earlier.len()..].to_vec(),
        "a replay is answered as the first time"
    );
    assert_eq!(
        batched.database().response_count().await.expect("count"),
        count
    );
}

#[tokio::test]
async fn a_reused_seq_or_a_gap_inside_a_batch_stops_it_where_one_by_one_would() {
    let batched = server().await;
    let single = server().await;
    let reused = vec![
        Mutation {
            seq: 1,
            change: submit(response(1)),
        },
        Mutation {
            seq: 2,
            change: submit(response(2)),
        },
        Mutation {
            seq: 3,
            change: submit(response(3)),
        },
        // Seq 2 again with another record: the tablet lost its numbering.
        Mutation {
            seq: 2,
            change: submit(response(9)),
        },
        Mutation {
            seq: 4,
            change: submit(response(4)),
        },
    ];
    let answer = push(&batched, reused.clone()).await;
    assert_eq!(answer.status, PushStatus::SeqReused { seq: 2 });
    assert_eq!(answer.last_seq, 3);
    let applied = one_by_one(&single, &reused[..3]).await;
    assert_eq!(answer.results, applied);
    let alone = push(&single, vec![reused[3].clone()]).await;
    assert_eq!(alone.status, PushStatus::SeqReused { seq: 2 });
    assert!(alone.results.is_empty());

    let gap = vec![
        Mutation {
            seq: 4,
            change: submit(response(4)),
        },
        Mutation {
            seq: 6,
            change: submit(response(6)),
        },
    ];
    let answer = push(&batched, gap.clone()).await;
    assert_eq!(answer.status, PushStatus::Gap { expected_seq: 5 });
    assert_eq!(answer.last_seq, 4);
    assert_eq!(answer.results, one_by_one(&single, &gap[..1]).await);
    let alone = push(&single, vec![gap[1].clone()]).await;
    assert_eq!(alone.status, PushStatus::Gap { expected_seq: 5 });
    let ids: Vec<Uuid> = [1, 2, 3, 4, 6, 9].map(Uuid::from_u128).to_vec();
    assert_eq!(batched.database().response_count().await.expect("count"), 4);
    assert_same_store(&batched, &single, &ids).await;
}
