#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "full/full-backup.h"
#include "full/full-legacy.h"

/*
 * What the old script writes in every run that reached its end: it runs
 * under set -e, and copies these without "|| echo". The templates
 * (.env.example, schema.prisma, Dockerfile, tsconfig.json,
 * app.yaml.example) were copied only when the project had them.
 */
static const char *const always[] = {
	"git-status.txt", "git-recent-commits.txt", "git-branches.txt", "git-remotes.txt",
	"git-current-branch.txt", "package.json", "yarn.lock", "system-state.txt", FULL_LEGACY_MANIFEST, NULL,
};

/* always[8]: BACKUP-MANIFEST.md, the script's last file. */
#define LAST_FILE (1u << 8)

/* The line BACKUP-MANIFEST.md has when the dump was made ("(Database backup not included)" otherwise). */
#define DUMP_CLAIM "`" FULL_LEGACY_DUMP "` - Full database dump"

int
full_legacy_dir(const char *dir)
{
	char *p;
	int found = 0;
	size_t i;

	p = xasprintf("%s/%s", dir, FULL_MANIFEST_NAME);
	if (fs_exists(p) != 0) {
		free(p);
		return 0;
	}
	free(p);
	for (i = 0; always[i] != NULL && !found; i++) {
		p = xasprintf("%s/%s", dir, always[i]);
		found = fs_exists(p) > 0;
		free(p);
	}
	return found;
}

void
full_legacy_note(struct full_legacy *l, const char *rel)
{
	size_t i;

	l->nfiles++;
	for (i = 0; always[i] != NULL; i++)
		if (strcmp(rel, always[i]) == 0)
			l->seen |= 1u << i;
	if (strcmp(rel, FULL_LEGACY_DUMP) == 0)
		l->has_dump = 1;
}

void
full_legacy_claims(struct full_legacy *l, const char *text, size_t len)
{
	l->dump_claimed = memmem(text, len, DUMP_CLAIM, strlen(DUMP_CLAIM)) != NULL;
}

void
full_legacy_checks(const struct full_legacy *l, const struct verify_result *dump, struct verify_result *res)
{
	struct strbuf missing = STRBUF_INIT;
	size_t i;

	verify_add(res, "manifest", 1, "none: %s, checked by its contents", FULL_LEGACY_NOTE);
	for (i = 0; always[i] != NULL; i++)
		if (!(l->seen & (1u << i)))
			strbuf_printf(&missing, "%s%s", missing.len ? ", " : "", always[i]);
	/* The script writes BACKUP-MANIFEST.md last: without it, it stopped before its end. */
	verify_add(res, "complete", (l->seen & LAST_FILE) != 0, (l->seen & LAST_FILE) ? "%s present (the old script "
	    "writes it last)" : "no %s: the old script stopped before its end", FULL_LEGACY_MANIFEST);
	if (missing.len == 0)
		verify_add(res, "members", 1, "%zu files, all the old script always writes among them", l->nfiles);
	else
		verify_add(res, "members", 0, "missing what the old script always writes: %s", strbuf_str(&missing));
	if (dump != NULL) {
		for (i = 0; i < dump->nchecks; i++)
			verify_add(res, "database", dump->checks[i].ok, "%s %s: %s", FULL_LEGACY_DUMP,
			    dump->checks[i].name, dump->checks[i].detail);
	} else if (l->dump_claimed) {
		verify_add(res, "database", 0, "%s lists %s, which is missing", FULL_LEGACY_MANIFEST, FULL_LEGACY_DUMP);
	} else {
		verify_add(res, "database", 1, "not included (%s says so: the old script had no database settings)",
		    FULL_LEGACY_MANIFEST);
	}
	strbuf_free(&missing);
}

int
full_legacy_result(const struct verify_result *res)
{
	size_t i;

	for (i = 0; i < res->nchecks; i++)
		if (strcmp(res->checks[i].name, "manifest") == 0 && res->checks[i].ok &&
		    strncmp(res->checks[i].detail, "none: " FULL_LEGACY_NOTE, strlen("none: " FULL_LEGACY_NOTE)) == 0)
			return 1;
	return 0;
}

/* The directory's files, one level down as the script writes them (a subdirectory is no file of it). */
static int
note_files(const char *dir, struct full_legacy *l)
{
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (d == NULL) {
		log_errno("cannot read %s", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char *p = xasprintf("%s/%s", dir, de->d_name);

		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
			full_legacy_note(l, de->d_name);
		free(p);
	}
	closedir(d);
	return 0;
}

int
full_verify_legacy_dir(const char *dir, struct verify_result *res)
{
	struct full_legacy l;
	struct verify_result dump;
	char *mpath = xasprintf("%s/%s", dir, FULL_LEGACY_MANIFEST), *dpath = NULL, *text = NULL;
	size_t len = 0;
	int rc = -1;

	memset(&l, 0, sizeof(l));
	memset(&dump, 0, sizeof(dump));
	if (note_files(dir, &l) < 0)
		goto out;
	if (fs_read_file(mpath, &text, &len) == 0)
		full_legacy_claims(&l, text, len);
	if (l.has_dump) {
		dpath = xasprintf("%s/%s", dir, FULL_LEGACY_DUMP);
		if (verify_db_dump(dpath, VERIFY_LEGACY, &dump) < 0)
			goto out;
	}
	full_legacy_checks(&l, l.has_dump ? &dump : NULL, res);
	rc = 0;
out:
	verify_result_free(&dump);
	free(text);
	free(dpath);
	free(mpath);
	return rc;
}
