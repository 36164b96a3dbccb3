//! The product-model file format and its validation.
//!
//! A model is a JSON document (see `docs/model-format.md`): a product with
//! attributes, each a finite list of options with a price effect, and rules
//! between options. [`Model::from_json`] reads and checks it; every error names
//! the file, the place in it and the reason.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::mdd::{BuildError, DEFAULT_BUDGET, Forest};
use crate::prepared::PreparedError;
use crate::problem::{Constraint, Problem, Var};

/// The format tag every model file carries in its `format` field.
pub const FORMAT: &str = "tailor-model/1";

/// A text in the portal's languages. English is required; Simplified Chinese
/// falls back to English where it is missing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
}

impl Text {
    /// The same text in every language (a code, a name as written).
    pub fn plain(s: &str) -> Text {
        Text {
            en: s.to_string(),
            zh: None,
        }
    }

    /// The text in `lang` (`"en"` or `"zh"`), English when there is none.
    pub fn get(&self, lang: &str) -> &str {
        match (lang, &self.zh) {
            ("zh", Some(zh)) => zh,
            _ => &self.en,
        }
    }
}

/// One choice of an attribute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionDef {
    pub id: String,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Price effect in minor units of the model's currency (cents).
    #[serde(default)]
    pub price: i64,
    /// Free-form properties shown to the customer and used by later rules
    /// (socket, watts, length in mm, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    /// Shown beside the option: a colour (`#rgb` or `#rrggbb`: a wash, a
    /// thread, a frame colour) or a tiny drawing (a grille pattern).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swatch: Option<crate::visual::Swatch>,
}

/// A question the customer answers by picking exactly one option.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeDef {
    pub id: String,
    pub label: Text,
    /// The choices. Leave empty for a numeric input given by `range`.
    #[serde(default)]
    pub options: Vec<OptionDef>,
    /// A numeric input (a body measurement, a length): every value from
    /// `min` to `max` in steps of `step` becomes an option whose id is the
    /// number (`"81.5"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<RangeDef>,
    /// The option preselected for a new configuration, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// The values of a numeric input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeDef {
    pub min: f64,
    pub max: f64,
    pub step: f64,
    /// Shown after the number (`"cm"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// What a rule says about the options it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// When the `if` side holds, the `then` side must hold.
    Requires,
    /// The `if` side and the `then` side never hold together.
    Excludes,
    /// A compatibility table over several attributes: the `allowed` rows
    /// (or all but the `forbidden` rows). `"*"` in a row matches any option.
    Table,
    /// A linear constraint over numeric option properties:
    /// `sum(factor * property of the chosen option) op bound`.
    Linear,
}

/// `attribute is one of options`, as written in a rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub attribute: String,
    pub options: Vec<String>,
}

/// One term of a linear rule: `factor` times the chosen option's numeric
/// `property` (an option without the property counts as 0).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub attribute: String,
    pub property: String,
    #[serde(default = "one")]
    pub factor: f64,
}

fn one() -> f64 {
    1.0
}

/// The comparison of a linear rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "==")]
    Eq,
}

/// A rule of the model. Which fields it takes depends on `kind`:
/// `requires`/`excludes` take `if` and `then`; `table` takes `attributes`
/// and `allowed` or `forbidden`; `linear` takes `terms`, `op` and `bound`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    pub kind: RuleKind,
    #[serde(rename = "if", default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<Condition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forbidden: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<Term>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<Op>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<f64>,
    /// Show a `<=` linear rule as a gauge: what the configuration uses
    /// against what it has (power draw against the supply, card length
    /// against the case's clearance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meter: Option<MeterDef>,
    /// Why the rule exists, in words the customer understands.
    pub message: Text,
}

/// How a gauge is labelled: `"Power budget"`, unit `"W"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeterDef {
    pub label: Text,
    pub unit: String,
}

/// A gauge read for a configuration. The rule `sum(terms) <= bound` reads
/// as `load <= capacity`: terms with a positive factor (and a negative
/// bound) are the load, terms with a negative factor (and a positive bound)
/// the capacity. Attributes not yet chosen count as zero; `known` says
/// whether every attribute of the rule is chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct Meter {
    pub rule: usize,
    /// The attributes the rule reads.
    pub attributes: Vec<usize>,
    pub label: Text,
    pub unit: String,
    pub load: f64,
    pub capacity: f64,
    pub known: bool,
}

impl Meter {
    pub fn fits(&self) -> bool {
        self.load <= self.capacity
    }
}

/// A price added when every condition holds (a surcharge, or a discount
/// when negative), e.g. "+ 20 for selvedge fabric in a long inseam".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurchargeDef {
    pub id: String,
    pub label: Text,
    pub when: Vec<Condition>,
    pub price: i64,
}

/// A price by area (a window): `per_m2` minor units per square metre of
/// `width` times `height`, two numeric inputs in centimetres. The price is
/// rounded to a whole minor unit and added to the total (and to the price
/// bounds the configurator shows).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaPriceDef {
    pub width: String,
    pub height: String,
    pub per_m2: i64,
    /// Shown on the quote's line.
    pub label: Text,
}

