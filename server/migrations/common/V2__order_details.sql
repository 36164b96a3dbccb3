-- The configuration code, free texts, contact and shipping details, and
-- where the order came from.
ALTER TABLE orders ADD COLUMN code TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN texts_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE orders ADD COLUMN contact_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE orders ADD COLUMN shipping_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE orders ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
ALTER TABLE orders ADD COLUMN channel TEXT NOT NULL DEFAULT 'web';
ALTER TABLE orders ADD COLUMN partner_id TEXT;
