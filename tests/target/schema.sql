-- SPDX-License-Identifier: GPL-2.0-only
-- Schema and deterministic seed of the demo Smart Dairy database: Odoo's
-- table names plus the farm tables, filled with generate_series and fixed
-- arithmetic (no random()), so every build holds the same rows.
--
-- start.sh runs this file once per cluster inside one transaction
-- (psql --single-transaction) as the database owner, then VACUUM (FREEZE,
-- ANALYZE). Tables are created and loaded in the same transaction under
-- wal_level=minimal, so the bulk inserts skip WAL; indexes and foreign keys
-- come after the data. The cache key of a seeded cluster is a hash of this
-- file, so any edit here reseeds.
--
-- The seeded "today" is 2025-06-30 (app.py DEMO_TODAY): order dates and milk
-- records lie before it, and "recent" figures are counted back from it.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE res_partner (
    id          serial PRIMARY KEY,
    name        varchar NOT NULL,
    email       varchar,
    phone       varchar,
    street      varchar,
    city        varchar,
    is_company  boolean NOT NULL DEFAULT false,
    active      boolean NOT NULL DEFAULT true,
    create_date timestamp NOT NULL DEFAULT now()
);

CREATE TABLE res_users (
    id          serial PRIMARY KEY,
    login       varchar NOT NULL,
    password    varchar NOT NULL,
    partner_id  integer NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    create_date timestamp NOT NULL DEFAULT now()
);

CREATE TABLE product_category (
    id            serial PRIMARY KEY,
    name          varchar NOT NULL,
    parent_id     integer,
    complete_name varchar NOT NULL
);

CREATE TABLE product_template (
    id           serial PRIMARY KEY,
    name         varchar NOT NULL,
    default_code varchar,
    list_price   numeric(12, 2) NOT NULL DEFAULT 0,
    categ_id     integer NOT NULL,
    active       boolean NOT NULL DEFAULT true,
    sale_ok      boolean NOT NULL DEFAULT true,
    description  text,
    create_date  timestamp NOT NULL DEFAULT now()
);

CREATE TABLE sale_order (
    id               serial PRIMARY KEY,
    name             varchar NOT NULL,
    partner_id       integer NOT NULL,
    user_id          integer,
    date_order       timestamp NOT NULL,
    state            varchar NOT NULL DEFAULT 'draft'
                     CHECK (state IN ('draft', 'sale', 'done', 'cancel')),
    amount_total     numeric(14, 2) NOT NULL DEFAULT 0,
    payment_method   varchar,
    delivery_address text,
    create_date      timestamp NOT NULL DEFAULT now()
);

CREATE TABLE sale_order_line (
    id              serial PRIMARY KEY,
    order_id        integer NOT NULL,
    product_id      integer NOT NULL,
    name            text NOT NULL,
    product_uom_qty numeric(12, 3) NOT NULL DEFAULT 1,
    price_unit      numeric(12, 2) NOT NULL DEFAULT 0,
    price_total     numeric(14, 2) NOT NULL DEFAULT 0
);

CREATE TABLE farm_animal (
    id         serial PRIMARY KEY,
    name       varchar NOT NULL,
    tag        varchar NOT NULL,
    breed      varchar NOT NULL,
    status     varchar NOT NULL,
    birth_date date NOT NULL
);

CREATE TABLE farm_milk_record (
    id            serial PRIMARY KEY,
    animal_id     integer NOT NULL,
    record_date   date NOT NULL,
    morning_yield numeric(6, 2) NOT NULL,
    evening_yield numeric(6, 2) NOT NULL,
    total_yield   numeric(6, 2) NOT NULL
);

-- Odoo's ir_sequence: the 'sale.order' row is the hot row of the lock fault.
CREATE TABLE ir_sequence (
    id             serial PRIMARY KEY,
    name           varchar NOT NULL,
    code           varchar NOT NULL,
    prefix         varchar NOT NULL,
    padding        integer NOT NULL,
    number_next    integer NOT NULL,
    implementation varchar NOT NULL
);

-- Order names outside the lock fault come from a plain sequence, as Odoo's
-- 'standard' implementation does.
CREATE SEQUENCE sale_order_name_seq START 100001;

INSERT INTO ir_sequence (name, code, prefix, padding, number_next, implementation)
VALUES ('Sales Order', 'sale.order', 'SO', 6, 100001, 'no_gap');

