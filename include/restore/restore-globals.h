#ifndef LOTBACKUP_RESTORE_GLOBALS_H
#define LOTBACKUP_RESTORE_GLOBALS_H

#include "pg/pgsql.h"

/*
 * restore --globals FILE: creates the roles and tablespaces a dump's
 * NAME.sql.gz.globals.sql holds (db --globals) on the server of TARGET,
 * before the dump is restored. The file is checked first: against the
 * dump's manifest when it is beside its dump (size and SHA-256), and
 * statement by statement, only CREATE/ALTER ROLE, GRANT role TO role,
 * COMMENT ON ROLE and CREATE/ALTER TABLESPACE being allowed; nothing runs
 * when it fails. A role or tablespace that exists already (42710) is
 * kept as it is, said in one line; any other error stops. Returns 0, 1
 * (the file failed its checks) or -1 (reported).
 */
int restore_globals_file(const struct pg_target *target, const char *path);

#endif
