-- "Call staff" on a kiosk: a call from a named place, open until a member
-- of staff answers it. Nothing personal: the place and, if one was open,
-- the product.
CREATE TABLE staff_calls (
    id          TEXT PRIMARY KEY,
    place       TEXT NOT NULL,
    product     TEXT,
    created_at  BIGINT NOT NULL,
    answered_at BIGINT,
    answered_by TEXT
);
CREATE INDEX staff_calls_open ON staff_calls (place, answered_at);

-- Staff on the shop floor answer the calls: the role 'store' (kiosk calls
-- only). The role check is part of the table, so the table is rebuilt (the
-- same statements work on SQLite and PostgreSQL).
CREATE TABLE staff_keys_next (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('fulfilment', 'support', 'marketing', 'store')),
    key_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
INSERT INTO staff_keys_next (id, name, role, key_sha256, created_at, revoked_at)
    SELECT id, name, role, key_sha256, created_at, revoked_at FROM staff_keys;
DROP TABLE staff_keys;
ALTER TABLE staff_keys_next RENAME TO staff_keys;
