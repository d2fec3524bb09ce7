#ifndef LOTBACKUP_CONNINFO_H
#define LOTBACKUP_CONNINFO_H

#include <stddef.h>

/*
 * Connection strings as libpq users write them: key=value conninfo or a
 * postgresql:// (postgres://) URL, as in DATABASE_URL.
 */

/*
 * Checks `in` with libpq's own parser and returns a copy libpq accepts:
 * URL query parameters that only ORMs understand (Prisma's schema,
 * connection_limit, pool_timeout, pgbouncer, socket_timeout, sslaccept,
 * statement_cache_size, connect_timeout is kept) are removed. NULL on a
 * malformed string, with a one-line message in err that never contains the
 * password.
 */
char *conninfo_normalise(const char *in, char *err, size_t errlen);

/*
 * A printable form with the password hidden: URLs as
 * postgresql://user:***@host/db, conninfo as password=***. Always a new string.
 */
char *conninfo_redact(const char *in);

/*
 * Overwrites with '*', in place, every byte of each secret value of s as
 * it is written there (%xx, quotes and escapes included): for argv, whose
 * text stays readable in /proc/PID/cmdline while the value is decoded.
 */
void conninfo_scrub(char *s);

/* Replaces every occurrence of `secret` (if non-empty) in s with "***", in place-safe copy. */
char *redact_secret(const char *s, const char *secret);

/* pg_dump's -h, -p, -U: each NULL when not given. */
struct conninfo_parts {
	const char *host;
	const char *port;
	const char *user;
};

/*
 * BASE (a normalised conninfo, URL or bare database name; NULL: none) with
 * the PARTS given as flags, as one key=value conninfo. base_wins: a part
 * BASE sets itself stays (pg_dump's rule for -d CONNINFO against -h/-p/-U);
 * else the flag replaces it (as -h replaces PGHOST). NULL on error (err).
 */
char *conninfo_combine(const char *base, const struct conninfo_parts *parts, int base_wins, char *err,
    size_t errlen);

/*
 * BASE (a normalised conninfo, URL or bare database name) with the CA
 * certificate file CA as sslrootcert, and sslmode=verify-full when BASE
 * names no sslmode, as one key=value conninfo (*added 1). A BASE that
 * names its own sslrootcert comes back as it is (*added 0). NULL on error
 * (err).
 */
char *conninfo_with_ca(const char *base, const char *ca, int *added, char *err, size_t errlen);

#endif
