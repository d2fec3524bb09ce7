#ifndef LOTBACKUP_RESTORE_H
#define LOTBACKUP_RESTORE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "restore/restore-types.h"

/*
 * --split-tables-larger-than auto: a table with more COPY text than its
 * share of the load (all of it over jobs, and at least 64 MiB) would still
 * be loading when the other connections are done, so it loads in parts.
 */
uint64_t restore_auto_split_bytes(const struct manifest_table *tables, size_t ntables, int jobs);
/* After restore_session_setup(conn). Returns 0, or -1 (reported, naming the line and how far it got). */
int restore_load(PGconn *conn, const struct dump_source *src, const struct restore_settings *settings,
    struct restore_stats *stats);
void restore_stats_free(struct restore_stats *stats);

#endif
