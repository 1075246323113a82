//! What a restore loses, decided without a database: the rows of one kind
//! of town hall data read from the database set aside and from the one
//! restored, compared by key, and the differences written as bounded lines
//! for the operator's console.
//!
//! A row carries what identifies it to a person (a user name, a theme's
//! label, a ward and a year, with a short detail) and the values that make
//! it differ; nothing here ever holds a child's answers, and the values
//! compared are only named when they differ, never printed (an account's
//! password hash is one of them).

use std::collections::{BTreeMap, BTreeSet};

/// Most lines written for one kind; the rest are counted.
pub const MAX_LINES_PER_KIND: usize = 200;

/// A kind of data the town hall enters at the server, which no tablet
/// sends again after a restore (responses, forums, feedback and report
/// edits come back from the tablets that still hold them), and consent
/// withdrawals, which must not wait for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Consent withdrawn (`withdrawals`): a withdrawal the backup lacks
    /// brings a child's answers back until it is made again, so every one
    /// is listed, made at the town hall or sent by a tablet.
    Withdrawal,
    /// Accounts made or changed by a city officer (`accounts`).
    Account,
    /// Device tokens; only their revocation is listed, since a device that
    /// signed in after the backup simply signs in again (`device_tokens`).
    Device,
    /// Survey versions published by an XLSForm import (`surveys`).
    Survey,
    /// Themes of a survey's codebook (`themes`).
    Theme,
    /// Answers tagged with a theme (`answer_tags`).
    AnswerTag,
    /// An authority's answer to a children's recommendation
    /// (`recommendation_answers`).
    RecommendationAnswer,
    /// Indicator targets a city officer set (`indicator_targets` and
    /// `indicator_target_sets`).
    IndicatorTarget,
    /// A ward's child population of a year (`ward_populations`).
    Population,
    /// A ward report's status past draft (`reports`): status changes are
    /// not sent again by the tablets.
    ReportStatus,
    /// A referral marked followed up (`referral_follow_ups`).
    ReferralFollowUp,
}

impl Kind {
    /// Every kind, in the order the report lists them.
    pub const ALL: [Kind; 11] = [
        Kind::Withdrawal,
        Kind::Account,
        Kind::Device,
        Kind::Survey,
        Kind::Theme,
        Kind::AnswerTag,
        Kind::RecommendationAnswer,
        Kind::IndicatorTarget,
        Kind::Population,
        Kind::ReportStatus,
        Kind::ReferralFollowUp,
    ];

    /// The kind's name at the start of each of its lines.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Withdrawal => "consent withdrawal",
            Kind::Account => "account",
            Kind::Device => "device",
            Kind::Survey => "survey version",
            Kind::Theme => "theme",
            Kind::AnswerTag => "answer tag",
            Kind::RecommendationAnswer => "answer to a recommendation",
            Kind::IndicatorTarget => "indicator target",
            Kind::Population => "child population",
            Kind::ReportStatus => "report status",
            Kind::ReferralFollowUp => "referral follow-up",
        }
    }

    /// What a row only in the restored database means.
    fn revived(self) -> &'static str {
        match self {
            // Only reports past draft are read: such a report was sent
            // back to draft after the backup.
            Kind::ReportStatus => {
                "sent back to draft after the backup; the restored database still has this status"
            }
            _ => "deleted after the backup, back in the restored database",
        }
    }

    /// Whether rows only in the set-aside database are listed one by one.
    /// A device that signed in after the backup is unknown to the restored
    /// database and signs in again: nothing to re-enter, so such devices
    /// are only counted.
    fn lists_added(self) -> bool {
        self != Kind::Device
    }
}

/// One row of a kind, as the comparison sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedRow {
    /// The table's primary key, written out (parts joined with `/`).
    pub key: String,
    /// What a person knows it by: a user name, a theme's label, a ward and
    /// a year.
    pub name: String,
    /// More about it, shown after the name (may be empty).
    pub detail: String,
    /// The values that make two rows of one key differ, by name; never
    /// printed, only named when they differ.
    pub fields: Vec<(&'static str, Option<String>)>,
}

