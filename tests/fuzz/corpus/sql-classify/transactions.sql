BEGIN ;
SELECT pg_catalog.lo_open('16385', 131072);
commit/**/;
CoMmIt
;
/* a /* b */ */ begin -- x
;
ROLLBACK;
END;
PREPARE TRANSACTION 'x';
prepare q AS SELECT 1;
"commit";
commit$1;
