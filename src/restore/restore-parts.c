/*
 * A later part of a table loaded in parts, read straight from the gzip
 * member that holds its first row instead of from the table's start.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "base/log.h"
#include "dump/copy-cut.h"
#include "dump/dump-reader.h"
#include "restore/restore-loader.h"
#include "restore/restore-parts.h"
#include "restore/restore-plan.h"

/*
 * A later part of a table read from the member that holds its first row
 * (dump_find_member), past the splitter: COPY text cut at row starts by
 * offset (copy-cut.h), the same cuts as copy_part_rows (restore-loader.c) makes.
 */
struct raw_part {
	struct loader *l;
	uint64_t pos;		/* COPY-text offset of the next chunk's first byte */
	uint64_t end;		/* the table's COPY text ends here */
	uint64_t begin, finish;	/* the part's rows; UINT64_MAX until found */
	int prev_nl;		/* the byte before the next chunk is a newline */
};

static int
raw_part_chunk(void *ctx, const char *buf, size_t len)
{
	struct raw_part *r = ctx;
	struct loader *l = r->l;
	uint64_t pos = r->pos;
	size_t from, to;

	if (l->failed || (l->abort != NULL && atomic_load(l->abort)))
		return -1;
	r->pos += len;
	/* Rows that start in [part.from, part.to), never past the table's COPY text. */
	if (r->begin == UINT64_MAX)
		r->begin = copy_row_start(buf, len, pos, r->prev_nl, l->part.from);
	if (r->begin != UINT64_MAX && r->finish == UINT64_MAX)
		r->finish = l->part.to == UINT64_MAX ? r->end : copy_row_start(buf, len, pos, r->prev_nl, l->part.to);
	if (r->begin != UINT64_MAX && r->begin > r->end)
		r->begin = r->end;
	if (r->finish != UINT64_MAX && r->finish > r->end)
		r->finish = r->end;
	if (len > 0)
		r->prev_nl = buf[len - 1] == '\n';
	if (r->begin == UINT64_MAX || r->begin >= pos + len)
		return 0;
	from = r->begin > pos ? (size_t)(r->begin - pos) : 0;
	to = r->finish < pos + len ? (size_t)(r->finish - pos) : len;
	if (to > from) {
		if (loader_send_copy(l, buf + from, to - from) < 0)
			return -1;
		l->stats->sql_bytes += to - from;
		loader_progress(l, to - from);
	}
	if (r->finish > pos + len)
		return 0;
	if (loader_end_copy(l) == 0)
		l->part.done = 1;
	return -1;
}

/*
 * A later part of table t straight from the member holding its first row,
 * found by the members' own sizes. 0 loaded (staged), 1 not possible here
 * (an older dump, or the part starts in the table's first member: read it
 * from the start), -1 failed (reported).
 */
int
restore_part_from_member(struct loader *l, const struct dump_source *src, const struct manifest_table *t)
{
	struct raw_part r;
	struct sql_item copy;
	uint64_t at, member_at, sql_before, line_len = strlen(l->part.plan->copy) + 1;
	char err[512];
	int rrc, rc;

	/* The member holding the byte before the part's first possible row start. */
	at = line_len + l->part.from - 1;
	rc = dump_find_member(src, t->gz_offset, t->gz_length, at, &member_at, &sql_before);
	if (rc != 0 || sql_before < line_len) {
		rc = rc < 0 ? -1 : 1;
		goto out;
	}
	copy.kind = SQL_STATEMENT;
	copy.text = l->part.plan->copy;
	copy.len = (size_t)line_len - 1;
	copy.line = l->first_line;
	rc = -1;
	if (loader_stage_copy(l, &copy) < 0 || !l->copy.open)
		goto out;
	memset(&r, 0, sizeof(r));
	r.l = l;
	r.pos = sql_before - line_len;
	r.end = t->data_bytes;
	r.begin = r.finish = UINT64_MAX;
	log_debug("reading table %s from byte %llu of its members, for its rows from byte %llu", t->qualified,
	    (unsigned long long)member_at, (unsigned long long)l->part.from);
	rrc = dump_read_range(src, t->gz_offset + member_at, t->gz_length - member_at, raw_part_chunk, &r,
	    err, sizeof(err));
	if (rrc == DUMP_READ_STOPPED && l->part.done)
		rc = 0;
	else if (rrc == DUMP_READ_CORRUPT)
		log_error("restore stopped: %s: %s", src->name, err);
	else if (rrc == DUMP_READ_OK)
		log_error("restore stopped: %s: the rows of table %s end before byte %llu of its COPY text", src->name,
		    t->qualified, (unsigned long long)t->data_bytes);
out:
	if (rc < 0)
		l->failed = 1;
	loader_abandon_copy(l);
	return rc;
}
