//! Queries written once for both backends, over the common SQL face
//! (`sql::Db`): order lists and status changes, staff keys, and the order
//! row as read back. Only what is truly different per backend stays in
//! `mod.rs` (SQLite) and `pg.rs`: taking an order under its idempotency key
//! (SQLite's group-commit writer with its key log in memory, PostgreSQL's
//! unique key) and reading an order by id or key on that path.

use super::rows::{OrderRow, StaffKey, StatusChange, StoreError};
use super::sql::Db;
use super::sql::Param::{Int, Text};
use super::sql::Row;

/// The columns [`order_row`] reads, in its order.
pub const ORDER_COLUMNS: &str = "id, token_sha256, product, catalogue_version, choices_json, currency, total_minor, status, created_at,
     code, texts_json, contact_json, shipping_json, locale, channel, partner_id";

pub fn order_row(r: &Row) -> Result<OrderRow, StoreError> {
    Ok(OrderRow {
        id: r.text(0)?,
        token_sha256: r.text(1)?,
        product: r.text(2)?,
        catalogue_version: r.text(3)?,
        choices_json: r.text(4)?,
        currency: r.text(5)?,
        total_minor: r.int(6)?,
        status: r.text(7)?,
        created_at: r.text(8)?,
        code: r.text(9)?,
        texts_json: r.text(10)?,
        contact_json: r.text(11)?,
        shipping_json: r.text(12)?,
        locale: r.text(13)?,
        channel: r.text(14)?,
        partner_id: r.opt_text(15)?,
    })
}

/// Orders with `status`, oldest first, with ids after `after` (for paging).
pub fn list(db: &mut dyn Db, status: &str, after: &str, limit: usize) -> Result<Vec<OrderRow>, StoreError> {
    db.rows(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE status = $1 AND id > $2 ORDER BY id LIMIT $3"), &[Text(status), Text(after), Int(limit as i64)])?
        .iter()
        .map(order_row)
        .collect()
}

/// Moves order `id` to `to` if its status is one of `from`: read, check,
/// then a write that holds only if the status is still the one read.
pub fn set_status(db: &mut dyn Db, id: &str, from: &[&str], to: &str) -> Result<StatusChange, StoreError> {
    let Some(current) = db.row("SELECT status FROM orders WHERE id = $1", &[Text(id)])?.map(|r| r.text(0)).transpose()? else {
        return Ok(StatusChange::NotFound);
    };
    if !from.contains(&current.as_str()) {
        return Ok(StatusChange::Conflict { current });
    }
    let n = db.exec("UPDATE orders SET status = $2 WHERE id = $1 AND status = $3", &[Text(id), Text(to), Text(&current)])?;
    Ok(if n == 1 { StatusChange::Changed } else { StatusChange::Conflict { current } })
}

const STAFF_COLUMNS: &str = "id, name, role, created_at, revoked_at";

/// A staff key from the columns `id, name, role, created_at, revoked_at`,
/// in that order.
pub(crate) fn staff_row(r: &Row) -> Result<StaffKey, StoreError> {
    Ok(StaffKey { id: r.text(0)?, name: r.text(1)?, role: r.text(2)?, created_at: r.text(3)?, revoked_at: r.opt_text(4)? })
}

/// The staff key whose digest is `key_sha256`, unless revoked.
pub fn staff_by_digest(db: &mut dyn Db, key_sha256: &str) -> Result<Option<StaffKey>, StoreError> {
    db.row(&format!("SELECT {STAFF_COLUMNS} FROM staff_keys WHERE key_sha256 = $1 AND revoked_at IS NULL"), &[Text(key_sha256)])?
        .map(|r| staff_row(&r))
        .transpose()
}

pub fn add_staff(db: &mut dyn Db, key: &StaffKey, key_sha256: &str) -> Result<(), StoreError> {
    db.exec(
        "INSERT INTO staff_keys (id, name, role, key_sha256, created_at) VALUES ($1, $2, $3, $4, $5)",
        &[Text(&key.id), Text(&key.name), Text(&key.role), Text(key_sha256), Text(&key.created_at)],
    )?;
    Ok(())
}

pub fn list_staff(db: &mut dyn Db) -> Result<Vec<StaffKey>, StoreError> {
    db.rows(&format!("SELECT {STAFF_COLUMNS} FROM staff_keys ORDER BY created_at, id"), &[])?.iter().map(staff_row).collect()
}

/// Revokes key `id` at `when`; false when there is no such active key.
/// Its staff sessions end with it.
pub fn revoke_staff(db: &mut dyn Db, id: &str, when: &str) -> Result<bool, StoreError> {
    let revoked = db.exec("UPDATE staff_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", &[Text(id), Text(when)])? == 1;
    db.exec("DELETE FROM staff_sessions WHERE staff_id = $1", &[Text(id)])?;
    Ok(revoked)
}
