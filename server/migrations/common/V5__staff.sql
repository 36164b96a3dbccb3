-- Staff API keys with a role (what the holder needs to know and do):
-- 'fulfilment' lists orders to make and ship and moves their status;
-- 'support' and 'marketing' are defined for the privacy work to come and
-- read nothing here yet. Only a digest of each key is stored.
CREATE TABLE staff_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('fulfilment', 'support', 'marketing')),
    key_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX orders_status_id ON orders (status, id);
