#ifndef LOTBACKUP_SELECTION_H
#define LOTBACKUP_SELECTION_H

#include <stddef.h>

struct json_t;

/*
 * What part of a database a dump holds, as pg_dump selects it (-n, -N,
 * -t, -T, --exclude-table-data, -s, -a, --strict-names): asked for by
 * `db`, recorded in the manifest so verify, list and restore know what a
 * dump leaves out on purpose. Patterns are psql patterns, kept as given.
 */
enum selection_kind {
	SEL_SCHEMA,		/* -n */
	SEL_EXCLUDE_SCHEMA,	/* -N */
	SEL_TABLE,		/* -t */
	SEL_EXCLUDE_TABLE,	/* -T */
	SEL_EXCLUDE_TABLE_DATA,	/* --exclude-table-data */
	SEL_NKINDS,
};

struct db_selection {
	char **patterns[SEL_NKINDS];
	size_t npatterns[SEL_NKINDS];
	int schema_only;	/* -s: no rows, no sequence values, no large objects */
	int data_only;		/* -a: rows and sequence values only */
	int strict_names;	/* each -n and -t pattern must match */
	/* Recorded by the dump: tables whose definition is dumped but not their rows. */
	char **data_left_out;
	size_t ndata_left_out;
};

/* The option name of a kind: "schema", "exclude-schema", ... */
const char *selection_option(enum selection_kind kind);
void selection_add(struct db_selection *sel, enum selection_kind kind, const char *pattern);
/* Records a table whose rows the dump left out (data_left_out). */
void selection_add_left_out(struct db_selection *sel, const char *table);
/* Adds the comma-separated patterns of a setting (commas inside "..." belong to the name). */
void selection_add_list(struct db_selection *sel, enum selection_kind kind, const char *list);
/* 1 when the dump leaves something out: any pattern, -s or -a. */
int selection_partial(const struct db_selection *sel);
/* One line saying what a partial dump leaves out (caller frees); NULL when it is whole. */
char *selection_describe(const struct db_selection *sel);
void selection_copy(struct db_selection *dst, const struct db_selection *src);
void selection_free(struct db_selection *sel);
/* The manifest's "selection" object, and back: 0, or -1 with why in err. */
struct json_t *selection_to_json(const struct db_selection *sel);
int selection_from_json(struct json_t *v, struct db_selection *sel, char *err, size_t errlen);

#endif
