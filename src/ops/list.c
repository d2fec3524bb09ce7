#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/backups.h"
#include "base/format.h"
#include "base/json.h"
#include "ops/list.h"
#include "ops/retention.h"
#include "store/manifest.h"
#include "store/outdir.h"
#include "base/xalloc.h"

/* What a row says under "KEPT BY": the rules, or that prune would delete it. */
static const char *
kept_by(const struct retention_view *v, size_t i)
{
	const struct retention_unit *u = &v->units[v->unit_of[i]];

	return u->item.keep ? u->item.reason : "-- prune would delete it";
}

/* The database a dump is of, from its manifest (caller frees); NULL: not known. */
static char *
dump_database(const struct backup_entry *e)
{
	struct db_manifest m;
	char err[256], *db = NULL;

	if (e->kind != BACKUP_DB || !e->has_manifest)
		return NULL;
	memset(&m, 0, sizeof(m));
	if (manifest_read(e->path, &m, NULL, err, sizeof(err)) == 0 && m.database != NULL)
		db = xstrdup(m.database);
	manifest_free(&m);
	return db;
}

static json_t *
entry_json(const struct backup_entry *e, const char *kind, time_t now)
{
	char stamp[32], *db = dump_database(e);
	struct tm tm;
	json_t *o;

	gmtime_r(&e->when, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:b, s:b}", "kind", kind, "name", e->name, "path",
	    e->path, "created", stamp, "age_seconds", (json_int_t)(now - e->when), "bytes", (json_int_t)e->size,
	    "manifest", e->has_manifest, "verified", e->verified, "offsite", e->offsite);
	if (e->kind == BACKUP_DB) {
		json_object_set_new(o, "database", db ? json_string(db) : json_null());
		json_object_set_new(o, "legacy", json_boolean(!e->has_manifest));
	}
	free(db);
	return o;
}

static void
print_json(const struct retention_view *v, const struct backup_entry *safety, size_t nsafety, time_t now)
{
	json_t *arr = json_array();
	char *text;
	size_t i;

	for (i = 0; i < v->nentries; i++) {
		const struct retention_unit *u = &v->units[v->unit_of[i]];
		json_t *o = entry_json(&v->entries[i], backup_kind_label(v->entries[i].kind), now);

		json_object_set_new(o, "pinned", json_boolean(u->pin_reason != NULL));
		json_object_set_new(o, "pin_reason", u->pin_reason ? json_string(u->pin_reason) : json_null());
		json_object_set_new(o, "keep", json_boolean(u->item.keep));
		json_object_set_new(o, "kept_by", json_string(u->item.reason));
		json_array_append_new(arr, o);
	}
	for (i = 0; i < nsafety; i++) {
		json_t *o = entry_json(&safety[i], "safety", now);

		json_object_set_new(o, "keep", json_true());
		json_object_set_new(o, "kept_by", json_string("safety dump, prune leaves it"));
		json_array_append_new(arr, o);
	}
	text = json_text(arr);
	fputs(text, stdout);
	free(text);
}

static void
print_row(const struct backup_entry *e, const char *kind, const char *kept_by, time_t now)
{
	char stamp[32], size[32], age[32];
	struct tm tm;

	gmtime_r(&e->when, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	format_size(e->size, size, sizeof(size));
	format_age((long long)(now - e->when), age, sizeof(age));
	/* A db dump without a manifest is the old scripts' (or pg_dump's): verify checks it as legacy. */
	printf("%-8s %-20s %9s %10s %-8s %-8s %-7s %s  %s\n", kind, stamp, age, size, e->has_manifest ? "yes" :
	    e->kind == BACKUP_DB ? "legacy" : "no", e->verified ? "yes" : "no", e->offsite ? "yes" : "no", e->name,
	    kept_by);
}

/* restore --clean's safety dumps, each with the database it is of. */
static void
print_safety_rows(const struct backup_entry *safety, size_t n, time_t now)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *db = dump_database(&safety[i]), *why;

		why = xasprintf("safety dump of %s (restore --clean), prune leaves it", db ? db : "?");
		print_row(&safety[i], "safety", why, now);
		free(why);
		free(db);
	}
}

int
list_backups(const struct list_settings *settings)
{
	struct retention_view v;
	struct backup_entry *safety = NULL;
	size_t i, nsafety = 0;
	time_t now = time(NULL);
	char *safety_dir = xasprintf("%s/%s", settings->output_dir, SAFETY_DUMP_DIR);
	int rc = -1;

	if (retention_view_load(settings->output_dir, &v) < 0) {
		free(safety_dir);
		return -1;
	}
	if (retention_view_plan(&v, BACKUP_DB, &settings->policy, now, NULL) < 0 ||
	    retention_view_plan(&v, BACKUP_FULL_ARCHIVE, &settings->policy, now, NULL) < 0 ||
	    backups_scan(safety_dir, &safety, &nsafety) < 0)
		goto out;
	if (settings->json) {
		print_json(&v, safety, nsafety, now);
	} else if (v.nentries == 0 && nsafety == 0) {
		printf("No backups in %s yet: run 'lotbackup db' or 'lotbackup full' to make one.\n",
		    settings->output_dir);
	} else {
		printf("%-8s %-20s %9s %10s %-8s %-8s %-7s %s  %s\n", "KIND", "CREATED (UTC)", "AGE", "SIZE",
		    "MANIFEST", "VERIFIED", "OFFSITE", "NAME", "KEPT BY (prune)");
		for (i = 0; i < v.nentries; i++)
			print_row(&v.entries[i], backup_kind_label(v.entries[i].kind), kept_by(&v, i), now);
		print_safety_rows(safety, nsafety, now);
	}
	rc = 0;
out:
	backups_free(safety, nsafety);
	free(safety_dir);
	retention_view_free(&v);
	return rc;
}
