#ifndef LOTBACKUP_LIST_H
#define LOTBACKUP_LIST_H

#include "ops/retention-plan.h"

/* What `list` (and `db --list`) shows, and how. */
struct list_settings {
	const char *output_dir;
	int json;				/* one JSON array instead of the table */
	int wide;				/* every column, whole; else within 100 columns */
	struct retention_policy policy;		/* the GFS policy prune applies, for "KEPT BY" */
};

/* Prints the backups in the output directory, newest first. 0 or -1 (reported). */
int list_backups(const struct list_settings *settings);

#endif
