//! Order storage. SQLite by default (below); PostgreSQL for a `postgres://`
//! URL (`pg.rs`), with the same operations and answers.
//!
//! SQLite (WAL, `synchronous=FULL`) owned by one writer thread. Requests wait
//! in a channel; the thread takes every request waiting at that moment and
//! commits them in one transaction (group commit), then answers each. An order
//! is acknowledged only after its transaction is durably committed.
//!
//! Idempotency keys are an append-only log on disk; the writer finds a key
//! through a map in memory (a 128-bit digest of the key to its log row),
//! loaded from the log before the first order. A random-keyed index on disk
//! cost a page write per new order. The map is only right while one process
//! writes orders to the file, so the writer holds a lock file for that
//! (`<db>.orders-lock`); other processes (say, `tailor-server staff add`)
//! may still open the database for everything else.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::oneshot;

/// The most requests committed in one transaction.
const MAX_GROUP: usize = 256;

enum Request {
    Insert(OrderRow, Idempotency, oneshot::Sender<Result<Inserted, StoreError>>),
    Get(String, oneshot::Sender<Result<Option<OrderRow>, StoreError>>),
    ByKey(String, oneshot::Sender<Result<Option<(OrderRow, String)>, StoreError>>),
    PrepareOrders(oneshot::Sender<Result<(), StoreError>>),
    /// Any other work on the SQLite connection (the privacy tables).
    Run(Box<dyn FnOnce(&mut Connection) + Send>),
}

mod migrations;
mod pg;
mod rows;
pub(crate) mod shared;

use shared::ORDER_COLUMNS;
pub mod sql;

pub use rows::{Idempotency, Inserted, OrderRow, StaffKey, StatusChange, StoreError};
pub use shared::order_row as sql_order_row;

/// Where the server keeps its data unless told otherwise.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/tailor.db";

/// A handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    token_secret: std::sync::Arc<[u8; 32]>,
}

#[derive(Clone)]
enum Backend {
    /// Requests to the SQLite writer thread.
    Sqlite(mpsc::Sender<Request>),
    Postgres(pg::Pg),
}

/// Where the data lives, parsed from a database URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL, as given.
    Postgres(String),
}

impl DatabaseUrl {
    /// `sqlite://relative/path.db`, `sqlite:///absolute/path.db` or
    /// `sqlite::memory:`-less plain paths ending in `.db`.
    pub fn parse(url: &str) -> Result<DatabaseUrl, String> {
        if let Some(rest) = url.strip_prefix("sqlite://") {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(format!("database URL \"{url}\" names no file"));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            url.parse::<tokio_postgres::Config>().map_err(|e| format!("database URL \"{url}\": {e}"))?;
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        Err(format!("unsupported database URL \"{url}\": expected sqlite://PATH or postgres://USER@HOST/DB"))
    }
}

impl Store {
    /// Opens and migrates the store: SQLite (creating file and folder when
    /// missing, then starting its writer thread) or PostgreSQL.
    pub async fn connect(url: &DatabaseUrl) -> Result<Store, StoreError> {
        match url {
            DatabaseUrl::Sqlite(_) => Store::open(url),
            DatabaseUrl::Postgres(u) => {
                let (pg, secret) = pg::Pg::connect(u).await?;
                Ok(Store { backend: Backend::Postgres(pg), token_secret: std::sync::Arc::new(secret) })
            }
        }
    }

    /// Opens a SQLite store (see [`Store::connect`] for both kinds).
    pub fn open(url: &DatabaseUrl) -> Result<Store, StoreError> {
        let DatabaseUrl::Sqlite(path) = url else {
            return Err(StoreError::Database("Store::open takes a sqlite:// URL; use Store::connect".into()));
        };
        let conn = open_sqlite(path)?;
        let token_secret = std::sync::Arc::new(secret(&conn, "order-token")?);
        let (tx, rx) = mpsc::channel();
        let lock_path = lock_path(path);
        thread::Builder::new()
            .name("order-store".into())
            .spawn(move || writer(conn, lock_path, rx))
            .map_err(|e| StoreError::Database(e.to_string()))?;
        Ok(Store { backend: Backend::Sqlite(tx), token_secret })
    }

