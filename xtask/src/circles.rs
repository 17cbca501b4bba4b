//! Import circles inside the workspace's crates (a test): modules of one
//! folder that reach each other through `crate::` and `super::` paths. An
//! arrow between modules of different folders counts as an arrow between
//! the folders holding them, so folders must import each other one way too.
//! None is left; one that cannot be broken at once goes on [`KNOWN`] with
//! why, and a listed one that is gone fails the test (the list stays current).

#![cfg(test)]

use crate::root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Circles allowed for now, by crate source folder (none): each fails the
/// test once broken until it is taken off this list.
const KNOWN: &[(&str, &[&str])] = &[];

/// Every `.rs` file under `dir` by module path (`queue/lease`, `http`; the
/// crate root is `""`), with its source before its tests and without comments.
fn modules(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let joined = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if path.is_dir() {
            modules(&path, &joined, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let module = match name.as_str() {
                "lib" | "main" if prefix.is_empty() => String::new(),
                "mod" => prefix.to_owned(),
                _ => joined,
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let code: Vec<&str> = code
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect();
            out.insert(module, code.join("\n"));
        }
    }
}

/// The first segments of the paths after each `crate::` or `super::` in
/// `code` (`use crate::{a, b::c}` names `a` and `b`), with which it was.
fn named(code: &str) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    for anchor in ["crate::", "super::"] {
        for (at, _) in code.match_indices(anchor) {
            if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &code[at + anchor.len()..];
            let heads: Vec<&str> = match rest.strip_prefix('{') {
                Some(list) => {
                    let (mut depth, mut start, mut heads) = (0, 0, Vec::new());
                    for (i, c) in list.char_indices() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => {
                                heads.push(&list[start..i]);
                                break;
                            }
                            '}' => depth -= 1,
                            ',' if depth == 0 => {
                                heads.push(&list[start..i]);
                                start = i + 1;
                            }
                            _ => {}
                        }
                    }
                    heads
                }
                None => vec![rest],
            };
            for head in heads {
                let ident: String = head
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !ident.is_empty() {
                    found.push((anchor, ident));
                }
            }
        }
    }
    found
}

/// The circles among the modules of the crate whose sources are in `dir`.
fn circles(dir: &str) -> Vec<Vec<String>> {
    let mut sources = BTreeMap::new();
    modules(&root().join(dir), "", &mut sources);
    let mut arrows: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &sources {
        let parent = module.rsplit_once('/').map_or("", |(parent, _)| parent);
        for (anchor, head) in named(code) {
            let base = if anchor == "crate::" { "" } else { parent };
            let target = if base.is_empty() {
                head
            } else {
                format!("{base}/{head}")
            };
            if !sources.contains_key(&target) || &target == module {
                continue;
            }
            // The arrow between the two siblings holding `module` and `target`.
            let (from, to): (Vec<&str>, Vec<&str>) =
                (module.split('/').collect(), target.split('/').collect());
            let shared = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if shared == from.len().min(to.len()) {
                continue; // one holds the other
            }
            arrows
                .entry(from[..=shared].join("/"))
                .or_default()
                .insert(to[..=shared].join("/"));
        }
    }
    strongly_connected(&arrows)
}

/// The strongly connected components of more than one node (Tarjan's).
fn strongly_connected(arrows: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        arrows: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a str) {
        let n = state.index.len();
        state.index.insert(node, n);
        state.low.insert(node, n);
        state.stack.push(node);
        for next in state.arrows.get(node).into_iter().flatten() {
            if !state.index.contains_key(next.as_str()) {
                visit(state, next);
                let low = state.low[node].min(state.low[next.as_str()]);
                state.low.insert(node, low);
            } else if state.stack.contains(&next.as_str()) {
                let low = state.low[node].min(state.index[next.as_str()]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let at = state.stack.iter().rposition(|&n| n == node).unwrap();
            let mut component: Vec<String> = state.stack.drain(at..).map(str::to_owned).collect();
            if component.len() > 1 {
                component.sort();
                state.found.push(component);
            }
        }
    }
    let mut state = State {
        arrows,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for node in arrows.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.found.sort();
    state.found
}

#[test]
fn no_import_circles_but_the_known_ones() {
    for dir in ["core/src", "sdk/src", "server/src", "xtask/src"] {
        let known: Vec<Vec<String>> = KNOWN
            .iter()
            .filter(|(at, _)| *at == dir)
            .map(|(_, modules)| modules.iter().map(|m| m.to_string()).collect())
            .collect();
        assert_eq!(
            circles(dir),
            known,
            "import circles in {dir}: break a new one; take a broken one off KNOWN"
        );
    }
}

#[test]
fn finds_a_circle_through_folders_and_lists() {
    let code = "use crate::{a::X, b};\nfn f() { super::c::g(); crate::x::y() }";
    let heads: Vec<String> = named(code).into_iter().map(|(_, head)| head).collect();
    assert_eq!(heads, ["a", "b", "x", "c"]);
    let arrows: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(from, to)| (from.into(), to.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(strongly_connected(&arrows), [["a", "b", "c"]]);
}
