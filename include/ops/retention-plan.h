#ifndef LOTBACKUP_RETENTION_PLAN_H
#define LOTBACKUP_RETENTION_PLAN_H

#include <stddef.h>
#include <time.h>

/*
 * Which backups a retention policy keeps, and by which rule: pure
 * computation over times and flags, no files, so that it can be tested on
 * thousands of generated backups.
 *
 * The GFS policy is restic's `forget`: walking the backups newest first,
 * a backup is kept by the daily rule when its day differs from that of the
 * last one the daily rule kept, while the rule has counts left (each keep
 * uses one); likewise weekly (ISO 8601 weeks, Monday first, the week of
 * 1 January possibly belonging to the year before) and monthly. When a
 * rule still has counts left at the oldest backup, that one is kept too
 * ("oldest monthly"), as restic does, so the history kept is as long as
 * the counts allow. Days, weeks and months are those of the wall clock in
 * the policy's time zone.
 *
 * On top of any policy, whatever else it says: pinned backups are kept,
 * the newest verified backup is kept, the backup just written is kept, and
 * backups that are not candidates (no manifest) are never deleted.
 *
 * A backup dated in the future (after `now` by more than
 * BACKUP_FUTURE_SKEW, store/backups.h) is kept ("dated in the future") but
 * counts for nothing: not the newest verified, no daily, weekly or monthly
 * slot, so that such names cannot push the real backups out. prune itself
 * refuses to run beside one (ops/retention.h).
 */
enum retention_mode {
	RETENTION_NONE,		/* keep everything */
	RETENTION_DAYS,		/* db --keep N: keep those less than N days old */
	RETENTION_GFS,
};

struct retention_policy {
	enum retention_mode mode;
	int days;		/* RETENTION_DAYS */
	int daily, weekly, monthly;	/* RETENTION_GFS; all 0 keeps everything, as restic refuses an empty policy */
	const char *timezone;	/* IANA name; NULL or "UTC": UTC */
};

struct retention_item {
	/* in */
	time_t when;
	int candidate;		/* ours, with a manifest: may be deleted */
	const char *pinned;	/* the pin's reason; NULL: not pinned */
	int verified;
	int spare;		/* the backup this run just wrote */
	/* out */
	int keep;
	int future;		/* dated in the future at `now`: kept, counted for nothing */
	char reason[160];	/* the rules that keep it, "rule, rule"; "" when it goes */
};

/*
 * Decides keep/remove for items sorted newest first. `now` is for the day
 * rule and to tell backups dated in the future. Returns the number of items to remove, or -1 when the time zone
 * cannot be used (err says why).
 */
int retention_plan(struct retention_item *items, size_t n, const struct retention_policy *policy, time_t now,
    char *err, size_t errlen);

/* 0 when NAME is "UTC" or a time zone in the system's zoneinfo; -1 and why in err. */
int retention_timezone_check(const char *name, char *err, size_t errlen);

/* "keep 30 daily, 12 weekly, 12 monthly (Europe/Berlin)" and the like, into buf. */
void retention_policy_describe(const struct retention_policy *policy, char *buf, size_t len);

#endif