    /// Makes the store ready to take orders now rather than at the first
    /// one: for SQLite, takes the file's order lock and loads the
    /// idempotency keys, failing when another process holds the lock.
    pub async fn prepare_orders(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(tx) => ask(tx, Request::PrepareOrders).await,
            Backend::Postgres(_) => Ok(()),
        }
    }

    /// Runs `work` in one transaction on either backend (the profile and
    /// consent tables, written once against [`sql::Db`]); commits when it
    /// answers `Ok`, rolls back when it answers `Err`. On SQLite it runs in
    /// the writer thread, between order groups.
    pub async fn transaction<T: Send + 'static, E: Send + 'static>(
        &self,
        work: impl FnOnce(&mut dyn sql::Db) -> Result<T, E> + Send + 'static,
    ) -> Result<Result<T, E>, StoreError> {
        match &self.backend {
            Backend::Sqlite(tx) => {
                let (reply, rx) = oneshot::channel();
                tx.send(Request::Run(Box::new(move |conn| {
                    let outcome = (|| {
                        let tx = conn.transaction()?;
                        let out = work(&mut sql::SqliteDb(&tx));
                        if out.is_ok() {
                            tx.commit()?;
                        }
                        Ok(out)
                    })();
                    let _ = reply.send(outcome);
                })))
                .map_err(|_| StoreError::Closed)?;
                rx.await.map_err(|_| StoreError::Closed)?
            }
            Backend::Postgres(pg) => pg.transaction(work).await,
        }
    }

    /// The secret order access tokens are derived from.
    pub fn token_secret(&self) -> &[u8; 32] {
        &self.token_secret
    }

    /// Stores a new order under its idempotency key, or finds the order the
    /// key made before; returns once the answer is durably committed.
    pub async fn insert(&self, row: OrderRow, key: Idempotency) -> Result<Inserted, StoreError> {
        match &self.backend {
            Backend::Sqlite(tx) => ask(tx, |reply| Request::Insert(row, key, reply)).await,
            Backend::Postgres(pg) => pg.insert(row, key).await,
        }
    }

    /// Orders with `status`, oldest first, with ids after `after` (for paging).
    pub async fn list(&self, status: &str, after: &str, limit: usize) -> Result<Vec<OrderRow>, StoreError> {
        let (status, after) = (status.to_string(), after.to_string());
        self.transaction(move |db| shared::list(db, &status, &after, limit)).await?
    }

    /// Moves order `id` to `to` if its status is one of `from`.
    pub async fn set_status(&self, id: &str, from: &[&str], to: &str) -> Result<StatusChange, StoreError> {
        let (id, to) = (id.to_string(), to.to_string());
        let from: Vec<String> = from.iter().map(|s| s.to_string()).collect();
        self.transaction(move |db| shared::set_status(db, &id, &from.iter().map(String::as_str).collect::<Vec<_>>(), &to)).await?
    }

    /// The staff key whose digest is `key_sha256`, unless revoked.
    pub async fn staff_by_digest(&self, key_sha256: &str) -> Result<Option<StaffKey>, StoreError> {
        let digest = key_sha256.to_string();
        self.transaction(move |db| shared::staff_by_digest(db, &digest)).await?
    }

    pub async fn add_staff(&self, key: StaffKey, key_sha256: &str) -> Result<(), StoreError> {
        let digest = key_sha256.to_string();
        self.transaction(move |db| shared::add_staff(db, &key, &digest)).await?
    }

    pub async fn list_staff(&self) -> Result<Vec<StaffKey>, StoreError> {
        self.transaction(shared::list_staff).await?
    }

    /// Revokes key `id` at `when`; false when there is no such active key.
    pub async fn revoke_staff(&self, id: &str, when: &str) -> Result<bool, StoreError> {
        let (id, when) = (id.to_string(), when.to_string());
        self.transaction(move |db| shared::revoke_staff(db, &id, &when)).await?
    }

    /// The order an idempotency key made, with its request digest.
    pub async fn by_key(&self, key: &str) -> Result<Option<(OrderRow, String)>, StoreError> {
        match &self.backend {
            Backend::Sqlite(tx) => ask(tx, |reply| Request::ByKey(key.to_string(), reply)).await,
            Backend::Postgres(pg) => pg.by_key(key).await,
        }
    }

