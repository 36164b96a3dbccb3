-- Partner sites that embed the configurator: the origins allowed to frame
-- it and to talk to it, a few theme tokens, and a key (digest only) with
-- which the partner's server reads its own orders.
CREATE TABLE partners (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    origins_json TEXT NOT NULL,
    theme_json   TEXT NOT NULL DEFAULT '{}',
    key_sha256   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);
