//! Free-text inputs (a monogram): checked by the engine, so the browser and
//! the server refuse the same things with the same words.

use std::collections::BTreeMap;
use std::fmt;

use crate::config::Choices;
use crate::model::Model;

/// Why a text was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextError {
    /// Required now (its condition holds) but empty.
    Missing { text: String },
    /// Given although its condition does not hold (say, a monogram text
    /// without the monogram option).
    NotWanted { text: String },
    TooLong { text: String, max: usize, found: usize },
    /// A character that cannot be stitched (controls, emoji, ...).
    BadCharacter { text: String, character: char },
    Unknown { text: String },
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Missing { text } => write!(f, "\"{text}\" is required"),
            TextError::NotWanted { text } => write!(f, "\"{text}\" is not part of this configuration"),
            TextError::TooLong { text, max, found } => write!(f, "\"{text}\" may have at most {max} characters, not {found}"),
            TextError::BadCharacter { text, character } => write!(f, "\"{text}\" cannot contain \"{character}\""),
            TextError::Unknown { text } => write!(f, "unknown text field \"{text}\""),
        }
    }
}

impl std::error::Error for TextError {}

/// Letters (any script), digits, spaces and `. & ' -` can be stitched.
fn stitchable(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, ' ' | '.' | '&' | '\'' | '-')
}

impl Model {
    /// Whether text `id` is wanted under `choices` (its condition holds).
    pub fn text_wanted(&self, id: &str, choices: &Choices) -> bool {
        let Some(def) = self.def().texts.iter().find(|t| t.id == id) else { return false };
        def.when.as_ref().is_none_or(|c| {
            self.attribute(&c.attribute)
                .and_then(|a| choices.0[a].map(|o| c.options.iter().any(|id| self.option(a, id) == Some(o))))
                .unwrap_or(false)
        })
    }

    /// Checks every text against the choices; returns them trimmed, or
    /// every problem found.
    pub fn check_texts(&self, choices: &Choices, texts: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, Vec<TextError>> {
        let mut errors = Vec::new();
        let mut out = BTreeMap::new();
        for id in texts.keys().filter(|k| !self.def().texts.iter().any(|t| &t.id == *k)) {
            errors.push(TextError::Unknown { text: id.clone() });
        }
        for def in &self.def().texts {
            let value = texts.get(&def.id).map(|s| s.trim()).unwrap_or("");
            let wanted = self.text_wanted(&def.id, choices);
            if !wanted {
                if !value.is_empty() {
                    errors.push(TextError::NotWanted { text: def.id.clone() });
                }
                continue;
            }
            if value.is_empty() {
                errors.push(TextError::Missing { text: def.id.clone() });
                continue;
            }
            let found = value.chars().count();
            if found > def.max_length {
                errors.push(TextError::TooLong { text: def.id.clone(), max: def.max_length, found });
            }
            if let Some(character) = value.chars().find(|&c| !stitchable(c)) {
                errors.push(TextError::BadCharacter { text: def.id.clone(), character });
            }
            out.insert(def.id.clone(), value.to_string());
        }
        if errors.is_empty() { Ok(out) } else { Err(errors) }
    }
}
