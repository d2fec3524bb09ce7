#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "retention.h"
#include "xalloc.h"

static int
unlink_if_present(const char *path)
{
	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
	log_errno("cannot delete %s", path);
	return -1;
}

/* The dump goes first: a leftover sidecar is ignored, a dump without its manifest would look damaged. */
static int
delete_backup(const struct backup_entry *e)
{
	static const char *const sidecars[] = { VERIFIED_SUFFIX, MANIFEST_SUFFIX, NULL };
	size_t i;
	int rc = 0;

	if (unlink_if_present(e->path) < 0)
		return -1;
	for (i = 0; sidecars[i] && rc == 0; i++) {
		char *p = xasprintf("%s%s", e->path, sidecars[i]);

		rc = unlink_if_present(p);
		free(p);
	}
	return rc;
}

int
retention_prune_days(const char *dir, enum backup_kind kind, int keep_days, time_t now,
    const char *spare_name, int dry_run)
{
	struct backup_entry *list = NULL;
	size_t n = 0, i;
	int deleted = 0, rc = -1;
	time_t cutoff = now - (time_t)keep_days * 86400;

	if (keep_days <= 0)
		return 0;
	if (kind == BACKUP_FULL_DIR) {
		log_error("internal: day-based pruning does not delete directories");
		return -1;
	}
	if (backups_scan(dir, &list, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const struct backup_entry *e = &list[i];
		long age_days = (long)((now - e->when) / 86400);

		if (e->kind != kind || e->when >= cutoff)
			continue;
		if (spare_name && strcmp(e->name, spare_name) == 0)
			continue;
		if (dry_run) {
			printf("would delete %s (%ld days old, --keep %d)\n", e->name, age_days, keep_days);
		} else {
			if (delete_backup(e) < 0)
				goto out;
			log_info("deleted %s (%ld days old, --keep %d)", e->name, age_days, keep_days);
		}
		deleted++;
	}
	if (deleted > 0 && !dry_run && fs_fsync_parent(list[0].path) < 0)
		goto out;
	rc = deleted;
out:
	backups_free(list, n);
	return rc;
}
