#include <dirent.h>
#include <jansson.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/backups.h"
#include "base/format.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "ops/list.h"
#include "ops/retention.h"
#include "store/manifest.h"
#include "store/outdir.h"
#include "store/pin.h"
#include "base/xalloc.h"

/*
 * The size trend of entry I: its change against the previous backup of its
 * kind (ENTRIES newest first, so the next one of that kind after I), in
 * percent. 0 when there is none to compare with. A dump that shrank to
 * less than half the one before is the empty-table problem the
 * checklist warns about: *much_smaller then.
 */
#define MUCH_SMALLER_PERCENT (-50.0)

static int
size_change(const struct backup_entry *entries, size_t n, size_t i, double *percent, int *much_smaller)
{
	size_t j;

	*much_smaller = 0;
	for (j = i + 1; j < n; j++)
		if (entries[j].kind == entries[i].kind)
			break;
	if (j == n || entries[j].size == 0)
		return 0;
	*percent = 100.0 * ((double)entries[i].size - (double)entries[j].size) / (double)entries[j].size;
	*much_smaller = *percent < MUCH_SMALLER_PERCENT;
	return 1;
}

/* The CHANGE column: "+3%", "-62% !" (much smaller), "-" for the first of its kind. */
static void
format_change(const struct backup_entry *entries, size_t n, size_t i, char *buf, size_t len)
{
	double pct;
	int much;

	if (!size_change(entries, n, i, &pct, &much))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%+.0f%%%s", pct, much ? " !" : "");
}

/* The table fits this many columns, unless --wide. */
#define LIST_COLUMNS 100

/*
 * The pin reason of entry I itself (caller frees; NULL: not pinned). The
 * two forms of a full backup are one unit for retention, but each keeps
 * the reason it was pinned with.
 */
static char *
own_pin_reason(const struct retention_view *v, size_t i)
{
	return v->entries[i].pinned ? pin_reason(v->entries[i].path) : NULL;
}

/*
 * What a row says under "KEPT BY" (caller frees): the rules, with this
 * form's own pin reason, or that prune would delete it.
 */
static char *
kept_by(const struct retention_view *v, size_t i)
{
	const struct retention_unit *u = &v->units[v->unit_of[i]];
	char *unit_pin, *own, *out;
	const char *at;
	int before;

	if (!u->item.keep)
		return xstrdup("-- prune would delete it");
	if (u->pin_reason == NULL)
		return xstrdup(u->item.reason);
	/* The plan wrote "pinned: REASON" among the rules, with the unit's first pin. */
	unit_pin = xasprintf("pinned: %s", u->pin_reason);
	if ((at = strstr(u->item.reason, unit_pin)) == NULL) {
		free(unit_pin);
		return xstrdup(u->item.reason);
	}
	/* The pin first: a narrow table cuts the end of the rules. */
	before = (int)(at - u->item.reason);
	while (before > 0 && (u->item.reason[before - 1] == ',' || u->item.reason[before - 1] == ' '))
		before--;
	own = own_pin_reason(v, i);
	out = xasprintf("%s%s%s%.*s%s", own ? "pinned: " : "pinned with its other form", own ? own : "",
	    before > 0 ? ", " : "", before, u->item.reason, at + strlen(unit_pin));
	free(own);
	free(unit_pin);
	return out;
}

/*
 * The database a dump is of, from its manifest (caller frees), when asked;
 * NULL: not known. *partial: what a partial dump (db -n, -t, ...) leaves
 * out, NULL for a whole one (caller frees). Only what is asked is read.
 */
static void
dump_facts(const struct backup_entry *e, char **database, char **partial)
{
	struct db_selection sel;

	if (database != NULL)
		*database = NULL;
	*partial = NULL;
	if (e->kind != BACKUP_DB || !e->has_manifest)
		return;
	if (manifest_read_brief(e->path, database, &sel) == 0)
		*partial = selection_describe(&sel);
	selection_free(&sel);
}

