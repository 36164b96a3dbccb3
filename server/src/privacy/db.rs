//! The profile and consent tables, written once for both backends (see
//! `store::sql`): run inside `Store::transaction`.

use std::collections::BTreeMap;

use super::consent::{self, ConsentEvent, Link};
use crate::store::sql::{Db, Param, Row};
use crate::store::{OrderRow, StoreError};

#[derive(Clone, Debug, Default)]
pub struct Profile {
    pub id: String,
    pub created_at: String,
    pub email: Option<String>,
    pub measurements_json: Option<String>,
    pub answers_json: String,
}

pub use tailor_api::Saved;

use Param::{Int, OptText, Text};

/// Once an hour at most, a session in use is marked as seen.
const SEEN_EVERY_SECONDS: i64 = 3600;

/// The customer and GPC flag of a session younger than its lifetime and
/// used within its idle time (marking it seen now).
pub fn session_customer(db: &mut dyn Db, token_sha256: &str) -> Result<Option<(String, bool)>, StoreError> {
    use crate::clock::rfc3339_ago;
    let (oldest, idle) = (rfc3339_ago(crate::http::SESSION_SECONDS), rfc3339_ago(crate::http::SESSION_IDLE_SECONDS));
    let Some(r) = db.row(
        "SELECT customer_id, gpc, last_seen_at FROM sessions WHERE token_sha256 = $1 AND created_at > $2 AND last_seen_at > $3",
        &[Text(token_sha256), Text(&oldest), Text(&idle)],
    )?
    else {
        return Ok(None);
    };
    if r.text(2)? < rfc3339_ago(SEEN_EVERY_SECONDS) {
        db.exec("UPDATE sessions SET last_seen_at = $2 WHERE token_sha256 = $1", &[Text(token_sha256), Text(&crate::clock::now_rfc3339())])?;
    }
    Ok(Some((r.text(0)?, r.int(1)? != 0)))
}

pub fn create_customer(db: &mut dyn Db, id: &str, now: &str) -> Result<(), StoreError> {
    db.exec("INSERT INTO customers (id, created_at) VALUES ($1, $2)", &[Text(id), Text(now)])?;
    Ok(())
}

pub fn create_session(db: &mut dyn Db, token_sha256: &str, customer: &str, now: &str, gpc: bool) -> Result<(), StoreError> {
    db.exec(
        "INSERT INTO sessions (token_sha256, customer_id, created_at, gpc, last_seen_at) VALUES ($1, $2, $3, $4, $3)",
        &[Text(token_sha256), Text(customer), Text(now), Int(gpc as i64)],
    )?;
    Ok(())
}

pub fn delete_session(db: &mut dyn Db, token_sha256: &str) -> Result<(), StoreError> {
    db.exec("DELETE FROM sessions WHERE token_sha256 = $1", &[Text(token_sha256)])?;
    Ok(())
}

pub fn mark_session_gpc(db: &mut dyn Db, token_sha256: &str) -> Result<(), StoreError> {
    db.exec("UPDATE sessions SET gpc = 1 WHERE token_sha256 = $1", &[Text(token_sha256)])?;
    Ok(())
}

pub fn profile(db: &mut dyn Db, customer: &str) -> Result<Option<Profile>, StoreError> {
    db.row(
        "SELECT id, created_at, email, measurements_json, answers_json FROM customers WHERE id = $1 AND erased_at IS NULL",
        &[Text(customer)],
    )?
    .map(|r| Ok(Profile { id: r.text(0)?, created_at: r.text(1)?, email: r.opt_text(2)?, measurements_json: r.opt_text(3)?, answers_json: r.text(4)? }))
    .transpose()
}

pub fn customer_by_email(db: &mut dyn Db, email_sha256: &str) -> Result<Option<String>, StoreError> {
    db.row("SELECT id FROM customers WHERE email_sha256 = $1 AND erased_at IS NULL", &[Text(email_sha256)])?.map(|r| r.text(0)).transpose()
}

pub fn set_email(db: &mut dyn Db, customer: &str, email: &str, email_sha256: &str) -> Result<(), StoreError> {
    db.exec("UPDATE customers SET email = $2, email_sha256 = $3 WHERE id = $1", &[Text(customer), Text(email), Text(email_sha256)])?;
    Ok(())
}

