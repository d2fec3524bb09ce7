#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/format.h"
#include "base/fsutil.h"
#include "base/json.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "io/pipe.h"
#include "remote/remote-upload.h"
#include "store/backups.h"

int
remote_upload_ready(const struct remote_settings *rs)
{
	struct s3_client *c = s3_client_new(&rs->s3);

	s3_client_free(c);
	return c == NULL ? -1 : 0;
}

/* The local manifest, as it is, to KEY: the last object of the backup. */
static int
put_manifest(const struct remote_settings *rs, const char *mpath, const char *mkey, struct s3_upload_result *res)
{
	struct pipe *p = pipe_new();
	int rc;

	pipe_add_s3_upload(p, &rs->s3, mkey, 0);
	pipe_to_null(p);
	rc = pipe_read_file(p, mpath, 1, 0) < 0 || pipe_finish(p) < 0 || pipe_s3_upload_result(p, res) < 0 ? -1 : 0;
	pipe_free(p);
	return rc;
}

/* PATH.remote.json: the remote copy exists, whole, as of now. */
static int
write_record(const struct remote_settings *rs, const char *path, const char *name,
    const struct s3_upload_result *data, const struct s3_upload_result *manifest)
{
	char *record = xasprintf("%s%s", path, REMOTE_SUFFIX), *now = iso_time_now(), *text;
	char *url = xasprintf("s3://%s/%s%s", rs->s3.bucket, rs->s3.prefix ? rs->s3.prefix : "", name);
	int rc;

	text = json_text(json_pack("{s:s, s:s, s:I, s:s, s:i, s:s, s:s}", "file", name, "url", url,
	    "bytes", (json_int_t)data->bytes, "etag", data->etag, "parts", data->parts,
	    "manifest_etag", manifest->etag, "uploaded_at", now));
	rc = fs_write_file_atomic(record, text, strlen(text), 0600, 0);
	free(text);
	free(url);
	free(now);
	free(record);
	return rc;
}

int
remote_upload_commit(const struct remote_settings *rs, const char *path, const struct s3_upload_result *data)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *mpath = xasprintf("%s%s", path, MANIFEST_SUFFIX), *mkey = NULL, size[32];
	struct s3_upload_result mres;
	struct stat st;
	int rc = -1;

	if (data == NULL)
		goto out;
	/* The pipe checked the object against the bytes it sent; those must be the published file's. */
	if (stat(path, &st) < 0 || (uint64_t)st.st_size != data->bytes) {
		log_error("%s: %llu bytes went off-site, the local file has %llu; its remote copy does not count",
		    path, (unsigned long long)data->bytes, (unsigned long long)st.st_size);
		goto out;
	}
	mkey = xasprintf("%s%s%s", rs->s3.prefix ? rs->s3.prefix : "", name, MANIFEST_SUFFIX);
	if (put_manifest(rs, mpath, mkey, &mres) < 0 || write_record(rs, path, name, data, &mres) < 0)
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
	free(mpath);
	free(mkey);
	return rc;
}