static json_t *
entry_json(const struct backup_entry *e, const char *kind, time_t now)
{
	char stamp[32], *partial, *db;
	struct tm tm;
	json_t *o;

	dump_facts(e, &db, &partial);

	gmtime_r(&e->when, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:b, s:b}", "kind", kind, "name", e->name, "path",
	    e->path, "created", stamp, "age_seconds", (json_int_t)(now - e->when), "bytes", (json_int_t)e->size,
	    "manifest", e->has_manifest, "verified", e->verified, "offsite", e->offsite);
	if (e->kind == BACKUP_DB) {
		json_object_set_new(o, "database", db ? json_string(db) : json_null());
		json_object_set_new(o, "legacy", json_boolean(!e->has_manifest));
		json_object_set_new(o, "partial", partial ? json_string(partial) : json_null());
	}
	free(db);
	free(partial);
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

		char *own = own_pin_reason(v, i), *why = kept_by(v, i);
		double pct;
		int much;

		if (size_change(v->entries, v->nentries, i, &pct, &much)) {
			json_object_set_new(o, "size_change_percent", json_real(pct));
			json_object_set_new(o, "much_smaller", json_boolean(much));
		} else {
			json_object_set_new(o, "size_change_percent", json_null());
			json_object_set_new(o, "much_smaller", json_false());
		}
		json_object_set_new(o, "pinned", json_boolean(u->pin_reason != NULL));
		json_object_set_new(o, "pin_reason", own ? json_string(own) : json_null());
		json_object_set_new(o, "keep", json_boolean(u->item.keep));
		json_object_set_new(o, "kept_by", json_string(u->item.keep ? why : ""));
		free(own);
		free(why);
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

/* How the table is laid out: all columns (--wide), or within LIST_COLUMNS. */
struct layout {
	int wide;
	int name_width;
	int change_width;	/* CHANGE: as wide as its widest value, in LIST_COLUMNS */
};

static void
print_header(const struct layout *l)
{
	if (l->wide)
		printf("%-8s %-20s %9s %10s %-7s %-8s %-8s %-7s %-*s  %s\n", "KIND", "CREATED (UTC)", "AGE", "SIZE",
		    "CHANGE", "MANIFEST", "VERIFIED", "OFFSITE", l->name_width, "NAME", "KEPT BY (prune)");
	else
		printf("%-6s %-*s %6s %9s %-*s %-5s %s\n", "KIND", l->name_width, "NAME", "AGE", "SIZE",
		    l->change_width, "CHANGE", "STATE", "KEPT BY (prune)");
}

/*
 * KEPT BY in the narrow table (caller frees): a daily or weekly rule
 * without its year ("daily 11-09", "weekly W45"; AGE says which year),
 * a rule kept at the oldest backup without its "oldest ", the rest as it
 * is. --wide and --json keep the full form.
 */
static char *
short_rules(const char *rules)
{
	static const char *const rule[] = { "daily ", "weekly " };
	char *out, *p;
	size_t k, n;

	/* STATE's L says there is no manifest; the rule's point is that it stays. */
	if ((p = strstr(rules, "no manifest, never deleted")) != NULL)
		out = xasprintf("%.*snever deleted%s", (int)(p - rules), rules, p + strlen("no manifest, never deleted"));
	else
		out = xstrdup(rules);

	for (k = 0; k < 2; k++) {
		n = strlen(rule[k]);
		for (p = out; (p = strstr(p, rule[k])) != NULL; p += n) {
			/* A rule of the plan only (start, ", " or "oldest " before it), not words of a pin reason. */
			int at_rule = p == out || (p - out >= 2 && p[-2] == ',') || (p - out >= 7 && strncmp(p - 7, "oldest ", 7) == 0);

			if (at_rule && strspn(p + n, "0123456789") == 4 && p[n + 4] == '-')
				memmove(p + n, p + n + 5, strlen(p + n + 5) + 1);
		}
	}
	/* "oldest weekly W44" passed a narrow column and was cut: the rule is enough there, AGE says it is old. */
	for (p = out; (p = strstr(p, "oldest ")) != NULL;) {
		if ((p == out || (p - out >= 2 && p[-2] == ',')) &&
		    (strncmp(p + 7, "daily ", 6) == 0 || strncmp(p + 7, "weekly ", 7) == 0 || strncmp(p + 7, "monthly ", 8) == 0))
			memmove(p, p + 7, strlen(p + 7) + 1);
		else
			p += 7;
	}
	return out;
}

/*
 * KEPT BY in ROOM columns, on the row's one line (caller frees): the rules
 * (short forms) that fit whole, in order, then "+N" for the N more that
 * --wide shows (none when the first rule fills the room); only a first
 * rule longer than the room (a pin's own words) is cut, with "...".
 */
