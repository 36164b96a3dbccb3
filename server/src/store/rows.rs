//! What the store reads and writes, and how it fails: shared by the SQLite
//! and PostgreSQL backends and the common SQL face.

/// An order as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRow {
    pub id: String,
    pub token_sha256: String,
    pub product: String,
    pub catalogue_version: String,
    pub choices_json: String,
    pub currency: String,
    pub total_minor: i64,
    pub status: String,
    pub created_at: String,
    pub code: String,
    pub texts_json: String,
    /// Personal data: never logged.
    pub contact_json: String,
    pub shipping_json: String,
    pub locale: String,
    pub channel: String,
    pub partner_id: Option<String>,
}

#[derive(Debug)]
pub enum StoreError {
    /// The database could not be opened, migrated, read or written.
    Database(String),
    /// The writer thread is gone (the server is shutting down).
    Closed,
    /// Another order already has this id (draw a new one).
    DuplicateId,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Database(e) => write!(f, "database error: {e}"),
            StoreError::Closed => write!(f, "the order store is closed"),
            StoreError::DuplicateId => write!(f, "an order with this id exists"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

/// The client's idempotency key for a new order and the digest of the
/// request body it came with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idempotency {
    pub key: String,
    pub request_sha256: String,
}

/// What storing an order did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// The order is new and now committed.
    Created,
    /// The key was used before: this is the order it created then, and the
    /// digest of that request's body.
    Existing { order: OrderRow, request_sha256: String },
}

/// A staff member's key, as stored (without the key itself).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StaffKey {
    pub id: String,
    pub name: String,
    pub role: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// What a status change found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusChange {
    Changed,
    NotFound,
    /// The order's status is not one of those the change starts from.
    Conflict { current: String },
}
