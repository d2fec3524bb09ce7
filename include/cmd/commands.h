#ifndef LOTBACKUP_COMMANDS_H
#define LOTBACKUP_COMMANDS_H

#include "cmd/options.h"

/* One entry per subcommand, as tmux and git dispatch them. */
struct cmd_entry {
	const char *name;
	unsigned bit;			/* CMD_*: which options it accepts */
	const char *operands;		/* usage text after the options */
	const char *summary;
	/* argv holds the operands only; returns an LB_EXIT_* status. */
	int (*exec)(const struct options *opts, int argc, char **argv);
};

extern const struct cmd_entry cmd_full_entry;
extern const struct cmd_entry cmd_db_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_restore_entry;
extern const struct cmd_entry cmd_verify_entry;
extern const struct cmd_entry cmd_prune_entry;
extern const struct cmd_entry cmd_pin_entry;
extern const struct cmd_entry cmd_unpin_entry;
extern const struct cmd_entry cmd_status_entry;

#endif
