//! The profile and consent tables (SQLite; run in the store's writer
//! thread through `Store::sqlite`).

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::consent::{self, ConsentEvent, Link};
use crate::store::{OrderRow, StoreError};

#[derive(Clone, Debug, Default)]
pub struct Profile {
    pub id: String,
    pub created_at: String,
    pub email: Option<String>,
    pub measurements_json: Option<String>,
    pub answers_json: String,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Saved {
    pub id: String,
    pub product: String,
    pub code: String,
    pub name: String,
    pub created_at: String,
}

pub fn session_customer(conn: &Connection, token_sha256: &str) -> Result<Option<(String, bool)>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT customer_id, gpc FROM sessions WHERE token_sha256 = ?1")?
        .query_row(params![token_sha256], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0)))
        .optional()?)
}

pub fn create_customer(conn: &Connection, id: &str, now: &str) -> Result<(), StoreError> {
    conn.execute("INSERT INTO customers (id, created_at) VALUES (?1, ?2)", params![id, now])?;
    Ok(())
}

pub fn create_session(conn: &Connection, token_sha256: &str, customer: &str, now: &str, gpc: bool) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sessions (token_sha256, customer_id, created_at, gpc) VALUES (?1, ?2, ?3, ?4)",
        params![token_sha256, customer, now, gpc as i64],
    )?;
    Ok(())
}

pub fn mark_session_gpc(conn: &Connection, token_sha256: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE sessions SET gpc = 1 WHERE token_sha256 = ?1", params![token_sha256])?;
    Ok(())
}

pub fn profile(conn: &Connection, customer: &str) -> Result<Option<Profile>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id, created_at, email, measurements_json, answers_json FROM customers WHERE id = ?1 AND erased_at IS NULL")?
        .query_row(params![customer], |r| {
            Ok(Profile { id: r.get(0)?, created_at: r.get(1)?, email: r.get(2)?, measurements_json: r.get(3)?, answers_json: r.get(4)? })
        })
        .optional()?)
}

pub fn customer_by_email(conn: &Connection, email_sha256: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT id FROM customers WHERE email_sha256 = ?1 AND erased_at IS NULL", params![email_sha256], |r| r.get(0))
        .optional()?)
}

pub fn set_email(conn: &Connection, customer: &str, email: &str, email_sha256: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE customers SET email = ?2, email_sha256 = ?3 WHERE id = ?1", params![customer, email, email_sha256])?;
    Ok(())
}

pub fn set_measurements(conn: &Connection, customer: &str, json: Option<&str>) -> Result<(), StoreError> {
    conn.execute("UPDATE customers SET measurements_json = ?2 WHERE id = ?1", params![customer, json])?;
    Ok(())
}

pub fn set_answers(conn: &Connection, customer: &str, json: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE customers SET answers_json = ?2 WHERE id = ?1", params![customer, json])?;
    Ok(())
}

pub fn saved(conn: &Connection, customer: &str) -> Result<Vec<Saved>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, product, code, name, created_at FROM saved_configurations WHERE customer_id = ?1 ORDER BY created_at DESC, id DESC",
    )?;
    let rows = stmt.query_map(params![customer], |r| {
        Ok(Saved { id: r.get(0)?, product: r.get(1)?, code: r.get(2)?, name: r.get(3)?, created_at: r.get(4)? })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn save_configuration(conn: &Connection, customer: &str, saved: &Saved) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO saved_configurations (id, customer_id, product, code, name, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![saved.id, customer, saved.product, saved.code, saved.name, saved.created_at],
    )?;
    Ok(())
}

pub fn delete_configuration(conn: &Connection, customer: &str, id: &str) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM saved_configurations WHERE id = ?1 AND customer_id = ?2", params![id, customer])? == 1)
}

pub fn link_order(conn: &Connection, customer: &str, order: &str) -> Result<(), StoreError> {
    conn.execute("INSERT OR IGNORE INTO customer_orders (order_id, customer_id) VALUES (?1, ?2)", params![order, customer])?;
    Ok(())
}