    pub async fn get(&self, id: &str) -> Result<Option<OrderRow>, StoreError> {
        match &self.backend {
            Backend::Sqlite(tx) => ask(tx, |reply| Request::Get(id.to_string(), reply)).await,
            Backend::Postgres(pg) => pg.get(id).await,
        }
    }
}

/// Sends a request to the SQLite writer thread and waits for its answer.
async fn ask<T>(tx: &mpsc::Sender<Request>, make: impl FnOnce(oneshot::Sender<Result<T, StoreError>>) -> Request) -> Result<T, StoreError> {
    let (reply, rx) = oneshot::channel();
    tx.send(make(reply)).map_err(|_| StoreError::Closed)?;
    rx.await.map_err(|_| StoreError::Closed)?
}

fn open_sqlite(path: &Path) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Database(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut conn = Connection::open(path)
        .map_err(|e| StoreError::Database(format!("cannot open {}: {e}", path.display())))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted and overwritten content is zeroed, so erased personal data
    // does not linger in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// The named secret, made (32 random bytes) the first time it is asked for.
fn secret(conn: &Connection, name: &str) -> Result<[u8; 32], StoreError> {
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh).map_err(|e| StoreError::Database(format!("no randomness: {e}")))?;
    conn.execute("INSERT OR IGNORE INTO server_secrets (name, value) VALUES (?1, ?2)", params![name, fresh.to_vec()])?;
    let value: Vec<u8> = conn.query_row("SELECT value FROM server_secrets WHERE name = ?1", params![name], |r| r.get(0))?;
    value.try_into().map_err(|_| StoreError::Database(format!("server secret \"{name}\" is damaged")))
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let failed = |e: refinery::Error| StoreError::Database(format!("migration: {e}"));
    // A store made before refinery: record what it has as applied, once.
    let legacy = format!("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '{}'", migrations::LEGACY_TABLE);
    let adopted = conn.query_row(&legacy, [], |_| Ok(())).optional()?.is_some()
        && conn.query_row("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history'", [], |_| Ok(())).optional()?.is_none();
    if adopted {
        let version: i64 = conn.query_row(&format!("SELECT COALESCE(MAX(version), 0) FROM {}", migrations::LEGACY_TABLE), [], |r| r.get(0))?;
        migrations::sqlite()
            .set_target(refinery::Target::FakeVersion(migrations::sqlite_legacy(version)))
            .run(conn)
            .map_err(failed)?;
        conn.execute_batch(&format!("DROP TABLE {}", migrations::LEGACY_TABLE))?;
    }
    migrations::sqlite().run(conn).map_err(failed)?;
    Ok(())
}

/// The idempotency keys' index in memory, and the lock that makes this
/// process the only one adding to the log.
struct KeyIndex {
    rows: std::collections::HashMap<u128, i64>,
    _lock: std::fs::File,
}

fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".orders-lock");
    PathBuf::from(name)
}

/// The first 128 bits of the key's SHA-256 (a match is checked against the
/// key in the log).
fn key_digest(key: &str) -> u128 {
    use sha2::Digest;
    let d = sha2::Sha256::digest(key.as_bytes());
    u128::from_be_bytes(d[..16].try_into().expect("32-byte digest"))
}

/// Takes the order lock (waiting up to 5 s for a process or store that is
/// closing) and loads every key in the log.
fn load_keys(conn: &Connection, lock_path: &Path) -> Result<KeyIndex, StoreError> {
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path)
        .map_err(|e| StoreError::Database(format!("cannot open {}: {e}", lock_path.display())))?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match lock.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Database(format!(
                    "another process is storing orders in this database (it holds {}); \
                     run one server per SQLite file, or use PostgreSQL for several",
                    lock_path.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(StoreError::Database(format!("cannot lock {}: {e}", lock_path.display())));
            }
        }
    }
    let mut rows = std::collections::HashMap::new();
    let mut stmt = conn.prepare("SELECT rowid, key FROM idempotency_log")?;
    let mut found = stmt.query([])?;
    while let Some(r) = found.next()? {
        let key: String = r.get(1)?;
        rows.insert(key_digest(&key), r.get::<_, i64>(0)?);
    }
    Ok(KeyIndex { rows, _lock: lock })
}