impl AreaPriceDef {
    /// The price of `width_cm` by `height_cm`.
    pub fn price(&self, width_cm: f64, height_cm: f64) -> i64 {
        (width_cm * height_cm / 10_000.0 * self.per_m2 as f64).round() as i64
    }
}

/// A step of the user interface: a titled group of attributes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    pub id: String,
    pub label: Text,
    pub attributes: Vec<String>,
}

/// A free-text input, such as a monogram: required while `when` holds
/// (always, without `when`), refused otherwise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextDef {
    pub id: String,
    pub label: Text,
    /// The most characters (Unicode scalar values) accepted.
    pub max_length: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
}

/// How body measurements map to a size grid (see `fit.rs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitDef {
    /// The attribute holding the waist/hip grid, and the option properties
    /// giving each size's garment waist and hip in cm.
    pub size: String,
    pub waist_property: String,
    pub hip_property: String,
    /// The inseam attribute and its option property in cm.
    pub inseam: String,
    pub inseam_property: String,
    /// Ease added to the body's waist for each fit preference, in cm.
    pub ease_cm: EaseDef,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EaseDef {
    pub slim: f64,
    pub regular: f64,
    pub relaxed: f64,
}

/// The file as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelDef {
    pub format: String,
    pub id: String,
    pub version: String,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// ISO 4217 code of the prices.
    pub currency: String,
    /// Price of the product before any option, in minor units.
    #[serde(default)]
    pub base_price: i64,
    pub attributes: Vec<AttributeDef>,
    #[serde(default)]
    pub rules: Vec<RuleDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub surcharges: Vec<SurchargeDef>,
    /// Steps of the user interface; without them every attribute is a step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub texts: Vec<TextDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit: Option<FitDef>,
    /// A price by area (see [`AreaPriceDef`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_price: Option<AreaPriceDef>,
    /// The product's picture (see `visual.rs` and `docs/model-format.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visual: Option<crate::visual::VisualDef>,
}

/// A model file that could not be used: which file, where in it, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelError {
    /// The file (or other source) name given to [`Model::from_json`].
    pub source: String,
    /// Where in the file: a JSON path such as `attributes[2].options[0].id`,
    /// or `line L, column C` for syntax errors.
    pub place: String,
    pub reason: String,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.source, self.place, self.reason)
    }
}

impl std::error::Error for ModelError {}

/// A checked, ready-to-use product model, with its solution space compiled.
#[derive(Clone, Debug)]
pub struct Model {
    def: ModelDef,
    attr_index: HashMap<String, usize>,
    option_index: Vec<HashMap<String, usize>>,
    /// Attributes are variables `0..attributes.len()`; each surcharge adds
    /// one hidden Boolean variable after them.
    pub(crate) problem: Problem,
    pub(crate) forest: Forest,
    /// Per variable, per value: the price effect.
    pub(crate) prices: Vec<Vec<i64>>,
    /// For each constraint of `problem`, the rule it came from (`None` for
    /// the definitions of surcharge variables).
    pub(crate) constraint_rule: Vec<Option<usize>>,
    /// The catalogue part of configuration codes (see `code.rs`).
    pub(crate) fingerprint: String,
}

/// Linear rules work in integers: factors and properties are scaled by this
/// (so up to three decimals are exact).
const SCALE: f64 = 1000.0;

/// A model file's JSON read into its definition; a syntax or shape error
/// names the line and column.
fn parse_def(source: &str, text: &str) -> Result<ModelDef, ModelError> {
    serde_json::from_str(text).map_err(|e| ModelError {
        source: source.to_string(),
        place: format!("line {}, column {}", e.line(), e.column()),
        reason: strip_position(&e.to_string()),
    })
}

/// The model's rules compiled into diagrams.
fn compile_rules(problem: &Problem) -> Result<Forest, (String, String)> {
    Forest::compile(problem, DEFAULT_BUDGET).map_err(|e| match e {
        BuildError::TooLarge { nodes } => (
            "rules".into(),
            format!("the rules are too complex to compile (over {nodes} diagram nodes)"),
        ),
    })
}

impl Model {
    /// Reads and checks a model. `source` names the file in error messages.
    pub fn from_json(source: &str, text: &str) -> Result<Model, ModelError> {
        Model::from_def(source, parse_def(source, text)?)
    }

    /// Like [`Model::from_json`], with the model's prepared file (see
    /// [`Model::to_prepared`]) loaded instead of compiling its rules when it
    /// fits; otherwise the rules are compiled and the reason the file was
    /// not used is returned beside the model, for the caller to report.
    pub fn from_json_prepared(
        source: &str,
        text: &str,
        prepared: &[u8],
    ) -> Result<(Model, Option<PreparedError>), ModelError> {
        let def = parse_def(source, text)?;
        let mut refused = None;
        let model = Model::from_def_with(source, def, |problem| {
            match Forest::from_prepared(problem, prepared) {
                Ok(forest) => Ok(forest),
                Err(why) => {
                    refused = Some(why);
                    compile_rules(problem)
                }
            }
        })?;
        Ok((model, refused))
    }

