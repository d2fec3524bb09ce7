#ifndef LOTBACKUP_INTERRUPT_H
#define LOTBACKUP_INTERRUPT_H

#include <libpq-fe.h>

/*
 * SIGINT and SIGTERM while a backup is being written. The handler only
 * notes the signal; the write path asks interrupt_check() (every
 * sink_write, every publishing rename, the lock wait) and fails like any
 * other error, so the ordinary cleanup removes the unfinished files and
 * releases the lock. Then main ends the process by the same signal, as
 * shells and supervisors expect (a shell shows 130 or 143). The query
 * running on a watched connection is cancelled, so a run waiting on the
 * server stops too. A second signal ends the process at once; the next run
 * removes what it left.
 */

/*
 * Installs the handler for SIGINT and SIGTERM, except for a signal that
 * was ignored when lotbackup started (nohup, a background job): whoever
 * started it asked for that. 0 or -1 (reported).
 */
int interrupt_install(void);

/*
 * A guarded stretch, for work that made something on the server and must
 * undo it whatever happens (verify --restore and its scratch database).
 * From interrupt_guard_begin() to interrupt_guard_end(), SIGINT and SIGTERM
 * are caught every time (a second one does not cut the cleanup short) and
 * cancel the query on the watched connection, but are only noted: the
 * caller asks interrupt_guard_hit(), stops, cleans up and fails with its
 * own message and exit status; interrupt_check() and the exit status do
 * not see them. interrupt_guard_end() puts back the handlers from before
 * (call it only after a successful begin). Not nested, and not within a
 * run that called interrupt_install().
 */
int interrupt_guard_begin(void);
/* 1 once a signal came in a guarded stretch (for the rest of the run), else 0. */
int interrupt_guard_hit(void);
void interrupt_guard_end(void);

/* 0, or -1 once a signal came: "interrupted by SIGINT", reported once. */
int interrupt_check(void);

/* A signal cancels the query running on CONN; NULL: no connection (before PQfinish). */
void interrupt_watch_connection(PGconn *conn);

/* Worker threads call this first, so the signal goes to the thread that checks. */
void interrupt_block_in_thread(void);

/*
 * At the very end: a run that failed after a signal ends by that signal
 * (this does not return); otherwise rc is returned. A signal that came
 * after the backup was published changes nothing: the run has ended well.
 */
int interrupt_exit_status(int rc);
/* The status interrupt_exit_status(rc) will end with (128 + the signal), ending nothing. */
int interrupt_exit_code(int rc);

#endif
