#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "store/backups.h"
#include "base/format.h"
#include "base/json.h"
#include "base/log.h"
#include "ops/status.h"
#include "base/xalloc.h"

/* Both forms of a full backup count as "full". */
static const char *
kind_group(enum backup_kind kind)
{
	return kind == BACKUP_DB ? "db" : "full";
}

struct kind_status {
	const char *label;
	const struct backup_entry *newest;
	const struct backup_entry *newest_verified;
};

static json_t *
entry_json(const struct backup_entry *e, time_t now)
{
	char stamp[32];
	struct tm tm;

	if (e == NULL)
		return json_null();
	gmtime_r(&e->when, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:b}", "name", e->name, "path", e->path, "created", stamp,
	    "age_seconds", (json_int_t)(now - e->when), "bytes", (json_int_t)e->size, "verified", e->verified);
}

static void
print_text(const struct kind_status *ks, size_t nks, const struct statvfs *fs, int have_fs, const char *dir,
    time_t now)
{
	size_t i;

	printf("%-5s %-48s %9s %10s %-8s %s\n", "KIND", "NEWEST", "AGE", "SIZE", "VERIFIED", "NEWEST VERIFIED (AGE)");
	for (i = 0; i < nks; i++) {
		const struct backup_entry *n = ks[i].newest, *v = ks[i].newest_verified;
		char age[32], size[32], vage[32];

		if (n == NULL) {
			printf("%-5s %-48s\n", ks[i].label, "(none)");
			continue;
		}
		format_age((long long)(now - n->when), age, sizeof(age));
		format_size(n->size, size, sizeof(size));
		if (v)
			format_age((long long)(now - v->when), vage, sizeof(vage));
		printf("%-5s %-48s %9s %10s %-8s %s%s%s%s\n", ks[i].label, n->name, age, size, n->verified ? "yes" : "no",
		    v ? v->name : "(none)", v ? " (" : "", v ? vage : "", v ? ")" : "");
	}
	if (have_fs) {
		char free_s[32], total_s[32];
		unsigned long long avail = (unsigned long long)fs->f_bavail * fs->f_frsize;
		unsigned long long total = (unsigned long long)fs->f_blocks * fs->f_frsize;

		format_size(avail, free_s, sizeof(free_s));
		format_size(total, total_s, sizeof(total_s));
		printf("disk: %s free of %s (%.0f%%) in %s\n", free_s, total_s,
		    total ? 100.0 * (double)avail / (double)total : 0.0, dir);
	}
}

/*
 * Per kind: one that has backups but none verified is a problem of its
 * own, so the full backups nothing checks do not hide behind fresh,
 * verified dumps. NULL when every kind shown has a verified backup.
 */
static char *
unverified_kind(const struct kind_status *ks, size_t nks, const struct status_settings *settings)
{
	size_t k;

	for (k = 0; k < nks; k++) {
		if (settings->kind_filter && strcmp(settings->kind_filter, ks[k].label) != 0)
			continue;
		if (ks[k].newest != NULL && ks[k].newest_verified == NULL)
			return xasprintf("no verified %s backup in %s: the newest, %s, was never verified (run "
			    "'lotbackup verify %s/%s')", ks[k].label, settings->output_dir, ks[k].newest->name,
			    settings->output_dir, ks[k].newest->name);
	}
	return NULL;
}

/* Of the kinds shown: backups dated in the future, newest first (the list's order). */
struct future_seen {
	const struct backup_entry **e;
	size_t n;
};

static int
kind_shown(const struct status_settings *settings, const char *label)
{
	return settings->kind_filter == NULL || strcmp(settings->kind_filter, label) == 0;
}

/*
 * The newest and newest verified of each kind, leaving out (into *future)
 * the backups dated in the future: their names say nothing of their age.
 */
static void
sort_kinds(const struct backup_entry *list, size_t n, time_t now, const struct status_settings *settings,
    struct kind_status *ks, struct future_seen *future)
{
	size_t i, k;

	future->e = xcalloc(n ? n : 1, sizeof(*future->e));
	for (i = 0; i < n; i++) {
		const struct backup_entry *e = &list[i];

		if (backup_dated_future(e->when, now)) {
			if (kind_shown(settings, kind_group(e->kind)))
				future->e[future->n++] = e;
			continue;
		}
		for (k = 0; k < 2; k++) {
			if (strcmp(ks[k].label, kind_group(e->kind)) != 0)
				continue;
			/* of a full backup's two forms, name the archive */
			if (ks[k].newest == NULL || (e->when == ks[k].newest->when && e->kind == BACKUP_FULL_ARCHIVE))
				ks[k].newest = e;
			if (e->verified && ks[k].newest_verified == NULL)
				ks[k].newest_verified = e;
		}
	}
}

