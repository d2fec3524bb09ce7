/*
 * restore --split-tables-larger-than auto: a table is cut only when it holds
 * more than its share of the load (all COPY text over --jobs), and never
 * below 64 MiB, where a part saves less than it costs.
 */
#include <stdint.h>
#include <string.h>

#include "restore/restore.h"
#include "unit.h"

#define MIB ((uint64_t)1 << 20)

static uint64_t
auto_for(const uint64_t *sizes, size_t n, int jobs)
{
	struct manifest_table t[8];
	size_t i;

	memset(t, 0, sizeof(t));
	for (i = 0; i < n; i++)
		t[i].data_bytes = sizes[i];
	return restore_auto_split_bytes(t, n, jobs);
}

int
main(void)
{
	/* The benchmark's shape: one table of 368 MiB beside one of 59 MiB. */
	const uint64_t app[] = { 368 * MIB, 59 * MIB };
	const uint64_t small[] = { 10 * MIB, 2 * MIB };
	const uint64_t even[] = { 300 * MIB, 300 * MIB, 300 * MIB, 300 * MIB };

	UNIT_CHECK("auto-share-of-two-jobs", auto_for(app, 2, 2) == 427 * MIB / 2);
	UNIT_CHECK("auto-share-of-four-jobs", auto_for(app, 2, 4) == 427 * MIB / 4);
	UNIT_CHECK("auto-big-table-over-its-share", 368 * MIB > auto_for(app, 2, 2));
	UNIT_CHECK("auto-second-table-within-its-share", 59 * MIB <= auto_for(app, 2, 2));
	UNIT_CHECK("auto-never-below-64-mib", auto_for(small, 2, 4) == 64 * MIB);
	UNIT_CHECK("auto-even-tables-stay-whole", 300 * MIB <= auto_for(even, 4, 4));
	UNIT_CHECK("auto-no-tables", auto_for(NULL, 0, 2) == 64 * MIB);
	UNIT_CHECK("auto-one-job-whole", auto_for(app, 2, 1) == 427 * MIB);
	return unit_done();
}
