#ifndef LOTBACKUP_LIST_H
#define LOTBACKUP_LIST_H

#include "cmd/options.h"

/* Prints the backups in the output directory, newest first (--json for machines). */
int list_backups(const struct options *opts);
/* 1536 -> "1.5 KiB" into buf. */
void format_size(unsigned long long bytes, char *buf, size_t len);
/* Seconds -> "3d 4h", "5h 10m", "42s" into buf. */
void format_age(long long seconds, char *buf, size_t len);

#endif
