/*
 * The selection a dump was made with (see store/selection.h): held by
 * `db`'s settings, recorded in the manifest as the "selection" object.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "store/selection.h"

static const char *const option_names[SEL_NKINDS] = {
	"schema", "exclude-schema", "table", "exclude-table", "exclude-table-data",
};

/* The manifest's keys, one per kind. */
static const char *const json_keys[SEL_NKINDS] = {
	"schemas", "exclude_schemas", "tables", "exclude_tables", "exclude_table_data",
};

const char *
selection_option(enum selection_kind kind)
{
	return option_names[kind];
}

static void
push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

void
selection_add(struct db_selection *sel, enum selection_kind kind, const char *pattern)
{
	push(&sel->patterns[kind], &sel->npatterns[kind], pattern);
}

void
selection_add_left_out(struct db_selection *sel, const char *table)
{
	push(&sel->data_left_out, &sel->ndata_left_out, table);
}

void
selection_add_list(struct db_selection *sel, enum selection_kind kind, const char *list)
{
	struct strbuf one = STRBUF_INIT;
	int inquotes = 0;
	const char *p;

	for (p = list;; p++) {
		if (*p == '"')
			inquotes = !inquotes;
		if (*p == '\0' || (*p == ',' && !inquotes)) {
			const char *s = strbuf_str(&one);
			size_t len = one.len;

			/* Spaces around a comma are layout; inside quotes they are the name's. */
			while (*s == ' ')
				s++, len--;
			while (len > 0 && s[len - 1] == ' ')
				len--;
			if (len > 0) {
				char *item = xstrndup(s, len);

				selection_add(sel, kind, item);
				free(item);
			}
			strbuf_reset(&one);
			if (*p == '\0')
				break;
			continue;
		}
		strbuf_putc(&one, *p);
	}
	strbuf_free(&one);
}

int
selection_partial(const struct db_selection *sel)
{
	int k;

	for (k = 0; k < SEL_NKINDS; k++)
		if (sel->npatterns[k] > 0)
			return 1;
	return sel->schema_only || sel->data_only;
}

char *
selection_describe(const struct db_selection *sel)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int k;

	if (!selection_partial(sel))
		return NULL;
	strbuf_puts(&sb, "partial dump:");
	if (sel->schema_only)
		strbuf_puts(&sb, " schema only (no rows);");
	if (sel->data_only)
		strbuf_puts(&sb, " data only (no definitions);");
	for (k = 0; k < SEL_NKINDS; k++) {
		if (sel->npatterns[k] == 0)
			continue;
		strbuf_printf(&sb, " --%s", option_names[k]);
		for (i = 0; i < sel->npatterns[k]; i++)
			strbuf_printf(&sb, "%s%s", i ? "," : " ", sel->patterns[k][i]);
		strbuf_putc(&sb, ';');
	}
	if (sel->ndata_left_out > 0) {
		strbuf_puts(&sb, " rows left out of");
		for (i = 0; i < sel->ndata_left_out; i++)
			strbuf_printf(&sb, "%s%s", i ? "," : " ", sel->data_left_out[i]);
		strbuf_putc(&sb, ';');
	}
	if (sb.len > 0 && sb.buf[sb.len - 1] == ';')
		sb.buf[--sb.len] = '\0';
	return strbuf_detach(&sb);
}

void
selection_copy(struct db_selection *dst, const struct db_selection *src)
{
	size_t i;
	int k;

	memset(dst, 0, sizeof(*dst));
	for (k = 0; k < SEL_NKINDS; k++)
		for (i = 0; i < src->npatterns[k]; i++)
			selection_add(dst, (enum selection_kind)k, src->patterns[k][i]);
	for (i = 0; i < src->ndata_left_out; i++)
		push(&dst->data_left_out, &dst->ndata_left_out, src->data_left_out[i]);
	dst->schema_only = src->schema_only;
	dst->data_only = src->data_only;
	dst->strict_names = src->strict_names;
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
selection_free(struct db_selection *sel)
{
	int k;

	for (k = 0; k < SEL_NKINDS; k++)
		free_list(sel->patterns[k], sel->npatterns[k]);
	free_list(sel->data_left_out, sel->ndata_left_out);
	memset(sel, 0, sizeof(*sel));
}

static json_t *
string_array(char **v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

json_t *
selection_to_json(const struct db_selection *sel)
{
	json_t *o = json_object();
	int k;

	for (k = 0; k < SEL_NKINDS; k++)
		json_object_set_new(o, json_keys[k], string_array(sel->patterns[k], sel->npatterns[k]));
	json_object_set_new(o, "schema_only", json_boolean(sel->schema_only));
	json_object_set_new(o, "data_only", json_boolean(sel->data_only));
	json_object_set_new(o, "strict_names", json_boolean(sel->strict_names));
	json_object_set_new(o, "data_left_out", string_array(sel->data_left_out, sel->ndata_left_out));
	return o;
}

/* Pattern strings pass through jansson's UTF-8 check; a non-string entry is refused. */
static int
read_list(json_t *o, const char *key, char ***v, size_t *n, char *err, size_t errlen)
{
	json_t *a = json_object_get(o, key), *item;
	size_t i;

	if (a == NULL)
		return 0;
	if (!json_is_array(a)) {
		snprintf(err, errlen, "field \"selection.%s\" is not an array", key);
		return -1;
	}
	json_array_foreach(a, i, item) {
		if (!json_is_string(item)) {
			snprintf(err, errlen, "entry %zu of \"selection.%s\" is not a string", i, key);
			return -1;
		}
		push(v, n, json_string_value(item));
	}
	return 0;
}

int
selection_from_json(json_t *v, struct db_selection *sel, char *err, size_t errlen)
{
	int k;

	memset(sel, 0, sizeof(*sel));
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v)) {
		snprintf(err, errlen, "field \"selection\" is not an object");
		return -1;
	}
	for (k = 0; k < SEL_NKINDS; k++)
		if (read_list(v, json_keys[k], &sel->patterns[k], &sel->npatterns[k], err, errlen) < 0)
			goto fail;
	if (read_list(v, "data_left_out", &sel->data_left_out, &sel->ndata_left_out, err, errlen) < 0)
		goto fail;
	sel->schema_only = json_is_true(json_object_get(v, "schema_only"));
	sel->data_only = json_is_true(json_object_get(v, "data_only"));
	sel->strict_names = json_is_true(json_object_get(v, "strict_names"));
	return 0;
fail:
	selection_free(sel);
	return -1;
}
