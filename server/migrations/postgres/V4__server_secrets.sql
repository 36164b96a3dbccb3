-- Secrets the server keeps with its data (so every instance shares them):
-- 'order-token' derives each order's access token from its id.
CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value BYTEA NOT NULL);
