-- Kiosks registered by staff (issue 15): a place's name and the digest of
-- its kiosk key (`tkk_`, in the kiosk's address). Only a registered,
-- unrevoked kiosk calls staff, and only to its own place.
CREATE TABLE kiosk_places (
    name       TEXT PRIMARY KEY,
    key_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
