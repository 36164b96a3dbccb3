-- Nothing looks orders up by time (ids are time-ordered and listed by
-- status and id), so this index only cost a write per order. (SQLite's V6
-- also turns the idempotency keys into a log; PostgreSQL keeps the unique
-- key of V3.)
DROP INDEX IF EXISTS orders_created_at;
