//! The importers (XCSP 2.1, DIMACS CNF, sales histories): small inline files
//! for every feature and every error, and the real benchmark files (read from
//! outside the repository, see `common::benchmarks_dir`).

mod common;

use std::collections::{HashSet, VecDeque};
use std::time::Instant;

use tailor_engine::ModelError;
use tailor_engine::import::{Sales, parse_dimacs, parse_file, parse_sales, parse_xcsp};
use tailor_engine::problem::{Constraint, Lit, Problem};

/// Whether `result` failed at `place` with a reason containing `reason`; if
/// not, what happened instead.
fn check_error<T: std::fmt::Debug>(
    result: Result<T, ModelError>,
    source: &str,
    place: &str,
    reason: &str,
) -> Result<(), String> {
    let err = match result {
        Ok(value) => return Err(format!("expected {place}: {reason}, got Ok({value:?})")),
        Err(err) => err,
    };
    let shown = format!("{source}: {place}: {}", err.reason);
    if err.source != source || err.place != place || !err.reason.contains(reason) || err.to_string() != shown {
        return Err(format!("expected {place}: {reason}\n     got {err}"));
    }
    Ok(())
}

/// Asserts that `result` failed at `place` with a reason containing `reason`.
#[track_caller]
fn assert_error<T: std::fmt::Debug>(result: Result<T, ModelError>, source: &str, place: &str, reason: &str) {
    if let Err(mismatch) = check_error(result, source, place, reason) {
        panic!("{mismatch}");
    }
}

/// Runs error cases `(input, place, reason)` and reports every mismatch.
#[track_caller]
fn assert_errors<T: std::fmt::Debug>(
    source: &str,
    cases: &[(String, &str, &str)],
    parse: impl Fn(&str) -> Result<T, ModelError>,
) {
    let mismatches: Vec<String> = cases
        .iter()
        .filter_map(|(input, place, reason)| check_error(parse(input), source, place, reason).err())
        .collect();
    assert!(mismatches.is_empty(), "{} of {} cases failed:\n{}", mismatches.len(), cases.len(), mismatches.join("\n"));
}

fn lit(var: usize, positive: bool) -> Lit {
    Lit { var, positive }
}

// ---------------------------------------------------------------- XCSP

const XCSP: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a tiny car -->
<instance>
 <presentation format="XCSP 2.1" type="CSP" name="tiny"/>
 <domains nbDomains="3">
  <domain name="Dcolour" nbValues="3">0..2</domain>
  <domain name="Droof" nbValues="2" optional="-1">-1 0</domain>
  <domain name="Dmix" nbValues="4"> 7 0..1 -3 </domain>
 </domains>
 <variables nbVariables="3">
  <variable name="colour" domain="Dcolour"/>
  <variable name="roof" domain="Droof"/>
  <variable name="mix" domain="Dmix"/>
 </variables>
 <relations nbRelations="2">
  <relation name="r1" arity="2" nbTuples="4" semantics="supports">
   0 -1 |
   1 0|2 0 |
   5 0
  </relation>
  <relation name="r2" arity="2" nbTuples="2" semantics="conflicts">7 2|-3 1</relation>
 </relations>
 <constraints nbConstraints="2">
  <constraint name="c1" arity="2" scope="colour roof" reference="r1"/>
  <constraint name="c2" arity="2" scope="mix colour" reference="r2"/>
 </constraints>
</instance>
"#;

#[test]
fn xcsp_reads_domains_variables_and_tables() {
    let problem = parse_xcsp("tiny.xml", XCSP).unwrap();
    let names: Vec<&str> = problem.vars.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["colour", "roof", "mix"]);
    assert_eq!(problem.vars[0].values, ["0", "1", "2"]);
    assert_eq!(problem.vars[1].values, ["-1", "0"]);
    assert_eq!(problem.vars[2].values, ["7", "0", "1", "-3"]);
    assert_eq!(problem.constraints.len(), 2);
    // The tuple "5 0" has a colour outside the domain: dropped.
    assert_eq!(
        problem.constraints[0],
        Constraint::Table { vars: vec![0, 1], tuples: vec![vec![0, 0], vec![1, 1], vec![2, 1]], allowed: true }
    );
    assert_eq!(
        problem.constraints[1],
        Constraint::Table { vars: vec![2, 0], tuples: vec![vec![0, 2], vec![3, 1]], allowed: false }
    );
    // colour=1 needs roof=0; mix=7 excludes colour=2.
    assert!(problem.holds(&[1, 1, 0]));
    assert!(!problem.holds(&[1, 0, 0]));
    assert!(!problem.holds(&[2, 1, 0]));
    assert!(problem.holds(&[2, 1, 1]));
}