    /// Like [`Model::from_json_prepared`], but the rules come from the
    /// prepared file only: when it is refused, so is the model. A program
    /// that reads models only this way has no rule compiler in it (the
    /// shop's WebAssembly: the site build prepares every product's rules).
    pub fn from_json_with_prepared_rules(
        source: &str,
        text: &str,
        prepared: &[u8],
    ) -> Result<Model, ModelError> {
        let def = parse_def(source, text)?;
        Model::from_def_with(source, def, |problem| {
            Forest::from_prepared(problem, prepared).map_err(|why| {
                (
                    "rules".to_string(),
                    format!("the prepared rules cannot be used: {why}"),
                )
            })
        })
    }

    /// The compiled rules as a prepared file (the diagram form, with the
    /// rules' fingerprint and a checksum; see [`crate::prepared`]).
    pub fn to_prepared(&self) -> Vec<u8> {
        self.forest.to_prepared(&self.problem)
    }

    /// Checks a model already parsed. `source` names it in error messages.
    pub fn from_def(source: &str, def: ModelDef) -> Result<Model, ModelError> {
        Model::from_def_with(source, def, compile_rules)
    }

    /// Checks `def` and builds the model, its rules' diagrams made by
    /// `rules` (which names the place and reason when it cannot). Generic so
    /// that a caller that never compiles keeps the compiler out of its
    /// program.
    fn from_def_with(
        source: &str,
        mut def: ModelDef,
        rules: impl FnOnce(&Problem) -> Result<Forest, (String, String)>,
    ) -> Result<Model, ModelError> {
        let err = |place: String, reason: String| ModelError {
            source: source.to_string(),
            place,
            reason,
        };
        if def.format != FORMAT {
            return Err(err(
                "format".into(),
                format!("expected \"{FORMAT}\", found \"{}\"", def.format),
            ));
        }
        check_id(&def.id).map_err(|r| err("id".into(), r))?;
        if def.version.trim().is_empty() {
            return Err(err("version".into(), "must not be empty".into()));
        }
        if def.currency.len() != 3 || !def.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(err(
                "currency".into(),
                format!("\"{}\" is not a three-letter ISO 4217 code", def.currency),
            ));
        }
        if def.attributes.is_empty() {
            return Err(err(
                "attributes".into(),
                "a model needs at least one attribute".into(),
            ));
        }
        let mut attr_index = HashMap::new();
        let mut option_index = Vec::new();
        for (a, attr) in def.attributes.iter_mut().enumerate() {
            let place = format!("attributes[{a}]");
            check_id(&attr.id).map_err(|r| err(format!("{place}.id"), r))?;
            if attr_index.insert(attr.id.clone(), a).is_some() {
                return Err(err(
                    format!("{place}.id"),
                    format!("duplicate attribute id \"{}\"", attr.id),
                ));
            }
            if let Some(range) = &attr.range {
                if !attr.options.is_empty() {
                    return Err(err(
                        format!("{place}.range"),
                        "give either options or a range, not both".into(),
                    ));
                }
                attr.options =
                    range_options(range).map_err(|r| err(format!("{place}.range"), r))?;
            }
            if attr.options.is_empty() {
                return Err(err(
                    format!("{place}.options"),
                    "an attribute needs at least one option".into(),
                ));
            }
            let mut opts = HashMap::new();
            for (o, opt) in attr.options.iter().enumerate() {
                check_option_id(&opt.id).map_err(|r| err(format!("{place}.options[{o}].id"), r))?;
                if let Some(crate::visual::Swatch::Color(c)) = &opt.swatch
                    && (c == "none" || !crate::visual::color_ok(c))
                {
                    return Err(err(
                        format!("{place}.options[{o}].swatch"),
                        format!(
                            "\"{}\" is not a colour (#rgb or #rrggbb)",
                            c.chars().take(20).collect::<String>()
                        ),
                    ));
                }
                if opts.insert(opt.id.clone(), o).is_some() {
                    return Err(err(
                        format!("{place}.options[{o}].id"),
                        format!(
                            "duplicate option id \"{}\" in attribute \"{}\"",
                            opt.id, attr.id
                        ),
                    ));
                }
            }
            if let Some(d) = &attr.default {
                if !opts.contains_key(d) {
                    return Err(err(
                        format!("{place}.default"),
                        format!("\"{d}\" is not an option of attribute \"{}\"", attr.id),
                    ));
                }
            }
            option_index.push(opts);
        }

        let mut problem = Problem {
            vars: def
                .attributes
                .iter()
                .map(|a| Var {
                    name: a.id.clone(),
                    values: a.options.iter().map(|o| o.id.clone()).collect(),
                })
                .collect(),
            constraints: Vec::new(),
        };
        let mut prices: Vec<Vec<i64>> = def
            .attributes
            .iter()
            .map(|a| a.options.iter().map(|o| o.price).collect())
            .collect();
        let mut constraint_rule = Vec::new();

