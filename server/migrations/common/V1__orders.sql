-- Orders as the server checked and priced them.
CREATE TABLE orders (
    id             TEXT PRIMARY KEY,
    token_sha256   TEXT NOT NULL,
    product        TEXT NOT NULL,
    catalogue_version TEXT NOT NULL,
    choices_json   TEXT NOT NULL,
    currency       TEXT NOT NULL,
    total_minor    BIGINT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'new',
    created_at     TEXT NOT NULL
);
CREATE INDEX orders_created_at ON orders (created_at);
