#include "ops/retention-json.h"
#include "store/backups.h"

json_t *
retention_plan_json(const char *dir, enum backup_kind family, const struct retention_policy *policy, time_t now,
    int force)
{
	struct retention_view v;
	json_t *backups, *root = NULL;
	size_t i, j, candidates = 0;
	const char *ahead = NULL;
	char desc[128], why[96];
	int removed;

	family = family == BACKUP_DB ? BACKUP_DB : BACKUP_FULL_ARCHIVE;
	if (retention_view_load(dir, &v) < 0)
		return NULL;
	if ((removed = retention_view_plan(&v, family, policy, now, NULL)) < 0)
		goto out;
	backups = json_array();
	for (i = 0; i < v.nunits; i++) {
		const struct retention_unit *u = &v.units[i];

		if (u->family != family)
			continue;
		candidates += u->item.candidate != 0;
		retention_removal_why(u->when, policy, now, why, sizeof(why));
		for (j = 0; j < u->nmembers; j++)
			json_array_append_new(backups, json_pack("{s:s, s:b, s:s}", "name", v.entries[u->member[j]].name,
			    "keep", u->item.keep, "reason", u->item.keep ? u->item.reason : why));
	}
	/* prune refuses to run beside a backup dated in the future (retention_future_check): the furthest ahead */
	for (i = 0; i < v.nentries && ahead == NULL; i++)
		if (backup_dated_future(v.entries[i].when, now))
			ahead = v.entries[i].name;
	retention_policy_describe(policy, desc, sizeof(desc));
	root = json_pack("{s:s, s:s, s:I, s:i, s:b, s:s?, s:o}", "kind", family == BACKUP_DB ? "db" : "full", "policy", desc,
	    "candidates", (json_int_t)candidates, "to_delete", removed,
	    "refused_without_force", (size_t)removed * 2 > candidates && !force, "refused_future_dated", ahead,
	    "backups", backups);
out:
	retention_view_free(&v);
	return root;
}
