#ifndef LOTBACKUP_RESTORE_SESSION_H
#define LOTBACKUP_RESTORE_SESSION_H

#include <libpq-fe.h>

/*
 * Session settings that speed a load without changing its result: run on
 * every connection a restore opens, before anything else. 0 or -1
 * (reported).
 */
int restore_session_setup(PGconn *conn);

#endif
