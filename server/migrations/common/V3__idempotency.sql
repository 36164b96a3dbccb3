-- Each order's idempotency key (sent by the client) and a digest of the
-- request body it came with: a retry with the same key and body answers the
-- same order, a different body with the same key is refused. (SQLite turns
-- this into an append-only log in V6; PostgreSQL keeps the unique key.)
CREATE TABLE idempotency_keys (
    key            TEXT PRIMARY KEY,
    request_sha256 TEXT NOT NULL,
    order_id       TEXT NOT NULL REFERENCES orders (id),
    created_at     TEXT NOT NULL
);
