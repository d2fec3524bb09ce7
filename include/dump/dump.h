#ifndef LOTBACKUP_DUMP_H
#define LOTBACKUP_DUMP_H

#include <libpq-fe.h>

#include "dump/dump-schema.h"
#include "store/manifest.h"
#include "io/pipe.h"

#define DUMP_COMPLETE_MARKER "-- lotbackup: dump complete"
#define DUMP_ROWS_PREFIX "-- lotbackup: rows "

struct progress;

struct dump_settings {
	struct schema_settings schema;
	int serializable_deferrable;
	int jobs;		/* connections copying tables at once */
	int compress_level;	/* of the parallel workers' compressors */
	const char *spill_dir;	/* where parallel workers' tables wait (the output directory) */
	struct progress *bar;	/* NULL, or the bar the workers add their rows to */
};

/*
 * Writes one consistent plain-SQL dump of the connected database into
 * `out` (a pipe, not finished here): one REPEATABLE READ snapshot (shared
 * with jobs - 1 more connections when jobs > 1), schema from the catalogs,
 * data with COPY ... TO STDOUT streamed row by row, largest table first,
 * then post-data, a per-table row summary and the completion marker. Fills
 * in the manifest's database fields and table rows. Returns 0 or -1
 * (reported, naming the table or object and the SQLSTATE).
 */
int dump_database(PGconn *conn, const struct dump_settings *settings, struct pipe *out,
    struct db_manifest *manifest);

#endif
