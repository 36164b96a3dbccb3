//! The order store's behaviour, on SQLite and on PostgreSQL alike.

use tailor_server::store::{DatabaseUrl, Idempotency, Inserted, OrderRow, StaffKey, StatusChange, Store, StoreError};

mod common;

fn row(id: &str) -> OrderRow {
    OrderRow {
        id: id.into(),
        token_sha256: "t".into(),
        product: "p".into(),
        catalogue_version: "1".into(),
        choices_json: "{\"a\":\"b\"}".into(),
        currency: "EUR".into(),
        total_minor: 12_345,
        status: "new".into(),
        created_at: "2026-01-01T00:00:00Z".into(),
        code: "1abc".into(),
        texts_json: "{}".into(),
        contact_json: "{\"name\":\"N\",\"email\":\"e@example.org\"}".into(),
        shipping_json: "{}".into(),
        locale: "en".into(),
        channel: "web".into(),
        partner_id: None,
    }
}

fn key(k: &str) -> Idempotency {
    Idempotency { key: k.into(), request_sha256: format!("digest-{k}") }
}

/// Runs `check` on a fresh SQLite store and, when there is one, a fresh
/// PostgreSQL database.
async fn on_both<F, Fut>(check: F)
where
    F: Fn(Store, DatabaseUrl) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let sqlite = DatabaseUrl::Sqlite(dir.path().join("s.db"));
    check(Store::connect(&sqlite).await.unwrap(), sqlite).await;
    if let Some(server) = common::postgres_url() {
        let url = DatabaseUrl::parse(&common::fresh_postgres_database(&server).await).unwrap();
        check(Store::connect(&url).await.unwrap(), url).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_makes_one_order_under_concurrent_retries() {
    on_both(|store, _| async move {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move { store.insert(row(&format!("X{i:02}")), key("same")).await })
            })
            .collect();
        let mut created = Vec::new();
        let mut existing = Vec::new();
        for h in handles {
            match h.await.unwrap().unwrap() {
                Inserted::Created => created.push(()),
                Inserted::Existing { order, request_sha256 } => existing.push((order.id, request_sha256)),
            }
        }
        assert_eq!(created.len(), 1);
        let (winner, digest) = store.by_key("same").await.unwrap().unwrap();
        assert_eq!(digest, "digest-same");
        assert!(existing.iter().all(|(id, d)| *id == winner.id && d == "digest-same"), "{existing:?}");
        assert_eq!(store.list("new", "", 100).await.unwrap().len(), 1, "the losers left no order behind");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_read_back_and_a_clashing_id_is_reported() {
    on_both(|store, url| async move {
        assert_eq!(store.insert(row("A1"), key("k1")).await.unwrap(), Inserted::Created);
        let clash = store.insert(row("A1"), key("k2")).await.unwrap_err();
        assert!(matches!(clash, StoreError::DuplicateId), "{clash}");
        assert!(store.by_key("k2").await.unwrap().is_none(), "the clashing key was not kept");
        assert_eq!(store.insert(row("A2"), key("k2")).await.unwrap(), Inserted::Created, "and can be used again");
        let back = store.get("A1").await.unwrap().unwrap();
        assert_eq!(back, row("A1"));
        assert!(store.get("nope").await.unwrap().is_none());
        // Orders and the token secret stay across a reopen.
        let secret = *store.token_secret();
        drop(store);
        let again = Store::connect(&url).await.unwrap();
        assert_eq!(*again.token_secret(), secret);
        assert_eq!(again.get("A1").await.unwrap().unwrap(), row("A1"));
        assert_eq!(again.by_key("k1").await.unwrap().unwrap().1, "digest-k1");
    })
    .await;
}

/// SQLite keeps the idempotency index in the writer's memory, so only one
/// process (or store) may add orders to a file at a time; others still work
/// with the rest of the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_sqlite_store_at_a_time_takes_orders() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(dir.path().join("s.db"));
    let first = Store::connect(&url).await.unwrap();
    first.prepare_orders().await.unwrap();
    assert_eq!(first.insert(row("B1"), key("b1")).await.unwrap(), Inserted::Created);

    let second = Store::connect(&url).await.unwrap();
    let refused = second.insert(row("B2"), key("b2")).await.unwrap_err();
    assert!(refused.to_string().contains("another process is storing orders"), "{refused}");
    assert!(second.prepare_orders().await.is_err());
    // Everything else works from the second store.
    assert_eq!(second.get("B1").await.unwrap().unwrap().id, "B1");
    let staff = StaffKey { id: "S1".into(), name: "n".into(), role: "support".into(), created_at: "t".into(), revoked_at: None };
    second.add_staff(staff, "digest").await.unwrap();

    drop(first);
    second.prepare_orders().await.unwrap();
    assert!(matches!(second.insert(row("B3"), key("b1")).await.unwrap(), Inserted::Existing { .. }), "the key log was loaded");
    assert_eq!(second.insert(row("B2"), key("b2")).await.unwrap(), Inserted::Created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_move_only_forward_and_lists_page() {
    on_both(|store, _| async move {
        for i in 0..5 {
            store.insert(row(&format!("B{i}")), key(&format!("kb{i}"))).await.unwrap();
        }
        let page: Vec<String> = store.list("new", "B1", 2).await.unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(page, ["B2", "B3"]);
        assert_eq!(store.set_status("B0", &["new"], "in_production").await.unwrap(), StatusChange::Changed);
        assert_eq!(store.set_status("B0", &["new"], "in_production").await.unwrap(), StatusChange::Conflict { current: "in_production".into() });
        assert_eq!(store.set_status("ZZ", &["new"], "shipped").await.unwrap(), StatusChange::NotFound);
        assert_eq!(store.list("in_production", "", 10).await.unwrap().len(), 1);
        assert_eq!(store.get("B0").await.unwrap().unwrap().status, "in_production");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_keys_are_found_by_digest_until_revoked() {
    on_both(|store, _| async move {
        let k = StaffKey { id: "S1".into(), name: "Lin".into(), role: "fulfilment".into(), created_at: "2026-01-01T00:00:00Z".into(), revoked_at: None };
        store.add_staff(k.clone(), "d1").await.unwrap();
        assert!(store.add_staff(StaffKey { id: "S2".into(), role: "boss".into(), ..k.clone() }, "d2").await.is_err(), "unknown roles are refused");
        assert_eq!(store.staff_by_digest("d1").await.unwrap(), Some(k.clone()));
        assert!(store.staff_by_digest("d9").await.unwrap().is_none());
        assert!(store.revoke_staff("S1", "2026-02-01T00:00:00Z").await.unwrap());
        assert!(!store.revoke_staff("S1", "2026-02-02T00:00:00Z").await.unwrap());
        assert!(store.staff_by_digest("d1").await.unwrap().is_none());
        assert_eq!(store.list_staff().await.unwrap()[0].revoked_at.as_deref(), Some("2026-02-01T00:00:00Z"));
    })
    .await;
}

/// A store made before the migrations moved to refinery (versions counted
/// in `schema_migrations`) opens without running a migration twice: what it
/// has is recorded as applied, the rest is applied, the data stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_from_before_refinery_is_adopted() {
    on_both(|store, url| async move {
        assert_eq!(store.insert(row("L1"), key("l1")).await.unwrap(), Inserted::Created);
        // The last version the old tracker knew on this backend.
        let last: i64 = if matches!(url, DatabaseUrl::Sqlite(_)) { 9 } else { 5 };
        store
            .transaction(move |db| {
                db.exec("DROP TABLE refinery_schema_history", &[])?;
                // What migrations after V11 (the last before refinery) made.
                db.exec("DROP TABLE sign_in_sends", &[])?;
                db.exec("ALTER TABLE sessions DROP COLUMN last_seen_at", &[])?;
                db.exec("DROP INDEX customers_created", &[])?;
                db.exec("DROP TABLE mail_days", &[])?;
                db.exec("DROP TABLE kiosk_places", &[])?;
                db.exec("DROP TABLE learned", &[])?;
                db.exec("DROP TABLE staff_sessions", &[])?;
                db.exec("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)", &[])?;
                for v in 1..=last {
                    db.exec("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 'then')", &[v.into()])?;
                }
                Ok::<_, StoreError>(())
            })
            .await
            .unwrap()
            .unwrap();
        drop(store);
        let again = Store::connect(&url).await.expect("the old store opens");
        assert_eq!(again.get("L1").await.unwrap().unwrap(), row("L1"));
        let applied = again
            .transaction(|db| {
                let applied = db.row("SELECT COUNT(*) FROM refinery_schema_history", &[])?.unwrap().int(0)?;
                // The old tracker is gone (a table of that name can be made).
                db.exec("CREATE TABLE schema_migrations (gone TEXT)", &[])?;
                Ok::<_, StoreError>(applied)
            })
            .await
            .unwrap()
            .expect("the old tracker is gone");
        assert!(applied >= 9, "every migration is recorded: {applied}");
    })
    .await;
}

/// The staff roles the database accepts are the roles of the one enum.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_of_the_enum_is_stored() {
    on_both(|store, _| async move {
        for (i, role) in tailor_api::Role::ALL.into_iter().enumerate() {
            let k = StaffKey { id: format!("R{i}"), name: "n".into(), role: role.as_str().into(), created_at: "t".into(), revoked_at: None };
            store.add_staff(k, &format!("rd{i}")).await.unwrap_or_else(|e| panic!("{role}: {e}"));
        }
    })
    .await;
}

/// Several server instances on one PostgreSQL database (the cluster): keys
/// racing through three stores at once, in different orders, each make one
/// order, every other try answers that order, nothing is left behind; an
/// order id already in use among them is refused on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_racing_through_three_instances_make_one_order_each() {
    let Some(server) = common::postgres_url() else { return };
    let url = DatabaseUrl::parse(&common::fresh_postgres_database(&server).await).unwrap();
    let mut stores = Vec::new();
    for _ in 0..3 {
        stores.push(Store::connect(&url).await.unwrap());
    }
    assert_eq!(stores[0].insert(row("TAKEN"), key("first")).await.unwrap(), Inserted::Created);
    const KEYS: usize = 40;
    const TRIES: usize = 5;
    let mut handles = Vec::new();
    for t in 0..TRIES {
        for k in 0..KEYS {
            // Each instance sees the keys in its own order.
            let k = if t % 2 == 0 { k } else { KEYS - 1 - k };
            let store = stores[(k + t) % 3].clone();
            handles.push(tokio::spawn(async move { (k, store.insert(row(&format!("R{k:02}T{t}")), key(&format!("race-{k:02}"))).await) }));
        }
        if t == 2 {
            let store = stores[1].clone();
            handles.push(tokio::spawn(async move { (KEYS, store.insert(row("TAKEN"), key("solo")).await) }));
        }
    }
    let mut created = [0; KEYS];
    let mut answers = vec![Vec::new(); KEYS];
    let mut clashes = 0;
    for h in handles {
        match h.await.unwrap() {
            (k, Ok(Inserted::Created)) => created[k] += 1,
            (k, Ok(Inserted::Existing { order, request_sha256 })) => {
                assert_eq!(request_sha256, format!("digest-race-{k:02}"));
                answers[k].push(order.id);
            }
            (_, Err(StoreError::DuplicateId)) => clashes += 1,
            (k, Err(e)) => panic!("key {k}: {e}"),
        }
    }
    assert_eq!(clashes, 1, "the order id in use was refused, once");
    assert!(stores[0].by_key("solo").await.unwrap().is_none(), "its key was not kept");
    for k in 0..KEYS {
        assert_eq!(created[k], 1, "key {k} made one order");
        let (winner, _) = stores[k % 3].by_key(&format!("race-{k:02}")).await.unwrap().unwrap();
        assert!(winner.id.starts_with(&format!("R{k:02}T")), "{}", winner.id);
        assert!(answers[k].iter().all(|id| *id == winner.id), "key {k}: {:?} vs {}", answers[k], winner.id);
    }
    assert_eq!(stores[1].list("new", "", 1000).await.unwrap().len(), KEYS + 1, "the losers left no order behind");
}
