#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/format.h"
#include "base/fsutil.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "io/pipe.h"
#include "remote/remote-internal.h"
#include "remote/remote.h"
#include "s3/s3-pipe.h"
#include "s3/s3.h"
#include "store/backups.h"

/* The most a manifest may be: pull holds it in memory. */
#define MANIFEST_MAX (64u << 20)

static char *
key_of(const struct remote_settings *rs, const char *name, const char *suffix)
{
	return xasprintf("%s%s%s", rs->s3.prefix ? rs->s3.prefix : "", name, suffix ? suffix : "");
}

/* Size and SHA-256 a manifest (db or full) records. 0, or -1 with why in ERR. */
static int
manifest_digest(const char *text, size_t len, uint64_t *bytes, char sha[65], char *err, size_t errlen)
{
	json_t *root = json_loadb(text, len, 0, NULL);
	json_t *b = json_object_get(root, "bytes"), *s = json_object_get(root, "sha256");
	int rc = -1;

	if (!json_is_integer(b) || !json_is_string(s) || strlen(json_string_value(s)) != 64)
		errbuf_set(err, errlen, "not a manifest of this tool (no bytes or sha256)");
	else {
		*bytes = (uint64_t)json_integer_value(b);
		snprintf(sha, 65, "%s", json_string_value(s));
		rc = 0;
	}
	json_decref(root);
	return rc;
}

/* FILE's bytes to KEY through a pipe (sha256 -> upload -> null); its size and SHA-256 out. */
static int
upload_file(const struct remote_settings *rs, const char *path, const char *key, uint64_t *bytes, char sha[65],
    struct s3_upload_result *res)
{
	struct pipe *p = pipe_new();
	int rc = -1;

	pipe_add_sha256(p);
	pipe_add_s3_upload(p, &rs->s3, key, 0);
	pipe_to_null(p);
	if (pipe_read_file(p, path, 1, 0) < 0 || pipe_finish(p) < 0 || pipe_s3_upload_result(p, res) < 0)
		goto out;
	*bytes = pipe_bytes(p, PIPE_IN);
	pipe_sha256_hex(p, sha);
	rc = 0;
out:
	pipe_free(p);
	return rc;
}

/* The local manifest beside PATH, if any, must describe the bytes sent. 0 none or matching, 1 has one, -1. */
static int
check_local_manifest(const char *mpath, uint64_t bytes, const char *sha)
{
	char *text = NULL, err[256], msha[65];
	size_t len;
	uint64_t mbytes;
	int rc = -1;

	int r = fs_read_file(mpath, &text, &len);

	if (r != 0)
		return r == 1 ? 0 : -1;	/* none, or unreadable (reported) */
	if (manifest_digest(text, len, &mbytes, msha, err, sizeof(err)) < 0)
		log_error("%s: %s; run lotbackup verify on it", mpath, err);
	else if (mbytes != bytes || strcmp(msha, sha) != 0)
		log_error("%s does not describe the file pushed (%llu bytes, SHA-256 %.16s...); run lotbackup verify on it",
		    mpath, (unsigned long long)bytes, sha);
	else
		rc = 1;
	free(text);
	return rc;
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
	char *now = iso_time_now();
	char *url = xasprintf("s3://%s/%s%s", rs->s3.bucket, rs->s3.prefix ? rs->s3.prefix : "", name);
	int rc = backup_sidecar_write(path, REMOTE_SUFFIX, json_pack("{s:s, s:s, s:I, s:s, s:i, s:s, s:s}",
	    "file", name, "url", url, "bytes", (json_int_t)data->bytes, "etag", data->etag, "parts", data->parts,
	    "manifest_etag", manifest->etag, "uploaded_at", now));

	free(url);
	free(now);
	return rc;
}

int
remote_record_clear(const char *path)
{
	return backup_sidecar_remove(path, REMOTE_SUFFIX, "the off-site record") < 0 ? -1 : 0;
}

int
remote_manifest_commit(const struct remote_settings *rs, const char *path, const struct s3_upload_result *data)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *mpath = xasprintf("%s%s", path, MANIFEST_SUFFIX), *mkey = NULL;
	struct s3_upload_result mres;
	struct stat st;
	int rc = -1;

	/* The pipe checked the object against the bytes it sent; those must be the published file's. */
	if (stat(path, &st) < 0 || (uint64_t)st.st_size != data->bytes) {
		log_error("%s: %llu bytes went off-site, the local file has %llu; its remote copy does not count",
		    path, (unsigned long long)data->bytes, (unsigned long long)st.st_size);
		goto out;
	}
	mkey = xasprintf("%s%s%s", rs->s3.prefix ? rs->s3.prefix : "", name, MANIFEST_SUFFIX);
	if (put_manifest(rs, mpath, mkey, &mres) < 0 || write_record(rs, path, name, data, &mres) < 0)
		goto out;
	rc = 0;
