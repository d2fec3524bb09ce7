/* libFuzzer target: the psql-compatible statement splitter, fed in chunks. */
#include <stddef.h>
#include <stdint.h>

#include "dump/sql-split.h"

static int
count_item(void *ctx, const struct sql_item *item)
{
	(*(size_t *)ctx) += item->len;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t seen = 0, off = 0, step;
	struct sql_splitter *s = sql_splitter_new(count_item, &seen);

	/* The first byte picks the chunk size, so splits land anywhere. */
	step = size ? (size_t)data[0] % 17 + 1 : 1;
	while (off < size) {
		size_t n = size - off < step ? size - off : step;

		if (sql_splitter_feed(s, (const char *)data + off, n) < 0)
			break;
		off += n;
	}
	if (off == size)
		sql_splitter_finish(s);
	sql_splitter_free(s);
	return 0;
}
