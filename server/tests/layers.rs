//! The server's modules depend on each other in one direction: no file of
//! `src/` reaches back, through `crate::` or `super::` paths, to a file that
//! depends on it, and no route handler is called from Rust code (a handler
//! is reached only through the router; shared work goes through a domain
//! service such as `orders::place`). ARCHITECTURE.md states the layers.
//!
//! Read from the source text (`use` lines and paths in code), tests and
//! comments left out; the binaries (`main.rs`, `bin/`) are other crates.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which modules each module uses.
type Edges = BTreeMap<Vec<String>, BTreeSet<Vec<String>>>;

/// A module path (`["privacy", "sessions"]`, `[]` for the crate root) for
/// every file of the library.
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    fn walk(dir: &Path, src: &Path, out: &mut BTreeMap<Vec<String>, PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().unwrap() != "bin" {
                    walk(&path, src, out);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            match parts.last().map(String::as_str) {
                Some("main") if parts.len() == 1 => continue,
                Some("lib") if parts.len() == 1 => parts.clear(),
                Some("mod") => {
                    parts.pop();
                }
                _ => {}
            }
            out.insert(parts, path);
        }
    }
    let mut out = BTreeMap::new();
    walk(src, src, &mut out);
    out
}

/// The code of a file without comments, without its `#[cfg(test)]` module
/// and without module declarations and re-exports (a folder's `mod.rs`
/// re-exporting its children is the folder's face, not a dependency).
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    let skipped = ["//", "pub use ", "pub(crate) use ", "mod ", "pub mod ", "pub(crate) mod "];
    text.lines().filter(|l| !skipped.iter().any(|s| l.trim_start().starts_with(s))).map(|l| l.split(" // ").next().unwrap_or(l)).collect::<Vec<_>>().join("\n")
}

/// The paths written after `crate::`, `super::` in `code`, relative to the
/// module `here`, with `{a, b}` groups expanded (one level).
fn paths(code: &str, here: &[String], is_mod_file: bool) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(found) = code[from..].find(start) {
            let at = from + found;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let mut base: Vec<String> = if start == "crate::" {
                Vec::new()
            } else {
                // `super` of a `mod.rs` file is its folder's parent.
                let mut b = here.to_vec();
                if !is_mod_file || !here.is_empty() {
                    b.pop();
                }
                b
            };
            let rest = &code[from..];
            let mut end = 0;
            let rb = rest.as_bytes();
            while end < rb.len() && (rb[end].is_ascii_alphanumeric() || rb[end] == b'_' || rb[end] == b':') {
                end += 1;
            }
            let path = rest[..end].trim_end_matches(':');
            base.extend(path.split("::").filter(|s| !s.is_empty()).map(str::to_string));
            if rest[end..].starts_with('{') || rest[..end].ends_with("::") && rest[end..].starts_with('{') {
                let close = rest[end..].find('}').map_or(rest.len(), |c| end + c);
                for item in rest[end + 1..close].split(',') {
                    let name = item.trim().split(" as ").next().unwrap_or("").trim();
                    let mut p = base.clone();
                    p.extend(name.split("::").filter(|s| !s.is_empty() && *s != "self").map(str::to_string));
                    out.push(p);
                }
            } else {
                out.push(base);
            }
        }
    }
    out
}

/// The paths in `code` that start with the child module `child` of `here`
/// without a prefix (`orders::routes::create` in `lib.rs`).
fn bare_paths(code: &str, here: &[String], child: &str) -> Vec<Vec<String>> {
    let word = format!("{child}::");
    let b = code.as_bytes();
    code.match_indices(&word)
        .filter(|(at, _)| *at == 0 || !(b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_' || b[at - 1] == b':'))
        .map(|(at, _)| {
            let rest = &code[at..];
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
            let mut p = here.to_vec();
            p.extend(rest[..end].split("::").filter(|s| !s.is_empty()).map(str::to_string));
            p
        })
        .collect()
}

/// The longest prefix of `path` that is a module of a file.
fn resolve<'a>(path: &[String], files: &'a BTreeMap<Vec<String>, PathBuf>) -> Option<&'a Vec<String>> {
    (0..=path.len()).rev().find_map(|n| files.get_key_value(&path[..n]).map(|(k, _)| k))
}

