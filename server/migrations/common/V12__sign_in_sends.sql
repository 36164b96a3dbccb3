-- Sign-in codes sent per mailbox (the address without a +tag, so variants
-- of one mailbox count together): how many in a row and when the last went
-- out. Each next code waits twice as long as the one before (30 s, then up
-- to an hour), across codes, until a day passes quietly or the mailbox's
-- owner signs in.
CREATE TABLE sign_in_sends (
    mailbox_sha256 TEXT PRIMARY KEY,
    sent           BIGINT NOT NULL,
    last_sent_at   BIGINT NOT NULL
);
