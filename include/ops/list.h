#ifndef LOTBACKUP_LIST_H
#define LOTBACKUP_LIST_H

#include "cmd/options.h"

/* Prints the backups in the output directory, newest first (--json for machines). */
int list_backups(const struct options *opts);

#endif
