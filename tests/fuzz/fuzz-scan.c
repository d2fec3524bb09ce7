/* libFuzzer target: the content scanner and its redaction, against tests/unit/scan-props.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../unit/scan-props.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;

	if (scan_props_check((const char *)data, size, &why) < 0) {
		fprintf(stdout, "scan property failed: %s\n", why);
		abort();
	}
	return 0;
}
