-- The same data as the SQLite migrations 0001-0004, in PostgreSQL's words.
CREATE TABLE orders (
    id                TEXT PRIMARY KEY,
    token_sha256      TEXT NOT NULL,
    product           TEXT NOT NULL,
    catalogue_version TEXT NOT NULL,
    choices_json      TEXT NOT NULL,
    currency          TEXT NOT NULL,
    total_minor       BIGINT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'new',
    created_at        TEXT NOT NULL,
    code              TEXT NOT NULL DEFAULT '',
    texts_json        TEXT NOT NULL DEFAULT '{}',
    contact_json      TEXT NOT NULL DEFAULT '{}',
    shipping_json     TEXT NOT NULL DEFAULT '{}',
    locale            TEXT NOT NULL DEFAULT 'en',
    channel           TEXT NOT NULL DEFAULT 'web',
    partner_id        TEXT
);
CREATE INDEX orders_created_at ON orders (created_at);
CREATE INDEX orders_status_id ON orders (status, id);
CREATE TABLE idempotency_keys (
    key            TEXT PRIMARY KEY,
    request_sha256 TEXT NOT NULL,
    order_id       TEXT NOT NULL REFERENCES orders (id),
    created_at     TEXT NOT NULL
);
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
CREATE TABLE staff_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('fulfilment', 'support', 'marketing')),
    key_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
