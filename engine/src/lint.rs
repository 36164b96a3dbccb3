//! Catalogue health (issue 18): what a model's rules leave of it, the way
//! industrial configurators analyse a model before it ships (dead and core
//! features in feature-model tools, a model analysis in CPQ products).
//!
//! [`space`] works on any problem (a product, an XCSP or DIMACS file):
//! how many valid configurations there are, which values no valid
//! configuration has (dead), and which variables have one valid value left
//! (forced; for a feature model, value 1 forced is a core feature). It
//! reads one analysis of the engine with nothing chosen, so it is exact
//! with either of the engine's methods.
//!
//! [`health`] adds what only a product model has: rules that never remove
//! anything, whether the defaults go together, the price range, options
//! the picture does not show, and texts without Chinese.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Choices;
use crate::engine::Engine;
use crate::mdd::{DEFAULT_BUDGET, Forest};
use crate::model::Model;
use crate::problem::Problem;

/// What the constraints leave of a problem's variables.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Space {
    /// The exact number of valid configurations in decimal, `None` when the
    /// search method cannot count them in reasonable time.
    pub configurations: Option<String>,
    /// Whether there is any valid configuration at all.
    pub consistent: bool,
    /// `(variable, value)` that no valid configuration has, in order.
    pub dead: Vec<(usize, u32)>,
    /// `(variable, value)`: the one valid value of a variable that has
    /// other values, in order.
    pub forced: Vec<(usize, u32)>,
}

/// The space of `engine`'s problem with nothing chosen.
pub fn space(engine: &Engine) -> Space {
    let open = vec![None; engine.vars()];
    let analysis = engine.analyse(&open);
    let mut dead = Vec::new();
    let mut forced = Vec::new();
    for (x, valid) in analysis.valid.iter().enumerate() {
        dead.extend(valid.iter().enumerate().filter(|(_, ok)| !**ok).map(|(v, _)| (x, v as u32)));
        let mut left = valid.iter().enumerate().filter(|(_, ok)| **ok);
        if let (Some((v, _)), None) = (left.next(), left.next())
            && valid.len() > 1
        {
            forced.push((x, v as u32));
        }
    }
    Space { configurations: engine.count(&open).map(|c| c.to_string()), consistent: analysis.consistent, dead, forced }
}

/// An option named by ids.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OptionRef {
    pub attribute: String,
    pub option: String,
}

/// The health of one product model. Errors (a product that cannot be sold
/// as written) are [`Health::errors`]; the rest are warnings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Health {
    pub product: String,
    pub configurations: String,
    /// Options no valid product has.
    pub dead: Vec<OptionRef>,
    /// Options every valid product has (of attributes with other options).
    pub forced: Vec<OptionRef>,
    /// Rules whose removal lets no further product through, by id; `None`
    /// when the model is too large to recompile without each rule.
    pub idle_rules: Option<Vec<String>>,
    /// Attributes without a default (the customer starts with them open).
    pub no_default: Vec<String>,
    /// The defaults that cannot go together (a smallest such set), empty
    /// when the defaults leave a valid product.
    pub conflicting_defaults: Vec<OptionRef>,
    /// Lowest and highest price of a valid product, in minor units.
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub currency: String,
    /// Whether the model has a picture at all.
    pub has_visual: bool,
    /// Options with no swatch whose picture looks the same as another
    /// option's of the same attribute, the other choices at their
    /// defaults: the picture does not show them (empty without a visual).
    pub no_picture: Vec<OptionRef>,
    /// Texts with no Chinese, by place (`attributes.fit.options.slim.label`).
    pub no_chinese: Vec<String>,
}

impl Health {
    /// What stops the product from being sold as written.
    pub fn errors(&self) -> Vec<String> {
        let mut e = Vec::new();
        if self.configurations == "0" {
            e.push("no valid product: the rules exclude every combination".to_string());
            return e;
        }
        e.extend(self.dead.iter().map(|o| format!("option {}={} can never be chosen (dead)", o.attribute, o.option)));
        if !self.conflicting_defaults.is_empty() {
            e.push(format!("the defaults {} cannot go together", refs(&self.conflicting_defaults)));
        }
        e
    }

    /// What is probably a mistake or a gap, but sells.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        w.extend(self.forced.iter().map(|o| format!("option {}={} is always forced (its attribute has no other choice)", o.attribute, o.option)));
        match &self.idle_rules {
            Some(idle) => w.extend(idle.iter().map(|r| format!("rule {r} never removes anything"))),
            None => w.push("rules not checked one by one: the model is too large to recompile without each".to_string()),
        }
        if !self.has_visual {
            w.push("no picture: the model has no visual section".to_string());
        }
        w.extend(self.no_picture.iter().map(|o| format!("option {}={} has no picture (no swatch, drawn like another option)", o.attribute, o.option)));
        w.extend(self.no_chinese.iter().map(|p| format!("{p} has no Chinese text")));
        w
    }

    /// The report `tailor-engine lint` prints.
    pub fn report(&self) -> String {
        let mut out = format!("{}: {} valid configurations", self.product, self.configurations);
        if let (Some(lo), Some(hi)) = (self.price_min, self.price_max) {
            out += &format!(", price {} to {} {}", money(lo), money(hi), self.currency);
        }
        out.push('\n');
        if !self.no_default.is_empty() {
            out += &format!("open at start (no default): {}\n", self.no_default.join(", "));
        }
        for e in self.errors() {
            out += &format!("error: {e}\n");
        }
        for w in self.warnings() {
            out += &format!("warning: {w}\n");
        }
        out += &format!("{} errors, {} warnings\n", self.errors().len(), self.warnings().len());
        out
    }
}