        // `attribute is one of options` as a mask over the attribute's options.
        let condition = |cond: &Condition, place: &str| -> Result<(usize, Vec<bool>), ModelError> {
            let a = *attr_index.get(&cond.attribute).ok_or_else(|| {
                err(
                    format!("{place}.attribute"),
                    format!("unknown attribute \"{}\"", cond.attribute),
                )
            })?;
            if cond.options.is_empty() {
                return Err(err(
                    format!("{place}.options"),
                    "must name at least one option".into(),
                ));
            }
            let mut mask = vec![false; def.attributes[a].options.len()];
            for (i, o) in cond.options.iter().enumerate() {
                let idx = option_index[a].get(o).ok_or_else(|| {
                    err(
                        format!("{place}.options[{i}]"),
                        format!(
                            "\"{o}\" is not an option of attribute \"{}\"",
                            cond.attribute
                        ),
                    )
                })?;
                mask[*idx] = true;
            }
            Ok((a, mask))
        };

        let mut rule_ids = HashMap::new();
        for (r, rule) in def.rules.iter().enumerate() {
            let place = format!("rules[{r}]");
            check_id(&rule.id).map_err(|e| err(format!("{place}.id"), e))?;
            if rule_ids.insert(rule.id.clone(), r).is_some() {
                return Err(err(
                    format!("{place}.id"),
                    format!("duplicate rule id \"{}\"", rule.id),
                ));
            }
            let expect = |fields: &[&str]| -> Result<(), ModelError> {
                let present = [
                    ("if", rule.when.is_some()),
                    ("then", rule.then.is_some()),
                    ("attributes", !rule.attributes.is_empty()),
                    ("allowed", rule.allowed.is_some()),
                    ("forbidden", rule.forbidden.is_some()),
                    ("terms", !rule.terms.is_empty()),
                    ("op", rule.op.is_some()),
                    ("bound", rule.bound.is_some()),
                    ("meter", rule.meter.is_some()),
                ];
                for (name, here) in present {
                    let wanted = fields.contains(&name);
                    if here && !wanted {
                        return Err(err(
                            format!("{place}.{name}"),
                            format!("a {:?} rule takes no \"{name}\"", rule.kind).to_ascii_lowercase(),
                        ));
                    }
                }
                Ok(())
            };
            let constraint = match rule.kind {
                RuleKind::Requires | RuleKind::Excludes => {
                    expect(&["if", "then"])?;
                    let when = rule
                        .when
                        .as_ref()
                        .ok_or_else(|| err(place.clone(), "needs \"if\"".into()))?;
                    let then = rule
                        .then
                        .as_ref()
                        .ok_or_else(|| err(place.clone(), "needs \"then\"".into()))?;
                    let (wa, wm) = condition(when, &format!("{place}.if"))?;
                    let (ta, tm) = condition(then, &format!("{place}.then"))?;
                    if wa == ta {
                        return Err(err(
                            format!("{place}.then.attribute"),
                            "a rule must link two different attributes".into(),
                        ));
                    }
                    let requires = rule.kind == RuleKind::Requires;
                    let mut tuples = Vec::new();
                    for (w, &wh) in wm.iter().enumerate() {
                        for (t, &th) in tm.iter().enumerate() {
                            let ok = if requires { !wh || th } else { !(wh && th) };
                            if ok {
                                tuples.push(vec![w as u32, t as u32]);
                            }
                        }
                    }
                    Constraint::Table {
                        vars: vec![wa, ta],
                        tuples,
                        allowed: true,
                    }
                }
                RuleKind::Table => {
                    expect(&["attributes", "allowed", "forbidden"])?;
                    let (rows, allowed, field) =
                        match (&rule.allowed, &rule.forbidden) {
                            (Some(rows), None) => (rows, true, "allowed"),
                            (None, Some(rows)) => (rows, false, "forbidden"),
                            _ => return Err(err(
                                place.clone(),
                                "a table rule needs exactly one of \"allowed\" and \"forbidden\""
                                    .into(),
                            )),
                        };
                    if rule.attributes.len() < 2 {
                        return Err(err(
                            format!("{place}.attributes"),
                            "a table links at least two attributes".into(),
                        ));
                    }
                    let mut vars = Vec::new();
                    for (i, a) in rule.attributes.iter().enumerate() {
                        let idx = *attr_index.get(a).ok_or_else(|| {
                            err(
                                format!("{place}.attributes[{i}]"),
                                format!("unknown attribute \"{a}\""),
                            )
                        })?;
                        if vars.contains(&idx) {
                            return Err(err(
                                format!("{place}.attributes[{i}]"),
                                format!("attribute \"{a}\" appears twice"),
                            ));
                        }
                        vars.push(idx);
                    }
                    let mut tuples = Vec::new();
                    for (j, row) in rows.iter().enumerate() {
                        if row.len() != vars.len() {
                            return Err(err(
                                format!("{place}.{field}[{j}]"),
                                format!("has {} entries for {} attributes", row.len(), vars.len()),
                            ));
                        }
                        // Expand "*" into every option.
                        let mut expanded: Vec<Vec<u32>> = vec![Vec::new()];
                        for (k, cell) in row.iter().enumerate() {
                            let a = vars[k];
                            let values: Vec<u32> = if cell == "*" {
                                (0..def.attributes[a].options.len() as u32).collect()
                            } else {
                                vec![*option_index[a].get(cell).ok_or_else(|| {
                                    err(
                                        format!("{place}.{field}[{j}][{k}]"),
                                        format!(
                                            "\"{cell}\" is not an option of attribute \"{}\"",
                                            def.attributes[a].id
                                        ),
                                    )
                                })? as u32]
                            };
                            expanded = extend_rows(expanded, &values).ok_or_else(|| {
                                err(
                                    format!("{place}.{field}[{j}]"),
                                    "\"*\" expands to over a million rows".into(),
                                )
                            })?;
                        }
                        tuples.extend(expanded);
                    }
                    Constraint::Table {
                        vars,
                        tuples,
                        allowed,
                    }
                }
                RuleKind::Linear => {
                    expect(&["terms", "op", "bound", "meter"])?;
                    let op = rule
                        .op
                        .ok_or_else(|| err(place.clone(), "a linear rule needs \"op\"".into()))?;
                    if rule.meter.is_some() && op != Op::Le {
                        return Err(err(
                            format!("{place}.meter"),
                            "a meter shows a rule with \"<=\"".into(),
                        ));
                    }
                    let bound = rule.bound.ok_or_else(|| {
                        err(place.clone(), "a linear rule needs \"bound\"".into())
                    })?;
                    if rule.terms.is_empty() {
                        return Err(err(
                            format!("{place}.terms"),
                            "a linear rule needs at least one term".into(),
                        ));
                    }
                    let mut terms: Vec<(usize, Vec<i64>)> = Vec::new();
                    for (i, term) in rule.terms.iter().enumerate() {
                        let tplace = format!("{place}.terms[{i}]");
                        let a = *attr_index.get(&term.attribute).ok_or_else(|| {
                            err(
                                format!("{tplace}.attribute"),
                                format!("unknown attribute \"{}\"", term.attribute),
                            )
                        })?;
                        let factor = scaled(term.factor).ok_or_else(|| {
                            err(
                                format!("{tplace}.factor"),
                                format!(
                                    "{} needs more than three decimals or is too large",
                                    term.factor
                                ),
                            )
                        })?;
                        let mut coefficients = Vec::new();
                        let mut any = false;
                        for (o, opt) in def.attributes[a].options.iter().enumerate() {
                            let value = match opt.properties.get(&term.property) {
                                None => 0,
                                Some(v) => {
                                    any = true;
                                    v.as_f64().and_then(scaled).ok_or_else(|| {
                                        err(
                                            format!("attributes[{a}].options[{o}].properties.{}", term.property),
                                            format!("rule \"{}\" needs a number with at most three decimals, found {v}", rule.id),
                                        )
                                    })?
                                }
                            };
                            coefficients.push(
                                factor.checked_mul(value).ok_or_else(|| {
                                    err(tplace.clone(), "numbers too large".into())
                                })?,
                            );
                        }
                        if !any {
                            return Err(err(
                                format!("{tplace}.property"),
                                format!(
                                    "no option of attribute \"{}\" has the property \"{}\"",
                                    term.attribute, term.property
                                ),
                            ));
                        }
                        match terms.iter_mut().find(|(x, _)| *x == a) {
                            Some((_, c)) => {
                                c.iter_mut().zip(coefficients).for_each(|(c, d)| *c += d)
                            }
                            None => terms.push((a, coefficients)),
                        }
                    }
                    let bound = scaled(bound)
                        .and_then(|b| b.checked_mul(SCALE as i64))
                        .ok_or_else(|| {
                            err(
                                format!("{place}.bound"),
                                format!("{bound} needs more than three decimals or is too large"),
                            )
                        })?;
                    let (lo, hi) = match op {
                        Op::Le => (i64::MIN, bound),
                        Op::Ge => (bound, i64::MAX),
                        Op::Eq => (bound, bound),
                    };
                    Constraint::Linear {
                        terms,
                        min: lo,
                        max: hi,
                    }
                }
            };
            problem.constraints.push(constraint);
            constraint_rule.push(Some(r));
        }

