-- The shop's console (issue 18): a staff key typed once is exchanged for a
-- staff session (its cookie holds a fresh token; only the token's digest is
-- kept). A session ends when signed out, when unused for its idle time,
-- when older than its lifetime, or when its key is revoked. Times are Unix
-- seconds.
CREATE TABLE staff_sessions (
    token_sha256 TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

-- A new role, admin: staff keys, partners and catalogue health. The role
-- check is part of the table, so the table is rebuilt (the same statements
-- work on SQLite and PostgreSQL).
CREATE TABLE staff_keys_next (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('fulfilment', 'support', 'marketing', 'store', 'admin')),
    key_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
INSERT INTO staff_keys_next (id, name, role, key_sha256, created_at, revoked_at)
    SELECT id, name, role, key_sha256, created_at, revoked_at FROM staff_keys;
DROP TABLE staff_keys;
ALTER TABLE staff_keys_next RENAME TO staff_keys;
