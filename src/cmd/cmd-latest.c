#include <string.h>
#include <time.h>

#include "cmd/commands.h"
#include "base/log.h"
#include "store/backups.h"
#include "base/xalloc.h"

/* The keyword's kind: 1 db, 2 full, 0 either; -1 when OPERAND is no keyword. */
static int
keyword_kind(const char *operand, enum cmd_latest latest_means)
{
	if (strcmp(operand, "latest-db") == 0)
		return 1;
	if (strcmp(operand, "latest-full") == 0)
		return 2;
	if (strcmp(operand, "latest") == 0)
		return latest_means == CMD_LATEST_DB ? 1 : latest_means == CMD_LATEST_FULL ? 2 : 0;
	return -1;
}

/*
 * The newest entry of KIND (list is newest first). A full backup is its
 * archive when it has one: the directory alone only after a --dir-only run.
 * One dated in the future is passed over, with a word: its name says
 * nothing of when it was made.
 */
static const struct backup_entry *
newest(const struct backup_entry *list, size_t n, int kind, const char *operand)
{
	const struct backup_entry *found = NULL, *ahead = NULL;
	time_t now = time(NULL);
	size_t i, j, passed = 0;

	for (i = 0; i < n && found == NULL; i++) {
		if (kind == 1 && list[i].kind != BACKUP_DB)
			continue;
		if (kind == 2 && list[i].kind == BACKUP_DB)
			continue;
		if (backup_dated_future(list[i].when, now)) {
			ahead = ahead ? ahead : &list[i];
			passed++;
			continue;
		}
		found = &list[i];
		if (list[i].kind == BACKUP_FULL_DIR)
			for (j = i + 1; j < n && list[j].when == list[i].when; j++)
				if (list[j].kind == BACKUP_FULL_ARCHIVE) {
					found = &list[j];
					break;
				}
	}
	if (ahead != NULL)
		log_warn("%s: passing over %zu backup%s dated in the future, the newest %s (the clock or the name is "
		    "wrong)", operand, passed, passed == 1 ? "" : "s", ahead->path);
	return found;
}

int
cmd_latest_operand(const struct options *opts, const char *operand, enum cmd_latest latest_means, char **path)
{
	static const char *const what[] = { "backup", "db dump", "full backup" };
	struct backup_entry *list = NULL;
	const struct backup_entry *e;
	size_t count = 0;
	int kind = keyword_kind(operand, latest_means);

	*path = NULL;
	if (kind < 0)
		return 0;
	if (backups_scan(opts->output_dir, &list, &count) < 0)
		return -1;
	if ((e = newest(list, count, kind, operand)) == NULL) {
		log_error("%s: no %s in %s (see lotbackup list; -o DIR for another output directory)", operand,
		    what[kind], opts->output_dir);
		backups_free(list, count);
		return -1;
	}
	*path = xstrdup(e->path);
	log_info("%s is %s", operand, e->path);
	backups_free(list, count);
	return 0;
}
