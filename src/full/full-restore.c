#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "full/full-archive.h"
#include "full/full-restore.h"
#include "full/full-legacy.h"
#include "git/git-snapshot.h"
#include "base/log.h"
#include "io/pipe.h"
#include "store/backups.h"
#include "verify/verify.h"
#include "base/xalloc.h"

int
full_backup_path(const char *path)
{
	static const char plain[] = ".tar.gz", enc[] = ".tar.gz" ENCRYPTED_SUFFIX;
	struct stat st;
	size_t len = strlen(path);

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 1;
	return (len > sizeof(plain) - 1 && strcmp(path + len - (sizeof(plain) - 1), plain) == 0) ||
	    (len > sizeof(enc) - 1 && strcmp(path + len - (sizeof(enc) - 1), enc) == 0);
}

static int
copy_file(const char *from, const char *to)
{
	struct pipe *p = pipe_new();
	int rc;

	pipe_to_file(p, to, 0600);
	rc = pipe_read_file(p, from, 0, 0) < 0 || pipe_finish(p) < 0 || pipe_publish(p) < 0 ? -1 : 0;
	pipe_free(p);
	return rc;
}

/*
 * What a restored project still needs before it runs: a backup never
 * holds .env (secrets), and the schema follows the code through the
 * project's migrations. Said once, for the restored project's own paths.
 */
static void
remind_next_steps(const char *target)
{
	char *env = xasprintf("%s/.env", target), *example = xasprintf("%s/.env.example", target);
	char *prisma = xasprintf("%s/prisma/migrations", target);

	if (fs_exists(example) == 1 && fs_exists(env) != 1)
		log_info("next: recreate %s from %s and fill in its secrets (a backup never holds .env)", env, example);
	else if (fs_exists(env) != 1)
		log_info("next: create %s with the project's settings and secrets (a backup never holds .env)", env);
	log_info("next: run the project's database migrations in %s%s", target,
	    fs_exists(prisma) == 1 ? " (prisma/migrations: npx prisma migrate deploy)" : "");
	free(env);
	free(example);
	free(prisma);
}

/* deps/ and config/ files the checkout did not bring back (untracked ones). */
static int
put_back_files(const struct full_manifest *m, const char *extracted, const char *dir)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++) {
		const char *p = m->files[i].path, *rel;
		char *from, *to;
		int rc = 0;

		if (strncmp(p, "deps/", 5) == 0)
			rel = p + 5;
		else if (strncmp(p, "config/", 7) == 0)
			rel = p + 7;
		else
			continue;
		to = xasprintf("%s/%s", dir, rel);
		if (access(to, F_OK) != 0) {
			from = xasprintf("%s/%s", extracted, p);
			rc = fs_mkdirs_for(dir, rel) < 0 || copy_file(from, to) < 0 ? -1 : 0;
			free(from);
		}
		free(to);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static char *
find_db_dump(const char *extracted)
{
	char *dbdir = xasprintf("%s/db", extracted), *found = NULL;
	DIR *d = opendir(dbdir);
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n > 7 && strcmp(de->d_name + n - 7, ".sql.gz") == 0 && found == NULL)
			found = xasprintf("%s/%s", dbdir, de->d_name);
	}
	if (d)
		closedir(d);
	free(dbdir);
	return found;
}

/* DIR/SUB and every directory above it below DIR are real directories (or SUB is missing). */
static int
real_dir_below(const char *dir, const char *sub)
{
	char *probe = xasprintf("%s/x", sub), *target = xasprintf("%s/%s", dir, sub);
	struct stat st;
	int rc = fs_mkdirs_for(dir, probe);

	if (rc == 0 && (lstat(target, &st) < 0 || !S_ISDIR(st.st_mode))) {
		log_error("refusing to restore a submodule into %s: not a real directory", target);
		rc = -1;
	}
	free(probe);
	free(target);
	return rc;
}

