-- Kiosk hand-off: a configuration kept for a short time under a one-time
-- code (only its digest), claimed once by the customer's phone.
CREATE TABLE handoffs (
    code_sha256 TEXT PRIMARY KEY,
    product     TEXT NOT NULL,
    config_code TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    claimed_at  BIGINT
);
