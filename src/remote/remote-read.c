#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/format.h"
#include "base/fsutil.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "remote/remote-internal.h"
#include "remote/remote-read.h"
#include "s3/s3-pipe.h"
#include "s3/s3.h"
#include "store/backups.h"

static int
check_name(const char *name)
{
	enum backup_kind kind;
	time_t when;

	if (strchr(name, '/') == NULL && backup_name_parse(name, &kind, &when) == 0 && kind == BACKUP_DB)
		return 0;
	log_error("%s is not the name of a db dump of this tool (lot-systems-db-*.sql.gz; see lotbackup list "
	    "--remote)", name);
	return -1;
}

struct get_feed {
	struct s3_client *c;
	const char *key;
};

static int
feed_s3(void *arg, struct pipe *p)
{
	const struct get_feed *g = arg;

	return pipe_read_s3(p, g->c, g->key);
}

/* Streamed: one GET through the checks, the manifest (if any) read first. */
static int
verify_stream(const struct remote_settings *rs, struct s3_client *c, const char *name, struct verify_result *r)
{
	struct strbuf mtext = STRBUF_INIT;
	char *key = xasprintf("%s%s", rs->s3.prefix ? rs->s3.prefix : "", name);
	char *mkey = xasprintf("%s%s", key, MANIFEST_SUFFIX), *where = s3_display(c, key);
	char *mwhere = s3_display(c, mkey);
	struct get_feed g = { c, key };
	struct s3_object info;
	int rc = -1, got;

	memset(r, 0, sizeof(*r));
	if ((got = remote_get_manifest(c, mkey, &mtext)) < 0)
		goto out;
	/* The size only for the progress line; an absent object is reported by the GET. */
	if (s3_head(c, key, &info) != 0)
		info.size = 0;
	rc = verify_db_feed(where, got == 0 ? mtext.buf ? mtext.buf : "" : NULL, mtext.len, mwhere, feed_s3, &g,
	    info.size, r);
out:
	strbuf_free(&mtext);
	free(key);
	free(mkey);
	free(where);
	free(mwhere);
	return rc;
}

/*
 * Restore (and verify --restore) read a dump more than once: the whole
 * file is checked before anything loads, then tables load side by side
 * from their byte ranges, which one GET cannot give. So the object is
 * fetched once, with its manifest, into a private directory in the output
 * directory (the backups' disk, not a /tmp that may be memory), checked
 * against the manifest on the way (remote_pull), used as a local file and
 * removed: bounded by disk, one compressed copy. Reading the object twice
 * instead would serve the check, but the load would lose its parallel
 * ranges. A crash leaves .lotbackup-fetch-XXXXXX (0700) behind.
 * 0 and *DIR, 1 failure, 3 the bytes do not match the manifest.
 */
static int
fetch(const struct remote_settings *rs, const char *name, char **dir)
{
	struct remote_settings into = *rs;
	int rc;

	*dir = NULL;
	if (fs_mkdir_private(rs->output_dir) < 0)
		return 1;
	*dir = xasprintf("%s/.lotbackup-fetch-XXXXXX", rs->output_dir);
	if (mkdtemp(*dir) == NULL) {
		log_errno("cannot make a temporary directory in %s (restore s3:// fetches the dump there)",
		    rs->output_dir);
		free(*dir);
		*dir = NULL;
		return 1;
	}
	into.output_dir = *dir;
	rc = remote_pull(&into, name);
	if (rc != 0) {
		fs_remove_tree(*dir);
		free(*dir);
		*dir = NULL;
	}
	return rc;
}

int
remote_verify(const struct remote_settings *rs, const char *name, const struct verify_restore_settings *vrs,
    struct verify_result *r)
{
	struct s3_client *c = NULL;
	char *dir = NULL, *path = NULL;
	int rc = -1, got;

