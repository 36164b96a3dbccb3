//! DIMACS CNF files, as feature-model tools (FeatureIDE and others) export them.
//!
//! ```text
//! c 1 root
//! c 2 Intel Core i3
//! p cnf 2 2
//! 1 0
//! -2 1 0
//! ```
//!
//! - Lines starting with `c` are comments. A comment `c <n> <name>` names
//!   variable `n` (the name is the rest of the line, trimmed, and may contain
//!   spaces); FeatureIDE's `c <n>$ <name>` for auxiliary variables counts too.
//!   Comments whose number is not a declared variable are plain comments.
//!   Naming one variable twice with different names is an error.
//! - `p cnf <variables> <clauses>` is the header; exactly one, before the
//!   first clause.
//! - Clauses are nonzero integers (`n` is variable `n`, `-n` its negation),
//!   each clause ended by `0`; a clause may span lines and a line may hold
//!   several clauses. A clause missing its final `0` at the end of the file
//!   is an error (the file may be truncated). `0` alone is the empty clause.
//! - A line starting with `%` ends the clauses (the SATLIB convention); the
//!   rest of the file is ignored.
//!
//! Every declared variable becomes a Boolean [`Var`], even one in no clause,
//! named by its comment or else by its number. Names must identify variables,
//! so when several variables share a name each of them becomes
//! `<name> #<number>` (`Mouse #12`, `Mouse #40`).

use std::collections::HashMap;

use super::error;
use crate::ModelError;
use crate::problem::{Constraint, Lit, Problem, Var};

/// The largest number of variables accepted: `p cnf 4000000000 0` is a
/// three-line file that would otherwise exhaust memory.
const MAX_VARS: usize = 1 << 24;

/// Reads a DIMACS CNF file. `source` names the file in error messages.
///
/// ```
/// use tailor_engine::import::parse_dimacs;
/// use tailor_engine::problem::{Constraint, Lit};
///
/// let problem = parse_dimacs("pc.dimacs", "c 1 PC\nc 2 Intel Core i3\np cnf 3 2\n1 0\n-2\n 1 0\n").unwrap();
/// assert_eq!(problem.vars[1].name, "Intel Core i3");
/// assert_eq!(problem.vars[2].name, "3"); // unnamed and in no clause
/// let lits = vec![Lit { var: 1, positive: false }, Lit { var: 0, positive: true }];
/// assert_eq!(problem.constraints[1], Constraint::Clause(lits));
///
/// let err = parse_dimacs("pc.dimacs", "p cnf 2 1\n1 -3 0\n").unwrap_err();
/// assert_eq!((err.place.as_str(), err.reason.as_str()), ("line 2, column 3", "literal -3 is out of range: the header declares 2 variables"));
/// ```
pub fn parse_dimacs(source: &str, text: &str) -> Result<Problem, ModelError> {
    // (line, variables, clauses) of the `p cnf` line.
    let mut header: Option<(usize, usize, usize)> = None;
    // (variable, name, line) of the naming comments, checked once the header is known.
    let mut names: Vec<(usize, &str, usize)> = Vec::new();
    let mut constraints = Vec::new();
    let mut clause: Vec<Lit> = Vec::new();
    // Line of the last literal of an unfinished clause.
    let mut open_clause: Option<usize> = None;
    let mut line_count = 0;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        line_count = number;
        let line = if i == 0 { raw.trim_start_matches('\u{feff}') } else { raw };
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(comment) = trimmed.strip_prefix('c') {
            if let Some((var, name)) = naming_comment(comment) {
                names.push((var, name, number));
            }
            continue;
        }
        if trimmed.starts_with('%') {
            break;
        }
        let at = |token: &str| {
            format!("line {number}, column {}", line[..super::offset_in(line, token)].chars().count() + 1)
        };
        if let Some(rest) = trimmed.strip_prefix('p') {
            if let Some((first, ..)) = header {
                return Err(error(source, at(trimmed), format!("a second `p` header (the first is on line {first})")));
            }
            let fields: Vec<&str> = rest.split_ascii_whitespace().collect();
            let counts = match fields[..] {
                ["cnf", vars, clauses] => vars.parse::<usize>().ok().zip(clauses.parse::<usize>().ok()),
                _ => None,
            };
            let Some((vars, clauses)) = counts else {
                return Err(error(
                    source,
                    at(trimmed),
                    format!("expected `p cnf <variables> <clauses>`, found `{}`", trimmed.trim_end()),
                ));
            };
            if vars > MAX_VARS {
                return Err(error(
                    source,
                    at(trimmed),
                    format!("{vars} variables is more than the {MAX_VARS} supported"),
                ));
            }
            header = Some((number, vars, clauses));
            continue;
        }
        for token in line.split_ascii_whitespace() {
            let Ok(literal) = token.parse::<i64>() else {
                return Err(error(source, at(token), format!("\"{token}\" is not a literal (a nonzero integer or 0)")));
            };
            let Some((_, vars, _)) = header else {
                return Err(error(source, at(token), "clause before the `p cnf` header"));
            };
            if literal == 0 {
                constraints.push(Constraint::Clause(std::mem::take(&mut clause)));
                open_clause = None;
                continue;
            }
            let var = literal.unsigned_abs();
            if var > vars as u64 {
                return Err(error(
                    source,
                    at(token),
                    format!("literal {literal} is out of range: the header declares {vars} variables"),
                ));
            }
            clause.push(Lit { var: var as usize - 1, positive: literal > 0 });
            open_clause = Some(number);
        }
    }
    if let Some(line) = open_clause {
        return Err(error(
            source,
            format!("line {line}"),
            "the last clause is not ended by 0 (is the file truncated?)",
        ));
    }
    let Some((header_line, var_count, clause_count)) = header else {
        return Err(error(source, format!("line {}", line_count.max(1)), "no `p cnf` header: not a DIMACS CNF file"));
    };
    if constraints.len() != clause_count {
        return Err(error(
            source,
            format!("line {header_line}"),
            format!("the header declares {clause_count} clauses but the file has {}", constraints.len()),
        ));
    }
    let vars = var_names(source, var_count, &names)?.into_iter().map(Var::boolean).collect();
    Ok(Problem { vars, constraints })
}