pub fn set_measurements(db: &mut dyn Db, customer: &str, json: Option<&str>) -> Result<(), StoreError> {
    db.exec("UPDATE customers SET measurements_json = $2 WHERE id = $1", &[Text(customer), OptText(json)])?;
    Ok(())
}

pub fn set_answers(db: &mut dyn Db, customer: &str, json: &str) -> Result<(), StoreError> {
    db.exec("UPDATE customers SET answers_json = $2 WHERE id = $1", &[Text(customer), Text(json)])?;
    Ok(())
}

pub fn saved(db: &mut dyn Db, customer: &str) -> Result<Vec<Saved>, StoreError> {
    db.rows(
        "SELECT id, product, code, name, created_at FROM saved_configurations WHERE customer_id = $1 ORDER BY created_at DESC, id DESC",
        &[Text(customer)],
    )?
    .iter()
    .map(|r| Ok(Saved { id: r.text(0)?, product: r.text(1)?, code: r.text(2)?, name: r.text(3)?, created_at: r.text(4)? }))
    .collect()
}

pub fn save_configuration(db: &mut dyn Db, customer: &str, saved: &Saved) -> Result<(), StoreError> {
    db.exec(
        "INSERT INTO saved_configurations (id, customer_id, product, code, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[Text(&saved.id), Text(customer), Text(&saved.product), Text(&saved.code), Text(&saved.name), Text(&saved.created_at)],
    )?;
    Ok(())
}

pub fn delete_configuration(db: &mut dyn Db, customer: &str, id: &str) -> Result<bool, StoreError> {
    Ok(db.exec("DELETE FROM saved_configurations WHERE id = $1 AND customer_id = $2", &[Text(id), Text(customer)])? == 1)
}

pub fn link_order(db: &mut dyn Db, customer: &str, order: &str) -> Result<(), StoreError> {
    db.exec("INSERT INTO customer_orders (order_id, customer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", &[Text(order), Text(customer)])?;
    Ok(())
}

/// An order row's columns, as `sql_order_row` reads them.
const ORDER_COLUMNS: &str = "o.id, o.token_sha256, o.product, o.catalogue_version, o.choices_json, o.currency, o.total_minor, o.status, o.created_at,
    o.code, o.texts_json, o.contact_json, o.shipping_json, o.locale, o.channel, o.partner_id";

/// The customer's orders, newest first.
pub fn orders(db: &mut dyn Db, customer: &str) -> Result<Vec<OrderRow>, StoreError> {
    db.rows(
        &format!("SELECT {ORDER_COLUMNS} FROM customer_orders c JOIN orders o ON o.id = c.order_id WHERE c.customer_id = $1 ORDER BY o.id DESC"),
        &[Text(customer)],
    )?
    .iter()
    .map(crate::store::sql_order_row)
    .collect()
}

const LINK_COLUMNS: &str = "seq, id, customer_id, event_json, prev_sha256, sha256";

fn link_row(r: &Row) -> Result<Link, StoreError> {
    Ok(Link { seq: r.int(0)?, id: r.text(1)?, customer_id: r.text(2)?, event_json: r.text(3)?, prev_sha256: r.text(4)?, sha256: r.text(5)? })
}

/// The customer's events in log order.
pub fn links(db: &mut dyn Db, customer: &str) -> Result<Vec<Link>, StoreError> {
    db.rows(&format!("SELECT {LINK_COLUMNS} FROM consent_events WHERE customer_id = $1 ORDER BY seq"), &[Text(customer)])?.iter().map(link_row).collect()
}

pub fn all_links(db: &mut dyn Db) -> Result<Vec<Link>, StoreError> {
    db.rows(&format!("SELECT {LINK_COLUMNS} FROM consent_events ORDER BY seq"), &[])?.iter().map(link_row).collect()
}

/// The newest event of each (purpose, channel) of the customer.
pub fn latest(db: &mut dyn Db, customer: &str) -> Result<BTreeMap<(String, String), ConsentEvent>, StoreError> {
    let mut out = BTreeMap::new();
    for link in links(db, customer)? {
        let event: ConsentEvent =
            serde_json::from_str(&link.event_json).map_err(|e| StoreError::Database(format!("consent event {}: {e}", link.id)))?;
        out.insert((event.purpose.clone(), event.channel.clone()), event);
    }
    Ok(out)
}

