#include <stdlib.h>

#include "base/json.h"
#include "base/xalloc.h"

char *
json_text(json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER), *out;

	json_decref(root);
	xcheck(text);
	out = xasprintf("%s\n", text);
	free(text);
	return out;
}