        for (s, sur) in def.surcharges.iter().enumerate() {
            let place = format!("surcharges[{s}]");
            check_id(&sur.id).map_err(|e| err(format!("{place}.id"), e))?;
            if sur.when.is_empty() {
                return Err(err(
                    format!("{place}.when"),
                    "a surcharge needs at least one condition".into(),
                ));
            }
            // A hidden variable that is 1 exactly when every condition holds.
            let hidden = problem.vars.len();
            problem
                .vars
                .push(Var::boolean(format!("surcharge:{}", sur.id)));
            prices.push(vec![0, sur.price]);
            let mut vars = Vec::new();
            let mut masks = Vec::new();
            for (i, cond) in sur.when.iter().enumerate() {
                let (a, mask) = condition(cond, &format!("{place}.when[{i}]"))?;
                if vars.contains(&a) {
                    return Err(err(
                        format!("{place}.when[{i}].attribute"),
                        format!("attribute \"{}\" appears twice", cond.attribute),
                    ));
                }
                vars.push(a);
                masks.push(mask);
            }
            let mut tuples: Vec<Vec<u32>> = vec![Vec::new()];
            for mask in &masks {
                let values: Vec<u32> = (0..mask.len() as u32).collect();
                tuples = extend_rows(tuples, &values).ok_or_else(|| {
                    err(
                        format!("{place}.when"),
                        "the conditions span over a million combinations".into(),
                    )
                })?;
            }
            for t in &mut tuples {
                let holds = t.iter().zip(&masks).all(|(&v, m)| m[v as usize]);
                t.push(u32::from(holds));
            }
            vars.push(hidden);
            problem.constraints.push(Constraint::Table {
                vars,
                tuples,
                allowed: true,
            });
            constraint_rule.push(None);
        }

