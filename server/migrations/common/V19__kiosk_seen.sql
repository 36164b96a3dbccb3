-- The store's console shows which kiosks are on (issue 18): a registered
-- kiosk says so every minute; when it last did, in Unix seconds (NULL:
-- never).
ALTER TABLE kiosk_places ADD COLUMN last_seen_at BIGINT;
