#ifndef LOTBACKUP_RESTORE_GLOBALS_H
#define LOTBACKUP_RESTORE_GLOBALS_H

#include "pg/pgsql.h"

/*
 * restore --globals FILE: creates the roles and tablespaces a dump's
 * NAME.sql.gz.globals.sql holds (db --globals) on the server of TARGET,
 * before the dump is restored. The file is checked first: against the
 * dump's manifest when it is beside its dump (size and SHA-256); each
 * statement in exactly a form db --globals writes (sql_global_read), and
 * about a role or tablespace the file makes; without trusted, nothing
 * that reaches past them (superuser and other privileged attributes,
 * built-in or privileged roles' membership, superusers' settings). Nothing
 * runs when a check fails. A role or tablespace that exists already is
 * kept as it is: the file's statements about it are skipped, said in one
 * line; any error stops. Returns 0, 1 (the file failed its checks) or -1
 * (reported).
 */
int restore_globals_file(const struct pg_target *target, const char *path, int trusted);

#endif