fn refs(list: &[OptionRef]) -> String {
    list.iter().map(|o| format!("{}={}", o.attribute, o.option)).collect::<Vec<_>>().join(", ")
}

fn money(minor: i64) -> String {
    format!("{}{}.{:02}", if minor < 0 { "-" } else { "" }, minor.abs() / 100, minor.abs() % 100)
}

/// The health of a product model.
pub fn health(model: &Model) -> Health {
    let attrs = model.attributes();
    let name = |a: usize, o: usize| OptionRef { attribute: attrs[a].id.clone(), option: attrs[a].options[o].id.clone() };
    let open = Choices::empty(model);
    let eval = model.evaluate(&open);
    let mut dead = Vec::new();
    let mut forced = Vec::new();
    for (a, state) in eval.attributes.iter().enumerate() {
        dead.extend((0..state.available.len()).filter(|&o| !state.available[o]).map(|o| name(a, o)));
        let left: Vec<usize> = (0..state.available.len()).filter(|&o| state.available[o]).collect();
        if left.len() == 1 && state.available.len() > 1 {
            forced.push(name(a, left[0]));
        }
    }
    let configurations = model.count(&open);
    Health {
        product: model.id().to_string(),
        configurations: configurations.to_string(),
        dead,
        forced,
        idle_rules: idle_rules(model, &configurations),
        no_default: attrs.iter().filter(|a| a.default.is_none()).map(|a| a.id.clone()).collect(),
        conflicting_defaults: conflicting_defaults(model).into_iter().map(|(a, o)| name(a, o)).collect(),
        price_min: eval.total_min,
        price_max: eval.total_max,
        currency: model.def().currency.clone(),
        has_visual: model.def().visual.is_some(),
        no_picture: no_picture(model).into_iter().map(|(a, o)| name(a, o)).collect(),
        no_chinese: no_chinese(model),
    }
}

/// The rules whose constraints can go without changing the number of
/// valid configurations (the problem has no others that count).
fn idle_rules(model: &Model, count: &num_bigint::BigUint) -> Option<Vec<String>> {
    let problem = model.problem();
    let mut idle = Vec::new();
    for (r, rule) in model.def().rules.iter().enumerate() {
        let without = Problem {
            vars: problem.vars.clone(),
            constraints: problem
                .constraints
                .iter()
                .zip(&model.constraint_rule)
                .filter(|(_, from)| **from != Some(r))
                .map(|(c, _)| c.clone())
                .collect(),
        };
        let forest = Forest::compile(&without, DEFAULT_BUDGET).ok()?;
        if forest.count(&vec![None; without.vars.len()]) == *count {
            idle.push(rule.id.clone());
        }
    }
    Some(idle)
}

/// A smallest set of defaults that cannot go together (empty when they
/// can): defaults are dropped one at a time while the rest still conflict.
fn conflicting_defaults(model: &Model) -> Vec<(usize, usize)> {
    let mut kept = Choices::defaults(model);
    if model.evaluate(&kept).consistent {
        return Vec::new();
    }
    for a in 0..kept.0.len() {
        let Some(o) = kept.0[a] else { continue };
        kept.0[a] = None;
        if model.evaluate(&kept).consistent {
            kept.0[a] = Some(o);
        }
    }
    kept.0.iter().enumerate().filter_map(|(a, o)| o.map(|o| (a, o))).collect()
}

/// Options without a swatch that the picture draws exactly like another
/// option of their attribute (the other attributes at their defaults).
fn no_picture(model: &Model) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if model.def().visual.is_none() {
        return out;
    }
    let defaults = Choices::defaults(model);
    for (a, attr) in model.attributes().iter().enumerate() {
        let mut by_drawing: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for o in 0..attr.options.len() {
            let mut c = defaults.clone();
            c.0[a] = Some(o);
            by_drawing.entry(model.drawing(&c).unwrap_or_default()).or_default().push(o);
        }
        for same in by_drawing.values().filter(|s| s.len() > 1) {
            out.extend(same.iter().filter(|&&o| attr.options[o].swatch.is_none()).map(|&o| (a, o)));
        }
    }
    out.sort_unstable();
    out
}

/// Every text of the model (an object of `en` and maybe `zh`) without
/// `zh`, named by its path, with list items named by their `id`.
fn no_chinese(model: &Model) -> Vec<String> {
    fn walk(v: &serde_json::Value, place: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                let is_text = map.get("en").is_some_and(|e| e.is_string()) && map.keys().all(|k| k == "en" || k == "zh");
                if is_text {
                    if map.get("zh").and_then(|z| z.as_str()).is_none_or(|z| z.trim().is_empty()) {
                        out.push(place.to_string());
                    }
                    return;
                }
                for (k, child) in map {
                    walk(child, &join(place, k), out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let key = child.get("id").and_then(|id| id.as_str()).map(str::to_string).unwrap_or_else(|| i.to_string());
                    walk(child, &join(place, &key), out);
                }
            }
            _ => {}
        }
    }
    fn join(place: &str, key: &str) -> String {
        if place.is_empty() { key.to_string() } else { format!("{place}.{key}") }
    }
    let mut out = Vec::new();
    if let Ok(v) = serde_json::to_value(model.def()) {
        walk(&v, "", &mut out);
    }
    out
}
