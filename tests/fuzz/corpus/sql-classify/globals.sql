CREATE ROLE lb_owner;
ALTER ROLE lb_owner WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5 VALID UNTIL '2030-01-01 00:00:00+00';
ALTER ROLE lb_owner SET search_path TO "$user", app;
ALTER ROLE lb_owner SET work_mem TO '8MB';
COMMENT ON ROLE lb_owner IS 'owns the app';
GRANT lb_reader TO lb_owner WITH ADMIN OPTION;
GRANT lb_reader TO "Web" WITH ADMIN false, INHERIT true, SET true;
CREATE TABLESPACE space OWNER postgres LOCATION '/srv/ts';
ALTER TABLESPACE space SET (seq_page_cost=1.5, random_page_cost=1);
