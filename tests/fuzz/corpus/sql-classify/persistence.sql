CREATE TABLE public.late (n integer REFERENCES public.big(id));
CREATE UNLOGGED TABLE public.u (id integer PRIMARY KEY);
CREATE TABLE public.p (n integer) PARTITION BY RANGE (n);
ALTER TABLE public.big SET UNLOGGED;
ALTER TABLE ONLY public.small SET LOGGED;
ALTER SEQUENCE public.s SET LOGGED;
CREATE PUBLICATION p FOR TABLE public.big;
ALTER PUBLICATION p ADD TABLE public.small;
ALTER TABLE ONLY public.small
    ADD CONSTRAINT small_n_fkey FOREIGN KEY (n) REFERENCES public.big(id);
