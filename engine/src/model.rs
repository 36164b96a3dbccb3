//! The product-model file format and its validation.
//!
//! A model is a JSON document (see `docs/model-format.md`): a product with
//! attributes, each a finite list of options with a price effect, and rules
//! between options. [`Model::from_json`] reads and checks it; every error names
//! the file, the place in it and the reason.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

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
}

/// A question the customer answers by picking exactly one option.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeDef {
    pub id: String,
    pub label: Text,
    pub options: Vec<OptionDef>,
    /// The option preselected for a new configuration, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// What a rule says about the options it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// When the `if` side holds, the `then` side must hold.
    Requires,
    /// The `if` side and the `then` side never hold together.
    Excludes,
}

/// `attribute is one of options`, as written in a rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub attribute: String,
    pub options: Vec<String>,
}

/// A compatibility rule between two attributes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    pub kind: RuleKind,
    #[serde(rename = "if")]
    pub when: Condition,
    pub then: Condition,
    /// Why the rule exists, in words the customer understands.
    pub message: Text,
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

/// A rule compiled to option indices: `when` and `then` are bit masks over the
/// options of their attributes.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub kind: RuleKind,
    pub when_attr: usize,
    pub when_mask: Vec<bool>,
    pub then_attr: usize,
    pub then_mask: Vec<bool>,
}

impl Rule {
    /// Whether the pair of options (for `when_attr`, `then_attr`) obeys the rule.
    pub fn allows(&self, when_opt: usize, then_opt: usize) -> bool {
        let when = self.when_mask[when_opt];
        let then = self.then_mask[then_opt];
        match self.kind {
            RuleKind::Requires => !when || then,
            RuleKind::Excludes => !(when && then),
        }
    }
}

/// A checked, ready-to-use product model.
#[derive(Clone, Debug)]
pub struct Model {
    def: ModelDef,
    pub(crate) rules: Vec<Rule>,
    attr_index: HashMap<String, usize>,
    option_index: Vec<HashMap<String, usize>>,
}

impl Model {
    /// Reads and checks a model. `source` names the file in error messages.
    pub fn from_json(source: &str, text: &str) -> Result<Model, ModelError> {
        let err = |place: String, reason: String| ModelError {
            source: source.to_string(),
            place,
            reason,
        };
        let def: ModelDef = serde_json::from_str(text).map_err(|e| {
            err(
                format!("line {}, column {}", e.line(), e.column()),
                strip_position(&e.to_string()),
            )
        })?;
        Model::from_def(source, def)
    }

    /// Checks a model already parsed. `source` names it in error messages.
    pub fn from_def(source: &str, def: ModelDef) -> Result<Model, ModelError> {
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
            return Err(err("attributes".into(), "a model needs at least one attribute".into()));
        }
        let mut attr_index = HashMap::new();
        let mut option_index = Vec::new();
        for (a, attr) in def.attributes.iter().enumerate() {
            let place = format!("attributes[{a}]");
            check_id(&attr.id).map_err(|r| err(format!("{place}.id"), r))?;
            if attr_index.insert(attr.id.clone(), a).is_some() {
                return Err(err(format!("{place}.id"), format!("duplicate attribute id \"{}\"", attr.id)));
            }
            if attr.options.is_empty() {
                return Err(err(format!("{place}.options"), "an attribute needs at least one option".into()));
            }
            let mut opts = HashMap::new();
            for (o, opt) in attr.options.iter().enumerate() {
                check_id(&opt.id).map_err(|r| err(format!("{place}.options[{o}].id"), r))?;
                if opts.insert(opt.id.clone(), o).is_some() {
                    return Err(err(
                        format!("{place}.options[{o}].id"),
                        format!("duplicate option id \"{}\" in attribute \"{}\"", opt.id, attr.id),
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
        let mut rules = Vec::new();
        let mut rule_ids = HashMap::new();
        for (r, rule) in def.rules.iter().enumerate() {
            let place = format!("rules[{r}]");
            check_id(&rule.id).map_err(|e| err(format!("{place}.id"), e))?;
            if rule_ids.insert(rule.id.clone(), r).is_some() {
                return Err(err(format!("{place}.id"), format!("duplicate rule id \"{}\"", rule.id)));
            }
            let side = |cond: &Condition, name: &str| -> Result<(usize, Vec<bool>), ModelError> {
                let a = *attr_index.get(&cond.attribute).ok_or_else(|| {
                    err(
                        format!("{place}.{name}.attribute"),
                        format!("unknown attribute \"{}\"", cond.attribute),
                    )
                })?;
                if cond.options.is_empty() {
                    return Err(err(format!("{place}.{name}.options"), "must name at least one option".into()));
                }
                let mut mask = vec![false; def.attributes[a].options.len()];
                for (i, o) in cond.options.iter().enumerate() {
                    let idx = option_index[a].get(o).ok_or_else(|| {
                        err(
                            format!("{place}.{name}.options[{i}]"),
                            format!("\"{o}\" is not an option of attribute \"{}\"", cond.attribute),
                        )
                    })?;
                    mask[*idx] = true;
                }
                Ok((a, mask))
            };
            let (when_attr, when_mask) = side(&rule.when, "if")?;
            let (then_attr, then_mask) = side(&rule.then, "then")?;
            if when_attr == then_attr {
                return Err(err(
                    format!("{place}.then.attribute"),
                    "a rule must link two different attributes".into(),
                ));
            }
            rules.push(Rule { kind: rule.kind, when_attr, when_mask, then_attr, then_mask });
        }
        Ok(Model { def, rules, attr_index, option_index })
    }

    /// The model as written in its file.
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
}

/// Ids are short, URL-safe and stable: letters, digits, `-` and `_`.
fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > 64 {
        return Err(format!("id \"{id}\" must have 1 to 64 characters"));
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(format!("id \"{id}\" may only hold ASCII letters, digits, '-' and '_'"));
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
