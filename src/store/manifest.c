#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/backups.h"
#include "base/fsutil.h"
#include "base/json.h"
#include "base/log.h"
#include "store/manifest.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#define MANIFEST_FORMAT 1

/* Strict UTF-8 (no overlongs, no surrogates), as JSON needs. */
static int
valid_utf8(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s, n, i, cp;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		s += n + 1;
	}
	return 1;
}

char *
manifest_name(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	if (valid_utf8((const unsigned char *)s))
		return xstrdup(s);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80)
			strbuf_printf(&sb, "\\x%02x", c);
		else if (c == '\\')
			strbuf_puts(&sb, "\\\\");
		else
			strbuf_putc(&sb, (char)c);
	}
	return strbuf_detach(&sb);
}

struct manifest_table *
manifest_add_table(struct db_manifest *m, const char *schema, const char *name,
    const char *qualified, long long rows)
{
	struct manifest_table *t;

	m->tables = xrealloc(m->tables, (m->ntables + 1) * sizeof(*m->tables));
	t = &m->tables[m->ntables++];
	t->schema = manifest_name(schema);
	t->name = manifest_name(name);
	t->qualified = manifest_name(qualified);
	t->rows = rows;
	t->data_bytes = 0;
	t->data_crc32 = 0;
	t->gz_offset = 0;
	t->gz_length = 0;
	return t;
}

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* json_pack that cannot silently drop an entry: names were made valid UTF-8 above. */
static json_t *
json_pack_checked(const char *fmt, ...)
{
	json_error_t err;
	json_t *v;
	va_list ap;

	va_start(ap, fmt);
	v = json_vpack_ex(&err, 0, fmt, ap);
	va_end(ap);
	if (v == NULL) {
		fprintf(stderr, "lotbackup: internal error: cannot build the manifest: %s\n", err.text);
		exit(1);
	}
	return v;
}

int
manifest_table_named(const struct manifest_table *t, const char *w)
{
	size_t sl = strlen(t->schema);
	const char *q = t->qualified;
	int quoted = 0;

	if (strcmp(w, t->qualified) == 0 || strcmp(w, t->name) == 0 ||
	    (strncmp(w, t->schema, sl) == 0 && w[sl] == '.' && strcmp(w + sl + 1, t->name) == 0))
		return 1;
	/* The name part of the qualified name, quotes as written. */
	for (; *q != '\0' && (quoted || *q != '.'); q++)
		quoted ^= *q == '"';
	return *q == '.' && strcmp(w, q + 1) == 0;
}

char *
manifest_to_json(const struct db_manifest *m)
{
	json_t *root = json_object(), *tables = json_array();
	size_t i;

	for (i = 0; i < m->ntables; i++)
		json_array_append_new(tables, json_pack_checked("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "schema",
		    m->tables[i].schema, "name", m->tables[i].name, "qualified", m->tables[i].qualified,
		    "rows", (json_int_t)m->tables[i].rows, "data_bytes", (json_int_t)m->tables[i].data_bytes,
		    "data_crc32", (json_int_t)m->tables[i].data_crc32, "gz_offset", (json_int_t)m->tables[i].gz_offset,
		    "gz_length", (json_int_t)m->tables[i].gz_length));
	json_object_set_new(root, "format", json_integer(MANIFEST_FORMAT));
	json_object_set_new(root, "kind", json_string("db"));
	json_object_set_new(root, "file", str_or_null(m->file));
	json_object_set_new(root, "tool_version", str_or_null(m->tool_version));
	json_object_set_new(root, "server_version", str_or_null(m->server_version));
	json_object_set_new(root, "database", str_or_null(m->database));
	json_object_set_new(root, "encoding", str_or_null(m->encoding));
	json_object_set_new(root, "started_at", str_or_null(m->started_at));
	json_object_set_new(root, "finished_at", str_or_null(m->finished_at));
	json_object_set_new(root, "snapshot", str_or_null(m->snapshot));
	json_object_set_new(root, "compression", json_pack("{s:s, s:i}", "method", "gzip", "level", m->compress_level));
	json_object_set_new(root, "bytes", json_integer((json_int_t)m->bytes));
	json_object_set_new(root, "sql_bytes", json_integer((json_int_t)m->sql_bytes));
	json_object_set_new(root, "sha256", json_string(m->sha256));
	if (m->encryption_key != NULL)
		json_object_set_new(root, "encryption", manifest_encryption_json(m->encryption_key, m->key_fingerprint));
	json_object_set_new(root, "tables", tables);
	json_object_set_new(root, "large_objects", json_pack("{s:I, s:I}", "count", (json_int_t)m->large_objects,
	    "bytes", (json_int_t)m->large_object_bytes));
	if (m->nledgers > 0)
		json_object_set_new(root, "migrations", manifest_ledgers_json(m->ledgers, m->nledgers));
	if (m->globals_file != NULL)
		json_object_set_new(root, "globals", json_pack_checked("{s:s, s:I, s:s, s:I, s:I}", "file",
		    m->globals_file, "bytes", (json_int_t)m->globals_bytes, "sha256", m->globals_sha256,
		    "roles", (json_int_t)m->globals_roles, "tablespaces", (json_int_t)m->globals_tablespaces));
	/* Only a partial dump has one: a manifest without it is of the whole database. */
	if (selection_partial(&m->selection))
		json_object_set_new(root, "selection", selection_to_json(&m->selection));
	return json_text(root);
}

