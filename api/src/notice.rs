//! The privacy notice (`catalogue/privacy.json`): its purposes, with their
//! DPV term, legal basis, channels and scope, the member offer and the
//! optional profile questions, in both languages. Data, like the products:
//! changing a text or adding a purpose needs no Rust. The server reads and
//! checks it at start-up; `GET /api/privacy/notice` sends it to the page
//! that shows it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tailor_engine::Text;

/// The notice file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeFile {
    pub id: String,
    pub version: u32,
    /// When the notice last changed (a date, `YYYY-MM-DD`).
    pub updated: String,
    pub jurisdiction: String,
    /// Who is responsible for the data.
    pub controller: Text,
    pub purposes: Vec<Purpose>,
    #[serde(default)]
    pub offer: Option<Offer>,
    /// Optional questions for recommendations.
    #[serde(default)]
    pub questions: Vec<Question>,
    #[serde(default)]
    pub questions_note: Option<Text>,
    /// Words for the ids of data categories and recipients.
    #[serde(default)]
    pub words: BTreeMap<String, Text>,
}

/// Why data is used, and on what terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// Ids of data categories (named in `words`).
    pub data: Vec<String>,
    /// Ids of recipients (named in `words`).
    pub recipients: Vec<String>,
    /// An ISO 8601 duration, or `until-withdrawn`.
    pub retention: String,
    pub title: Text,
    pub text: Text,
}

/// The member offer: a discount for consenting to some purposes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    pub id: String,
    pub terms_version: u32,
    pub percent_off: u32,
    /// The purposes the offer asks for.
    pub purposes: Vec<String>,
    pub title: Text,
    pub terms: Text,
    /// What the discount is worth, in words.
    pub estimate: Text,
}

/// An optional profile question (`POST /api/me/answers`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub title: Text,
    pub options: Vec<QuestionOption>,
}

/// One answer to a question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionOption {
    pub id: String,
    pub label: Text,
}

/// `GET /api/privacy/notice`: the notice and the SHA-256 of its file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeAnswer {
    pub sha256: String,
    pub notice: NoticeFile,
}
