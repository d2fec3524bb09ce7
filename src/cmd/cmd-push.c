#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "base/log.h"
#include "cmd/commands.h"
#include "remote/remote-upload.h"
#include "remote/remote.h"

int
cmd_remote_settings(const struct options *opts, struct remote_settings *rs)
{
	char err[256], *bucket = NULL, *prefix = NULL;
	int rc = -1;

	memset(rs, 0, sizeof(*rs));
	if (opts->s3_url == NULL) {
		log_error("no off-site store: set LOTBACKUP_S3_URL=s3://bucket/prefix (environment or .env)");
		return -1;
	}
	if (s3_url_parse(opts->s3_url, &bucket, &prefix, err, sizeof(err)) < 0) {
		log_error("LOTBACKUP_S3_URL %s: %s", opts->s3_url, err);
		return -1;
	}
	if (strlen(bucket) >= sizeof(rs->bucket) || strlen(prefix) >= sizeof(rs->prefix)) {
		log_error("LOTBACKUP_S3_URL %s: the bucket name (at most 63 characters) or the prefix is too long",
		    opts->s3_url);
		goto out;
	}
	snprintf(rs->bucket, sizeof(rs->bucket), "%s", bucket);
	snprintf(rs->prefix, sizeof(rs->prefix), "%s", prefix);
	rs->s3.bucket = rs->bucket;
	rs->s3.prefix = rs->prefix;
	rs->s3.endpoint = opts->s3_endpoint;
	rs->s3.region = opts->s3_region;
	rs->s3.access_key = opts->s3_access_key;
	rs->s3.secret_key = opts->s3_secret_key;
	rs->s3.path_style = opts->s3_path_style > 0;
	rs->s3.ca_file = opts->s3_ca_file;
	rs->s3.ca_setting = opts->s3_ca_setting;
	rs->s3.part_mib = opts->part_mib;
	rs->s3.upload_jobs = opts->upload_jobs;
	rs->output_dir = opts->output_dir;
	/* Multipart uploads in flight are recorded beside the backups, for the next run to abort. */
	rs->s3.journal_dir = opts->output_dir;
	rs->json = opts->json;
	rc = 0;
out:
	free(bucket);
	free(prefix);
	return rc;
}

const struct s3_config *
cmd_upload_target(const struct options *opts, struct remote_settings *rs, int *failed)
{
	*failed = 0;
	if (opts->upload <= 0)
		return NULL;
	if (cmd_remote_settings(opts, rs) < 0 || remote_upload_ready(rs) < 0) {
		*failed = 1;
		return NULL;
	}
	return &rs->s3;
}

static int
cmd_push_exec(const struct options *opts, int argc, char **argv, struct cmd_result *result)
{
	struct remote_settings rs;

	(void)result;
	/* A signal fails the push like an error, so its multipart upload is aborted, not left billed. */
	if (interrupt_install() < 0 || cmd_remote_settings(opts, &rs) < 0 || remote_push(&rs, argv, argc) < 0)
		return LB_EXIT_FAILURE;
	return LB_EXIT_OK;
}

const struct cmd_entry cmd_push_entry = {
	.name = "push",
	.bit = CMD_PUSH,
	.operands = "FILE...",
	.summary = "upload backups to the off-site store (LOTBACKUP_S3_URL), each manifest last",
	.min_operands = 1,
	.max_operands = CMD_OPERANDS_ANY,
	.operand_error = "'push' needs the backup files to upload",
	.exec = cmd_push_exec,
};
