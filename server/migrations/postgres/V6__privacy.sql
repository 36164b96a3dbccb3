-- Customer profiles and consent (SQLite V6, in PostgreSQL's words: sequences are BIGSERIAL).
CREATE TABLE customers (
    id                TEXT PRIMARY KEY,
    created_at        TEXT NOT NULL,
    email             TEXT,
    email_sha256      TEXT UNIQUE,
    measurements_json TEXT,
    answers_json      TEXT NOT NULL DEFAULT '{}',
    merged_into       TEXT,
    erased_at         TEXT
);
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    created_at   TEXT NOT NULL,
    gpc          BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sessions_customer ON sessions (customer_id);
CREATE TABLE saved_configurations (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    product     TEXT NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX saved_configurations_customer ON saved_configurations (customer_id);
CREATE TABLE customer_orders (
    order_id    TEXT PRIMARY KEY REFERENCES orders (id),
    customer_id TEXT NOT NULL REFERENCES customers (id)
);
CREATE INDEX customer_orders_customer ON customer_orders (customer_id);
CREATE TABLE consent_events (
    seq         BIGSERIAL PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    channel     TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL,
    event_json  TEXT NOT NULL,
    prev_sha256 TEXT NOT NULL,
    sha256      TEXT NOT NULL
);
CREATE INDEX consent_events_customer ON consent_events (customer_id, purpose, channel, seq);
CREATE TABLE sign_in_codes (
    email_sha256 TEXT PRIMARY KEY,
    code_sha256  TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    tries        BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE staff_reads (
    seq         BIGSERIAL PRIMARY KEY,
    staff_id    TEXT NOT NULL,
    role        TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL
);
