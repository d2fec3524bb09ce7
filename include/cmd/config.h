#ifndef LOTBACKUP_CONFIG_H
#define LOTBACKUP_CONFIG_H

#include "cmd/options.h"

/*
 * Completes the parsed command line from the environment and from
 * PROJECT/.env (a variable already in the environment wins over .env, as
 * dotenv does), then applies defaults. Unknown LOTBACKUP_* settings and a
 * malformed DATABASE_URL are errors. Returns 0 or -1 (reported).
 */
int config_resolve(struct options *opts);
/* Loads the key file the options name, for a command that reads or writes encrypted files. 0 or -1 (reported). */
int config_use_key(const struct options *opts);
/*
 * 1, reported, when nothing names a database: no --dbname, no
 * DATABASE_URL (environment or PROJECT/.env) and no PG* connection
 * variable; libpq's defaults would then pick a database by accident.
 */
int config_db_unnamed(const struct options *opts);

#endif
