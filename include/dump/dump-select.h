#ifndef LOTBACKUP_DUMP_SELECT_H
#define LOTBACKUP_DUMP_SELECT_H

#include <libpq-fe.h>
#include <stddef.h>

#include "store/selection.h"

/*
 * pg_dump's selection (-n, -N, -t, -T, --exclude-table-data) resolved
 * against the catalogs in the dump's snapshot. The patterns are psql's
 * (processSQLNamePattern): * and ? outside quotes, "..." for a name as
 * written (case kept, "" for a quote), a dot between schema and name,
 * letters folded to lower case outside quotes; each part is matched
 * whole as a regular expression on the server. Objects then follow
 * pg_dump's rules: with -t only the matching relations (with their
 * indexes, constraints, triggers, rules, policies and owned sequences);
 * with -n the matching schemas and everything in them; without either,
 * everything, extensions and other objects outside schemas included.
 * -N and -T always win. Dependencies outside the selection are not
 * followed, as pg_dump does not.
 */
struct select_sets {
	int everything;		/* no -n, no -t: objects outside schemas are dumped too */
	int all_rels;		/* no pattern at all: every relation, nothing filtered */
	char **schemas;		/* schemas whose objects are dumped, sorted */
	size_t nschemas;
	unsigned int *rels;	/* relations whose definitions are dumped, sorted */
	size_t nrels;
	unsigned int *no_data;	/* tables whose rows --exclude-table-data leaves out, sorted */
	size_t nno_data;
};

/*
 * PATTERN as regular expressions, one per dotted part (at most maxparts;
 * a part that matches anything is NULL), as psql builds them: 0, or -1
 * with the reason in err ("improper qualified name (too many dotted names)").
 */
int select_pattern_regex(const char *pattern, int maxparts, char **parts, int *nparts, char *err, size_t errlen);

/*
 * Resolves SEL inside the dump's transaction (unqualified table patterns
 * see the tables visible on the role's default search_path, as with
 * pg_dump) and sets the transaction's lotbackup.all, .rels and .nsps,
 * which the catalog queries read (SEL_REL, SEL_NSP). A -n or -t that
 * matches nothing is an error, with strict_names each pattern. 0 or -1
 * (reported, naming the pattern).
 */
int select_resolve(PGconn *conn, const struct db_selection *sel, struct select_sets *out);
int select_has_rel(const struct select_sets *s, unsigned int oid);
int select_has_schema(const struct select_sets *s, const char *name);
int select_no_data(const struct select_sets *s, unsigned int oid);
void select_sets_free(struct select_sets *s);

#endif
