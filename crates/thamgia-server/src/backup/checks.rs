//! Whether a database file is one this server may take, decided from what
//! was read out of it: SQLite's integrity check, and the migrations
//! applied to it against those the server carries.

/// A migration applied to a database, as `_sqlx_migrations` records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    /// Its number.
    pub version: i64,
    /// The SHA-384 of its SQL when it was applied.
    pub checksum: Vec<u8>,
    /// Whether it completed.
    pub success: bool,
}

/// Why the integrity check's answer (one `ok` line, or the problems found)
/// is not a healthy database, if it is not.
pub fn integrity_problem(lines: &[String]) -> Option<String> {
    match lines {
        [only] if only == "ok" => None,
        [] => Some("the integrity check gave no answer".to_owned()),
        problems => {
            let shown: Vec<&str> = problems.iter().take(3).map(String::as_str).collect();
            let more = problems.len().saturating_sub(shown.len());
            let rest = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            Some(format!(
                "the integrity check found: {}{rest}",
                shown.join("; ")
            ))
        }
    }
}

/// The newest migration applied, when every applied migration is one the
/// server carries, unchanged and complete; otherwise why not. `carried`
/// is the server's own migrations: number and checksum.
pub fn migrations_fit(
    applied: &[AppliedMigration],
    carried: &[(i64, &[u8])],
) -> Result<i64, String> {
    let newest_carried = carried
        .iter()
        .map(|(version, _)| *version)
        .max()
        .unwrap_or(0);
    let Some(newest) = applied.iter().map(|migration| migration.version).max() else {
        return Err("no migration was ever applied to it".to_owned());
    };
    if newest > newest_carried {
        return Err(format!(
            "it was made by a newer Tham Gia (its newest migration is {newest}, this server's is \
             {newest_carried}): restore it with that version of the server"
        ));
    }
    for migration in applied {
        if !migration.success {
            return Err(format!(
                "its migration {} did not complete",
                migration.version
            ));
        }
        match carried
            .iter()
            .find(|(version, _)| *version == migration.version)
        {
            None => {
                return Err(format!(
                    "its migration {} is unknown to this server",
                    migration.version
                ))
            }
            Some((_, checksum)) if *checksum != migration.checksum.as_slice() => {
                return Err(format!(
                    "its migration {} differs from this server's: it was made by another program \
                     or another build",
                    migration.version
                ))
            }
            Some(_) => {}
        }
    }
    Ok(newest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(version: i64, checksum: u8) -> AppliedMigration {
        AppliedMigration {
            version,
            checksum: vec![checksum; 4],
            success: true,
        }
    }

    const ONE: &[u8] = &[1; 4];
    const TWO: &[u8] = &[2; 4];
    const THREE: &[u8] = &[3; 4];

    fn carried() -> Vec<(i64, &'static [u8])> {
        vec![(1, ONE), (2, TWO), (3, THREE)]
    }

    #[test]
    fn a_database_at_or_before_the_servers_migrations_fits() {
        let all = [applied(1, 1), applied(2, 2), applied(3, 3)];
        assert_eq!(migrations_fit(&all, &carried()), Ok(3));
        assert_eq!(migrations_fit(&all[..2], &carried()), Ok(2));
    }

    #[test]
    fn a_newer_database_is_refused_with_both_numbers() {
        let newer = [applied(1, 1), applied(2, 2), applied(3, 3), applied(4, 4)];
        let refusal = migrations_fit(&newer, &carried()).expect_err("refused");
        assert!(refusal.contains("newer"), "{refusal}");
        assert!(refusal.contains('4') && refusal.contains('3'), "{refusal}");
    }

    #[test]
    fn a_changed_unknown_incomplete_or_missing_history_is_refused() {
        let changed = [applied(1, 1), applied(2, 9)];
        assert!(migrations_fit(&changed, &carried())
            .expect_err("refused")
            .contains("migration 2 differs"));
        let carried_with_a_gap: Vec<(i64, &[u8])> = vec![(1, ONE), (3, THREE)];
        assert!(migrations_fit(&[applied(2, 2)], &carried_with_a_gap)
            .expect_err("refused")
            .contains("unknown"));
        let mut incomplete = applied(2, 2);
        incomplete.success = false;
        assert!(migrations_fit(&[applied(1, 1), incomplete], &carried())
            .expect_err("refused")
            .contains("did not complete"));
        assert!(migrations_fit(&[], &carried())
            .expect_err("refused")
            .contains("no migration"));
    }

    #[test]
    fn only_a_single_ok_is_a_healthy_integrity_check() {
        assert_eq!(integrity_problem(&["ok".to_owned()]), None);
        assert!(integrity_problem(&[]).is_some());
        let problems: Vec<String> = (0..5).map(|n| format!("page {n} is never used")).collect();
        let problem = integrity_problem(&problems).expect("a problem");
        assert!(problem.contains("page 0 is never used"), "{problem}");
        assert!(problem.contains("and 2 more"), "{problem}");
    }
}
