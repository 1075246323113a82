//! What the backup and restore commands report: a backup's one line, and
//! a restore's lines for the operator's console (what was restored, where
//! the replaced database is kept, and what the town hall entered there
//! that the backup lacks, each kind bounded).

use std::fmt;
use std::path::PathBuf;

use super::compare::{kind_lines, Entry, Kind, MAX_LINES_PER_KIND};

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// The backup file.
    pub file: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// The newest migration applied to the database copied.
    pub newest_migration: i64,
    /// Rows copied, by what they are ("responses", "accounts", …).
    pub counts: Vec<(&'static str, i64)>,
}

impl BackupSummary {
    /// The number of rows copied of `what` ("responses", "accounts", …).
    pub fn count(&self, what: &str) -> Option<i64> {
        self.counts
            .iter()
            .find(|(name, _)| *name == what)
            .map(|(_, count)| *count)
    }
}

impl fmt::Display for BackupSummary {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(what, count)| format!("{count} {what}"))
            .collect();
        write!(
            formatter,
            "backup written to {} ({} bytes, migration {}): {}",
            self.file.display(),
            self.bytes,
            self.newest_migration,
            counts.join(", ")
        )
    }
}

/// What a restore did, and what the town hall must enter again.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreReport {
    /// The database now holding the backup.
    pub database: PathBuf,
    /// The backup restored.
    pub from: PathBuf,
    /// The newest migration the backup had (it is now at the server's).
    pub newest_migration: i64,
    /// Where the database it replaced was moved, if there was one.
    pub replaced: Option<PathBuf>,
    /// The replaced database against the restored one.
    pub comparison: Comparison,
}

/// The database a restore replaced, against the one restored.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    /// There was no database to replace.
    NothingReplaced,
    /// Each kind of town hall data compared, and the tablets' records
    /// counted in both.
    Compared {
        /// One per [`Kind`], in [`Kind::ALL`]'s order.
        kinds: Vec<KindComparison>,
        /// The tablets' records and the audit log, counted.
        counts: Vec<TableCount>,
    },
    /// The two databases could not be opened side by side; the restore
    /// itself is done.
    Failed(String),
}

/// One kind's differences, or why it could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct KindComparison {
    /// The kind.
    pub kind: Kind,
    /// Its differences, or what stopped reading them.
    pub outcome: Result<Vec<Entry>, String>,
}

/// A table counted in both databases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    /// What its rows are.
    pub what: &'static str,
    /// In the database set aside (`None`: no such table).
    pub set_aside: Option<i64>,
    /// In the database restored.
    pub restored: Option<i64>,
    /// What becomes of the difference.
    pub note: &'static str,
}

impl RestoreReport {
    /// Every difference found, with its kind.
    pub fn entries(&self) -> Vec<(Kind, &Entry)> {
        match &self.comparison {
            Comparison::Compared { kinds, .. } => kinds
                .iter()
                .flat_map(|compared| {
                    let entries: &[Entry] = compared.outcome.as_deref().unwrap_or(&[]);
                    entries.iter().map(move |entry| (compared.kind, entry))
                })
                .collect(),
            Comparison::NothingReplaced | Comparison::Failed(_) => Vec::new(),
        }
    }

    /// The report as lines for the console, each kind's differences
    /// bounded by [`MAX_LINES_PER_KIND`].
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "restored {} from {} (a backup at migration {}, now at this server's)",
            self.database.display(),
            self.from.display(),
            self.newest_migration
        )];
        match &self.replaced {
            Some(aside) => lines.push(format!(
                "the database it replaced is kept whole at {}",
                aside.display()
            )),
            None => lines.push("there was no database to replace".to_owned()),
        }
        match &self.comparison {
            Comparison::NothingReplaced => {}
            Comparison::Failed(reason) => lines.push(format!(
                "the replaced database could not be compared with the backup: {reason}"
            )),
            Comparison::Compared { kinds, counts } => {
                lines.extend(difference_lines(kinds));
                for count in counts {
                    let shown = |value: Option<i64>| {
                        value.map_or_else(|| "none".to_owned(), |number| number.to_string())
                    };
                    lines.push(format!(
                        "{}: {} in the set-aside database, {} restored; {}",
                        count.what,
                        shown(count.set_aside),
                        shown(count.restored),
                        count.note
                    ));
                }
            }
        }
        lines
    }
}

/// The lines of every kind's differences, under one heading.
fn difference_lines(kinds: &[KindComparison]) -> Vec<String> {
    let found = kinds
        .iter()
        .any(|compared| !matches!(&compared.outcome, Ok(entries) if entries.is_empty()));
    if !found {
        return vec![
            "the backup lacks nothing the town hall entered in the replaced database".to_owned(),
        ];
    }
    let mut lines = vec![
        "what the town hall entered in the replaced database that the backup lacks (enter it again, or undo what came back):"
            .to_owned(),
    ];
    for compared in kinds {
        match &compared.outcome {
            Ok(entries) => lines.extend(kind_lines(compared.kind, entries, MAX_LINES_PER_KIND)),
            Err(reason) => lines.push(format!(
                "{}: could not be compared: {reason}",
                compared.kind.name()
            )),
        }
    }
    lines
}

impl fmt::Display for RestoreReport {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.lines().join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::{Difference, KeyedRow};

    fn report(kinds: Vec<KindComparison>) -> RestoreReport {
        RestoreReport {
            database: PathBuf::from("data/thamgia.sqlite3"),
            from: PathBuf::from("before.sqlite3"),
            newest_migration: 15,
            replaced: Some(PathBuf::from(
                "data/thamgia.sqlite3.replaced-20260301T101500Z",
            )),
            comparison: Comparison::Compared {
                kinds,
                counts: vec![TableCount {
                    what: "responses",
                    set_aside: Some(120),
                    restored: Some(100),
                    note: "tablets send again what they still hold at their next sync",
                }],
            },
        }
    }

    #[test]
    fn a_report_names_the_kept_file_each_difference_and_each_kind_it_could_not_read() {
        let added = Entry {
            difference: Difference::Added,
            row: KeyedRow {
                key: "9f".to_owned(),
                name: "phuong_b".to_owned(),
                detail: "collector, ward 00008".to_owned(),
                fields: Vec::new(),
            },
        };
        let report = report(vec![
            KindComparison {
                kind: Kind::Account,
                outcome: Ok(vec![added]),
            },
            KindComparison {
                kind: Kind::Population,
                outcome: Err("no such column: groups".to_owned()),
            },
        ]);
        assert_eq!(report.entries().len(), 1);
        let lines = report.lines();
        assert_eq!(
            lines[1],
            "the database it replaced is kept whole at data/thamgia.sqlite3.replaced-20260301T101500Z"
        );
        assert!(lines[2].starts_with("what the town hall entered"));
        assert_eq!(
            lines[3],
            "account: added after the backup: phuong_b (collector, ward 00008) [9f]"
        );
        assert_eq!(
            lines[4],
            "child population: could not be compared: no such column: groups"
        );
        assert_eq!(
            lines[5],
            "responses: 120 in the set-aside database, 100 restored; tablets send again what they still hold at their next sync"
        );
    }

    #[test]
    fn a_report_with_nothing_missing_says_so() {
        let report = report(vec![KindComparison {
            kind: Kind::Theme,
            outcome: Ok(Vec::new()),
        }]);
        assert!(report
            .to_string()
            .contains("the backup lacks nothing the town hall entered"));
    }
}
