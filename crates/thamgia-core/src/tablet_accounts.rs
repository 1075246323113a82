//! Whose records a shared tablet holds, and where: each account that signs
//! in on a tablet keeps its records (responses, drafts, forums, reports,
//! the outbox, the sync bookkeeping, its session) in an IndexedDB database
//! of its own, so an account never sees another's records, and never sends
//! them under its own token.
//!
//! A tablet is often shared: a collector hands it to a colleague of another
//! ward, or a ward officer signs in on a collector's tablet. Records made
//! under one account stay in its database, waiting, until that account
//! signs in on the tablet again; then its own outbox (with its own client
//! id and numbering, so nothing held back leaves a gap) is sent under its
//! own token.
//!
//! The first database, [`FIRST_DATABASE`], is the one every earlier version
//! of the app kept all its records in: it belongs to the account of the
//! session it holds, or, when nobody was signed in, to the first account
//! that signs in (it cannot tell whose records it holds). Every database
//! records its owner once; a database is never given to another account.
//!
//! These are the rules only: the app reads the owners, asks, and opens.

/// The database of the first account on a tablet, and of every record an
/// earlier version of the app stored.
pub const FIRST_DATABASE: &str = "thamgia";

/// The database an account gets on a tablet where the first database is
/// another's: `thamgia:` and its user name (user names are letters, digits
/// and `. _ -`, see `account::check_account`, and the server's spelling of
/// it is the one used).
pub fn database_of(username: &str) -> String {
    format!("{FIRST_DATABASE}:{username}")
}

/// Whether `name` is the database of an account on a tablet (the first one
/// or one named for an account), not another the origin holds.
pub fn is_account_database(name: &str) -> bool {
    name == FIRST_DATABASE
        || name
            .strip_prefix(FIRST_DATABASE)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|username| !username.is_empty())
}

/// A database the app has open, as the sign-in sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenDatabase<'a> {
    /// Its name.
    pub name: &'a str,
    /// The account it belongs to; `None` when nobody has claimed it yet.
    pub owner: Option<&'a str>,
}

/// Where the records of an account that has just signed in are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// In the database open now (claimed for the account first if nobody
    /// had claimed it).
    Here,
    /// In another database, by its name: the app opens it (claiming it if
    /// it is new) and starts again on it.
    Elsewhere(String),
}

/// Where `username`'s records are kept, given the database open now and
/// the owner of [`FIRST_DATABASE`] (read only when the open one is
/// another's; `None` when it is unclaimed or was not read).
///
/// A database nobody has claimed is taken by the account only when it is
/// the first database or the account's own by name: an unclaimed
/// `thamgia:lan` is never given to `minh`.
pub fn placement(username: &str, open: OpenDatabase<'_>, first_owner: Option<&str>) -> Placement {
    match open.owner {
        Some(owner) if owner == username => Placement::Here,
        None if open.name == FIRST_DATABASE || open.name == database_of(username) => {
            Placement::Here
        }
        _ if open.name != FIRST_DATABASE && first_owner == Some(username) => {
            Placement::Elsewhere(FIRST_DATABASE.to_owned())
        }
        _ => Placement::Elsewhere(database_of(username)),
    }
}

/// What the app does with the session a database holds when it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredSession {
    /// Work under it; `claim` when the database has no owner yet (it was
    /// written by an earlier version of the app): it is the session's.
    Use { claim: bool },
    /// Do not: the session is another account's than the database's (never
    /// written so; a database copied or tampered with). The sign-in page
    /// shows, and every record stays.
    Ignore,
}

