#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/format.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "store/pin.h"
#include "ops/retention.h"
#include "base/xalloc.h"

static enum backup_kind
family_of(enum backup_kind kind)
{
	return kind == BACKUP_DB ? BACKUP_DB : BACKUP_FULL_ARCHIVE;
}

static const char *
family_label(enum backup_kind family)
{
	return family == BACKUP_DB ? "db" : "full";
}

int
retention_view_load(const char *dir, struct retention_view *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	if (backups_scan(dir, &v->entries, &v->nentries) < 0)
		return -1;
	v->units = xcalloc(v->nentries ? v->nentries : 1, sizeof(*v->units));
	v->unit_of = xcalloc(v->nentries ? v->nentries : 1, sizeof(*v->unit_of));
	for (i = 0; i < v->nentries; i++) {
		const struct backup_entry *e = &v->entries[i];
		enum backup_kind family = family_of(e->kind);
		struct retention_unit *u = NULL;
		size_t k;
		char *reason;

		/* The archive and the directory of one full backup share its time: one unit. */
		for (k = v->nunits; family != BACKUP_DB && k > 0 && v->units[k - 1].when == e->when; k--)
			if (v->units[k - 1].family == family && v->units[k - 1].nmembers < 2) {
				u = &v->units[k - 1];
				break;
			}
		if (u == NULL) {
			u = &v->units[v->nunits++];
			u->family = family;
			u->when = e->when;
			u->item.when = e->when;
			u->item.candidate = 1;
		}
		u->member[u->nmembers++] = i;
		v->unit_of[i] = (size_t)(u - v->units);
		u->item.candidate = u->item.candidate && e->has_manifest;
		u->item.verified = u->item.verified || e->verified;
		if (e->pinned && u->pin_reason == NULL && (reason = pin_reason(e->path)) != NULL) {
			u->pin_reason = reason;
			u->item.pinned = reason;
		}
	}
	return 0;
}

void
retention_view_free(struct retention_view *v)
{
	size_t i;

	for (i = 0; i < v->nunits; i++)
		free(v->units[i].pin_reason);
	free(v->units);
	free(v->unit_of);
	backups_free(v->entries, v->nentries);
	memset(v, 0, sizeof(*v));
}

int
retention_view_plan(struct retention_view *v, enum backup_kind family, const struct retention_policy *policy,
    time_t now, const char *spare_name)
{
	struct retention_item *items;
	size_t i, j, n = 0;
	char err[256];
	int removed;

	items = xcalloc(v->nunits ? v->nunits : 1, sizeof(*items));
	for (i = 0; i < v->nunits; i++) {
		struct retention_unit *u = &v->units[i];

		if (u->family != family)
			continue;
		u->item.spare = 0;
		for (j = 0; spare_name && j < u->nmembers; j++)
			if (strcmp(v->entries[u->member[j]].name, spare_name) == 0)
				u->item.spare = 1;
		items[n++] = u->item;
	}
	removed = retention_plan(items, n, policy, now, err, sizeof(err));
	if (removed < 0) {
		log_error("retention: %s", err);
	} else {
		for (i = 0, n = 0; i < v->nunits; i++)
			if (v->units[i].family == family)
				v->units[i].item = items[n++];
	}
	free(items);
	return removed;
}

static int
unlink_if_present(const char *path)
{
	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
	log_errno("cannot delete %s", path);
	return -1;
}

/*
 * The backup goes first: a leftover sidecar is ignored, a backup without its
 * manifest would look damaged (and would no longer be a candidate).
 */
static int
delete_backup(const struct backup_entry *e)
{
	static const char *const sidecars[] = { VERIFIED_SUFFIX, PIN_SUFFIX, REMOTE_SUFFIX, GLOBALS_SUFFIX,
	    MANIFEST_SUFFIX, NULL };
	size_t i;
	int rc = 0;

	if (e->kind == BACKUP_FULL_DIR) {
		if (fs_remove_tree(e->path) < 0)
			return -1;
	} else if (unlink_if_present(e->path) < 0) {
		return -1;
	}
	for (i = 0; sidecars[i] && rc == 0; i++) {
		char *p = xasprintf("%s%s", e->path, sidecars[i]);

		rc = unlink_if_present(p);
		free(p);
	}
	return rc;
}

void
retention_removal_why(time_t when, const struct retention_policy *p, time_t now, char *buf, size_t len)
{
	if (p->mode == RETENTION_DAYS)
		snprintf(buf, len, "%ld days old, --keep %d", (long)((now - when) / 86400), p->days);
	else
		snprintf(buf, len, "no daily, weekly or monthly slot left");
}

