#ifndef LOTBACKUP_RESTORE_TABLES_H
#define LOTBACKUP_RESTORE_TABLES_H

#include "restore/restore-loader.h"
#include "restore/restore-tail.h"

/*
 * Loads the tables of l->settings (the manifest's member index) side by
 * side on up to jobs connections, l's own the first, each table whole or in
 * parts as planned (restore-plan.h); tail: index builds that may start as
 * soon as their table is in (NULL: none). 0, or -1 (reported).
 */
int restore_load_tables(struct loader *l, const struct dump_source *src, struct restore_tail *tail);

#endif
