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
    /// For every available option: the lowest and highest total price of a
    /// valid product with it (keeping the other choices).
    pub min: Vec<Option<i64>>,
    pub max: Vec<Option<i64>>,
}

/// Everything the user interface shows after a change of choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub attributes: Vec<AttributeState>,
    /// Whether the current choices together can still lead to a valid product.
    pub consistent: bool,
    /// Base price, every chosen option, and every surcharge whose
    /// conditions are all chosen: what the customer has "spent" so far.
    pub total: i64,
    /// The cheapest and dearest valid product keeping every choice.
    pub total_min: Option<i64>,
    pub total_max: Option<i64>,
    /// Whether every attribute has a choice.
    pub complete: bool,
}

/// A checked, complete configuration and its price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub currency: String,
    pub base_price: i64,
    /// Every attribute's choice and price, in model order.
    pub lines: Vec<QuoteLine>,
    /// Surcharges (or discounts) that apply.
    pub surcharges: Vec<QuoteLine>,
    pub total: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLine {
    /// The attribute id (for a surcharge: the surcharge id).
    pub attribute: String,
    /// The option id (for a surcharge: empty).
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

/// Why an option is unavailable, and what would make it available.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// A minimal set of current choices (attribute indices) that together
    /// exclude the option: with any one of them left out, they no longer do.
    pub because: Vec<usize>,
    /// The model's rules involved, in words (indices into `def().rules`).
    pub rules: Vec<usize>,
    /// The fewest current choices to give up so the option becomes
    /// available, keeping the most recent ones on a tie; `None` if nothing
    /// makes it possible.
    pub give_up: Option<Vec<usize>>,
}

impl Model {
    /// The solver's view of the choices: attributes fixed, hidden surcharge
    /// variables free.
    pub(crate) fn fixed(&self, choices: &Choices) -> Vec<Option<u32>> {
        let mut fixed: Vec<Option<u32>> = choices.0.iter().map(|o| o.map(|o| o as u32)).collect();
        fixed.resize(self.problem.vars.len(), None);
        fixed
    }

    /// The surcharges whose conditions all hold under `choices` (ids and prices).
    fn surcharges(&self, choices: &Choices) -> Vec<QuoteLine> {
        self.def()
            .surcharges
            .iter()
            .filter(|s| {
                s.when.iter().all(|c| {
                    self.attribute(&c.attribute)
                        .and_then(|a| choices.0[a].map(|o| c.options.iter().any(|id| self.option(a, id) == Some(o))))
                        .unwrap_or(false)
                })
            })
            .map(|s| QuoteLine { attribute: s.id.clone(), option: String::new(), price: s.price })
            .collect()
    }

    /// Base price, every chosen option's price and every surcharge whose
    /// conditions are all chosen.
    pub fn total(&self, choices: &Choices) -> i64 {
        self.def().base_price
            + choices
                .0
                .iter()
                .enumerate()
                .filter_map(|(a, o)| o.map(|o| self.attributes()[a].options[o].price))
                .sum::<i64>()
            + self.surcharges(choices).iter().map(|s| s.price).sum::<i64>()
            + self.area_price(choices).unwrap_or(0)
    }

    /// The price by area of the chosen width and height, if the model has
    /// one and both are chosen.
    pub fn area_price(&self, choices: &Choices) -> Option<i64> {
        let ap = self.def().area_price.as_ref()?;
        let number = |id: &str| {
            let a = self.attribute(id)?;
            let id = &self.attributes()[a].options.get(choices.0.get(a).copied().flatten()?)?.id;
            crate::model::parse_number(id)
        };
        Some(ap.price(number(&ap.width)?, number(&ap.height)?))
    }