/// Appends an event to its customer's chain (with the customer locked, so
/// two appends cannot both follow the same event).
pub fn append(db: &mut dyn Db, event: &ConsentEvent) -> Result<Link, StoreError> {
    db.lock_customer(&event.customer)?;
    let prev = db
        .row("SELECT sha256 FROM consent_events WHERE customer_id = $1 ORDER BY seq DESC LIMIT 1", &[Text(&event.customer)])?
        .map(|r| r.text(0))
        .transpose()?
        .unwrap_or_else(|| consent::GENESIS.to_string());
    let json = serde_json::to_string(event).map_err(|e| StoreError::Database(e.to_string()))?;
    let hash = consent::link_hash(&prev, &json);
    let seq = db
        .row(
            "INSERT INTO consent_events (id, customer_id, purpose, channel, state, event_json, prev_sha256, sha256)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
            &[Text(&event.id), Text(&event.customer), Text(&event.purpose), Text(&event.channel), Text(event.state.as_str()), Text(&json), Text(&prev), Text(&hash)],
        )?
        .ok_or_else(|| StoreError::Database("no seq returned".into()))?
        .int(0)?;
    Ok(Link { seq, id: event.id.clone(), customer_id: event.customer.clone(), event_json: json, prev_sha256: prev, sha256: hash })
}

pub fn event(db: &mut dyn Db, customer: &str, id: &str) -> Result<Option<Link>, StoreError> {
    db.row(&format!("SELECT {LINK_COLUMNS} FROM consent_events WHERE id = $1 AND customer_id = $2"), &[Text(id), Text(customer)])?
        .map(|r| link_row(&r))
        .transpose()
}

fn personal(db: &mut dyn Db, customer: &str) -> Result<(Option<String>, String), StoreError> {
    let r = db
        .row("SELECT measurements_json, answers_json FROM customers WHERE id = $1", &[Text(customer)])?
        .ok_or_else(|| StoreError::Database(format!("no customer {customer}")))?;
    Ok((r.opt_text(0)?, r.text(1)?))
}

/// Moves everything of `from` to `to` (saved configurations, orders,
/// sessions; measurements when `to` has none; answers `to` lacks), then
/// empties `from` and marks it merged.
pub fn merge(db: &mut dyn Db, from: &str, to: &str) -> Result<(), StoreError> {
    for table in ["saved_configurations", "customer_orders", "sessions"] {
        db.exec(&format!("UPDATE {table} SET customer_id = $2 WHERE customer_id = $1"), &[Text(from), Text(to)])?;
    }
    let (from_m, from_a) = personal(db, from)?;
    let (to_m, to_a) = personal(db, to)?;
    let mut answers: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&from_a).unwrap_or_default();
    let theirs: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&to_a).unwrap_or_default();
    answers.extend(theirs);
    let answers = serde_json::Value::Object(answers).to_string();
    let measurements = to_m.or(from_m);
    db.exec(
        "UPDATE customers SET measurements_json = $2, answers_json = $3 WHERE id = $1",
        &[Text(to), OptText(measurements.as_deref()), Text(&answers)],
    )?;
    db.exec(
        "UPDATE customers SET merged_into = $2, email = NULL, email_sha256 = NULL, measurements_json = NULL, answers_json = '{}' WHERE id = $1",
        &[Text(from), Text(to)],
    )?;
    Ok(())
}

/// Orders placed signed out (linked to no profile) with `email` as their
/// contact address, newest first: the address's owner may download and
/// erase them too.
pub fn signed_out_orders(db: &mut dyn Db, email: &str) -> Result<Vec<OrderRow>, StoreError> {
    let email = email.to_lowercase();
    // The LIKE only narrows the scan (`%` and `_` in an address can only
    // widen it); the contact's own address decides.
    let rows = db.rows(
        &format!(
            "SELECT {ORDER_COLUMNS} FROM orders o
             WHERE LOWER(o.contact_json) LIKE $1 AND NOT EXISTS (SELECT 1 FROM customer_orders c WHERE c.order_id = o.id)
             ORDER BY o.id DESC"
        ),
        &[Text(&format!("%{email}%"))],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let order = crate::store::sql_order_row(r)?;
        let contact: serde_json::Value = serde_json::from_str(&order.contact_json).unwrap_or_default();
        if contact["email"].as_str().is_some_and(|e| e.trim().to_lowercase() == email) {
            out.push(order);
        }
    }
    Ok(out)
}

