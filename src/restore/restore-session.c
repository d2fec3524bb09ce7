#include "pg/pgsql.h"
#include "restore/restore-session.h"

int
restore_session_setup(PGconn *conn)
{
	/*
	 * Faster commits; the result is the same. maintenance_work_mem stays the
	 * server's: at 256MB a parallel index build of 3M rows took 9.2-10.2 s
	 * against 6.0-6.5 s at the default 64MB (1GB: 8.9 s). No JIT (servers
	 * from 11 on): each query of a restore runs once, and compiling the
	 * check of a foreign key on 3M rows cost more than it saved (0.86 s
	 * against 0.81 s). standard_conforming_strings on, as the splitter and
	 * the allow-list read strings, whatever the server's default.
	 */
	return pgsql_exec(conn, PQserverVersion(conn) >= 110000 ?
	    "SET synchronous_commit = off; SET client_min_messages = warning; SET jit = off; "
	    "SET standard_conforming_strings = on" :
	    "SET synchronous_commit = off; SET client_min_messages = warning; SET standard_conforming_strings = on",
	    "cannot set restore session options");
}
