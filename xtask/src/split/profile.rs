//! The list of the functions the first page runs, as kept in
//! `xtask/first-load-functions.txt`, and what it says of a function of a
//! later build.
//!
//! A line is a function's name without its hash, a tab, then the hashes of
//! the functions of that name in the build profiled: `+hash` for those that
//! ran, `-hash` for those that did not. Names none of whose functions ran
//! are not listed. A later build's function stays in the first part when
//! its hash is listed `+`, moves when it is listed `-` or its name is not
//! listed, and stays when its name is listed but its hash is not (a new
//! instance of a generic function the first page runs: a guess on the side
//! of the first page). The hashes hold across builds as long as the
//! function's crate and, for a generic one, its type arguments stay.

use std::collections::{BTreeMap, HashMap, HashSet};

/// A function's name without its hash, and the hash. wasm-bindgen writes
/// the names demangled, the hash as a last `::h<16 hex>`.
pub fn name_and_hash(name: &str) -> (String, Option<String>) {
    let name = format!("{:#}", rustc_demangle::demangle(name));
    match name.rsplit_once("::h") {
        Some((path, hash))
            if hash.len() == 16 && hash.bytes().all(|byte| byte.is_ascii_hexdigit()) =>
        {
            (path.to_owned(), Some(hash.to_owned()))
        }
        _ => (name, None),
    }
}

#[derive(Default)]
struct Hashes {
    ran: HashSet<String>,
    did_not: HashSet<String>,
}

/// The list, read.
pub struct Profile {
    names: HashMap<String, Hashes>,
}

impl Profile {
    pub fn parse(text: &str) -> Self {
        let mut names: HashMap<String, Hashes> = HashMap::new();
        for line in text.lines() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, hashes) = line.split_once('\t').unwrap_or((line, ""));
            let entry = names.entry(name.to_owned()).or_default();
            for hash in hashes.split(' ') {
                if let Some(hash) = hash.strip_prefix('+') {
                    entry.ran.insert(hash.to_owned());
                } else if let Some(hash) = hash.strip_prefix('-') {
                    entry.did_not.insert(hash.to_owned());
                }
            }
        }
        Profile { names }
    }

    /// Whether the function named `name` (as in the name section) stays in
    /// the first part.
    pub fn keeps(&self, name: &str) -> bool {
        let (name, hash) = name_and_hash(name);
        let Some(hashes) = self.names.get(&name) else {
            return false;
        };
        match hash {
            Some(hash) => hashes.ran.contains(&hash) || !hashes.did_not.contains(&hash),
            None => true,
        }
    }

    /// The list's text from every function of a build: its name, and
    /// whether it ran.
    pub fn write<'a>(functions: impl IntoIterator<Item = (&'a str, bool)>) -> String {
        let mut names: BTreeMap<String, (bool, Vec<String>)> = BTreeMap::new();
        for (name, ran) in functions {
            let (name, hash) = name_and_hash(name);
            let entry = names.entry(name).or_default();
            entry.0 |= ran;
            if let Some(hash) = hash {
                entry
                    .1
                    .push(format!("{}{hash}", if ran { '+' } else { '-' }));
            }
        }
        let mut text = String::from(
            "# The functions the tablet app's first page runs, written by\n\
             # `cargo xtask first-load-profile`: name, tab, the hashes of the functions of that\n\
             # name, + ran, - did not (xtask/src/split/profile.rs).\n",
        );
        for (name, (ran, mut hashes)) in names {
            if !ran {
                continue;
            }
            hashes.sort();
            hashes.dedup();
            text.push_str(&name);
            if !hashes.is_empty() {
                text.push('\t');
                text.push_str(&hashes.join(" "));
            }
            text.push('\n');
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::{name_and_hash, Profile};

    #[test]
    fn names_lose_their_hash_and_nothing_else() {
        assert_eq!(
            name_and_hash("core::option::Option<T>::expect::hb3dbac27062f00ac"),
            (
                "core::option::Option<T>::expect".to_owned(),
                Some("b3dbac27062f00ac".to_owned())
            )
        );
        assert_eq!(
            name_and_hash("_ZN4core3fmt9Formatter3pad17h0123456789abcdefE").0,
            "core::fmt::Formatter::pad"
        );
        assert_eq!(name_and_hash("thamgia::run::hx").0, "thamgia::run::hx");
        assert_eq!(
            name_and_hash("byn$mgfn-shared$f"),
            ("byn$mgfn-shared$f".to_owned(), None)
        );
    }

    #[test]
    fn a_later_build_keeps_what_ran_and_new_instances_of_what_ran() {
        let text = Profile::write([
            ("a::f::h0000000000000001", true),
            ("a::f::h0000000000000002", false),
            ("a::g::h0000000000000003", false),
            ("wasm-opt-made", true),
        ]);
        let profile = Profile::parse(&text);
        assert!(profile.keeps("a::f::h0000000000000001"), "it ran");
        assert!(!profile.keeps("a::f::h0000000000000002"), "it did not run");
        assert!(
            profile.keeps("a::f::h00000000000000ff"),
            "a new instance of what ran"
        );
        assert!(
            !profile.keeps("a::g::h0000000000000003"),
            "nothing of its name ran"
        );
        assert!(
            !profile.keeps("a::h::h0000000000000004"),
            "new, and nothing of its name ran"
        );
        assert!(profile.keeps("wasm-opt-made"));
        assert!(
            !text.contains("a::g"),
            "names none of which ran are left out"
        );
    }
}