    /// Which options remain available after `choices`, what each costs at
    /// least and at most, and the running total.
    ///
    /// An option of attribute `a` is available when some valid full
    /// configuration has it while keeping every choice made for the *other*
    /// attributes, so switching to it never leads to a dead end.
    pub fn evaluate(&self, choices: &Choices) -> Evaluation {
        let fixed = self.fixed(choices);
        let an = self.forest.analyse(&fixed, &self.prices);
        let base = self.def().base_price;
        let shift = |v: &Vec<Option<i64>>| v.iter().map(|x| x.map(|x| x + base)).collect();
        let attributes = (0..self.attributes().len())
            .map(|a| AttributeState { available: an.valid[a].clone(), min: shift(&an.min[a]), max: shift(&an.max[a]) })
            .collect();
        Evaluation {
            attributes,
            consistent: an.consistent,
            total: self.total(choices),
            total_min: an.total_min.map(|t| t + base),
            total_max: an.total_max.map(|t| t + base),
            complete: choices.0.iter().all(Option::is_some),
        }
    }

    /// The number of valid products that keep every choice.
    pub fn count(&self, choices: &Choices) -> num_bigint::BigUint {
        self.forest.count(&self.fixed(choices))
    }

    /// Fills every open attribute: its default where that still leads to a
    /// valid product (defaults are soft preferences), otherwise the option
    /// that keeps the cheapest valid product possible. Attributes are filled
    /// in model order; `None` if the choices are already impossible.
    pub fn complete(&self, choices: &Choices) -> Option<Choices> {
        let mut c = choices.clone();
        if !self.forest.consistent(&self.fixed(&c)) {
            return None;
        }
        for a in 0..c.0.len() {
            if c.0[a].is_some() {
                continue;
            }
            let eval = self.evaluate(&c);
            let state = &eval.attributes[a];
            let default = self.attributes()[a].default.as_ref().and_then(|d| self.option(a, d)).filter(|&o| state.available[o]);
            let cheapest = (0..state.available.len()).filter(|&o| state.available[o]).min_by_key(|&o| state.min[o]);
            c.0[a] = default.or(cheapest);
        }
        Some(c)
    }

    /// Why option `option` of attribute `attr` is unavailable, and the
    /// smallest change that makes it available. `order` lists attributes in
    /// the order the customer chose them (oldest first); choices not in it
    /// count as older than all that are.
    pub fn explain(&self, choices: &Choices, order: &[usize], attr: usize, option: usize) -> Explanation {
        let fixed = self.fixed(choices);
        let ranks = self.ranks(choices, order, attr);
        // Most recent first: QuickXplain then prefers conflicts among them.
        let mut candidates: Vec<usize> = (0..choices.0.len()).filter(|&a| ranks[a].is_some()).collect();
        candidates.sort_by_key(|&a| std::cmp::Reverse(ranks[a]));
        let because = self.forest.minimal_conflict(&fixed, &candidates, attr, option as u32);
        let give_up = self.forest.minimal_diagnosis(&fixed, &ranks, attr, option as u32);
        let mut involved: Vec<usize> = because.clone();
        involved.push(attr);
        let mut probe = fixed.clone();
        probe[attr] = Some(option as u32);
        let rule_constraints = || self.constraint_rule.iter().zip(&self.problem.constraints).filter_map(|(r, c)| r.map(|r| (r, c)));
        // First the rules that alone forbid the option with the blamed
        // choices; for an indirect conflict, every rule among them; failing
        // that, every rule touching them.
        let mut rules: Vec<usize> = rule_constraints()
            .filter(|(_, c)| c.scope().contains(&attr) && c.scope().iter().all(|x| involved.contains(x)) && !self.satisfiable_alone(c, &probe))
            .map(|(r, _)| r)
            .collect();
        if rules.is_empty() {
            rules = rule_constraints().filter(|(_, c)| c.scope().iter().all(|x| involved.contains(x))).map(|(r, _)| r).collect();
        }
        if rules.is_empty() {
            rules = rule_constraints().filter(|(_, c)| c.scope().iter().any(|x| involved.contains(x))).map(|(r, _)| r).collect();
        }
        rules.sort_unstable();
        rules.dedup();
        Explanation { because, rules, give_up }
    }

