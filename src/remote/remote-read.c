#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/format.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "dump/dump-reader.h"
#include "full/full-archive.h"
#include "full/full-restore.h"
#include "io/pipe.h"
#include "remote/remote-blocks.h"
#include "remote/remote-internal.h"
#include "remote/remote-read.h"
#include "s3/s3-pipe.h"
#include "s3/s3.h"
#include "store/backups.h"
#include "store/manifest.h"

/* NAME's kind: BACKUP_DB or BACKUP_FULL_ARCHIVE, or -1 when it is neither (reported). */
static int
name_kind(const char *name)
{
	enum backup_kind kind;
	time_t when;

	if (strchr(name, '/') == NULL && backup_name_parse(name, &kind, &when) == 0 && kind != BACKUP_FULL_DIR)
		return (int)kind;
	log_error("%s is not the name of a db dump or full archive of this tool (lot-systems-db-*.sql.gz, "
	    "lot-systems-full-backup-*.tar.gz; see lotbackup list --remote)", name);
	return -1;
}

/* The object's bytes recorded as they go on to the pipe (the check's read, from the start). */
struct record_feed {
	struct object_blocks *b;
	struct pipe *p;
	uint64_t at;
};

static int
record_on(void *arg, const void *buf, size_t len)
{
	struct record_feed *r = arg;

	object_blocks_record(r->b, r->at, buf, len);
	r->at += len;
	return pipe_write(r->p, buf, len);
}

/*
 * KEY's bytes [offset, offset + length) into P (length UINT64_MAX: to the
 * end, by one plain GET) through the object's blocks B: recorded while the
 * check reads, compared block by block once it passed (remote-blocks.h).
 */
static int
read_bound(struct object_blocks *b, struct s3_client *c, const char *key, const char *name, struct pipe *p,
    uint64_t offset, uint64_t length)
{
	struct pipe *q = pipe_new();
	struct record_feed rec = { b, p, offset };
	struct object_check k;
	uint64_t from = offset, to = 0, end = 0;
	int rc = 0, checking = b->sealed;

	if (checking) {
		object_blocks_span(b, offset, length, &from, &to, &end);
		object_check_init(&k, b, p, name, from, to, offset, end);
		pipe_to_consumer(q, object_check_write, &k);
		if (to > from)
			rc = pipe_read_s3_range(q, c, key, from, to - from);
	} else {
		pipe_to_consumer(q, record_on, &rec);
		rc = offset == 0 && length == UINT64_MAX ? pipe_read_s3(q, c, key) :
		    pipe_read_s3_range(q, c, key, offset, length);
	}
	if (pipe_finish(q) < 0)
		rc = -1;
	if (checking && object_check_end(&k, rc == 0) < 0)
		rc = -1;
	pipe_free(q);
	return rc;
}

struct get_feed {
	struct s3_client *c;
	const char *key;
	struct object_blocks *record;	/* NULL: nothing reads the object again */
	const char *name;
};

static int
feed_s3(void *arg, struct pipe *p)
{
	const struct get_feed *g = arg;

	if (g->record != NULL)
		return read_bound(g->record, g->c, g->key, g->name, p, 0, UINT64_MAX);
	return pipe_read_s3(p, g->c, g->key);
}

/*
 * Streamed: one GET through the checks, the manifest (if any) read first;
 * the manifest it passed against into *KEPT (NULL: not wanted); the
 * object's blocks into RECORD when it is read again (NULL: not).
 */
static int
verify_stream(const struct remote_settings *rs, struct s3_client *c, const char *name, struct verify_result *r,
    struct db_manifest *kept, struct object_blocks *record)
{
	struct strbuf mtext = STRBUF_INIT;
	char *key = xasprintf("%s%s", rs->s3.prefix ? rs->s3.prefix : "", name);
	char *mkey = xasprintf("%s%s", key, MANIFEST_SUFFIX), *where = s3_display(c, key);
	char *mwhere = s3_display(c, mkey);
	struct get_feed g = { c, key, record, where };
	struct s3_object info;
	int rc = -1, got;

