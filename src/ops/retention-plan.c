#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/log.h"
#include "ops/retention-plan.h"
#include "store/backups.h"
#include "base/xalloc.h"

static int
is_utc(const char *tz)
{
	return tz == NULL || *tz == '\0' || strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0;
}

int
retention_timezone_check(const char *name, char *err, size_t errlen)
{
	const char *dir = getenv("TZDIR");
	struct stat st;
	char *path;
	int ok;

	if (is_utc(name))
		return 0;
	/* glibc takes any unknown name for UTC without a word: look the file up ourselves. */
	if (name[0] == '/' || name[0] == ':' || strstr(name, "..") != NULL || strspn(name,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != strlen(name)) {
		errbuf_set(err, errlen, "'%s' is not a time zone name such as Europe/Berlin or UTC", name);
		return -1;
	}
	path = xasprintf("%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
	ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	if (!ok) {
		errbuf_set(err, errlen, "unknown time zone '%s' (see /usr/share/zoneinfo; the tzdata package "
		    "provides it)", name);
		return -1;
	}
	return 0;
}

void
retention_policy_describe(const struct retention_policy *p, char *buf, size_t len)
{
	const char *tz = is_utc(p->timezone) ? "UTC" : p->timezone;

	switch (p->mode) {
	case RETENTION_NONE:
		snprintf(buf, len, "keep all");
		break;
	case RETENTION_DAYS:
		snprintf(buf, len, "keep %d days (--keep)", p->days);
		break;
	case RETENTION_GFS:
		snprintf(buf, len, "keep %d daily, %d weekly, %d monthly (%s)", p->daily, p->weekly, p->monthly, tz);
		break;
	}
}

static void
add_reason(struct retention_item *it, const char *fmt, const char *arg)
{
	size_t used = strlen(it->reason);

	if (used > 0 && used + 2 < sizeof(it->reason)) {
		memcpy(it->reason + used, ", ", 3);
		used += 2;
	}
	snprintf(it->reason + used, sizeof(it->reason) - used, fmt, arg);
	it->keep = 1;
}

/* The bucket keys of one backup: its day, ISO week and month on the policy's wall clock. */
struct bucket_keys {
	char day[16];
	char week[16];
	char month[16];
};

static void
keys_from_tm(const struct tm *tm, struct bucket_keys *k)
{
	strftime(k->day, sizeof(k->day), "%Y-%m-%d", tm);
	strftime(k->week, sizeof(k->week), "%G-W%V", tm);
	strftime(k->month, sizeof(k->month), "%Y-%m", tm);
}

/*
 * localtime_r in another zone means switching TZ: done once for the whole
 * list and put back as it was, while no other thread is running (pruning
 * runs after the compression threads are joined).
 */
static int
compute_keys(const struct retention_item *items, size_t n, const char *tz, struct bucket_keys *keys,
    char *err, size_t errlen)
{
	char *saved = NULL;
	const char *old;
	size_t i;
	int rc = 0;

	if (is_utc(tz)) {
		for (i = 0; i < n; i++) {
			struct tm tm;

			gmtime_r(&items[i].when, &tm);
			keys_from_tm(&tm, &keys[i]);
		}
		return 0;
	}
	if (retention_timezone_check(tz, err, errlen) < 0)
		return -1;
	old = getenv("TZ");
	if (old != NULL)
		saved = xstrdup(old);
	setenv("TZ", tz, 1);
	tzset();
	for (i = 0; i < n; i++) {
		struct tm tm;

		if (localtime_r(&items[i].when, &tm) == NULL) {
			errbuf_set(err, errlen, "cannot convert a time to time zone %s", tz);
			rc = -1;
			break;
		}
		keys_from_tm(&tm, &keys[i]);
	}
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	return rc;
}

struct bucket {
	int count;
	const char *last;
	const char *label;
};

static void
apply_gfs(struct retention_item *items, size_t n, const struct retention_policy *p, const struct bucket_keys *keys)
{
	struct bucket b[3] = {
		{ p->daily, NULL, "daily" },
		{ p->weekly, NULL, "weekly" },
		{ p->monthly, NULL, "monthly" },
	};
	size_t i, j, oldest = n;

	for (i = 0; i < n; i++)
		if (items[i].candidate && !items[i].future)
			oldest = i;
	for (i = 0; i < n; i++) {
		/* not counted: kept anyway (no manifest, dated in the future), it must not use up a slot */
		if (!items[i].candidate || items[i].future)
			continue;
		for (j = 0; j < 3; j++) {
			const char *val = j == 0 ? keys[i].day : j == 1 ? keys[i].week : keys[i].month;
			int same = b[j].last != NULL && strcmp(val, b[j].last) == 0;
			char fmt[48];

			if (b[j].count <= 0 || (same && i != oldest))
				continue;
			snprintf(fmt, sizeof(fmt), "%s%s %%s", same ? "oldest " : "", b[j].label);
			add_reason(&items[i], fmt, val);
			b[j].last = val;
			b[j].count--;
		}
	}
}

int
retention_plan(struct retention_item *items, size_t n, const struct retention_policy *p, time_t now,
    char *err, size_t errlen)
{
	struct bucket_keys *keys = NULL;
	size_t i;
	int removed = 0, newest_verified_seen = 0;
	char days[32];

	for (i = 0; i < n; i++) {
		items[i].keep = 0;
		items[i].reason[0] = '\0';
		items[i].future = backup_dated_future(items[i].when, now);
	}
	/* The safety rules first, so they read first in the reason. */
	for (i = 0; i < n; i++) {
		/* Its name's date is no age: neither the newest nor one to judge by the calendar. */
		if (items[i].future)
			add_reason(&items[i], "%s", "dated in the future");
		if (!items[i].candidate)
			add_reason(&items[i], "%s", "no manifest, never deleted");
		if (items[i].pinned)
			add_reason(&items[i], "pinned: %s", items[i].pinned);
		if (items[i].verified && !items[i].future && !newest_verified_seen) {
			add_reason(&items[i], "%s", "newest verified");
			newest_verified_seen = 1;
		}
		if (items[i].spare)
			add_reason(&items[i], "%s", "just written");
	}
	switch (p->mode) {
	case RETENTION_NONE:
		for (i = 0; i < n; i++)
			add_reason(&items[i], "%s", "no policy");
		break;
	case RETENTION_DAYS:
		snprintf(days, sizeof(days), "%d", p->days);
		for (i = 0; i < n; i++)
			if (!items[i].future && (p->days <= 0 || items[i].when >= now - (time_t)p->days * 86400))
				add_reason(&items[i], p->days <= 0 ? "--keep 0" : "within %s days", days);
		break;
	case RETENTION_GFS:
		if (p->daily <= 0 && p->weekly <= 0 && p->monthly <= 0) {
			for (i = 0; i < n; i++)
				add_reason(&items[i], "%s", "empty policy keeps all");
			break;
		}
		keys = xcalloc(n ? n : 1, sizeof(*keys));
		if (compute_keys(items, n, p->timezone, keys, err, errlen) < 0) {
			free(keys);
			return -1;
		}
		apply_gfs(items, n, p, keys);
		free(keys);
		break;
	}
	for (i = 0; i < n; i++)
		if (!items[i].keep)
			removed++;
	return removed;
}
