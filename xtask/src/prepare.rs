//! The site build's prepared models: each catalogue model's rules compiled
//! once, at build time, into the engine's prepared file
//! (`tailor_engine::prepared`), so that neither the browser nor the server
//! compiles them. The file is named by its content (`ID-<16 hex>.prep`, so
//! it is cached for good and precompressed like Trunk's assets) and named in
//! the built `index.json` as the product's `prepared`. The model file itself
//! is copied the same way, without the whitespace between its tokens
//! (`ID-<16 hex>.json`, the product's `file` in the built index; the file
//! as written stays beside it): a first visit fetches it before the app
//! draws, and cached for good and in brotli 11 it is 9 KB where it was 11
//! KB of gzip made per request.

use std::fs;
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::Result;

/// Writes the prepared file of every product in `dir/index.json` beside it
/// and names it in the index. Returns the names written.
pub fn prepare(dir: &Path) -> Result<Vec<String>> {
    let mut written = Vec::new();
    crate::shell::each_model(dir, |p, model, text| {
        let bytes = model.to_prepared();
        let name = hashed_name(model.id(), &bytes, "prep");
        fs::write(dir.join(&name), &bytes)?;
        p["prepared"] = Value::String(name.clone());
        written.push(name);
        let compact = without_whitespace(text);
        let name = hashed_name(model.id(), compact.as_bytes(), "json");
        fs::write(dir.join(&name), &compact)?;
        p["file"] = Value::String(name.clone());
        written.push(name);
        Ok(())
    })?;
    Ok(written)
}

/// `id-<first 16 hex digits of the SHA-256 of bytes>.ext`: the shape of
/// Trunk's hashed names, which the server caches as immutable.
pub fn hashed_name(id: &str, bytes: &[u8], ext: &str) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{id}-{hex}.{ext}")
}

/// JSON text without the whitespace between its tokens. By hand rather than
/// through `serde_json::Value`, which would sort the keys and could write a
/// number differently: only whitespace outside strings goes, every other
/// byte stays as written.
fn without_whitespace(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_product_gets_a_prepared_file_that_loads() {
        let dir = crate::shell::shipped_catalogue_copy("prepare");
        let as_written = tailor_engine::CatalogueIndex::from_json("index.json", &fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
        let written = prepare(&dir).unwrap();
        let text = fs::read_to_string(dir.join("index.json")).unwrap();
        let index = tailor_engine::CatalogueIndex::from_json("index.json", &text).unwrap();
        assert_eq!(written.len(), 2 * index.products.len());
        for (entry, original) in index.products.iter().zip(&as_written.products) {
            // The model file without whitespace, named by its content: the
            // same JSON as the file as written, which stays.
            let compact = fs::read_to_string(dir.join(&entry.file)).unwrap();
            assert_eq!(hashed_name(&entry.id, compact.as_bytes(), "json"), entry.file, "named by its content");
            assert!(compact.len() < fs::metadata(dir.join(&original.file)).unwrap().len() as usize, "{}", entry.file);
            let original: Value = serde_json::from_str(&fs::read_to_string(dir.join(&original.file)).unwrap()).unwrap();
            assert_eq!(serde_json::from_str::<Value>(&compact).unwrap(), original, "{}", entry.file);
        }
        for entry in &index.products {
            let name = entry.prepared.as_deref().unwrap_or_else(|| panic!("{}: no prepared file named", entry.id));
            assert!(name.starts_with(&format!("{}-", entry.id)) && name.ends_with(".prep"), "{name}");
            let bytes = fs::read(dir.join(name)).unwrap();
            assert_eq!(hashed_name(&entry.id, &bytes, "prep"), name, "named by its content");
            let json = fs::read_to_string(dir.join(&entry.file)).unwrap();
            let (model, refused) = tailor_engine::Model::from_json_prepared(&entry.file, &json, &bytes).unwrap();
            assert_eq!(refused, None, "{name} was refused");
            assert_eq!(model.id(), entry.id);
        }
        // Different contents, different names.
        assert_ne!(hashed_name("x", b"a", "prep"), hashed_name("x", b"b", "prep"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_whitespace_between_tokens_goes() {
        let json = "{\n  \"a b\": [1, 2.50, -3e2],\t\"q\\\" x\": \"\\\\ \",\r\n  \"e\": { }\n}\n";
        assert_eq!(without_whitespace(json), "{\"a b\":[1,2.50,-3e2],\"q\\\" x\":\"\\\\ \",\"e\":{}}");
        assert_eq!(without_whitespace("\"中 文\" "), "\"中 文\"");
    }
}