#[test]
fn xcsp_accepts_xml_variations() {
    // Single quotes, entities in names, CDATA, comments in the body, CRLF
    // line ends, a DOCTYPE, a byte-order mark, no trailing `|` rules.
    let text = "\u{feff}<!DOCTYPE instance [<!ENTITY x \"y\">]>\r\n<instance>\r\n<domains>\
        <domain name='D&amp;1' nbValues='2'><![CDATA[0 1]]></domain></domains>\r\n\
        <variables><variable name=\"a&lt;b\" domain=\"D&amp;1\"/></variables>\r\n\
        <relations><relation name=\"r\" arity=\"1\" nbTuples=\"2\" semantics=\"supports\">0 <!-- one --> |1|</relation>\
        <relation name=\"none\" arity=\"1\" nbTuples=\"0\" semantics=\"supports\"></relation></relations>\r\n\
        <constraints><constraint scope=\"a&lt;b\" reference=\"r\"/><constraint scope=\"a&lt;b\" reference=\"none\"/>\
        </constraints></instance>\r\n";
    let problem = parse_xcsp("variations.xml", text).unwrap();
    assert_eq!(problem.vars[0].name, "a<b");
    assert_eq!(
        problem.constraints[0],
        Constraint::Table { vars: vec![0], tuples: vec![vec![0], vec![1]], allowed: true }
    );
    assert_eq!(problem.constraints[1], Constraint::Table { vars: vec![0], tuples: vec![], allowed: true });
    assert!(!problem.holds(&[0]), "an empty supports table allows nothing");
}

#[test]
fn xcsp_variables_without_constraints() {
    let text = r#"<instance><domains><domain name="D" nbValues="1">4</domain></domains>
        <variables><variable name="x" domain="D"/></variables></instance>"#;
    let problem = parse_xcsp("x.xml", text).unwrap();
    assert_eq!(problem.vars[0].values, ["4"]);
    assert!(problem.constraints.is_empty());
}

/// `XCSP` with `from` replaced by `to` (which must occur).
fn xcsp_with(from: &str, to: &str) -> String {
    assert!(XCSP.contains(from), "{from}");
    XCSP.replacen(from, to, 1)
}

#[test]
fn xcsp_malformed_xml() {
    let cases = [
        ("</instance>\n", "", "line 3, column 1", "<instance> is never closed"),
        (
            "</domains>",
            "</domain>",
            "line 9, column 2",
            "closing tag </domain> does not match <domains> opened on line 5",
        ),
        ("name=\"r2\"", "name=r2", "line 21, column 18", "expected a quoted attribute value"),
        (
            "name=\"r2\"",
            "name=\"r2\" name=\"r3\"",
            "line 21, column 23",
            "attribute \"name\" appears twice in <relation>",
        ),
        ("<!-- a tiny car -->", "<!-- a tiny car", "line 2, column 1", "unterminated comment"),
        ("</instance>", "</instance><instance/>", "line 27, column 12", "a second root element"),
        ("</instance>", "</instance>oops", "line 27, column 12", "text outside the root element"),
        ("name=\"Dcolour\"", "name=\"D&colour\"", "line 6, column 18", "`&` without a closing `;`"),
        ("name=\"Dcolour\"", "name=\"D&bogus;\"", "line 6, column 18", "unknown entity `&bogus;`"),
        ("<domains", "<domains<", "line 5, column 10", "expected a space, `>` or `/>` in tag <domains>"),
        ("<domains", "<1domains", "line 5, column 3", "expected a name"),
    ];
    let reasons: Vec<String> = cases.iter().map(|case| format!("malformed XML: {}", case.3)).collect();
    let cases: Vec<_> = cases
        .iter()
        .zip(&reasons)
        .map(|(&(from, to, place, _), reason)| (xcsp_with(from, to), place, reason.as_str()))
        .collect();
    assert_errors("tiny.xml", &cases, |text| parse_xcsp("tiny.xml", text));
    assert_error(parse_xcsp("e.xml", ""), "e.xml", "line 1, column 1", "no root element");
    assert_error(parse_xcsp("e.xml", "p cnf 1 1\n"), "e.xml", "line 1, column 1", "text outside the root element");
    let deep = "<a>".repeat(100_000);
    assert_error(parse_xcsp("deep.xml", &deep), "deep.xml", "line 1, column 193", "nested more than 64 deep");
}