/// How a row of the set-aside database stands against the restored one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// Only in the set-aside database: entered after the backup.
    Added,
    /// In both, with these fields different: changed after the backup.
    Changed(Vec<&'static str>),
    /// Only in the restored database: deleted after the backup (a report
    /// sent back to draft), and back now.
    Revived,
}

/// A difference, with the row it is about (the set-aside database's row,
/// or the restored one's for [`Difference::Revived`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// How the row differs.
    pub difference: Difference,
    /// The row.
    pub row: KeyedRow,
}

/// The rows of one kind that differ: `set_aside` is the database the
/// restore replaced, `restored` the backup put in its place. Rows are
/// matched by key; the result is in key order, the added and changed rows
/// first, then the revived ones.
pub fn compare(set_aside: Vec<KeyedRow>, restored: Vec<KeyedRow>) -> Vec<Entry> {
    let set_aside: BTreeMap<String, KeyedRow> = set_aside
        .into_iter()
        .map(|row| (row.key.clone(), row))
        .collect();
    let mut restored: BTreeMap<String, KeyedRow> = restored
        .into_iter()
        .map(|row| (row.key.clone(), row))
        .collect();
    let mut entries = Vec::new();
    for (key, row) in set_aside {
        match restored.remove(&key) {
            None => entries.push(Entry {
                difference: Difference::Added,
                row,
            }),
            Some(before) => {
                let changed = changed_fields(&row.fields, &before.fields);
                if !changed.is_empty() {
                    entries.push(Entry {
                        difference: Difference::Changed(changed),
                        row,
                    });
                }
            }
        }
    }
    entries.extend(restored.into_values().map(|row| Entry {
        difference: Difference::Revived,
        row,
    }));
    entries
}

