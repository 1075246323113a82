//! How long the tablet waits for the server: every request gets a deadline
//! sized to what it carries.
//!
//! A server that accepts a connection and never answers (a black-holed
//! mobile link, an overloaded server) must not hold a round forever: the
//! request is given up at its deadline and the round fails with
//! [`SyncFailure::TimedOut`], which backs off like any other failure. Nothing
//! is lost by giving up: the outbox is only emptied by an answer, and a push
//! the server applied before its answer was lost is answered again, with the
//! outcome logged the first time, when the same seq numbers are sent again.
//!
//! An exchange has two deadlines, so that a large transfer on a slow link is
//! never cut while a silent server is still found quickly:
//!
//! - [`answer_deadline`]: from sending until the answer starts (its status
//!   line and headers). It covers uploading the request body, so it grows
//!   with the bytes sent;
//! - [`body_deadline`]: from the answer's start until its body is read,
//!   sized to the length the server announced.
//!
//! Both allow [`BASE`] for the server's work and the round trips, plus
//! [`PER_100_KIB`] per 100 KiB carried (100 KiB takes 0.82 s at 1 Mbit/s, a
//! poor mobile link), up to the time for [`LARGEST_TRANSFER_BYTES`].

use std::time::Duration;

#[cfg(doc)]
use super::SyncFailure;

/// Time for the server to do its work and for the round trips of a poor
/// mobile link, whatever the size of the exchange.
pub const BASE: Duration = Duration::from_secs(15);

/// Time allowed per 100 KiB carried: 100 KiB take 0.82 s at 1 Mbit/s.
pub const PER_100_KIB: Duration = Duration::from_secs(1);

/// The largest body either side sends: the server's limit on a request
/// body (16 MiB). A longer answer, or one whose length is not announced,
/// gets the deadline of this size.
pub const LARGEST_TRANSFER_BYTES: u64 = 16 * 1024 * 1024;

const HUNDRED_KIB: u64 = 100 * 1024;

/// The time to carry `bytes` on the slowest link planned for, plus [`BASE`];
/// `bytes` above [`LARGEST_TRANSFER_BYTES`] count as that many.
fn sized(bytes: u64) -> Duration {
    let hundreds = bytes.min(LARGEST_TRANSFER_BYTES).div_ceil(HUNDRED_KIB);
    let hundreds = u32::try_from(hundreds).expect("at most 164 hundreds of KiB");
    BASE + PER_100_KIB * hundreds
}

/// How long to wait, from sending a request whose body is `sent_bytes` long
/// (0 for none), for the answer to start.
pub fn answer_deadline(sent_bytes: u64) -> Duration {
    sized(sent_bytes)
}

/// How long to wait, once an answer started, for its body to be read:
/// sized to the length the server announced (`Content-Length`), or the
/// longest there is when it announced none.
pub fn body_deadline(announced_bytes: Option<u64>) -> Duration {
    sized(announced_bytes.unwrap_or(LARGEST_TRANSFER_BYTES))
}

