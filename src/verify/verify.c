#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/backups.h"
#include "dump/dump-contents.h"
#include "dump/dump-reader.h"
#include "base/format.h"
#include "base/fsutil.h"
#include "base/json.h"
#include "base/log.h"
#include "store/manifest.h"
#include "io/pipe.h"
#include "base/strbuf.h"
#include "verify/verify.h"
#include "base/version.h"
#include "base/xalloc.h"

void
verify_result_init(struct verify_result *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->path = xstrdup(path);
}

void
verify_add(struct verify_result *r, const char *name, int ok, const char *fmt, ...)
{
	struct verify_check *c;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (r->nchecks == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 8;
		r->checks = xrealloc(r->checks, r->alloc * sizeof(*r->checks));
	}
	c = &r->checks[r->nchecks++];
	c->name = name;
	c->ok = ok;
	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	c->detail = strbuf_detach(&sb);
	/* The one place a failure is counted. */
	if (!ok)
		r->failed++;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct contents_table *)a)->qualified, ((const struct contents_table *)b)->qualified);
}

static void
compare_rows(struct verify_result *r, const struct db_manifest *m, struct dump_contents *s)
{
	struct strbuf problems = STRBUF_INIT;
	size_t i, nproblems = 0;
	long long dumped = 0, recorded = 0;
	char *partial = selection_describe(&m->selection);

	/* What the dump leaves out on purpose is said, never counted as missing. */
	if (partial != NULL)
		verify_add(r, "selection", 1, "%s", partial);
	free(partial);

	/* The manifest holds names in its JSON-safe form: compare like with like. */
	for (i = 0; i < s->ntables; i++) {
		char *safe = manifest_name(s->tables[i].qualified);

		free(s->tables[i].qualified);
		s->tables[i].qualified = safe;
	}
	if (s->ntables > 1)
		qsort(s->tables, s->ntables, sizeof(*s->tables), by_name);
	for (i = 0; i < m->ntables; i++) {
		struct contents_table key = { m->tables[i].qualified, 0, 0, 0, 0, 0 };
		struct contents_table *found = s->ntables == 0 ? NULL :
		    bsearch(&key, s->tables, s->ntables, sizeof(*s->tables), by_name);

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
	verify_add(r, "not-empty", !(recorded > 0 && dumped == 0) && s->read.sql_bytes > 0,
	    "%lld rows dumped, %lld recorded", dumped, recorded);
	/* Said only of dumps that hold some: older manifests and most databases have none. */
	if (m->large_objects > 0 || s->large_objects > 0 || m->large_object_bytes > 0 || s->large_object_bytes > 0)
		verify_add(r, "large-objs", m->large_objects == s->large_objects &&
		    m->large_object_bytes == s->large_object_bytes,
		    "manifest %lld large objects (%llu bytes), dump %lld (%llu bytes)", m->large_objects,
		    (unsigned long long)m->large_object_bytes, s->large_objects,
		    (unsigned long long)s->large_object_bytes);
	if (nproblems == 0)
		verify_add(r, "rows", 1, "%zu tables, %lld rows as recorded", m->ntables, recorded);
	else
		verify_add(r, "rows", 0, "%s%s", strbuf_str(&problems), nproblems > 3 ? " (and more)" : "");
	strbuf_free(&problems);
}

/* bsearch keys: an offset against a boundary's input offset, and against a mark's SQL offset. */
static int
by_in(const void *key, const void *elem)
{
	uint64_t a = *(const uint64_t *)key, b = ((const struct gzip_boundary *)elem)->in;

	return a < b ? -1 : a > b;
}

static int
by_sql(const void *key, const void *elem)
{
	uint64_t a = *(const uint64_t *)key, b = ((const struct contents_mark *)elem)->sql;

	return a < b ? -1 : a > b;
}

/*
 * What is wrong with table t's segment, as restore reads it (restore.c,
 * restore-tables.c): whole gzip members from gz_offset, gz_length bytes,
 * holding its COPY block and nothing else, with the SQL before the first
 * segment and after the last one read as ranges too. NULL: nothing.
 */
static const char *
segment_problem(const struct dump_contents *c, const struct manifest_table *t, const struct contents_table *found)
{
	const struct gzip_boundary *from, *to;
	const struct contents_mark *start, *end;
	uint64_t at, stream = c->read.nbounds > 0 ? c->read.bounds[c->read.nbounds - 1].in : 0;

	/* Past here there are boundaries (the stream's end at least), so bsearch has an array. */
	if (t->gz_offset >= stream || t->gz_length > stream - t->gz_offset)
		return "lies past the end of the gzip stream";
	at = t->gz_offset;
	from = bsearch(&at, c->read.bounds, c->read.nbounds, sizeof(*from), by_in);
	at = t->gz_offset + t->gz_length;
	to = bsearch(&at, c->read.bounds, c->read.nbounds, sizeof(*to), by_in);
	if (from == NULL)
		return "does not start where a gzip member does";
	if (to == NULL)
		return "does not end where a gzip member does";
	if (found == NULL)
		return NULL;	/* no block at all: the rows check says so */
	start = bsearch(&from->out, c->marks, c->nmarks, sizeof(*start), by_sql);
	end = bsearch(&to->out, c->marks, c->nmarks, sizeof(*end), by_sql);
	if (start == NULL || end == NULL || !start->line_start || !end->line_start ||
	    !(found->before < start->line && start->line <= found->copy_line) ||
	    !(found->end_line < end->line && end->line <= found->after))
		return "does not hold exactly the table's COPY block";
	return NULL;
}

/* Each table's segment (restore loads tables side by side from them) where the manifest records one. */
static void
check_segments(struct verify_result *r, const struct db_manifest *m, const struct dump_contents *c)
{
	struct strbuf problems = STRBUF_INIT;
	size_t i, nproblems = 0, nsegments = 0;

	for (i = 0; i < m->ntables; i++) {
		const struct manifest_table *t = &m->tables[i];
		struct contents_table key = { t->qualified, 0, 0, 0, 0, 0 };
		const char *why;

		if (t->gz_length == 0)
			continue;
		nsegments++;
		why = segment_problem(c, t, c->ntables == 0 ? NULL :
		    bsearch(&key, c->tables, c->ntables, sizeof(*c->tables), by_name));
		if (why != NULL && nproblems++ < 3)
			strbuf_printf(&problems, "%stable %s: its segment (gz_offset %llu, gz_length %llu) %s",
			    problems.len ? "; " : "", t->qualified, (unsigned long long)t->gz_offset,
			    (unsigned long long)t->gz_length, why);
	}
	if (nproblems > 0)
		verify_add(r, "segments", 0, "%s%s", strbuf_str(&problems), nproblems > 3 ? " (and more)" : "");
	else if (nsegments > 0)
		verify_add(r, "segments", 1, "%zu tables, each whole gzip members holding its COPY block", nsegments);
	strbuf_free(&problems);
}

static int
manifest_exists(const char *path)
{
	char *mpath = xasprintf("%s%s", path, MANIFEST_SUFFIX);
	int e = fs_exists(mpath);

	free(mpath);
	return e == 1;
}

static int
load_manifest(const char *path, struct db_manifest *m, struct verify_result *r)
{
	char *mpath = NULL, err[256];
	int rc = manifest_read(path, m, &mpath, err, sizeof(err));

	if (rc == 1)
		verify_add(r, "manifest", 0, "%s is missing", mpath);
	else if (rc == 2)
		verify_add(r, "manifest", 0, "%s: %s", mpath, err);
	else if (rc == 0)
		verify_add(r, "manifest", 1, "%s", mpath);
	free(mpath);
	return rc < 0 ? -1 : rc > 0;	/* 0 usable, 1 not usable (a finding), -1 cannot read */
}

/* The file's size and SHA-256 (NULL: it could not be read to the end) against the manifest's. */
static void
check_size_and_sha256(struct verify_result *r, const struct db_manifest *m, uint64_t size, const char *hex)
{
	verify_add(r, "size", size == m->bytes, "manifest %llu bytes, file %llu",
	    (unsigned long long)m->bytes, (unsigned long long)size);
	if (hex != NULL)
		verify_add(r, "checksum", strcmp(hex, m->sha256) == 0, "manifest sha256 %.16s..., file %.16s...",
		    m->sha256, hex);
	else
		verify_add(r, "checksum", 0, "the file could not be read to the end");
}

/* Only statements a dump holds (sql_refused), named by their line: nothing else may reach a server. */
static void
check_statements(struct verify_result *r, const struct dump_contents *c)
{
	if (c->refused_line > 0)
		verify_add(r, "statements", 0, "line %ld: %s", c->refused_line, c->refused);
	else
		verify_add(r, "statements", 1, "only statements a dump holds");
}

/*
 * The manifest is written only after a dump completed, so a file with its
 * size and SHA-256 is that complete dump, byte for byte: no need to check
 * its rows again. Its statements and tables are read all the same: a
 * manifest proves the file whole, not harmless nor coherent (a hostile one
 * matches its file), and a restore must refuse before loading a dump that
 * lacks a listed table's COPY block, an empty table's too.
 * One pass: the scan's pipe hashes the file as it reads it (dump_read).
 * The checksum is judged first, so a damaged file is reported as such and
 * not by what its damage did to the SQL.
 */
static int
quick_check(const char *path, const struct db_manifest *m, struct verify_result *r)
{
	struct dump_contents c;
	char hex[65];
	uint64_t size = 0;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	if (dump_contents_scan(path, &c) < 0)
		goto out;
	if (c.read_rc == DUMP_READ_OK) {
		check_size_and_sha256(r, m, c.read.file_bytes, c.read.sha256);
	} else {
		/* Bad data stopped the pipe short of the file's end: hash all of it to tell a bit flip. */
		if (sha256_file(path, 0, &size, hex) < 0) {
			log_errno("cannot read %s", path);
			goto out;
		}
		check_size_and_sha256(r, m, size, hex);
	}
	if (r->failed == 0) {
		if (c.read_rc == DUMP_READ_OK && c.parse_ok) {
			check_statements(r, &c);
			compare_rows(r, m, &c);
			check_segments(r, m, &c);
		} else {
			verify_add(r, "parse", 0, "%s", c.read_rc != DUMP_READ_OK ? c.read_error : c.parse_error);
		}
	}
	rc = 0;
out:
	dump_contents_free(&c);
	return rc;
}

/* VERIFY_LEGACY without a manifest: pg_dump's file passes as legacy, one of ours lost its manifest. */
static void
check_legacy(struct verify_result *r, const struct dump_contents *c, const char *path)
{
	int ours = c->read_rc == DUMP_READ_OK && dump_contents_has_marker(c);

	if (ours)
		verify_add(r, "manifest", 0, "%s%s is missing (lotbackup wrote this dump with one)", path,
		    MANIFEST_SUFFIX);
	else
		verify_add(r, "manifest", 1, "none: a legacy dump (pg_dump's), checked by its contents");
}

/* The table whose rows the gzip member starting at AT holds, by the manifest's offsets; NULL: none. */
static const char *
table_of_member(const struct db_manifest *m, uint64_t at)
{
	size_t i;

	for (i = 0; i < m->ntables; i++)
		if (m->tables[i].gz_length > 0 && at >= m->tables[i].gz_offset &&
		    at < m->tables[i].gz_offset + m->tables[i].gz_length)
			return m->tables[i].qualified;
	return NULL;
}

/*
 * Bad gzip data: where it is, precisely (the member, its offset, the table
 * whose rows it holds), once. What comes after it was not read, so the
 * checks of the SQL are not run on the part that was: they would only
 * echo the damage ("cut short", tables missing) and hide where it is.
 */
static void
check_gzip_damage(struct verify_result *r, const struct db_manifest *m, int have_manifest,
    const struct dump_contents *c)
{
	const struct dump_read_stats *st = &c->read;
	const char *table = have_manifest && st->bad_member > 0 ? table_of_member(m, st->bad_member_at) : NULL;

	if (st->bad_member == 0) {
		verify_add(r, "gzip", 0, "%s", c->read_error);
		return;
	}
	verify_add(r, "gzip", 0, "%s; in gzip member %zu, which starts at byte %llu%s%s%s; nothing after it "
	    "was checked", c->read_error, st->bad_member, (unsigned long long)st->bad_member_at,
	    st->encrypted ? " of the decrypted stream" : "", table ? " and holds rows of table " : "",
	    table ? table : "");
}

/* db --globals: the roles file beside the dump, as the manifest recorded it. */
static int
check_globals(struct verify_result *r, const char *path, const struct db_manifest *m)
{
	const char *slash = strrchr(path, '/');
	char *gpath, hex[65];
	uint64_t size = 0;
	int rc;

	if (m->globals_file == NULL)
		return 0;
	gpath = xasprintf("%.*s%s", slash ? (int)(slash - path + 1) : 0, path, m->globals_file);
	if ((rc = fs_exists(gpath)) == 0)
		verify_add(r, "globals", 0, "%s is missing", gpath);
	else if (rc > 0 && (rc = sha256_file(gpath, 1, &size, hex)) == 0)
		verify_add(r, "globals", size == m->globals_bytes && strcmp(hex, m->globals_sha256) == 0,
		    "%s: %lld roles, %lld tablespaces; manifest %llu bytes sha256 %.16s..., file %llu %.16s...",
		    m->globals_file, m->globals_roles, m->globals_tablespaces,
		    (unsigned long long)m->globals_bytes, m->globals_sha256, (unsigned long long)size, hex);
	free(gpath);
	return rc < 0 ? -1 : 0;
}

/*
 * The checks of one whole read of a dump (C) named PATH, against M when
 * HAVE_MANIFEST; without one, FLAGS say whether it may pass as legacy.
 * After bad gzip data only what the damage does not decide is judged:
 * the size and checksum of the whole file (C's, hashed to its end by the
 * caller where it is a file) and, for a file cut short, its end.
 */
static void
contents_checks(struct verify_result *r, const struct db_manifest *m, int have_manifest, struct dump_contents *c,
    int flags, const char *path)
{
	int read_ok = c->read_rc == DUMP_READ_OK, cut, complete;

	/*
	 * Without the right key, or with a chunk that is not authentic, the
	 * rest cannot be judged: one finding, not its echoes.
	 */
	if (c->read.decrypt_failed) {
		verify_add(r, c->read.key_failed ? "key" : "decrypt", 0, "%s", c->read_error);
		return;
	}
	if (c->read.encrypted)
		verify_add(r, "decrypt", 1, "every chunk authentic, in order, up to the final one");
	if (c->read_rc == DUMP_READ_CORRUPT)
		check_gzip_damage(r, m, have_manifest, c);
	else
		verify_add(r, "gzip", 1, c->read.gzip ? "stream intact, CRCs valid" : "plain SQL, not compressed");
	if (have_manifest && c->read.sha256[0] != '\0')
		check_size_and_sha256(r, m, c->read.file_bytes, c->read.sha256);
	else if (have_manifest)	/* streamed, stopped at the bad data: not the bytes that were written */
		verify_add(r, "checksum", 0, "the file could not be read to the end, so it is not the file the manifest "
		    "describes");
	else if (!have_manifest && !(flags & VERIFY_ALLOW_NO_MANIFEST))
		check_legacy(r, c, path);
	cut = c->read_rc == DUMP_READ_CORRUPT && strstr(c->read_error, "cut short") != NULL;
	if (!read_ok && !cut)
		return;
	/* A plain pg_dump file has no manifest but ends with its own marker. */
	complete = read_ok && (dump_contents_has_marker(c) || (!have_manifest && dump_contents_has_pg_dump_marker(c)));
	verify_add(r, "complete", complete, complete ? "ends with the completion marker" :
	    "the SQL does not end with a completion marker: the dump was cut short");
	if (!read_ok)
		return;
	verify_add(r, "parse", c->parse_ok, c->parse_ok ? "statements and COPY blocks are whole" : "%s",
	    c->parse_error);
	if (c->parse_ok)
		check_statements(r, c);
	if (have_manifest)
		compare_rows(r, m, c);
	if (have_manifest && c->parse_ok)
		check_segments(r, m, c);
}

/*
 * A file pg_dump wrote in another format: named, and what reads it, as
 * one finding, not misread as damaged SQL. 1 when it was one.
 */
int
verify_foreign_format(const char *path, struct verify_result *r)
{
	const char *what = dump_foreign_format(path);

	if (what == NULL)
		return 0;
	verify_result_init(r, path);
	verify_add(r, "format", 0, "%s, not plain SQL: use pg_restore (check it with 'pg_restore --list FILE'); "
	    "lotbackup reads plain SQL dumps only", what);
	return 1;
}

int
verify_db_dump_manifest(const char *path, int flags, struct verify_result *r, struct db_manifest *kept)
{
	struct db_manifest m;
	struct dump_contents c;
	int have_manifest = 0, rc = -1;

	memset(&m, 0, sizeof(m));
	memset(&c, 0, sizeof(c));
	if (kept != NULL)
		memset(kept, 0, sizeof(*kept));
	verify_result_init(r, path);
	if ((flags & (VERIFY_ALLOW_NO_MANIFEST | VERIFY_LEGACY)) && !manifest_exists(path)) {
		have_manifest = 0;
	} else {
		have_manifest = load_manifest(path, &m, r);
		if (have_manifest < 0)
			goto out;
		have_manifest = have_manifest == 0;
	}
	if (have_manifest && (flags & VERIFY_QUICK)) {
		rc = quick_check(path, &m, r);
	} else {
		if (dump_contents_scan(path, &c) < 0)
			goto out;
		/* Bad data stopped the read short of the file's end: hash all of it to tell a bit flip. */
		if (c.read_rc == DUMP_READ_CORRUPT && !c.read.decrypt_failed &&
		    sha256_file(path, 0, &c.read.file_bytes, c.read.sha256) < 0) {
			log_errno("cannot read %s", path);
			goto out;
		}
		rc = 0;
		contents_checks(r, &m, have_manifest, &c, flags, path);
	}
	if (rc == 0 && have_manifest && check_globals(r, path, &m) < 0)
		rc = -1;
out:
	dump_contents_free(&c);
	if (rc == 0 && have_manifest && kept != NULL)
		*kept = m;
	else
		manifest_free(&m);
	return rc;
}

int
verify_db_feed(const char *label, const char *mtext, size_t mlen, const char *mlabel, dump_feed_fn feed,
    void *arg, uint64_t size, struct verify_result *r, struct db_manifest *kept)
{
	struct db_manifest m;
	struct dump_contents c;
	char err[256];
	int have_manifest = 0;

	memset(&m, 0, sizeof(m));
	if (kept != NULL)
		memset(kept, 0, sizeof(*kept));
	verify_result_init(r, label);
	if (mtext == NULL)
		verify_add(r, "manifest", 0, "%s is missing", mlabel);
	else if (manifest_parse(mtext, mlen, &m, err, sizeof(err)) < 0)
		verify_add(r, "manifest", 0, "%s: %s", mlabel, err);
	else
		verify_add(r, "manifest", have_manifest = 1, "%s", mlabel);
	if (dump_contents_scan_feed(label, feed, arg, size, &c) < 0) {
		manifest_free(&m);
		return -1;
	}
	contents_checks(r, &m, have_manifest, &c, VERIFY_ALLOW_NO_MANIFEST, label);
	r->bounds = c.read.bounds;
	r->nbounds = c.read.nbounds;
	c.read.bounds = NULL;
	c.read.nbounds = 0;
	dump_contents_free(&c);
	if (have_manifest && kept != NULL)
		*kept = m;
	else
		manifest_free(&m);
	return 0;
}

int
verify_db_feed_legacy(const char *label, dump_feed_fn feed, void *arg, struct verify_result *r)
{
	struct db_manifest m;
	struct dump_contents c;

	memset(&m, 0, sizeof(m));
	verify_result_init(r, label);
	/* Size 0: no bar of its own, the caller's reading draws one. */
	if (dump_contents_scan_feed(label, feed, arg, 0, &c) < 0)
		return -1;
	contents_checks(r, &m, 0, &c, VERIFY_LEGACY, label);
	dump_contents_free(&c);
	return 0;
}

int
verify_db_dump(const char *path, int flags, struct verify_result *r)
{
	return verify_db_dump_manifest(path, flags, r, NULL);
}

int
verify_record(const struct verify_result *r)
{
	json_t *checks;
	char *now;
	size_t i;
	int rc;

	/* A failed run leaves no record that it passed. */
	if (r->failed)
		return backup_sidecar_remove(r->path, VERIFIED_SUFFIX, "the verification record") < 0 ? -1 : 0;
	checks = json_array();
	for (i = 0; i < r->nchecks; i++)
		json_array_append_new(checks, json_string(r->checks[i].name));
	now = iso_time_now();
	rc = backup_sidecar_write(r->path, VERIFIED_SUFFIX, json_pack("{s:s, s:s, s:s, s:o}", "verified_at", now,
	    "tool_version", LOTBACKUP_VERSION, "file", r->path, "checks_passed", checks));
	free(now);
	return rc;
}

int
verify_log_failures(const struct verify_result *r)
{
	size_t i;

	for (i = 0; i < r->nchecks; i++)
		if (!r->checks[i].ok)
			log_error("%s: check %s failed: %s", r->path, r->checks[i].name, r->checks[i].detail);
	return r->failed ? 1 : 0;
}

void
verify_result_free(struct verify_result *r)
{
	size_t i;

	for (i = 0; i < r->nchecks; i++)
		free(r->checks[i].detail);
	free(r->checks);
	free(r->path);
	free(r->bounds);
	memset(r, 0, sizeof(*r));
}