pub fn orders(conn: &Connection, customer: &str) -> Result<Vec<OrderRow>, StoreError> {
    let mut ids: Vec<String> = Vec::new();
    {
        let mut stmt = conn.prepare_cached("SELECT order_id FROM customer_orders WHERE customer_id = ?1 ORDER BY order_id DESC")?;
        for id in stmt.query_map(params![customer], |r| r.get(0))? {
            ids.push(id?);
        }
    }
    let mut out = Vec::new();
    for id in ids {
        if let Some(row) = crate::store::sqlite_get(conn, &id)? {
            out.push(row);
        }
    }
    Ok(out)
}

/// The customer's events in log order.
pub fn links(conn: &Connection, customer: &str) -> Result<Vec<Link>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, id, customer_id, event_json, prev_sha256, sha256 FROM consent_events WHERE customer_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![customer], link_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn all_links(conn: &Connection) -> Result<Vec<Link>, StoreError> {
    let mut stmt = conn.prepare("SELECT seq, id, customer_id, event_json, prev_sha256, sha256 FROM consent_events ORDER BY seq")?;
    let rows = stmt.query_map([], link_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn link_row(r: &rusqlite::Row) -> rusqlite::Result<Link> {
    Ok(Link { seq: r.get(0)?, id: r.get(1)?, customer_id: r.get(2)?, event_json: r.get(3)?, prev_sha256: r.get(4)?, sha256: r.get(5)? })
}

/// The newest event of each (purpose, channel) of the customer.
pub fn latest(conn: &Connection, customer: &str) -> Result<BTreeMap<(String, String), ConsentEvent>, StoreError> {
    let mut out = BTreeMap::new();
    for link in links(conn, customer)? {
        let event: ConsentEvent =
            serde_json::from_str(&link.event_json).map_err(|e| StoreError::Database(format!("consent event {}: {e}", link.id)))?;
        out.insert((event.purpose.clone(), event.channel.clone()), event);
    }
    Ok(out)
}

/// Appends an event to its customer's chain.
pub fn append(conn: &Connection, event: &ConsentEvent) -> Result<Link, StoreError> {
    let prev: String = conn
        .prepare_cached("SELECT sha256 FROM consent_events WHERE customer_id = ?1 ORDER BY seq DESC LIMIT 1")?
        .query_row(params![event.customer], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| consent::GENESIS.to_string());
    let json = serde_json::to_string(event).map_err(|e| StoreError::Database(e.to_string()))?;
    let hash = consent::link_hash(&prev, &json);
    conn.execute(
        "INSERT INTO consent_events (id, customer_id, purpose, channel, event_json, prev_sha256, sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![event.id, event.customer, event.purpose, event.channel, json, prev, hash],
    )?;
    Ok(Link { seq: conn.last_insert_rowid(), id: event.id.clone(), customer_id: event.customer.clone(), event_json: json, prev_sha256: prev, sha256: hash })
}

pub fn event(conn: &Connection, customer: &str, id: &str) -> Result<Option<Link>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT seq, id, customer_id, event_json, prev_sha256, sha256 FROM consent_events WHERE id = ?1 AND customer_id = ?2",
            params![id, customer],
            link_row,
        )
        .optional()?)
}

