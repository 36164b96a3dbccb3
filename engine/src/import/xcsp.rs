//! XCSP 2.1 instances with extensional constraints.
//!
//! The supported subset is the one real configuration benchmarks use (for
//! example the Renault BR4CP car models):
//!
//! ```xml
//! <instance>
//!   <presentation format="XCSP 2.1" type="CSP"/>
//!   <domains nbDomains="2">
//!     <domain name="D0" nbValues="3">0..2</domain>
//!     <domain name="D1" nbValues="2" optional="-1">-1 0</domain>
//!   </domains>
//!   <variables nbVariables="2">
//!     <variable name="v0" domain="D0"/>
//!     <variable name="v1" domain="D1"/>
//!   </variables>
//!   <relations nbRelations="1">
//!     <relation name="r0" arity="2" nbTuples="2" semantics="supports">0 -1 | 2 0</relation>
//!   </relations>
//!   <constraints nbConstraints="1">
//!     <constraint name="c0" arity="2" scope="v0 v1" reference="r0"/>
//!   </constraints>
//! </instance>
//! ```
//!
//! Domains list integers and `a..b` ranges. Each variable becomes a
//! [`Var`] whose values are its domain's integers written in decimal, in file
//! order (so the "not applicable" joker `-1` is an ordinary value). Each
//! constraint becomes a [`Constraint::Table`] over value indices: `supports`
//! relations give allowed tuples, `conflicts` relations forbidden ones. Tuples
//! with a value outside a variable's domain can never match, so they are
//! dropped (this changes nothing for either semantics).
//!
//! Not supported, with an error saying so: intensional constraints
//! (`<predicates>`, `<functions>`), global constraints, soft relations and
//! XCSP3 files.

use std::collections::HashMap;

use super::xml::{self, Element};
use super::{error, line_of, offset_in, position};
use crate::ModelError;
use crate::problem::{Constraint, Problem, Var};

/// The largest domain accepted: a range such as `0..4000000000` is surely a
/// mistake, and would otherwise exhaust memory.
const MAX_DOMAIN_SIZE: usize = 1 << 20;

/// Reads an XCSP 2.1 instance. `source` names the file in error messages.
///
/// ```
/// use tailor_engine::import::parse_xcsp;
///
/// let text = r#"<instance>
///   <domains><domain name="D" nbValues="2">0 1</domain></domains>
///   <variables><variable name="a" domain="D"/><variable name="b" domain="D"/></variables>
///   <relations><relation name="neq" arity="2" nbTuples="2" semantics="conflicts">0 0|1 1</relation></relations>
///   <constraints><constraint name="c" arity="2" scope="a b" reference="neq"/></constraints>
/// </instance>"#;
/// let problem = parse_xcsp("neq.xml", text).unwrap();
/// assert_eq!(problem.vars[1].values, ["0", "1"]);
/// assert!(problem.holds(&[0, 1]) && !problem.holds(&[1, 1]));
///
/// let err = parse_xcsp("bad.xml", &text.replace("scope=\"a b\"", "scope=\"a z\"")).unwrap_err();
/// assert_eq!(err.place, "constraint \"c\", line 5");
/// assert_eq!(err.reason, "unknown variable \"z\" in the scope");
/// ```
pub fn parse_xcsp(source: &str, text: &str) -> Result<Problem, ModelError> {
    let root = xml::parse(text)
        .map_err(|e| error(source, position(text, e.offset), format!("malformed XML: {}", e.reason)))?;
    Importer { source, text }.instance(&root)
}

/// A domain: its value names in file order and the index of each value.
struct Domain {
    names: Vec<String>,
    index: HashMap<i64, u32>,
}

/// A relation: `arity` values per tuple, all tuples in one flat list.
struct Relation {
    arity: usize,
    flat: Vec<i64>,
    allowed: bool,
}

struct Importer<'s> {
    source: &'s str,
    text: &'s str,
}

/// The sections of an instance, each at most once.
#[derive(Default)]
struct Sections<'r, 'a> {
    domains: Option<&'r Element<'a>>,
    variables: Option<&'r Element<'a>>,
    relations: Option<&'r Element<'a>>,
    constraints: Option<&'r Element<'a>>,
}