fn graph() -> (Edges, BTreeMap<Vec<String>, String>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = modules(&src);
    let mut edges = BTreeMap::new();
    let mut texts = BTreeMap::new();
    for (module, path) in &files {
        let text = code(&std::fs::read_to_string(path).unwrap());
        let is_mod = path.file_name().is_some_and(|n| n == "mod.rs" || n == "lib.rs");
        let mut to = BTreeSet::new();
        let mut found = paths(&text, module, is_mod);
        if is_mod {
            // A folder's own file names its children without a prefix.
            for child in files.keys().filter(|k| k.len() == module.len() + 1 && k.starts_with(module)) {
                found.extend(bare_paths(&text, module, child.last().unwrap()));
            }
        }
        for p in found {
            if let Some(target) = resolve(&p, &files)
                && target != module
            {
                to.insert(target.clone());
            }
        }
        edges.insert(module.clone(), to);
        texts.insert(module.clone(), text);
    }
    (edges, texts)
}

fn name(m: &[String]) -> String {
    if m.is_empty() { "lib".into() } else { m.join("::") }
}

/// A cycle through the graph, if there is one (depth-first search).
fn cycle(edges: &Edges) -> Option<Vec<String>> {
    fn visit(
        n: &Vec<String>,
        edges: &Edges,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<String>> {
        state.insert(n.clone(), 1);
        stack.push(n.clone());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m) {
                Some(1) => {
                    let from = stack.iter().position(|s| s == m).unwrap();
                    let mut c: Vec<String> = stack[from..].iter().map(|s| name(s)).collect();
                    c.push(name(m));
                    return Some(c);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(n.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if !state.contains_key(n)
            && let Some(c) = visit(n, edges, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

#[test]
fn no_module_reaches_back() {
    let (edges, _) = graph();
    assert!(edges.len() > 20, "the server's files were not found: {:?}", edges.keys().collect::<Vec<_>>());
    assert!(edges[&vec![]].contains(&vec!["orders".to_string(), "routes".to_string()]), "the router's routes were not seen");
    if let Some(c) = cycle(&edges) {
        panic!("an import cycle among server modules: {}", c.join(" -> "));
    }
}

#[test]
fn the_cycle_check_sees_a_cycle() {
    let m = |s: &str| s.split("::").map(str::to_string).collect::<Vec<_>>();
    let mut edges = BTreeMap::new();
    edges.insert(m("a"), BTreeSet::from([m("b")]));
    edges.insert(m("b"), BTreeSet::from([m("c")]));
    edges.insert(m("c"), BTreeSet::from([m("a")]));
    assert_eq!(cycle(&edges), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    edges.insert(m("c"), BTreeSet::new());
    assert_eq!(cycle(&edges), None);
    // Paths are read from `use` groups and `super::` too.
    let found = paths("use super::{sessions::customer, db};\nlet x = crate::orders::place(a);", &m("privacy::again"), false);
    assert_eq!(found, vec![m("orders::place"), m("privacy::sessions::customer"), m("privacy::db")]);
}

#[test]
fn no_route_handler_is_called_from_code() {
    let (_, texts) = graph();
    for (module, text) in &texts {
        // A handler takes `State(..)` first: a call passing one is a
        // handler called as a function.
        for (at, _) in text.match_indices("(State(") {
            let before = &text[..at];
            let word_start = before.rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).map_or(0, |i| i + 1);
            let is_definition = before[..word_start].trim_end().ends_with("fn");
            assert!(is_definition, "{} calls a route handler: {}", name(module), &text[word_start..at + 7]);
        }
    }
}