	memset(r, 0, sizeof(*r));
	if ((got = remote_get_manifest(c, mkey, &mtext)) < 0)
		goto out;
	/* The size only for the progress line; an absent object is reported by the GET. */
	if (s3_head(c, key, &info) != 0)
		info.size = 0;
	rc = verify_db_feed(where, got == 0 ? mtext.buf ? mtext.buf : "" : NULL, mtext.len, mwhere, feed_s3, &g,
	    info.size, r, kept);
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
 * object is checked before anything loads, then tables load side by side
 * from their byte ranges (the manifest's member index). Each range is a
 * ranged GET on a connection of the loader's own, taken from this pool:
 * nothing is written locally, and the loads keep their parallel ranges.
 */
#define POOL_MAX 16

struct object_source {
	const struct s3_config *cfg;
	const char *key;
	const char *name;		/* for errors: the object as the user knows it */
	struct object_blocks *blocks;	/* the check's record of the object (NULL: read as it comes) */
	pthread_mutex_t mu;
	struct s3_client *idle[POOL_MAX];
	int nidle;
};

static int
feed_range(void *arg, struct pipe *p, uint64_t offset, uint64_t length)
{
	struct object_source *os = arg;
	struct s3_client *c = NULL;
	int rc;

	pthread_mutex_lock(&os->mu);
	if (os->nidle > 0)
		c = os->idle[--os->nidle];
	pthread_mutex_unlock(&os->mu);
	if (c == NULL && (c = s3_client_new(os->cfg)) == NULL)
		return -1;
	rc = os->blocks != NULL ? read_bound(os->blocks, c, os->key, os->name, p, offset, length) :
	    pipe_read_s3_range(p, c, os->key, offset, length);
	pthread_mutex_lock(&os->mu);
	if (os->nidle < POOL_MAX) {
		os->idle[os->nidle++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&os->mu);
	s3_client_free(c);
	return rc;
}

static void
object_source_init(struct object_source *os, const struct remote_settings *rs, const char *key)
{
	memset(os, 0, sizeof(*os));
	os->cfg = &rs->s3;
	os->key = key;
	pthread_mutex_init(&os->mu, NULL);
}

static void
object_source_free(struct object_source *os)
{
	while (os->nidle > 0)
		s3_client_free(os->idle[--os->nidle]);
	pthread_mutex_destroy(&os->mu);
}

/*
 * A full archive: its sidecar manifest read first, then the object read by
 * ranges through the archive's checks, its SHA-256 taken on the way.
 */
static int
verify_full(struct s3_client *c, const char *key, struct object_source *os, struct verify_result *r)
{
	struct strbuf mtext = STRBUF_INIT;
	char *mkey = xasprintf("%s%s", key, MANIFEST_SUFFIX), *where = s3_display(c, key), *mwhere = s3_display(c, mkey);
	struct dump_source src = { .name = where, .feed = feed_range, .arg = os };
	struct s3_object info;
	int rc = -1, got, head;

	memset(r, 0, sizeof(*r));
	if ((got = remote_get_manifest(c, mkey, &mtext)) < 0 || (head = s3_head(c, key, &info)) < 0)
		goto out;
	if (head == 1) {
		log_error("%s: no such object; check the name (lotbackup list --remote)", where);
		goto out;
	}
	rc = full_verify_source(&src, info.size, mwhere, got == 0 ? mtext.buf ? mtext.buf : "" : NULL, mtext.len, r);
out:
	strbuf_free(&mtext);
	free(mkey);
	free(where);
	free(mwhere);
	return rc;
}

int
remote_verify(const struct remote_settings *rs, const char *name, const struct verify_restore_settings *vrs,
    struct verify_result *r)
{
	struct s3_client *c = NULL;
	struct object_source os;
	struct dump_source src;
	struct db_manifest m;
	struct object_blocks blocks;
	char *key = xasprintf("%s%s", rs->s3.prefix ? rs->s3.prefix : "", name), *where = NULL;
	int rc = -1, kind, bound = 0;

	memset(r, 0, sizeof(*r));
	memset(&m, 0, sizeof(m));
	object_source_init(&os, rs, key);
	if ((kind = name_kind(name)) < 0 || (c = s3_client_new(&rs->s3)) == NULL)
		goto out;
	/* verify --restore reads the object again: tied to the bytes checked. */
	if (vrs != NULL && kind == BACKUP_DB && (bound = object_blocks_init(&blocks) == 0) == 0)
		goto out;
	/* A full archive has no restore test, as a local one has none. */
	if (kind == BACKUP_FULL_ARCHIVE) {
		rc = verify_full(c, key, &os, r);
		goto out;
	}
	/* verify --restore loads only what proved whole, as for a local file. */
	if ((rc = verify_stream(rs, c, name, r, vrs != NULL ? &m : NULL, bound ? &blocks : NULL)) < 0 || vrs == NULL ||
	    r->failed)
		goto out;
	where = s3_display(c, key);
	object_blocks_seal(&blocks);
	os.blocks = &blocks;
	os.name = where;
	src = (struct dump_source){ .name = where, .feed = feed_range, .arg = &os };
	rc = verify_restore_source(vrs, &src, &m, r);
out:
	if (bound)
		object_blocks_free(&blocks);
	manifest_free(&m);
	object_source_free(&os);
	s3_client_free(c);
	free(key);
	free(where);
	return rc;
}

/*
 * A restore's check, RAN its verify (0, or -1: it could not run), judged:
 * 0 passed, 1 failed (each finding logged, and that UNTOUCHED), -1. R freed.
 */
static int
verdict(struct verify_result *r, int ran, const char *untouched)
{
	int failed = -1;

	if (ran == 0 && (failed = verify_log_failures(r)) != 0)
		log_error("not restoring %s: it failed verification; %s", r->path, untouched);
	verify_result_free(r);
	return failed;
}

struct remote_check {
	const struct remote_settings *rs;
	struct s3_client *c;
	const char *name;
	struct dump_source *src;	/* given the members' starts the check recorded */
	struct gzip_boundary *bounds;	/* owned: src->bounds */
	struct object_source *os;	/* its reads tied to the check's record once it passed */
	struct object_blocks *blocks;
};

/* restore_db_source's check: the whole object streamed through verify's checks, as a local file is. */
static int
check_object(void *arg, struct db_manifest *m)
{
	struct remote_check *rc = arg;
	struct verify_result r;
	int ran = verify_stream(rc->rs, rc->c, rc->name, &r, m, rc->blocks);

	/* Kept for the loads: a later part of a big table then finds its member without a GET per header. */
	if (ran == 0) {
		rc->src->bounds = rc->bounds = r.bounds;
		rc->src->nbounds = r.nbounds;
		r.bounds = NULL;
		r.nbounds = 0;
		object_blocks_seal(rc->blocks);
		rc->os->blocks = rc->blocks;
	}
	return verdict(&r, ran, "the target database was not touched");
}

int
remote_restore(const struct remote_settings *rs, const char *name, const struct restore_db_settings *set)
{
	struct s3_client *c = NULL;
	struct object_source os;
	struct dump_source src;
	char *key = xasprintf("%s%s", rs->s3.prefix ? rs->s3.prefix : "", name), *where = NULL;
	struct object_blocks blocks;
	struct remote_check check = { rs, NULL, name, &src, NULL, &os, &blocks };
	int rc = -1, bound = 0;

	object_source_init(&os, rs, key);
	if ((rc = name_kind(name)) != BACKUP_DB) {
		if (rc == BACKUP_FULL_ARCHIVE)
			log_error("%s is a full backup: give --to DIR (and --dbname TARGET to restore its database)", name);
		rc = -1;
		goto out;
	}
	if ((c = s3_client_new(&rs->s3)) == NULL || (bound = object_blocks_init(&blocks) == 0) == 0)
		goto out;
	check.c = c;
	where = s3_display(c, key);
	os.name = where;
	src = (struct dump_source){ .name = where, .feed = feed_range, .arg = &os };
	rc = restore_db_source(set, &src, check_object, &check);
out:
	if (bound)
		object_blocks_free(&blocks);
	object_source_free(&os);
	s3_client_free(c);
	free(check.bounds);
	free(key);
	free(where);
	return rc;
}

struct full_check {
	struct s3_client *c;
	const char *key;
	struct object_source *os;
};

/*
 * full_restore_source's check: the archive verified whole first, as a
 * local one is, its blocks recorded (its ranges are read in order); the
 * restore's reads are then tied to them.
 */
static int
check_full(void *arg)
{
	const struct full_check *fc = arg;
	struct verify_result r;
	int failed = verdict(&r, verify_full(fc->c, fc->key, fc->os, &r), "nothing was written");

	object_blocks_seal(fc->os->blocks);
	return failed;
}

int
remote_restore_full(const struct remote_settings *rs, const char *name, const struct full_restore_settings *set)
{
	struct s3_client *c = NULL;
	struct object_source os;
	struct dump_source src;
	struct s3_object info;
	char *key = xasprintf("%s%s", rs->s3.prefix ? rs->s3.prefix : "", name), *where = NULL;
	struct full_check check = { NULL, key, &os };
	struct object_blocks blocks;
	int rc = -1, head, bound = 0;

	object_source_init(&os, rs, key);
	if (name_kind(name) != BACKUP_FULL_ARCHIVE) {
		log_error("--to is for full backups; %s is a database dump", name);
		goto out;
	}
	if ((c = s3_client_new(&rs->s3)) == NULL || (head = s3_head(c, key, &info)) < 0)
		goto out;
	where = s3_display(c, key);
	if (head == 1) {
		log_error("%s: no such object; check the name (lotbackup list --remote)", where);
		goto out;
	}
	if ((bound = object_blocks_init(&blocks) == 0) == 0)
		goto out;
	check.c = c;
	os.name = where;
	os.blocks = &blocks;
	src = (struct dump_source){ .name = where, .feed = feed_range, .arg = &os };
	rc = full_restore_source(set, where, &src, info.size, check_full, &check);
out:
	if (bound)
		object_blocks_free(&blocks);
	object_source_free(&os);
	s3_client_free(c);
	free(key);
	free(where);
	return rc;
}

/* The newest backup with a manifest, of KIND (NULL: any) among ES (newest first). */
static const struct remote_entry *
newest_whole(const struct remote_entry *es, size_t n, const char *kind, time_t now,
    const struct remote_entry **future)
{
	size_t i;

	*future = NULL;
	for (i = 0; i < n; i++) {
		if (!es[i].has_manifest || (kind != NULL && strcmp(kind, backup_kind_label(es[i].kind)) != 0))
			continue;
		/* Named after the clock: no proof of a recent upload (as local status has it). */
		if (backup_dated_future(es[i].when, now)) {
			if (*future == NULL)
				*future = &es[i];
			continue;
		}
		return &es[i];
	}
	return NULL;
}

int
remote_status(const struct remote_settings *rs, long max_age, const char *kind, int json)
{
	struct s3_client *c = s3_client_new(&rs->s3);
	struct s3_object *objs = NULL;
	struct remote_entry *es = NULL;
	const struct remote_entry *best, *future;
	const char *prefix = rs->s3.prefix ? rs->s3.prefix : "";
	char *where = NULL, *problem = NULL, limit[32], age[32] = "";
	size_t n = 0;
	time_t now = time(NULL);
	int rc = -1;

	if (c == NULL || s3_list(c, prefix, &objs, &n) < 0)
		goto out;
	es = xcalloc(n + 1, sizeof(*es));
	best = newest_whole(es, remote_find_backups(prefix, objs, n, es), kind, now, &future);
	where = s3_display(c, prefix);
	format_age(max_age, limit, sizeof(limit));
	if (best != NULL)
		format_age((long long)(now - best->when), age, sizeof(age));
	/* A copy without its manifest is not one: it may be half uploaded. */
	if (best == NULL)
		problem = xasprintf("no off-site %sbackup with a manifest in %s (push one, or run db --upload)",
		    kind ? kind : "", where);
	else if (future != NULL)
		problem = xasprintf("off-site %s is dated in the future: the clock, or the name, is wrong (the newest "
		    "backup before it is %s, %s old)", future->name, best->name, age);
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
