SELECT pg_catalog.lo_create('7001');
SELECT pg_catalog.lo_put('7001', 0, '\x4556494c');
SELECT pg_catalog.lo_put('7001', 131072, '\x00ff');
BEGIN;
SELECT pg_catalog.lo_open('7002', 131072);
SELECT pg_catalog.lowrite(0, '\x4556494c');
SELECT pg_catalog.lo_close(0);
COMMIT;