        let mut seen = HashMap::new();
        for (s, step) in def.steps.iter().enumerate() {
            check_id(&step.id).map_err(|e| err(format!("steps[{s}].id"), e))?;
            for (i, a) in step.attributes.iter().enumerate() {
                if !attr_index.contains_key(a) {
                    return Err(err(
                        format!("steps[{s}].attributes[{i}]"),
                        format!("unknown attribute \"{a}\""),
                    ));
                }
                if seen.insert(a.clone(), s).is_some() {
                    return Err(err(
                        format!("steps[{s}].attributes[{i}]"),
                        format!("attribute \"{a}\" is in two steps"),
                    ));
                }
            }
        }

        for (t, text) in def.texts.iter().enumerate() {
            let place = format!("texts[{t}]");
            check_id(&text.id).map_err(|e| err(format!("{place}.id"), e))?;
            if text.max_length == 0 || text.max_length > 200 {
                return Err(err(
                    format!("{place}.max_length"),
                    "must be between 1 and 200".into(),
                ));
            }
            if let Some(cond) = &text.when {
                condition(cond, &format!("{place}.when"))?;
            }
        }
        if let Some(fit) = &def.fit {
            for (field, attr, property) in [
                ("size", &fit.size, &fit.waist_property),
                ("size", &fit.size, &fit.hip_property),
                ("inseam", &fit.inseam, &fit.inseam_property),
            ] {
                let a = *attr_index.get(attr).ok_or_else(|| {
                    err(
                        format!("fit.{field}"),
                        format!("unknown attribute \"{attr}\""),
                    )
                })?;
                if let Some(o) = def.attributes[a].options.iter().position(|o| {
                    o.properties
                        .get(property)
                        .and_then(|v| v.as_f64())
                        .is_none()
                }) {
                    return Err(err(
                        format!("attributes[{a}].options[{o}].properties"),
                        format!(
                            "the fit needs a number \"{property}\" on every option of \"{attr}\""
                        ),
                    ));
                }
            }
            let e = &fit.ease_cm;
            if [e.slim, e.regular, e.relaxed]
                .iter()
                .any(|x| !x.is_finite() || x.abs() > 50.0)
            {
                return Err(err(
                    "fit.ease_cm".into(),
                    "ease must be a number of cm between -50 and 50".into(),
                ));
            }
        }

        if let Some(ap) = &def.area_price {
            // A hidden variable whose value is the price of the chosen
            // width by height, tied to both by a table, so the diagram's
            // price bounds include it like any option's price.
            let numeric = |id: &str, field: &str| -> Result<(usize, Vec<f64>), ModelError> {
                let a = *attr_index.get(id).ok_or_else(|| {
                    err(
                        format!("area_price.{field}"),
                        format!("unknown attribute \"{id}\""),
                    )
                })?;
                if def.attributes[a].range.is_none() {
                    return Err(err(
                        format!("area_price.{field}"),
                        format!("\"{id}\" must be a numeric input (a range in cm)"),
                    ));
                }
                Ok((
                    a,
                    def.attributes[a]
                        .options
                        .iter()
                        .map(|o| parse_number(&o.id).unwrap_or(0.0))
                        .collect(),
                ))
            };
            let (wa, widths) = numeric(&ap.width, "width")?;
            let (ha, heights) = numeric(&ap.height, "height")?;
            if wa == ha {
                return Err(err(
                    "area_price.height".into(),
                    "width and height must be two attributes".into(),
                ));
            }
            if !(0..=100_000_000).contains(&ap.per_m2) {
                return Err(err(
                    "area_price.per_m2".into(),
                    "must be 0 to 100000000 minor units".into(),
                ));
            }
            if widths.len() * heights.len() > 250_000 {
                return Err(err(
                    "area_price".into(),
                    "width and height have over 250000 combinations; use a coarser step".into(),
                ));
            }
            let mut values: Vec<i64> = widths
                .iter()
                .flat_map(|&w| heights.iter().map(move |&h| ap.price(w, h)))
                .collect();
            values.sort_unstable();
            values.dedup();
            let tuples: Vec<Vec<u32>> = widths
                .iter()
                .enumerate()
                .flat_map(|(wi, &w)| {
                    heights
                        .iter()
                        .enumerate()
                        .map(move |(hi, &h)| (wi, hi, w, h))
                })
                .map(|(wi, hi, w, h)| {
                    vec![
                        wi as u32,
                        hi as u32,
                        values.binary_search(&ap.price(w, h)).unwrap_or(0) as u32,
                    ]
                })
                .collect();
            let hidden = problem.vars.len();
            problem.vars.push(Var {
                name: "area-price".into(),
                values: values.iter().map(|v| v.to_string()).collect(),
            });
            prices.push(values);
            problem.constraints.push(Constraint::Table {
                vars: vec![wa, ha, hidden],
                tuples,
                allowed: true,
            });
            constraint_rule.push(None);
        }

