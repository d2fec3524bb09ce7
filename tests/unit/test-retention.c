/*
 * Retention planning: restic's forget buckets on 500 generated backups over
 * two years, checked against a separate reference computation; pins, the
 * newest verified backup, backups without a manifest; days, ISO weeks and
 * months across DST changes and year boundaries in Europe/Berlin and
 * America/New_York.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops/retention-plan.h"
#include "store/backups.h"
#include "unit.h"

static time_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return timegm(&tm);
}

static struct retention_policy
gfs(int daily, int weekly, int monthly, const char *tz)
{
	struct retention_policy p;

	memset(&p, 0, sizeof(p));
	p.mode = RETENTION_GFS;
	p.daily = daily;
	p.weekly = weekly;
	p.monthly = monthly;
	p.timezone = tz;
	return p;
}

static void
fill(struct retention_item *items, size_t n, const time_t *times)
{
	size_t i;

	memset(items, 0, n * sizeof(*items));
	for (i = 0; i < n; i++) {
		items[i].when = times[i];
		items[i].candidate = 1;
	}
}

static int
has(const struct retention_item *it, const char *rule)
{
	return it->keep && strstr(it->reason, rule) != NULL;
}

/* ---- the reference: "newest backup in each of the last N buckets that have one" ---- */

static void
key_of(time_t t, int rule, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);	/* the 500-backup set is planned in UTC */
	strftime(buf, len, rule == 0 ? "%Y-%m-%d" : rule == 1 ? "%G-W%V" : "%Y-%m", &tm);
}

/* Marks in keep[] what rule `rule` with `count` keeps among the candidates of items (newest first). */
static void
reference_rule(const struct retention_item *items, size_t n, int rule, int count, int *keep)
{
	char (*seen)[16] = calloc(n + 1, sizeof(*seen));
	size_t i, nseen = 0, oldest = n;

	for (i = 0; i < n; i++) {
		char k[16];
		size_t j;
		int dup = 0;

		if (!items[i].candidate)
			continue;
		oldest = i;
		key_of(items[i].when, rule, k, sizeof(k));
		for (j = 0; j < nseen && !dup; j++)
			dup = strcmp(seen[j], k) == 0;
		if (dup)
			continue;
		strcpy(seen[nseen++], k);
		if ((int)nseen <= count)
			keep[i] = 1;	/* the first of a bucket in newest-first order is its newest */
	}
	/* restic also keeps the oldest while the rule has counts left. */
	if (oldest < n && (int)nseen < count)
		keep[oldest] = 1;
	free(seen);
}

static unsigned long lcg_state = 20261125;

static unsigned
lcg(unsigned mod)
{
	lcg_state = lcg_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((lcg_state >> 33) % mod);
}

