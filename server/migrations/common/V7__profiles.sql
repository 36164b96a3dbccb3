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
-- Which customer placed which order (orders placed while signed out have none).
CREATE TABLE customer_orders (
    order_id    TEXT PRIMARY KEY REFERENCES orders (id),
    customer_id TEXT NOT NULL REFERENCES customers (id)
);
CREATE INDEX customer_orders_customer ON customer_orders (customer_id);
-- One-time sign-in codes (digests only), for ten minutes and five tries.
CREATE TABLE sign_in_codes (
    email_sha256 TEXT PRIMARY KEY,
    code_sha256  TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    tries        BIGINT NOT NULL DEFAULT 0
);
