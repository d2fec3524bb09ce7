#ifndef LOTBACKUP_LEDGER_H
#define LOTBACKUP_LEDGER_H

#include <stddef.h>

#include "pg/pgsql.h"
#include "store/manifest.h"

/*
 * Migration ledgers: the table a migration tool keeps of what it applied
 * (SequelizeMeta, _prisma_migrations, knex_migrations, schema_migrations
 * of Rails and golang-migrate, flyway_schema_history, alembic_version).
 * db records them in the manifest; full compares them with the project's
 * migration files; restore says what to run afterwards.
 */

/*
 * Every known ledger in CONN's database, read in its current transaction
 * (the dump's snapshot) when there is one, into *out (caller frees with
 * manifest_ledgers_free). A ledger that cannot be read is warned about and left
 * out: it never fails a backup. 0, or -1 when the catalog query fails.
 */
int ledger_read(PGconn *conn, struct manifest_ledger **out, size_t *n);

/* How a ledger and a project's migration files differ. */
struct ledger_drift {
	const struct manifest_ledger *ledger;
	char *dir;		/* the migration folder, relative to the project; NULL: none found */
	char **pending;		/* in the code, not applied to the database */
	size_t npending;
	char **unknown;		/* applied to the database, not in the code */
	size_t nunknown;
	char *command;		/* what applies the pending migrations in this project */
};

/* Compares LEDGER with the migration files under PROJECT_DIR (NULL: only the command is known). */
void ledger_drift(const char *project_dir, const struct manifest_ledger *ledger, struct ledger_drift *d);
void ledger_drift_free(struct ledger_drift *d);
/*
 * Up to MAX names of LIST joined with ", ", then "and N more" (caller
 * frees): the form every message about migrations uses.
 */
char *ledger_name_list(char *const *list, size_t n, size_t max);

#endif
