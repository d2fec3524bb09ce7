#ifndef LOTBACKUP_UNIT_H
#define LOTBACKUP_UNIT_H

/*
 * A TAP-like test helper: each check prints "ok - name" or
 * "not ok - name (file:line)". Each test program is one translation unit,
 * so the counters live here.
 */
#include <stdio.h>

static int unit_run;
static int unit_failed;

static int
unit_check(const char *name, int ok, const char *file, int line)
{
	unit_run++;
	if (ok) {
		printf("ok - %s\n", name);
	} else {
		unit_failed++;
		printf("not ok - %s (%s:%d)\n", name, file, line);
	}
	fflush(stdout);
	return ok;
}

#define UNIT_CHECK(name, cond) unit_check((name), (cond) ? 1 : 0, __FILE__, __LINE__)

/* Prints the plan and returns the exit status: 1 if any check failed. */
static int
unit_done(void)
{
	printf("1..%d\n", unit_run);
	if (unit_failed)
		printf("# %d of %d checks failed\n", unit_failed, unit_run);
	return unit_failed ? 1 : 0;
}

#endif