/// The profiles merged into `customer`, and those merged into them, ...
fn merged_into(db: &mut dyn Db, customer: &str) -> Result<Vec<String>, StoreError> {
    let (mut found, mut next) = (Vec::new(), vec![customer.to_string()]);
    while let Some(id) = next.pop() {
        for r in db.rows("SELECT id FROM customers WHERE merged_into = $1", &[Text(&id)])? {
            let merged = r.text(0)?;
            if merged != customer && !found.contains(&merged) {
                found.push(merged.clone());
                next.push(merged);
            }
        }
    }
    Ok(found)
}

/// Erasure: personal data goes, every copy of it: orders (the profile's,
/// and those placed signed out with its address) stay without personal
/// fields; profiles merged into it are deleted with their consent events;
/// staff reads stay logged without their free-text reasons; the consent
/// log keeps only the erasure event (appended by the caller). Returns what
/// was removed from the log.
pub fn erase(db: &mut dyn Db, customer: &str, now: &str) -> Result<consent::Erased, StoreError> {
    db.lock_customer(customer)?;
    const BLANK: &str = "UPDATE orders SET contact_json = '{}', shipping_json = '{}', texts_json = '{}'";
    db.exec(&format!("{BLANK} WHERE id IN (SELECT order_id FROM customer_orders WHERE customer_id = $1)"), &[Text(customer)])?;
    let found = db.row("SELECT email_sha256, email FROM customers WHERE id = $1", &[Text(customer)])?;
    if let Some(r) = found
        && let (Some(digest), Some(email)) = (r.opt_text(0)?, r.opt_text(1)?)
    {
        for order in signed_out_orders(db, &email)? {
            db.exec(&format!("{BLANK} WHERE id = $1"), &[Text(&order.id)])?;
        }
        db.exec("DELETE FROM sign_in_codes WHERE email_sha256 = $1", &[Text(&digest)])?;
        db.exec("DELETE FROM sign_in_sends WHERE mailbox_sha256 = $1", &[Text(&mailbox_sha256(&email))])?;
    }
    for merged in merged_into(db, customer)? {
        delete_profile(db, &merged)?;
    }
    for table in ["customer_orders", "saved_configurations", "sessions"] {
        db.exec(&format!("DELETE FROM {table} WHERE customer_id = $1"), &[Text(customer)])?;
    }
    // Who read the profile, and when, stays accountable; what they wrote
    // as the reason may name the customer.
    db.exec("UPDATE staff_reads SET reason = $2 WHERE customer_id = $1", &[Text(customer), Text(ERASED_REASON)])?;
    db.exec(
        "UPDATE customers SET email = NULL, email_sha256 = NULL, measurements_json = NULL, answers_json = '{}', erased_at = $2 WHERE id = $1",
        &[Text(customer), Text(now)],
    )?;
    let links = links(db, customer)?;
    let head = links.last().map(|l| l.sha256.clone()).unwrap_or_else(|| consent::GENESIS.to_string());
    db.exec("DELETE FROM consent_events WHERE customer_id = $1", &[Text(customer)])?;
    Ok(consent::Erased { events: links.len() as u64, head_sha256: head })
}

/// A staff read's reason once the profile it read is erased.
pub const ERASED_REASON: &str = "(erased with the profile)";

/// The digest of the mailbox an address reaches: the local part without a
/// `+tag` (addresses are kept in lower case), so variants of one mailbox
/// count as one.
pub fn mailbox_sha256(email: &str) -> String {
    let mailbox = match email.split_once('@') {
        Some((local, domain)) => format!("{}@{domain}", local.split('+').next().unwrap_or(local)),
        None => email.to_string(),
    };
    crate::secrets::sha256_hex(mailbox.as_bytes())
}

