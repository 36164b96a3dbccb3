//! Sales histories: the configurations customers actually ordered, over the
//! variables of an imported [`Problem`].
//!
//! ```text
//! v1 v2 v3 v39
//! 2 11 1 -1
//! 1 12 0 0
//! ```
//!
//! The first line names the variables (columns), separated by spaces; every
//! further line is one order, a value per column, written as the variable's
//! value names (`"-1"`, `"0"`, ... for XCSP problems). Blank lines are
//! skipped. The header need not name every variable of the problem: the
//! others are left open by the orders.
//!
//! A value that is not in its variable's domain does not stop the reading:
//! the order records `None` in that column, so a caller can report exactly
//! which column of which line was rejected (see [`SalesOrder::unknown_columns`]).

use std::collections::HashMap;

use super::{error, offset_in};
use crate::ModelError;
use crate::problem::Problem;

/// A sales history read by [`parse_sales`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sales {
    /// The problem variable of each column, in header order.
    pub vars: Vec<usize>,
    /// The orders, in file order (duplicates kept).
    pub orders: Vec<SalesOrder>,
}

/// One past order: a line of the sales file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalesOrder {
    /// The line of the file it comes from (the header is line 1).
    pub line: usize,
    /// The value index of each column (see [`Sales::vars`]); `None` where the
    /// file's value is not in the variable's domain.
    pub values: Vec<Option<u32>>,
}

impl SalesOrder {
    /// The columns whose value is not in the variable's domain.
    pub fn unknown_columns(&self) -> impl Iterator<Item = usize> + '_ {
        self.values.iter().enumerate().filter(|(_, v)| v.is_none()).map(|(column, _)| column)
    }

    /// Whether every value is in its variable's domain.
    pub fn is_known(&self) -> bool {
        self.values.iter().all(Option::is_some)
    }
}

impl Sales {
    /// Whether the header names every variable of `problem`, so that each
    /// known order is a full assignment.
    pub fn covers(&self, problem: &Problem) -> bool {
        let mut seen = vec![false; problem.vars.len()];
        for &v in &self.vars {
            if let Some(s) = seen.get_mut(v) {
                *s = true;
            }
        }
        seen.into_iter().all(|s| s)
    }

    /// `order` as a partial assignment over the problem's `var_count`
    /// variables: the value index of each variable the header names, `None`
    /// for the others. `None` as a whole if the order has an unknown value
    /// (or if `var_count` is not the problem's number of variables).
    pub fn assignment(&self, order: &SalesOrder, var_count: usize) -> Option<Vec<Option<u32>>> {
        let mut values = vec![None; var_count];
        for (&var, &value) in self.vars.iter().zip(&order.values) {
            *values.get_mut(var)? = Some(value?);
        }
        Some(values)
    }
}

/// Reads a sales history over the variables of `problem`. `source` names the
/// file in error messages.
///
/// ```
/// use tailor_engine::import::{parse_sales, parse_xcsp};
///
/// let problem = parse_xcsp("p.xml", r#"<instance>
///   <domains><domain name="D" nbValues="2">-1 0</domain></domains>
///   <variables><variable name="a" domain="D"/><variable name="b" domain="D"/></variables>
/// </instance>"#).unwrap();
/// let sales = parse_sales("sales.txt", "b a\n0 -1\n\n-1 7\n", &problem).unwrap();
/// assert_eq!(sales.vars, [1, 0]);
/// assert_eq!(sales.orders[0].values, [Some(1), Some(0)]);
/// let rejected = &sales.orders[1];
/// assert_eq!((rejected.line, rejected.unknown_columns().collect::<Vec<_>>()), (4, vec![1]));
///
/// let err = parse_sales("sales.txt", "a b\n0\n", &problem).unwrap_err();
/// assert_eq!(err.to_string(), "sales.txt: line 2: 1 values but the header names 2 variables");
/// ```
pub fn parse_sales(source: &str, text: &str, problem: &Problem) -> Result<Sales, ModelError> {
    let mut lines = text.lines().enumerate();
    let header = match lines.next() {
        Some((_, line)) => line.trim_start_matches('\u{feff}'),
        None => "",
    };
    let var_index: HashMap<&str, usize> = problem.vars.iter().enumerate().map(|(i, v)| (v.name.as_str(), i)).collect();
    let mut vars = Vec::new();
    let mut column_of = HashMap::new();
    for (column, name) in header.split_ascii_whitespace().enumerate() {
        let place = format!("line 1, column {}", header[..offset_in(header, name)].chars().count() + 1);
        let Some(&var) = var_index.get(name) else {
            return Err(error(source, place, format!("unknown variable \"{name}\"")));
        };
        if let Some(first) = column_of.insert(var, column) {
            let (first, again) = (first + 1, column + 1);
            return Err(error(
                source,
                place,
                format!("variable \"{name}\" is named twice (fields {first} and {again})"),
            ));
        }
        vars.push(var);
    }
    if vars.is_empty() {
        return Err(error(source, "line 1", "the header names no variables"));
    }
    // The value index of each value name, per column.
    let domains: Vec<HashMap<&str, u32>> = vars
        .iter()
        .map(|&v| problem.vars[v].values.iter().enumerate().map(|(i, name)| (name.as_str(), i as u32)).collect())
        .collect();
    let mut orders = Vec::new();
    for (i, line) in lines {
        let number = i + 1;
        let mut values = Vec::with_capacity(vars.len());
        let mut fields = line.split_ascii_whitespace();
        // `domains` first: `zip` then stops without taking an extra field.
        for (domain, field) in domains.iter().zip(fields.by_ref()) {
            values.push(domain.get(field).copied());
        }
        let found = values.len() + fields.count();
        if found == 0 {
            continue;
        }
        if found != vars.len() {
            return Err(error(
                source,
                format!("line {number}"),
                format!("{found} values but the header names {} variables", vars.len()),
            ));
        }
        orders.push(SalesOrder { line: number, values });
    }
    Ok(Sales { vars, orders })
}
