-- Sign-in codes are bound to the browser that asked for them (issue 15):
-- the digest of a short-lived cookie set with the code. Only that browser
-- can try the code, so someone else's wrong tries cannot use up the
-- customer's code; several browsers may hold codes for one address.
-- Codes live ten minutes, so the old ones are simply dropped.
DROP TABLE sign_in_codes;
CREATE TABLE sign_in_codes (
    email_sha256   TEXT NOT NULL,
    browser_sha256 TEXT NOT NULL,
    code_sha256    TEXT NOT NULL,
    expires_at     BIGINT NOT NULL,
    tries          BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (email_sha256, browser_sha256)
);
