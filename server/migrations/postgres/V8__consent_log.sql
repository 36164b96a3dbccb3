-- The two logs with a sequence number (PostgreSQL: BIGSERIAL; SQLite says
-- INTEGER PRIMARY KEY AUTOINCREMENT in its V8).
-- The consent log: append-only; each event's hash covers its fields and the
-- previous event of the same customer (`tailor-server consent verify`).
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
-- Every read of a customer's personal data by staff.
CREATE TABLE staff_reads (
    seq         BIGSERIAL PRIMARY KEY,
    staff_id    TEXT NOT NULL,
    role        TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL
);
