#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "store/backups.h"
#include "base/format.h"
#include "base/json.h"
#include "ops/list.h"
#include "ops/retention.h"

/* What a row says under "KEPT BY": the rules, or that prune would delete it. */
static const char *
kept_by(const struct retention_view *v, size_t i)
{
	const struct retention_unit *u = &v->units[v->unit_of[i]];

	return u->item.keep ? u->item.reason : "-- prune would delete it";
}

static void
print_json(const struct retention_view *v, time_t now)
{
	json_t *arr = json_array();
	char *text;
	size_t i;

	for (i = 0; i < v->nentries; i++) {
		const struct backup_entry *e = &v->entries[i];
		const struct retention_unit *u = &v->units[v->unit_of[i]];
		char stamp[32];
		struct tm tm;

		gmtime_r(&e->when, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:b, s:b, s:s?, s:b, s:s}",
		    "kind", backup_kind_label(e->kind), "name", e->name, "path", e->path,
		    "created", stamp, "age_seconds", (json_int_t)(now - e->when),
		    "bytes", (json_int_t)e->size, "manifest", e->has_manifest,
		    "verified", e->verified, "pinned", u->pin_reason != NULL, "pin_reason", u->pin_reason,
		    "keep", u->item.keep, "kept_by", u->item.reason));
	}
	text = json_text(arr);
	fputs(text, stdout);
	free(text);
}

int
list_backups(const struct list_settings *settings)
{
	struct retention_view v;
	size_t i;
	time_t now = time(NULL);
	int rc = -1;

	if (retention_view_load(settings->output_dir, &v) < 0)
		return -1;
	if (retention_view_plan(&v, BACKUP_DB, &settings->policy, now, NULL) < 0 ||
	    retention_view_plan(&v, BACKUP_FULL_ARCHIVE, &settings->policy, now, NULL) < 0)
		goto out;
	if (settings->json) {
		print_json(&v, now);
	} else if (v.nentries == 0) {
		printf("No backups in %s yet: run 'lotbackup db' or 'lotbackup full' to make one.\n",
		    settings->output_dir);
	} else {
		printf("%-8s %-20s %9s %10s %-8s %-8s %s  %s\n", "KIND", "CREATED (UTC)", "AGE", "SIZE",
		    "MANIFEST", "VERIFIED", "NAME", "KEPT BY (prune)");
		for (i = 0; i < v.nentries; i++) {
			const struct backup_entry *e = &v.entries[i];
			char stamp[32], size[32], age[32];
			struct tm tm;

			gmtime_r(&e->when, &tm);
			strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
			format_size(e->size, size, sizeof(size));
			format_age((long long)(now - e->when), age, sizeof(age));
			printf("%-8s %-20s %9s %10s %-8s %-8s %s  %s\n", backup_kind_label(e->kind), stamp, age,
			    size, e->has_manifest ? "yes" : "no", e->verified ? "yes" : "no", e->name, kept_by(&v, i));
		}
	}
	rc = 0;
out:
	retention_view_free(&v);
	return rc;
}
