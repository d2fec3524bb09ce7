#include <stdio.h>

#include "base/log.h"
#include "cmd/commands.h"
#include "crypt/crypt.h"

/* keygen [FILE]: FILE, else --key-file or LOTBACKUP_KEY_FILE. */
static int
cmd_keygen_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	const char *path = argc > 0 ? argv[0] : opts->key_file;
	char fp[CRYPT_FP_HEX];

	(void)result;
	if (path == NULL) {
		log_error("keygen needs a FILE to write the key to (or --key-file FILE, or LOTBACKUP_KEY_FILE)");
		return LB_EXIT_USAGE;
	}
	if (crypt_keygen(path, fp) < 0)
		return LB_EXIT_FAILURE;
	printf("%s: new key, fingerprint %s\n", path, fp);
	log_info("keep a copy of %s apart from the backups (a password manager, another machine): "
	    "without it the backups encrypted with it cannot be read", path);
	return LB_EXIT_OK;
}

const struct cmd_entry cmd_keygen_entry = {
	.name = "keygen",
	.bit = CMD_KEYGEN,
	.operands = "[FILE]",
	.summary = "write a new random encryption key to FILE (mode 0600, never over a file) and print its fingerprint",
	.min_operands = 0,
	.max_operands = 1,
	.operand_error = "keygen takes at most one FILE",
	.exec = cmd_keygen_exec,
};