#[test]
fn xcsp_reference_and_structure_errors() {
    let cases = [
        ("domain=\"Droof\"", "domain=\"Dsunroof\"", "variable \"roof\", line 12", "unknown domain \"Dsunroof\""),
        ("reference=\"r2\"", "reference=\"r9\"", "constraint \"c2\", line 25", "unknown relation \"r9\""),
        (
            "scope=\"mix colour\"",
            "scope=\"mix color\"",
            "constraint \"c2\", line 25",
            "unknown variable \"color\" in the scope",
        ),
        ("reference=\"r2\"", "reference=\"global:allDifferent\"", "constraint \"c2\", line 25", "global constraint"),
        ("<instance>", "<instance format=\"XCSP3\">", "<instance>, line 3", "XCSP3 is not supported"),
        (
            "format=\"XCSP 2.1\"",
            "format=\"XCSP 1.1\"",
            "presentation \"tiny\", line 4",
            "format \"XCSP 1.1\" is not supported",
        ),
        (
            " <constraints",
            " <predicates/><constraints",
            "<predicates>, line 23",
            "intensional constraints (<predicates>)",
        ),
        (" <constraints", " <domains/><constraints", "<domains>, line 23", "a second <domains> section"),
        (" <constraints", " <extra/><constraints", "<extra>, line 23", "unexpected element <extra> in <instance>"),
        (
            "<variable name=\"mix\"",
            "<var name=\"mix\"",
            "var \"mix\", line 13",
            "expected <variable> in <variables>, found <var>",
        ),
        (
            "nbVariables=\"3\"",
            "nbVariables=\"4\"",
            "<variables>, line 10",
            "nbVariables=\"4\" but the section has 3 <variable>",
        ),
        (
            "nbConstraints=\"2\"",
            "nbConstraints=\"two\"",
            "<constraints>, line 23",
            "nbConstraints=\"two\" is not a non-negative integer",
        ),
        ("<variable name=\"mix\"", "<variable", "<variable>, line 13", "<variable> has no \"name\" attribute"),
        (
            "name=\"c2\" arity=\"2\" scope=\"mix colour\" reference=\"r2\"",
            "arity=\"2\" scope=\"mix colour\" reference=\"r9\"",
            "<constraint>, line 25",
            "unknown relation \"r9\"",
        ),
        (" name=\"Dmix\"", " name=\"Droof\"", "domain \"Droof\", line 8", "a second domain named \"Droof\""),
        ("name=\"mix\"", "name=\"roof\"", "variable \"roof\", line 13", "a second variable named \"roof\""),
        ("name=\"r2\"", "name=\"r1\"", "relation \"r1\", line 21", "a second relation named \"r1\""),
        (
            "<domains nbDomains=\"3\">",
            "<domains nbDomains=\"3\">x",
            "line 5, column 25",
            "unexpected text in <domains>",
        ),
    ];
    let cases: Vec<_> =
        cases.into_iter().map(|(from, to, place, reason)| (xcsp_with(from, to), place, reason)).collect();
    assert_errors("tiny.xml", &cases, |text| parse_xcsp("tiny.xml", text));
    let root = "<problem/>";
    assert_error(
        parse_xcsp("p.xml", root),
        "p.xml",
        "<problem>, line 1",
        "expected an XCSP 2.1 <instance> root element",
    );
    let no_vars = "<instance><domains/></instance>";
    assert_error(
        parse_xcsp("v.xml", no_vars),
        "v.xml",
        "<instance>, line 1",
        "the instance has no <variables> section",
    );
}

#[test]
fn xcsp_domain_errors() {
    let cases = [
        (
            "nbValues=\"3\">0..2",
            "nbValues=\"4\">0..2",
            "domain \"Dcolour\", line 6",
            "nbValues=\"4\" but the domain lists 3",
        ),
        ("0..2", "0..x", "line 6, column 39", "\"0..x\" is not an integer range in domain \"Dcolour\""),
        ("0..2", "2..0", "line 6, column 39", "empty range \"2..0\" in domain \"Dcolour\""),
        ("> 7 0..1", "> 7 zero 1", "line 8, column 39", "\"zero\" is not an integer (in domain \"Dmix\")"),
        ("> 7 0..1", "> 7 0..1 7 -4", "domain \"Dmix\", line 8", "nbValues=\"4\" but the domain lists 6"),
        ("nbValues=\"4\"> 7 0..1 -3", "nbValues=\"4\"> 7 0..1 0", "domain \"Dmix\", line 8", "value 0 appears twice"),
        ("nbValues=\"3\">0..2", "nbValues=\"0\">", "domain \"Dcolour\", line 6", "the domain is empty"),
        ("nbValues=\"3\">0..2", ">0..2", "domain \"Dcolour\", line 6", "<domain> has no \"nbValues\" attribute"),
        ("0..2", "0..4000000000", "domain \"Dcolour\", line 6", "more than 1048576 values"),
        ("0..2", "0 99999999999999999999", "line 6, column 41", "\"99999999999999999999\" is not an integer"),
    ];
    let cases: Vec<_> =
        cases.into_iter().map(|(from, to, place, reason)| (xcsp_with(from, to), place, reason)).collect();
    assert_errors("tiny.xml", &cases, |text| parse_xcsp("tiny.xml", text));
}

