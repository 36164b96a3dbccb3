-- Sign-in codes mailed per day (UTC), over every address and client
-- (issue 15): past the day's cap no code is sent until the next day.
-- Days older than a week are swept.
CREATE TABLE mail_days (
    day  TEXT PRIMARY KEY,
    sent BIGINT NOT NULL
);
