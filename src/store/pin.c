#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/backups.h"
#include "base/format.h"
#include "base/fsutil.h"
#include "base/json.h"
#include "base/log.h"
#include "store/pin.h"
#include "base/version.h"
#include "base/xalloc.h"

int
pin_write(const char *path, const char *reason)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *now = iso_time_now();
	int rc = backup_sidecar_write(path, PIN_SUFFIX, json_pack("{s:s, s:s, s:s, s:s}", "file", base,
	    "reason", reason, "pinned_at", now, "tool_version", LOTBACKUP_VERSION));

	free(now);
	return rc;
}

int
pin_remove(const char *path)
{
	return backup_sidecar_remove(path, PIN_SUFFIX, "the pin");
}

char *
pin_reason(const char *path)
{
	char *record = xasprintf("%s%s", path, PIN_SUFFIX), *text = NULL, *out = NULL;
	size_t len = 0;
	json_t *root = NULL;
	const char *r;
	int got;

	got = fs_read_file(record, &text, &len);
	if (got == 1)
		goto out;
	if (got < 0) {
		out = xstrdup("(pin record unreadable)");
		goto out;
	}
	root = json_loadb(text, len, 0, NULL);
	r = json_string_value(json_object_get(root, "reason"));
	out = xstrdup(r ? r : "(pin record without a reason)");
out:
	json_decref(root);
	free(text);
	free(record);
	return out;
}