#[test]
fn xcsp_relation_and_constraint_errors() {
    let cases = [
        (
            "nbTuples=\"4\"",
            "nbTuples=\"5\"",
            "relation \"r1\", line 16",
            "nbTuples=\"5\" but the relation lists 4 tuples",
        ),
        (
            "1 0|2 0 |",
            "1 0|2 0 1|",
            "line 18, column 8",
            "tuple 3 has 3 values but the arity is 2 (in relation \"r1\")",
        ),
        ("   5 0\n", "   5\n", "line 19, column 4", "tuple 4 has 1 values but the arity is 2"),
        ("1 0|2 0 |", "1 0||2 0 |", "line 18, column 8", "tuple 3 is empty in relation \"r1\""),
        ("7 2|-3 1", "7 2|-3 x", "line 21, column 75", "\"x\" is not an integer (in relation \"r2\")"),
        (
            "semantics=\"conflicts\"",
            "semantics=\"soft\"",
            "relation \"r2\", line 21",
            "semantics=\"soft\" is not supported",
        ),
        ("name=\"r2\" arity=\"2\"", "name=\"r2\" arity=\"0\"", "relation \"r2\", line 21", "arity=\"0\""),
        (
            "name=\"r2\" arity=\"2\"",
            "name=\"r2\" arity=\"1\"",
            "line 21, column 68",
            "tuple 1 has 2 values but the arity is 1",
        ),
        (
            "name=\"c2\" arity=\"2\"",
            "name=\"c2\" arity=\"3\"",
            "constraint \"c2\", line 25",
            "arity=\"3\" but the scope has 2 variables",
        ),
        (
            "scope=\"mix colour\"",
            "scope=\"mix colour roof\"",
            "constraint \"c2\", line 25",
            "arity=\"2\" but the scope has 3",
        ),
        (
            "arity=\"2\" scope=\"mix colour\"",
            "arity=\"3\" scope=\"mix colour roof\"",
            "constraint \"c2\", line 25",
            "relation \"r2\" has arity 2 but the scope has 3 variables",
        ),
        ("reference=\"r2\"", "", "constraint \"c2\", line 25", "<constraint> has no \"reference\" attribute"),
    ];
    let cases: Vec<_> =
        cases.into_iter().map(|(from, to, place, reason)| (xcsp_with(from, to), place, reason)).collect();
    assert_errors("tiny.xml", &cases, |text| parse_xcsp("tiny.xml", text));
}

/// Every prefix and many one-byte changes of a valid file: errors, no panic.
fn never_panics<T>(valid: &str, parse: impl Fn(&str) -> Result<T, ModelError>) {
    assert!(parse(valid).is_ok());
    for end in (0..valid.len()).filter(|&i| valid.is_char_boundary(i)) {
        let _ = parse(&valid[..end]);
    }
    let specials = ["<", ">", "/", "\"", "&", "|", "0", "-", " ", "\n", "p", "c", "..", "$", "9", "\u{e9}"];
    for at in (0..valid.len()).filter(|&i| valid.is_char_boundary(i)) {
        for s in specials {
            let mut text = valid.to_string();
            text.insert_str(at, s);
            let _ = parse(&text);
        }
    }
}

#[test]
fn xcsp_never_panics() {
    never_panics(XCSP, |t| parse_xcsp("fuzz.xml", t));
}

// ---------------------------------------------------------------- DIMACS

const DIMACS: &str = "c 1 PC\nc 2 Intel Core i3\nc 3$ aux\nc a free comment\nc\nc 99 not a variable\n\
    p cnf 5 4\n1 0\n-2 3\n 1 0 -3 -1 0\n\n2 -5 0\n";

#[test]
fn dimacs_reads_names_and_clauses() {
    let problem = parse_dimacs("pc.dimacs", DIMACS).unwrap();
    let names: Vec<&str> = problem.vars.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["PC", "Intel Core i3", "aux", "4", "5"]);
    assert!(problem.vars.iter().all(|v| v.values == ["0", "1"]));
    assert_eq!(
        problem.constraints,
        [
            Constraint::Clause(vec![lit(0, true)]),
            Constraint::Clause(vec![lit(1, false), lit(2, true), lit(0, true)]),
            Constraint::Clause(vec![lit(2, false), lit(0, false)]),
            Constraint::Clause(vec![lit(1, true), lit(4, false)]),
        ]
    );
    assert!(problem.holds(&[1, 0, 0, 0, 0]));
    assert!(!problem.holds(&[1, 0, 1, 0, 0]));
}

