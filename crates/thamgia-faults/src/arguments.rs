//! The command line, and the sizes of a run it resolves to.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Whether a run without `--restore`/`--no-restore` (the CI size included)
/// restores the server from a backup. The CI size with a restore does two
/// kills and sends the acknowledged half of its records a second time: a
/// few seconds more.
const RESTORE_BY_DEFAULT: bool = true;

/// The kill at which the backup is taken.
pub const BACKUP_AT_KILL: u32 = 1;
/// The later kill at which the backup is restored.
pub const RESTORE_AT_KILL: u32 = 2;

/// The most server processes a run starts on one database.
pub const MAX_SERVERS: u32 = 3;

/// Tham Gia's fault-tolerance suite: tablets sync through a lossy proxy to
/// a server that is killed and restarted; nothing may be lost or doubled.
#[derive(Debug, Parser)]
#[command(version)]
pub struct Arguments {
    /// The server binary (default: THAMGIA_SERVER_BIN, or thamgia-server
    /// next to this executable).
    #[arg(long)]
    pub server_bin: Option<PathBuf>,
    /// The full size: 10,000 responses, 2,000 edits, 2 kills, a restore
    /// (each can still be set on its own; no restore with several servers).
    #[arg(long)]
    pub full: bool,
    /// Restore the server from an older backup: a copy of its database
    /// taken at the first kill replaces it at the second (the run does at
    /// least 2 kills). On by default with one server; off, and refused, with
    /// --servers above 1 (a restore needs every server down at once).
    #[arg(long, conflicts_with = "no_restore")]
    pub restore: bool,
    /// No restore from a backup: kills only.
    #[arg(long)]
    pub no_restore: bool,
    /// Valid responses to create, over all tablets [default: 600, full 10000].
    #[arg(long)]
    pub responses: Option<usize>,
    /// Report field edits to make, over all tablets [default: 120, full 2000].
    #[arg(long)]
    pub edits: Option<usize>,
    /// Simulated tablets.
    #[arg(long, default_value_t = 4)]
    pub tablets: usize,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Times a server is killed mid-push, each kill the next server in turn
    /// [default: 1, full 2, and with several servers at least one per
    /// server; at least 2 with a restore].
    #[arg(long)]
    pub kills: Option<u32>,
    /// Server processes on the one database, behind the proxy, which
    /// spreads connections over them in turn (a load balancer without
    /// health checks); each kill takes the next one down while the others
    /// serve. More than 1 needs PostgreSQL (--database-url) [at most 3].
    #[arg(
        long,
        default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_SERVERS))
    )]
    pub servers: u32,
    /// Response ids sent twice with other content (expected conflicts).
    #[arg(long, default_value_t = 5)]
    pub conflicts: usize,
    /// Records the server must refuse and quarantine.
    #[arg(long, default_value_t = 3)]
    pub rejects: usize,
    /// Share of connections whose request is dropped.
    #[arg(long, default_value_t = 0.10)]
    pub drop_request: f64,
    /// Share of connections whose response is dropped.
    #[arg(long, default_value_t = 0.10)]
    pub drop_response: f64,
    /// Share of connections whose request is cut short.
    #[arg(long, default_value_t = 0.10)]
    pub cut_request: f64,
    /// Share of connections whose response is cut short.
    #[arg(long, default_value_t = 0.10)]
    pub cut_response: f64,
    /// Clock skew of the tablets, in hours: they run at −skew, 0, +skew, …
    #[arg(long, default_value_t = 24)]
    pub skew_hours: i64,
    /// Mutations in a tablet's first push of a round (it grows on quick
    /// answers, as on a real tablet).
    #[arg(long, default_value_t = 50)]
    pub batch: usize,
    /// Most entries a tablet's outbox holds before its worker waits.
    #[arg(long, default_value_t = 300)]
    pub backlog: usize,
    /// How long the server stays down after each kill, in milliseconds.
    #[arg(long, default_value_t = 500)]
    pub down_ms: u64,
    /// Give up after this many seconds [default: 300, full 1800].
    #[arg(long)]
    pub deadline_secs: Option<u64>,
    /// The account the tablets sign in with (a ward officer of 00004 may
    /// both submit responses and edit the ward's report).
    #[arg(long, default_value = "badinh.canbo")]
    pub tablet_user: String,
    /// The account that reads the exports (a city officer).
    #[arg(long, default_value = "thanhpho")]
    pub city_user: String,
    /// The demo accounts' password.
    #[arg(long, default_value = "thamgia-demo")]
    pub password: String,
    /// The report period edited (the report is 00004:<period>).
    #[arg(long, default_value = "2026-Q3")]
    pub period: String,
    /// Share of connections black-holed: the request read (and forwarded
    /// half of the time), never answered, the connection held open until
    /// the tablet's timeout.
    #[arg(long, default_value_t = 0.05)]
    pub black_hole: f64,
    /// Share of connections whose answer is sent back slowly: --drip-bytes
    /// at a time, --drip-pause-ms apart.
    #[arg(long, default_value_t = 0.05)]
    pub slow_drip: f64,
    /// Bytes per piece of a dripped answer.
    #[arg(long, default_value_t = 16)]
    pub drip_bytes: usize,
    /// Pause after each piece of a dripped answer, in milliseconds (the
    /// defaults send 640 bytes a second: a short answer arrives within the
    /// timeout, a long one does not).
    #[arg(long, default_value_t = 25)]
    pub drip_pause_ms: u64,
    /// Timeout of a tablet request without a body, in milliseconds.
    #[arg(long, default_value_t = 2_000)]
    pub timeout_base_ms: u64,
    /// Added to a tablet request's timeout per KiB of its body, in
    /// milliseconds.
    #[arg(long, default_value_t = 20)]
    pub timeout_per_kib_ms: u64,
    /// Run the server on PostgreSQL: the URL of a server whose user may
    /// CREATE DATABASE (e.g. postgres://postgres@127.0.0.1:5432/postgres).
    /// The run makes a fresh database of its own there (thamgia_faults_…),
    /// and drops it (and its backup) after a pass; the database the URL
    /// names is not touched. Without it the server runs on a SQLite file.
    #[arg(long, env = "THAMGIA_FAULTS_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Keep the temporary directory (database, server log) even on success.
    #[arg(long)]
    pub keep_dir: bool,
}

