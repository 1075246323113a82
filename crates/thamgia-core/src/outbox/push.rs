//! What the town hall's answer to a push does to the records that waited
//! for it.
//!
//! The tablet keeps each record with its sync state; once a push is
//! acknowledged through some seq, every mutation up to it has an answer
//! (or none, which counts as stored). These functions decide the record's
//! new state; the browser app applies them to its IndexedDB records.

use crate::localized::Localized;
use crate::protocol::MutationOutcome;
use crate::ResponseStatus;

/// Where the town hall's answer leaves a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    /// The town hall stored it (or already held it).
    Synced,
    /// The town hall refused it, for this reason.
    Rejected(Localized),
    /// The town hall holds a different record with the same id.
    Conflict(Localized),
    /// Consent was withdrawn: only a tombstone remains, here and there.
    Withdrawn,
}

/// Whether a record waiting for mutation `waiting_for` (`None`: it waits
/// for nothing) still waits once the push is acknowledged through
/// `acknowledged_through`: a later mutation of the record (a withdrawal
/// queued after its submission) is still in the outbox.
pub fn still_queued(waiting_for: Option<u64>, acknowledged_through: u64) -> bool {
    waiting_for.is_some_and(|seq| seq > acknowledged_through)
}

/// What a response becomes once a mutation of it got `outcome`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseAfterPush {
    /// Whether it is (now) withdrawn: the town hall said so (there, or by
    /// another tablet), or it was withdrawn here. Nothing of the child may
    /// then stay on the tablet: the record becomes a tombstone.
    pub withdrawn: bool,
    /// Its new sync state; `None` while it still waits for a later mutation.
    pub state: Option<Settled>,
}

/// What a response with `status`, waiting for mutation `waiting_for`,
/// becomes once the push is acknowledged through `acknowledged_through` and
/// its mutation got `outcome` (`None`: no answer of its own, which counts
/// as stored).
pub fn response_after_push(
    outcome: Option<&MutationOutcome>,
    status: ResponseStatus,
    waiting_for: Option<u64>,
    acknowledged_through: u64,
) -> ResponseAfterPush {
    let withdrawn =
        matches!(outcome, Some(MutationOutcome::Withdrawn)) || status == ResponseStatus::Withdrawn;
    let state = if still_queued(waiting_for, acknowledged_through) {
        None
    } else {
        Some(match outcome {
            Some(MutationOutcome::Conflict { message }) => Settled::Conflict(message.clone()),
            Some(MutationOutcome::Rejected { message, .. }) => Settled::Rejected(message.clone()),
            Some(MutationOutcome::Withdrawn) => Settled::Withdrawn,
            None | Some(MutationOutcome::Applied | MutationOutcome::AlreadyStored) => {
                if withdrawn {
                    Settled::Withdrawn
                } else {
                    Settled::Synced
                }
            }
        })
    };
    ResponseAfterPush { withdrawn, state }
}

/// What a response the tablet holds settled as `settled` (`None`: a
/// draft, or waiting in the outbox) becomes once the town hall accepted it
/// after refusing it (a pulled `ResponseAccepted`): a refused one is sent;
/// any other is left as it is (`None`): one waiting is being sent again
/// and its push's answer settles it, and a conflict or a withdrawal
/// stands.
pub fn response_after_acceptance(settled: Option<&Settled>) -> Option<Settled> {
    matches!(settled, Some(Settled::Rejected(_))).then_some(Settled::Synced)
}

/// The new sync state of a submitted forum waiting for mutation
/// `waiting_for` once the push is acknowledged through
/// `acknowledged_through` and its submission got `outcome`; `None` while it
/// still waits. `Withdrawn` concerns responses only: the town hall holds
/// the forum whatever else it answered.
pub fn forum_after_push(
    outcome: Option<&MutationOutcome>,
    waiting_for: Option<u64>,
    acknowledged_through: u64,
) -> Option<Settled> {
    if still_queued(waiting_for, acknowledged_through) {
        return None;
    }
    Some(match outcome {
        Some(MutationOutcome::Conflict { message }) => Settled::Conflict(message.clone()),
        Some(MutationOutcome::Rejected { message, .. }) => Settled::Rejected(message.clone()),
        None
        | Some(
            MutationOutcome::Applied | MutationOutcome::AlreadyStored | MutationOutcome::Withdrawn,
        ) => Settled::Synced,
    })
}