    /// Whether constraint `c` on its own has a solution keeping the fixed
    /// values of its scope (its open variables are enumerated: rules are small).
    fn satisfiable_alone(&self, c: &crate::problem::Constraint, fixed: &[Option<u32>]) -> bool {
        let scope = c.scope();
        let mut values: Vec<u32> = vec![0; self.problem.vars.len()];
        let open: Vec<usize> = scope.iter().copied().filter(|&x| fixed[x].is_none()).collect();
        for &x in &scope {
            values[x] = fixed[x].unwrap_or(0);
        }
        let combos: usize = open.iter().map(|&x| self.problem.vars[x].values.len()).product();
        if combos > 100_000 {
            return true;
        }
        for mut k in 0..combos {
            for &x in &open {
                let size = self.problem.vars[x].values.len();
                values[x] = (k % size) as u32;
                k /= size;
            }
            if c.holds(&values) {
                return true;
            }
        }
        false
    }

    /// Chooses option `option` of `attr` even though it is unavailable,
    /// giving up the fewest earlier choices (the oldest on a tie). Returns
    /// the new choices and the attributes whose choices were given up;
    /// `None` if the option is impossible whatever is given up.
    pub fn choose_anyway(&self, choices: &Choices, order: &[usize], attr: usize, option: usize) -> Option<(Choices, Vec<usize>)> {
        let fixed = self.fixed(choices);
        let ranks = self.ranks(choices, order, attr);
        let dropped = self.forest.minimal_diagnosis(&fixed, &ranks, attr, option as u32)?;
        let mut next = choices.clone();
        for &a in &dropped {
            next.0[a] = None;
        }
        next.0[attr] = Some(option);
        Some((next, dropped))
    }

    /// Recency ranks of the chosen attributes other than `except`.
    fn ranks(&self, choices: &Choices, order: &[usize], except: usize) -> Vec<Option<usize>> {
        let mut ranks = vec![None; self.problem.vars.len()];
        let unordered: Vec<usize> = (0..choices.0.len()).filter(|a| choices.0[*a].is_some() && !order.contains(a)).collect();
        let ordered = order.iter().copied().filter(|&a| a < choices.0.len() && choices.0[a].is_some());
        let mut seen = vec![false; choices.0.len()];
        let mut next = 0;
        for a in unordered.into_iter().chain(ordered) {
            if !seen[a] && a != except {
                seen[a] = true;
                ranks[a] = Some(next);
                next += 1;
            }
        }
        ranks
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
        let surcharges = self.surcharges(choices);
        let mut values: Vec<u32> = choices.0.iter().map(|o| o.expect("checked complete") as u32).collect();
        for s in &self.def().surcharges {
            values.push(u32::from(surcharges.iter().any(|x| x.attribute == s.id)));
        }
        for (c, r) in self.problem.constraints.iter().zip(&self.constraint_rule) {
            if let Some(r) = r {
                if !c.holds(&values) {
                    let def = &self.def().rules[*r];
                    return Err(OrderError::Violates { rule: def.id.clone(), message: def.message.clone() });
                }
            }
        }
        let lines = values
            .iter()
            .take(self.attributes().len())
            .enumerate()
            .map(|(a, &o)| {
                let attr = &self.attributes()[a];
                let opt = &attr.options[o as usize];
                QuoteLine { attribute: attr.id.clone(), option: opt.id.clone(), price: opt.price }
            })
            .collect();
        let mut surcharges = surcharges;
        if let (Some(ap), Some(price)) = (self.def().area_price.as_ref(), self.area_price(choices)) {
            surcharges.push(QuoteLine { attribute: "area".into(), option: format!("{}", ap.per_m2), price });
        }
        Ok(Quote {
            currency: self.def().currency.clone(),
            base_price: self.def().base_price,
            lines,
            surcharges,
            total: self.total(choices),
        })
    }
}
