//! What PostgreSQL's autovacuum did while the bench measured: its workers
//! on the bench's database, sampled every [`EVERY`] from a connection of
//! their own, so that a figure read while one ran says so beside it.
//!
//! A load of 900,000 responses leaves `responses`, `mutation_log` and the
//! kept counts for autovacuum to visit; visiting `responses` at a million
//! takes it tens of seconds on 2 cores, and officers' reads made meanwhile
//! share the machine with it. The figures are printed as measured either
//! way: this only says what else was running.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use sqlx::{Connection, PgConnection};

/// How often the workers are read.
const EVERY: Duration = Duration::from_millis(100);
/// How long one read of them may take before its sample is given up.
const READ_WITHIN: Duration = Duration::from_secs(2);

/// The samples in which a worker was at work: when, and what each was
/// doing (a sample of none is not kept, so they grow only with its work).
type Samples = Arc<Mutex<Vec<(Instant, Vec<String>)>>>;

/// Autovacuum's workers on one database, sampled until dropped.
pub struct AutovacuumWatch {
    samples: Samples,
    task: tokio::task::JoinHandle<()>,
}

impl AutovacuumWatch {
    /// Starts sampling the database at `url`.
    pub async fn start(url: &str) -> Result<AutovacuumWatch> {
        let mut connection = PgConnection::connect(url).await?;
        let samples: Samples = Arc::default();
        let kept = samples.clone();
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(EVERY);
            loop {
                ticks.tick().await;
                let at = Instant::now();
                let read = sqlx::query_scalar(
                    "SELECT query FROM pg_stat_activity
                     WHERE backend_type = 'autovacuum worker'
                       AND datname = current_database() AND query <> ''",
                )
                .fetch_all(&mut connection);
                let working: Vec<String> = match tokio::time::timeout(READ_WITHIN, read).await {
                    Ok(Ok(queries)) => queries,
                    // The database is going away: nothing more to read.
                    Ok(Err(_)) => return,
                    // A read that did not answer in time: this sample is lost.
                    Err(_) => continue,
                };
                let working: Vec<String> = working
                    .into_iter()
                    .map(|query: String| {
                        query
                            .trim_start_matches("autovacuum: ")
                            .trim_start_matches("public.")
                            .replace(" public.", " ")
                    })
                    .collect();
                if working.is_empty() {
                    continue;
                }
                if let Ok(mut samples) = kept.lock() {
                    samples.push((at, working));
                }
            }
        });
        Ok(AutovacuumWatch { samples, task })
    }

    /// What autovacuum was seen doing between `from` and now, as a note to
    /// print after a figure ("" when nothing).
    pub fn note_since(&self, from: Instant) -> String {
        let seen: BTreeSet<String> = self
            .samples
            .lock()
            .map(|samples| {
                samples
                    .iter()
                    .filter(|(at, _)| *at >= from)
                    .flat_map(|(_, working)| working.iter().cloned())
                    .collect()
            })
            .unwrap_or_default();
        if seen.is_empty() {
            String::new()
        } else {
            format!(
                "   [PostgreSQL's autovacuum at work meanwhile: {}]",
                seen.into_iter().collect::<Vec<_>>().join(", ")
            )
        }
    }
}

impl Drop for AutovacuumWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}
