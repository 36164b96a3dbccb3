//! The order store on PostgreSQL (a `postgres://` database URL): the same
//! operations and answers as the SQLite store, for several stateless server
//! instances sharing one database. Each operation is one transaction on a
//! pooled connection.
//!
//! New orders are committed in groups (as the SQLite writer does): the
//! orders waiting when a writer is free go into one transaction of a few
//! statements over arrays (`unnest`), and each is acknowledged only after
//! that COMMIT returns, which with `synchronous_commit` (on by default, and
//! with a synchronous standby) means durable there too. A few groups are in
//! flight at once, so one group's commit wait overlaps the next group's
//! statements. Idempotency is the unique key of `idempotency_keys`, as for a
//! single order: a key already committed (or being committed by another
//! instance: the insert waits for it) makes nothing, and the order it made
//! answers. Keys are inserted in sorted order, so two groups holding the same
//! keys lock them in the same order and cannot deadlock. A group that fails as
//! a whole (a lost connection, a failover) is retried order by order, so each
//! request gets its own answer.

use std::collections::HashSet;
use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio_postgres::error::SqlState;
use tokio_postgres::{NoTls, Row};

use super::rows::{Idempotency, Inserted, OrderRow, StoreError};
use super::shared::ORDER_COLUMNS;



/// The most orders committed in one transaction.
const MAX_GROUP: usize = 256;
/// Groups in flight at once, from one server instance.
const WRITERS: usize = 2;

#[derive(Clone)]
pub struct Pg {
    pool: Pool,
    /// New orders, to the group committer.
    orders: mpsc::UnboundedSender<Pending>,
}

/// A new order waiting for its group.
struct Pending {
    row: OrderRow,
    key: Idempotency,
    reply: oneshot::Sender<Result<Inserted, StoreError>>,
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
    let legacy = !client.query(&table(super::migrations::LEGACY_TABLE), &[]).await?.is_empty();
    let adopted = legacy && client.query(&table("refinery_schema_history"), &[]).await?.is_empty();
    if adopted {
        let version: i64 =
            client.query_one(&format!("SELECT COALESCE(MAX(version), 0) FROM {}", super::migrations::LEGACY_TABLE), &[]).await?.get(0);
        super::migrations::postgres()
            .set_target(refinery::Target::FakeVersion(super::migrations::postgres_legacy(version)))
            .run_async(client)
            .await
            .map_err(failed)?;
        client.batch_execute(&format!("DROP TABLE {}", super::migrations::LEGACY_TABLE)).await?;
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
        let (orders, pending) = mpsc::unbounded_channel();
        tokio::spawn(committer(pool.clone(), pending));
        let pg = Pg { pool, orders };
        let mut client = pg.client().await?;
        // One instance migrates at a time: the others wait on the lock.
        client.execute("SELECT pg_advisory_lock(7241)", &[]).await?;
        let migrated = migrate(&mut client).await;
        client.execute("SELECT pg_advisory_unlock(7241)", &[]).await?;
        migrated?;
        let tx = client.transaction().await?;
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).map_err(|e| db(format!("no randomness: {e}")))?;
        tx.execute("INSERT INTO server_secrets (name, value) VALUES ('order-token', $1) ON CONFLICT (name) DO NOTHING", &[&fresh.to_vec()])
            .await
            ?;
        let value: Vec<u8> = tx.query_one("SELECT value FROM server_secrets WHERE name = 'order-token'", &[]).await?.get(0);
        tx.commit().await?;
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
            let mut client = handle.block_on(pool.get())?;
            let tx = handle.block_on(client.transaction())?;
            let out = work(&mut super::sql::PgDb { handle: &handle, tx: &tx });
            match out {
                Ok(v) => {
                    handle.block_on(tx.commit())?;
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
        Ok(self.pool.get().await?)
    }

    /// Stores a new order in the next group (see the module's notes).
    pub async fn insert(&self, row: OrderRow, key: Idempotency) -> Result<Inserted, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.orders.send(Pending { row, key, reply }).map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    pub async fn get(&self, id: &str) -> Result<Option<OrderRow>, StoreError> {
        get(&self.pool, id).await
    }

    pub async fn by_key(&self, key: &str) -> Result<Option<(OrderRow, String)>, StoreError> {
        by_key(&self.pool, key).await
    }
}

/// Stores one order in its own transaction: the way back when its group
/// failed as a whole.
async fn insert_one(pool: &Pool, row: &OrderRow, key: &Idempotency) -> Result<Inserted, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
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
        return Err(if e.code() == Some(&SqlState::UNIQUE_VIOLATION) { StoreError::DuplicateId } else { e.into() });
    }
    // A key in use (committed, or being committed by another instance:
    // then this waits for it) makes nothing; the order it made answers.
    let keyed = tx
        .execute(
            "INSERT INTO idempotency_keys (key, request_sha256, order_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING",
            &[&key.key, &key.request_sha256, &row.id, &row.created_at],
        )
        .await
        ?;
    if keyed == 1 {
        tx.commit().await?;
        return Ok(Inserted::Created);
    }
    tx.rollback().await?;
    drop(client);
    existing(pool, &key.key).await
}

