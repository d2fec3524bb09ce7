#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "ops/retention.h"
#include "remote/remote-internal.h"
#include "remote/remote-prune.h"
#include "s3/s3.h"
#include "store/backups.h"
#include "store/pin.h"

/*
 * The off-site side of prune: the same planner (retention_plan) and the
 * same safety rules (retention_guard) as the local prune, over the
 * objects of this tool's names under the prefix. Pins and verification
 * records are local (remote.h): a name pinned or verified in the output
 * directory is so off-site too, so one pin keeps both copies. Only backups
 * with a manifest are candidates; anything else under the prefix (other
 * names, deeper keys, a data object without its manifest: an upload under
 * way or an older dump) is never touched.
 */

struct plan {
	struct s3_object *objs;
	size_t nobjs;
	struct remote_entry *es;	/* this family's backups, newest first */
	size_t n;
	struct retention_item *items;	/* one per es[] */
};

static void
plan_free(struct plan *pl)
{
	size_t i;

	for (i = 0; pl->items != NULL && i < pl->n; i++)
		free((char *)pl->items[i].pinned);
	free(pl->items);
	free(pl->es);
	s3_objects_free(pl->objs, pl->nobjs);
	memset(pl, 0, sizeof(*pl));
}

/* The family's backups under the prefix, with what the local records say of them. */
static int
plan_load(const struct remote_settings *rs, struct s3_client *c, enum backup_kind family, struct plan *pl)
{
	const char *prefix = rs->s3.prefix ? rs->s3.prefix : "";
	size_t i, n, k = 0;

	memset(pl, 0, sizeof(*pl));
	if (s3_list(c, prefix, &pl->objs, &pl->nobjs) < 0)
		return -1;
	pl->es = xcalloc(pl->nobjs + 1, sizeof(*pl->es));
	n = remote_find_backups(prefix, pl->objs, pl->nobjs, pl->es);
	pl->items = xcalloc(n + 1, sizeof(*pl->items));
	for (i = 0; i < n; i++) {
		char *local;

		if (pl->es[i].kind != family)
			continue;
		pl->es[k] = pl->es[i];
		local = xasprintf("%s/%s", rs->output_dir, pl->es[k].name);
		pl->items[k].when = pl->es[k].when;
		pl->items[k].candidate = pl->es[k].has_manifest;
		pl->items[k].pinned = pin_reason(local);
		/* The local record, read as list and prune read it: verify's record of this very name. */
		pl->items[k].verified = backup_verified_in(rs->output_dir, pl->es[k].name);
		free(local);
		k++;
	}
	pl->n = k;
	return 0;
}

/* The manifest first: without it the backup no longer exists for any reader, and data alone is never mistaken for one. */
static int
delete_backup(const struct remote_settings *rs, struct s3_client *c, const struct remote_entry *e)
{
	char *key = xasprintf("%s%s", rs->s3.prefix ? rs->s3.prefix : "", e->name);
	char *mkey = xasprintf("%s%s", key, MANIFEST_SUFFIX);
	int rc = s3_delete(c, mkey) < 0 || s3_delete(c, key) < 0 ? -1 : 0;

	free(key);
	free(mkey);
	return rc;
}

/*
 * As local prune: a backup named after the clock (a clock that was wrong,
 * or a name put there) says the dates cannot be trusted, so nothing is
 * deleted while one is there; a dry run only notes it. 0, or -1 (reported).
 */
static int
future_dated(const struct plan *pl, const char *where, time_t now, int dry)
{
	size_t i, n = 0, ahead = 0;

	for (i = 0; i < pl->n; i++)
		if (backup_dated_future(pl->es[i].when, now) && n++ == 0)
			ahead = i;	/* newest first: the furthest ahead */
	if (n == 0)
		return 0;
	if (dry) {
		log_warn("off-site %s and %zu more dated in the future: prune --remote would refuse to run",
		    pl->es[ahead].name, n - 1);
		return 0;
	}
	return retention_future_refuse(pl->es[ahead].name, pl->es[ahead].when, n, where, now);
}

int
remote_prune(const struct remote_settings *rs, enum backup_kind family, const struct retention_policy *policy,
    time_t now, int flags)
{
	struct s3_client *c = NULL;
	struct plan pl;
	const char *label = backup_kind_label(family);
	char *where = NULL;
	char err[256], why[96], desc[128];
	size_t i, candidates = 0;
	int removed, deleted = 0, rc = -1, dry = flags & RETENTION_DRY_RUN;

	memset(&pl, 0, sizeof(pl));
	if (policy->mode == RETENTION_NONE && !dry)
		return 0;
	if ((c = s3_client_new(&rs->s3)) == NULL || s3_journal_replay(c, NULL, NULL) < 0 ||
	    plan_load(rs, c, family, &pl) < 0)
		goto out;
	where = s3_display(c, rs->s3.prefix ? rs->s3.prefix : "");
	if (future_dated(&pl, where, now, dry) < 0)
		goto out;
	if ((removed = retention_plan(pl.items, pl.n, policy, now, err, sizeof(err))) < 0) {
		log_error("retention: %s", err);
		goto out;
	}
	for (i = 0; i < pl.n; i++)
		candidates += pl.items[i].candidate;
	if (retention_guard(policy, removed, candidates, label, flags) < 0)
		goto out;
	for (i = 0; i < pl.n; i++) {
		retention_removal_why(pl.items[i].when, policy, now, why, sizeof(why));
		if (dry) {
			retention_dry_line(pl.es[i].name, &pl.items[i], why);
			continue;
		}
		if (pl.items[i].keep)
			continue;
		if (delete_backup(rs, c, &pl.es[i]) < 0)
			goto out;
		log_info("deleted off-site %s (%s)", pl.es[i].name, why);
		deleted++;
	}
	retention_policy_describe(policy, desc, sizeof(desc));
	if (!dry && deleted > 0)
		log_info("retention (%s): deleted %d off-site %s backups, kept %zu", desc, deleted, label,
		    candidates - (size_t)deleted);
	rc = deleted;
out:
	free(where);
	plan_free(&pl);
	s3_client_free(c);
	return rc;
}
