#include <stdlib.h>
#include <string.h>

#include "base/name-index.h"
#include "base/xalloc.h"

struct name_entry {
	const char *name;
	size_t pos;
};

struct name_index {
	struct name_entry *entries;
	size_t n;
};

/* By name, then by position: the first of equal names comes first. */
static int
by_name_then_pos(const void *a, const void *b)
{
	const struct name_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

struct name_index *
name_index_new(const void *items, size_t n, const char *(*name)(const void *items, size_t i))
{
	struct name_index *ix = xcalloc(1, sizeof(*ix));
	size_t i;

	ix->entries = xcalloc(n + 1, sizeof(*ix->entries));
	for (i = 0; i < n; i++) {
		ix->entries[i].name = name(items, i);
		ix->entries[i].pos = i;
	}
	ix->n = n;
	if (n > 1)
		qsort(ix->entries, n, sizeof(*ix->entries), by_name_then_pos);
	return ix;
}

long
name_index_find(const struct name_index *ix, const char *name)
{
	size_t lo = 0, hi = ix->n, mid;

	/* The lowest entry not below name: of equal names, the first position. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(ix->entries[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && strcmp(ix->entries[lo].name, name) == 0 ? (long)ix->entries[lo].pos : -1;
}

void
name_index_free(struct name_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->entries);
	free(ix);
}

const char *
name_index_string(const void *items, size_t i)
{
	return ((const char *const *)items)[i];
}
