//! The order store on PostgreSQL (a `postgres://` database URL): the same
//! operations and answers as the SQLite store, for several stateless server
//! instances sharing one database. Each operation is one transaction on a
//! pooled connection; an order is acknowledged after its COMMIT returns
//! (PostgreSQL's `synchronous_commit`, on by default, makes that durable and
//! groups concurrent commits itself).

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::error::SqlState;
use tokio_postgres::{NoTls, Row};

use super::rows::{Idempotency, Inserted, OrderRow, StoreError};
use super::shared::ORDER_COLUMNS;



#[derive(Clone)]
pub struct Pg {
    pool: Pool,
}

fn db(e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(e.to_string())
}

fn order_row(r: &Row) -> OrderRow {
    OrderRow {
        id: r.get(0),
        token_sha256: r.get(1),
        product: r.get(2),
        catalogue_version: r.get(3),
        choices_json: r.get(4),
        currency: r.get(5),
        total_minor: r.get(6),
        status: r.get(7),
        created_at: r.get(8),
        code: r.get(9),
        texts_json: r.get(10),
        contact_json: r.get(11),
        shipping_json: r.get(12),
        locale: r.get(13),
        channel: r.get(14),
        partner_id: r.get(15),
    }
}


/// Applies the migrations (adopting a store made before refinery once).
async fn migrate(client: &mut tokio_postgres::Client) -> Result<(), StoreError> {
    let failed = |e: refinery::Error| db(format!("migration: {e}"));
    let table = |name: &str| format!("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{name}'");
    let legacy = !client.query(&table(super::migrations::LEGACY_TABLE), &[]).await.map_err(db)?.is_empty();
    let adopted = legacy && client.query(&table("refinery_schema_history"), &[]).await.map_err(db)?.is_empty();
    if adopted {
        let version: i64 =
            client.query_one(&format!("SELECT COALESCE(MAX(version), 0) FROM {}", super::migrations::LEGACY_TABLE), &[]).await.map_err(db)?.get(0);
        super::migrations::postgres()
            .set_target(refinery::Target::FakeVersion(super::migrations::postgres_legacy(version)))
            .run_async(client)
            .await
            .map_err(failed)?;
        client.batch_execute(&format!("DROP TABLE {}", super::migrations::LEGACY_TABLE)).await.map_err(db)?;
    }
    super::migrations::postgres().run_async(client).await.map_err(failed)?;
    Ok(())
}

impl Pg {
    /// Connects, applies the migrations (one instance at a time, under an
    /// advisory lock) and reads or makes the token secret.
    pub async fn connect(url: &str) -> Result<(Pg, [u8; 32]), StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| db(format!("database URL: {e}")))?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager).max_size(32).build().map_err(db)?;
        let pg = Pg { pool };
        let mut client = pg.client().await?;
        // One instance migrates at a time: the others wait on the lock.
        client.execute("SELECT pg_advisory_lock(7241)", &[]).await.map_err(db)?;
        let migrated = migrate(&mut client).await;
        client.execute("SELECT pg_advisory_unlock(7241)", &[]).await.map_err(db)?;
        migrated?;
        let tx = client.transaction().await.map_err(db)?;
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).map_err(|e| db(format!("no randomness: {e}")))?;
        tx.execute("INSERT INTO server_secrets (name, value) VALUES ('order-token', $1) ON CONFLICT (name) DO NOTHING", &[&fresh.to_vec()])
            .await
            .map_err(db)?;
        let value: Vec<u8> = tx.query_one("SELECT value FROM server_secrets WHERE name = 'order-token'", &[]).await.map_err(db)?.get(0);
        tx.commit().await.map_err(db)?;
        let secret: [u8; 32] = value.try_into().map_err(|_| db("server secret \"order-token\" is damaged"))?;
        drop(client);
        Ok((pg, secret))
    }

    /// Runs `work` in one transaction from a blocking thread; commits when it
    /// answers `Ok`, rolls back otherwise.
    pub async fn transaction<T: Send + 'static, E: Send + 'static>(
        &self,
        work: impl FnOnce(&mut dyn super::sql::Db) -> Result<T, E> + Send + 'static,
    ) -> Result<Result<T, E>, StoreError> {
        let pool = self.pool.clone();
        let handle = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let mut client = handle.block_on(pool.get()).map_err(db)?;
            let tx = handle.block_on(client.transaction()).map_err(db)?;
            let out = work(&mut super::sql::PgDb { handle: &handle, tx: &tx });
            match out {
                Ok(v) => {
                    handle.block_on(tx.commit()).map_err(db)?;
                    Ok(Ok(v))
                }
                Err(e) => {
                    let _ = handle.block_on(tx.rollback());
                    Ok(Err(e))
                }
            }
        })
        .await
        .map_err(db)?
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(db)
    }

    pub async fn insert(&self, row: &OrderRow, key: &Idempotency) -> Result<Inserted, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let inserted = tx
            .execute(
                "INSERT INTO orders (id, token_sha256, product, catalogue_version, choices_json, currency, total_minor, status, created_at,
                                     code, texts_json, contact_json, shipping_json, locale, channel, partner_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
                &[
                    &row.id,
                    &row.token_sha256,
                    &row.product,
                    &row.catalogue_version,
                    &row.choices_json,
                    &row.currency,
                    &row.total_minor,
                    &row.status,
                    &row.created_at,
                    &row.code,
                    &row.texts_json,
                    &row.contact_json,
                    &row.shipping_json,
                    &row.locale,
                    &row.channel,
                    &row.partner_id,
                ],
            )
            .await;
        if let Err(e) = inserted {
            return Err(if e.code() == Some(&SqlState::UNIQUE_VIOLATION) { StoreError::DuplicateId } else { db(e) });
        }
        // A key in use (committed, or being committed by another instance:
        // then this waits for it) makes nothing; the order it made answers.
        let keyed = tx
            .execute(
                "INSERT INTO idempotency_keys (key, request_sha256, order_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING",
                &[&key.key, &key.request_sha256, &row.id, &row.created_at],
            )
            .await
            .map_err(db)?;
        if keyed == 1 {
            tx.commit().await.map_err(db)?;
            return Ok(Inserted::Created);
        }
        tx.rollback().await.map_err(db)?;
        drop(client);
        match self.by_key(&key.key).await? {
            Some((order, request_sha256)) => Ok(Inserted::Existing { order, request_sha256 }),
            None => Err(db("idempotency key vanished")),
        }
    }

    pub async fn get(&self, id: &str) -> Result<Option<OrderRow>, StoreError> {
        let client = self.client().await?;
        let row = client.query_opt(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"), &[&id]).await.map_err(db)?;
        Ok(row.as_ref().map(order_row))
    }

    pub async fn by_key(&self, key: &str) -> Result<Option<(OrderRow, String)>, StoreError> {
        let client = self.client().await?;
        let found = client.query_opt("SELECT order_id, request_sha256 FROM idempotency_keys WHERE key = $1", &[&key]).await.map_err(db)?;
        let Some(found) = found else { return Ok(None) };
        let (id, digest): (String, String) = (found.get(0), found.get(1));
        drop(client);
        let order = self.get(&id).await?.ok_or_else(|| db(format!("idempotency key points at missing order {id}")))?;
        Ok(Some((order, digest)))
    }
}
