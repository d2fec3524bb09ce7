-- A table to cut into parts (025, 078), named by psql variable tbl: rows with
-- escaped newlines, tabs and backslashes, rows longer than a compressed
-- block, an identity column GENERATED ALWAYS (an INSERT must override it), a
-- stored generated column (not in the COPY), a domain, and a name that needs
-- quoting. Rows moved by an update: the heap order is no longer the id order.
CREATE DOMAIN public.short_text AS text CHECK (length(VALUE) < 2000000);
CREATE TABLE :tbl (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, t public.short_text, j jsonb,
  head text GENERATED ALWAYS AS (left(t, 3)) STORED);
INSERT INTO :tbl (t, j) SELECT repeat(E'x\n\t\\', g % 50) || g, jsonb_build_object('g', g)
  FROM generate_series(1, 40000) g;
INSERT INTO :tbl (t, j) SELECT repeat('long', 400000 + g), NULL FROM generate_series(1, 3) g;
UPDATE :tbl SET j = '{"moved": true}' WHERE id % 97 = 0;
