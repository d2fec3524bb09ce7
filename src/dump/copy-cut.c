#include <string.h>

#include "dump/copy-cut.h"

uint64_t
copy_row_start(const char *buf, size_t len, uint64_t pos, int prev_nl, uint64_t at)
{
	const char *nl;
	size_t i = 0;

	if (at <= pos) {
		if (prev_nl)
			return pos;
	} else if (at - pos > len) {
		return UINT64_MAX;
	} else {
		i = (size_t)(at - pos - 1);	/* the byte before `at` */
	}
	nl = len > i ? memchr(buf + i, '\n', len - i) : NULL;
	return nl == NULL ? UINT64_MAX : pos + (uint64_t)(nl - buf) + 1;
}