/// The longest any deadline lasts: the time for the largest transfer.
pub fn longest_deadline() -> Duration {
    sized(LARGEST_TRANSFER_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync_client::{
        SyncClient, SyncCommand, SyncConfig, SyncEvent, SyncFailure, SyncPhase, Trigger,
    };
    use uuid::Uuid;

    /// Seconds a transfer of `bytes` takes at `bits_per_second`.
    fn transfer_seconds(bytes: u64, bits_per_second: u64) -> f64 {
        (bytes * 8) as f64 / bits_per_second as f64
    }

    #[test]
    fn small_requests_wait_the_base_and_no_longer() {
        assert_eq!(answer_deadline(0), BASE);
        assert_eq!(answer_deadline(1), BASE + PER_100_KIB);
        assert_eq!(body_deadline(Some(0)), BASE);
        assert!(
            answer_deadline(4 * 1024) < Duration::from_secs(20),
            "a pull is given up well within half a minute"
        );
    }

    #[test]
    fn the_largest_push_is_not_cut_on_a_one_megabit_link() {
        let one_megabit = 1_000_000;
        for bytes in [HUNDRED_KIB, 1024 * 1024, LARGEST_TRANSFER_BYTES] {
            let needed = BASE.as_secs_f64() + transfer_seconds(bytes, one_megabit);
            assert!(
                answer_deadline(bytes).as_secs_f64() >= needed,
                "{bytes} bytes: {:?} < {needed} s",
                answer_deadline(bytes)
            );
            assert!(body_deadline(Some(bytes)).as_secs_f64() >= needed);
        }
    }

    #[test]
    fn deadlines_grow_with_the_size_up_to_a_cap() {
        let sizes = [
            0,
            10 * 1024,
            500 * 1024,
            4 * 1024 * 1024,
            LARGEST_TRANSFER_BYTES,
        ];
        let deadlines: Vec<Duration> = sizes.iter().map(|&bytes| answer_deadline(bytes)).collect();
        assert!(deadlines.windows(2).all(|pair| pair[0] <= pair[1]));
        assert_eq!(answer_deadline(LARGEST_TRANSFER_BYTES), longest_deadline());
        assert_eq!(
            answer_deadline(10 * LARGEST_TRANSFER_BYTES),
            longest_deadline()
        );
        assert_eq!(body_deadline(None), longest_deadline());
        assert!(longest_deadline() < Duration::from_secs(5 * 60));
    }

    #[test]
    fn a_timed_out_push_keeps_the_outbox_and_backs_off_like_any_failure() {
        let config = SyncConfig::default();
        let mut client = SyncClient::new(config.clone(), Uuid::from_u128(7), 0, None);
        client.handle(SyncEvent::Requested(Trigger::LocalChange), 0, 0);
        let mutation = crate::protocol::Mutation {
            seq: 1,
            change: crate::protocol::MutationChange::WithdrawResponse {
                response_id: Uuid::from_u128(9),
                withdrawn_at: chrono::DateTime::UNIX_EPOCH,
            },
        };
        let commands = client.handle(
            SyncEvent::OutboxRead {
                mutations: vec![mutation.clone()],
                pending_total: 1,
            },
            0,
            0,
        );
        let Some(SyncCommand::SendPush(sent)) = commands.first().cloned() else {
            panic!("a push is sent: {commands:?}");
        };

        let waited = answer_deadline(1_000);
        let failed_at = waited.as_millis() as i64;
        let timed_out = SyncFailure::TimedOut {
            waited_ms: waited.as_millis() as u64,
        };
        let commands = client.handle(SyncEvent::PushFailed(timed_out.clone()), failed_at, 0);
        // Only a wake-up: nothing is applied, so no outbox entry leaves.
        let retry_at = failed_at + client.backoff_delay_ms(1, 0);
        assert_eq!(
            commands,
            vec![SyncCommand::ScheduleWake { at_ms: retry_at }]
        );
        let status = client.status();
        assert_eq!(status.phase, SyncPhase::WaitingToRetry);
        assert_eq!(status.next_retry_ms, Some(retry_at));
        assert_eq!(status.last_failure, Some((failed_at, timed_out)));

        // The retry sends the same numbers again: the server answers a push
        // it applied before with the outcome it logged then.
        client.handle(SyncEvent::Requested(Trigger::Timer), retry_at, 0);
        let commands = client.handle(
            SyncEvent::OutboxRead {
                mutations: vec![mutation],
                pending_total: 1,
            },
            retry_at,
            0,
        );
        assert_eq!(commands, vec![SyncCommand::SendPush(sent)]);
    }

    #[test]
    fn the_worker_is_told_the_server_did_not_answer_in_both_languages() {
        let message = SyncFailure::TimedOut { waited_ms: 16_000 }.message();
        assert!(
            message.vi.starts_with("Máy chủ không trả lời"),
            "{}",
            message.vi
        );
        assert!(
            message.en.starts_with("The server did not answer"),
            "{}",
            message.en
        );
        assert!(message.vi.contains("16 giây") && message.en.contains("16 seconds"));
    }
}
