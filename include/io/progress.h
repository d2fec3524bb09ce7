#ifndef LOTBACKUP_PROGRESS_H
#define LOTBACKUP_PROGRESS_H

#include <stdint.h>

/*
 * A progress bar on stderr for the long steps (dump, archive, restore,
 * verify): bytes, rate and, when the total is known, percent and ETA,
 * redrawn in place at most five times a second. Only when stderr is a
 * terminal and the log level is the normal one: under cron, systemd or a
 * pipe the log lines stay clean, -q is quiet, and -v has its own lines.
 * progress_start returns NULL then, and every other call takes NULL.
 */
struct progress;

/*
 * 1: a bar even where stderr is no terminal (LOTBACKUP_PROGRESS=1, for a
 * captured session or a test), 0: never, -1: a terminal decides (the
 * default). -q and -v still win.
 */
void progress_force(int mode);
/* 1 when a bar would be shown: for callers whose total costs something to find out. */
int progress_wanted(void);
/* total: expected bytes, 0 when unknown; an estimate is shown as "~". */
struct progress *progress_start(const char *label, uint64_t total, int estimated);
/* done: bytes so far; extra: more to show after the rate (may be NULL). */
void progress_update(struct progress *p, uint64_t done, const char *extra);
/* BYTES more done: from any thread, for a bar several threads feed. */
void progress_add(struct progress *p, uint64_t bytes);
/* Clears the line (the log line that follows says how it ended) and frees. */
void progress_end(struct progress *p);

#endif