/// The loaded key index, loading it first when needed.
fn keys<'a>(conn: &Connection, lock_path: &Path, keys: &'a mut Option<KeyIndex>) -> Result<&'a mut KeyIndex, StoreError> {
    if keys.is_none() {
        *keys = Some(load_keys(conn, lock_path)?);
    }
    Ok(keys.as_mut().expect("loaded above"))
}

fn writer(mut conn: Connection, lock_path: PathBuf, rx: mpsc::Receiver<Request>) {
    let mut index: Option<KeyIndex> = None;
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        let (inserts, gets): (Vec<_>, Vec<_>) = batch.into_iter().partition(|r| matches!(r, Request::Insert(..)));
        if !inserts.is_empty() {
            match keys(&conn, &lock_path, &mut index) {
                Ok(index) => commit_group(&mut conn, index, inserts),
                Err(e) => {
                    for r in inserts {
                        if let Request::Insert(_, _, reply) = r {
                            let _ = reply.send(Err(StoreError::Database(e.to_string())));
                        }
                    }
                }
            }
        }
        for request in gets {
            match request {
                Request::Get(id, reply) => {
                    let _ = reply.send(get(&conn, &id).map_err(StoreError::from));
                }
                Request::ByKey(key, reply) => {
                    let _ = reply.send(keys(&conn, &lock_path, &mut index).and_then(|index| by_key(&conn, index, &key)));
                }
                Request::PrepareOrders(reply) => {
                    let _ = reply.send(keys(&conn, &lock_path, &mut index).map(|_| ()));
                }
                Request::Run(work) => work(&mut conn),
                Request::Insert(..) => {}
            }
        }
    }
}

/// A database error, or `DuplicateId` when it is the orders' id constraint.
fn insert_error(e: rusqlite::Error) -> StoreError {
    let text = e.to_string();
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) && text.contains("orders.id") {
        StoreError::DuplicateId
    } else {
        StoreError::Database(text)
    }
}

/// Commits a group of inserts in one transaction. A row that fails on its
/// own (say, a duplicate id) is answered with its error and the rest commit.
/// Keys enter the index as they are inserted (so two requests with one key
/// in one group make one order) and leave it again if their row or the
/// transaction fails.
fn commit_group(conn: &mut Connection, index: &mut KeyIndex, inserts: Vec<Request>) {
    let tx = match conn.transaction() {
        Ok(tx) => tx,
        Err(e) => {
            let msg = e.to_string();
            for r in inserts {
                if let Request::Insert(_, _, reply) = r {
                    let _ = reply.send(Err(StoreError::Database(msg.clone())));
                }
            }
            return;
        }
    };
    let mut added = Vec::new();
    let mut results = Vec::with_capacity(inserts.len());
    for r in inserts {
        if let Request::Insert(row, key, reply) = r {
            let mut fresh = None;
            let outcome = tx
                .prepare_cached("SAVEPOINT one")
                .and_then(|mut st| st.execute([]))
                .map_err(StoreError::from)
                .and_then(|_| insert_once(&tx, index, &row, &key, &mut fresh))
                .and_then(|done| tx.prepare_cached("RELEASE one").and_then(|mut st| st.execute([])).map(|_| done).map_err(StoreError::from));
            match (&outcome, fresh) {
                (Ok(_), Some(digest)) => added.push(digest),
                (Err(_), fresh) => {
                    if let Some(digest) = fresh {
                        index.rows.remove(&digest);
                    }
                    let _ = tx.prepare_cached("ROLLBACK TO one").and_then(|mut st| st.execute([]));
                    let _ = tx.prepare_cached("RELEASE one").and_then(|mut st| st.execute([]));
                }
                (Ok(_), None) => {}
            }
            results.push((outcome, reply));
        }
    }
    let committed = tx.commit().map_err(|e| e.to_string());
    if committed.is_err() {
        for digest in added {
            index.rows.remove(&digest);
        }
    }
    for (outcome, reply) in results {
        let answer = match (&committed, outcome) {
            (Err(e), _) => Err(StoreError::Database(e.clone())),
            (Ok(()), outcome) => outcome,
        };
        let _ = reply.send(answer);
    }
}

