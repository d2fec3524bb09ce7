SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;
COPY public.t (a, "b c") FROM stdin;
1	x\ty
\N	\\.
\.
\restrict abc
-- comment 'q'
/* nested /* c */ */ SELECT E'\'';