#[test]
fn dimacs_variations() {
    // CRLF, a byte-order mark, the SATLIB `%` end marker, an empty clause.
    let problem = parse_dimacs("x.cnf", "\u{feff}p cnf 2 2\r\n1 -2 0\r\n0\r\n%\r\n0\r\n").unwrap();
    assert_eq!(problem.vars.len(), 2);
    assert_eq!(problem.constraints[1], Constraint::Clause(vec![]));
    assert!(!problem.holds(&[1, 0]), "the empty clause never holds");
    // No clauses at all; variables in no clause are still variables.
    let problem = parse_dimacs("x.cnf", "p cnf 3 0\n").unwrap();
    assert_eq!(problem.vars.len(), 3);
    assert!(problem.holds(&[0, 1, 0]));
    // Several variables with one name: each gets its number.
    let problem = parse_dimacs("x.cnf", "c 1 Mouse\nc 2 Pad\nc 3 Mouse\nc 1 Mouse\np cnf 3 0\n").unwrap();
    let names: Vec<&str> = problem.vars.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["Mouse #1", "Pad", "Mouse #3"]);
    // A name that is another variable's number.
    let problem = parse_dimacs("x.cnf", "c 1 2\np cnf 2 0\n").unwrap();
    let names: Vec<&str> = problem.vars.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["2 #1", "2 #2"]);
}

#[test]
fn dimacs_errors() {
    let cases = [
        ("c 1 a\n1 0\n", "line 2, column 1", "clause before the `p cnf` header"),
        ("c only comments\n", "line 1", "no `p cnf` header"),
        ("", "line 1", "no `p cnf` header"),
        ("p cnf 2 1\np cnf 2 1\n1 0\n", "line 2, column 1", "a second `p` header (the first is on line 1)"),
        ("p cnf 2 2\n1 0\n  p cnf 2 1\n", "line 3, column 3", "a second `p` header (the first is on line 1)"),
        ("p cnf 2\n", "line 1, column 1", "expected `p cnf <variables> <clauses>`, found `p cnf 2`"),
        ("p sat 2 1\n", "line 1, column 1", "expected `p cnf <variables> <clauses>`"),
        ("p cnf -2 1\n", "line 1, column 1", "expected `p cnf <variables> <clauses>`"),
        ("p cnf 99999999 0\n", "line 1, column 1", "99999999 variables is more than the 16777216 supported"),
        ("p cnf 2 1\n1 3 0\n", "line 2, column 3", "literal 3 is out of range: the header declares 2 variables"),
        (
            "p cnf 2 1\n1 -2 0 -9223372036854775808 0\n",
            "line 2, column 8",
            "literal -9223372036854775808 is out of range",
        ),
        ("p cnf 2 3\n1 0\n2 0\n", "line 1", "the header declares 3 clauses but the file has 2"),
        ("p cnf 2 1\n1 0\n2 0\n", "line 1", "the header declares 1 clauses but the file has 2"),
        ("p cnf 2 1\n1 x2 0\n", "line 2, column 3", "\"x2\" is not a literal"),
        ("p cnf 2 1\n1 1.5 0\n", "line 2, column 3", "\"1.5\" is not a literal"),
        ("p cnf 2 1\n1 -2\n\n", "line 2", "the last clause is not ended by 0"),
        ("p cnf 2 2\n1 0\n-1\n2", "line 4", "the last clause is not ended by 0"),
        ("c 1 a\nc 1 b\np cnf 1 0\n", "line 2", "variable 1 is named \"a\" on line 1 and \"b\" here"),
    ];
    let cases: Vec<_> = cases.into_iter().map(|(text, place, reason)| (text.to_string(), place, reason)).collect();
    assert_errors("f.cnf", &cases, |text| parse_dimacs("f.cnf", text));
}

#[test]
fn dimacs_never_panics() {
    never_panics(DIMACS, |t| parse_dimacs("fuzz.cnf", t));
}

// ---------------------------------------------------------------- sales

fn sales_problem() -> Problem {
    let text = r#"<instance><domains>
        <domain name="D" nbValues="3">0 1 2</domain><domain name="J" nbValues="2">-1 0</domain></domains>
        <variables><variable name="a" domain="D"/><variable name="b" domain="J"/><variable name="c" domain="D"/></variables>
        </instance>"#;
    parse_xcsp("s.xml", text).unwrap()
}

