//! Configurations of a [`Model`]: which options remain available, what they
//! cost, and whether a finished configuration may be ordered.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{Model, Text};

/// The customer's choices: for every attribute of the model (by index), the
/// chosen option's index, or `None` while it is open.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Choices(pub Vec<Option<usize>>);

impl Choices {
    /// Nothing chosen yet.
    pub fn empty(model: &Model) -> Choices {
        Choices(vec![None; model.attributes().len()])
    }

    /// Every attribute at its default, where the model gives one.
    pub fn defaults(model: &Model) -> Choices {
        Choices(
            model
                .attributes()
                .iter()
                .enumerate()
                .map(|(a, attr)| attr.default.as_ref().and_then(|d| model.option(a, d)))
                .collect(),
        )
    }

    /// Reads choices written as `attribute id -> option id`.
    pub fn from_ids(model: &Model, ids: &BTreeMap<String, String>) -> Result<Choices, ChoiceError> {
        let mut choices = Choices::empty(model);
        for (attr_id, opt_id) in ids {
            let a = model
                .attribute(attr_id)
                .ok_or_else(|| ChoiceError::UnknownAttribute(attr_id.clone()))?;
            let o = model.option(a, opt_id).ok_or_else(|| ChoiceError::UnknownOption {
                attribute: attr_id.clone(),
                option: opt_id.clone(),
            })?;
            choices.0[a] = Some(o);
        }
        Ok(choices)
    }

    /// The choices written as `attribute id -> option id`.
    pub fn to_ids(&self, model: &Model) -> BTreeMap<String, String> {
        self.0
            .iter()
            .enumerate()
            .filter_map(|(a, o)| {
                let attr = &model.attributes()[a];
                o.map(|o| (attr.id.clone(), attr.options[o].id.clone()))
            })
            .collect()
    }
}

/// Choices that name something the model does not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChoiceError {
    UnknownAttribute(String),
    UnknownOption { attribute: String, option: String },
}

impl fmt::Display for ChoiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChoiceError::UnknownAttribute(a) => write!(f, "unknown attribute \"{a}\""),
            ChoiceError::UnknownOption { attribute, option } => {
                write!(f, "\"{option}\" is not an option of attribute \"{attribute}\"")
            }
        }
    }
}

impl std::error::Error for ChoiceError {}

/// The state of one attribute after the current choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeState {
    /// For every option: can it be chosen, keeping every other current choice,
    /// and still lead to a valid product?
    pub available: Vec<bool>,
}

/// Everything the user interface shows after a change of choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub attributes: Vec<AttributeState>,
    /// Whether the current choices together can still lead to a valid product.
    pub consistent: bool,
    /// Base price plus the price of every chosen option, in minor units.
    pub total: i64,
    /// Whether every attribute has a choice.
    pub complete: bool,
}

/// A checked, complete configuration and its price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub currency: String,
    pub base_price: i64,
    /// `(attribute id, option id, price)` for every attribute, in model order.
    pub lines: Vec<QuoteLine>,
    pub total: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLine {
    pub attribute: String,
    pub option: String,
    pub price: i64,
}

/// Why a configuration cannot be ordered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderError {
    /// These attributes (ids) have no choice yet.
    Incomplete(Vec<String>),
    /// The choices break a rule of the model.
    Violates { rule: String, message: Text },
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderError::Incomplete(missing) => {
                write!(f, "the configuration is incomplete: no choice for {}", missing.join(", "))
            }
            OrderError::Violates { rule, message } => {
                write!(f, "the configuration breaks rule \"{rule}\": {}", message.en)
            }
        }
    }
}

impl std::error::Error for OrderError {}

impl Model {
    /// Base price plus every chosen option's price.
    pub fn total(&self, choices: &Choices) -> i64 {
        self.def().base_price
            + choices
                .0
                .iter()
                .enumerate()
                .filter_map(|(a, o)| o.map(|o| self.attributes()[a].options[o].price))
                .sum::<i64>()
    }

    /// Which options remain available after `choices`, and the running total.
    ///
    /// An option of attribute `a` is available when some valid full
    /// configuration has it while keeping every choice made for the *other*
    /// attributes, so switching to it never leads to a dead end.
    pub fn evaluate(&self, choices: &Choices) -> Evaluation {
        let n = self.attributes().len();
        let mut attributes = Vec::with_capacity(n);
        for a in 0..n {
            let mut fixed = choices.clone();
            let count = self.attributes()[a].options.len();
            let mut available = vec![false; count];
            for o in 0..count {
                if available[o] {
                    continue;
                }
                fixed.0[a] = Some(o);
                if let Some(solution) = self.solve(&fixed) {
                    available[solution[a]] = true;
                }
            }
            attributes.push(AttributeState { available });
        }
        Evaluation {
            attributes,
            consistent: self.solve(choices).is_some(),
            total: self.total(choices),
            complete: choices.0.iter().all(Option::is_some),
        }
    }

