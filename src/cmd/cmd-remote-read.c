#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "cmd/commands.h"
#include "remote/remote.h"

int
cmd_remote_operand(const struct options *opts, const char *operand, struct remote_settings *rs, const char **name)
{
	struct options url_opts;
	const char *slash;
	char *url;
	int rc;

	if (strncmp(operand, "s3://", 5) != 0) {
		*name = operand;
		return cmd_remote_settings(opts, rs);
	}
	/* s3://bucket/prefix/NAME: the store is the URL less its last part, whatever LOTBACKUP_S3_URL says. */
	slash = strrchr(operand + 5, '/');
	if (slash == NULL || slash[1] == '\0') {
		log_error("%s names no backup: give s3://BUCKET/PREFIX/NAME (see lotbackup list --remote)", operand);
		return -1;
	}
	*name = slash + 1;
	url = xstrndup(operand, (size_t)(slash - operand));
	url_opts = *opts;
	url_opts.s3_url = url;
	rc = cmd_remote_settings(&url_opts, rs);
	free(url);
	return rc;
}

int
cmd_remote_named(const struct options *opts, const char *operand)
{
	return opts->remote || strncmp(operand, "s3://", 5) == 0;
}
