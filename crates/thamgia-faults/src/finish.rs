//! The end of a run: final rounds, until one in which nothing new was sent.
//!
//! When every outbox is empty the coordinator asks for final round 1: each
//! tablet does a round begun after the request (push, then pull every page),
//! so its last pull saw every change the server then held. That is every
//! change there will be only if nothing reached the server during the final
//! rounds. A tablet that learns only in its final round that the server was
//! restored from an older backup (its pull is answered `reset_required`)
//! renumbers and queues again every record the server had acknowledged, and
//! sends them; the others' final pulls may have come before those arrived,
//! and their replicas would miss the edits among them. So the coordinator
//! notes how many outbox entries the server had acknowledged over every
//! tablet before asking for a final round, and after it checks that every
//! outbox is empty and that the number did not grow: then nothing reached
//! the server during the round (what reached it unacknowledged is still in
//! an outbox), and every final pull, begun after the note, saw everything.
//! Otherwise it waits until every outbox is empty again and asks for another
//! final round. Then it tells the tablets to stop ([`STOP`]).

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use tokio::sync::watch;

use crate::tablet::{RunningTablet, STOP};

/// Asks for final rounds until one changes nothing, then tells the tablets
/// to stop (also when it fails). Returns how many final rounds it took.
pub async fn final_rounds(
    tablets: &[RunningTablet],
    finish: &watch::Sender<u64>,
    deadline: Instant,
) -> Result<u64> {
    let done = rounds(tablets, finish, deadline).await;
    finish.send_replace(STOP);
    done
}

async fn rounds(
    tablets: &[RunningTablet],
    finish: &watch::Sender<u64>,
    deadline: Instant,
) -> Result<u64> {
    let mut number = 0;
    loop {
        wait_until(tablets, deadline, "an empty outbox", RunningTablet::drained).await?;
        let before = acknowledged_entries(tablets);
        number += 1;
        crate::trace!("final round {number} asked");
        finish.send_replace(number);
        wait_until(tablets, deadline, "its final round", |tablet| {
            tablet.final_round_done(number)
        })
        .await?;
        if acknowledged_entries(tablets) == before && tablets.iter().all(RunningTablet::drained) {
            return Ok(number);
        }
    }
}

/// Outbox entries acknowledged, summed over the tablets.
fn acknowledged_entries(tablets: &[RunningTablet]) -> u64 {
    tablets
        .iter()
        .map(RunningTablet::acknowledged_entries)
        .sum()
}

/// Renumberings and records queued again, summed over the tablets.
pub fn queued_again(tablets: &[RunningTablet]) -> (u64, u64) {
    tablets
        .iter()
        .map(RunningTablet::renumberings)
        .fold((0, 0), |(renumberings, requeued), (more, again)| {
            (renumberings + more, requeued + again)
        })
}

/// Waits until every tablet meets `condition`; fails when a tablet stopped
/// or the deadline passed first.
async fn wait_until(
    tablets: &[RunningTablet],
    deadline: Instant,
    what: &str,
    condition: impl Fn(&RunningTablet) -> bool,
) -> Result<()> {
    loop {
        if tablets.iter().all(&condition) {
            return Ok(());
        }
        if let Some(index) = tablets.iter().position(|tablet| tablet.task.is_finished()) {
            bail!("tablet {index} stopped before {what}");
        }
        if Instant::now() > deadline {
            let waiting: Vec<usize> = tablets
                .iter()
                .enumerate()
                .filter(|(_, tablet)| !condition(tablet))
                .map(|(index, _)| index)
                .collect();
            bail!("tablets {waiting:?} did not reach {what} before the deadline");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    use thamgia_core::report::ReportId;
    use uuid::Uuid;

    use super::*;
    use crate::store::{lock, Store};
    use crate::tablet::TabletStats;

    /// A stand-in tablet with an empty outbox that completes every final
    /// round asked for; with `learns_of_a_restore`, its first final round
    /// renumbers, queues records again and sends them (as a tablet whose
    /// final pull is answered `reset_required` does).
    fn stand_in(
        index: u128,
        learns_of_a_restore: bool,
        finish: &watch::Sender<u64>,
    ) -> RunningTablet {
        let report: ReportId = "00004:2026-Q3".parse().expect("a report id");
        let store = Arc::new(Mutex::new(Store::new(Uuid::from_u128(index), report)));
        lock(&store).producer_done = true;
        let final_done = Arc::new(AtomicU64::new(0));
        let mut receiver = finish.subscribe();
        let task = tokio::spawn({
            let store = Arc::clone(&store);
            let final_done = Arc::clone(&final_done);
            async move {
                loop {
                    let number = *receiver.borrow_and_update();
                    if number == STOP {
                        return Ok(TabletStats::default());
                    }
                    if number == 1 && learns_of_a_restore {
                        // Renumbered, queued 3 records again, sent them.
                        let mut store = lock(&store);
                        store.renumberings += 1;
                        store.requeued += 3;
                        store.acknowledged_entries += 3;
                    }
                    if number > 0 {
                        final_done.store(number, Ordering::SeqCst);
                    }
                    if receiver.changed().await.is_err() {
                        return Ok(TabletStats::default());
                    }
                }
            }
        });
        RunningTablet::stand_in(store, task, final_done)
    }

    #[tokio::test]
    async fn a_final_round_in_which_a_tablet_sent_again_is_followed_by_another() {
        let (finish, _) = watch::channel(0_u64);
        let tablets = vec![stand_in(1, false, &finish), stand_in(2, true, &finish)];
        let deadline = Instant::now() + Duration::from_secs(10);
        let rounds = final_rounds(&tablets, &finish, deadline)
            .await
            .expect("final rounds");
        assert_eq!(rounds, 2);
        assert_eq!(*finish.borrow(), STOP);
    }

    #[tokio::test]
    async fn one_final_round_is_enough_when_nothing_is_sent_again() {
        let (finish, _) = watch::channel(0_u64);
        let tablets = vec![stand_in(1, false, &finish), stand_in(2, false, &finish)];
        let deadline = Instant::now() + Duration::from_secs(10);
        let rounds = final_rounds(&tablets, &finish, deadline)
            .await
            .expect("final rounds");
        assert_eq!(rounds, 1);
    }
}
