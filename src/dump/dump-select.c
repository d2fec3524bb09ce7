/*
 * pg_dump's object selection (see dump/dump-select.h): psql patterns
 * turned into regular expressions here, matched against the catalogs
 * on the server, the result handed to the catalog queries through two
 * transaction-local settings and to the node filter in C.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "dump/dump-select.h"
#include "pg/pgsql.h"

#define MAX_PARTS 3

/* Not a system or temporary schema: as USER_NSP in dump-schema-internal.h. */
#define USER_SCHEMA(n)                                                     \
	"(" n ".nspname NOT IN ('pg_catalog', 'information_schema')"        \
	" AND " n ".nspname !~ '^pg_(toast|temp)')"

/* pg_dump's -t matches these: tables, sequences, views, matviews, foreign and partitioned tables. */
#define TABLE_KINDS "('r', 'S', 'v', 'm', 'f', 'p')"

static const char schema_match_sql[] =
    "SELECT n.oid FROM pg_catalog.pg_namespace n WHERE " USER_SCHEMA("n")
    " AND ($1::text IS NULL OR n.nspname OPERATOR(pg_catalog.~) $1::text COLLATE pg_catalog.default)";

/* $1 schema regex, $2 name regex (NULL: any), $3 whether the pattern named a schema. */
static const char table_match_sql[] =
    "SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN " TABLE_KINDS " AND " USER_SCHEMA("n")
    " AND ($2::text IS NULL OR c.relname OPERATOR(pg_catalog.~) $2::text COLLATE pg_catalog.default)"
    " AND CASE WHEN NOT $3::boolean THEN pg_catalog.pg_table_is_visible(c.oid)"
    "   ELSE $1::text IS NULL OR n.nspname OPERATOR(pg_catalog.~) $1::text COLLATE pg_catalog.default END";

/*
 * The sets: $1 -n oids (NULL: no -n), $2 -N oids, $3 -t oids (NULL: no
 * -t), $4 -T oids. Rows ('n', oid, name) and ('r', oid, NULL); a
 * dumped table's owned and identity sequences come with it, as in pg_dump.
 */
static const char sets_sql[] =
    "WITH nsp AS (SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n WHERE " USER_SCHEMA("n")
    "   AND $3::oid[] IS NULL AND ($1::oid[] IS NULL OR n.oid = ANY($1::oid[])) AND n.oid <> ALL($2::oid[])),"
    " rel AS (SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relkind IN " TABLE_KINDS
    "   AND CASE WHEN $3::oid[] IS NULL THEN c.relnamespace IN (SELECT oid FROM nsp) ELSE c.oid = ANY($3::oid[]) END"
    "   AND c.oid <> ALL($4::oid[]))"
    " SELECT 'n', oid, nspname FROM nsp"
    " UNION ALL SELECT 'r', oid, NULL FROM rel"
    " UNION SELECT 'r', d.objid, NULL FROM pg_catalog.pg_depend d"
    "   JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
    "   WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
    "   AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
    "   AND d.deptype IN ('a', 'i') AND d.refobjid IN (SELECT oid FROM rel)";

static void
add_regex_part(struct strbuf *part, char **parts, int n)
{
	/* psql leaves out the condition of a part that is just "*". */
	parts[n] = strcmp(strbuf_str(part), ".*") == 0 ? NULL : xasprintf("^(%s)$", strbuf_str(part));
	strbuf_reset(part);
}

int
select_pattern_regex(const char *pattern, int maxparts, char **parts, int *nparts, char *err, size_t errlen)
{
	struct strbuf part = STRBUF_INIT;
	const char *cp = pattern;
	int inquotes = 0, n = 0, i;

	while (*cp) {
		char ch = *cp;

		if (ch == '"') {
			if (inquotes && cp[1] == '"') {
				strbuf_putc(&part, '"');
				cp++;
			} else {
				inquotes = !inquotes;
			}
			cp++;
		} else if (!inquotes && isupper((unsigned char)ch)) {
			strbuf_putc(&part, (char)tolower((unsigned char)ch));
			cp++;
		} else if (!inquotes && ch == '*') {
			strbuf_puts(&part, ".*");
			cp++;
		} else if (!inquotes && ch == '?') {
			strbuf_putc(&part, '.');
			cp++;
		} else if (!inquotes && ch == '.') {
			if (n + 1 >= maxparts) {
				snprintf(err, errlen, "improper qualified name (too many dotted names): %s", pattern);
				goto fail;
			}
			add_regex_part(&part, parts, n++);
			cp++;
		} else if (ch == '$') {
			/* Always literal: a name may hold $, a regex end anchor would be a surprise. */
			strbuf_puts(&part, "\\$");
			cp++;
		} else {
			/* Outside quotes regex characters pass, as in psql; inside they are the name's. */
			if (inquotes && strchr("|*+?()[]{}.^\\", ch) != NULL)
				strbuf_putc(&part, '\\');
			strbuf_putc(&part, ch);
			cp++;
		}
	}
	add_regex_part(&part, parts, n++);
	*nparts = n;
	strbuf_free(&part);
	return 0;
fail:
	for (i = 0; i < n; i++)
		free(parts[i]);
	strbuf_free(&part);
	return -1;
}