#[test]
fn sales_reads_orders() {
    let problem = sales_problem();
    let text = "c   a\n2 0\n\n0 -1\r\n 1  7 \n-1 -1\n";
    let sales = parse_sales("sales.txt", text, &problem).unwrap();
    assert_eq!(sales.vars, [2, 0]);
    assert!(!sales.covers(&problem), "b is not in the header");
    let lines: Vec<usize> = sales.orders.iter().map(|o| o.line).collect();
    assert_eq!(lines, [2, 4, 5, 6]);
    assert_eq!(sales.orders[0].values, [Some(2), Some(0)]);
    assert_eq!(sales.orders[1].values, [Some(0), None], "-1 is not a value of a");
    assert_eq!(sales.orders[2].values, [Some(1), None]);
    assert_eq!(sales.orders[3].values, [None, None]);
    let rejected: Vec<(usize, Vec<usize>)> =
        sales.orders.iter().filter(|o| !o.is_known()).map(|o| (o.line, o.unknown_columns().collect())).collect();
    assert_eq!(rejected, [(4, vec![1]), (5, vec![1]), (6, vec![0, 1])]);
    assert_eq!(sales.assignment(&sales.orders[0], 3), Some(vec![Some(0), None, Some(2)]));
    assert_eq!(sales.assignment(&sales.orders[1], 3), None);

    let full = parse_sales("sales.txt", "b a c\n-1 0 0\n", &problem).unwrap();
    assert!(full.covers(&problem));
    let values: Option<Vec<u32>> = full.assignment(&full.orders[0], 3).unwrap().into_iter().collect();
    assert_eq!(values, Some(vec![0, 0, 0]));
    let header_only = parse_sales("sales.txt", "a\n", &problem).unwrap();
    assert!(header_only.orders.is_empty());
}

#[test]
fn sales_never_panics() {
    let problem = sales_problem();
    never_panics("a b\n0 -1\n2 0\n", |t| parse_sales("fuzz.txt", t, &problem));
}

#[test]
fn sales_errors() {
    let problem = sales_problem();
    let cases = [
        ("a  z\n0 0\n", "line 1, column 4", "unknown variable \"z\""),
        ("a b a\n", "line 1, column 5", "variable \"a\" is named twice (fields 1 and 3)"),
        ("", "line 1", "the header names no variables"),
        ("\na b\n", "line 1", "the header names no variables"),
        ("a b\n0 0\n1 -1 2\n", "line 3", "3 values but the header names 2 variables"),
        ("a b\n0 0\n\n1\n", "line 4", "1 values but the header names 2 variables"),
    ];
    let cases: Vec<_> = cases.into_iter().map(|(text, place, reason)| (text.to_string(), place, reason)).collect();
    assert_errors("sales.txt", &cases, |text| parse_sales("sales.txt", text, &problem));
}

// ---------------------------------------------------------------- choosing the importer

#[test]
fn parse_file_chooses_by_extension_then_content() {
    let dimacs = "p cnf 1 1\n1 0\n";
    assert_eq!(parse_file("dir.v2/m.CNF", dimacs).unwrap().constraints.len(), 1);
    assert_eq!(parse_file("m.dimacs", dimacs).unwrap().vars.len(), 1);
    assert_eq!(parse_file("upload", &format!("c made by hand\n{dimacs}")).unwrap().vars.len(), 1);
    assert_eq!(parse_file("upload", XCSP).unwrap().vars.len(), 3);
    assert_eq!(parse_file("C:\\models\\tiny.XML", XCSP).unwrap().vars.len(), 3);
    // The extension wins over the content.
    assert_error(parse_file("m.xml", dimacs), "m.xml", "line 1, column 1", "malformed XML");
    assert_error(parse_file("m.cnf", XCSP), "m.cnf", "line 1, column 1", "not a literal");
    assert_error(parse_file("notes.txt", "hello\n"), "notes.txt", "line 1", "unknown format");
}

// ---------------------------------------------------------------- the real benchmark files

fn read_benchmark(path: &str) -> Option<(String, String)> {
    let dir = common::benchmarks_dir()?;
    let full = dir.join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    Some((path.to_string(), text))
}

/// Parses a real file, timing it.
fn timed<T>(what: &str, parse: impl FnOnce() -> Result<T, ModelError>) -> T {
    let start = Instant::now();
    let result = parse().unwrap_or_else(|e| panic!("{e}"));
    eprintln!("{what}: parsed in {:?}", start.elapsed());
    result
}

const RENAULT: &str = "renault-br4cp/medium_domainsorted.xml";
const RENAULT_SALES: &str = "renault-br4cp/config_medium_filtered.txt";