static int
newest_first(const void *a, const void *b)
{
	time_t x = *(const time_t *)a, y = *(const time_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

#define NGEN 500

static void
test_generated(void)
{
	static time_t times[NGEN];
	static struct retention_item items[NGEN];
	static int want[NGEN];
	struct retention_policy p = gfs(30, 12, 12, NULL);
	time_t start = utc(2025, 1, 1, 0, 0), now = utc(2026, 12, 31, 12, 0);
	size_t i, pins[5], kept = 0, old_verified, bad = 0, by_rule[3] = { 0, 0, 0 };
	int removed, ok_pins = 1;

	/* 480 backups spread over two years at random hours, and 20 second backups on some days. */
	for (i = 0; i < 480; i++)
		times[i] = start + (time_t)i * (730 * 86400 / 480) + (time_t)lcg(6 * 3600);
	for (i = 480; i < NGEN; i++)
		times[i] = times[lcg(480)] + 60 + (time_t)lcg(3600);
	qsort(times, NGEN, sizeof(times[0]), newest_first);
	fill(items, NGEN, times);
	/* A few without a manifest: never deleted, never counted. */
	for (i = 0; i < 5; i++)
		items[100 + 37 * i].candidate = 0;
	/* Pins on old backups that no rule keeps. */
	for (i = 0; i < 5; i++) {
		pins[i] = 300 + 25 * i + 1;
		items[pins[i]].pinned = "v2.0 release";
	}
	/* The newest backups are unverified; the newest verified one is 20 months old. */
	old_verified = 430;
	items[old_verified].verified = 1;
	items[470].verified = 1;

	removed = retention_plan(items, NGEN, &p, now, NULL, 0);
	UNIT_CHECK("gen-plan-runs", removed > 0);

	memset(want, 0, sizeof(want));
	reference_rule(items, NGEN, 0, 30, want);
	reference_rule(items, NGEN, 1, 12, want);
	reference_rule(items, NGEN, 2, 12, want);
	for (i = 0; i < NGEN; i++) {
		int expect = want[i] || !items[i].candidate || items[i].pinned || i == old_verified;

		if (items[i].keep != expect) {
			if (bad++ < 5)
				printf("# item %zu (%ld): keep %d, reference %d, reason '%s'\n", i, (long)items[i].when,
				    items[i].keep, expect, items[i].reason);
		}
		kept += items[i].keep;
		by_rule[0] += strstr(items[i].reason, "daily ") != NULL;
		by_rule[1] += strstr(items[i].reason, "weekly ") != NULL;
		by_rule[2] += strstr(items[i].reason, "monthly ") != NULL;
	}
	UNIT_CHECK("gen-matches-reference", bad == 0);
	UNIT_CHECK("gen-removed-count", (size_t)removed == NGEN - kept);
	UNIT_CHECK("gen-30-daily-12-weekly-12-monthly", by_rule[0] == 30 && by_rule[1] == 12 && by_rule[2] == 12);
	for (i = 0; i < 5; i++)
		ok_pins = ok_pins && has(&items[pins[i]], "pinned: v2.0 release") && !want[pins[i]];
	UNIT_CHECK("gen-pins-kept-with-reason", ok_pins);
	UNIT_CHECK("gen-newest-verified-kept", has(&items[old_verified], "newest verified") && !want[old_verified]);
	UNIT_CHECK("gen-older-verified-not-kept-for-it", !items[470].keep || strstr(items[470].reason, "verified") == NULL);
	UNIT_CHECK("gen-unverified-newest-kept-by-daily", has(&items[0], "daily ") && !items[0].verified);
	UNIT_CHECK("gen-no-manifest-kept", has(&items[100], "no manifest"));
	/* Without pins, verification and manifests missing, exactly the reference. */
	for (i = 0; i < NGEN; i++) {
		items[i].pinned = NULL;
		items[i].verified = 0;
		items[i].candidate = 1;
	}
	memset(want, 0, sizeof(want));
	reference_rule(items, NGEN, 0, 30, want);
	reference_rule(items, NGEN, 1, 12, want);
	reference_rule(items, NGEN, 2, 12, want);
	retention_plan(items, NGEN, &p, now, NULL, 0);
	for (i = 0, bad = 0; i < NGEN; i++)
		bad += items[i].keep != want[i];
	UNIT_CHECK("gen-plain-matches-reference", bad == 0);
	/* The newest of each of the last 12 months: the last 12 months that have a backup. */
	UNIT_CHECK("gen-monthly-newest-in-month", has(&items[0], "monthly 2026-12"));
}

/* ---- time zones ---- */

static void
test_new_york_dst_end(void)
{
	/* DST ends 2026-11-01 06:00Z (02:00 EDT -> 01:00 EST). */
	time_t t[] = {
		utc(2026, 11, 1, 6, 30),	/* 01:30 EST, 1 Nov */
		utc(2026, 11, 1, 5, 30),	/* 01:30 EDT, 1 Nov: the same wall-clock time an hour earlier */
		utc(2026, 11, 1, 3, 30),	/* 23:30 EDT, 31 Oct */
	};
	struct retention_item it[3];
	struct retention_policy ny = gfs(7, 0, 0, "America/New_York"), u = gfs(7, 0, 0, "UTC");

	fill(it, 3, t);
	retention_plan(it, 3, &ny, t[0], NULL, 0);
	UNIT_CHECK("ny-dst-newest-of-repeated-hour", has(&it[0], "daily 2026-11-01") && strstr(it[1].reason, "daily") == NULL);
	UNIT_CHECK("ny-dst-evening-is-31-october", has(&it[2], "daily 2026-10-31"));
	fill(it, 3, t);
	retention_plan(it, 3, &u, t[0], NULL, 0);
	/* In UTC all three are 1 November: the newest is the day's, the oldest is kept as restic's oldest. */
	UNIT_CHECK("ny-same-times-utc-one-day", has(&it[0], "daily 2026-11-01") && !it[1].keep &&
	    has(&it[2], "oldest daily 2026-11-01"));
	/* Months follow the wall clock too. */
	ny = gfs(0, 0, 2, "America/New_York");
	fill(it, 3, t);
	retention_plan(it, 3, &ny, t[0], NULL, 0);
	UNIT_CHECK("ny-month-boundary-local", has(&it[0], "monthly 2026-11") && has(&it[2], "monthly 2026-10") && !it[1].keep);
}

static void
test_berlin_dst_start(void)
{
	/* Two backups each night, 23:30 and 00:30 Berlin time, from 27 to 31 March 2026 (DST from the 29th). */
	time_t t[10];
	struct retention_item it[10];
	struct retention_policy b = gfs(100, 0, 0, "Europe/Berlin");
	int d, i, ok = 1;
	char want[32];

	for (d = 31, i = 0; d >= 27; d--) {
		int off = d >= 29 ? 2 : 1;	/* from the 29th, 23:30 is CEST (UTC+2) */

		t[i++] = utc(2026, 3, d, 23 - off, 30);			/* 23:30 local on the d-th */
		t[i++] = utc(2026, 3, d, 0, 30) - (d >= 30 ? 2 : 1) * 3600;	/* 00:30 local on the d-th */
	}
	fill(it, 10, t);
	retention_plan(it, 10, &b, t[0], NULL, 0);
	for (d = 31, i = 0; d >= 27; d--, i += 2) {
		snprintf(want, sizeof(want), "daily 2026-03-%02d", d);
		ok = ok && has(&it[i], want) && (d == 27 || !it[i + 1].keep);
	}
	/* the oldest 00:30 is kept only as restic's "oldest daily" */
	UNIT_CHECK("berlin-dst-one-per-local-day", ok && has(&it[9], "oldest daily 2026-03-27"));
}

static void
test_year_boundary(void)
{
	time_t t[] = {
		utc(2026, 12, 31, 23, 30),	/* 1 January 2027 00:30 in Berlin; ISO week 2026-W53 */
		utc(2026, 12, 31, 22, 30),	/* 31 December 23:30 in Berlin; also 2026-W53 */
		utc(2026, 12, 28, 12, 0),	/* Monday, 2026-W53 */
		utc(2026, 12, 27, 12, 0),	/* Sunday, 2026-W52 */
	};
	time_t t2[] = {
		utc(2024, 12, 30, 12, 0),	/* Monday: ISO 2025-W01 */
		utc(2024, 12, 29, 12, 0),	/* Sunday: 2024-W52 */
	};
	struct retention_item it[4];
	struct retention_policy p;

	p = gfs(0, 0, 2, "Europe/Berlin");
	fill(it, 4, t);
	retention_plan(it, 4, &p, t[0], NULL, 0);
	UNIT_CHECK("year-boundary-berlin-two-months", has(&it[0], "monthly 2027-01") && has(&it[1], "monthly 2026-12"));
	p = gfs(0, 0, 2, "UTC");
	fill(it, 4, t);
	retention_plan(it, 4, &p, t[0], NULL, 0);
	UNIT_CHECK("year-boundary-utc-one-month", has(&it[0], "monthly 2026-12") && !it[1].keep && !it[2].keep);
	p = gfs(0, 2, 0, "Europe/Berlin");
	fill(it, 4, t);
	retention_plan(it, 4, &p, t[0], NULL, 0);
	UNIT_CHECK("iso-week-53-spans-new-year", has(&it[0], "weekly 2026-W53") && !it[1].keep && !it[2].keep &&
	    has(&it[3], "weekly 2026-W52"));
	p = gfs(0, 5, 0, "UTC");
	fill(it, 2, t2);
	retention_plan(it, 2, &p, t2[0], NULL, 0);
	UNIT_CHECK("iso-week-belongs-to-next-year", has(&it[0], "weekly 2025-W01") && has(&it[1], "weekly 2024-W52"));
}

static void
test_rules(void)
{
	time_t now = utc(2026, 11, 25, 2, 0);
	time_t t[] = { now, now - 86400, now - 10 * 86400, now - 40 * 86400 };
	struct retention_item it[4];
	struct retention_policy p;
	char err[256] = "";

	memset(&p, 0, sizeof(p));
	p.mode = RETENTION_DAYS;
	p.days = 30;
	fill(it, 4, t);
	UNIT_CHECK("days-removes-one", retention_plan(it, 4, &p, now, NULL, 0) == 1);
	UNIT_CHECK("days-reason", has(&it[2], "within 30 days") && !it[3].keep);
	fill(it, 4, t);
	it[3].spare = 1;
	UNIT_CHECK("days-spares-just-written", retention_plan(it, 4, &p, now, NULL, 0) == 0 && has(&it[3], "just written"));
	p = gfs(0, 0, 0, NULL);
	fill(it, 4, t);
	UNIT_CHECK("empty-policy-keeps-all", retention_plan(it, 4, &p, now, NULL, 0) == 0);
	/* A backup without a manifest takes no slot: the next one still gets the day. */
	p = gfs(1, 0, 0, NULL);
	fill(it, 4, t);
	it[0].candidate = 0;
	retention_plan(it, 4, &p, now, NULL, 0);
	UNIT_CHECK("no-manifest-takes-no-slot", has(&it[0], "no manifest") && has(&it[1], "daily ") && !it[2].keep);
	p = gfs(1, 0, 0, "Mars/Olympus_Mons");
	fill(it, 4, t);
	UNIT_CHECK("unknown-time-zone-refused", retention_plan(it, 4, &p, now, err, sizeof(err)) < 0 &&
	    strstr(err, "Mars/Olympus_Mons") != NULL);
	UNIT_CHECK("timezone-check", retention_timezone_check("Europe/Berlin", NULL, 0) == 0 &&
	    retention_timezone_check("UTC", NULL, 0) == 0 && retention_timezone_check("../etc/passwd", NULL, 0) < 0 &&
	    retention_timezone_check("Europe/Berlln", NULL, 0) < 0);
	/* The plan leaves TZ as it found it. */
	setenv("TZ", "Asia/Tokyo", 1);
	p = gfs(1, 0, 0, "Europe/Berlin");
	fill(it, 4, t);
	retention_plan(it, 4, &p, now, NULL, 0);
	UNIT_CHECK("tz-restored", getenv("TZ") && strcmp(getenv("TZ"), "Asia/Tokyo") == 0);
	unsetenv("TZ");
}

/* Names dated in the future (beyond the skew) are kept and count for nothing; a few minutes ahead are ordinary. */
static void
test_future(void)
{
	time_t now = utc(2026, 11, 25, 2, 0);
	time_t t[] = { utc(2099, 1, 4, 0, 0), utc(2099, 1, 3, 0, 0), now + BACKUP_FUTURE_SKEW, now - 2 * 86400,
		now - 20 * 86400, now - 40 * 86400 };
	struct retention_item it[6];
	struct retention_policy p = gfs(2, 0, 0, NULL);
	int removed;

	fill(it, 6, t);
	it[0].verified = it[1].verified = it[3].verified = 1;
	removed = retention_plan(it, 6, &p, now, NULL, 0);
	UNIT_CHECK("future-kept-and-said", it[0].future && it[1].future && has(&it[0], "dated in the future") &&
	    strstr(it[0].reason, "newest verified") == NULL && strstr(it[0].reason, "daily") == NULL);
	UNIT_CHECK("future-within-skew-ordinary", !it[2].future && has(&it[2], "daily 2026-11-25"));
	UNIT_CHECK("future-takes-no-slot", has(&it[3], "newest verified") && has(&it[3], "daily 2026-11-23") &&
	    !it[4].keep && !it[5].keep && removed == 2);
	memset(&p, 0, sizeof(p));
	p.mode = RETENTION_DAYS;
	p.days = 30;
	fill(it, 6, t);
	retention_plan(it, 6, &p, now, NULL, 0);
	UNIT_CHECK("future-days-rule", strcmp(it[0].reason, "dated in the future") == 0 && has(&it[4], "within 30") &&
	    !it[5].keep);
}

int
main(void)
{
	test_future();
	test_generated();
	test_new_york_dst_end();
	test_berlin_dst_start();
	test_year_boundary();
	test_rules();
	return unit_done();
}