static void
free_parts(char **parts, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(parts[i]);
}

/* A database part (db.schema, db.schema.table) must be this database, as pg_dump requires. */
static int
check_database_part(PGconn *conn, const char *regex, const char *pattern)
{
	const char *values[1] = { regex };
	PGresult *res;
	int ok;

	if (regex == NULL)
		return 0;
	res = pgsql_query_params(conn, "SELECT pg_catalog.current_database() OPERATOR(pg_catalog.~) $1::text", 1,
	    values, "cannot check a pattern's database name");
	if (res == NULL)
		return -1;
	ok = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (!ok)
		log_error("cross-database references are not implemented: %s (a pattern may name only the dumped database)",
		    pattern);
	return ok ? 0 : -1;
}

/* Appends the oids PATTERN matches to list ("1,2,"); sets *matched. 0 or -1 (reported). */
static int
match_pattern(PGconn *conn, int tables, const char *pattern, struct strbuf *list, int *matched)
{
	char *parts[MAX_PARTS] = { NULL }, err[256], **name;
	const char *values[3];
	PGresult *res = NULL;
	int nparts = 0, i, rc = -1;

	if (select_pattern_regex(pattern, tables ? 3 : 2, parts, &nparts, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return -1;
	}
	/* The last part is the name; before it the schema (tables), before that the database. */
	if (check_database_part(conn, nparts == (tables ? 3 : 2) ? parts[0] : NULL, pattern) < 0)
		goto out;
	name = &parts[nparts - 1];
	if (tables) {
		values[0] = nparts >= 2 ? parts[nparts - 2] : NULL;
		values[1] = *name;
		values[2] = nparts >= 2 ? "t" : "f";
		res = pgsql_query_params(conn, table_match_sql, 3, values, "cannot match a table pattern");
	} else {
		values[0] = *name;
		res = pgsql_query_params(conn, schema_match_sql, 1, values, "cannot match a schema pattern");
	}
	if (res == NULL)
		goto out;
	for (i = 0; i < PQntuples(res); i++)
		strbuf_printf(list, "%s,", PQgetvalue(res, i, 0));
	*matched = PQntuples(res) > 0;
	rc = 0;
out:
	PQclear(res);
	free_parts(parts, nparts);
	return rc;
}

/*
 * The oids of every pattern of KIND as an array literal "{1,2}" (caller
 * frees); NULL when KIND has no pattern. pg_dump's errors: a -n or -t
 * matching nothing at all, and with --strict-names any one pattern.
 */
static int
match_kind(PGconn *conn, const struct db_selection *sel, enum selection_kind kind, char **array)
{
	int tables = kind != SEL_SCHEMA && kind != SEL_EXCLUDE_SCHEMA;
	int include = kind == SEL_SCHEMA || kind == SEL_TABLE, any = 0, matched;
	struct strbuf list = STRBUF_INIT;
	size_t i;

	*array = NULL;
	if (sel->npatterns[kind] == 0)
		return 0;
	for (i = 0; i < sel->npatterns[kind]; i++) {
		matched = 0;
		if (match_pattern(conn, tables, sel->patterns[kind][i], &list, &matched) < 0)
			goto fail;
		if (include && sel->strict_names && !matched) {
			log_error("no matching %s were found for pattern \"%s\" (--strict-names)",
			    tables ? "tables" : "schemas", sel->patterns[kind][i]);
			goto fail;
		}
		any |= matched;
	}
	if (include && !any) {
		log_error("no matching %s were found (--%s)", tables ? "tables" : "schemas", selection_option(kind));
		goto fail;
	}
	if (list.len > 0)
		list.buf[--list.len] = '\0';
	*array = xasprintf("{%s}", strbuf_str(&list));
	strbuf_free(&list);
	return 0;
fail:
	strbuf_free(&list);
	return -1;
}

static int
cmp_oid(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "{1,2}" -> sorted oids. */
static void
parse_oids(const char *array, unsigned int **out, size_t *n)
{
	const char *p = array ? array + 1 : NULL;

	*out = NULL;
	*n = 0;
	while (p != NULL && *p != '\0' && *p != '}') {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = (unsigned int)strtoul(p, (char **)&p, 10);
		if (*p == ',')
			p++;
	}
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), cmp_oid);
}