static char *
fit_rules(const char *kept, int room)
{
	struct strbuf out = STRBUF_INIT;
	char *rules = short_rules(kept), *tok, *save = NULL, more[16];
	int n = 1, shown = 0, len, i;

	/* Only the one phrase of a backup prune would delete is longer than a narrow column. */
	if ((int)strlen(rules) > room && strcmp(rules, "-- prune would delete it") == 0) {
		free(rules);
		return xstrdup("-- to delete");
	}
	for (i = 0; rules[i] != '\0'; i++)
		n += rules[i] == ',' && rules[i + 1] == ' ';
	for (tok = strtok_r(rules, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		tok += strspn(tok, " ");
		more[0] = '\0';
		len = n - shown - 1 > 0 ? snprintf(more, sizeof(more), " +%d", n - shown - 1) : 0;
		if ((int)(out.len + (shown ? 2 : 0) + strlen(tok)) + len <= room)
			strbuf_printf(&out, "%s%s", shown ? ", " : "", tok);
		else if (tok == rules && (int)strlen(tok) <= room) {	/* whole, with no room left to count the rest */
			strbuf_puts(&out, tok);
			shown = n;
			break;
		} else if (tok == rules) {	/* the first (a pin, which kept_by puts first) too long: its start, "..." for the rest */
			strbuf_printf(&out, "%.*s...", room - 3, tok);
			shown = n;
			break;
		} else {
			continue;
		}
		shown++;
	}
	if (n - shown > 0)
		strbuf_printf(&out, " +%d", n - shown);
	free(rules);
	return strbuf_detach(&out);
}

static void
print_row(const struct backup_entry *e, const char *change, const char *kind, const char *kept_by, time_t now,
    const struct layout *l)
{
	char stamp[32], size[32], age[32], state[4], *name, *partial, *rules, *kept;
	struct tm tm;
	int room;

	/* Pin reasons and database names are anyone's text: no escape sequence reaches the terminal. */
	kept_by = kept = format_printable(kept_by);
	dump_facts(e, NULL, &partial);	/* the row shows no database: not asked */
	format_size(e->size, size, sizeof(size));
	format_age((long long)(now - e->when), age, sizeof(age));
	/*
	 * A backup without a manifest is the old scripts' (pg_dump's dumps,
	 * create-full-backup.sh's directories and archives): verify checks it
	 * as legacy. "partial": made with -n, -t, ... (verify says what it leaves out).
	 */
	if (l->wide) {
		gmtime_r(&e->when, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		printf("%-8s %-20s %9s %10s %-7s %-8s %-8s %-7s %-*s  %s\n", kind, stamp, age, size, change, partial ? "partial" :
		    e->has_manifest ? "yes" : "legacy", e->verified ? "yes" : "no",
		    e->offsite ? "yes" : "no", l->name_width, e->name, kept_by);
		free(partial);
		free(kept);
		return;
	}
	if (now - e->when >= 86400)	/* days are enough here */
		snprintf(age, sizeof(age), "%lldd", (long long)(now - e->when) / 86400);
	else if (strlen(age) > 6 && strchr(age, ' ') != NULL)	/* "10h 42m": the hours, in AGE's 6 columns */
		*strchr(age, ' ') = '\0';
	snprintf(state, sizeof(state), "%c%c%c", partial ? 'P' : e->has_manifest ? 'M' : 'L',
	    e->verified ? 'V' : '-', e->offsite ? 'O' : '-');
	/* The rules get what is left of the line; --wide shows them whole. */
	/* A full backup's directory is "full" too, its name ending in '/'. */
	name = xasprintf("%s%s", e->name, e->kind == BACKUP_FULL_DIR ? "/" : "");
	if (e->kind == BACKUP_FULL_DIR)
		kind = "full";
	room = LIST_COLUMNS - (6 + 1 + l->name_width + 1 + 6 + 1 + 9 + 1 + l->change_width + 1 + 5 + 1);
	/* Too narrow for any rule: whole, as --wide. */
	rules = room < 8 ? xstrdup(kept_by) : fit_rules(kept_by, room);
	printf("%-6s %-*s %6s %9s %-*s %-5s %s\n", kind, l->name_width, name, age, size, l->change_width, change,
	    state, rules);
	free(rules);
	free(name);
	free(partial);
	free(kept);
}

/* restore --clean's safety dumps, each with the database it is of. */
static void
print_safety_rows(const struct backup_entry *safety, size_t n, time_t now, const struct layout *l)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *db, *partial, *why;

		dump_facts(&safety[i], &db, &partial);
		free(partial);

		why = l->wide ? xasprintf("safety dump of %s (restore --clean), prune leaves it", db ? db : "?") :
		    xasprintf("safety dump of %s", db ? db : "?");
		print_row(&safety[i], "", "safety", why, now, l);
		free(why);
		free(db);
	}
}