/// Inserts the order and logs its key, unless the key is known: then
/// answers the order it made. `fresh` gets the digest of a key it added to
/// the index.
fn insert_once(
    conn: &Connection,
    index: &mut KeyIndex,
    row: &OrderRow,
    key: &Idempotency,
    fresh: &mut Option<u128>,
) -> Result<Inserted, StoreError> {
    if let Some((order, request_sha256)) = by_key(conn, index, &key.key)? {
        return Ok(Inserted::Existing { order, request_sha256 });
    }
    insert(conn, row).map_err(insert_error)?;
    conn.prepare_cached("INSERT INTO idempotency_log (key, request_sha256, order_id, created_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![key.key, key.request_sha256, row.id, row.created_at])?;
    let digest = key_digest(&key.key);
    index.rows.insert(digest, conn.last_insert_rowid());
    *fresh = Some(digest);
    Ok(Inserted::Created)
}

/// The order a key made and the key's request digest. (The key's order
/// always exists: a foreign key says so.)
fn by_key(conn: &Connection, index: &KeyIndex, key: &str) -> Result<Option<(OrderRow, String)>, StoreError> {
    let Some(&rowid) = index.rows.get(&key_digest(key)) else { return Ok(None) };
    let (logged, id, digest): (String, String, String) = conn
        .prepare_cached("SELECT key, order_id, request_sha256 FROM idempotency_log WHERE rowid = ?1")?
        .query_row(params![rowid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    if logged != key {
        return Err(StoreError::Database("two idempotency keys share a 128-bit digest".into()));
    }
    let order = get(conn, &id)?.ok_or_else(|| StoreError::Database(format!("idempotency key points at missing order {id}")))?;
    Ok(Some((order, digest)))
}

fn insert(conn: &Connection, row: &OrderRow) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "INSERT INTO orders (id, token_sha256, product, catalogue_version, choices_json, currency, total_minor, status, created_at,
                             code, texts_json, contact_json, shipping_json, locale, channel, partner_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
            row.id,
            row.token_sha256,
            row.product,
            row.catalogue_version,
            row.choices_json,
            row.currency,
            row.total_minor,
            row.status,
            row.created_at,
            row.code,
            row.texts_json,
            row.contact_json,
            row.shipping_json,
            row.locale,
            row.channel,
            row.partner_id
        ])
}


fn order_row(r: &rusqlite::Row) -> rusqlite::Result<OrderRow> {
    Ok(OrderRow {
        id: r.get(0)?,
        token_sha256: r.get(1)?,
        product: r.get(2)?,
        catalogue_version: r.get(3)?,
        choices_json: r.get(4)?,
        currency: r.get(5)?,
        total_minor: r.get(6)?,
        status: r.get(7)?,
        created_at: r.get(8)?,
        code: r.get(9)?,
        texts_json: r.get(10)?,
        contact_json: r.get(11)?,
        shipping_json: r.get(12)?,
        locale: r.get(13)?,
        channel: r.get(14)?,
        partner_id: r.get(15)?,
    })
}

fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<OrderRow>> {
    conn.prepare_cached(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?1"))?.query_row(params![id], order_row).optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The store's behaviour is tested on both backends in tests/storage.rs.

    #[test]
    fn urls_are_parsed_or_refused_with_a_reason() {
        assert_eq!(DatabaseUrl::parse("sqlite://data/t.db"), Ok(DatabaseUrl::Sqlite("data/t.db".into())));
        assert_eq!(DatabaseUrl::parse("sqlite:///tmp/t.db"), Ok(DatabaseUrl::Sqlite("/tmp/t.db".into())));
        assert!(DatabaseUrl::parse("sqlite://").unwrap_err().contains("names no file"));
        assert!(DatabaseUrl::parse("mysql://x").unwrap_err().contains("unsupported"));
        let pg = "postgres://tailor@127.0.0.1:5432/shop";
        assert_eq!(DatabaseUrl::parse(pg), Ok(DatabaseUrl::Postgres(pg.into())));
        assert!(DatabaseUrl::parse("postgres://host:notaport/db").is_err());
    }
}
