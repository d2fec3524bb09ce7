#ifndef LOTBACKUP_METRICS_H
#define LOTBACKUP_METRICS_H

#include "ops/notify.h"

/*
 * --metrics-file PATH: a Prometheus text file for node_exporter's textfile
 * collector, replaced atomically (the atomic-file primitive) after each
 * run of db, full or prune. It holds, per command, the last run's result,
 * exit code, duration, end time and, for a backup, its size and rows (a
 * dump's, from its manifest), carried over from the file for the other
 * commands; and, per kind (db, full), the newest backup's and the newest
 * verified backup's time and age in OUTPUT_DIR. 0 or -1 (reported; a
 * failure to write it never changes the run's exit status).
 */
int metrics_write(const char *path, const struct notify_run *run, const char *output_dir);

#endif
