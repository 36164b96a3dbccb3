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
    /// The database cannot be reached now (a restart, a failover): nothing
    /// was stored, and the same request may be sent again shortly.
    Unavailable(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Database(e) => write!(f, "database error: {e}"),
            StoreError::Closed => write!(f, "the order store is closed"),
            StoreError::DuplicateId => write!(f, "an order with this id exists"),
            StoreError::Unavailable(e) => write!(f, "database unavailable: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<tokio_postgres::Error> for StoreError {
    /// An error PostgreSQL answered (a constraint, a bad statement) is a
    /// database error; a connection that failed or closed, or a server
    /// shutting down or not yet taking writes (a failover in progress), is
    /// unavailability.
    fn from(e: tokio_postgres::Error) -> Self {
        use tokio_postgres::error::SqlState;
        let transient = [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::READ_ONLY_SQL_TRANSACTION,
            SqlState::CONNECTION_FAILURE,
            SqlState::CONNECTION_EXCEPTION,
        ];
        match e.code() {
            None => StoreError::Unavailable(e.to_string()),
            Some(code) if transient.contains(code) => StoreError::Unavailable(e.to_string()),
            Some(_) => StoreError::Database(e.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    /// No connection could be had from the pool: the database is not
    /// reachable now.
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            other => StoreError::Unavailable(other.to_string()),
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::StoreError;

    /// A database that cannot be reached is unavailability (503, try again),
    /// not a failure of the request (500).
    #[tokio::test]
    async fn an_unreachable_database_is_unavailable() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let refused = tokio_postgres::connect(&format!("host=127.0.0.1 port={port} user=nobody connect_timeout=2"), tokio_postgres::NoTls).await.err().unwrap();
        assert!(matches!(StoreError::from(refused), StoreError::Unavailable(_)));
        let problem = crate::http::Problem::from(StoreError::Unavailable("gone".into()));
        assert_eq!((problem.status, problem.kind.as_str()), (503, "/problems/store-unavailable"));
        assert_eq!(problem.extra["retry_after"], 1);
        assert_eq!(crate::http::Problem::from(StoreError::Database("x".into())).status, 500);
    }
}