impl Importer<'_> {
    fn at(&self, offset: usize, reason: impl Into<String>) -> ModelError {
        error(self.source, position(self.text, offset), reason)
    }

    /// An error about a whole element: `relation "r1", line 604`.
    fn on(&self, element: &Element, reason: impl Into<String>) -> ModelError {
        let line = line_of(self.text, element.offset);
        let place = match element.attr("name") {
            Some(name) => format!("{} \"{name}\", line {line}", element.name),
            None => format!("<{}>, line {line}", element.name),
        };
        error(self.source, place, reason)
    }

    fn instance(&self, root: &Element) -> Result<Problem, ModelError> {
        if root.name != "instance" {
            return Err(self.on(root, format!("expected an XCSP 2.1 <instance> root element, found <{}>", root.name)));
        }
        if root.attr("format").is_some_and(|f| f.starts_with("XCSP3")) {
            return Err(self.on(root, "XCSP3 is not supported, only XCSP 2.1"));
        }
        self.no_text(root)?;
        let mut sections = Sections::default();
        for child in &root.children {
            let slot = match child.name {
                "presentation" => {
                    if let Some(format) = child.attr("format")
                        && !format.starts_with("XCSP 2")
                    {
                        return Err(self.on(child, format!("format \"{format}\" is not supported, only XCSP 2.1")));
                    }
                    continue;
                }
                "domains" => &mut sections.domains,
                "variables" => &mut sections.variables,
                "relations" => &mut sections.relations,
                "constraints" => &mut sections.constraints,
                "predicates" | "functions" => {
                    return Err(self.on(
                        child,
                        format!("intensional constraints (<{}>) are not supported, only relations", child.name),
                    ));
                }
                other => return Err(self.on(child, format!("unexpected element <{other}> in <instance>"))),
            };
            if slot.is_some() {
                return Err(self.on(child, format!("a second <{}> section", child.name)));
            }
            *slot = Some(child);
        }
        let Some(variables) = sections.variables else {
            return Err(self.on(root, "the instance has no <variables> section"));
        };
        let (domains, domain_index) = match sections.domains {
            Some(section) => self.domains(section)?,
            None => (Vec::new(), HashMap::new()),
        };
        let (vars, var_domains, var_index) = self.variables(variables, &domains, &domain_index)?;
        let relations = match sections.relations {
            Some(section) => self.relations(section)?,
            None => HashMap::new(),
        };
        let constraints = match sections.constraints {
            Some(section) => self.constraints(section, &relations, &var_index, &var_domains, &domains)?,
            None => Vec::new(),
        };
        Ok(Problem { vars, constraints })
    }

    /// Fails if a container element holds text other than whitespace.
    fn no_text(&self, element: &Element) -> Result<(), ModelError> {
        for &(offset, text) in &element.text {
            if let Some(i) = text.find(|c: char| !c.is_whitespace()) {
                return Err(self.at(offset + i, format!("unexpected text in <{}>", element.name)));
            }
        }
        Ok(())
    }

    /// The children of a section, checking that they are all `<kind>` and
    /// that their number matches the section's `count` attribute if present.
    fn items<'r, 'a>(
        &self,
        section: &'r Element<'a>,
        kind: &str,
        count: &str,
    ) -> Result<&'r [Element<'a>], ModelError> {
        self.no_text(section)?;
        for child in &section.children {
            if child.name != kind {
                return Err(self.on(child, format!("expected <{kind}> in <{}>, found <{}>", section.name, child.name)));
            }
        }
        if let Some(declared) = self.count_attr(section, count)? {
            let found = section.children.len();
            if declared != found {
                return Err(self.on(section, format!("{count}=\"{declared}\" but the section has {found} <{kind}>")));
            }
        }
        Ok(&section.children)
    }

    /// A required attribute.
    fn attr<'e>(&self, element: &'e Element, name: &str) -> Result<&'e str, ModelError> {
        element.attr(name).ok_or_else(|| self.on(element, format!("<{}> has no \"{name}\" attribute", element.name)))
    }

    /// An optional non-negative integer attribute.
    fn count_attr(&self, element: &Element, name: &str) -> Result<Option<usize>, ModelError> {
        match element.attr(name) {
            None => Ok(None),
            Some(value) => match value.trim().parse::<usize>() {
                Ok(n) => Ok(Some(n)),
                Err(_) => Err(self.on(element, format!("{name}=\"{value}\" is not a non-negative integer"))),
            },
        }
    }

    /// A required non-negative integer attribute.
    fn required_count(&self, element: &Element, name: &str) -> Result<usize, ModelError> {
        self.attr(element, name)?;
        Ok(self.count_attr(element, name)?.unwrap_or_default())
    }

    fn int(&self, token: &str, offset: usize, context: &str) -> Result<i64, ModelError> {
        token.parse::<i64>().map_err(|_| self.at(offset, format!("\"{token}\" is not an integer ({context})")))
    }

    fn domains(&self, section: &Element) -> Result<(Vec<Domain>, HashMap<String, usize>), ModelError> {
        let items = self.items(section, "domain", "nbDomains")?;
        let mut domains = Vec::with_capacity(items.len());
        let mut by_name = HashMap::with_capacity(items.len());
        for element in items {
            let name = self.attr(element, "name")?;
            let declared = self.required_count(element, "nbValues")?;
            let context = format!("in domain \"{name}\"");
            let mut values = Vec::new();
            for (offset, token) in tokens(element) {
                match token.split_once("..") {
                    Some((low, high)) => {
                        let (Ok(low), Ok(high)) = (low.parse::<i64>(), high.parse::<i64>()) else {
                            return Err(self.at(offset, format!("\"{token}\" is not an integer range {context}")));
                        };
                        if low > high {
                            return Err(self.at(offset, format!("empty range \"{token}\" {context}")));
                        }
                        let size = i128::from(high) - i128::from(low) + 1;
                        if size > (MAX_DOMAIN_SIZE - values.len().min(MAX_DOMAIN_SIZE)) as i128 {
                            return Err(self.on(element, format!("more than {MAX_DOMAIN_SIZE} values")));
                        }
                        values.extend(low..=high);
                    }
                    None => {
                        if values.len() >= MAX_DOMAIN_SIZE {
                            return Err(self.on(element, format!("more than {MAX_DOMAIN_SIZE} values")));
                        }
                        values.push(self.int(token, offset, &context)?);
                    }
                }
            }
            if values.len() != declared {
                return Err(self.on(element, format!("nbValues=\"{declared}\" but the domain lists {}", values.len())));
            }
            if values.is_empty() {
                return Err(self.on(element, "the domain is empty"));
            }
            let mut index = HashMap::with_capacity(values.len());
            for (i, &value) in values.iter().enumerate() {
                if index.insert(value, i as u32).is_some() {
                    return Err(self.on(element, format!("value {value} appears twice")));
                }
            }
            if by_name.insert(name.to_string(), domains.len()).is_some() {
                return Err(self.on(element, format!("a second domain named \"{name}\"")));
            }
            let names = values.iter().map(i64::to_string).collect();
            domains.push(Domain { names, index });
        }
        Ok((domains, by_name))
    }

    /// The variables, the domain of each, and the index of each name.
    #[allow(clippy::type_complexity)]
    fn variables(
        &self,
        section: &Element,
        domains: &[Domain],
        domain_index: &HashMap<String, usize>,
    ) -> Result<(Vec<Var>, Vec<usize>, HashMap<String, usize>), ModelError> {
        let items = self.items(section, "variable", "nbVariables")?;
        let mut vars = Vec::with_capacity(items.len());
        let mut var_domains = Vec::with_capacity(items.len());
        let mut by_name = HashMap::with_capacity(items.len());
        for element in items {
            let name = self.attr(element, "name")?;
            let domain_name = self.attr(element, "domain")?;
            let Some(&domain) = domain_index.get(domain_name) else {
                return Err(self.on(element, format!("unknown domain \"{domain_name}\"")));
            };
            if by_name.insert(name.to_string(), vars.len()).is_some() {
                return Err(self.on(element, format!("a second variable named \"{name}\"")));
            }
            vars.push(Var { name: name.to_string(), values: domains[domain].names.clone() });
            var_domains.push(domain);
        }
        Ok((vars, var_domains, by_name))
    }

    fn relations(&self, section: &Element) -> Result<HashMap<String, Relation>, ModelError> {
        let items = self.items(section, "relation", "nbRelations")?;
        let mut relations = HashMap::with_capacity(items.len());
        for element in items {
            let name = self.attr(element, "name")?;
            let arity = self.required_count(element, "arity")?;
            if arity == 0 {
                return Err(self.on(element, "arity=\"0\": a relation needs at least one variable"));
            }
            let declared = self.required_count(element, "nbTuples")?;
            let allowed = match self.attr(element, "semantics")? {
                "supports" => true,
                "conflicts" => false,
                other => {
                    return Err(self.on(
                        element,
                        format!("semantics=\"{other}\" is not supported (only \"supports\" and \"conflicts\")"),
                    ));
                }
            };
            let context = format!("in relation \"{name}\"");
            let mut flat = Vec::new();
            let mut tuple_start = None;
            let mut count = 0usize;
            let mut end_tuple = |flat: &Vec<i64>, start: Option<usize>, at: usize| -> Result<(), ModelError> {
                let length = flat.len() - count * arity;
                if length != arity {
                    let tuple = count + 1;
                    let offset = start.unwrap_or(at);
                    let reason = if length == 0 {
                        format!("tuple {tuple} is empty {context}")
                    } else {
                        format!("tuple {tuple} has {length} values but the arity is {arity} ({context})")
                    };
                    return Err(self.at(offset, reason));
                }
                count += 1;
                Ok(())
            };
            for (offset, token) in relation_tokens(element) {
                if token == "|" {
                    end_tuple(&flat, tuple_start.take(), offset)?;
                } else {
                    flat.push(self.int(token, offset, &context)?);
                    tuple_start.get_or_insert(offset);
                }
            }
            // The last tuple has no `|` after it; tolerate a trailing one.
            if tuple_start.is_some() {
                end_tuple(&flat, tuple_start, element.offset)?;
            }
            if count != declared {
                return Err(self.on(element, format!("nbTuples=\"{declared}\" but the relation lists {count} tuples")));
            }
            if relations.contains_key(name) {
                return Err(self.on(element, format!("a second relation named \"{name}\"")));
            }
            relations.insert(name.to_string(), Relation { arity, flat, allowed });
        }
        Ok(relations)
    }

    fn constraints(
        &self,
        section: &Element,
        relations: &HashMap<String, Relation>,
        var_index: &HashMap<String, usize>,
        var_domains: &[usize],
        domains: &[Domain],
    ) -> Result<Vec<Constraint>, ModelError> {
        let items = self.items(section, "constraint", "nbConstraints")?;
        let mut constraints = Vec::with_capacity(items.len());
        for element in items {
            let scope_text = self.attr(element, "scope")?;
            let reference = self.attr(element, "reference")?;
            let mut vars = Vec::new();
            for name in scope_text.split_ascii_whitespace() {
                match var_index.get(name) {
                    Some(&v) => vars.push(v),
                    None => return Err(self.on(element, format!("unknown variable \"{name}\" in the scope"))),
                }
            }
            if let Some(arity) = self.count_attr(element, "arity")?
                && arity != vars.len()
            {
                return Err(self.on(element, format!("arity=\"{arity}\" but the scope has {} variables", vars.len())));
            }
            if reference.starts_with("global:") {
                return Err(
                    self.on(element, format!("global constraint \"{reference}\" is not supported, only relations"))
                );
            }
            let Some(relation) = relations.get(reference) else {
                return Err(self.on(element, format!("unknown relation \"{reference}\"")));
            };
            if relation.arity != vars.len() {
                return Err(self.on(
                    element,
                    format!(
                        "relation \"{reference}\" has arity {} but the scope has {} variables",
                        relation.arity,
                        vars.len()
                    ),
                ));
            }
            let maps: Vec<&HashMap<i64, u32>> = vars.iter().map(|&v| &domains[var_domains[v]].index).collect();
            let tuples = relation
                .flat
                .chunks_exact(relation.arity)
                .filter_map(|tuple| tuple.iter().zip(&maps).map(|(value, map)| map.get(value).copied()).collect())
                .collect();
            constraints.push(Constraint::Table { vars, tuples, allowed: relation.allowed });
        }
        Ok(constraints)
    }
}

