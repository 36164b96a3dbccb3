//! The site build's prepared models: each catalogue model's rules compiled
//! once, at build time, into the engine's prepared file
//! (`tailor_engine::prepared`), so that neither the browser nor the server
//! compiles them. The file is named by its content (`ID-<16 hex>.prep`, so
//! it is cached for good and precompressed like Trunk's assets) and named in
//! the built `index.json` as the product's `prepared`.

use std::fs;
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::Result;

/// Writes the prepared file of every product in `dir/index.json` beside it
/// and names it in the index. Returns the names written.
pub fn prepare(dir: &Path) -> Result<Vec<String>> {
    let mut written = Vec::new();
    crate::shell::each_model(dir, |p, model| {
        let bytes = model.to_prepared();
        let name = hashed_name(model.id(), &bytes);
        fs::write(dir.join(&name), &bytes)?;
        p["prepared"] = Value::String(name.clone());
        written.push(name);
        Ok(())
    })?;
    Ok(written)
}

/// `id-<first 16 hex digits of the SHA-256 of bytes>.prep`: the shape of
/// Trunk's hashed names, which the server caches as immutable.
fn hashed_name(id: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{id}-{hex}.prep")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_product_gets_a_prepared_file_that_loads() {
        let dir = crate::shell::shipped_catalogue_copy("prepare");
        let written = prepare(&dir).unwrap();
        let text = fs::read_to_string(dir.join("index.json")).unwrap();
        let index = tailor_engine::CatalogueIndex::from_json("index.json", &text).unwrap();
        assert_eq!(written.len(), index.products.len());
        for entry in &index.products {
            let name = entry.prepared.as_deref().unwrap_or_else(|| panic!("{}: no prepared file named", entry.id));
            assert!(name.starts_with(&format!("{}-", entry.id)) && name.ends_with(".prep"), "{name}");
            let bytes = fs::read(dir.join(name)).unwrap();
            assert_eq!(hashed_name(&entry.id, &bytes), name, "named by its content");
            let json = fs::read_to_string(dir.join(&entry.file)).unwrap();
            let (model, refused) = tailor_engine::Model::from_json_prepared(&entry.file, &json, &bytes).unwrap();
            assert_eq!(refused, None, "{name} was refused");
            assert_eq!(model.id(), entry.id);
        }
        // Different contents, different names.
        assert_ne!(hashed_name("x", b"a"), hashed_name("x", b"b"));
        fs::remove_dir_all(&dir).unwrap();
    }
}