#[test]
fn renault_medium() {
    let Some((source, text)) = read_benchmark(RENAULT) else { return };
    let problem = timed(RENAULT, || parse_file(&source, &text));
    assert_eq!(problem.vars.len(), 148);
    assert_eq!(problem.constraints.len(), 174);
    assert_eq!(problem.vars.iter().map(|v| v.values.len()).sum::<usize>(), 426);
    assert_eq!(problem.vars.iter().map(|v| v.values.len()).max(), Some(20));
    assert_eq!(problem.vars[0].name, "v0");
    assert_eq!(problem.vars[7].values, ["-1", "0"]);
    assert_eq!(problem.vars[147].name, "v11_3_OptionPack");
    let mut tuples = 0;
    for constraint in &problem.constraints {
        let Constraint::Table { vars, tuples: table, allowed } = constraint else { panic!("not a table") };
        assert!(*allowed, "every Renault relation lists supports");
        assert!((1..=10).contains(&vars.len()));
        tuples += table.len();
    }
    assert_eq!(tuples, 9532, "every tuple of the file, none dropped");
    // First relation: relPourcontrainte1 over (v0, v1), starting "0 2 | 1 1".
    let Constraint::Table { vars, tuples, .. } = &problem.constraints[0] else { unreachable!() };
    assert_eq!(vars.len(), 2);
    assert_eq!((tuples.len(), &tuples[0], &tuples[1]), (20, &vec![0, 2], &vec![1, 1]));
}

fn renault_with_sales() -> Option<(Problem, Sales)> {
    let (source, text) = read_benchmark(RENAULT)?;
    let problem = parse_xcsp(&source, &text).unwrap();
    let (source, text) = read_benchmark(RENAULT_SALES)?;
    let sales = timed(RENAULT_SALES, || parse_sales(&source, &text, &problem));
    Some((problem, sales))
}

#[test]
fn renault_sales_history() {
    let Some((problem, sales)) = renault_with_sales() else { return };
    // 8,253 lines: the header and 8,252 orders.
    assert_eq!(sales.orders.len(), 8252);
    assert_eq!(sales.orders.last().unwrap().line, 8253);
    assert!(sales.orders.iter().all(|o| o.is_known()), "every value is in its variable's domain");
    // The header names 44 of the 148 variables: the others are open.
    assert_eq!(sales.vars.len(), 44);
    assert!(!sales.covers(&problem));
    assert_eq!(problem.vars[sales.vars[0]].name, "v1");
    let distinct: HashSet<&Vec<Option<u32>>> = sales.orders.iter().map(|o| &o.values).collect();
    assert_eq!(distinct.len(), 939);
    // Constraints over header variables only must hold as they are.
    let covered: Vec<&Constraint> =
        problem.constraints.iter().filter(|c| c.scope().iter().all(|v| sales.vars.contains(v))).collect();
    assert!(!covered.is_empty());
    for order in &sales.orders {
        let values: Vec<u32> =
            sales.assignment(order, problem.vars.len()).unwrap().iter().map(|v| v.unwrap_or(0)).collect();
        for constraint in &covered {
            assert!(constraint.holds(&values), "line {} breaks {constraint:?}", order.line);
        }
    }
}

/// The strong check: every order extends to a full solution of all 174
/// constraints (the header leaves 104 variables open, so a search finds
/// their values), which the problem then accepts.
#[test]
fn renault_sales_orders_are_solutions() {
    let Some((problem, sales)) = renault_with_sales() else { return };
    let mut seen = HashSet::new();
    for order in &sales.orders {
        if !seen.insert(&order.values) {
            continue;
        }
        let fixed = sales.assignment(order, problem.vars.len()).unwrap();
        let solution =
            extend(&problem, &fixed).unwrap_or_else(|| panic!("line {}: no solution extends this order", order.line));
        assert!(problem.holds(&solution), "line {}", order.line);
        for (value, fixed) in solution.iter().zip(&fixed) {
            assert!(fixed.is_none_or(|f| f == *value));
        }
    }
    // And a changed order is caught: v1 (4 values) set to each other value
    // makes some orders impossible.
    let order = &sales.orders[0];
    let mut fixed = sales.assignment(order, problem.vars.len()).unwrap();
    let v1 = sales.vars[0];
    let impossible = (0..problem.vars[v1].values.len() as u32)
        .filter(|&x| {
            fixed[v1] = Some(x);
            extend(&problem, &fixed).is_none()
        })
        .count();
    assert!(impossible > 0, "changing v1 never breaks a constraint: the tables are too loose");
}

