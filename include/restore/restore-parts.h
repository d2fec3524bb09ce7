#ifndef LOTBACKUP_RESTORE_PARTS_H
#define LOTBACKUP_RESTORE_PARTS_H

#include "restore/restore-loader.h"
#include "store/manifest.h"

/*
 * A later part of table t (l->part) straight from the member
 * holding its first row, found by the members' own sizes. 0 loaded
 * (staged), 1 not possible here (an older dump, or the part starts in the
 * table's first member: read it from the start), -1 failed (reported).
 */
int restore_part_from_member(struct loader *l, const struct dump_source *src, const struct manifest_table *t);

#endif
