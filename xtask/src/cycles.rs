//! `cargo xtask test`'s module-cycle check: no two modules of a crate may
//! import each other, directly or through others.
//!
//! Each `.rs` file under a crate's `src/` is a module (`a.rs` and
//! `a/b.rs` are `a` and `a::b`; `lib.rs`, `main.rs` are the root). A
//! module depends on another when its text names it with a `crate::`,
//! `super::` or `self::` path outside comments (a `use` or a path in code);
//! a path to an item resolves to the longest module it starts with. A
//! module never depends on its own parent or children through this check:
//! a parent declares its children (`mod b;`), and a child reaching its
//! parent's items with `super::` is how Rust files are split, not a cycle.
//! What remains are dependencies between siblings and cousins; a strongly
//! connected group of two or more modules is a cycle.
//!
//! One exception is named: the XLSForm expression language's parser,
//! functions and evaluator in core refer to one another by nature (a
//! function call parses arguments that are expressions).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::workspace::Workspace;
use crate::Result;

/// Crates whose modules are checked, by their `src` folder.
const CRATE_SOURCES: [&str; 6] = [
    "src",
    "crates/thamgia-core/src",
    "crates/thamgia-server/src",
    "crates/thamgia-e2e/src",
    "crates/thamgia-faults/src",
    "xtask/src",
];

/// Cycles allowed by name: every module of the cycle starts with this.
const ALLOWED_CYCLE_PREFIXES: [&str; 1] = ["crates/thamgia-core/src::expression"];

/// Fails with the cycles found, if any.
pub fn check(workspace: &Workspace) -> Result {
    let mut found = Vec::new();
    for source in CRATE_SOURCES {
        let root = workspace.root.join(source);
        if !root.is_dir() {
            continue;
        }
        let graph = module_graph(&root)?;
        for cycle in cycles(&graph) {
            let named: Vec<String> = cycle
                .iter()
                .map(|module| format!("{source}::{module}"))
                .collect();
            let allowed = ALLOWED_CYCLE_PREFIXES
                .iter()
                .any(|prefix| named.iter().all(|module| module.starts_with(prefix)));
            if allowed {
                println!("  allowed cycle (named exception): {}", named.join(" ⇄ "));
            } else {
                found.push(named.join(" ⇄ "));
            }
        }
    }
    if found.is_empty() {
        println!("✓ no module imports another that imports it back");
        Ok(())
    } else {
        Err(format!(
            "modules import each other (break the cycle: move what both need into a leaf module or core):\n  {}",
            found.join("\n  ")
        )
        .into())
    }
}

/// Every module of the crate at `root` and the modules it depends on.
pub fn module_graph(root: &Path) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let mut files = Vec::new();
    collect_files(root, &mut files)?;
    let modules: BTreeMap<String, PathBuf> = files
        .into_iter()
        .map(|file| (module_name(root, &file), file))
        .collect();
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file)?;
        let mut depends = BTreeSet::new();
        for path in module_paths(&strip_comments(&text)) {
            let Some(absolute) = absolute_path(module, &path) else {
                continue;
            };
            if let Some(target) = longest_module(&names, &absolute) {
                let related = target == *module
                    || is_ancestor(&target, module)
                    || is_ancestor(module, &target);
                if !related {
                    depends.insert(target);
                }
            }
        }
        graph.insert(module.clone(), depends);
    }
    Ok(graph)
}

fn collect_files(directory: &Path, into: &mut Vec<PathBuf>) -> Result {
    for entry in std::fs::read_dir(directory)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, into)?;
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            into.push(path);
        }
    }
    Ok(())
}

/// `a/b.rs` → `a::b`; `lib.rs`, `main.rs` → `` (the root); `a/mod.rs` → `a`.
fn module_name(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("lib" | "main" | "mod")
    ) {
        parts.pop();
    }
    parts.join("::")
}

fn is_ancestor(ancestor: &str, module: &str) -> bool {
    ancestor.is_empty() || module.starts_with(&format!("{ancestor}::"))
}

/// The text without `//` and `/* */` comments (string literals are kept:
/// a path inside a string is rare and harmless to count).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        if character == '/' && characters.peek() == Some(&'/') {
            for rest in characters.by_ref() {
                if rest == '\n' {
                    out.push('\n');
                    break;
                }
            }
        } else if character == '/' && characters.peek() == Some(&'*') {
            characters.next();
            let mut previous = ' ';
            for rest in characters.by_ref() {
                if previous == '*' && rest == '/' {
                    break;
                }
                previous = rest;
            }
        } else {
            out.push(character);
        }
    }
    out
}