/// Whether the session of `session_username` stored in a database owned
/// by `owner` may be used.
pub fn stored_session(owner: Option<&str>, session_username: &str) -> StoredSession {
    match owner {
        None => StoredSession::Use { claim: true },
        Some(owner) if owner == session_username => StoredSession::Use { claim: false },
        Some(_) => StoredSession::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open<'a>(name: &'a str, owner: Option<&'a str>) -> OpenDatabase<'a> {
        OpenDatabase { name, owner }
    }

    fn check(
        username: &str,
        open: OpenDatabase<'_>,
        first_owner: Option<&str>,
        expected: Placement,
    ) {
        assert_eq!(
            placement(username, open, first_owner),
            expected,
            "{username} signing in with {open:?} open, the first database owned by {first_owner:?}"
        );
    }

    #[test]
    fn the_first_account_on_a_tablet_takes_the_first_database() {
        check("lan", open("thamgia", None), None, Placement::Here);
    }

    #[test]
    fn an_account_signing_in_again_stays_in_its_own_database() {
        check(
            "lan",
            open("thamgia", Some("lan")),
            Some("lan"),
            Placement::Here,
        );
        check(
            "minh",
            open("thamgia:minh", Some("minh")),
            Some("lan"),
            Placement::Here,
        );
    }

    #[test]
    fn another_account_never_works_in_a_database_it_does_not_own() {
        check(
            "minh",
            open("thamgia", Some("lan")),
            Some("lan"),
            Placement::Elsewhere("thamgia:minh".to_owned()),
        );
        check(
            "hoa",
            open("thamgia:minh", Some("minh")),
            Some("lan"),
            Placement::Elsewhere("thamgia:hoa".to_owned()),
        );
        // Unclaimed, but named for another account.
        check(
            "hoa",
            open("thamgia:minh", None),
            Some("lan"),
            Placement::Elsewhere("thamgia:hoa".to_owned()),
        );
    }

    #[test]
    fn the_first_account_finds_its_records_from_another_database() {
        check(
            "lan",
            open("thamgia:minh", Some("minh")),
            Some("lan"),
            Placement::Elsewhere("thamgia".to_owned()),
        );
    }

    #[test]
    fn an_unclaimed_database_named_for_the_account_is_its_own() {
        check(
            "minh",
            open("thamgia:minh", None),
            Some("lan"),
            Placement::Here,
        );
    }

    #[test]
    fn every_account_has_one_database_and_no_two_share_one() {
        // Whatever is open and whoever owns the first database, the
        // account lands in its own database or the first one it owns.
        let names = ["lan", "minh", "hoa"];
        for username in names {
            for open_owner in [None, Some("lan"), Some("minh"), Some("hoa")] {
                for first_owner in [None, Some("lan"), Some("minh"), Some("hoa")] {
                    let open_name = match open_owner {
                        Some(owner) if Some(owner) != first_owner => database_of(owner),
                        _ => FIRST_DATABASE.to_owned(),
                    };
                    if open_name == FIRST_DATABASE && open_owner != first_owner {
                        continue; // the first database open, with another owner than its own
                    }
                    let database =
                        match placement(username, open(&open_name, open_owner), first_owner) {
                            Placement::Here => open_name.clone(),
                            Placement::Elsewhere(name) => name,
                        };
                    let owner = if database == open_name {
                        open_owner
                    } else {
                        None
                    };
                    assert!(
                        owner.is_none() || owner == Some(username),
                        "{username} placed in {database}, owned by {owner:?}"
                    );
                    if database == FIRST_DATABASE {
                        assert!(
                            first_owner.is_none() || first_owner == Some(username),
                            "{username} placed in the first database, owned by {first_owner:?}"
                        );
                    } else {
                        assert_eq!(database, database_of(username));
                    }
                }
            }
        }
    }

    #[test]
    fn the_databases_of_accounts_are_told_from_others() {
        assert!(is_account_database("thamgia"));
        assert!(is_account_database(&database_of("lan.nguyen")));
        for other in ["thamgia:", "thamgia-test-1", "thamgiax", "pouchdb", ""] {
            assert!(!is_account_database(other), "{other}");
        }
    }

    #[test]
    fn a_stored_session_is_used_only_in_its_accounts_database() {
        assert_eq!(
            stored_session(None, "lan"),
            StoredSession::Use { claim: true }
        );
        assert_eq!(
            stored_session(Some("lan"), "lan"),
            StoredSession::Use { claim: false }
        );
        assert_eq!(stored_session(Some("lan"), "minh"), StoredSession::Ignore);
    }
}