void
retention_dry_line(const char *name, const struct retention_item *item, const char *why)
{
	char *reason;

	if (!item->keep) {
		printf("would delete %s (%s)\n", name, why);
		return;
	}
	/* A pin's reason is a record's text: escaped, as list shows it. */
	reason = format_printable(item->reason);
	printf("keep         %s (%s)\n", name, reason);
	free(reason);
}

int
retention_guard(const struct retention_policy *policy, int removed, size_t candidates, const char *family,
    int flags)
{
	char desc[128];

	retention_policy_describe(policy, desc, sizeof(desc));
	if (flags & RETENTION_DRY_RUN)
		printf("%s backups: %s: %zu, %d to delete\n", family, desc, candidates, removed);
	/* A sudden mass deletion is more likely a wrong clock or a typo in the policy than intent. */
	if ((size_t)removed * 2 > candidates && !(flags & RETENTION_FORCE)) {
		if (!(flags & RETENTION_DRY_RUN)) {
			log_error("retention (%s) would delete %d of %zu %s backups at once, more than half: nothing "
			    "deleted; check the policy and the clock, then run again with --force (or 'lotbackup "
			    "prune --force')", desc, removed, candidates, family);
			return -1;
		}
		printf("(more than half: this is refused without --force)\n");
	}
	return 0;
}

int
retention_future_refuse(const char *name, time_t when, size_t count, const char *where, time_t now)
{
	char named[32], clock[32];
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(named, sizeof(named), "%Y-%m-%d %H:%M:%S", &tm);
	gmtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%Y-%m-%d %H:%M:%S", &tm);
	/* Which backups are recent is all retention knows; with a wrong clock or name it would guess. */
	log_error("%s is dated in the future, %s UTC (the clock says %s UTC; %zu such backup%s in %s): the clock or "
	    "the name is wrong; nothing pruned (fix the clock, or remove it)", name, named, clock, count,
	    count == 1 ? "" : "s", where);
	return -1;
}

int
retention_future_check(const struct backup_entry *entries, size_t n, const char *dir, time_t now, int flags)
{
	const struct backup_entry *newest = NULL;
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		if (backup_dated_future(entries[i].when, now) && count++ == 0)
			newest = &entries[i];	/* newest first: the furthest ahead */
	if (newest == NULL)
		return 0;
	if (flags & RETENTION_DRY_RUN) {
		printf("(%s is dated in the future: prune refuses to run while it is there)\n", newest->name);
		return 0;
	}
	return retention_future_refuse(newest->path, newest->when, count, dir, now);
}

int
retention_prune(const char *dir, enum backup_kind family, const struct retention_policy *policy, time_t now,
    const char *spare_name, int flags)
{
	struct retention_view v;
	size_t i, j, candidates = 0;
	int removed, deleted = 0, rc = -1, dry = flags & RETENTION_DRY_RUN;
	char desc[128], why[96];

	family = family_of(family);
	if (policy->mode == RETENTION_NONE && !dry)
		return 0;
	if (retention_view_load(dir, &v) < 0)
		return -1;
	if (!dry && retention_future_check(v.entries, v.nentries, dir, now, flags) < 0)
		goto out;
	removed = retention_view_plan(&v, family, policy, now, spare_name);
	if (removed < 0)
		goto out;
	for (i = 0; i < v.nunits; i++)
		if (v.units[i].family == family && v.units[i].item.candidate)
			candidates++;
	retention_policy_describe(policy, desc, sizeof(desc));
	if (retention_guard(policy, removed, candidates, family_label(family), flags) < 0)
		goto out;
	if (dry)
		retention_future_check(v.entries, v.nentries, dir, now, flags);
	for (i = 0; i < v.nunits; i++) {
		const struct retention_unit *u = &v.units[i];

		if (u->family != family)
			continue;
		retention_removal_why(u->when, policy, now, why, sizeof(why));
		for (j = 0; j < u->nmembers; j++) {
			const struct backup_entry *e = &v.entries[u->member[j]];

			if (dry) {
				retention_dry_line(e->name, &u->item, why);
				continue;
			}
			if (u->item.keep)
				continue;
			if (delete_backup(e) < 0)
				goto out;
			log_info("deleted %s (%s)", e->name, why);
		}
		if (!u->item.keep)
			deleted++;
	}
	if (deleted > 0 && !dry && fs_fsync_parent(v.entries[0].path) < 0)
		goto out;
	if (!dry && deleted > 0)
		log_info("retention (%s): deleted %d %s backups, kept %zu", desc, deleted, family_label(family),
		    candidates - (size_t)deleted);
	rc = deleted;
out:
	retention_view_free(&v);
	return rc;
}
