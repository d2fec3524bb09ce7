#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dump/dump-blobs.h"
#include "dump/dump-contents.h"
#include "dump/dump.h"
#include "dump/sql-classify.h"
#include "io/progress.h"
#include "dump/sql-split.h"
#include "base/xalloc.h"

#define PG_DUMP_MARKER "-- PostgreSQL database dump complete\n"

struct scan {
	struct dump_contents *c;
	struct sql_splitter *splitter;
	char *current;		/* table of the COPY block being read */
	long data_line;		/* its first row's line; 0: no row yet */
	int split_failed;
	struct progress *bar;	/* counts the file's bytes read */
	long copy_line, copy_before;	/* the COPY block being read: its line, the line before ended on */
	long last_end;		/* the line the last item ended on */
	size_t need_after;	/* tables[need_after - 1] waits for the next item's line; 0: none */
	uint64_t sql_pos;	/* SQL bytes fed so far */
	size_t amarks;
};

static void
count_kind(struct dump_contents *c, const char *t, size_t len)
{
	char *kind = sql_statement_label(t, len);
	struct blob_statement blob;
	size_t i;

	/* Zeroed unless it is one: kind 0. */
	if (blob_statement_parse(t, len, &blob) && blob.kind == BLOB_CREATE)
		c->large_objects++;
	else if (blob.kind == BLOB_PUT)
		c->large_object_bytes += blob.hexlen / 2;

	for (i = 0; i < c->nkinds; i++) {
		if (strcmp(c->kinds[i].kind, kind) == 0) {
			c->kinds[i].count++;
			free(kind);
			return;
		}
	}
	c->kinds = xrealloc(c->kinds, (c->nkinds + 1) * sizeof(*c->kinds));
	c->kinds[c->nkinds].kind = kind;
	c->kinds[c->nkinds].count = 1;
	c->nkinds++;
}

/* The first statement no dump holds: its line, why, and its first bytes made printable. */
static void
note_refused(struct dump_contents *c, const struct sql_item *item)
{
	const char *why = sql_refused(item->text, item->len);
	char start[61];
	size_t i, n = item->len < sizeof(start) - 1 ? item->len : sizeof(start) - 1;

	if (why == NULL || c->refused_line > 0)
		return;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)item->text[i];

		start[i] = ch == '\n' || ch == '\t' || ch == '\r' ? ' ' : ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
	}
	start[n] = '\0';
	c->refused_line = item->line;
	snprintf(c->refused, sizeof(c->refused), "%s: %s%s", why, start, item->len > n ? "..." : "");
}

static int
on_item(void *ctx, const struct sql_item *item)
{
	struct scan *s = ctx;
	struct dump_contents *c = s->c;

	if (item->kind == SQL_STATEMENT || item->kind == SQL_META)
		note_refused(c, item);
	if (item->kind != SQL_COPY_DATA && item->kind != SQL_COPY_END && s->need_after > 0) {
		c->tables[s->need_after - 1].after = item->line;
		s->need_after = 0;
	}
	switch (item->kind) {
	case SQL_STATEMENT:
		free(s->current);
		s->current = sql_copy_target(item->text, item->len);
		s->data_line = 0;
		s->copy_line = item->line;
		s->copy_before = s->last_end;
		if (s->current == NULL)
			count_kind(c, item->text, item->len);
		break;
	case SQL_COPY_DATA:
		/*
		 * Rows are whole lines, one each, and the splitter numbers lines
		 * as it cuts them: the "\." line's number less the first row's
		 * is the count, without reading the rows a second time.
		 */
		if (s->data_line == 0)
			s->data_line = item->line;
		break;
	case SQL_COPY_END:
		c->tables = xrealloc(c->tables, (c->ntables + 1) * sizeof(*c->tables));
		c->tables[c->ntables].qualified = xstrdup(s->current ? s->current : "?");
		c->tables[c->ntables].rows = s->data_line > 0 ? item->line - s->data_line : 0;
		c->tables[c->ntables].copy_line = s->copy_line;
		c->tables[c->ntables].end_line = item->line;
		c->tables[c->ntables].before = s->copy_before;
		c->tables[c->ntables].after = LONG_MAX;
		c->ntables++;
		s->need_after = c->ntables;
		break;
	case SQL_META:
		/* Refused by note_refused above, unless a whole guard line. */
		break;
	}
	if (item->kind != SQL_COPY_DATA)
		s->last_end = item->kind == SQL_COPY_END ? item->line : sql_splitter_line(s->splitter);
	return 0;
}

/* Where the next chunk starts: a gzip member's start when gzip (the reader passes members whole). */
static void
mark(struct scan *s)
{
	struct dump_contents *c = s->c;
	struct contents_mark *m;

	if (c->nmarks == s->amarks) {
		s->amarks = s->amarks ? s->amarks * 2 : 64;
		c->marks = xrealloc(c->marks, s->amarks * sizeof(*c->marks));
	}
	m = &c->marks[c->nmarks++];
	m->sql = s->sql_pos;
	m->line = sql_splitter_line(s->splitter);
	m->line_start = s->sql_pos == 0 || (c->tail_len > 0 && c->tail[c->tail_len - 1] == '\n');
}