json_t *
manifest_ledgers_json(const struct manifest_ledger *l, size_t n)
{
	json_t *all = json_array();
	size_t i, j;

	for (i = 0; i < n; i++) {
		json_t *applied = json_array();

		for (j = 0; j < l[i].napplied; j++)
			json_array_append_new(applied, json_string(l[i].applied[j]));
		json_array_append_new(all, json_pack("{s:s, s:s, s:b, s:o}", "tool", l[i].tool, "table", l[i].table,
		    "head_only", l[i].head_only, "applied", applied));
	}
	return all;
}

void
manifest_ledgers_free(struct manifest_ledger *l, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < l[i].napplied; j++)
			free(l[i].applied[j]);
		free(l[i].applied);
		free(l[i].tool);
		free(l[i].table);
	}
	free(l);
}

/* The optional "migrations" array into M; names not UTF-8 never reach it (manifest_name). */
static int
parse_ledgers(json_t *v, struct db_manifest *m, char *err, size_t errlen)
{
	size_t i, j;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		goto bad;
	m->ledgers = xcalloc(json_array_size(v) + 1, sizeof(*m->ledgers));
	for (i = 0; i < json_array_size(v); i++) {
		json_t *e = json_array_get(v, i), *applied = json_object_get(e, "applied");
		struct manifest_ledger *l = &m->ledgers[m->nledgers];

		if (!json_is_string(json_object_get(e, "tool")) || !json_is_string(json_object_get(e, "table")) ||
		    !json_is_array(applied))
			goto bad;
		l->tool = xstrdup(json_string_value(json_object_get(e, "tool")));
		l->table = xstrdup(json_string_value(json_object_get(e, "table")));
		l->head_only = json_is_true(json_object_get(e, "head_only"));
		l->applied = xcalloc(json_array_size(applied) + 1, sizeof(*l->applied));
		m->nledgers++;
		for (j = 0; j < json_array_size(applied); j++) {
			if (!json_is_string(json_array_get(applied, j)))
				goto bad;
			l->applied[l->napplied++] = xstrdup(json_string_value(json_array_get(applied, j)));
		}
	}
	return 0;
bad:
	snprintf(err, errlen, "field \"migrations\" is not an array of {tool, table, applied}");
	return -1;
}

json_t *
manifest_encryption_json(const char *key, const char *fingerprint)
{
	return json_pack("{s:s, s:i, s:s, s:s}", "method", "xchacha20poly1305-secretstream", "format", 1, "key", key,
	    "key_fingerprint", fingerprint ? fingerprint : "");
}

static int
get_string(json_t *root, const char *key, char **slot, char *err, size_t errlen)
{
	json_t *v = json_object_get(root, key);

	if (v == NULL || json_is_null(v)) {
		*slot = NULL;
		return 0;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "field \"%s\" is not a string", key);
		return -1;
	}
	*slot = xstrdup(json_string_value(v));
	return 0;
}

static int
get_count(json_t *root, const char *key, uint64_t *slot, char *err, size_t errlen)
{
	json_t *v = json_object_get(root, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(err, errlen, "field \"%s\" is missing or not a non-negative integer", key);
		return -1;
	}
	*slot = (uint64_t)json_integer_value(v);
	return 0;
}

