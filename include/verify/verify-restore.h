#ifndef LOTBACKUP_VERIFY_RESTORE_H
#define LOTBACKUP_VERIFY_RESTORE_H

#include <stdint.h>

#include "pg/pgsql.h"
#include "verify/verify.h"

/* What verify --restore needs of the command line, mapped in cmd-verify.c. */
struct verify_restore_settings {
	struct pg_target server;	/* where the scratch database is made */
	const char *scratch_db;		/* its name; NULL: lotbackup_verify_<host>_<pid>_<start> */
	int jobs;			/* tables loaded at once, as in restore */
	int split_auto;			/* as restore's --split-tables-larger-than auto */
	uint64_t split_bytes;		/* without split_auto: load tables above this in parts; 0 never */
	/*
	 * The file is the operator's own: statements only a superuser may run
	 * run as the connecting superuser. Otherwise they are left out, named:
	 * a hostile dump's function would run as that superuser.
	 */
	int trusted;
};

/*
 * verify --restore: loads the dump into a new scratch database on the
 * configured server, as a role made for the run that owns that database
 * and nothing else (verify-scratch.h), compares every table's rows and
 * content with what the manifest recorded at dump time, fails a table the
 * manifest does not list that holds rows, and drops the scratch database
 * and role again, also on failure or interruption; first drops the
 * leftovers of this host's runs that were killed before they could.
 * Adds the checks "restore" and "content" to `result`. Returns 0 when
 * they ran, -1 when verify could not run (no server, scratch name
 * taken...).
 */
int verify_restore(const struct verify_restore_settings *settings, const char *path,
    struct verify_result *result);
/* The same for a dump read from SRC (dump/dump-reader.h) against M, its manifest, verified already. */
struct db_manifest;
int verify_restore_source(const struct verify_restore_settings *settings, const struct dump_source *src,
    const struct db_manifest *m, struct verify_result *result);

#endif