/// `(variable, name)` if the text after a line's `c` is ` <n> <name>` (or
/// ` <n>$ <name>`) with `n` positive and `name` not empty.
fn naming_comment(comment: &str) -> Option<(usize, &str)> {
    if !comment.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let comment = comment.trim();
    let (number, name) = comment.split_once(|c: char| c.is_ascii_whitespace())?;
    let number = number.strip_suffix('$').unwrap_or(number);
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let var = number.parse::<usize>().ok().filter(|&v| v > 0)?;
    let name = name.trim();
    (!name.is_empty()).then_some((var, name))
}

/// The name of each variable: its comment's, else its number; shared names
/// get ` #<number>` appended.
fn var_names(source: &str, var_count: usize, names: &[(usize, &str, usize)]) -> Result<Vec<String>, ModelError> {
    let mut given: Vec<Option<(&str, usize)>> = vec![None; var_count];
    for &(var, name, line) in names {
        let Some(slot) = given.get_mut(var - 1) else { continue };
        match *slot {
            Some((previous, first)) if previous != name => {
                return Err(error(
                    source,
                    format!("line {line}"),
                    format!("variable {var} is named \"{previous}\" on line {first} and \"{name}\" here"),
                ));
            }
            Some(_) => {}
            None => *slot = Some((name, line)),
        }
    }
    let mut result: Vec<String> = given
        .iter()
        .enumerate()
        .map(|(i, name)| name.map_or_else(|| (i + 1).to_string(), |(name, _)| name.to_string()))
        .collect();
    let mut uses: HashMap<&str, usize> = HashMap::with_capacity(result.len());
    for name in &result {
        *uses.entry(name.as_str()).or_default() += 1;
    }
    let shared: Vec<usize> = (0..result.len()).filter(|&i| uses[result[i].as_str()] > 1).collect();
    for i in shared {
        result[i] = format!("{} #{}", result[i], i + 1);
    }
    Ok(result)
}