/// The names of the fields whose values differ, a field missing on one
/// side counting as different; in the order `now` names them, then those
/// only `before` has.
fn changed_fields(
    now: &[(&'static str, Option<String>)],
    before: &[(&'static str, Option<String>)],
) -> Vec<&'static str> {
    let value_of = |fields: &[(&'static str, Option<String>)], name: &str| {
        fields
            .iter()
            .find(|(field, _)| *field == name)
            .map(|(_, value)| value.clone())
    };
    let mut names: Vec<&'static str> = Vec::new();
    let mut seen = BTreeSet::new();
    for &(name, _) in now.iter().chain(before) {
        if seen.insert(name) && value_of(now, name) != value_of(before, name) {
            names.push(name);
        }
    }
    names
}

/// The lines of one kind's differences, at most `limit` of them listed and
/// the rest counted on one more line.
pub fn kind_lines(kind: Kind, entries: &[Entry], limit: usize) -> Vec<String> {
    let (listed, unlisted): (Vec<&Entry>, Vec<&Entry>) = entries
        .iter()
        .partition(|entry| kind.lists_added() || entry.difference != Difference::Added);
    let mut lines: Vec<String> = listed
        .iter()
        .take(limit)
        .map(|entry| entry_line(kind, entry))
        .collect();
    if listed.len() > limit {
        lines.push(format!(
            "{}: … and {} more not listed",
            kind.name(),
            listed.len() - limit
        ));
    }
    if !unlisted.is_empty() {
        lines.push(format!(
            "{}: {} signed in after the backup; the restored database does not know them, so they sign in again",
            kind.name(),
            unlisted.len()
        ));
    }
    lines
}

/// One difference as a line: the kind, what happened, the name and detail,
/// and the key in brackets.
fn entry_line(kind: Kind, entry: &Entry) -> String {
    let what = match &entry.difference {
        Difference::Added => "added after the backup".to_owned(),
        Difference::Changed(fields) => {
            format!("changed after the backup ({})", fields.join(", "))
        }
        Difference::Revived => kind.revived().to_owned(),
    };
    let row = &entry.row;
    let detail = if row.detail.is_empty() {
        String::new()
    } else {
        format!(" ({})", row.detail)
    };
    format!(
        "{}: {what}: {}{detail} [{}]",
        kind.name(),
        row.name,
        row.key
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, fields: &[(&'static str, &str)]) -> KeyedRow {
        KeyedRow {
            key: key.to_owned(),
            name: format!("name of {key}"),
            detail: String::new(),
            fields: fields
                .iter()
                .map(|(name, value)| (*name, Some((*value).to_owned())))
                .collect(),
        }
    }

    fn differences(entries: &[Entry]) -> Vec<(&str, Difference)> {
        entries
            .iter()
            .map(|entry| (entry.row.key.as_str(), entry.difference.clone()))
            .collect()
    }

    #[test]
    fn rows_entered_after_the_backup_are_added_and_nothing_else_is_listed() {
        let restored = vec![row("a", &[("role", "collector")])];
        let set_aside = vec![
            row("b", &[("role", "ward_officer")]),
            row("a", &[("role", "collector")]),
            row("c", &[]),
        ];
        assert_eq!(
            differences(&compare(set_aside, restored)),
            [("b", Difference::Added), ("c", Difference::Added)]
        );
    }

    #[test]
    fn a_row_in_both_is_changed_only_in_the_fields_that_differ() {
        let restored = vec![row(
            "a",
            &[("role", "collector"), ("active", "1"), ("password", "x")],
        )];
        let set_aside = vec![row(
            "a",
            &[("role", "collector"), ("active", "0"), ("password", "y")],
        )];
        assert_eq!(
            differences(&compare(set_aside, restored)),
            [("a", Difference::Changed(vec!["active", "password"]))]
        );
    }

    #[test]
    fn a_field_missing_on_one_side_or_null_counts_as_changed() {
        let mut nulled = row("a", &[("groups", "{}")]);
        nulled.fields[0].1 = None;
        let entries = compare(
            vec![row("a", &[("groups", "{}"), ("count", "3")])],
            vec![nulled],
        );
        assert_eq!(
            differences(&entries),
            [("a", Difference::Changed(vec!["groups", "count"]))]
        );
    }

    #[test]
    fn a_row_deleted_after_the_backup_is_revived() {
        let entries = compare(vec![row("b", &[])], vec![row("a", &[]), row("b", &[])]);
        assert_eq!(differences(&entries), [("a", Difference::Revived)]);
    }

    #[test]
    fn identical_sets_differ_in_nothing_whatever_their_order() {
        let rows = vec![row("a", &[("x", "1")]), row("b", &[("x", "2")])];
        let mut reversed = rows.clone();
        reversed.reverse();
        assert!(compare(rows.clone(), reversed).is_empty());
        assert!(compare(Vec::new(), Vec::new()).is_empty());
    }

    #[test]
    fn a_line_names_the_kind_what_happened_the_row_and_its_key() {
        let mut account = row("1f", &[]);
        account.name = "phuong7".to_owned();
        account.detail = "ward_officer, ward 00004".to_owned();
        let lines = kind_lines(
            Kind::Account,
            &[
                Entry {
                    difference: Difference::Added,
                    row: account.clone(),
                },
                Entry {
                    difference: Difference::Changed(vec!["role", "active"]),
                    row: account,
                },
            ],
            MAX_LINES_PER_KIND,
        );
        assert_eq!(
            lines,
            [
                "account: added after the backup: phuong7 (ward_officer, ward 00004) [1f]",
                "account: changed after the backup (role, active): phuong7 (ward_officer, ward 00004) [1f]",
            ]
        );
    }

    #[test]
    fn lines_are_bounded_and_the_rest_counted() {
        let entries: Vec<Entry> = (0..7)
            .map(|n| Entry {
                difference: Difference::Added,
                row: row(&format!("k{n}"), &[]),
            })
            .collect();
        let lines = kind_lines(Kind::Theme, &entries, 5);
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[5], "theme: … and 2 more not listed");
        assert_eq!(kind_lines(Kind::Theme, &entries, 7).len(), 7);
    }

    #[test]
    fn devices_signed_in_after_the_backup_are_counted_and_revocations_listed() {
        let entries = vec![
            Entry {
                difference: Difference::Added,
                row: row("d1", &[]),
            },
            Entry {
                difference: Difference::Added,
                row: row("d2", &[]),
            },
            Entry {
                difference: Difference::Changed(vec!["revoked"]),
                row: row("d3", &[]),
            },
        ];
        let lines = kind_lines(Kind::Device, &entries, MAX_LINES_PER_KIND);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].starts_with("device: changed after the backup (revoked): "));
        assert!(lines[1].starts_with("device: 2 signed in after the backup"));
    }
}