static int
on_chunk(void *ctx, const char *buf, size_t len)
{
	struct scan *s = ctx;
	struct dump_contents *c = s->c;

	mark(s);
	s->sql_pos += len;
	progress_update(s->bar, c->read.file_bytes, NULL);
	if (len >= CONTENTS_TAIL) {
		memcpy(c->tail, buf + len - CONTENTS_TAIL, CONTENTS_TAIL);
		c->tail_len = CONTENTS_TAIL;
	} else {
		size_t keep = c->tail_len + len > CONTENTS_TAIL ? CONTENTS_TAIL - len : c->tail_len;

		memmove(c->tail, c->tail + c->tail_len - keep, keep);
		memcpy(c->tail + keep, buf, len);
		c->tail_len = keep + len;
	}
	/* A parse error is a finding about the file; reading goes on for the checksum. */
	if (!s->split_failed && sql_splitter_feed(s->splitter, buf, len) < 0)
		s->split_failed = 1;
	return 0;
}

struct scan_source {
	const char *path;	/* a file, or (NULL) a feed named by name: */
	const char *name;
	dump_feed_fn feed;
	void *arg;
};

static int
scan(const struct scan_source *src, uint64_t size, struct dump_contents *c)
{
	struct scan s;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.splitter = sql_splitter_new(on_item, &s);
	if (size > 0)
		s.bar = progress_start("verify", size, 0);
	c->read_rc = src->path != NULL ?
	    dump_read(src->path, on_chunk, &s, &c->read, c->read_error, sizeof(c->read_error)) :
	    dump_read_feed(src->name, src->feed, src->arg, on_chunk, &s, &c->read, c->read_error, sizeof(c->read_error));
	progress_end(s.bar);
	if (c->read_rc == DUMP_READ_IO_ERROR)
		goto out;
	if (!s.split_failed && c->read_rc == DUMP_READ_OK && sql_splitter_finish(s.splitter) < 0)
		s.split_failed = 1;
	c->parse_ok = !s.split_failed;
	if (c->parse_ok)
		mark(&s);
	if (s.split_failed)
		snprintf(c->parse_error, sizeof(c->parse_error), "%s", sql_splitter_error(s.splitter));
	rc = 0;
out:
	free(s.current);
	sql_splitter_free(s.splitter);
	return rc;
}

int
dump_contents_scan(const char *path, struct dump_contents *c)
{
	struct scan_source src = { path, NULL, NULL, NULL };
	struct stat st;

	return scan(&src, stat(path, &st) == 0 ? (uint64_t)st.st_size : 0, c);
}

int
dump_contents_scan_feed(const char *name, dump_feed_fn feed, void *arg, uint64_t size, struct dump_contents *c)
{
	struct scan_source src = { NULL, name, feed, arg };

	return scan(&src, size, c);
}

/* Does the text end with LINE, or (allow_after) hold it at a line's start in its last bytes? */
static int
ends_with_line(const char *tail, size_t tail_len, const char *line, int allow_after)
{
	size_t n = strlen(line), i;

	if (!allow_after)
		return tail_len >= n && memcmp(tail + tail_len - n, line, n) == 0 &&
		    (tail_len == n || tail[tail_len - n - 1] == '\n');
	/* pg_dump writes "--", a blank line and newer versions \unrestrict after it. */
	for (i = 0; i + n <= tail_len; i++)
		if ((i == 0 || tail[i - 1] == '\n') && memcmp(tail + i, line, n) == 0)
			return 1;
	return 0;
}

/*
 * The length of the tail without its last line when that is "\unrestrict
 * KEY" (KEY alphanumeric, as lotbackup and pg_dump write it); 0 when not.
 */
static size_t
before_unrestrict(const struct dump_contents *c)
{
	static const char cmd[] = "\\unrestrict ";
	const size_t n = sizeof(cmd) - 1;
	size_t start, i;

	if (c->tail_len < n + 2 || c->tail[c->tail_len - 1] != '\n')
		return 0;
	for (start = c->tail_len - 1; start > 0 && c->tail[start - 1] != '\n'; start--)
		;
	if (start == 0 || c->tail_len - 1 - start <= n || memcmp(c->tail + start, cmd, n) != 0)
		return 0;
	for (i = start + n; i < c->tail_len - 1; i++)
		if (!isalnum((unsigned char)c->tail[i]))
			return 0;
	return start;
}

int
dump_contents_has_marker(const struct dump_contents *c)
{
	size_t len;

	if (ends_with_line(c->tail, c->tail_len, DUMP_COMPLETE_MARKER "\n", 0))
		return 1;
	/* Dumps since the \restrict guard end with \unrestrict after the marker; older ones with it. */
	len = before_unrestrict(c);
	return len > 0 && ends_with_line(c->tail, len, DUMP_COMPLETE_MARKER "\n", 0);
}

int
dump_contents_has_pg_dump_marker(const struct dump_contents *c)
{
	return ends_with_line(c->tail, c->tail_len, PG_DUMP_MARKER, 1);
}

void
dump_contents_free(struct dump_contents *c)
{
	size_t i;

	for (i = 0; i < c->ntables; i++)
		free(c->tables[i].qualified);
	for (i = 0; i < c->nkinds; i++)
		free(c->kinds[i].kind);
	free(c->tables);
	free(c->kinds);
	free(c->marks);
	dump_read_stats_free(&c->read);
	memset(c, 0, sizeof(*c));
}