-- Categories: a root, ten families, and 24 leaves that hold the products.
INSERT INTO product_category (id, name, parent_id, complete_name) VALUES
    (1, 'All', NULL, 'All'),
    (2, 'Milk', 1, 'All / Milk'),
    (3, 'Yogurt', 1, 'All / Yogurt'),
    (4, 'Cheese', 1, 'All / Cheese'),
    (5, 'Butter & Ghee', 1, 'All / Butter & Ghee'),
    (6, 'Ice Cream', 1, 'All / Ice Cream'),
    (7, 'Sweets', 1, 'All / Sweets'),
    (8, 'Cattle Feed', 1, 'All / Cattle Feed'),
    (9, 'Veterinary', 1, 'All / Veterinary'),
    (10, 'Farm Equipment', 1, 'All / Farm Equipment'),
    (11, 'Subscriptions', 1, 'All / Subscriptions'),
    (12, 'Fresh Milk', 2, 'All / Milk / Fresh Milk'),
    (13, 'UHT Milk', 2, 'All / Milk / UHT Milk'),
    (14, 'Flavoured Milk', 2, 'All / Milk / Flavoured Milk'),
    (15, 'Mishti Doi', 3, 'All / Yogurt / Mishti Doi'),
    (16, 'Plain Yogurt', 3, 'All / Yogurt / Plain Yogurt'),
    (17, 'Paneer', 4, 'All / Cheese / Paneer'),
    (18, 'Cheddar', 4, 'All / Cheese / Cheddar'),
    (19, 'Butter', 5, 'All / Butter & Ghee / Butter'),
    (20, 'Ghee', 5, 'All / Butter & Ghee / Ghee'),
    (21, 'Cups', 6, 'All / Ice Cream / Cups'),
    (22, 'Tubs', 6, 'All / Ice Cream / Tubs'),
    (23, 'Rasmalai', 7, 'All / Sweets / Rasmalai'),
    (24, 'Sandesh', 7, 'All / Sweets / Sandesh'),
    (25, 'Concentrate', 8, 'All / Cattle Feed / Concentrate'),
    (26, 'Fodder', 8, 'All / Cattle Feed / Fodder'),
    (27, 'Mineral Mix', 8, 'All / Cattle Feed / Mineral Mix'),
    (28, 'Medicine', 9, 'All / Veterinary / Medicine'),
    (29, 'Vaccines', 9, 'All / Veterinary / Vaccines'),
    (30, 'Milking', 10, 'All / Farm Equipment / Milking'),
    (31, 'Storage', 10, 'All / Farm Equipment / Storage'),
    (32, 'Tools', 10, 'All / Farm Equipment / Tools'),
    (33, 'Milk Plans', 11, 'All / Subscriptions / Milk Plans'),
    (34, 'Family Plans', 11, 'All / Subscriptions / Family Plans'),
    (35, 'Organic Milk', 2, 'All / Milk / Organic Milk');

-- Products: 2,400 (30 kinds x 10 qualities x 8 sizes, each name unique);
-- every 11th is archived, leaving 2,182 active.
CREATE TEMP TABLE seed_kind (k integer, base varchar, categ integer, price numeric) ON COMMIT DROP;
INSERT INTO seed_kind VALUES
    (0, 'Fresh Milk', 12, 90), (1, 'UHT Milk', 13, 110), (2, 'Chocolate Milk', 14, 60),
    (3, 'Mango Milk', 14, 60), (4, 'Mishti Doi', 15, 120), (5, 'Plain Yogurt', 16, 100),
    (6, 'Paneer', 17, 350), (7, 'Cheddar Cheese', 18, 650), (8, 'Butter', 19, 280),
    (9, 'Ghee', 20, 900), (10, 'Vanilla Ice Cream Cup', 21, 50), (11, 'Kulfi Ice Cream Tub', 22, 450),
    (12, 'Rasmalai', 23, 400), (13, 'Sandesh', 24, 380), (14, 'Dairy Concentrate Feed', 25, 1800),
    (15, 'Napier Grass Fodder', 26, 600), (16, 'Mineral Mix', 27, 750), (17, 'Calcium Drench', 28, 320),
    (18, 'FMD Vaccine', 29, 950), (19, 'Milking Machine Liner', 30, 1400), (20, 'Milk Can', 31, 2200),
    (21, 'Hoof Trimmer', 32, 1600), (22, 'Daily Milk Plan', 33, 2700), (23, 'Family Milk Plan', 34, 5200),
    (24, 'Organic Cow Milk', 35, 140), (25, 'Low Fat Milk', 12, 95), (26, 'Lactose Free Milk', 13, 150),
    (27, 'Strawberry Milk', 14, 65), (28, 'Greek Yogurt', 16, 180), (29, 'Milk Powder', 13, 850);

