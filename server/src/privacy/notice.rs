//! The privacy notice (`catalogue/privacy.json`): its purposes, with their
//! DPV term, legal basis, channels and scope, and the member offer. Data,
//! like the products: changing a text or adding a purpose needs no Rust.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Purpose {
    pub id: String,
    /// The W3C Data Privacy Vocabulary term.
    pub dpv: String,
    pub legal_basis: String,
    pub optional: bool,
    /// The notice version in which this purpose last widened: a consent
    /// given under an older version covers only the old scope, so it is
    /// asked again.
    pub scope_version: u32,
    /// Channels with their own switch (marketing); none means one switch.
    #[serde(default)]
    pub channels: Vec<String>,
    /// Global Privacy Control opts out of this purpose (sale or sharing).
    #[serde(default)]
    pub gpc: bool,
    pub data: Vec<String>,
    pub recipients: Vec<String>,
    pub retention: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Offer {
    pub id: String,
    pub terms_version: u32,
    pub percent_off: u32,
    /// The purposes the offer asks for.
    pub purposes: Vec<String>,
    pub estimate: serde_json::Value,
}

#[derive(Deserialize)]
struct NoticeFile {
    id: String,
    version: u32,
    jurisdiction: String,
    purposes: Vec<Purpose>,
    offer: Option<Offer>,
}

pub struct Notice {
    pub id: String,
    pub version: u32,
    pub jurisdiction: String,
    pub purposes: Vec<Purpose>,
    pub offer: Option<Offer>,
    /// SHA-256 of the file's bytes: every text shown, in both languages.
    pub sha256: String,
    /// The file as loaded, served to the page that shows it.
    pub json: serde_json::Value,
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
        Ok(Notice {
            id: file.id,
            version: file.version,
            jurisdiction: file.jurisdiction,
            purposes: file.purposes,
            offer: file.offer,
            sha256: crate::secrets::sha256_hex(text.as_bytes()),
            json,
        })
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
