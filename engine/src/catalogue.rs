//! The catalogue index: which products exist and which model file holds each.

use serde::{Deserialize, Serialize};

use crate::model::{ModelError, Text};

/// `catalogue/index.json`: the list the portal's first page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueIndex {
    pub products: Vec<CatalogueEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    /// The product id; equals the `id` of the model in `file`.
    pub id: String,
    /// The model file, relative to the index.
    pub file: String,
    pub name: Text,
    pub summary: Text,
    /// The picture of the product's default configuration, relative to the
    /// index; written by the site build for products with a visual (not in
    /// the authored index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// The model's prepared file (its compiled rules, named by content hash;
    /// see [`crate::prepared`]), relative to the index; written by the site
    /// build (not in the authored index). Readers load it instead of
    /// compiling the rules, and compile when it is absent or refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepared: Option<String>,
}

impl CatalogueIndex {
    /// Reads an index; `source` names the file in error messages.
    pub fn from_json(source: &str, text: &str) -> Result<CatalogueIndex, ModelError> {
        let index: CatalogueIndex = serde_json::from_str(text).map_err(|e| ModelError {
            source: source.to_string(),
            place: format!("line {}, column {}", e.line(), e.column()),
            reason: e.to_string(),
        })?;
        for (i, p) in index.products.iter().enumerate() {
            let bad = p.file.is_empty()
                || p.file.starts_with('/')
                || p.file.split('/').any(|part| part == ".." || part.is_empty())
                || !p.file.ends_with(".json");
            if bad {
                return Err(ModelError {
                    source: source.to_string(),
                    place: format!("products[{i}].file"),
                    reason: format!("\"{}\" must be a relative path to a .json file inside the catalogue", p.file),
                });
            }
            if let Some(prepared) = &p.prepared
                && !is_plain_name(prepared, ".prep")
            {
                return Err(ModelError {
                    source: source.to_string(),
                    place: format!("products[{i}].prepared"),
                    reason: format!("\"{prepared}\" must be the name of a .prep file beside the index"),
                });
            }
        }
        Ok(index)
    }

    pub fn product(&self, id: &str) -> Option<&CatalogueEntry> {
        self.products.iter().find(|p| p.id == id)
    }
}

/// A file name without folders (so it stays inside the catalogue) ending in
/// `ext`.
fn is_plain_name(name: &str, ext: &str) -> bool {
    name.len() > ext.len()
        && name.ends_with(ext)
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && !name.starts_with('.')
}