INSERT INTO product_template (id, name, default_code, list_price, categ_id, active, sale_ok, description, create_date)
SELECT i + 1,
       (ARRAY['Classic', 'Premium', 'Farm Fresh', 'Organic', 'Family', 'Lite', 'Gold', 'Select',
              'Village', 'Deluxe'])[1 + (i / 30) % 10]
           || ' ' || k.base || ' '
           || (ARRAY['250ml', '500ml', '1L', '2L', '200g', '500g', '1kg', '5kg'])[1 + (i / 300) % 8],
       'SD-' || lpad((i + 1)::text, 5, '0'),
       round(k.price * (1 + ((i / 300) % 8) * 0.35) * (1 + ((i / 30) % 10) * 0.04), 2),
       k.categ,
       (i + 1) % 11 <> 0,
       true,
       -- About 1,200 characters, like a real shop's sale description: long
       -- enough that matching it with ILIKE on every row costs tens of ms
       -- (the slow_query fault's search does).
       'Smart Dairy ' || lower(k.base) || ', batch ' || ((i * 7) % 97)
           || '. Produced and packed at the Smart Dairy farm from the milk of our own herd of '
           || 'Holstein Friesian, Sahiwal and Red Chittagong cows, fed on Napier grass and '
           || 'balanced concentrate, milked twice a day and chilled to 4 degrees within two hours. '
           || 'Nutrition per 100 g: energy ' || (40 + (i * 13) % 300) || ' kcal, protein '
           || round(2.5 + (i % 17) * 0.4, 1) || ' g, fat ' || round(0.5 + (i % 23) * 0.7, 1)
           || ' g, carbohydrate ' || round(3.0 + (i % 19) * 0.9, 1) || ' g, calcium '
           || (90 + (i * 7) % 60) || ' mg. Keep refrigerated between 2 and 6 degrees and consume '
           || 'within three days of opening; best before the date printed on the pack. '
           || 'Delivered in insulated boxes across Dhaka, Chattogram and Sylhet; orders placed '
           || 'before 10 pm arrive the next morning. Pay by cash on delivery, bKash or Nagad. '
           || 'Allergens: contains milk and milk products; made in a facility that also handles '
           || 'nuts. Every batch is tested for fat, solids-not-fat, antibiotics and added water '
           || 'at our own laboratory before it leaves the farm, and the results are kept for two '
           || 'years. Packaging is food-grade and recyclable; return clean glass bottles and cans '
           || 'to the delivery team for a deposit refund. Smart Dairy works with 120 smallholder '
           || 'farmers around the farm who supply fodder and receive veterinary support. '
           || 'Quality grade ' || (1 + (i / 30) % 10) || ', size code ' || (1 + (i / 300) % 8) || '.',
       timestamp '2024-01-01' + i * interval '1 hour'
FROM generate_series(0, 2399) AS i
JOIN seed_kind k ON k.k = i % 30;

-- Partners: 5,000 customers; partner N belongs to user N for N <= 1000.
INSERT INTO res_partner (id, name, email, phone, street, city, is_company, active, create_date)
SELECT i,
       (ARRAY['Abdul', 'Rahima', 'Karim', 'Fatema', 'Hasan', 'Nusrat', 'Rafiq', 'Sadia', 'Tanvir',
              'Ayesha', 'Imran', 'Farhana', 'Jamal', 'Sharmin', 'Kamal', 'Ruma', 'Mizan', 'Shapla',
              'Sohel', 'Lipi'])[1 + i % 20]
           || ' '
           || (ARRAY['Rahman', 'Hossain', 'Ahmed', 'Islam', 'Chowdhury', 'Khan', 'Sarkar', 'Uddin',
                     'Akter', 'Begum', 'Talukder', 'Mia', 'Bhuiyan', 'Sheikh', 'Molla'])[1 + (i / 20) % 15],
       'customer' || i || '@example.com',
       '+8801' || lpad(((i * 7919) % 1000000000)::text, 9, '0'),
       'House ' || (1 + i % 120) || ', Road ' || (1 + (i / 120) % 40),
       (ARRAY['Dhaka', 'Chattogram', 'Sylhet', 'Khulna', 'Rajshahi', 'Barishal', 'Rangpur',
              'Mymensingh'])[1 + (i * 3) % 8],
       i % 25 = 0,
       true,
       timestamp '2023-01-01' + i * interval '97 minutes'
FROM generate_series(1, 5000) AS i;

-- Users: user1..user1000 with password pass1..pass1000, plus admin/admin.
INSERT INTO res_users (id, login, password, partner_id, active)
SELECT i, 'user' || i, 'pass' || i, i, true
FROM generate_series(1, 1000) AS i;
INSERT INTO res_users (id, login, password, partner_id, active) VALUES (1001, 'admin', 'admin', 1, true);

-- Order lines: 100,000 orders with 1-4 lines each (about 250,000 lines),
-- each on an active product at its list price. Partner of order o is
-- 1 + (o * 7919) % 5000, so every partner has exactly 20 orders.
INSERT INTO sale_order_line (order_id, product_id, name, product_uom_qty, price_unit, price_total)
SELECT o, p.id, p.name, q.qty, p.list_price, q.qty * p.list_price
FROM generate_series(1, 100000) AS o
-- Line count from the high bits of an LCG step on o, so it does not follow
-- o % 5000 (the partner).
CROSS JOIN LATERAL generate_series(1, 1 + (((o::bigint * 69069 + 1) % 4294967296) / 65536)::integer % 4) AS j
CROSS JOIN LATERAL (
    SELECT 1 + (o * 131 + j * 977) % 2400 AS pid, 1 + (o + j * 3) % 5 AS qty
) AS q
JOIN product_template p
  ON p.id = CASE WHEN q.pid % 11 = 0 THEN q.pid - 1 ELSE q.pid END
ORDER BY o, j;

INSERT INTO sale_order (id, name, partner_id, user_id, date_order, state, amount_total,
                        payment_method, delivery_address, create_date)
SELECT o,
       'SO' || lpad(o::text, 6, '0'),
       1 + (o * 7919) % 5000,
       NULL,
       d.date_order,
       CASE WHEN s.k = 0 THEN 'cancel'
            WHEN s.k IN (1, 2) THEN 'draft'
            WHEN s.k < 10 THEN 'sale'
            ELSE 'done' END,
       t.total,
       (ARRAY['cash', 'bkash', 'nagad'])[1 + o % 3],
       'House ' || (1 + o % 120) || ', Road ' || (1 + (o / 120) % 40) || ', '
           || (ARRAY['Dhaka', 'Chattogram', 'Sylhet', 'Khulna', 'Rajshahi', 'Barishal', 'Rangpur',
                     'Mymensingh'])[1 + (o * 5) % 8],
       d.date_order
FROM generate_series(1, 100000) AS o
CROSS JOIN LATERAL (
    SELECT timestamp '2025-06-30 20:00' - ((o::bigint * 104729) % 365) * interval '1 day'
           - ((o * 31) % 720) * interval '1 minute' AS date_order
) AS d
-- The state must not follow o % 5000 (the partner), or each partner's
-- orders would all share one state: high bits of an LCG step on o.
CROSS JOIN LATERAL (SELECT (((o::bigint * 1103515245 + 12345) % 2147483648) / 65536)::integer % 20 AS k) AS s
JOIN (SELECT order_id, sum(price_total) AS total FROM sale_order_line GROUP BY order_id) AS t
  ON t.order_id = o;

-- Farm: 500 animals and one milk record per animal per day for 180 days.
INSERT INTO farm_animal (id, name, tag, breed, status, birth_date)
SELECT a,
       (ARRAY['Lali', 'Dhola', 'Shyamoli', 'Kajol', 'Moyna', 'Bokul', 'Champa', 'Rani', 'Jhumur',
              'Pori'])[1 + a % 10] || ' ' || a,
       'SD-' || lpad(a::text, 4, '0'),
       (ARRAY['Holstein Friesian', 'Sahiwal', 'Jersey', 'Red Chittagong', 'HF Cross'])[1 + (a * 3) % 5],
       CASE WHEN a % 20 < 16 THEN 'active'
            WHEN a % 20 < 18 THEN 'dry'
            WHEN a % 20 = 18 THEN 'sick'
            ELSE 'sold' END,
       date '2025-06-30' - (700 + (a * 53) % 2500)
FROM generate_series(1, 500) AS a;

INSERT INTO farm_milk_record (animal_id, record_date, morning_yield, evening_yield, total_yield)
SELECT a, date '2025-06-30' - d, y.m, y.e, y.m + y.e
FROM generate_series(1, 500) AS a
CROSS JOIN generate_series(0, 179) AS d
CROSS JOIN LATERAL (
    -- Per-cow level and cycle, a herd-wide seasonal swing, a Friday dip.
    SELECT round((6 + (a % 7) + 1.5 * sin(d / 9.0 + a) + 1.2 * sin(d / 29.0)
                  - CASE WHEN d % 7 = 3 THEN 0.6 ELSE 0 END)::numeric, 2) AS m,
           round((4.5 + (a % 5) + 1.2 * cos(d / 11.0 + a) + 0.9 * sin(d / 29.0))::numeric, 2) AS e
) AS y
ORDER BY d DESC, a;

SELECT setval(pg_get_serial_sequence('res_partner', 'id'), (SELECT max(id) FROM res_partner));
SELECT setval(pg_get_serial_sequence('res_users', 'id'), (SELECT max(id) FROM res_users));
SELECT setval(pg_get_serial_sequence('product_category', 'id'), (SELECT max(id) FROM product_category));
SELECT setval(pg_get_serial_sequence('product_template', 'id'), (SELECT max(id) FROM product_template));
SELECT setval(pg_get_serial_sequence('sale_order', 'id'), (SELECT max(id) FROM sale_order));
SELECT setval(pg_get_serial_sequence('farm_animal', 'id'), (SELECT max(id) FROM farm_animal));

-- Indexes after the data: what the app's normal paths use.
CREATE UNIQUE INDEX res_users_login_key ON res_users (login);
CREATE INDEX res_users_partner_id_idx ON res_users (partner_id);
CREATE INDEX product_category_parent_id_idx ON product_category (parent_id);
CREATE INDEX product_template_categ_id_idx ON product_template (categ_id);
CREATE INDEX product_template_default_code_idx ON product_template (default_code);
CREATE INDEX product_template_name_idx ON product_template (name);
CREATE INDEX product_template_name_trgm_idx ON product_template USING gin (name gin_trgm_ops);
CREATE INDEX sale_order_partner_id_date_order_idx ON sale_order (partner_id, date_order DESC);
-- Covering, so the 30-day dashboard summary is an index-only scan.
CREATE INDEX sale_order_date_order_idx ON sale_order (date_order) INCLUDE (state, amount_total);
CREATE INDEX sale_order_name_idx ON sale_order (name);
CREATE INDEX sale_order_line_order_id_idx ON sale_order_line (order_id);
CREATE INDEX sale_order_line_product_id_idx ON sale_order_line (product_id);
CREATE UNIQUE INDEX farm_animal_tag_key ON farm_animal (tag);
CREATE INDEX farm_animal_status_idx ON farm_animal (status);
CREATE UNIQUE INDEX farm_milk_record_animal_date_key ON farm_milk_record (animal_id, record_date);
CREATE INDEX farm_milk_record_record_date_idx ON farm_milk_record (record_date);
CREATE UNIQUE INDEX ir_sequence_code_key ON ir_sequence (code);

ALTER TABLE res_users ADD FOREIGN KEY (partner_id) REFERENCES res_partner (id);
ALTER TABLE product_category ADD FOREIGN KEY (parent_id) REFERENCES product_category (id);
ALTER TABLE product_template ADD FOREIGN KEY (categ_id) REFERENCES product_category (id);
ALTER TABLE sale_order ADD FOREIGN KEY (partner_id) REFERENCES res_partner (id);
ALTER TABLE sale_order ADD FOREIGN KEY (user_id) REFERENCES res_users (id);
ALTER TABLE sale_order_line ADD FOREIGN KEY (order_id) REFERENCES sale_order (id) ON DELETE CASCADE;
ALTER TABLE sale_order_line ADD FOREIGN KEY (product_id) REFERENCES product_template (id);
ALTER TABLE farm_milk_record ADD FOREIGN KEY (animal_id) REFERENCES farm_animal (id);
