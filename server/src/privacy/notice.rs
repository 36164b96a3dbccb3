//! The privacy notice (`catalogue/privacy.json`): its purposes, with their
//! DPV term, legal basis, channels and scope, and the member offer. Data,
//! like the products: changing a text or adding a purpose needs no Rust.
//! The file's types are `tailor_api::notice`, shared with the page that
//! shows it; here it is read and checked once, at start-up.

use std::ops::Deref;

pub use tailor_api::{NoticeFile, Purpose};

/// The notice file, checked, with its digest and the JSON served as loaded.
/// Reads as the file (`notice.version`, `notice.purposes`, ...).
pub struct Notice {
    file: NoticeFile,
    /// SHA-256 of the file's bytes: every text shown, in both languages.
    pub sha256: String,
    /// The file as loaded, served to the page that shows it.
    pub json: serde_json::Value,
}

impl Deref for Notice {
    type Target = NoticeFile;

    fn deref(&self) -> &NoticeFile {
        &self.file
    }
}

impl Notice {
    /// Reads and checks the notice; errors name the file and the problem.
    pub fn from_json(source: &str, text: &str) -> Result<Notice, String> {
        let file: NoticeFile = serde_json::from_str(text).map_err(|e| format!("{source}: {e}"))?;
        let json: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("{source}: {e}"))?;
        let mut seen = std::collections::HashSet::new();
        for p in &file.purposes {
            if !seen.insert(p.id.as_str()) {
                return Err(format!("{source}: purposes: \"{}\" is listed twice", p.id));
            }
            if p.scope_version == 0 || p.scope_version > file.version {
                return Err(format!("{source}: purposes: \"{}\": scope_version must be 1 to the notice version {}", p.id, file.version));
            }
            if !p.optional && (!p.channels.is_empty() || p.gpc) {
                return Err(format!("{source}: purposes: \"{}\": a required purpose has no switches", p.id));
            }
        }
        if let Some(offer) = &file.offer {
            for id in &offer.purposes {
                if !file.purposes.iter().any(|p| &p.id == id && p.optional && p.channels.is_empty()) {
                    return Err(format!("{source}: offer: \"{id}\" is not an optional single-switch purpose of this notice"));
                }
            }
        }
        Ok(Notice { file, sha256: crate::secrets::sha256_hex(text.as_bytes()), json })
    }

    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.id == id)
    }

    /// Every switch: (purpose, channel) with "" for a purpose without channels.
    pub fn switches(&self) -> Vec<(&Purpose, &str)> {
        let mut out = Vec::new();
        for p in self.purposes.iter().filter(|p| p.optional) {
            if p.channels.is_empty() {
                out.push((p, ""));
            } else {
                out.extend(p.channels.iter().map(|c| (p, c.as_str())));
            }
        }
        out
    }
}
