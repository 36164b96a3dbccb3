-- Customer profiles (issue 6). A profile is made when a customer first saves
-- something; a browser holds it through a session cookie (only the cookie's
-- digest is stored). Personal fields are nullable so erasure can empty them.
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
    gpc          INTEGER NOT NULL DEFAULT 0
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
-- Which customer placed which order (orders placed while signed out have none).
CREATE TABLE customer_orders (
    order_id    TEXT PRIMARY KEY REFERENCES orders (id),
    customer_id TEXT NOT NULL REFERENCES customers (id)
);
CREATE INDEX customer_orders_customer ON customer_orders (customer_id);
-- The consent log: append-only; each event's hash covers its fields and the
-- previous event of the same customer (`tailor-server consent verify`).
CREATE TABLE consent_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
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
-- One-time sign-in codes (digests only), for ten minutes and five tries.
CREATE TABLE sign_in_codes (
    email_sha256 TEXT PRIMARY KEY,
    code_sha256  TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,
    tries        INTEGER NOT NULL DEFAULT 0
);
-- Every read of a customer's personal data by staff.
CREATE TABLE staff_reads (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id    TEXT NOT NULL,
    role        TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL
);
