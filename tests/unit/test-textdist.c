/* "Did you mean": the distance, and which names are close enough to suggest. */
#include <stddef.h>

#include "base/textdist.h"
#include "unit.h"

int
main(void)
{
	static const char *const keys[] = { "LOTBACKUP_KEEP_DAYS", "LOTBACKUP_KEEP_DAILY", "LOTBACKUP_OUTPUT_DIR",
	    "LOTBACKUP_NOTIFY_URL", NULL };
	const char *s;

	UNIT_CHECK("equal", text_distance("abc", "abc") == 0);
	UNIT_CHECK("empty", text_distance("", "abc") == 3 && text_distance("abc", "") == 3);
	UNIT_CHECK("one substitution", text_distance("KEEP_DAYZ", "KEEP_DAYS") == 1);
	UNIT_CHECK("one insertion", text_distance("KEEPDAILY", "KEEP_DAILY") == 1);
	UNIT_CHECK("transposition is one edit", text_distance("KEEP_DAILY", "KEEP_DIALY") == 1);
	UNIT_CHECK("case is ignored", text_distance("keep_days", "KEEP_DAYS") == 0);
	UNIT_CHECK("kitten sitting", text_distance("kitten", "sitting") == 3);
	UNIT_CHECK("OSA: ca to abc is 3", text_distance("ca", "abc") == 3);
	s = text_nearest("LOTBACKUP_KEEP_DAYZ", keys);
	UNIT_CHECK("nearest: the typo's key", s != NULL && text_distance(s, "LOTBACKUP_KEEP_DAYS") == 0);
	s = text_nearest("LOTBACKUP_OUTPUTDIR", keys);
	UNIT_CHECK("nearest: a missing underscore", s != NULL && text_distance(s, "LOTBACKUP_OUTPUT_DIR") == 0);
	UNIT_CHECK("far names suggest nothing", text_nearest("LOTBACKUP_FROBNICATE", keys) == NULL);
	UNIT_CHECK("short words need a close match", text_nearest("ab", keys) == NULL);
	return unit_done();
}
