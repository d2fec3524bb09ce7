#ifndef LOTBACKUP_RETENTION_H
#define LOTBACKUP_RETENTION_H

#include <stddef.h>
#include <time.h>

#include "store/backups.h"
#include "ops/retention-plan.h"

/*
 * Retention on an output directory: the backups found there, grouped into
 * units (a db dump; a full backup's archive and directory of one time are
 * one unit, kept or deleted together), planned by retention-plan.h, and
 * deleted with their sidecar files. Only names of this tool's patterns are
 * ever seen, and only units whose every file has a manifest are candidates.
 */
struct retention_unit {
	enum backup_kind family;	/* BACKUP_DB, or BACKUP_FULL_ARCHIVE for both forms of a full backup */
	time_t when;
	size_t member[2];		/* indexes into the view's entries */
	size_t nmembers;
	char *pin_reason;
	struct retention_item item;
};

struct retention_view {
	struct backup_entry *entries;	/* newest first, as backups_scan lists them */
	size_t nentries;
	struct retention_unit *units;	/* newest first */
	size_t nunits;
	size_t *unit_of;		/* entry index -> unit index */
};

/* Scans DIR (a missing DIR has no backups). 0 or -1 (reported). */
int retention_view_load(const char *dir, struct retention_view *view);
/*
 * Plans the units of `family` (the others are left alone, unplanned).
 * Returns the number of units to remove, or -1 (reported).
 */
int retention_view_plan(struct retention_view *view, enum backup_kind family, const struct retention_policy *policy,
    time_t now, const char *spare_name);
void retention_view_free(struct retention_view *view);

enum {
	RETENTION_DRY_RUN = 1 << 0,	/* print keep/remove and the rules; delete nothing */
	RETENTION_FORCE = 1 << 1,	/* allow deleting more than half of the units at once */
};

/*
 * Applies `policy` to the backups of `family` in DIR: never `spare_name`,
 * never a pinned one, never the newest verified one, never one without a
 * manifest; a GFS policy that would delete more than half of the candidates
 * at once is refused without RETENTION_FORCE; nothing at all while DIR
 * holds a backup dated in the future (retention_future_check). The caller holds the output
 * directory's lock (unless dry run). Returns the number of backups deleted
 * (or that would be), or -1 (reported; deleting stops at the first failure).
 */
int retention_prune(const char *dir, enum backup_kind family, const struct retention_policy *policy, time_t now,
    const char *spare_name, int flags);

/*
 * Refuses (-1, one line naming the backup furthest ahead; reported) when
 * ENTRIES (all the backups of DIR) hold one dated in the future at NOW
 * (store/backups.h): prune never guesses which backups are recent from a
 * wrong clock or a wrong name. A dry run prints a note instead, and 0.
 * retention_prune applies it to the whole directory, whatever the family.
 */
int retention_future_check(const struct backup_entry *entries, size_t n, const char *dir, time_t now, int flags);
/*
 * The refusal itself, for any store (remote/remote-prune.c too): NAME,
 * dated WHEN, is the furthest ahead of COUNT such backups in WHERE.
 * Reported; returns -1.
 */
int retention_future_refuse(const char *name, time_t when, size_t count, const char *where, time_t now);

/*
 * The pieces retention_prune is made of, for another store of the same
 * backups (remote/remote-prune.c) to apply the same rules the same way.
 * The safety rule: a GFS policy that would delete more than half of the
 * CANDIDATES at once is refused (-1, reported) without RETENTION_FORCE;
 * a dry run prints the summary line and what prune would do. 0 go on.
 */
int retention_guard(const struct retention_policy *policy, int removed, size_t candidates, const char *family,
    int flags);
/* Why a backup of WHEN goes, in words, for the dry run and the log. */
void retention_removal_why(time_t when, const struct retention_policy *policy, time_t now, char *buf, size_t len);
/* A dry run's line for NAME: kept and by which rules, or why it would go. */
void retention_dry_line(const char *name, const struct retention_item *item, const char *why);

#endif