        let names = crate::visual::Names {
            attributes: &attr_index,
            texts: def.texts.iter().map(|t| t.id.clone()).collect(),
        };
        let cond = |c: &Condition, place: &str| {
            condition(c, place)
                .map(|_| ())
                .map_err(|e| (e.place, e.reason))
        };
        if let Some(visual) = &def.visual {
            crate::visual::check(visual, &names, &cond)
                .map_err(|(place, reason)| err(place, reason))?;
        }
        for (a, attr) in def.attributes.iter().enumerate() {
            for (o, opt) in attr.options.iter().enumerate() {
                if let Some(crate::visual::Swatch::Drawing(d)) = &opt.swatch {
                    let place = format!("attributes[{a}].options[{o}].swatch");
                    crate::visual::check_swatch(d, &place, &names, &cond)
                        .map_err(|(place, reason)| err(place, reason))?;
                }
            }
        }

        let forest = rules(&problem).map_err(|(place, reason)| err(place, reason))?;
        let mut model = Model {
            def,
            attr_index,
            option_index,
            problem,
            forest,
            prices,
            constraint_rule,
            fingerprint: String::new(),
        };
        model.fingerprint = model.compute_fingerprint();
        Ok(model)
    }

    /// The model as written in its file (numeric inputs with their options).
    pub fn def(&self) -> &ModelDef {
        &self.def
    }

    pub fn id(&self) -> &str {
        &self.def.id
    }

    pub fn version(&self) -> &str {
        &self.def.version
    }

    pub fn attributes(&self) -> &[AttributeDef] {
        &self.def.attributes
    }

    /// The index of attribute `id`.
    pub fn attribute(&self, id: &str) -> Option<usize> {
        self.attr_index.get(id).copied()
    }

    /// The index of option `id` of attribute `attr`.
    pub fn option(&self, attr: usize, id: &str) -> Option<usize> {
        self.option_index.get(attr)?.get(id).copied()
    }

    /// The steps of the user interface: the model's own, else one per
    /// attribute; attributes in no step come last, one step each.
    pub fn steps(&self) -> Vec<(Text, Vec<usize>)> {
        let mut steps: Vec<(Text, Vec<usize>)> = self
            .def
            .steps
            .iter()
            .map(|s| {
                (
                    s.label.clone(),
                    s.attributes
                        .iter()
                        .filter_map(|a| self.attribute(a))
                        .collect(),
                )
            })
            .collect();
        for (a, attr) in self.attributes().iter().enumerate() {
            if !steps.iter().any(|(_, attrs)| attrs.contains(&a)) {
                steps.push((attr.label.clone(), vec![a]));
            }
        }
        steps
    }

    /// The gauges of the rules that have a `meter`, read for `choices`.
    pub fn meters(&self, choices: &crate::Choices) -> Vec<Meter> {
        let unit = SCALE * SCALE;
        self.constraint_rule
            .iter()
            .enumerate()
            .filter_map(|(c, r)| Some((c, (*r)?)))
            .filter_map(|(c, r)| {
                let meter = self.def.rules[r].meter.as_ref()?;
                let Constraint::Linear { terms, max, .. } = &self.problem.constraints[c] else {
                    return None;
                };
                let (mut load, mut capacity) = if *max < 0 { (-*max, 0i64) } else { (0, *max) };
                let mut known = true;
                for (a, coefficients) in terms {
                    match choices.0.get(*a).copied().flatten() {
                        Some(o) => {
                            let v = coefficients[o];
                            if v >= 0 { load += v } else { capacity -= v }
                        }
                        None => known = false,
                    }
                }
                Some(Meter {
                    rule: r,
                    attributes: terms.iter().map(|(a, _)| *a).collect(),
                    label: meter.label.clone(),
                    unit: meter.unit.clone(),
                    load: load as f64 / unit,
                    capacity: capacity as f64 / unit,
                    known,
                })
            })
            .collect()
    }

    /// The internal problem (attributes first, then hidden surcharge variables).
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// Per variable of [`Model::problem`], per value: the price effect.
    pub fn prices(&self) -> &[Vec<i64>] {
        &self.prices
    }

    /// Size of the compiled solution space, in diagram nodes.
    pub fn diagram_nodes(&self) -> usize {
        self.forest.nodes()
    }
}

