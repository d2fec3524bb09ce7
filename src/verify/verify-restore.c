#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "base/log.h"
#include "store/manifest.h"
#include "restore/restore.h"
#include "restore/restore-session.h"
#include "restore/row-sum.h"
#include "base/strbuf.h"
#include "verify/verify-content.h"
#include "verify/verify-readback.h"
#include "verify/verify-restore.h"
#include "verify/verify-scratch.h"

static int
load_manifest(const char *path, struct db_manifest *m)
{
	char *mpath = NULL, err[256];
	int rc = manifest_read(path, m, &mpath, err, sizeof(err));

	if (rc == 2)
		log_error("%s: %s", mpath, err);
	else if (rc == 1)
		log_error("%s is missing: --restore compares with it", mpath);
	free(mpath);
	return rc == 0 ? 0 : -1;
}

/* How the load runs and how its tables are read back, from the manifest's member index. */
static void
plan(const struct verify_restore_settings *vs, const struct db_manifest *m, const struct row_key *key,
    struct restore_settings *settings, struct verify_content_settings *content)
{
	memset(settings, 0, sizeof(*settings));
	settings->jobs = vs->jobs;
	/* Big tables in parts, as restore loads them: each part's rows are summed as they stream. */
	settings->split_bytes = vs->split_auto ? restore_auto_split_bytes(m->tables, m->ntables, vs->jobs) :
	    vs->split_bytes;
	settings->fingerprint = key;
	settings->tables = m->tables;
	settings->ntables = m->ntables;
	settings->file_bytes = m->bytes;
	settings->scratch = 1;
	content->manifest = m;
	content->key = key;
	content->jobs = vs->jobs;
	content->split_bytes = settings->split_bytes;
}

int
verify_restore(const struct verify_restore_settings *vs, const char *path, struct verify_result *r)
{
	struct dump_source src = dump_source_file(path);
	struct db_manifest m;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	if (load_manifest(path, &m) == 0)
		rc = verify_restore_source(vs, &src, &m, r);
	manifest_free(&m);
	return rc;
}

int
verify_restore_source(const struct verify_restore_settings *vs, const struct dump_source *src,
    const struct db_manifest *m, struct verify_result *r)
{
	struct restore_settings settings;
	struct restore_confined confined;
	struct restore_stats stats;
	struct scratch sc;
	struct row_key key;
	struct verify_content_settings content;
	struct strbuf problems = STRBUF_INIT;
	struct readback *rb = NULL;
	size_t nproblems = 0;
	int rc = -1, loaded;

	memset(&stats, 0, sizeof(stats));
	memset(&sc, 0, sizeof(sc));
	/* A key for this run only: no one outside it can forge rows to match its sums. */
	if (row_key_make(&key) < 0)
		goto out;
	/* Its rows need its database's tables, which a scratch database has not: said, not failed. */
	if (m->selection.data_only) {
		log_warn("%s is a data-only dump (db --data-only): no test restore, it loads only into a database "
		    "that has its tables", src->name);
		verify_add(r, "restore", 1, "not tried: a data-only dump needs its database's tables");
		rc = 0;
		goto out;
	}
	plan(vs, m, &key, &settings, &content);
	confined.privileged = scratch_privileged;
	confined.apart = scratch_apart;
	confined.arg = &sc;
	/*
	 * Ctrl-C must not leave a scratch database behind: a signal only
	 * cancels the running statement and is noted; the normal cleanup path
	 * then drops the database.
	 */
	if (interrupt_guard_begin() < 0)
		goto out;
	/* A run killed outright (kill -9, OOM) could not drop its scratch database and role; the next one does. */
	if (scratch_drop_stale(&vs->server) < 0)
		goto end_guard;
	if (scratch_create(&vs->server, vs->scratch_db, vs->trusted, &sc) < 0)
		goto end_guard;
	settings.confined = sc.role != NULL ? &confined : NULL;
	/* Readers ready before the load: each table is read back as soon as it is in. */
	if ((rb = readback_start(sc.load, m, m->encoding ? m->encoding : "UTF8", &key, settings.split_bytes,
	    vs->jobs)) == NULL)
		goto end_guard;
	settings.table_in = readback_table_in;
	settings.table_in_arg = rb;
	interrupt_watch_connection(sc.load);
	log_info("restoring %s into scratch database %s%s%s", src->name, sc.db, sc.role ? " as role " : "",
	    sc.role ? sc.role : "");
	loaded = restore_session_setup(sc.load) == 0 && restore_load(sc.load, src, &settings, &stats) == 0 &&
	    !interrupt_guard_hit();
	if (interrupt_guard_hit()) {
		log_error("interrupted: dropping scratch database %s", sc.db);
		goto end_guard;
	}
	if (!loaded) {
		verify_add(r, "restore", 0, "the load into %s failed at line %ld (see the error above)", sc.db,
		    stats.line);
	} else {
		verify_add(r, "restore", 1, "loaded into %s: %lld statements, %zu tables", sc.db, stats.statements,
		    stats.ncopies);
		content.left_out = sc.left_out_tables;
		content.nleft_out = sc.nleft_out_tables;
		if (verify_content_compare(sc.load, &content, rb, &stats, &problems, &nproblems) < 0)
			goto end_guard;
		if (nproblems == 0)
			verify_add(r, "content", 1, "%zu tables: rows and content as recorded at dump time%s",
			    m->ntables - sc.nleft_out_tables, sc.nleft_out_tables > 0 ? " (others left out, named above)" : "");
		else
			verify_add(r, "content", 0, "%s%s", problems.buf, nproblems > 3 ? " (and more)" : "");
	}
	rc = 0;
end_guard:
	interrupt_watch_connection(NULL);
	readback_free(rb);
	if (scratch_drop(&vs->server, &sc) < 0)
		rc = -1;
	interrupt_guard_end();
out:
	restore_stats_free(&stats);
	strbuf_free(&problems);
	return rc;
}
