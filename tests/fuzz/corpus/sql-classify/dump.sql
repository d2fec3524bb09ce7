SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.t (id integer);
COPY public.t (id) FROM stdin;
1
\.

SELECT pg_catalog.setval('public.s', 1, false);
\unrestrict abc