static void
print_table(const struct retention_view *v, const struct backup_entry *safety, size_t nsafety, time_t now, int wide)
{
	struct layout l = { wide, 4, 6 };
	char (*change)[16] = v->nentries > 0 ? xcalloc(v->nentries, sizeof(*change)) : NULL;
	size_t i;

	for (i = 0; i < v->nentries; i++) {	/* + 1: a directory's '/' */
		if ((int)strlen(v->entries[i].name) + 1 > l.name_width)
			l.name_width = (int)strlen(v->entries[i].name) + 1;
		format_change(v->entries, v->nentries, i, change[i], sizeof(change[i]));
		if ((int)strlen(change[i]) > l.change_width)
			l.change_width = (int)strlen(change[i]);
	}
	for (i = 0; i < nsafety; i++)
		if ((int)strlen(safety[i].name) > l.name_width)
			l.name_width = (int)strlen(safety[i].name);
	print_header(&l);
	for (i = 0; i < v->nentries; i++) {
		char *why = kept_by(v, i);

		print_row(&v->entries[i], change[i], backup_kind_label(v->entries[i].kind), why, now, &l);
		free(why);
	}
	print_safety_rows(safety, nsafety, now, &l);
	free(change);
}

static int
is_database_folder(const struct dirent *de)
{
	return strncmp(de->d_name, "db-", 3) == 0 && (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN);
}

/*
 * db --all-databases' folders (OUTPUT/db-NAME/), one line each: the
 * database its newest dump is of, how many dumps, the newest's age.
 * Returns how many it showed.
 */
static size_t
print_database_folders(const char *dir, time_t now)
{
	struct dirent **list = NULL;
	int n = scandir(dir, &list, is_database_folder, alphasort), i;
	size_t shown = 0;

	for (i = 0; i < n; i++) {
		char *sub = xasprintf("%s/%s", dir, list[i]->d_name), *db, *shown_db, *shown_sub, *partial, age[32];
		struct backup_entry *e = NULL;
		struct stat st;
		size_t ne = 0;

		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode) && backups_scan(sub, &e, &ne) == 0 && ne > 0 && e[0].kind == BACKUP_DB) {
			dump_facts(&e[0], &db, &partial);
			free(partial);
			format_age((long long)(now - e[0].when), age, sizeof(age));
			if (shown++ == 0)
				printf("\n%-28s %5s %9s  %s\n", "DATABASE (--all-databases)", "DUMPS", "NEWEST",
				    "FOLDER (lotbackup list -o FOLDER)");
			/* Any role that may create a database names it: escaped, as the folder's name is encoded. */
			shown_db = format_printable(db ? db : "?");
			shown_sub = format_printable(sub);
			printf("%-28s %5zu %9s  %s\n", shown_db, ne, age, shown_sub);
			free(shown_db);
			free(shown_sub);
			free(db);
		}
		backups_free(e, ne);
		free(sub);
		free(list[i]);
	}
	free(list);
	return shown;
}

int
list_backups(const struct list_settings *settings)
{
	struct retention_view v;
	struct backup_entry *safety = NULL;
	size_t nsafety = 0;
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
	} else {
		if (v.nentries > 0 || nsafety > 0)
			print_table(&v, safety, nsafety, now, settings->wide);
		if (print_database_folders(settings->output_dir, now) == 0 && v.nentries == 0 && nsafety == 0)
			printf("No backups in %s yet: run 'lotbackup db' or 'lotbackup full' to make one.\n",
			    settings->output_dir);
	}
	rc = 0;
out:
	backups_free(safety, nsafety);
	free(safety_dir);
	retention_view_free(&v);
	return rc;
}