async fn get(pool: &Pool, id: &str) -> Result<Option<OrderRow>, StoreError> {
    let client = pool.get().await?;
    let row = client.query_opt(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"), &[&id]).await?;
    Ok(row.as_ref().map(order_row))
}

async fn by_key(pool: &Pool, key: &str) -> Result<Option<(OrderRow, String)>, StoreError> {
    let client = pool.get().await?;
    let found = client.query_opt("SELECT order_id, request_sha256 FROM idempotency_keys WHERE key = $1", &[&key]).await?;
    let Some(found) = found else { return Ok(None) };
    let (id, digest): (String, String) = (found.get(0), found.get(1));
    drop(client);
    let order = get(pool, &id).await?.ok_or_else(|| db(format!("idempotency key points at missing order {id}")))?;
    Ok(Some((order, digest)))
}

/// Takes the orders waiting whenever a writer is free and commits them as one
/// group; ends when every sender is gone.
async fn committer(pool: Pool, mut pending: mpsc::UnboundedReceiver<Pending>) {
    let writers = Arc::new(Semaphore::new(WRITERS));
    loop {
        let Ok(permit) = writers.clone().acquire_owned().await else { return };
        let Some(first) = pending.recv().await else { return };
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match pending.try_recv() {
                Ok(p) => group.push(p),
                Err(_) => break,
            }
        }
        let pool = pool.clone();
        tokio::spawn(async move {
            commit_group(&pool, group).await;
            drop(permit);
        });
    }
}

/// Commits a group and answers each of its orders.
async fn commit_group(pool: &Pool, group: Vec<Pending>) {
    // The first order with a key leads; later ones with the same key (a
    // retry racing its first try) are answered as retries after the commit.
    let mut seen = HashSet::new();
    let (mut leaders, mut followers): (Vec<Pending>, Vec<Pending>) = (Vec::new(), Vec::new());
    for p in group {
        if seen.insert(p.key.key.clone()) {
            leaders.push(p);
        } else {
            followers.push(p);
        }
    }
    leaders.sort_by(|a, b| a.key.key.cmp(&b.key.key));
    match write_group(pool, &leaders).await {
        Ok(created) => {
            for p in leaders {
                let answer = if created.contains(&p.row.id) {
                    Ok(Inserted::Created)
                } else {
                    existing(pool, &p.key.key).await
                };
                let _ = p.reply.send(answer);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, orders = leaders.len(), "an order group failed; storing its orders one by one");
            let mut each = tokio::task::JoinSet::new();
            for p in leaders {
                let pool = pool.clone();
                each.spawn(async move {
                    let answer = insert_one(&pool, &p.row, &p.key).await;
                    let _ = p.reply.send(answer);
                });
            }
            each.join_all().await;
        }
    }
    for p in followers {
        let answer = existing(pool, &p.key.key).await;
        let _ = p.reply.send(answer);
    }
}

/// The order a committed key made, as a retry's answer.
async fn existing(pool: &Pool, key: &str) -> Result<Inserted, StoreError> {
    match by_key(pool, key).await? {
        Some((order, request_sha256)) => Ok(Inserted::Existing { order, request_sha256 }),
        None => Err(db("idempotency key vanished")),
    }
}

/// One statement for the group's orders (sorted by key), which PostgreSQL
/// runs as one transaction: the keys go in first, and only the orders whose
/// key went in follow (the key's reference to its order is checked at the
/// end of the statement). Answers the ids created; an order id already in
/// use fails the whole statement (and the group is retried order by order).
async fn write_group(pool: &Pool, group: &[Pending]) -> Result<HashSet<String>, StoreError> {
    let client = pool.get().await?;
    let column = |f: fn(&Pending) -> &String| group.iter().map(|p| f(p).as_str()).collect::<Vec<&str>>();
    let totals: Vec<i64> = group.iter().map(|p| p.row.total_minor).collect();
    let partners: Vec<Option<&str>> = group.iter().map(|p| p.row.partner_id.as_deref()).collect();
    let statement = client
        .prepare_cached(
            "WITH keyed AS (
                 INSERT INTO idempotency_keys (key, request_sha256, order_id, created_at)
                 SELECT * FROM unnest($17::text[], $18::text[], $1::text[], $9::text[])
                 ON CONFLICT (key) DO NOTHING RETURNING order_id
             ), stored AS (
                 INSERT INTO orders (id, token_sha256, product, catalogue_version, choices_json, currency, total_minor, status,
                                     created_at, code, texts_json, contact_json, shipping_json, locale, channel, partner_id)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[],
                                      $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
                     AS o (id, token_sha256, product, catalogue_version, choices_json, currency, total_minor, status,
                           created_at, code, texts_json, contact_json, shipping_json, locale, channel, partner_id)
                 WHERE o.id IN (SELECT order_id FROM keyed)
                 RETURNING id
             )
             SELECT id FROM stored",
        )
        .await
        ?;
    let rows = client
        .query(
            &statement,
            &[
                &column(|p| &p.row.id),
                &column(|p| &p.row.token_sha256),
                &column(|p| &p.row.product),
                &column(|p| &p.row.catalogue_version),
                &column(|p| &p.row.choices_json),
                &column(|p| &p.row.currency),
                &totals,
                &column(|p| &p.row.status),
                &column(|p| &p.row.created_at),
                &column(|p| &p.row.code),
                &column(|p| &p.row.texts_json),
                &column(|p| &p.row.contact_json),
                &column(|p| &p.row.shipping_json),
                &column(|p| &p.row.locale),
                &column(|p| &p.row.channel),
                &partners,
                &column(|p| &p.key.key),
                &column(|p| &p.key.request_sha256),
            ],
        )
        .await
        ?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}
