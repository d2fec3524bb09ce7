#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/json.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "s3/s3-internal.h"
#include "s3/s3.h"

/*
 * The journal of multipart uploads in flight (s3.h): one small file per
 * upload, JOURNAL/HASH.json, HASH of the endpoint, bucket and key, holding
 * {"endpoint", "bucket", "key", "upload_id" (null until the server gave
 * one), "host", "pid", "started"}. Written through the atomic file; a
 * failure to write it is a warning, never the upload's failure.
 */

#define JOURNAL_NAME ".lotbackup-uploads"

static char *
entry_path(const struct s3_config *cfg, const char *key)
{
	const char *parts[3] = { cfg->endpoint ? cfg->endpoint : "", cfg->bucket, key };
	unsigned long long h = 1469598103934665603ULL;	/* FNV-1a: a name, not a secret */
	int i;

	for (i = 0; i < 3; i++) {
		for (const char *s = parts[i]; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ULL;
		h = (h ^ '\n') * 1099511628211ULL;
	}
	return xasprintf("%s/%s/%016llx.json", cfg->journal_dir, JOURNAL_NAME, h);
}

int
s3_journal_add(const struct s3_config *cfg, const char *key, const char *upload_id)
{
	char *dir, *path, *text, host[256] = "";
	int rc = -1;

	if (cfg->journal_dir == NULL)
		return 0;
	dir = xasprintf("%s/%s", cfg->journal_dir, JOURNAL_NAME);
	path = entry_path(cfg, key);
	gethostname(host, sizeof(host) - 1);
	text = json_text(json_pack("{s:s, s:s, s:s, s:s?, s:s, s:I, s:I}", "endpoint", cfg->endpoint ? cfg->endpoint : "",
	    "bucket", cfg->bucket, "key", key, "upload_id", upload_id, "host", host, "pid", (json_int_t)getpid(),
	    "started", (json_int_t)time(NULL)));
	if (fs_mkdir_private(cfg->journal_dir) == 0 && fs_mkdir_private(dir) == 0 &&
	    fs_write_file_atomic(path, text, strlen(text), 0600, 0) == 0)
		rc = 0;
	else
		log_warn("cannot record the multipart upload of %s in %s: if this run is cut short, abort it by hand "
		    "(or by a bucket lifecycle rule)", key, dir);
	free(text);
	free(dir);
	free(path);
	return rc;
}

void
s3_journal_remove(const struct s3_config *cfg, const char *key)
{
	char *path;

	if (cfg->journal_dir == NULL)
		return;
	path = entry_path(cfg, key);
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("cannot remove %s: %s", path, strerror(errno));
	free(path);
}

/* A run on this host that is still going: its uploads are its own business. */
static int
writer_alive(json_t *e)
{
	char host[256] = "";
	json_t *h = json_object_get(e, "host"), *p = json_object_get(e, "pid");

	gethostname(host, sizeof(host) - 1);
	if (!json_is_string(h) || strcmp(json_string_value(h), host) != 0 || !json_is_integer(p))
		return 0;
	return (pid_t)json_integer_value(p) != getpid() &&
	    (kill((pid_t)json_integer_value(p), 0) == 0 || errno == EPERM);
}

static void
keep_left(struct s3_upload **left, size_t *nleft, const char *key, const char *id, time_t started)
{
	if (left == NULL)
		return;
	*left = xrealloc(*left, (*nleft + 1) * sizeof(**left));
	(*left)[*nleft].key = xstrdup(key);
	(*left)[*nleft].upload_id = xstrdup(id ? id : "(unknown: the run ended before the server answered)");
	(*left)[*nleft].initiated = started;
	(*nleft)++;
}

/* One entry of C's endpoint and bucket: aborted (and the entry removed), or kept in LEFT. */
static void
replay_one(struct s3_client *c, const char *path, json_t *e, struct s3_upload **left, size_t *nleft)
{
	const char *key = json_string_value(json_object_get(e, "key"));
	json_t *idj = json_object_get(e, "upload_id");
	const char *id = json_is_string(idj) ? json_string_value(idj) : NULL;
	time_t started = (time_t)json_integer_value(json_object_get(e, "started"));
	char *where = s3_display(c, key);
	int rc = id != NULL ? s3_mpu_abort_orphan(c, key, id) : 1;

	if (rc == 0) {
		log_info("%s: aborted the unfinished multipart upload %s of an interrupted run", where, id);
		if (unlink(path) < 0)
			log_warn("cannot remove %s: %s", path, strerror(errno));
	} else {
		keep_left(left, nleft, key, id, started);
	}
	free(where);
}

int
s3_journal_replay(struct s3_client *c, struct s3_upload **left, size_t *nleft)
{
	const struct s3_config *cfg = s3_client_config(c);
	char *dir;
	DIR *d;
	struct dirent *de;

	if (left != NULL) {
		*left = NULL;
		*nleft = 0;
	}
	if (cfg->journal_dir == NULL)
		return 0;
	dir = xasprintf("%s/%s", cfg->journal_dir, JOURNAL_NAME);
	d = opendir(dir);
	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char *path, *text = NULL;
		json_t *e = NULL;

		if (len != 21 || strcmp(de->d_name + 16, ".json") != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (fs_read_file(path, &text, &len) == 0)
			e = json_loadb(text, len, 0, NULL);
		if (json_is_string(json_object_get(e, "key")) &&
		    strcmp(json_string_value(json_object_get(e, "bucket")) ?: "", cfg->bucket) == 0 &&
		    strcmp(json_string_value(json_object_get(e, "endpoint")) ?: "", cfg->endpoint ? cfg->endpoint : "") == 0 &&
		    !writer_alive(e))
			replay_one(c, path, e, left, nleft);
		json_decref(e);
		free(text);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
	return 0;
}
