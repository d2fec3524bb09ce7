#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backups.h"
#include "dump-reader.h"
#include "dump.h"
#include "fsutil.h"
#include "log.h"
#include "manifest.h"
#include "sql-split.h"
#include "strbuf.h"
#include "verify.h"
#include "version.h"
#include "xalloc.h"

#define TAIL_KEEP 256

struct table_rows {
	char *qualified;
	long long rows;
};

/* What one pass over the SQL finds. */
struct scan {
	struct sql_splitter *splitter;
	struct table_rows *tables;
	size_t ntables;
	char *current;		/* table of the COPY block being read */
	long long current_rows;
	char tail[TAIL_KEEP];	/* the last bytes of the SQL, for the marker */
	size_t tail_len;
};

static void
add_check(struct verify_result *r, const char *name, int ok, const char *fmt, ...)
{
	struct verify_check *c;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (r->nchecks == VERIFY_MAX_CHECKS)
		return;
	c = &r->checks[r->nchecks++];
	c->name = name;
	c->ok = ok;
	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	c->detail = strbuf_detach(&sb);
	if (!ok)
		r->failed++;
}

/* One identifier, quoted ("a""b") or bare, at *p; appended as written. */
static int
take_identifier(const char **p, const char *end, struct strbuf *out)
{
	const char *s = *p;

	if (s < end && *s == '"') {
		strbuf_putc(out, *s++);
		while (s < end) {
			if (*s == '"') {
				if (s + 1 < end && s[1] == '"') {
					strbuf_append(out, "\"\"", 2);
					s += 2;
					continue;
				}
				strbuf_putc(out, *s++);
				*p = s;
				return 0;
			}
			strbuf_putc(out, *s++);
		}
		return -1;
	}
	while (s < end && (isalnum((unsigned char)*s) || *s == '_' || *s == '$' || (unsigned char)*s >= 0x80))
		strbuf_putc(out, *s++);
	if (s == *p)
		return -1;
	*p = s;
	return 0;
}

/* "COPY schema.table (cols) FROM stdin;" -> "schema.table" as written. */
static char *
copy_target(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	struct strbuf name = STRBUF_INIT;

	if (len < 5 || strncasecmp(p, "COPY", 4) != 0 || !isspace((unsigned char)p[4]))
		return NULL;
	p += 4;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (take_identifier(&p, end, &name) < 0)
		goto bad;
	while (p < end && *p == '.') {
		strbuf_putc(&name, *p++);
		if (take_identifier(&p, end, &name) < 0)
			goto bad;
	}
	return strbuf_detach(&name);
bad:
	strbuf_free(&name);
	return NULL;
}

static int
on_item(void *ctx, const struct sql_item *item)
{
	struct scan *s = ctx;
	size_t i;

	switch (item->kind) {
	case SQL_STATEMENT:
		free(s->current);
		s->current = copy_target(item->text, item->len);
		s->current_rows = 0;
		break;
	case SQL_COPY_DATA:
		for (i = 0; i < item->len; i++)
			s->current_rows += item->text[i] == '\n';
		break;
	case SQL_COPY_END:
		s->tables = xrealloc(s->tables, (s->ntables + 1) * sizeof(*s->tables));
		s->tables[s->ntables].qualified = xstrdup(s->current ? s->current : "?");
		s->tables[s->ntables].rows = s->current_rows;
		s->ntables++;
		break;
	case SQL_META:
		break;
	}
	return 0;
}

static int
on_chunk(void *ctx, const char *buf, size_t len)
{
	struct scan *s = ctx;

	if (len >= TAIL_KEEP) {
		memcpy(s->tail, buf + len - TAIL_KEEP, TAIL_KEEP);
		s->tail_len = TAIL_KEEP;
	} else {
		size_t keep = s->tail_len + len > TAIL_KEEP ? TAIL_KEEP - len : s->tail_len;

		memmove(s->tail, s->tail + s->tail_len - keep, keep);
		memcpy(s->tail + keep, buf, len);
		s->tail_len = keep + len;
	}
	/* A splitter error is a finding about the file, reported after the read. */
	sql_splitter_feed(s->splitter, buf, len);
	return 0;
}

static int
ends_with_marker(const struct scan *s)
{
	static const char marker[] = DUMP_COMPLETE_MARKER "\n";
	size_t mlen = sizeof(marker) - 1;

	return s->tail_len >= mlen && memcmp(s->tail + s->tail_len - mlen, marker, mlen) == 0 &&
	    (s->tail_len == mlen || s->tail[s->tail_len - mlen - 1] == '\n');
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct table_rows *)a)->qualified, ((const struct table_rows *)b)->qualified);
}