out:
	free(mpath);
	free(mkey);
	return rc;
}

static int
push_one(const struct remote_settings *rs, struct s3_client *c, const char *path)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *key = key_of(rs, name, NULL), *mkey = key_of(rs, name, MANIFEST_SUFFIX);
	char *mpath = xasprintf("%s%s", path, MANIFEST_SUFFIX), *where = s3_display(c, key), sha[65], size[32];
	struct s3_upload_result res;
	enum backup_kind kind;
	time_t when;
	uint64_t bytes = 0;
	struct stat st;
	int rc = -1, has;

	if (backup_name_parse(name, &kind, &when) < 0 || kind == BACKUP_FULL_DIR) {
		log_error("%s is not a db dump or full archive of this tool (lot-systems-db-*.sql.gz, "
		    "lot-systems-full-backup-*.tar.gz); push only those", path);
		goto out;
	}
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_errno("cannot push %s (a regular file is needed)", path);
		goto out;
	}
	/* A stale manifest (or its local record) from an earlier push would make the new data look whole. */
	if (remote_record_clear(path) < 0 || s3_delete(c, mkey) < 0 ||
	    upload_file(rs, path, key, &bytes, sha, &res) < 0)
		goto out;
	has = check_local_manifest(mpath, bytes, sha);
	if (has < 0)
		goto out;
	/* As db --upload: the manifest last, then PATH.remote.json. */
	if (has == 1 && remote_manifest_commit(rs, path, &res) < 0)
		goto out;
	format_size(bytes, size, sizeof(size));
	if (has == 1)
		log_info("pushed %s (%s, %d part%s) to %s with its manifest", name, size, res.parts ? res.parts : 1,
		    res.parts > 1 ? "s" : "", where);
	else
		log_warn("pushed %s (%s, %d part%s) to %s without a manifest (an older dump): pull cannot check it",
		    name, size, res.parts ? res.parts : 1, res.parts > 1 ? "s" : "", where);
	rc = 0;
out:
	free(key);
	free(mkey);
	free(mpath);
	free(where);
	return rc;
}

int
remote_push(const struct remote_settings *rs, char *const *files, int nfiles)
{
	struct s3_client *c = s3_client_new(&rs->s3);
	int i, rc = 0;

	if (c == NULL)
		return -1;
	s3_journal_replay(c, NULL, NULL);
	for (i = 0; i < nfiles; i++)
		if (push_one(rs, c, files[i]) < 0)
			rc = -1;
	s3_client_free(c);
	return rc;
}

static int
collect(void *arg, const void *buf, size_t len)
{
	struct strbuf *sb = arg;

	if (sb->len + len > MANIFEST_MAX) {
		log_error("a manifest of more than %u MiB: not one of this tool's", MANIFEST_MAX >> 20);
		return -1;
	}
	strbuf_append(sb, buf, len);
	return 0;
}

int
remote_get_manifest(struct s3_client *c, const char *mkey, struct strbuf *text)
{
	return s3_get(c, mkey, collect, text, 1);
}

/* Data into the atomic file; published only when it is what the manifest (NULL: none) says. */
static int
pull_data(const struct remote_settings *rs, struct s3_client *c, const char *name, const char *path,
    const struct strbuf *mtext)
{
	char *key = key_of(rs, name, NULL), *where = s3_display(c, key), sha[65], msha[65], err[256];
	struct pipe *p = pipe_new();
	uint64_t mbytes = 0;
	int rc = 1;

	if (mtext != NULL && manifest_digest(mtext->buf, mtext->len, &mbytes, msha, err, sizeof(err)) < 0) {
		log_error("%s%s: %s", where, MANIFEST_SUFFIX, err);
		rc = 3;
		goto out;
	}
	pipe_add_sha256(p);
	pipe_to_file(p, path, 0600);
	if (pipe_read_s3(p, c, key) < 0 || pipe_finish(p) < 0)
		goto out;
	pipe_sha256_hex(p, sha);
	if (mtext != NULL && (pipe_bytes(p, PIPE_IN) != mbytes || strcmp(sha, msha) != 0)) {
		log_error("%s: %llu bytes with SHA-256 %.16s..., its manifest says %llu bytes, %.16s...; "
		    "nothing was kept (push it again from a good copy)", where,
		    (unsigned long long)pipe_bytes(p, PIPE_IN), sha, (unsigned long long)mbytes, msha);
		rc = 3;
		goto out;
	}
	if (pipe_publish(p) < 0)
		goto out;
	rc = 0;
out:
	pipe_free(p);
	free(key);
	free(where);
	return rc;
}