    /// The rules that the current choices for other attributes make option
    /// `option` of attribute `attr` break directly.
    pub fn conflicts(&self, choices: &Choices, attr: usize, option: usize) -> Vec<&crate::model::RuleDef> {
        self.rules
            .iter()
            .zip(&self.def().rules)
            .filter(|(rule, _)| {
                let pair = if rule.when_attr == attr {
                    choices.0[rule.then_attr].map(|t| (option, t))
                } else if rule.then_attr == attr {
                    choices.0[rule.when_attr].map(|w| (w, option))
                } else {
                    None
                };
                pair.is_some_and(|(w, t)| !rule.allows(w, t))
            })
            .map(|(_, def)| def)
            .collect()
    }

    /// Chooses option `option` of `attr` even though it is unavailable, and
    /// gives up what stands in its way: first the choices named by the rules
    /// it breaks directly, then, if the rest still cannot lead to a valid
    /// product, every other choice. Returns the new choices and the
    /// attributes whose choices were given up.
    pub fn choose_anyway(&self, choices: &Choices, attr: usize, option: usize) -> (Choices, Vec<usize>) {
        let mut next = choices.clone();
        let mut dropped = Vec::new();
        for rule in self.conflicts(choices, attr, option) {
            let other = self.attribute(if rule.when.attribute == self.attributes()[attr].id {
                &rule.then.attribute
            } else {
                &rule.when.attribute
            });
            if let Some(b) = other {
                if next.0[b].take().is_some() {
                    dropped.push(b);
                }
            }
        }
        next.0[attr] = Some(option);
        if self.solve(&next).is_none() {
            for b in 0..next.0.len() {
                if b != attr && next.0[b].take().is_some() {
                    dropped.push(b);
                }
            }
        }
        dropped.sort_unstable();
        (next, dropped)
    }

    /// Checks a configuration for ordering and prices it. Never trusts a
    /// price computed elsewhere.
    pub fn quote(&self, choices: &Choices) -> Result<Quote, OrderError> {
        let missing: Vec<String> = choices
            .0
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_none())
            .map(|(a, _)| self.attributes()[a].id.clone())
            .collect();
        if !missing.is_empty() {
            return Err(OrderError::Incomplete(missing));
        }
        let full: Vec<usize> = choices.0.iter().map(|o| o.expect("checked complete")).collect();
        for (rule, def) in self.rules.iter().zip(&self.def().rules) {
            if !rule.allows(full[rule.when_attr], full[rule.then_attr]) {
                return Err(OrderError::Violates { rule: def.id.clone(), message: def.message.clone() });
            }
        }
        let lines = full
            .iter()
            .enumerate()
            .map(|(a, &o)| {
                let attr = &self.attributes()[a];
                QuoteLine { attribute: attr.id.clone(), option: attr.options[o].id.clone(), price: attr.options[o].price }
            })
            .collect();
        Ok(Quote {
            currency: self.def().currency.clone(),
            base_price: self.def().base_price,
            lines,
            total: self.total(choices),
        })
    }

    /// A valid full configuration that keeps every choice in `fixed`, if any.
    /// Depth-first search with checks against every assigned neighbour; the
    /// models this serves are small (the engine issue brings compiled
    /// diagrams for large ones).
    fn solve(&self, fixed: &Choices) -> Option<Vec<usize>> {
        let n = self.attributes().len();
        let mut by_attr: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (r, rule) in self.rules.iter().enumerate() {
            by_attr[rule.when_attr].push(r);
            by_attr[rule.then_attr].push(r);
        }
        let mut assignment: Vec<Option<usize>> = vec![None; n];
        self.extend(0, fixed, &by_attr, &mut assignment)
            .then(|| assignment.into_iter().map(|o| o.expect("all assigned")).collect())
    }

    fn extend(
        &self,
        a: usize,
        fixed: &Choices,
        by_attr: &[Vec<usize>],
        assignment: &mut Vec<Option<usize>>,
    ) -> bool {
        if a == assignment.len() {
            return true;
        }
        let candidates: Vec<usize> = match fixed.0[a] {
            Some(o) => vec![o],
            None => (0..self.attributes()[a].options.len()).collect(),
        };
        for o in candidates {
            assignment[a] = Some(o);
            let fits = by_attr[a].iter().all(|&r| {
                let rule = &self.rules[r];
                match (assignment[rule.when_attr], assignment[rule.then_attr]) {
                    (Some(w), Some(t)) => rule.allows(w, t),
                    _ => true,
                }
            });
            if fits && self.extend(a + 1, fixed, by_attr, assignment) {
                return true;
            }
        }
        assignment[a] = None;
        false
    }
}
