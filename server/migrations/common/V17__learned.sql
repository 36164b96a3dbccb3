-- What the shop learned from its own orders (issue 16), per product: the
-- aggregate counts the browser downloads (no order, customer or personal
-- field; counts under k dropped), for the catalogue version they were
-- learned for. Remade from the orders at start-up and every hour.
CREATE TABLE learned (
    product  TEXT PRIMARY KEY,
    version  TEXT NOT NULL,
    orders   BIGINT NOT NULL,
    json     TEXT NOT NULL,
    made_at  TEXT NOT NULL
);