/* 0 when NAME's data object is there; 1 when not, or -1 (reported). */
static int
pull_exists(const struct remote_settings *rs, struct s3_client *c, const char *name)
{
	char *key = key_of(rs, name, NULL), *where = s3_display(c, key);
	struct s3_object info;
	int rc = s3_head(c, key, &info);

	if (rc == 1)
		log_error("%s: no such object; check the name (lotbackup list --remote)", where);
	free(key);
	free(where);
	return rc;
}

int
remote_pull(const struct remote_settings *rs, const char *name)
{
	struct s3_client *c = NULL;
	struct strbuf mtext = STRBUF_INIT;
	char *mkey = NULL, *path = NULL, *mpath = NULL;
	enum backup_kind kind;
	time_t when;
	int rc = 1, got;

	if (strchr(name, '/') != NULL || backup_name_parse(name, &kind, &when) < 0 || kind == BACKUP_FULL_DIR) {
		log_error("%s is not the name of a db dump or full archive (see lotbackup list --remote)", name);
		return 1;
	}
	if ((c = s3_client_new(&rs->s3)) == NULL)
		goto out;
	path = xasprintf("%s/%s", rs->output_dir, name);
	mpath = xasprintf("%s%s", path, MANIFEST_SUFFIX);
	if (fs_exists(path) != 0 || fs_exists(mpath) != 0) {
		log_error("%s is there already: pull into another --output-dir, or remove it first", path);
		goto out;
	}
	mkey = key_of(rs, name, MANIFEST_SUFFIX);
	if ((got = remote_get_manifest(c, mkey, &mtext)) < 0)
		goto out;
	/*
	 * Without a manifest nothing can tell the bytes whole: a server that
	 * hides it could hand over a cut dump, published here under a backup's
	 * name. Taken only when asked for.
	 */
	if (got == 1 && !rs->unchecked_ok) {
		if (pull_exists(rs, c, name) == 0) {
			log_error("%s has no manifest off-site (an older dump, an unfinished push, or a server hiding "
			    "it): its bytes cannot be checked, so it is not pulled; give --force to take it unchecked",
			    name);
			rc = 3;
		}
		goto out;	/* rc 1: no such object, or the HEAD failed (reported) */
	}
	if (got == 1)
		log_warn("%s has no manifest off-site (an older dump, or an unfinished push): pulled unchecked (--force)",
		    name);
	if ((rc = pull_data(rs, c, name, path, got == 0 ? &mtext : NULL)) != 0)
		goto out;
	rc = 1;
	if (got == 0 && fs_write_file_atomic(mpath, mtext.buf, mtext.len, 0600, 1) < 0)
		goto out;
	log_info("pulled %s into %s%s", name, rs->output_dir, got == 0 ? ", checked against its manifest" : "");
	rc = 0;
out:
	strbuf_free(&mtext);
	s3_client_free(c);
	free(mkey);
	free(path);
	free(mpath);
	return rc;
}

static int
newest_first(const void *a, const void *b)
{
	const struct remote_entry *x = a, *y = b;

	return x->when != y->when ? (x->when < y->when ? 1 : -1) : strcmp(x->name, y->name);
}

size_t
remote_find_backups(const char *prefix, struct s3_object *objs, size_t n, struct remote_entry *out)
{
	size_t i, count = 0, plen = strlen(prefix);

	for (i = 0; i < n; i++) {
		struct remote_entry e = { &objs[i], objs[i].key + plen, BACKUP_DB, 0, 0 };
		struct s3_object probe;

		if (strncmp(objs[i].key, prefix, plen) != 0 || strchr(e.name, '/') != NULL ||
		    backup_name_parse(e.name, &e.kind, &e.when) < 0 || e.kind == BACKUP_FULL_DIR)
			continue;
		probe.key = xasprintf("%s%s", objs[i].key, MANIFEST_SUFFIX);
		e.has_manifest = bsearch(&probe, objs, n, sizeof(*objs), s3_object_cmp) != NULL;
		free(probe.key);
		out[count++] = e;
	}
	qsort(out, count, sizeof(*out), newest_first);
	return count;
}