/// Codes sent to a mailbox in a row, and when the last went out.
pub fn sends(db: &mut dyn Db, mailbox_sha256: &str) -> Result<Option<(i64, i64)>, StoreError> {
    db.row("SELECT sent, last_sent_at FROM sign_in_sends WHERE mailbox_sha256 = $1", &[Text(mailbox_sha256)])?
        .map(|r| Ok((r.int(0)?, r.int(1)?)))
        .transpose()
}

pub fn put_sends(db: &mut dyn Db, mailbox_sha256: &str, sent: i64, at: i64) -> Result<(), StoreError> {
    db.exec(
        "INSERT INTO sign_in_sends (mailbox_sha256, sent, last_sent_at) VALUES ($1, $2, $3)
         ON CONFLICT (mailbox_sha256) DO UPDATE SET sent = excluded.sent, last_sent_at = excluded.last_sent_at",
        &[Text(mailbox_sha256), Int(sent), Int(at)],
    )?;
    Ok(())
}

/// Codes mailed on `day` (UTC, `2026-12-01`), over all addresses.
pub fn mailed_on(db: &mut dyn Db, day: &str) -> Result<i64, StoreError> {
    Ok(db.row("SELECT sent FROM mail_days WHERE day = $1", &[Text(day)])?.map(|r| r.int(0)).transpose()?.unwrap_or(0))
}

pub fn count_mailed(db: &mut dyn Db, day: &str) -> Result<(), StoreError> {
    db.exec(
        "INSERT INTO mail_days (day, sent) VALUES ($1, 1) ON CONFLICT (day) DO UPDATE SET sent = mail_days.sent + 1",
        &[Text(day)],
    )?;
    Ok(())
}

pub fn forget_sends(db: &mut dyn Db, mailbox_sha256: &str) -> Result<(), StoreError> {
    db.exec("DELETE FROM sign_in_sends WHERE mailbox_sha256 = $1", &[Text(mailbox_sha256)])?;
    Ok(())
}

/// What [`expire`] deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expired {
    pub codes: u64,
    pub sessions: u64,
    pub profiles: u64,
}

/// A profile without a session, an address or an order is deleted a day
/// after it was made (nobody can reach it any more).
const UNREACHABLE_AFTER_SECONDS: i64 = 24 * 3600;

/// Deletes sign-in codes past their expiry, sessions past their lifetime or
/// idle time, and profiles nobody can reach any more (no session, address
/// or order: anonymous ones whose sessions ended, and merged ones) with
/// their saved configurations and consent events.
pub fn expire(db: &mut dyn Db, now: i64) -> Result<Expired, StoreError> {
    use crate::clock::rfc3339_ago;
    let codes = db.exec("DELETE FROM sign_in_codes WHERE expires_at < $1", &[Int(now)])?;
    // A mailbox's count of codes is forgotten after a quiet day anyway.
    db.exec("DELETE FROM sign_in_sends WHERE last_sent_at < $1", &[Int(now - 24 * 3600)])?;
    db.exec("DELETE FROM mail_days WHERE day < $1", &[Text(&crate::clock::utc_day(7))])?;
    let (oldest, idle) = (rfc3339_ago(crate::http::SESSION_SECONDS), rfc3339_ago(crate::http::SESSION_IDLE_SECONDS));
    let sessions = db.exec("DELETE FROM sessions WHERE created_at <= $1 OR last_seen_at <= $2", &[Text(&oldest), Text(&idle)])?;
    let unreachable = db.rows(
        "SELECT id FROM customers c WHERE c.email IS NULL AND c.erased_at IS NULL AND c.created_at < $1
           AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.customer_id = c.id)
           AND NOT EXISTS (SELECT 1 FROM customer_orders o WHERE o.customer_id = c.id)",
        &[Text(&rfc3339_ago(UNREACHABLE_AFTER_SECONDS))],
    )?;
    for r in &unreachable {
        delete_profile(db, &r.text(0)?)?;
    }
    Ok(Expired { codes, sessions, profiles: unreachable.len() as u64 })
}

/// Deletes a profile that holds no address and no order, with everything
/// it has: saved configurations, consent events; staff reads of it stay
/// logged without their reasons.
fn delete_profile(db: &mut dyn Db, customer: &str) -> Result<(), StoreError> {
    for table in ["saved_configurations", "consent_events", "sessions"] {
        db.exec(&format!("DELETE FROM {table} WHERE customer_id = $1"), &[Text(customer)])?;
    }
    db.exec("UPDATE staff_reads SET reason = $2 WHERE customer_id = $1", &[Text(customer), Text(ERASED_REASON)])?;
    db.exec("DELETE FROM customers WHERE id = $1", &[Text(customer)])?;
    Ok(())
}

