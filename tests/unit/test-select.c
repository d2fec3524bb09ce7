/*
 * psql patterns as regular expressions (dump/dump-select.c), compared with
 * what psql's processSQLNamePattern builds for pg_dump, and the selection's
 * manifest record and settings list.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "dump/dump-select.h"
#include "store/selection.h"
#include "unit.h"

/* The parts of PATTERN joined by " | ", "*" for a part that matches anything; "ERR" on an error. */
static char *
regex_of(const char *pattern, int maxparts)
{
	static char out[512];
	char *parts[3] = { NULL }, err[256];
	int n = 0, i;

	if (select_pattern_regex(pattern, maxparts, parts, &n, err, sizeof(err)) < 0)
		return strcpy(out, "ERR");
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, " | ");
		strcat(out, parts[i] ? parts[i] : "*");
		free(parts[i]);
	}
	return out;
}

static void
test_patterns(void)
{
	UNIT_CHECK("pattern-plain", strcmp(regex_of("users", 3), "^(users)$") == 0);
	UNIT_CHECK("pattern-folds-case", strcmp(regex_of("Users", 3), "^(users)$") == 0);
	UNIT_CHECK("pattern-star", strcmp(regex_of("user*", 3), "^(user.*)$") == 0);
	UNIT_CHECK("pattern-question", strcmp(regex_of("t?", 3), "^(t.)$") == 0);
	UNIT_CHECK("pattern-schema", strcmp(regex_of("app.users", 3), "^(app)$ | ^(users)$") == 0);
	UNIT_CHECK("pattern-any-name", strcmp(regex_of("app.*", 3), "^(app)$ | *") == 0);
	UNIT_CHECK("pattern-any-schema", strcmp(regex_of("*.users", 3), "* | ^(users)$") == 0);
	UNIT_CHECK("pattern-database", strcmp(regex_of("db.app.users", 3), "^(db)$ | ^(app)$ | ^(users)$") == 0);
	UNIT_CHECK("pattern-too-many-dots", strcmp(regex_of("a.b.c.d", 3), "ERR") == 0);
	UNIT_CHECK("pattern-schema-two-parts", strcmp(regex_of("a.b.c", 2), "ERR") == 0);
	/* Quotes: case kept, the dot and * literal, "" a quote. */
	UNIT_CHECK("pattern-quoted", strcmp(regex_of("\"Mixed Case\".\"T*\"", 3),
	    "^(Mixed Case)$ | ^(T\\*)$") == 0);
	UNIT_CHECK("pattern-quoted-dot", strcmp(regex_of("\"a.b\"", 3), "^(a\\.b)$") == 0);
	UNIT_CHECK("pattern-quoted-quote", strcmp(regex_of("\"say \"\"hi\"\"\"", 3), "^(say \"hi\")$") == 0);
	/* Outside quotes regex characters pass (psql's power-user rule); $ is always literal. */
	UNIT_CHECK("pattern-regex-passes", strcmp(regex_of("app|audit", 3), "^(app|audit)$") == 0);
	UNIT_CHECK("pattern-dollar", strcmp(regex_of("a$b", 3), "^(a\\$b)$") == 0);
	UNIT_CHECK("pattern-empty", strcmp(regex_of("", 3), "^()$") == 0);
}

static void
test_settings_list(void)
{
	struct db_selection sel;

	memset(&sel, 0, sizeof(sel));
	selection_add_list(&sel, SEL_EXCLUDE_TABLE_DATA, "app.logs, \"a,b\".t ,,x");
	UNIT_CHECK("list-count", sel.npatterns[SEL_EXCLUDE_TABLE_DATA] == 3);
	UNIT_CHECK("list-items", sel.npatterns[SEL_EXCLUDE_TABLE_DATA] == 3 &&
	    strcmp(sel.patterns[SEL_EXCLUDE_TABLE_DATA][0], "app.logs") == 0 &&
	    strcmp(sel.patterns[SEL_EXCLUDE_TABLE_DATA][1], "\"a,b\".t") == 0 &&
	    strcmp(sel.patterns[SEL_EXCLUDE_TABLE_DATA][2], "x") == 0);
	UNIT_CHECK("list-partial", selection_partial(&sel));
	selection_free(&sel);
	UNIT_CHECK("whole-not-partial", !selection_partial(&sel) && selection_describe(&sel) == NULL);
}

static void
test_json(void)
{
	struct db_selection a, b;
	char err[128], *da, *db;
	json_t *j;

	memset(&a, 0, sizeof(a));
	selection_add(&a, SEL_SCHEMA, "app");
	selection_add(&a, SEL_EXCLUDE_TABLE, "app.big*");
	a.schema_only = 1;
	j = selection_to_json(&a);
	UNIT_CHECK("json-round-trip", selection_from_json(j, &b, err, sizeof(err)) == 0);
	da = selection_describe(&a);
	db = selection_describe(&b);
	UNIT_CHECK("json-same", da && db && strcmp(da, db) == 0);
	UNIT_CHECK("json-describe", da && strcmp(da, "partial dump: schema only (no rows); --schema app; "
	    "--exclude-table app.big*") == 0);
	free(da);
	free(db);
	json_decref(j);
	j = json_pack("{s:[i]}", "schemas", 1);
	UNIT_CHECK("json-bad-entry", selection_from_json(j, &b, err, sizeof(err)) < 0);
	json_decref(j);
	selection_free(&a);
	selection_free(&b);
}

int
main(void)
{
	test_patterns();
	test_settings_list();
	test_json();
	return unit_done();
}