/// Every path starting with `crate::`, `super::` or `self::`, with the
/// groups of a `use` (`crate::a::{b, c::d}`) expanded.
fn module_paths(text: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(found) = text[from..].find(start) {
            let begin = from + found;
            from = begin + start.len();
            let preceded_by_name = text[..begin].chars().next_back().is_some_and(|character| {
                character.is_alphanumeric() || character == '_' || character == ':'
            });
            if preceded_by_name {
                continue;
            }
            let rest = &text[begin..];
            let end = path_end(rest);
            expand(&rest[..end], &mut paths);
        }
    }
    paths
}

/// Where a path (with its `{…}` groups) ends.
fn path_end(text: &str) -> usize {
    let mut depth = 0usize;
    for (index, character) in text.char_indices() {
        match character {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            character if character.is_alphanumeric() || character == '_' || character == ':' => {}
            _ => return index,
        }
    }
    text.len()
}

/// `a::{b, c::{d, e}}` → `[a,b]`, `[a,c,d]`, `[a,c,e]`.
fn expand(path: &str, into: &mut Vec<Vec<String>>) {
    let path: String = path
        .chars()
        .filter(|character| !character.is_whitespace())
        .collect();
    match path.find('{') {
        None => into.push(
            path.split("::")
                .filter(|segment| !segment.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        Some(open) => {
            let prefix = path[..open].trim_end_matches("::");
            let inner = path[open + 1..].trim_end_matches('}');
            let mut depth = 0usize;
            let mut piece_start = 0;
            let mut pieces = Vec::new();
            for (index, character) in inner.char_indices() {
                match character {
                    '{' => depth += 1,
                    '}' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => {
                        pieces.push(&inner[piece_start..index]);
                        piece_start = index + 1;
                    }
                    _ => {}
                }
            }
            pieces.push(&inner[piece_start..]);
            for piece in pieces.into_iter().filter(|piece| !piece.is_empty()) {
                if piece == "self" {
                    expand(prefix, into);
                } else {
                    expand(&format!("{prefix}::{piece}"), into);
                }
            }
        }
    }
}

/// The path as seen from the crate root, from a module `module`.
fn absolute_path(module: &str, path: &[String]) -> Option<Vec<String>> {
    let mut base: Vec<String> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").map(str::to_owned).collect()
    };
    let mut segments = path.iter().peekable();
    match segments.next()?.as_str() {
        "crate" => base.clear(),
        "self" => {}
        "super" => {
            base.pop()?;
            while segments.peek().is_some_and(|segment| *segment == "super") {
                segments.next();
                base.pop()?;
            }
        }
        _ => return None,
    }
    base.extend(segments.cloned());
    Some(base)
}

fn longest_module(names: &BTreeSet<String>, path: &[String]) -> Option<String> {
    (0..=path.len())
        .rev()
        .map(|length| path[..length].join("::"))
        .find(|candidate| names.contains(candidate))
}

/// The strongly connected groups of two or more modules (Tarjan's
/// algorithm, iterative over the small graphs here by recursion depth).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        groups: Vec<Vec<String>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a str) {
        state.index.insert(node, state.next);
        state.low.insert(node, state.next);
        state.next += 1;
        state.stack.push(node);
        state.on_stack.insert(node);
        let graph = state.graph;
        for target in graph.get(node).into_iter().flatten() {
            let target = target.as_str();
            if !graph.contains_key(target) {
                continue;
            }
            if !state.index.contains_key(target) {
                visit(state, target);
                let low = state.low[node].min(state.low[target]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(target) {
                let low = state.low[node].min(state.index[target]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut group = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack.remove(member);
                group.push(member.to_owned());
                if member == node {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                state.groups.push(group);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        groups: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
        edges
            .iter()
            .map(|(from, to)| {
                (
                    (*from).to_owned(),
                    to.iter().map(|target| (*target).to_owned()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn mutual_imports_are_found_and_chains_are_not() {
        let chain = graph(&[("a", &["b"]), ("b", &["c"]), ("c", &[])]);
        assert!(cycles(&chain).is_empty());
        let loop_of_three = graph(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"]), ("d", &["a"])]);
        assert_eq!(cycles(&loop_of_three), vec![vec!["a", "b", "c"]]);
    }

    #[test]
    fn paths_resolve_from_the_module_that_names_them() {
        let mut paths = Vec::new();
        expand(
            "crate::database::{Database, sync::{push, pull}, self}",
            &mut paths,
        );
        assert_eq!(
            paths,
            vec![
                vec!["crate", "database", "Database"],
                vec!["crate", "database", "sync", "push"],
                vec!["crate", "database", "sync", "pull"],
                vec!["crate", "database"],
            ]
        );
        let path: Vec<String> = ["super", "super", "x"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(
            absolute_path("a::b::c", &path),
            Some(vec!["a".to_owned(), "x".to_owned()])
        );
        assert_eq!(
            module_paths(&strip_comments(
                "use crate::a::b; // crate::z\nlet x = super::c::d();"
            )),
            vec![vec!["crate", "a", "b"], vec!["super", "c", "d"]]
        );
    }
}
