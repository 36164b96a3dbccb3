-- Sessions also end after a month unused (issue 15): when each was last
-- seen, written at most once an hour. Sessions from before count as seen
-- when they were made.
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT NOT NULL DEFAULT '';
UPDATE sessions SET last_seen_at = created_at;
CREATE INDEX customers_created ON customers (created_at);