	memset(r, 0, sizeof(*r));
	if (check_name(name) < 0 || (c = s3_client_new(&rs->s3)) == NULL)
		goto out;
	/* verify --restore loads only what proved whole, as for a local file. */
	if ((rc = verify_stream(rs, c, name, r)) < 0 || vrs == NULL || r->failed)
		goto out;
	rc = -1;
	if ((got = fetch(rs, name, &dir)) != 0) {
		/* Changed since the check: a finding, as the check's are. */
		if (got == 3) {
			verify_add(r, "checksum", 0, "the object changed while it was verified (see above)");
			rc = 0;
		}
		goto out;
	}
	path = xasprintf("%s/%s", dir, name);
	if (verify_restore(vrs, path, r) < 0)
		goto out;
	rc = 0;
out:
	if (dir != NULL)
		fs_remove_tree(dir);
	free(dir);
	free(path);
	s3_client_free(c);
	return rc;
}

int
remote_restore(const struct remote_settings *rs, const char *name, const struct restore_db_settings *set)
{
	char *dir = NULL, *path = NULL;
	int rc;

	if (check_name(name) < 0)
		return -1;
	rc = fetch(rs, name, &dir);
	if (rc == 3)
		log_error("not restoring %s: it does not match its manifest; the target database was not touched", name);
	if (rc != 0)
		return rc == 3 ? 1 : -1;
	path = xasprintf("%s/%s", dir, name);
	rc = restore_db_file(set, path);
	fs_remove_tree(dir);
	free(dir);
	free(path);
	return rc;
}

/* The newest backup with a manifest, of KIND (NULL: any) among ES (newest first). */
static const struct remote_entry *
newest_whole(const struct remote_entry *es, size_t n, const char *kind)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (es[i].has_manifest && (kind == NULL || strcmp(kind, backup_kind_label(es[i].kind)) == 0))
			return &es[i];
	return NULL;
}

int
remote_status(const struct remote_settings *rs, long max_age, const char *kind, int json)
{
	struct s3_client *c = s3_client_new(&rs->s3);
	struct s3_object *objs = NULL;
	struct remote_entry *es = NULL;
	const struct remote_entry *best;
	const char *prefix = rs->s3.prefix ? rs->s3.prefix : "";
	char *where = NULL, *problem = NULL, limit[32], age[32] = "";
	size_t n = 0;
	time_t now = time(NULL);
	int rc = -1;

	if (c == NULL || s3_list(c, prefix, &objs, &n) < 0)
		goto out;
	es = xcalloc(n + 1, sizeof(*es));
	best = newest_whole(es, remote_find_backups(prefix, objs, n, es), kind);
	where = s3_display(c, prefix);
	format_age(max_age, limit, sizeof(limit));
	if (best != NULL)
		format_age((long long)(now - best->when), age, sizeof(age));
	/* A copy without its manifest is not one: it may be half uploaded. */
	if (best == NULL)
		problem = xasprintf("no off-site %sbackup with a manifest in %s (push one, or run db --upload)",
		    kind ? kind : "", where);
	else if (now - best->when > max_age)
		problem = xasprintf("the newest off-site backup, %s, is %s old, more than --max-age %s: are the "
		    "uploads still running?", best->name, age, limit);
	if (json) {
		char *text, created[32];
		struct tm tm;

		if (best != NULL)
			strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&best->when, &tm));
		text = json_text(json_pack("{s:s, s:b, s:s?, s:I, s:s?, s:s?, s:I}", "remote", where, "ok",
		    problem == NULL, "problem", problem, "max_age_seconds", (json_int_t)max_age, "newest",
		    best ? best->name : NULL, "created", best ? created : NULL, "age_seconds",
		    (json_int_t)(best ? now - best->when : -1)));
		fputs(text, stdout);
		free(text);
	} else if (problem == NULL) {
		printf("ok: the newest off-site backup, %s, is %s old (limit %s)\n", best->name, age, limit);
	}
	if (problem != NULL)
		log_error("%s", problem);
	rc = problem == NULL ? 0 : 1;
out:
	free(problem);
	free(where);
	free(es);
	s3_objects_free(objs, n);
	s3_client_free(c);
	return rc;
}
