/* Items by name: the first of a name, as a scan from the start finds it; absent names; many names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/name-index.h"
#include "unit.h"

struct item {
	const char *qualified;
	int early;
};

static const char *
item_name(const void *items, size_t i)
{
	return ((const struct item *)items)[i].qualified;
}

/* The scan this index replaces: the first position with the name, or -1. */
static long
scan(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (long)i;
	return -1;
}

int
main(void)
{
	static const char *const names[] = { "public.b", "public.\"A\"", "x.y", "public.b", "", "public.a" };
	static const struct item items[] = { { "s.t", 0 }, { "s.u", 1 }, { "s.t", 1 } };
	struct name_index *ix = name_index_new(names, 6, name_index_string);
	char (*many)[16] = malloc(20000 * sizeof(*many));
	const char **manyp = malloc(20000 * sizeof(*manyp));
	size_t i, agree = 0;

	UNIT_CHECK("found", name_index_find(ix, "x.y") == 2);
	UNIT_CHECK("first of a repeated name", name_index_find(ix, "public.b") == 0);
	UNIT_CHECK("case and quotes matter", name_index_find(ix, "public.A") == -1 && name_index_find(ix, "public.a") == 5);
	UNIT_CHECK("empty name", name_index_find(ix, "") == 4);
	UNIT_CHECK("absent", name_index_find(ix, "public.c") == -1 && name_index_find(ix, "zzz") == -1);
	name_index_free(ix);

	ix = name_index_new(items, 3, item_name);
	UNIT_CHECK("items by a field", name_index_find(ix, "s.t") == 0 && name_index_find(ix, "s.u") == 1);
	name_index_free(ix);

	ix = name_index_new(NULL, 0, name_index_string);
	UNIT_CHECK("empty index", name_index_find(ix, "a") == -1);
	name_index_free(ix);
	name_index_free(NULL);

	/* 20,000 names, every tenth repeated: each lookup agrees with the scan. */
	for (i = 0; i < 20000; i++) {
		snprintf(many[i], sizeof(many[i]), "t%zu", i % 10 == 9 ? i - 9 : (i * 7919) % 20000);
		manyp[i] = many[i];
	}
	ix = name_index_new(manyp, 20000, name_index_string);
	for (i = 0; i < 20000; i += 7) {
		char probe[16];

		snprintf(probe, sizeof(probe), "t%zu", i);
		agree += name_index_find(ix, probe) == scan(manyp, 20000, probe);
	}
	UNIT_CHECK("agrees with the scan over 20,000 names", agree == (20000 + 6) / 7);
	name_index_free(ix);
	free(many);
	free(manyp);
	return unit_done();
}