/* Each git/submodules/PATH/repo.bundle back into PATH, at the bundle's HEAD. */
static int
restore_submodules(const struct full_manifest *m, const char *extracted, const char *dir)
{
	static const char prefix[] = "git/submodules/", suffix[] = "/repo.bundle";
	size_t i;

	for (i = 0; i < m->nfiles; i++) {
		const char *p = m->files[i].path;
		size_t n = strlen(p);
		char *sub, *bundle, *target;
		int rc;

		if (strncmp(p, prefix, sizeof(prefix) - 1) != 0 || n <= sizeof(prefix) - 1 + sizeof(suffix) - 1 ||
		    strcmp(p + n - (sizeof(suffix) - 1), suffix) != 0)
			continue;
		sub = xstrndup(p + sizeof(prefix) - 1, n - (sizeof(prefix) - 1) - (sizeof(suffix) - 1));
		bundle = xasprintf("%s/%s", extracted, p);
		target = xasprintf("%s/%s", dir, sub);
		/* The checkout made SUB: it must be a real directory, not a link out. */
		rc = real_dir_below(dir, sub) < 0 ? -1 : gitsnap_restore_bundle(bundle, target, NULL, NULL);
		free(sub);
		free(bundle);
		free(target);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
check_archive(void *arg)
{
	const char *path = arg;
	struct verify_result r;
	int rc;

	if (full_verify(path, &r) < 0) {
		verify_result_free(&r);
		return -1;
	}
	rc = verify_log_failures(&r);
	if (rc)
		log_error("not restoring %s: it failed verification; nothing was written", path);
	/* Whole, but without the manifest and history restore --to rebuilds the project from. */
	if (!rc && full_legacy_result(&r)) {
		log_error("not restoring %s: it is %s, which restore --to cannot rebuild a project from; extract it "
		    "with tar -xzf, and load its %s with 'lotbackup restore FILE --dbname ...'", path, FULL_LEGACY_NOTE,
		    FULL_LEGACY_DUMP);
		rc = -1;
	}
	verify_result_free(&r);
	return rc;
}

int
full_restore(const struct full_restore_settings *settings, const char *path)
{
	return full_restore_source(settings, path, NULL, 0, check_archive, (void *)path);
}

/* Long as the steps of a restore are, one after the other, with one clean-up. */
int
full_restore_source(const struct full_restore_settings *settings, const char *path, const struct dump_source *src,
    uint64_t size, int (*check)(void *arg), void *arg)
{
	struct full_manifest m;
	struct restore_db_settings db;
	char *target = xstrdup(settings->to), *extracted;
	char *bundle = NULL, *refs = NULL, *objects = NULL, *patch = NULL, *head_ref = NULL, *dump = NULL;
	/*
	 * The restored tree is private, as backups are (directories 0700,
	 * files 0600, executables 0700), whatever the caller's umask: libgit2,
	 * the extract and the patch all create with it, and a group- or
	 * world-writable .git/config would let others add hooks.
	 */
	mode_t old_umask = umask(077);
	int rc = -1;

	memset(&m, 0, sizeof(m));
	/* "DIR/" and "DIR" are one target; the extract area goes beside it. */
	while (strlen(target) > 1 && target[strlen(target) - 1] == '/')
		target[strlen(target) - 1] = '\0';
	extracted = xasprintf("%s.lotbackup-extract", target);
	switch (fs_dir_new_or_empty(target)) {
	case 0:
		log_error("%s is not empty: restore --to writes into a new or empty directory only", target);
		goto out;
	case -1:
		goto out;
	}
	if ((rc = check(arg)) != 0)
		goto out;
	rc = -1;
	if (fs_exists(extracted) != 0) {
		log_error("%s exists (left by an earlier restore?): remove it first", extracted);
		goto out;
	}
	/*
	 * Messages name what is read from the extract as the backup's own
	 * members, not the temporary copy beside the target; the extraction's
	 * writes (a full disk) name that copy, which is what ran out.
	 */
	if (full_extract_source(path, src, size, extracted, &m) < 0)
		goto cleanup;
	log_path_alias_member(extracted, path);
	bundle = xasprintf("%s/git/repo.bundle", extracted);
	refs = xasprintf("%s/git/refs.txt", extracted);
	objects = xasprintf("%s/git/objects", extracted);
	if (access(bundle, F_OK) == 0 || access(refs, F_OK) == 0) {
		if (m.branch)
			head_ref = xasprintf("refs/heads/%s", m.branch);
		if (access(bundle, F_OK) == 0 ? gitsnap_restore_bundle(bundle, target, head_ref, m.commit) < 0 :
		    gitsnap_restore_objects(refs, objects, target, head_ref, m.commit) < 0)
			goto cleanup;
		if (restore_submodules(&m, extracted, target) < 0)
			goto cleanup;
		patch = xasprintf("%s/git/uncommitted.patch", extracted);
		if (settings->with_uncommitted && gitsnap_apply_patch(target, patch) < 0)
			goto cleanup;
	} else if (mkdir(target, 0700) < 0 && errno != EEXIST) {
		log_errno("cannot create %s", target);
		goto cleanup;
	}
	if (put_back_files(&m, extracted, target) < 0)
		goto cleanup;
	log_info("restored the project of %s into %s%s", path, target,
	    m.commit ? " at the recorded commit" : "");
	if (settings->db != NULL) {
		dump = find_db_dump(extracted);
		if (dump == NULL) {
			log_error("%s holds no database dump; the project files are restored", path);
			goto cleanup;
		}
		/* The migrations pending are those of the code just restored. */
		db = *settings->db;
		db.project_dir = target;
		rc = restore_db_file(&db, dump);
		goto cleanup;
	}
	rc = 0;
cleanup:
	log_path_alias(NULL, NULL);
	if (rc == 0)
		remind_next_steps(target);
	fs_remove_tree(extracted);
out:
	umask(old_umask);
	full_manifest_free(&m);
	free(target);
	free(extracted);
	free(bundle);
	free(refs);
	free(objects);
	free(patch);
	free(head_ref);
	free(dump);
	return rc;
}