/// Moves everything of `from` to `to` (saved configurations, orders,
/// sessions; measurements when `to` has none; answers `to` lacks), then
/// empties `from` and marks it merged.
pub fn merge(conn: &Connection, from: &str, to: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE saved_configurations SET customer_id = ?2 WHERE customer_id = ?1", params![from, to])?;
    conn.execute("UPDATE customer_orders SET customer_id = ?2 WHERE customer_id = ?1", params![from, to])?;
    conn.execute("UPDATE sessions SET customer_id = ?2 WHERE customer_id = ?1", params![from, to])?;
    let (from_m, from_a): (Option<String>, String) =
        conn.query_row("SELECT measurements_json, answers_json FROM customers WHERE id = ?1", params![from], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let (to_m, to_a): (Option<String>, String) =
        conn.query_row("SELECT measurements_json, answers_json FROM customers WHERE id = ?1", params![to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut answers: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&from_a).unwrap_or_default();
    let theirs: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&to_a).unwrap_or_default();
    answers.extend(theirs);
    conn.execute(
        "UPDATE customers SET measurements_json = ?2, answers_json = ?3 WHERE id = ?1",
        params![to, to_m.or(from_m), serde_json::Value::Object(answers).to_string()],
    )?;
    conn.execute(
        "UPDATE customers SET merged_into = ?2, email = NULL, email_sha256 = NULL, measurements_json = NULL, answers_json = '{}' WHERE id = ?1",
        params![from, to],
    )?;
    Ok(())
}

/// Erasure: personal data goes; orders stay without personal fields; the
/// consent log keeps only the erasure event (appended by the caller).
/// Returns what was removed from the log.
pub fn erase(conn: &Connection, customer: &str, now: &str) -> Result<consent::Erased, StoreError> {
    let order_ids: Vec<String> = {
        let mut stmt = conn.prepare("SELECT order_id FROM customer_orders WHERE customer_id = ?1")?;
        stmt.query_map(params![customer], |r| r.get(0))?.collect::<Result<_, _>>()?
    };
    for id in &order_ids {
        conn.execute("UPDATE orders SET contact_json = '{}', shipping_json = '{}', texts_json = '{}' WHERE id = ?1", params![id])?;
    }
    conn.execute("DELETE FROM customer_orders WHERE customer_id = ?1", params![customer])?;
    conn.execute("DELETE FROM saved_configurations WHERE customer_id = ?1", params![customer])?;
    conn.execute("DELETE FROM sessions WHERE customer_id = ?1", params![customer])?;
    let email_sha256: Option<String> = conn.query_row("SELECT email_sha256 FROM customers WHERE id = ?1", params![customer], |r| r.get(0))?;
    if let Some(digest) = email_sha256 {
        conn.execute("DELETE FROM sign_in_codes WHERE email_sha256 = ?1", params![digest])?;
    }
    conn.execute(
        "UPDATE customers SET email = NULL, email_sha256 = NULL, measurements_json = NULL, answers_json = '{}', erased_at = ?2 WHERE id = ?1",
        params![customer, now],
    )?;
    let links = links(conn, customer)?;
    let head = links.last().map(|l| l.sha256.clone()).unwrap_or_else(|| consent::GENESIS.to_string());
    conn.execute("DELETE FROM consent_events WHERE customer_id = ?1", params![customer])?;
    Ok(consent::Erased { events: links.len() as u64, head_sha256: head })
}

/// A new sign-in code for the e-mail (replacing any older one).
pub fn put_code(conn: &Connection, email_sha256: &str, code_sha256: &str, expires_at: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sign_in_codes (email_sha256, code_sha256, expires_at, tries) VALUES (?1, ?2, ?3, 0)
         ON CONFLICT (email_sha256) DO UPDATE SET code_sha256 = excluded.code_sha256, expires_at = excluded.expires_at, tries = 0",
        params![email_sha256, code_sha256, expires_at],
    )?;
    Ok(())
}

/// (code digest, expiry, tries so far).
pub fn code(conn: &Connection, email_sha256: &str) -> Result<Option<(String, i64, i64)>, StoreError> {
    Ok(conn
        .query_row("SELECT code_sha256, expires_at, tries FROM sign_in_codes WHERE email_sha256 = ?1", params![email_sha256], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

pub fn count_try(conn: &Connection, email_sha256: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE sign_in_codes SET tries = tries + 1 WHERE email_sha256 = ?1", params![email_sha256])?;
    Ok(())
}

pub fn drop_code(conn: &Connection, email_sha256: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM sign_in_codes WHERE email_sha256 = ?1", params![email_sha256])?;
    Ok(())
}

pub fn log_staff_read(conn: &Connection, staff: &str, role: &str, customer: &str, reason: &str, now: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO staff_reads (staff_id, role, customer_id, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![staff, role, customer, reason, now],
    )?;
    Ok(())
}

/// (staff id, role, reason, at) of every staff read of the customer.
pub fn staff_reads(conn: &Connection, customer: &str) -> Result<Vec<(String, String, String, String)>, StoreError> {
    let mut stmt = conn.prepare("SELECT staff_id, role, reason, at FROM staff_reads WHERE customer_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map(params![customer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Over every customer's newest event per (purpose, channel): how many are
/// in each state.
pub fn consent_counts(conn: &Connection) -> Result<Vec<(String, String, String, i64)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT e.purpose, e.channel, json_extract(e.event_json, '$.state'), COUNT(*)
         FROM consent_events e
         WHERE e.seq = (SELECT MAX(seq) FROM consent_events x WHERE x.customer_id = e.customer_id AND x.purpose = e.purpose AND x.channel = e.channel)
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