/// The whitespace-separated tokens of an element's text, with their offsets.
fn tokens<'r, 'a>(element: &'r Element<'a>) -> impl Iterator<Item = (usize, &'a str)> + 'r {
    element
        .text
        .iter()
        .flat_map(|&(offset, text)| text.split_ascii_whitespace().map(move |t| (offset + offset_in(text, t), t)))
}

/// Like [`tokens`], but `|` is a token of its own even without spaces.
fn relation_tokens<'r, 'a>(element: &'r Element<'a>) -> impl Iterator<Item = (usize, &'a str)> + 'r {
    tokens(element).flat_map(|(offset, token)| {
        token.split_inclusive('|').flat_map(move |part| {
            let at = offset + offset_in(token, part);
            let (value, bar) = match part.strip_suffix('|') {
                Some(value) => (value, Some((at + value.len(), "|"))),
                None => (part, None),
            };
            (!value.is_empty()).then_some((at, value)).into_iter().chain(bar)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_tokens_split_bars() {
        let text = "<r>0 1|2 3 |\n4|</r>";
        let root = xml::parse(text).unwrap();
        let tokens: Vec<_> = relation_tokens(&root).collect();
        assert_eq!(tokens, [(3, "0"), (5, "1"), (6, "|"), (7, "2"), (9, "3"), (11, "|"), (13, "4"), (14, "|")]);
    }
}