/// Why the town hall refused a report edit or status change, if it did.
/// Only a refusal changes the report: an accepted change comes back by
/// pull, as the town hall stored it.
pub fn refusal(outcome: Option<&MutationOutcome>) -> Option<&Localized> {
    match outcome {
        Some(MutationOutcome::Rejected { message, .. } | MutationOutcome::Conflict { message }) => {
            Some(message)
        }
        None
        | Some(
            MutationOutcome::Applied | MutationOutcome::AlreadyStored | MutationOutcome::Withdrawn,
        ) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::RefusalCode;

    fn message() -> Localized {
        Localized::new("Lý do", "Reason")
    }

    #[test]
    fn a_record_waiting_for_a_later_mutation_keeps_waiting() {
        assert!(still_queued(Some(5), 4));
        assert!(!still_queued(Some(4), 4));
        assert!(!still_queued(None, 4));
        let after = response_after_push(None, ResponseStatus::Completed, Some(5), 4);
        assert_eq!(after.state, None);
        assert!(!after.withdrawn);
        assert_eq!(forum_after_push(None, Some(5), 4), None);
    }

    #[test]
    fn a_response_takes_the_answer_of_its_mutation() {
        let status = ResponseStatus::Completed;
        let cases = [
            (None, Settled::Synced, false),
            (Some(MutationOutcome::Applied), Settled::Synced, false),
            (Some(MutationOutcome::AlreadyStored), Settled::Synced, false),
            (Some(MutationOutcome::Withdrawn), Settled::Withdrawn, true),
            (
                Some(MutationOutcome::rejected(
                    RefusalCode::InvalidAnswers,
                    message(),
                )),
                Settled::Rejected(message()),
                false,
            ),
            (
                Some(MutationOutcome::Conflict { message: message() }),
                Settled::Conflict(message()),
                false,
            ),
        ];
        for (outcome, state, withdrawn) in cases {
            let after = response_after_push(outcome.as_ref(), status, Some(3), 3);
            assert_eq!(after.state, Some(state));
            assert_eq!(after.withdrawn, withdrawn);
        }
    }

    #[test]
    fn a_response_withdrawn_here_is_withdrawn_once_acknowledged() {
        let after = response_after_push(
            Some(&MutationOutcome::Applied),
            ResponseStatus::Withdrawn,
            Some(2),
            2,
        );
        assert_eq!(after.state, Some(Settled::Withdrawn));
        assert!(after.withdrawn);
        // A refusal of the withdrawal still shows, and the record stays a
        // tombstone.
        let refused = MutationOutcome::rejected(RefusalCode::InvalidAnswers, message());
        let after = response_after_push(Some(&refused), ResponseStatus::Withdrawn, None, 2);
        assert_eq!(after.state, Some(Settled::Rejected(message())));
        assert!(after.withdrawn);
    }

    #[test]
    fn a_forum_is_synced_unless_refused_or_in_conflict() {
        let refused = MutationOutcome::rejected(RefusalCode::InvalidAnswers, message());
        assert_eq!(
            forum_after_push(Some(&refused), None, 1),
            Some(Settled::Rejected(message()))
        );
        assert_eq!(
            forum_after_push(Some(&MutationOutcome::Withdrawn), Some(1), 1),
            Some(Settled::Synced)
        );
        assert_eq!(forum_after_push(None, None, 1), Some(Settled::Synced));
    }

    #[test]
    fn only_a_refusal_or_a_conflict_concerns_a_report() {
        let conflict = MutationOutcome::Conflict { message: message() };
        assert_eq!(refusal(Some(&conflict)), Some(&message()));
        assert_eq!(refusal(Some(&MutationOutcome::Applied)), None);
        assert_eq!(refusal(None), None);
    }

    #[test]
    fn only_a_refused_response_becomes_sent_when_the_town_hall_accepts_it() {
        let message = Localized::new("x", "x");
        assert_eq!(
            response_after_acceptance(Some(&Settled::Rejected(message.clone()))),
            Some(Settled::Synced)
        );
        for left in [
            None,
            Some(Settled::Synced),
            Some(Settled::Conflict(message)),
            Some(Settled::Withdrawn),
        ] {
            assert_eq!(response_after_acceptance(left.as_ref()), None, "{left:?}");
        }
    }
}