/// Every row followed by every value (a cartesian product step); `None`
/// past a million rows.
fn extend_rows(rows: Vec<Vec<u32>>, values: &[u32]) -> Option<Vec<Vec<u32>>> {
    if rows.len().saturating_mul(values.len()) > 1_000_000 {
        return None;
    }
    Some(
        rows.iter()
            .flat_map(|prefix| {
                values
                    .iter()
                    .map(move |&v| [prefix.as_slice(), &[v]].concat())
            })
            .collect(),
    )
}

/// A decimal scaled to an integer, if exact at three decimals.
fn scaled(x: f64) -> Option<i64> {
    let s = x * SCALE;
    let r = s.round();
    ((s - r).abs() < 1e-6 && r.abs() < 1e15).then_some(r as i64)
}

/// The options of a numeric input.
fn range_options(range: &RangeDef) -> Result<Vec<OptionDef>, String> {
    let RangeDef {
        min,
        max,
        step,
        unit,
    } = range;
    if !(min.is_finite() && max.is_finite() && step.is_finite()) || *step <= 0.0 || max < min {
        return Err(format!(
            "needs finite min <= max and step > 0, found min {min}, max {max}, step {step}"
        ));
    }
    let count = ((max - min) / step).round();
    if ((max - min) / step - count).abs() > 1e-9 || count >= 10_000.0 {
        return Err(format!(
            "({max} - {min}) must be a whole multiple of {step}, with fewer than 10,000 steps"
        ));
    }
    Ok((0..=count as u32)
        .map(|i| {
            let x = min + step * f64::from(i);
            let id = format_number(x);
            let label = match unit {
                Some(u) => format!("{id} {u}"),
                None => id.clone(),
            };
            // The number and its unit read the same in both languages.
            OptionDef {
                id,
                label: Text {
                    en: label.clone(),
                    zh: Some(label),
                },
                description: None,
                price: 0,
                properties: BTreeMap::from([("value".to_string(), serde_json::json!(x))]),
                swatch: None,
            }
        })
        .collect())
}

/// A decimal number as people and catalogues write it (`"81.5"`, `"-1"`,
/// `".5"`, `"2e3"`), read exactly as `str::parse::<f64>` reads it, or `None`.
/// Unlike `str::parse`, it refuses `inf`, `nan` and numbers that need more
/// than 2^53 as their digits (about 16 significant digits) or a power of ten
/// beyond 10^22 (after trailing zeros are dropped).
///
/// Written by hand, for size: `str::parse::<f64>` brings the standard
/// library's complete decimal reader into the shop's wasm, with its 10 KB
/// table of powers of five that does not compress. Within those bounds one
/// IEEE multiplication or division of two exact numbers gives the correctly
/// rounded result (Clinger's fast path), so the value is the same bit for
/// bit (`tests/numbers.rs` checks it against `str::parse`).
pub fn parse_number(s: &str) -> Option<f64> {
    let (negative, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let mut power: i64 = match exponent {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !all_digits(digits) {
                return None;
            }
            // Beyond any range that can be read exactly, however long.
            let value: i64 = digits.parse().unwrap_or(i64::MAX / 4).min(i64::MAX / 4);
            if e.starts_with('-') { -value } else { value }
        }
    };
    let fraction = fraction.trim_end_matches('0');
    power -= fraction.len() as i64;
    let mut value: u64 = 0;
    for b in whole.bytes().chain(fraction.bytes()).skip_while(|&b| b == b'0') {
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    // Trailing zeros of the whole part move into the power of ten.
    while value != 0 && value % 10 == 0 && power < 0 {
        value /= 10;
        power += 1;
    }
    if value > 1 << 53 {
        return None;
    }
    const POWERS: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let x = value as f64;
    let magnitude = if value == 0 {
        0.0
    } else if (0..=22).contains(&power) {
        x * POWERS[power as usize]
    } else if (-22..0).contains(&power) {
        x / POWERS[(-power) as usize]
    } else {
        return None;
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// A number as short as it can be written exactly at three decimals.
pub fn format_number(x: f64) -> String {
    let s = format!("{:.3}", (x * SCALE).round() / SCALE);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Option ids may also be numbers (`"81.5"`, `"-1"`).
fn check_option_id(id: &str) -> Result<(), String> {
    if parse_number(id).is_some() && id.len() <= 32 && !id.contains(['e', 'E', '+']) {
        return Ok(());
    }
    check_id(id)
}

/// Ids are short, URL-safe and stable: letters, digits, `-` and `_`.
fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > 64 {
        return Err(format!("id \"{id}\" must have 1 to 64 characters"));
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "id \"{id}\" may only hold ASCII letters, digits, '-' and '_'"
        ));
    }
    Ok(())
}

/// serde_json appends " at line L column C"; the place already says it.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}