static void
compare_rows(struct verify_result *r, const struct db_manifest *m, struct scan *s)
{
	struct strbuf problems = STRBUF_INIT;
	size_t i, nproblems = 0;
	long long dumped = 0, recorded = 0;

	qsort(s->tables, s->ntables, sizeof(*s->tables), by_name);
	for (i = 0; i < m->ntables; i++) {
		struct table_rows key = { m->tables[i].qualified, 0 };
		struct table_rows *found = bsearch(&key, s->tables, s->ntables, sizeof(*s->tables), by_name);

		recorded += m->tables[i].rows;
		if (found == NULL) {
			if (nproblems++ < 3)
				strbuf_printf(&problems, "%stable %s: no data block in the dump (manifest: %lld rows)",
				    problems.len ? "; " : "", m->tables[i].qualified, m->tables[i].rows);
		} else if (found->rows != m->tables[i].rows) {
			if (nproblems++ < 3)
				strbuf_printf(&problems, "%stable %s: manifest %lld rows, dump %lld",
				    problems.len ? "; " : "", m->tables[i].qualified, m->tables[i].rows, found->rows);
		}
	}
	for (i = 0; i < s->ntables; i++)
		dumped += s->tables[i].rows;
	if (s->ntables != m->ntables && nproblems++ < 3)
		strbuf_printf(&problems, "%s%zu data blocks in the dump, %zu tables in the manifest",
		    problems.len ? "; " : "", s->ntables, m->ntables);
	add_check(r, "not-empty", !(recorded > 0 && dumped == 0) && s->tail_len > 0,
	    "%lld rows dumped, %lld recorded", dumped, recorded);
	if (nproblems == 0)
		add_check(r, "rows", 1, "%zu tables, %lld rows as recorded", m->ntables, recorded);
	else
		add_check(r, "rows", 0, "%s%s", strbuf_str(&problems), nproblems > 3 ? " (and more)" : "");
	strbuf_free(&problems);
}

static int
load_manifest(const char *path, struct db_manifest *m, struct verify_result *r)
{
	char *mpath = xasprintf("%s%s", path, MANIFEST_SUFFIX);
	char *text = NULL, err[256];
	size_t len = 0;
	int rc = fs_read_file(mpath, &text, &len);

	if (rc == 1) {
		add_check(r, "manifest", 0, "%s is missing", mpath);
		rc = 1;
	} else if (rc == 0) {
		if (manifest_parse(text, len, m, err, sizeof(err)) < 0) {
			add_check(r, "manifest", 0, "%s: %s", mpath, err);
			rc = 1;
		} else {
			add_check(r, "manifest", 1, "%s", mpath);
		}
	}
	free(text);
	free(mpath);
	return rc;	/* 0 usable, 1 not usable (a finding), -1 cannot read */
}

int
verify_db_dump(const char *path, struct verify_result *r)
{
	struct db_manifest m;
	struct dump_read_stats stats;
	struct scan s;
	char err[512];
	int have_manifest, rrc, rc = -1;
	size_t i;

	memset(&m, 0, sizeof(m));
	memset(&s, 0, sizeof(s));
	memset(r, 0, sizeof(*r));
	r->path = xstrdup(path);
	have_manifest = load_manifest(path, &m, r);
	if (have_manifest < 0)
		goto out;
	have_manifest = have_manifest == 0;
	s.splitter = sql_splitter_new(on_item, &s);
	rrc = dump_read(path, on_chunk, &s, &stats, err, sizeof(err));
	if (rrc == DUMP_READ_IO_ERROR)
		goto out;
	if (rrc == DUMP_READ_CORRUPT)
		add_check(r, "gzip", 0, "%s", err);
	else
		add_check(r, "gzip", 1, stats.gzip ? "stream intact, CRCs valid" : "plain SQL, not compressed");
	if (have_manifest) {
		add_check(r, "size", stats.file_bytes == m.bytes, "manifest %llu bytes, file %llu",
		    (unsigned long long)m.bytes, (unsigned long long)stats.file_bytes);
		if (rrc == DUMP_READ_OK)
			add_check(r, "checksum", strcmp(stats.sha256, m.sha256) == 0, "manifest sha256 %.16s…, file %.16s…",
			    m.sha256, stats.sha256);
		else
			add_check(r, "checksum", 0, "file could not be read to the end");
	}
	add_check(r, "complete", rrc == DUMP_READ_OK && ends_with_marker(&s),
	    ends_with_marker(&s) ? "ends with the completion marker" :
	    "the last line is not \"" DUMP_COMPLETE_MARKER "\": the dump was cut short");
	if (have_manifest) {
		if (rrc == DUMP_READ_OK && sql_splitter_finish(s.splitter) < 0)
			add_check(r, "rows", 0, "the SQL does not parse: %s", sql_splitter_error(s.splitter));
		else
			compare_rows(r, &m, &s);
	}
	rc = 0;
out:
	for (i = 0; i < s.ntables; i++)
		free(s.tables[i].qualified);
	free(s.tables);
	free(s.current);
	sql_splitter_free(s.splitter);
	manifest_free(&m);
	return rc;
}

int
verify_record(const struct verify_result *r)
{
	char *path = xasprintf("%s%s", r->path, VERIFIED_SUFFIX);
	json_t *root, *checks = json_array();
	char *text = NULL, *now = iso_time_now();
	size_t i;
	int rc = 0;

	if (r->failed) {
		if (unlink(path) < 0 && errno != ENOENT) {
			log_errno("cannot remove %s", path);
			rc = -1;
		}
		goto out;
	}
	for (i = 0; i < r->nchecks; i++)
		json_array_append_new(checks, json_string(r->checks[i].name));
	root = json_pack("{s:s, s:s, s:s, s:o}", "verified_at", now, "tool_version", LOTBACKUP_VERSION,
	    "file", r->path, "checks_passed", checks);
	checks = NULL;
	text = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	rc = fs_write_file_atomic(path, text, strlen(text), 0600, 0);
out:
	json_decref(checks);
	free(text);
	free(now);
	free(path);
	return rc;
}

void
verify_result_free(struct verify_result *r)
{
	size_t i;

	for (i = 0; i < r->nchecks; i++)
		free(r->checks[i].detail);
	free(r->path);
	memset(r, 0, sizeof(*r));
}
