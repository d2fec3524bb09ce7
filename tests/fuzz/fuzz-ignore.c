/* libFuzzer target: .lotbackupignore rules; the last line of the input is matched against them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "git/ignore-match.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nl = size ? memchr(text, '\n', size) : NULL;
	size_t rules_len = nl ? (size_t)(nl - text) : size;
	struct ignore_rules *r = ignore_parse(text, rules_len);
	char *path = NULL;
	int line = 0;

	if (nl) {
		path = strndup(nl + 1, size - rules_len - 1);
		if (path && *path) {
			ignore_match(r, path, 0, &line);
			ignore_match_path(r, path, 1, &line);
		}
	}
	free(path);
	ignore_free(r);
	return 0;
}