/// A new sign-in code for the e-mail, bound to the browser that asked
/// (replacing that browser's older one; other browsers' codes stay).
pub fn put_code(db: &mut dyn Db, email_sha256: &str, browser_sha256: &str, code_sha256: &str, expires_at: i64) -> Result<(), StoreError> {
    db.exec(
        "INSERT INTO sign_in_codes (email_sha256, browser_sha256, code_sha256, expires_at, tries) VALUES ($1, $2, $3, $4, 0)
         ON CONFLICT (email_sha256, browser_sha256) DO UPDATE SET code_sha256 = excluded.code_sha256, expires_at = excluded.expires_at, tries = 0",
        &[Text(email_sha256), Text(browser_sha256), Text(code_sha256), Int(expires_at)],
    )?;
    Ok(())
}

/// (code digest, expiry, tries so far) of the code this browser asked for.
pub fn code(db: &mut dyn Db, email_sha256: &str, browser_sha256: &str) -> Result<Option<(String, i64, i64)>, StoreError> {
    db.row(
        "SELECT code_sha256, expires_at, tries FROM sign_in_codes WHERE email_sha256 = $1 AND browser_sha256 = $2",
        &[Text(email_sha256), Text(browser_sha256)],
    )?
    .map(|r| Ok((r.text(0)?, r.int(1)?, r.int(2)?)))
    .transpose()
}

pub fn count_try(db: &mut dyn Db, email_sha256: &str, browser_sha256: &str) -> Result<(), StoreError> {
    db.exec("UPDATE sign_in_codes SET tries = tries + 1 WHERE email_sha256 = $1 AND browser_sha256 = $2", &[Text(email_sha256), Text(browser_sha256)])?;
    Ok(())
}

pub fn drop_code(db: &mut dyn Db, email_sha256: &str, browser_sha256: &str) -> Result<(), StoreError> {
    db.exec("DELETE FROM sign_in_codes WHERE email_sha256 = $1 AND browser_sha256 = $2", &[Text(email_sha256), Text(browser_sha256)])?;
    Ok(())
}

/// Every code for the address, in every browser (once it has signed in).
pub fn drop_codes(db: &mut dyn Db, email_sha256: &str) -> Result<(), StoreError> {
    db.exec("DELETE FROM sign_in_codes WHERE email_sha256 = $1", &[Text(email_sha256)])?;
    Ok(())
}

pub fn log_staff_read(db: &mut dyn Db, staff: &str, role: &str, customer: &str, reason: &str, now: &str) -> Result<(), StoreError> {
    db.exec(
        "INSERT INTO staff_reads (staff_id, role, customer_id, reason, at) VALUES ($1, $2, $3, $4, $5)",
        &[Text(staff), Text(role), Text(customer), Text(reason), Text(now)],
    )?;
    Ok(())
}

/// (staff id, role, reason, at) of every staff read of the customer.
pub fn staff_reads(db: &mut dyn Db, customer: &str) -> Result<Vec<(String, String, String, String)>, StoreError> {
    db.rows("SELECT staff_id, role, reason, at FROM staff_reads WHERE customer_id = $1 ORDER BY seq", &[Text(customer)])?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?, r.text(2)?, r.text(3)?)))
        .collect()
}

/// Over every customer's newest event per (purpose, channel): how many are
/// in each state.
pub fn consent_counts(db: &mut dyn Db) -> Result<Vec<(String, String, String, i64)>, StoreError> {
    db.rows(
        "SELECT e.purpose, e.channel, e.state, COUNT(*)
         FROM consent_events e
         WHERE e.seq = (SELECT MAX(x.seq) FROM consent_events x WHERE x.customer_id = e.customer_id AND x.purpose = e.purpose AND x.channel = e.channel)
         GROUP BY e.purpose, e.channel, e.state ORDER BY e.purpose, e.channel, e.state",
        &[],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.text(1)?, r.text(2)?, r.int(3)?)))
    .collect()
}