/* Fills the schema and relation sets and tells the queries (lotbackup.nsps, lotbackup.rels). */
static int
load_sets(PGconn *conn, char *const arrays[SEL_NKINDS], struct select_sets *out)
{
	const char *values[4] = { arrays[SEL_SCHEMA], arrays[SEL_EXCLUDE_SCHEMA] ? arrays[SEL_EXCLUDE_SCHEMA] : "{}",
	    arrays[SEL_TABLE], arrays[SEL_EXCLUDE_TABLE] ? arrays[SEL_EXCLUDE_TABLE] : "{}" };
	struct strbuf rels = STRBUF_INIT, nsps = STRBUF_INIT;
	const char *set[2];
	PGresult *res;
	int i, rc = -1;

	if ((res = pgsql_query_params(conn, sets_sql, 4, values, "cannot resolve the selection")) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		if (PQgetvalue(res, i, 0)[0] == 'n') {
			out->schemas = xrealloc(out->schemas, (out->nschemas + 1) * sizeof(*out->schemas));
			out->schemas[out->nschemas++] = xstrdup(PQgetvalue(res, i, 2));
			strbuf_printf(&nsps, "%s%s", nsps.len ? "," : "", PQgetvalue(res, i, 1));
		} else {
			out->rels = xrealloc(out->rels, (out->nrels + 1) * sizeof(*out->rels));
			out->rels[out->nrels++] = (unsigned int)strtoul(PQgetvalue(res, i, 1), NULL, 10);
			strbuf_printf(&rels, "%s%s", rels.len ? "," : "", PQgetvalue(res, i, 1));
		}
	}
	PQclear(res);
	if (out->nschemas > 1)
		qsort(out->schemas, out->nschemas, sizeof(*out->schemas), cmp_str);
	if (out->nrels > 1)
		qsort(out->rels, out->nrels, sizeof(*out->rels), cmp_oid);
	{
		char *r = xasprintf("{%s}", strbuf_str(&rels)), *n = xasprintf("{%s}", strbuf_str(&nsps));

		set[0] = r;
		set[1] = n;
		res = pgsql_query_params(conn, "SELECT pg_catalog.set_config('lotbackup.all', 'off', true),"
		    " pg_catalog.set_config('lotbackup.rels', $1, true),"
		    " pg_catalog.set_config('lotbackup.nsps', $2, true)", 2, set, "cannot pass the selection on");
		free(r);
		free(n);
	}
	rc = res == NULL ? -1 : 0;
	PQclear(res);
	strbuf_free(&rels);
	strbuf_free(&nsps);
	return rc;
}

/* A SELECT run for its effect (set_config). */
static int
run_select(PGconn *conn, const char *sql, const char *what)
{
	PGresult *res = pgsql_query(conn, sql, what);

	PQclear(res);
	return res == NULL ? -1 : 0;
}

#define SELECT_EVERYTHING                                                   \
	"SELECT pg_catalog.set_config('lotbackup.all', 'on', true),"         \
	" pg_catalog.set_config('lotbackup.rels', '{}', true),"              \
	" pg_catalog.set_config('lotbackup.nsps', '{}', true)"

int
select_resolve(PGconn *conn, const struct db_selection *sel, struct select_sets *out)
{
	char *arrays[SEL_NKINDS] = { NULL };
	int k, rc = -1;

	memset(out, 0, sizeof(*out));
	out->everything = sel->npatterns[SEL_SCHEMA] == 0 && sel->npatterns[SEL_TABLE] == 0;
	out->all_rels = out->everything && sel->npatterns[SEL_EXCLUDE_SCHEMA] == 0 &&
	    sel->npatterns[SEL_EXCLUDE_TABLE] == 0;
	if (out->all_rels && sel->npatterns[SEL_EXCLUDE_TABLE_DATA] == 0)
		return run_select(conn, SELECT_EVERYTHING, "cannot pass the selection on");
	/* pg_dump matches unqualified names on the role's own search_path, not the dump's empty one. */
	if (pgsql_exec(conn, "SET LOCAL search_path TO DEFAULT", "cannot set search_path for the patterns") < 0)
		goto out;
	for (k = 0; k < SEL_NKINDS; k++)
		if (match_kind(conn, sel, (enum selection_kind)k, &arrays[k]) < 0)
			goto out;
	if (run_select(conn, "SELECT pg_catalog.set_config('search_path', '', true)", "cannot reset search_path") < 0)
		goto out;
	parse_oids(arrays[SEL_EXCLUDE_TABLE_DATA], &out->no_data, &out->nno_data);
	if (out->all_rels)
		rc = run_select(conn, SELECT_EVERYTHING, "cannot pass the selection on");
	else
		rc = load_sets(conn, arrays, out);
out:
	for (k = 0; k < SEL_NKINDS; k++)
		free(arrays[k]);
	return rc;
}

int
select_has_rel(const struct select_sets *s, unsigned int oid)
{
	return s->all_rels || bsearch(&oid, s->rels, s->nrels, sizeof(*s->rels), cmp_oid) != NULL;
}

int
select_has_schema(const struct select_sets *s, const char *name)
{
	return s->all_rels || bsearch(&name, s->schemas, s->nschemas, sizeof(*s->schemas), cmp_str) != NULL;
}

int
select_no_data(const struct select_sets *s, unsigned int oid)
{
	return s->nno_data > 0 && bsearch(&oid, s->no_data, s->nno_data, sizeof(*s->no_data), cmp_oid) != NULL;
}

void
select_sets_free(struct select_sets *s)
{
	size_t i;

	for (i = 0; i < s->nschemas; i++)
		free(s->schemas[i]);
	free(s->schemas);
	free(s->rels);
	free(s->no_data);
	memset(s, 0, sizeof(*s));
}
