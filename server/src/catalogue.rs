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
        for entry in &index.products {
            let path = dir.join(&entry.file);
            let source = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{source}: cannot read: {e}"))?;
            let model = Model::from_json(&source, &text).map_err(|e| e.to_string())?;
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
        Ok(Catalogue { index, notice, models })
    }

    pub fn model(&self, product: &str) -> Option<&Model> {
        self.models.get(product)
    }
}
