#include <stdlib.h>
#include <string.h>

#include "dump/dump-reader.h"
#include "base/log.h"
#include "dump/sql-classify.h"
#include "restore/restore-tail.h"
#include "base/xalloc.h"

struct tail_reader {
	struct restore_tail *tail;
	struct sql_splitter *splitter;
	size_t held, cap;
	int too_big;
};

static int
hold_item(void *ctx, const struct sql_item *item)
{
	struct tail_reader *r = ctx;
	struct restore_tail *t = r->tail;
	struct tail_item *it;

	r->held += item->len;
	if (r->held > r->cap) {
		r->too_big = 1;
		return -1;
	}
	t->items = xrealloc(t->items, (t->n + 1) * sizeof(*t->items));
	it = &t->items[t->n++];
	it->kind = item->kind;
	it->text = xstrndup(item->text, item->len);
	it->len = item->len;
	it->line = item->line;
	it->table = -1;
	it->exclusive = 0;
	it->state = TAIL_WAITING;
	return 0;
}

static int
feed(void *ctx, const char *buf, size_t len)
{
	struct tail_reader *r = ctx;

	r->tail->sql_bytes += len;
	return sql_splitter_feed(r->splitter, buf, len);
}

int
restore_tail_read(const struct dump_source *src, uint64_t offset, uint64_t length, long first_line, size_t cap,
    struct restore_tail *tail)
{
	struct tail_reader r;
	char err[512];
	int rrc, rc = -1;

	memset(tail, 0, sizeof(*tail));
	memset(&r, 0, sizeof(r));
	r.tail = tail;
	r.cap = cap;
	r.splitter = sql_splitter_new(hold_item, &r);
	sql_splitter_set_line(r.splitter, first_line);
	rrc = dump_read_range(src, offset, length, feed, &r, err, sizeof(err));
	if (r.too_big) {
		rc = 1;
		goto out;
	}
	if (rrc == DUMP_READ_CORRUPT)
		log_error("restore stopped: %s: %s", src->name, err);
	else if (rrc == DUMP_READ_STOPPED || (rrc == DUMP_READ_OK && sql_splitter_finish(r.splitter) < 0))
		log_error("restore stopped: %s: %s", src->name, sql_splitter_error(r.splitter));
	else if (rrc == DUMP_READ_OK)
		rc = 0;
out:
	sql_splitter_free(r.splitter);
	if (rc != 0)
		restore_tail_free(tail);
	return rc;
}

/*
 * Statements an index build may overtake: setval() touches only its
 * sequence, and a NOT VALID check (pg_dump puts those first) only its
 * table's catalog entry, never the rows an index is built from.
 */
static int
index_builds_may_pass(enum sql_stmt_kind kind)
{
	return kind == SQL_STMT_SETVAL || kind == SQL_STMT_ADD_CHECK_NOT_VALID;
}

size_t
restore_tail_plan(struct restore_tail *t, const struct manifest_table *tables, size_t ntables)
{
	enum sql_stmt_kind kind;
	size_t i, j, early = 0;
	char *table;

	for (i = 0; i < t->n; i++) {
		struct tail_item *it = &t->items[i];

		if (it->kind != SQL_STATEMENT)
			break;
		kind = sql_classify(it->text, it->len);
		if (index_builds_may_pass(kind))
			continue;
		if (kind != SQL_STMT_CREATE_INDEX && kind != SQL_STMT_ADD_KEY)
			break;
		if (!sql_index_table(it->text, it->len, &table))
			continue;
		for (j = 0; j < ntables; j++)
			if (strcmp(tables[j].qualified, table) == 0) {
				it->table = (int)j;
				it->exclusive = kind == SQL_STMT_ADD_KEY;
				early++;
				break;
			}
		free(table);
	}
	return early;
}

void
restore_tail_free(struct restore_tail *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->items[i].text);
	free(t->items);
	memset(t, 0, sizeof(*t));
}
