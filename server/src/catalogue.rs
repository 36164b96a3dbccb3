//! The product catalogue as the server knows it: the same files the browser
//! reads, loaded once at start-up.

use std::collections::HashMap;
use std::path::Path;

use tailor_engine::{CatalogueIndex, Model};

pub struct Catalogue {
    pub index: CatalogueIndex,
    /// The privacy notice (`privacy.json`).
    pub notice: crate::privacy::notice::Notice,
    models: HashMap<String, Model>,
    /// Prepared files named in the index that were not used (missing,
    /// damaged, stale or of another format version), each with the reason;
    /// those models' rules were compiled instead. Logged at start-up.
    pub refused: Vec<String>,
}

impl Catalogue {
    /// Loads `index.json` and every model it lists from `dir`. Any unreadable
    /// or invalid file is an error naming the file, the place and the reason.
    pub fn load(dir: &Path) -> Result<Catalogue, String> {
        let index_path = dir.join("index.json");
        let text = std::fs::read_to_string(&index_path)
            .map_err(|e| format!("{}: cannot read: {e}", index_path.display()))?;
        let index = CatalogueIndex::from_json(&index_path.display().to_string(), &text).map_err(|e| e.to_string())?;
        let mut models = HashMap::new();
        let mut refused = Vec::new();
        for entry in &index.products {
            let path = dir.join(&entry.file);
            let source = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{source}: cannot read: {e}"))?;
            let prepared = entry.prepared.as_ref().map(|name| dir.join(name));
            let (model, why) = match prepared.as_ref().map(|path| (path, std::fs::read(path))) {
                None => (Model::from_json(&source, &text).map_err(|e| e.to_string())?, None),
                Some((path, Err(e))) => (Model::from_json(&source, &text).map_err(|e| e.to_string())?, Some((path, format!("cannot read: {e}")))),
                Some((path, Ok(bytes))) => {
                    let (model, why) = Model::from_json_prepared(&source, &text, &bytes).map_err(|e| e.to_string())?;
                    (model, why.map(|w| (path, w.to_string())))
                }
            };
            if let Some((path, why)) = why {
                refused.push(format!("{}: not used, the rules were compiled instead: {why}", path.display()));
            }
            if model.id() != entry.id {
                return Err(format!(
                    "{source}: id: the model's id \"{}\" differs from \"{}\" in the index",
                    model.id(),
                    entry.id
                ));
            }
            models.insert(entry.id.clone(), model);
        }
        let notice_path = dir.join("privacy.json");
        let text = std::fs::read_to_string(&notice_path).map_err(|e| format!("{}: cannot read: {e}", notice_path.display()))?;
        let notice = crate::privacy::notice::Notice::from_json(&notice_path.display().to_string(), &text)?;
        Ok(Catalogue { index, notice, models, refused })
    }

    pub fn model(&self, product: &str) -> Option<&Model> {
        self.models.get(product)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of the shipped catalogue with each model's prepared file
    /// written beside it and named in the index, as the site build does;
    /// `damage` may then spoil some of them.
    fn prepared_copy(damage: impl Fn(&str, &Path)) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue");
        for entry in std::fs::read_dir(&shipped).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
        let index_path = dir.path().join("index.json");
        let mut index: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&index_path).unwrap()).unwrap();
        for p in index["products"].as_array_mut().unwrap() {
            let file = p["file"].as_str().unwrap();
            let model = Model::from_json(file, &std::fs::read_to_string(dir.path().join(file)).unwrap()).unwrap();
            let name = format!("{}-0123456789abcdef.prep", model.id());
            std::fs::write(dir.path().join(&name), model.to_prepared()).unwrap();
            p["prepared"] = serde_json::Value::String(name);
        }
        std::fs::write(&index_path, index.to_string()).unwrap();
        for p in index["products"].as_array().unwrap() {
            damage(p["id"].as_str().unwrap(), &dir.path().join(p["prepared"].as_str().unwrap()));
        }
        dir
    }

    #[test]
    fn prepared_files_are_loaded_and_bad_ones_refused_with_the_reason() {
        let good = prepared_copy(|_, _| {});
        let catalogue = Catalogue::load(good.path()).unwrap();
        assert_eq!(catalogue.refused, Vec::<String>::new());
        let plain = Catalogue::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue")).unwrap();
        for entry in &plain.index.products {
            let (a, b) = (catalogue.model(&entry.id).unwrap(), plain.model(&entry.id).unwrap());
            let defaults = tailor_engine::Choices::defaults(b);
            assert_eq!(a.evaluate(&defaults), b.evaluate(&defaults), "{}", entry.id);
            assert_eq!(a.count(&defaults), b.count(&defaults), "{}", entry.id);
        }

        let pc = std::fs::read(good.path().join("pc-0123456789abcdef.prep")).unwrap();
        let bad = prepared_copy(|id, path| match id {
            // One flipped byte past the header.
            "pc" => {
                let mut bytes = std::fs::read(path).unwrap();
                let at = bytes.len() / 2;
                bytes[at] ^= 0x40;
                std::fs::write(path, bytes).unwrap();
            }
            // Another model's file.
            "jeans" => std::fs::write(path, &pc).unwrap(),
            "window" => std::fs::remove_file(path).unwrap(),
            _ => {}
        });
        let catalogue = Catalogue::load(bad.path()).unwrap();
        let reasons = [("pc-", "checksum"), ("jeans-", "another version of the model"), ("window-", "cannot read")];
        assert_eq!(catalogue.refused.len(), reasons.len(), "{:#?}", catalogue.refused);
        for (file, why) in reasons {
            assert!(catalogue.refused.iter().any(|r| r.contains(file) && r.contains(why) && r.contains("compiled instead")), "{file}: {why} in {:#?}", catalogue.refused);
        }
        // Each refused model was compiled and answers like the shipped one.
        for id in ["pc", "jeans", "window"] {
            let (a, b) = (catalogue.model(id).unwrap(), plain.model(id).unwrap());
            let defaults = tailor_engine::Choices::defaults(b);
            assert_eq!(a.evaluate(&defaults), b.evaluate(&defaults), "{id}");
        }
    }
}
