/*
 * A verify result holds every check it is given and counts every failure:
 * a failed check added after many passed ones must still fail the result,
 * or verify could say OK about a bad backup.
 */
#include <string.h>

#include "verify/verify.h"
#include "unit.h"

int
main(void)
{
	struct verify_result r;
	size_t i, nfailed = 0;
	int i_ok;

	verify_result_init(&r, "backup.sql.gz");
	UNIT_CHECK("init-path", r.path != NULL && strcmp(r.path, "backup.sql.gz") == 0);
	UNIT_CHECK("init-empty", r.nchecks == 0 && r.failed == 0);
	for (i = 0; i < 10; i++)
		verify_add(&r, "pass", 1, "check %zu", i);
	verify_add(&r, "late", 0, "the %s check, past the tenth, failed", "eleventh");
	verify_add(&r, "after", 1, "%s", "one more that passed");
	UNIT_CHECK("all-kept", r.nchecks == 12);
	UNIT_CHECK("late-failure-counted", r.failed == 1);
	UNIT_CHECK("late-failure-kept", r.nchecks > 10 && strcmp(r.checks[10].name, "late") == 0 &&
	    !r.checks[10].ok && strcmp(r.checks[10].detail, "the eleventh check, past the tenth, failed") == 0);
	UNIT_CHECK("order-kept", r.nchecks > 11 && strcmp(r.checks[0].detail, "check 0") == 0 &&
	    strcmp(r.checks[9].detail, "check 9") == 0 && strcmp(r.checks[11].name, "after") == 0);
	verify_result_free(&r);
	UNIT_CHECK("free-clears", r.path == NULL && r.nchecks == 0 && r.failed == 0);

	/* Many checks, every third one failing: each failure counts once. */
	verify_result_init(&r, "full-backup-x");
	for (i = 0; i < 1000; i++) {
		i_ok = i % 3 != 0;
		nfailed += !i_ok;
		verify_add(&r, "many", i_ok, "%zu", i);
	}
	UNIT_CHECK("many-kept", r.nchecks == 1000);
	UNIT_CHECK("many-failures-counted", r.failed == (int)nfailed);
	UNIT_CHECK("many-last", r.nchecks == 1000 && strcmp(r.checks[999].detail, "999") == 0 && !r.checks[999].ok);
	verify_result_free(&r);
	return unit_done();
}
