#ifndef LOTBACKUP_COMMANDS_H
#define LOTBACKUP_COMMANDS_H

#include "cmd/options.h"

/* cmd_entry.flags: what main.c does around a command, so that it names none. */
enum {
	/*
	 * A run of it is reported to --notify-url (which options.c accepts
	 * for these commands only), unless it was a usage error or, by
	 * --dry-run or --list, ran no job.
	 */
	CMD_F_NOTIFY = 1 << 0,
};

/* No upper limit on the operands. */
#define CMD_OPERANDS_ANY (-1)

/* What a command hands back to main.c besides its exit status. */
struct cmd_result {
	char *published;	/* the backup it published, for --notify-url (main.c frees); NULL: none */
};

/* One entry per subcommand, as tmux and git dispatch them. */
struct cmd_entry {
	const char *name;
	unsigned bit;			/* CMD_*: which options it accepts */
	const char *operands;		/* usage text after the options */
	const char *summary;
	unsigned flags;			/* CMD_F_* */
	/*
	 * How many operands it takes: main.c checks, before exec, and logs
	 * operand_error with a pointer to --help when the count is off
	 * (NULL, for a command that takes none: "'NAME' takes no operands").
	 */
	int min_operands;
	int max_operands;		/* CMD_OPERANDS_ANY: no limit */
	const char *operand_error;
	/* argv holds the operands only; returns an LB_EXIT_* status. */
	int (*exec)(const struct options *opts, int argc, char **argv, struct cmd_result *result);
};

/* `list`, which `db --list` runs too: an LB_EXIT_* status. */
int cmd_list_backups(const struct options *opts);
/* prune|db --dry-run --json: the plan for kind ONLY (-1: db and full) under POLICY. LB_EXIT_*. */
struct retention_policy;
int cmd_print_plan_json(const struct options *opts, int only, const struct retention_policy *policy);

extern const struct cmd_entry cmd_full_entry;
extern const struct cmd_entry cmd_db_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_restore_entry;
extern const struct cmd_entry cmd_verify_entry;
extern const struct cmd_entry cmd_prune_entry;
extern const struct cmd_entry cmd_pin_entry;
extern const struct cmd_entry cmd_unpin_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_push_entry;
extern const struct cmd_entry cmd_pull_entry;
extern const struct cmd_entry cmd_diff_entry;
extern const struct cmd_entry cmd_recover_entry;

/*
 * The off-site settings of OPTS for the remote module, LOTBACKUP_S3_URL
 * split into bucket and prefix. 0, or -1 when it is missing or malformed
 * (reported).
 */
struct remote_settings;
int cmd_remote_settings(const struct options *opts, struct remote_settings *rs);
extern const struct cmd_entry cmd_keygen_entry;

/*
 * The off-site backup an operand names (verify, restore): s3://BUCKET/
 * PREFIX/NAME, the store taken from the URL, or (with --remote) NAME under
 * LOTBACKUP_S3_URL. *NAME points into OPERAND. 0 or -1 (reported).
 */
int cmd_remote_operand(const struct options *opts, const char *operand, struct remote_settings *rs,
    const char **name);
/* What the operand `latest` names for a command: see cmd_latest_operand. */
enum cmd_latest {
	CMD_LATEST_ANY,		/* the newest backup of either kind */
	CMD_LATEST_DB,
	CMD_LATEST_FULL,
};
/*
 * OPERAND "latest-db", "latest-full" or "latest" (LATEST_MEANS) as the
 * path of the newest such backup in the output directory (*path, caller
 * frees; logged); a full backup's archive when it has one. Any other
 * operand: *path NULL (a file of that name: ./latest). 0, or -1 when there
 * is no such backup (reported).
 */
int cmd_latest_operand(const struct options *opts, const char *operand, enum cmd_latest latest_means, char **path);
/* 1 when OPERAND is read from the off-site store: an s3:// URL, or any operand with --remote. */
int cmd_remote_named(const struct options *opts, const char *operand);

/*
 * db|full --upload: the store to stream the backup to (RS filled), or NULL
 * when no upload was asked for, or when its settings are missing or wrong
 * (reported, *failed set: the backup is still made, locally, and the run
 * fails after it).
 */
const struct s3_config *cmd_upload_target(const struct options *opts, struct remote_settings *rs, int *failed);

#endif
