//! Importers: real configuration problems from other formats, turned into a
//! [`crate::problem::Problem`] so they run through the same engine.
//!
//! - [`xcsp`]: XCSP 2.1 instances with extensional constraints (tables of
//!   allowed or forbidden tuples), such as the Renault BR4CP car models.
//! - [`dimacs`]: DIMACS CNF files, such as feature models exported by
//!   FeatureIDE, with `c <number> <name>` comments naming the variables.
//! - [`sales`]: a sales history (one past order per line) over the variables of
//!   an imported problem.
//!
//! Every importer takes the file's text (no file system access, so the same
//! code runs in the browser) plus a `source` name used in error messages, and
//! never panics: a file it cannot use yields a [`ModelError`] naming the
//! source, the place (`line L`, `line L, column C` or an element such as
//! `relation "r1", line 604`) and the reason.
//!
//! ```
//! use tailor_engine::import::parse_file;
//!
//! let problem = parse_file("tiny.cnf", "c 1 engine\nc 2 turbo\np cnf 2 1\n1 -2 0\n").unwrap();
//! assert_eq!(problem.vars[1].name, "turbo");
//! assert!(problem.holds(&[1, 1]) && !problem.holds(&[0, 1]));
//! ```

pub mod dimacs;
pub mod sales;
pub mod xcsp;
mod xml;

pub use dimacs::parse_dimacs;
pub use sales::{Sales, SalesOrder, parse_sales};
pub use xcsp::parse_xcsp;

use crate::ModelError;
use crate::problem::Problem;

/// Reads a problem in whichever format `source` and `text` show.
///
/// The extension of `source` decides first (case-insensitive): `.xml` is
/// XCSP 2.1, `.dimacs` and `.cnf` are DIMACS CNF. Otherwise the content
/// decides: text starting with `<` is XCSP, text with a `p cnf` line is DIMACS.
pub fn parse_file(source: &str, text: &str) -> Result<Problem, ModelError> {
    let file_name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    let extension = file_name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    match extension.as_deref() {
        Some("xml") => return parse_xcsp(source, text),
        Some("dimacs" | "cnf") => return parse_dimacs(source, text),
        _ => {}
    }
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with('<') {
        parse_xcsp(source, text)
    } else if text.lines().any(|line| line.trim_start().starts_with("p cnf")) {
        parse_dimacs(source, text)
    } else {
        Err(error(
            source,
            "line 1",
            "unknown format: expected an XCSP 2.1 instance (<instance>) or DIMACS CNF (a `p cnf` line)",
        ))
    }
}

/// A [`ModelError`] for `source`.
pub(crate) fn error(source: &str, place: impl Into<String>, reason: impl Into<String>) -> ModelError {
    ModelError { source: source.to_string(), place: place.into(), reason: reason.into() }
}

/// `line L, column C` (both from 1, columns in characters) of a byte offset.
pub(crate) fn position(text: &str, offset: usize) -> String {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    format!("line {line}, column {column}")
}

/// The line (from 1) of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The byte offset of `part` inside `whole`; `part` must be a slice of it.
pub(crate) fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}
