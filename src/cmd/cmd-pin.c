#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/backups.h"
#include "cmd/commands.h"
#include "store/lock.h"
#include "base/log.h"
#include "store/pin.h"
#include "base/xalloc.h"

/*
 * FILE must be one of this tool's backups, by its name's pattern, and exist:
 * a pin on anything else would protect nothing. *dir gets its directory.
 */
static int
check_backup(char *path, char **dir)
{
	size_t len = strlen(path);
	const char *slash, *base;
	enum backup_kind kind;
	struct stat st;
	time_t when;

	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (backup_name_parse(base, &kind, &when) < 0) {
		log_error("%s is not a lotbackup backup name (lot-systems-db-*.sql.gz, lot-systems-full-backup-*.tar.gz "
		    "or full-backup-*/)", path);
		return -1;
	}
	if (lstat(path, &st) < 0 || (kind == BACKUP_FULL_DIR ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))) {
		log_error("%s does not exist (give the backup's path, e.g. backups/%s)", path, base);
		return -1;
	}
	*dir = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup(".");
	return 0;
}

static int
pin_common(const struct options *opts, char *file, int pin)
{
	struct output_lock *lock = NULL;
	char *dir = NULL;
	int rc = LB_EXIT_FAILURE, r;
	size_t i;

	if (pin && (opts->pin_reason == NULL || *opts->pin_reason == '\0')) {
		log_error("'pin' needs --reason TEXT, e.g. --reason \"v2.0 release\" (list shows it)");
		return LB_EXIT_USAGE;
	}
	/* list prints the reason in its table: one line of text. */
	for (i = 0; pin && opts->pin_reason[i]; i++)
		if ((unsigned char)opts->pin_reason[i] < 0x20 || opts->pin_reason[i] == 0x7f) {
			log_error("--reason must be one line of text, without control characters");
			return LB_EXIT_USAGE;
		}
	if (check_backup(file, &dir) < 0)
		goto out;
	/* Not while a prune may be deciding about this very backup. */
	if ((lock = output_lock_take(dir, opts->wait_seconds)) == NULL)
		goto out;
	if (pin) {
		if (pin_write(file, opts->pin_reason) < 0)
			goto out;
		log_info("pinned %s: %s (kept until 'lotbackup unpin')", file, opts->pin_reason);
	} else {
		r = pin_remove(file);
		if (r < 0)
			goto out;
		if (r == 1) {
			log_error("%s is not pinned", file);
			goto out;
		}
		log_info("unpinned %s: the retention policy applies to it again", file);
	}
	rc = LB_EXIT_OK;
out:
	output_lock_release(lock);
	free(dir);
	return rc;
}

/* FILE, or the backup `latest`, `latest-db` or `latest-full` names. */
static int
pin_operand(const struct options *opts, char *operand, int pin)
{
	char *latest = NULL;
	int rc;

	if (cmd_latest_operand(opts, operand, CMD_LATEST_ANY, &latest) < 0)
		return LB_EXIT_FAILURE;
	rc = pin_common(opts, latest != NULL ? latest : operand, pin);
	free(latest);
	return rc;
}

static int
cmd_pin_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	(void)argc;
	(void)result;
	return pin_operand(opts, argv[0], 1);
}

static int
cmd_unpin_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	(void)argc;
	(void)result;
	return pin_operand(opts, argv[0], 0);
}

const struct cmd_entry cmd_pin_entry = {
	.name = "pin",
	.bit = CMD_PIN,
	.operands = "--reason TEXT FILE",
	.summary = "keep a backup forever, whatever the retention policy says (e.g. a major release)",
	.min_operands = 1,
	.max_operands = 1,
	.operand_error = "'pin' takes one FILE",
	.exec = cmd_pin_exec,
};

const struct cmd_entry cmd_unpin_entry = {
	.name = "unpin",
	.bit = CMD_UNPIN,
	.operands = "FILE",
	.summary = "remove a pin: the retention policy applies to the backup again",
	.min_operands = 1,
	.max_operands = 1,
	.operand_error = "'unpin' takes one FILE",
	.exec = cmd_unpin_exec,
};