/* Entry I of "tables", added to M. 0, or -1 with why in err. */
static int
parse_table(json_t *t, size_t i, struct db_manifest *m, char *err, size_t errlen)
{
	json_t *schema = json_object_get(t, "schema"), *name = json_object_get(t, "name");
	json_t *rows = json_object_get(t, "rows"), *qualified = json_object_get(t, "qualified");
	json_t *dbytes = json_object_get(t, "data_bytes"), *dcrc = json_object_get(t, "data_crc32");
	json_t *gzoff = json_object_get(t, "gz_offset"), *gzlen = json_object_get(t, "gz_length");
	struct manifest_table *mt;

	if (!json_is_string(schema) || !json_is_string(name) || !json_is_string(qualified) ||
	    !json_is_integer(rows) || json_integer_value(rows) < 0) {
		snprintf(err, errlen, "entry %zu of \"tables\" needs schema, name, qualified and rows", i);
		return -1;
	}
	if (!json_is_integer(dbytes) || json_integer_value(dbytes) < 0 || !json_is_integer(dcrc) ||
	    json_integer_value(dcrc) < 0 || json_integer_value(dcrc) > 0xffffffffLL) {
		snprintf(err, errlen, "entry %zu of \"tables\" needs data_bytes and data_crc32", i);
		return -1;
	}
	mt = manifest_add_table(m, json_string_value(schema), json_string_value(name),
	    json_string_value(qualified), (long long)json_integer_value(rows));
	mt->data_bytes = (uint64_t)json_integer_value(dbytes);
	mt->data_crc32 = (uint32_t)json_integer_value(dcrc);
	/* Optional: without a member index a restore loads tables one by one. */
	if (json_is_integer(gzoff) && json_is_integer(gzlen) && json_integer_value(gzoff) >= 0 &&
	    json_integer_value(gzlen) > 0) {
		mt->gz_offset = (uint64_t)json_integer_value(gzoff);
		mt->gz_length = (uint64_t)json_integer_value(gzlen);
	}
	return 0;
}

/* The optional "globals" object (db --globals). 0, or -1 with why in err. */
static int
parse_globals(json_t *g, struct db_manifest *m, char *err, size_t errlen)
{
	json_t *sha;
	uint64_t roles = 0, spcs = 0;

	if (g == NULL || json_is_null(g))
		return 0;
	sha = json_object_get(g, "sha256");
	if (!json_is_object(g) || !json_is_string(sha) || strlen(json_string_value(sha)) != 64 ||
	    strspn(json_string_value(sha), "0123456789abcdef") != 64) {
		snprintf(err, errlen, "field \"globals\" is not an object with a 64-hex-digit \"sha256\"");
		return -1;
	}
	if (get_string(g, "file", &m->globals_file, err, errlen) || m->globals_file == NULL ||
	    strchr(m->globals_file, '/') != NULL) {
		if (err[0] == '\0' || m->globals_file != NULL)
			snprintf(err, errlen, "field \"globals.file\" is missing or not a plain file name");
		return -1;
	}
	if (get_count(g, "bytes", &m->globals_bytes, err, errlen) || get_count(g, "roles", &roles, err, errlen) ||
	    get_count(g, "tablespaces", &spcs, err, errlen))
		return -1;
	memcpy(m->globals_sha256, json_string_value(sha), 65);
	m->globals_roles = (long long)roles;
	m->globals_tablespaces = (long long)spcs;
	return 0;
}

