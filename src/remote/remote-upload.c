#include <string.h>

#include "base/format.h"
#include "base/log.h"
#include "remote/remote-upload.h"
#include "store/backups.h"

int
remote_upload_ready(const struct remote_settings *rs)
{
	struct s3_client *c = s3_client_new(&rs->s3);

	/* What an interrupted upload left, aborted before a new one begins. */
	if (c != NULL)
		s3_journal_replay(c, NULL, NULL);
	s3_client_free(c);
	return c == NULL ? -1 : 0;
}

int
remote_upload_commit(const struct remote_settings *rs, const char *path, const struct s3_upload_result *data)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char size[32];
	int rc = -1;

	if (data == NULL || remote_manifest_commit(rs, path, data) < 0)
		goto out;
	format_size(data->bytes, size, sizeof(size));
	log_info("uploaded %s (%s, %d part%s) to s3://%s/%s%s, its manifest last; recorded in %s%s", name,
	    size, data->parts ? data->parts : 1, data->parts > 1 ? "s" : "", rs->s3.bucket,
	    rs->s3.prefix ? rs->s3.prefix : "", name, name, REMOTE_SUFFIX);
	rc = 0;
out:
	if (rc < 0)
		log_error("%s is a whole local backup, but its off-site copy failed (see above) and does not "
		    "count as off-site; 'lotbackup push %s' tries again", name, path);
	return rc;
}