/// The sizes of one run, defaults resolved.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Valid responses to create, over all tablets.
    pub responses: usize,
    /// Report field edits to make, over all tablets.
    pub edits: usize,
    /// Simulated tablets.
    pub tablets: usize,
    /// Times a server is killed.
    pub kills: u32,
    /// Server processes on the one database.
    pub servers: u32,
    /// Whether a backup is restored.
    pub restore: bool,
    /// Response ids sent twice with other content.
    pub conflicts: usize,
    /// Records the server must refuse.
    pub rejects: usize,
    /// When the run gives up.
    pub deadline: Duration,
}

impl Sizes {
    /// The sizes `arguments` ask for.
    pub fn of(arguments: &Arguments) -> Sizes {
        let full = arguments.full;
        let servers = arguments.servers.clamp(1, MAX_SERVERS);
        // A restore needs every server down at once: with several servers
        // it is off (an explicit --restore is refused by the caller).
        let restore = servers == 1
            && !arguments.no_restore
            && (arguments.restore || full || RESTORE_BY_DEFAULT);
        // With several servers each is killed at least once by default, in
        // turn.
        let default_kills: u32 = if full { 2 } else { 1 };
        let kills = arguments.kills.unwrap_or(default_kills.max(servers));
        Sizes {
            responses: arguments
                .responses
                .unwrap_or(if full { 10_000 } else { 600 }),
            edits: arguments.edits.unwrap_or(if full { 2_000 } else { 120 }),
            tablets: arguments.tablets.max(1),
            kills: if restore {
                kills.max(RESTORE_AT_KILL)
            } else {
                kills
            },
            servers,
            restore,
            conflicts: arguments
                .conflicts
                .min(arguments.responses.unwrap_or(usize::MAX)),
            rejects: arguments.rejects,
            deadline: Duration::from_secs(arguments.deadline_secs.unwrap_or(if full {
                1_800
            } else {
                300
            })),
        }
    }
}