/* The problem future-dated backups are (caller frees), NULL when there is none. */
static char *
future_problem(const struct future_seen *future, const char *dir)
{
	if (future->n == 0)
		return NULL;
	return xasprintf("%zu backup%s dated in the future in %s, the newest %s: the clock or the name is wrong; "
	    "status does not count them and prune refuses to run", future->n, future->n == 1 ? "" : "s", dir,
	    future->e[0]->name);
}

static void
print_json(const struct status_settings *settings, const struct kind_status *ks, const struct backup_entry *best,
    const struct future_seen *future, const char *problem, const struct statvfs *fs, time_t now)
{
	json_t *kinds = json_object(), *names = json_array(), *root;
	char *text;
	size_t k;

	for (k = 0; k < 2; k++)
		json_object_set_new(kinds, ks[k].label, ks[k].newest == NULL ? json_null() :
		    json_pack("{s:o, s:o}", "newest", entry_json(ks[k].newest, now),
		    "newest_verified", entry_json(ks[k].newest_verified, now)));
	for (k = 0; k < future->n; k++)
		json_array_append_new(names, json_string(future->e[k]->name));
	root = json_pack("{s:s, s:b, s:s?, s:I, s:o, s:o, s:o, s:o}", "output_dir", settings->output_dir, "ok",
	    problem == NULL, "problem", problem, "max_age_seconds", (json_int_t)settings->max_age,
	    "newest_verified", entry_json(best, now), "kinds", kinds, "future_dated", names,
	    "disk", fs ? json_pack("{s:I, s:I}",
	    "free_bytes", (json_int_t)((unsigned long long)fs->f_bavail * fs->f_frsize),
	    "total_bytes", (json_int_t)((unsigned long long)fs->f_blocks * fs->f_frsize)) : json_null());
	text = json_text(root);
	fputs(text, stdout);
	free(text);
}

int
status_report(const struct status_settings *settings)
{
	struct kind_status ks[2] = { { "db", NULL, NULL }, { "full", NULL, NULL } };
	struct future_seen future = { NULL, 0 };
	const struct backup_entry *best = NULL;
	struct backup_entry *list = NULL;
	struct statvfs fs;
	size_t n = 0, k;
	time_t now = time(NULL);
	char limit[32], age[32], *problem = NULL;
	int have_fs, ok;

	if (backups_scan(settings->output_dir, &list, &n) < 0)
		return -1;
	have_fs = statvfs(settings->output_dir, &fs) == 0;
	sort_kinds(list, n, now, settings, ks, &future);
	for (k = 0; k < 2; k++) {
		const struct backup_entry *v = ks[k].newest_verified;

		if (!kind_shown(settings, ks[k].label))
			continue;
		if (v && (best == NULL || v->when > best->when))
			best = v;
	}
	format_age(settings->max_age, limit, sizeof(limit));
	if (best == NULL) {
		problem = xasprintf("no verified %sbackup in %s (run 'lotbackup verify' after each backup)",
		    settings->kind_filter ? (strcmp(settings->kind_filter, "db") == 0 ? "db " : "full ") : "", settings->output_dir);
	} else if (now - best->when > settings->max_age) {
		format_age((long long)(now - best->when), age, sizeof(age));
		problem = xasprintf("the newest verified %sbackup, %s, is %s old, more than --max-age %s: "
		    "is the backup job still running?", settings->kind_filter ? (strcmp(settings->kind_filter, "db") == 0 ?
		    "db " : "full ") : "", best->name, age, limit);
	}
	if (problem == NULL)
		problem = future_problem(&future, settings->output_dir);
	if (problem == NULL)
		problem = unverified_kind(ks, 2, settings);
	ok = problem == NULL;
	if (settings->json) {
		print_json(settings, ks, best, &future, problem, have_fs ? &fs : NULL, now);
	} else {
		print_text(ks, 2, &fs, have_fs, settings->output_dir, now);
		if (future.n > 0)
			printf("ignored: %zu backup%s dated in the future, the newest %s (the clock or the name is wrong)\n",
			    future.n, future.n == 1 ? "" : "s", future.e[0]->name);
		if (problem == NULL) {
			format_age((long long)(now - best->when), age, sizeof(age));
			printf("ok: the newest verified backup, %s, is %s old (limit %s)\n", best->name, age, limit);
		}
	}
	if (!ok)
		log_error("%s", problem);
	free(problem);
	free(future.e);
	backups_free(list, n);
	return ok ? 0 : 1;
}