/// A solution of a problem of `supports` tables agreeing with `fixed`, by
/// depth-first search with generalised arc consistency on every table.
fn extend(problem: &Problem, fixed: &[Option<u32>]) -> Option<Vec<u32>> {
    let domains: Vec<u64> = problem
        .vars
        .iter()
        .zip(fixed)
        .map(|(var, fixed)| {
            assert!(var.values.len() < 64);
            fixed.map_or((1 << var.values.len()) - 1, |x| 1 << x)
        })
        .collect();
    let mut watchers = vec![Vec::new(); problem.vars.len()];
    for (c, constraint) in problem.constraints.iter().enumerate() {
        for v in constraint.scope() {
            watchers[v].push(c);
        }
    }
    search(problem, &watchers, domains, (0..problem.constraints.len()).collect())
}

fn search(problem: &Problem, watchers: &[Vec<usize>], mut domains: Vec<u64>, queue: Vec<usize>) -> Option<Vec<u32>> {
    if !propagate(problem, watchers, &mut domains, queue) {
        return None;
    }
    let open = (0..domains.len()).filter(|&v| domains[v].count_ones() > 1).min_by_key(|&v| domains[v].count_ones());
    let Some(var) = open else {
        return Some(domains.iter().map(|d| d.trailing_zeros()).collect());
    };
    (0..64).filter(|x| domains[var] >> x & 1 == 1).find_map(|x| {
        let mut next = domains.clone();
        next[var] = 1 << x;
        search(problem, watchers, next, watchers[var].clone())
    })
}

/// Removes the values no tuple supports until nothing changes; false if a
/// domain empties.
fn propagate(problem: &Problem, watchers: &[Vec<usize>], domains: &mut [u64], queue: Vec<usize>) -> bool {
    let mut queued = vec![false; problem.constraints.len()];
    for &c in &queue {
        queued[c] = true;
    }
    let mut queue = VecDeque::from(queue);
    while let Some(c) = queue.pop_front() {
        queued[c] = false;
        let Constraint::Table { vars, tuples, allowed: true } = &problem.constraints[c] else {
            panic!("only supports tables")
        };
        let mut support = vec![0u64; vars.len()];
        for tuple in tuples {
            if tuple.iter().zip(vars).all(|(&x, &v)| domains[v] >> x & 1 == 1) {
                for (s, &x) in support.iter_mut().zip(tuple) {
                    *s |= 1 << x;
                }
            }
        }
        for (&v, s) in vars.iter().zip(support) {
            let narrowed = domains[v] & s;
            if narrowed == 0 {
                return false;
            }
            if narrowed != domains[v] {
                domains[v] = narrowed;
                for &d in &watchers[v] {
                    if !queued[d] {
                        queued[d] = true;
                        queue.push_back(d);
                    }
                }
            }
        }
    }
    true
}

fn check_dimacs(path: &str, vars: usize, clauses: usize) -> Option<Problem> {
    let (source, text) = read_benchmark(path)?;
    let problem = timed(path, || parse_file(&source, &text));
    assert_eq!(problem.vars.len(), vars);
    assert_eq!(problem.constraints.len(), clauses);
    assert!(problem.constraints.iter().all(|c| matches!(c, Constraint::Clause(l) if !l.is_empty())));
    // Every variable is named by a comment, and the names are distinct.
    let names: HashSet<&str> = problem.vars.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names.len(), vars);
    assert!(!problem.vars.iter().any(|v| v.name.contains(" #")));
    let mut in_clause = vec![false; vars];
    for c in &problem.constraints {
        for v in c.scope() {
            in_clause[v] = true;
        }
    }
    assert_eq!(in_clause.iter().filter(|&&b| !b).count(), 0, "variables in no clause");
    Some(problem)
}

#[test]
fn pc_richmond() {
    let Some(problem) = check_dimacs("fm-pc-richmond/Sprey2020.dimacs", 377, 1356) else { return };
    assert_eq!(problem.vars[0].name, "PC RICHMOND F");
    assert_eq!(problem.vars[3].name, "G4560 Kaby Lake");
    assert_eq!(problem.vars[376].name, "ROG Sheath");
    assert_eq!(problem.vars.iter().filter(|v| v.name.contains(' ')).count(), 317);
    // The last line is "-219 -22 0".
    assert_eq!(problem.constraints[1355], Constraint::Clause(vec![lit(218, false), lit(21, false)]));
}

#[test]
fn busybox() {
    let Some(problem) = check_dimacs("fm-busybox-1.18.0/BusyBox-1.18.0.dimacs", 854, 1163) else { return };
    assert_eq!(problem.vars[0].name, "root");
    assert_eq!(problem.vars[1].name, "FEATURE_MOUNT_LOOP");
    // The last line is "240 -247 0".
    assert_eq!(problem.constraints[1162], Constraint::Clause(vec![lit(239, true), lit(246, false)]));
}
