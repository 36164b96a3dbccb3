-- Each order's idempotency key (sent by the client) and a digest of the
-- request body it came with: a retry with the same key and body answers the
-- same order, a different body with the same key is refused. On PostgreSQL
-- the key stays unique in the table (several instances write orders).
CREATE TABLE idempotency_keys (
    key            TEXT PRIMARY KEY,
    request_sha256 TEXT NOT NULL,
    order_id       TEXT NOT NULL REFERENCES orders (id),
    created_at     TEXT NOT NULL
);
-- Secrets the server keeps with its data (so every instance shares them):
-- 'order-token' derives each order's access token from its id.
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