static void
stamp(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
print_json(const struct remote_entry *es, size_t n, const struct s3_upload *ups, size_t nups)
{
	json_t *root = json_object(), *arr = json_array(), *uarr = json_array();
	char when[32], *text;
	size_t i;

	for (i = 0; i < n; i++) {
		stamp(es[i].when, when, sizeof(when));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:b}", "kind",
		    backup_kind_label(es[i].kind), "name", es[i].name, "key", es[i].obj->key, "created", when,
		    "bytes", (json_int_t)es[i].obj->size, "manifest", es[i].has_manifest));
	}
	for (i = 0; i < nups; i++) {
		stamp(ups[i].initiated, when, sizeof(when));
		json_array_append_new(uarr, json_pack("{s:s, s:s, s:s}", "key", ups[i].key, "upload_id",
		    ups[i].upload_id, "initiated", when));
	}
	json_object_set_new(root, "backups", arr);
	json_object_set_new(root, "unfinished_uploads", uarr);
	text = json_text(root);
	fputs(text, stdout);
	free(text);
}

static void
print_text(const struct remote_entry *es, size_t n, const struct s3_upload *ups, size_t nups, const char *where)
{
	char size[32], when[32];
	size_t i;

	if (n == 0)
		printf("no backups in %s\n", where);
	else
		printf("%-5s %-48s %10s  %s\n", "KIND", "NAME", "SIZE", "MANIFEST");
	for (i = 0; i < n; i++) {
		format_size(es[i].obj->size, size, sizeof(size));
		printf("%-5s %-48s %10s  %s\n", es[i].kind == BACKUP_DB ? "db" : "full", es[i].name, size,
		    es[i].has_manifest ? "yes" : "no (incomplete or an older dump)");
	}
	if (nups > 0)
		printf("\nunfinished multipart uploads (orphaned: their parts are billed until aborted, e.g. by a "
		    "bucket lifecycle rule):\n");
	for (i = 0; i < nups; i++) {
		stamp(ups[i].initiated, when, sizeof(when));
		printf("  %s  started %s  upload id %s\n", ups[i].key, when, ups[i].upload_id);
	}
}

/* UPS and LEFT (taken) as one list, an upload both hold once. Its count. */
static size_t
merge_uploads(struct s3_upload **ups, size_t nups, struct s3_upload *left, size_t nleft)
{
	size_t i, j;

	*ups = xrealloc(*ups, (nups + nleft + 1) * sizeof(**ups));
	for (i = 0; i < nleft; i++) {
		for (j = 0; j < nups && strcmp((*ups)[j].upload_id, left[i].upload_id) != 0; j++)
			;
		if (j < nups) {
			free(left[i].key);
			free(left[i].upload_id);
		} else {
			(*ups)[nups++] = left[i];
		}
	}
	free(left);
	return nups;
}

int
remote_list(const struct remote_settings *rs)
{
	struct s3_client *c = s3_client_new(&rs->s3);
	struct s3_object *objs = NULL;
	struct s3_upload *ups = NULL, *left = NULL;
	struct remote_entry *es = NULL;
	size_t n = 0, nups = 0, nleft = 0, count;
	const char *prefix = rs->s3.prefix ? rs->s3.prefix : "";
	char *where = NULL;
	int rc = -1, listed = 0;

	/* The journal's orphans are aborted first; those the server keeps are shown with its own list. */
	if (c == NULL || s3_list(c, prefix, &objs, &n) < 0 || s3_journal_replay(c, &left, &nleft) < 0 ||
	    (listed = s3_mpu_list(c, prefix, &ups, &nups)) < 0)
		goto out;
	if (listed == 1)
		log_warn("this S3 server does not list multipart uploads: only the unfinished ones recorded in %s are "
		    "shown", rs->output_dir);
	nups = merge_uploads(&ups, nups, left, nleft);
	left = NULL;
	nleft = 0;
	es = xcalloc(n + 1, sizeof(*es));
	count = remote_find_backups(prefix, objs, n, es);
	where = s3_display(c, prefix);
	if (rs->json)
		print_json(es, count, ups, nups);
	else
		print_text(es, count, ups, nups, where);
	rc = 0;
out:
	free(es);
	free(where);
	s3_objects_free(objs, n);
	s3_uploads_free(ups, nups);
	s3_uploads_free(left, nleft);
	s3_client_free(c);
	return rc;
}