int
manifest_parse(const char *text, size_t len, struct db_manifest *m, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *v, *tables, *level;
	size_t i;
	uint64_t lo_count = 0;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(err, errlen, "not valid JSON at line %d: %s", jerr.line, jerr.text);
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "not a JSON object");
		goto out;
	}
	v = json_object_get(root, "kind");
	if (!json_is_string(v) || strcmp(json_string_value(v), "db") != 0) {
		snprintf(err, errlen, "field \"kind\" is not \"db\"");
		goto out;
	}
	if (get_string(root, "file", &m->file, err, errlen) || get_string(root, "tool_version", &m->tool_version, err, errlen) ||
	    get_string(root, "server_version", &m->server_version, err, errlen) ||
	    get_string(root, "database", &m->database, err, errlen) ||
	    get_string(root, "encoding", &m->encoding, err, errlen) ||
	    get_string(root, "started_at", &m->started_at, err, errlen) ||
	    get_string(root, "finished_at", &m->finished_at, err, errlen) ||
	    get_string(root, "snapshot", &m->snapshot, err, errlen) ||
	    get_count(root, "bytes", &m->bytes, err, errlen) || get_count(root, "sql_bytes", &m->sql_bytes, err, errlen))
		goto out;
	v = json_object_get(root, "sha256");
	if (!json_is_string(v) || strlen(json_string_value(v)) != 64 ||
	    strspn(json_string_value(v), "0123456789abcdef") != 64) {
		snprintf(err, errlen, "field \"sha256\" is missing or not 64 hex digits");
		goto out;
	}
	memcpy(m->sha256, json_string_value(v), 65);
	v = json_object_get(root, "encryption");
	if (v != NULL && !json_is_null(v) && (!json_is_object(v) ||
	    !json_is_string(json_object_get(v, "key")) || !json_is_string(json_object_get(v, "key_fingerprint")))) {
		snprintf(err, errlen, "field \"encryption\" is not an object with \"key\" and \"key_fingerprint\"");
		goto out;
	}
	if (v != NULL && !json_is_null(v)) {
		m->encryption_key = xstrdup(json_string_value(json_object_get(v, "key")));
		m->key_fingerprint = xstrdup(json_string_value(json_object_get(v, "key_fingerprint")));
	}
	level = json_object_get(json_object_get(root, "compression"), "level");
	m->compress_level = json_is_integer(level) ? (int)json_integer_value(level) : 0;
	tables = json_object_get(root, "tables");
	if (!json_is_array(tables)) {
		snprintf(err, errlen, "field \"tables\" is missing or not an array");
		goto out;
	}
	for (i = 0; i < json_array_size(tables); i++)
		if (parse_table(json_array_get(tables, i), i, m, err, errlen) < 0)
			goto out;
	/* Optional: manifests before large objects were dumped have none. */
	v = json_object_get(root, "large_objects");
	if (v != NULL && (get_count(v, "count", &lo_count, err, errlen) ||
	    get_count(v, "bytes", &m->large_object_bytes, err, errlen)))
		goto out;
	m->large_objects = (long long)lo_count;
	if (parse_ledgers(json_object_get(root, "migrations"), m, err, errlen) < 0 ||
	    selection_from_json(json_object_get(root, "selection"), &m->selection, err, errlen) < 0 ||
	    parse_globals(json_object_get(root, "globals"), m, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	json_decref(root);
	if (rc < 0)
		manifest_free(m);
	return rc;
}

int
manifest_read_brief(const char *dump_path, char **database, struct db_selection *sel)
{
	char *mpath = xasprintf("%s%s", dump_path, MANIFEST_SUFFIX), *text = NULL, err[256];
	size_t len = 0;
	json_t *root = NULL, *db;
	int rc = 1;

	if (database != NULL)
		*database = NULL;
	memset(sel, 0, sizeof(*sel));
	if (fs_read_file(mpath, &text, &len) != 0)
		goto out;
	/* Most dumps are whole: their manifests (a big one lists thousands of tables) need no parse. */
	if (database == NULL && memmem(text, len, "\"selection\"", 11) == NULL) {
		rc = 0;
		goto out;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(root) || selection_from_json(json_object_get(root, "selection"), sel, err, sizeof(err)) < 0)
		goto out;
	db = json_object_get(root, "database");
	if (database != NULL && json_is_string(db))
		*database = xstrdup(json_string_value(db));
	rc = 0;
out:
	json_decref(root);
	free(text);
	free(mpath);
	return rc;
}

void
manifest_free(struct db_manifest *m)
{
	size_t i;

	for (i = 0; i < m->ntables; i++) {
		free(m->tables[i].schema);
		free(m->tables[i].name);
		free(m->tables[i].qualified);
	}
	free(m->tables);
	free(m->file);
	free(m->tool_version);
	free(m->server_version);
	free(m->database);
	free(m->encoding);
	free(m->encryption_key);
	free(m->key_fingerprint);
	free(m->started_at);
	free(m->finished_at);
	free(m->snapshot);
	manifest_ledgers_free(m->ledgers, m->nledgers);
	selection_free(&m->selection);
	free(m->globals_file);
	memset(m, 0, sizeof(*m));
}

int
manifest_read(const char *dump_path, struct db_manifest *m, char **mpath_out, char *err, size_t errlen)
{
	char *mpath = xasprintf("%s%s", dump_path, MANIFEST_SUFFIX), *text = NULL;
	size_t len = 0;
	int rc = fs_read_file(mpath, &text, &len);

	if (rc == 0 && manifest_parse(text, len, m, err, errlen) < 0)
		rc = 2;
	free(text);
	if (mpath_out != NULL)
		*mpath_out = mpath;
	else
		free(mpath);
	return rc;
}
