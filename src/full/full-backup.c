#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "dump/backup-db.h"
#include "store/backups.h"
#include "crypt/crypt.h"
#include "base/format.h"
#include "base/fsutil.h"
#include "full/full-backup.h"
#include "full/full-secrets.h"
#include "git/git-snapshot.h"
#include "base/json.h"
#include "base/log.h"
#include "store/manifest.h"
#include "io/progress.h"
#include "full/project-files.h"
#include "io/pipe.h"
#include "s3/s3-pipe.h"
#include "base/strbuf.h"
#include "full/tar-writer.h"
#include "base/version.h"
#include "base/xalloc.h"
#include "migrate/ledger.h"

#define LOG_COMMITS 50
/*
 * libgit2 recomputes every delta when it packs (25-40 times slower than
 * git bundle on a 95k-object repository): above this much object data the
 * history is kept as a copy of the object store instead of a bundle.
 */
#define BUNDLE_MAX_OBJECT_BYTES (50ULL * 1024 * 1024)

struct staged_file {
	char *path;		/* relative to the backup's top directory */
	uint64_t size;
	char sha256[65];
};

struct full_job {
	const struct full_settings *settings;
	time_t when;
	char *dir_name;		/* full-backup-STAMP */
	char *dir_path;		/* OUTPUT/full-backup-STAMP */
	char *archive_path;	/* OUTPUT/lot-systems-full-backup-STAMP.tar.gz (.enc: encrypted) */
	char *staging;		/* OUTPUT/full-backup-STAMP.tmp */
	char *started_at;
	struct staged_file *files;
	size_t nfiles;
	struct project_rules *rules;
	struct project_scan scan;
	struct gitsnap *git;
	struct gitsnap_summary summary;
	int have_git;
	int history_as_objects;	/* git/objects/ + git/refs.txt instead of git/repo.bundle */
	int db_included;
	char *db_note;		/* why the database is or is not in */
	struct db_manifest db;	/* the dump's manifest, for the report */
	struct ledger_drift *drift;	/* one per migration ledger in db */
	struct secret_hits hits;	/* secrets found by content */
	int uploaded;		/* settings->upload: 1 the archive's upload checked, -1 failed */
	struct s3_upload_result upload;
};

/* An already written file recorded as it is: the size and hash its writer returned. */
static void
record_written(struct full_job *job, const char *rel, uint64_t size, const char *sha256)
{
	struct staged_file *sf;

	job->files = xrealloc(job->files, (job->nfiles + 1) * sizeof(*job->files));
	sf = &job->files[job->nfiles++];
	sf->path = xstrdup(rel);
	sf->size = size;
	snprintf(sf->sha256, sizeof(sf->sha256), "%s", sha256);
}

typedef int (*stage_fn)(struct full_job *job, void *arg, struct pipe *out);

/* Every staged file goes through sha256 -> atomic file and into the manifest. */
static int
stage_file(struct full_job *job, const char *rel, stage_fn fn, void *arg)
{
	struct pipe *p = NULL;
	char *path = xasprintf("%s/%s", job->staging, rel), hex[65];
	json_t *probe = json_string(rel);
	int rc = -1;

	/* MANIFEST.json and the tar headers hold names as UTF-8: say so rather than lose a file. */
	if (probe == NULL) {
		log_error("cannot back up %s: its name is not valid UTF-8 (rename it or exclude it in .lotbackupignore)", rel);
		goto out;
	}
	json_decref(probe);

	if (fs_mkdirs_for(job->staging, rel) < 0)
		goto out;
	p = pipe_new();
	pipe_add_sha256(p);
	if (pipe_to_file(p, path, 0600) < 0)
		goto out;
	if (fn(job, arg, p) < 0 || pipe_finish(p) < 0 || pipe_publish(p) < 0)
		goto out;
	pipe_sha256_hex(p, hex);
	record_written(job, rel, pipe_bytes(p, PIPE_OUT), hex);
	rc = 0;
out:
	pipe_free(p);
	free(path);
	return rc;
}

/* 1 when the backup already holds REL (listed twice). */
static int
fs_exists_in(const struct full_job *job, const char *rel)
{
	size_t i;

	for (i = 0; i < job->nfiles; i++)
		if (strcmp(job->files[i].path, rel) == 0)
			return 1;
	return 0;
}

static int
stage_git_info(struct full_job *job, void *arg, struct pipe *out)
{
	(void)arg;
	return gitsnap_write_info(job->git, out);
}

static int
stage_git_log(struct full_job *job, void *arg, struct pipe *out)
{
	(void)arg;
	return gitsnap_write_log(job->git, LOG_COMMITS, out);
}

static int
stage_git_status(struct full_job *job, void *arg, struct pipe *out)
{
	(void)arg;
	return gitsnap_write_status(job->git, out);
}

/* A file's diff with a secret in it stays out of the patch. */
static int
patch_has_secret(void *ctx, const char *path, const char *diff, size_t len)
{
	struct full_job *job = ctx;

	return secret_hits_scan(&job->hits, path, NULL, diff, len, SECRET_PATCH_LEFT_OUT, NULL, NULL) > 0;
}

/* project_rules_is_secret() for the rules in a job. */
static int
job_path_is_secret(void *ctx, const char *path)
{
	return project_rules_is_secret(((struct full_job *)ctx)->rules, path);
}

static int
stage_git_patch(struct full_job *job, void *arg, struct pipe *out)
{
	(void)arg;
	return gitsnap_write_patch(job->git, job_path_is_secret, patch_has_secret, job, out);
}

/* Tracked files (HEAD's, or every commit's with --scan-history): found secrets are warned about. */
static int
scan_tracked_blob(void *ctx, const char *path, const char *commit, const void *data, size_t len)
{
	struct full_job *job = ctx;
	int in_head = strcmp(commit, job->summary.head) == 0;

	secret_hits_scan(&job->hits, path, in_head ? NULL : commit, data, len,
	    in_head ? SECRET_IN_HEAD : SECRET_IN_HISTORY, NULL, NULL);
	return 0;
}

static int
stage_git_bundle(struct full_job *job, void *arg, struct pipe *out)
{
	(void)arg;
	return gitsnap_write_bundle(job->git, job->settings->allow_broken_git, out);
}

static int
stage_copy_abs(struct full_job *job, void *arg, struct pipe *out)
{
	(void)job;
	return pipe_read_file(out, arg, 0, 0);
}

static int
stage_git_refs(struct full_job *job, void *arg, struct pipe *out)
{
	(void)arg;
	return gitsnap_write_refs(job->git, out);
}

/* Bytes of pack files and loose objects; -1 when the store borrows objects (alternates). */
static long long
object_store_bytes(const char *dir, int top)
{
	struct dirent *de;
	long long total = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return 0;
	while (total >= 0 && (de = readdir(d)) != NULL) {
		char *p;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(p, &st) != 0) {
			free(p);
			continue;	/* gone since readdir: nothing to count */
		}
		if (top && strcmp(de->d_name, "info") == 0) {
			char *alt = xasprintf("%s/alternates", p);

			if (access(alt, F_OK) == 0)
				total = -1;
			free(alt);
		} else if (S_ISDIR(st.st_mode)) {
			long long sub = object_store_bytes(p, 0);

			total = sub < 0 ? -1 : total + sub;
		} else if (S_ISREG(st.st_mode)) {
			total += st.st_size;
		}
		free(p);
	}
	closedir(d);
	return total;
}

/* git/objects/: every pack, index and loose object, as the repository has them. */
static int
stage_object_store(struct full_job *job, const char *dir, const char *rel)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = 0;

	if (d == NULL) {
		log_errno("cannot read %s", dir);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char *p, *r;
		struct stat st;

		if (de->d_name[0] == '.' || (strcmp(rel, "git/objects") == 0 && strcmp(de->d_name, "info") == 0))
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		r = xasprintf("%s/%s", rel, de->d_name);
		if (lstat(p, &st) < 0) {
			log_errno("cannot read %s", p);
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			rc = stage_object_store(job, p, r);
		} else if (S_ISREG(st.st_mode)) {
			rc = stage_file(job, r, stage_copy_abs, p);
		}
		free(p);
		free(r);
	}
	closedir(d);
	return rc;
}

static int
stage_submodule_bundle(struct full_job *job, void *arg, struct pipe *out)
{
	return gitsnap_write_bundle(arg, job->settings->allow_broken_git, out);
}

/*
 * --submodules: each checked-out submodule's history as its own bundle.
 * One not checked out is only recorded (git/info.txt) and said so.
 */
static int
stage_submodules(struct full_job *job)
{
	char **paths = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (gitsnap_submodule_paths(job->git, &paths, &n) < 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		char *dir = xasprintf("%s/%s", job->settings->project_dir, paths[i]);
		char *rel = xasprintf("git/submodules/%s/repo.bundle", paths[i]);
		struct gitsnap *sub = NULL;
		int open_rc = gitsnap_open(dir, &sub);

		if (open_rc == 0 && strcmp(gitsnap_workdir(sub), gitsnap_workdir(job->git)) != 0)
			rc = stage_file(job, rel, stage_submodule_bundle, sub);
		else if (open_rc >= 0)
			log_warn("submodule %s is not checked out: recorded in git/info.txt, history not kept", paths[i]);
		else
			rc = -1;
		gitsnap_free(sub);
		free(dir);
		free(rel);
	}
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

static int
stage_history(struct full_job *job)
{
	char *objects = gitsnap_objects_dir(job->git);
	long long bytes = object_store_bytes(objects, 1);
	int rc;

	job->history_as_objects = bytes >= 0 && (job->settings->git_packs || (unsigned long long)bytes > BUNDLE_MAX_OBJECT_BYTES);
	if (bytes < 0 && job->settings->git_packs)
		log_warn("the repository borrows objects from another (alternates): writing a bundle instead of packs");
	if (job->history_as_objects)
		rc = stage_file(job, "git/refs.txt", stage_git_refs, NULL) < 0 ||
		    stage_object_store(job, objects, "git/objects") < 0 ? -1 : 0;
	else
		rc = stage_file(job, "git/repo.bundle", stage_git_bundle, NULL);
	free(objects);
	return rc;
}

/* The project's repository into *git (NULL: none, with --no-git); -1 reported. */
static int
open_git(const struct full_settings *settings, struct gitsnap **git)
{
	int rc = gitsnap_open(settings->project_dir, git);

	if (rc == 1 && !settings->no_git) {
		log_error("%s is not in a git repository (pass --no-git to back up without git state)",
		    settings->project_dir);
		return -1;
	}
	return rc < 0 ? -1 : 0;
}

int
full_preflight(const struct full_settings *settings)
{
	struct gitsnap *git = NULL;
	int rc = open_git(settings, &git);

	gitsnap_free(git);
	return rc;
}

static int
stage_git(struct full_job *job)
{
	if (open_git(job->settings, &job->git) < 0)
		return -1;
	if (job->git == NULL || job->settings->no_git)
		return 0;
	job->have_git = 1;
	if (gitsnap_summary(job->git, project_rules_is_secret, job->rules, &job->summary) < 0)
		return -1;
	if (stage_file(job, "git/info.txt", stage_git_info, NULL) < 0 ||
	    stage_file(job, "git/log.txt", stage_git_log, NULL) < 0 ||
	    stage_file(job, "git/status.txt", stage_git_status, NULL) < 0 ||
	    stage_file(job, "git/uncommitted.patch", stage_git_patch, NULL) < 0 || stage_history(job) < 0 ||
	    (job->settings->submodules && stage_submodules(job) < 0))
		return -1;
	for (size_t i = 0; i < job->summary.nsecret_paths; i++)
		log_warn("secret-looking file tracked in git history: %s (the bundle keeps history as it is)",
		    job->summary.secret_paths[i]);
	if (gitsnap_for_each_blob(job->git, job->settings->scan_history, scan_tracked_blob, job) < 0)
		return -1;
	if (secret_hits_in_git(&job->hits))
		log_warn("rotate the credentials found in git above: this backup's history and every clone hold them");
	return 0;
}

/* A project file's bytes, as read for the scan. */
struct scanned_file {
	char *text;
	size_t len;
};

/* Lists PATH as left out, with WHY (taken). */
static void
exclude_file(struct full_job *job, const char *path, char *why)
{
	struct project_exclusion *e;

	job->scan.excluded = xrealloc(job->scan.excluded, (job->scan.nexcluded + 1) * sizeof(*job->scan.excluded));
	e = &job->scan.excluded[job->scan.nexcluded++];
	e->path = xstrdup(path);
	e->rule = why;
}

static int
stage_copy_content(struct full_job *job, void *arg, struct pipe *out)
{
	const struct scanned_file *f = arg;

	(void)job;
	return pipe_write(out, f->text, f->len);
}

/*
 * A project file read and scanned before it is copied: a template with a
 * secret is copied with the values replaced (it stays useful), any other
 * file with one is left out and listed as excluded. 0 or -1.
 */
static int
stage_scanned(struct full_job *job, const char *src_rel, const char *dest_rel, int is_template)
{
	char *path = xasprintf("%s/%s", job->settings->project_dir, src_rel), *redacted = NULL;
	struct scanned_file f = { NULL, 0 };
	size_t n;
	int rc = -1;

	if (fs_read_file(path, &f.text, &f.len) != 0) {
		log_errno("cannot read %s", path);
		goto out;
	}
	n = secret_hits_scan(&job->hits, src_rel, NULL, f.text, f.len, is_template ? SECRET_REDACTED : SECRET_LEFT_OUT,
	    is_template ? &redacted : NULL, is_template ? &f.len : NULL);
	if (n > 0 && !is_template) {
		exclude_file(job, src_rel, xasprintf("secret content (%s, line %d)", job->hits.v[job->hits.n - n].rule,
		    job->hits.v[job->hits.n - n].line));
		rc = 0;
		goto out;
	}
	if (redacted) {
		free(f.text);
		f.text = redacted;
	}
	rc = stage_file(job, dest_rel, stage_copy_content, &f);
out:
	free(f.text);
	free(path);
	return rc;
}

/*
 * LOTBACKUP_EXTRA_FILES: comma-separated project-relative glob patterns for
 * files the built-in list does not know (other ecosystems' manifests, a
 * schema in an odd place). They go into deps/; the secret rules still apply.
 */
static int
stage_extra_files(struct full_job *job)
{
	char *list = xstrdup(job->settings->extra_files), *save = NULL, *pat;
	int rc = 0;

	for (pat = strtok_r(list, ",", &save); pat && rc == 0; pat = strtok_r(NULL, ",", &save)) {
		char *full;
		glob_t g;
		size_t i, plen = strlen(job->settings->project_dir) + 1;

		while (*pat == ' ')
			pat++;
		if (*pat == '\0')
			continue;
		if (pat[0] == '/' || strstr(pat, "..")) {
			log_error("LOTBACKUP_EXTRA_FILES: '%s' must be a path inside the project", pat);
			rc = -1;
			break;
		}
		full = xasprintf("%s/%s", job->settings->project_dir, pat);
		if (glob(full, GLOB_NOSORT | GLOB_ERR, NULL, &g) != 0) {
			log_warn("LOTBACKUP_EXTRA_FILES: nothing matches '%s'", pat);
			free(full);
			continue;
		}
		for (i = 0; i < g.gl_pathc && rc == 0; i++) {
			const char *rel = g.gl_pathv[i] + plen, *why;
			struct stat st;
			char *dest;

			if (lstat(g.gl_pathv[i], &st) < 0 || !S_ISREG(st.st_mode))
				continue;
			if ((why = project_rules_excluded(job->rules, rel, 0)) != NULL) {
				log_warn("LOTBACKUP_EXTRA_FILES: %s left out (%s)", rel, why);
				continue;
			}
			dest = xasprintf("deps/%s", rel);
			if (fs_exists_in(job, dest) == 0)
				rc = stage_scanned(job, rel, dest, 0);
			free(dest);
		}
		globfree(&g);
		free(full);
	}
	free(list);
	return rc;
}

static int
stage_project_files(struct full_job *job)
{
	size_t i;

	if (project_scan(job->settings->project_dir, job->settings->output_dir, job->rules, &job->scan) < 0)
		return -1;
	for (i = 0; i < job->scan.nfiles; i++) {
		const struct project_file *f = &job->scan.files[i];
		char *rel = xasprintf("%s/%s", f->kind == PROJECT_FILE_DEPS ? "deps" : "config", f->path);
		int rc = stage_scanned(job, f->path, rel, f->kind == PROJECT_FILE_CONFIG);

		free(rel);
		if (rc < 0)
			return -1;
	}
	return job->settings->extra_files ? stage_extra_files(job) : 0;
}

/*
 * The database's migration ledgers against the project's migration files:
 * code not applied to the database, or a database ahead of the code, is
 * what a restore of this backup would trip on. Warned here, and recorded
 * in SYSTEM-STATE.md and MANIFEST.json.
 */
static void
check_migrations(struct full_job *job)
{
	const char *project = job->settings->project_dir;
	size_t i;
	char *list;

	job->drift = xcalloc(job->db.nledgers + 1, sizeof(*job->drift));
	for (i = 0; i < job->db.nledgers; i++) {
		struct ledger_drift *d = &job->drift[i];

		ledger_drift(project, &job->db.ledgers[i], d);
		if (d->dir == NULL)
			log_warn("the database records %s migrations in %s, but %s has no %s migration files to compare "
			    "them with", d->ledger->tool, d->ledger->table, project, d->ledger->tool);
		if (d->npending > 0) {
			list = ledger_name_list(d->pending, d->npending, 5);
			log_warn("%zu migrations in %s/ are not applied to the database (%s): %s; '%s' applies them",
			    d->npending, d->dir, d->ledger->tool, list, d->command);
			free(list);
		}
		if (d->nunknown > 0) {
			list = ledger_name_list(d->unknown, d->nunknown, 5);
			log_warn("the database has %zu %s migrations applied that %s/ does not have: %s (the database is "
			    "ahead of the checked-out code)", d->nunknown, d->ledger->tool, d->dir ? d->dir : project, list);
			free(list);
		}
	}
}

static json_t *
names_json(char *const *list, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

static json_t *
migrations_json(const struct full_job *job)
{
	json_t *all = json_array();
	size_t i;

	for (i = 0; i < job->db.nledgers; i++) {
		const struct ledger_drift *d = &job->drift[i];

		json_array_append_new(all, json_pack("{s:s, s:s, s:I, s:s?, s:o, s:o, s:s}", "tool", d->ledger->tool,
		    "table", d->ledger->table, "applied", (json_int_t)d->ledger->napplied, "dir", d->dir,
		    "pending", names_json(d->pending, d->npending), "unknown", names_json(d->unknown, d->nunknown),
		    "command", d->command));
	}
	return all;
}

static void
migrations_markdown(const struct full_job *job, struct strbuf *sb)
{
	size_t i, j;

	if (job->db.nledgers == 0)
		return;
	strbuf_puts(sb, "\n## Migrations\n\n");
	for (i = 0; i < job->db.nledgers; i++) {
		const struct ledger_drift *d = &job->drift[i];

		strbuf_printf(sb, "- %s, ledger `%s`: %zu applied; files in `%s`: %zu pending, %zu unknown to the code;"
		    " apply with `%s`\n", d->ledger->tool, d->ledger->table, d->ledger->napplied,
		    d->dir ? d->dir : "(none found)", d->npending, d->nunknown, d->command);
		for (j = 0; j < d->npending; j++)
			strbuf_printf(sb, "  - pending: `%s`\n", d->pending[j]);
		for (j = 0; j < d->nunknown; j++)
			strbuf_printf(sb, "  - applied, not in the code: `%s`\n", d->unknown[j]);
	}
}

static int
stage_database(struct full_job *job)
{
	struct db_job db = job->settings->db;
	struct db_result result;
	char *rel = NULL, *mrel = NULL;
	int rc = -1;

	memset(&result, 0, sizeof(result));
	if (!job->settings->db_configured) {
		if (job->settings->require_db) {
			log_error("no database configured (DATABASE_URL, --dbname or PG* variables) and --require-db given");
			return -1;
		}
		job->db_note = xstrdup("not included: no DATABASE_URL, --dbname or PG* variables were set");
		log_warn("no database configured: the full backup has no database dump");
		return 0;
	}
	db.output_dir = xasprintf("%s/db", job->staging);
	/* A failing dump fails the whole full backup: nothing is published. */
	if (backup_db_run(&db, &result) < 0)
		goto out;
	rel = xasprintf("db/%s", result.name);
	mrel = xasprintf("db/%s%s", result.name, MANIFEST_SUFFIX);
	/* Sizes and hashes as the dump computed them: neither file is read again. */
	record_written(job, rel, result.manifest.bytes, result.manifest.sha256);
	record_written(job, mrel, result.manifest_bytes, result.manifest_sha256);
	job->db = result.manifest;
	memset(&result.manifest, 0, sizeof(result.manifest));
	job->db_included = 1;
	job->db_note = xasprintf("included: %s", rel);
	check_migrations(job);
	rc = 0;
out:
	free((char *)db.output_dir);
	db_result_free(&result);
	free(rel);
	free(mrel);
	return rc;
}

static void
os_name(char *buf, size_t len)
{
	char *text = NULL, *p;

	snprintf(buf, len, "unknown");
	if (fs_read_file("/etc/os-release", &text, NULL) != 0)
		return;
	if ((p = strstr(text, "PRETTY_NAME=")) != NULL) {
		p += strlen("PRETTY_NAME=");
		if (*p == '"')
			p++;
		snprintf(buf, len, "%.*s", (int)strcspn(p, "\"\n"), p);
	}
	free(text);
}

static int
stage_system_state(struct full_job *job, void *arg, struct pipe *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct utsname u;
	char host[256] = "unknown", os[128], size[32];
	size_t i;
	int rc;

	(void)arg;
	gethostname(host, sizeof(host) - 1);
	os_name(os, sizeof(os));
	uname(&u);
	strbuf_printf(&sb, "# System state\n\n| | |\n|---|---|\n| When | %s |\n| Host | %s |\n| OS | %s (%s %s) |\n"
	    "| Tool | lotbackup %s |\n| Project | %s |\n\n", job->started_at, host, os, u.sysname, u.release,
	    LOTBACKUP_VERSION, job->settings->project_dir);
	strbuf_puts(&sb, "## Git\n\n");
	if (job->have_git) {
		strbuf_printf(&sb, "- HEAD: %s\n- Branch: %s\n", job->summary.head[0] ? job->summary.head : "(unborn)",
		    job->summary.branch ? job->summary.branch : "(detached)");
		if (job->summary.upstream)
			strbuf_printf(&sb, "- Upstream: %s, %zu ahead, %zu behind\n", job->summary.upstream,
			    job->summary.ahead, job->summary.behind);
		strbuf_printf(&sb, "- Working tree: %zu staged, %zu modified, %zu untracked, %zu ignored, %zu conflicted\n"
		    "- History: %s\n",
		    job->summary.staged, job->summary.modified, job->summary.untracked, job->summary.ignored,
		    job->summary.conflicted, job->history_as_objects
		    ? "git/objects/ is a copy of the repository's pack files and loose objects, git/refs.txt its refs "
		    "(too large to repack quickly with libgit2); `lotbackup restore --to` rebuilds the repository"
		    : "git/repo.bundle holds every ref (`git clone repo.bundle`)");
		if (job->summary.nsecret_paths > 0) {
			strbuf_puts(&sb, "\n**Warning:** files that look like secrets are tracked in git history. The bundle "
			    "keeps history as it is, so it contains them:\n\n");
			for (i = 0; i < job->summary.nsecret_paths; i++)
				strbuf_printf(&sb, "- `%s`\n", job->summary.secret_paths[i]);
		}
	} else {
		strbuf_puts(&sb, "Not a git repository (--no-git): no git state recorded.\n");
	}
	secret_hits_markdown(&job->hits, &sb);
	strbuf_printf(&sb, "\n## Database\n\n%s\n", job->db_note ? job->db_note : "not included");
	if (job->db_included) {
		strbuf_printf(&sb, "\n- Server: PostgreSQL %s, database `%s`\n\n| Table | Rows | COPY bytes |\n|---|---:|---:|\n",
		    job->db.server_version, job->db.database);
		for (i = 0; i < job->db.ntables; i++) {
			format_size(job->db.tables[i].data_bytes, size, sizeof(size));
			strbuf_printf(&sb, "| `%s` | %lld | %s |\n", job->db.tables[i].qualified, job->db.tables[i].rows, size);
		}
		migrations_markdown(job, &sb);
	}
	strbuf_puts(&sb, "\n## Included\n\n");
	for (i = 0; i < job->nfiles; i++)
		strbuf_printf(&sb, "- `%s`\n", job->files[i].path);
	strbuf_puts(&sb, "\n## Excluded\n\nSecrets (.env, keys, certificates, credentials) never go in.\n\n");
	for (i = 0; i < job->scan.nexcluded; i++)
		strbuf_printf(&sb, "- `%s`: %s\n", job->scan.excluded[i].path, job->scan.excluded[i].rule);
	rc = pipe_write(out, sb.buf, sb.len);
	strbuf_free(&sb);
	return rc;
}

static char *
manifest_json(const struct full_job *job, const char *finished_at)
{
	json_t *root = json_object(), *files = json_array(), *excluded = json_array(), *secrets = json_array();
	size_t i;

	for (i = 0; i < job->nfiles; i++)
		json_array_append_new(files, json_pack("{s:s, s:I, s:s}", "path", job->files[i].path,
		    "size", (json_int_t)job->files[i].size, "sha256", job->files[i].sha256));
	for (i = 0; i < job->scan.nexcluded; i++)
		json_array_append_new(excluded, json_pack("{s:s, s:s}", "path", job->scan.excluded[i].path,
		    "rule", job->scan.excluded[i].rule));
	for (i = 0; i < job->summary.nsecret_paths; i++)
		json_array_append_new(secrets, json_string(job->summary.secret_paths[i]));
	json_object_set_new(root, "format", json_integer(1));
	json_object_set_new(root, "kind", json_string("full"));
	json_object_set_new(root, "name", json_string(job->dir_name));
	json_object_set_new(root, "tool_version", json_string(LOTBACKUP_VERSION));
	json_object_set_new(root, "started_at", json_string(job->started_at));
	json_object_set_new(root, "finished_at", json_string(finished_at));
	json_object_set_new(root, "git", job->have_git ? json_pack("{s:s, s:s?, s:s, s:o}",
	    "commit", job->summary.head, "branch", job->summary.branch, "history", job->history_as_objects
	    ? "git/objects + git/refs.txt (copy of the object store: repacking with libgit2 is too slow at this size)"
	    : "git/repo.bundle (libgit2 packbuilder)",
	    "secret_paths_in_history", secrets) : json_null());
	if (!job->have_git)
		json_decref(secrets);
	json_object_set_new(root, "database", json_pack("{s:b, s:s}", "included", job->db_included,
	    "note", job->db_note ? job->db_note : ""));
	if (job->db_included && job->db.nledgers > 0)
		json_object_set_new(root, "migrations", migrations_json(job));
	json_object_set_new(root, "files", files);
	json_object_set_new(root, "excluded", excluded);
	json_object_set_new(root, "secrets_by_content", secret_hits_json(&job->hits));
	return json_text(root);
}

/*
 * The sidecar beside the archive: its size and hash (of the file as
 * stored), and for an encrypted one the key's kind and fingerprint, never
 * the key; through the same atomic file as all else.
 */
static int
write_sidecar(const char *archive_path, int encrypted, uint64_t bytes, const char *sha256)
{
	char *path = xasprintf("%s%s", archive_path, MANIFEST_SUFFIX), *text = NULL, fp[CRYPT_FP_HEX];
	json_t *root = json_pack("{s:i, s:s, s:s, s:I, s:s}", "format", 1, "kind", "full",
	    "file", strrchr(archive_path, '/') + 1, "bytes", (json_int_t)bytes, "sha256", sha256);
	enum crypt_kind kind;
	struct pipe *p = NULL;
	int rc = -1;

	if (encrypted) {
		if (crypt_write_fingerprint(fp, &kind) < 0) {
			json_decref(root);
			goto out;
		}
		json_object_set_new(root, "encryption",
		    manifest_encryption_json(kind == CRYPT_KIND_FILE ? "key-file" : "passphrase", fp));
	}
	text = json_text(root);
	p = pipe_new();
	pipe_to_file(p, path, 0600);
	rc = pipe_puts(p, text) < 0 || pipe_finish(p) < 0 || pipe_publish(p) < 0 ? -1 : 0;
out:
	pipe_free(p);
	free(text);
	free(path);
	return rc;
}

/* The archive holds the same tree as the directory, under its name. */
static int
write_archive(struct full_job *job)
{
	struct pipe *p = pipe_new();
	struct tar_writer *tw = NULL;
	struct progress *bar = NULL;
	char *member = NULL, *src = NULL, *side_path = NULL, hex[65];
	uint64_t total = 0;
	size_t i;
	int rc = -1;

	for (i = 0; i < job->nfiles; i++)
		total += job->files[i].size;
	/* The tar stream before compression: the staged files' bytes, plus headers. */
	if ((bar = progress_start("archive", total, 1)) != NULL)
		pipe_add_progress(p, bar);
	pipe_add_gzip(p, job->settings->compress_level, 0);
	/* After gzip, before the hash: the sidecar describes the file as stored. */
	if (job->settings->encrypt)
		pipe_add_encrypt(p);
	pipe_add_sha256(p);
	if (job->settings->upload != NULL) {
		const char *prefix = job->settings->upload->prefix;

		free(member);
		member = xasprintf("%s%s", prefix ? prefix : "", strrchr(job->archive_path, '/') + 1);
		pipe_add_s3_upload(p, job->settings->upload, member, 1);
	}
	if (pipe_to_file(p, job->archive_path, 0600) < 0)
		goto out;
	if ((tw = tar_writer_open(p, job->settings->compress_level)) == NULL || tar_writer_add_dir(tw, job->dir_name, job->when) < 0)
		goto out;
	/* MANIFEST.json first, so a reader can check each member as it streams by. */
	for (i = 0; i <= job->nfiles; i++) {
		const char *rel = i == 0 ? FULL_MANIFEST_NAME : job->files[i - 1].path;

		free(member);
		free(src);
		member = xasprintf("%s/%s", job->dir_name, rel);
		src = xasprintf("%s/%s", job->staging, rel);
		if (tar_writer_add_file(tw, member, src) < 0)
			goto out;
	}
	if (tar_writer_close(tw) < 0 || pipe_finish(p) < 0)
		goto out;
	progress_end(bar);
	bar = NULL;
	pipe_sha256_hex(p, hex);
	if (job->settings->upload != NULL)
		job->uploaded = pipe_s3_upload_result(p, &job->upload) == 0 ? 1 : -1;
	if (write_sidecar(job->archive_path, job->settings->encrypt, pipe_bytes(p, PIPE_OUT), hex) < 0)
		goto out;
	if (pipe_publish(p) < 0) {
		side_path = xasprintf("%s%s", job->archive_path, MANIFEST_SUFFIX);
		unlink(side_path);
		goto out;
	}
	rc = 0;
out:
	progress_end(bar);
	tar_writer_free(tw);
	pipe_free(p);
	free(member);
	free(src);
	free(side_path);
	return rc;
}

static int
pick_names(struct full_job *job)
{
	int attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		char *archive_name;
		int e1, e2, e3;

		job->when = time(NULL);
		job->dir_name = backup_name_make(BACKUP_FULL_DIR, job->when);
		archive_name = backup_name_make(BACKUP_FULL_ARCHIVE, job->when);
		job->dir_path = xasprintf("%s/%s", job->settings->output_dir, job->dir_name);
		job->archive_path = xasprintf("%s/%s%s", job->settings->output_dir, archive_name,
		    job->settings->encrypt ? ENCRYPTED_SUFFIX : "");
		job->staging = xasprintf("%s.tmp", job->dir_path);
		free(archive_name);
		e1 = fs_exists(job->dir_path);
		e2 = fs_exists(job->archive_path);
		e3 = fs_exists(job->staging);
		if (e1 < 0 || e2 < 0 || e3 < 0)
			return -1;
		if (!e1 && !e2 && !e3)
			return 0;
		free(job->dir_name);
		free(job->dir_path);
		free(job->archive_path);
		free(job->staging);
		job->dir_name = job->dir_path = job->archive_path = job->staging = NULL;
		sleep(1);
	}
	log_error("cannot find a free full backup name in %s: names for the last seconds are taken", job->settings->output_dir);
	return -1;
}

int
full_backup_run(const struct full_settings *settings, char **published, int *uploaded,
    struct s3_upload_result *upload)
{
	struct full_job job;
	char *manifest = NULL, *manifest_path = NULL, *finished = NULL;
	/* Encrypted, the archive alone: a directory beside it would hold the same files in plaintext. */
	int want_dir = settings->output != FULL_ARCHIVE_ONLY && !settings->encrypt;
	int want_archive = settings->output != FULL_DIR_ONLY || settings->encrypt;
	int staged = 0, archived = 0, rc = -1;
	size_t i;

	memset(&job, 0, sizeof(job));
	job.settings = settings;
	if (fs_mkdir_private(settings->output_dir) < 0 || pick_names(&job) < 0)
		goto out;
	if (mkdir(job.staging, 0700) < 0) {
		log_errno("cannot create %s", job.staging);
		goto out;
	}
	staged = 1;
	/* Messages name what the operator will find: the final directory, or the archive's members. */
	if (want_dir)
		log_path_alias(job.staging, job.dir_path);
	else
		log_path_alias_member(job.staging, job.archive_path);
	job.started_at = iso_time_now();
	if (project_rules_load(settings->project_dir, &job.rules) < 0 || stage_git(&job) < 0 ||
	    stage_project_files(&job) < 0 || stage_database(&job) < 0 ||
	    stage_file(&job, "SYSTEM-STATE.md", stage_system_state, NULL) < 0)
		goto out;
	finished = iso_time_now();
	manifest = manifest_json(&job, finished);
	manifest_path = xasprintf("%s/%s", job.staging, FULL_MANIFEST_NAME);
	if (fs_write_file_atomic(manifest_path, manifest, strlen(manifest), 0600, 1) < 0)
		goto out;
	if (want_archive) {
		if (write_archive(&job) < 0)
			goto out;
		archived = 1;
	}
	log_path_alias(NULL, NULL);
	if (want_dir) {
		if (fs_rename_noreplace(job.staging, job.dir_path) < 0)
			goto out;
		staged = 0;
		/* Whole and in place: failing now would leave it published by a failed run. */
		if (fs_fsync_parent(job.dir_path) < 0)
			log_warn("%s is published but its directory could not be synced: a power cut now could lose it",
			    job.dir_path);
	}
	log_info("wrote %s%s%s (%zu files)", want_dir ? job.dir_path : "", want_dir && want_archive ? " and " : "",
	    want_archive ? job.archive_path : "", job.nfiles + 1);
	*published = xstrdup(want_archive ? job.archive_path : job.dir_path);
	*uploaded = job.uploaded;
	*upload = job.upload;
	rc = 0;
out:
	log_path_alias(NULL, NULL);
	if (staged)
		fs_remove_tree(job.staging);
	if (rc < 0 && archived) {
		/* Published a moment ago, but the run failed after: take it back. */
		char *side = xasprintf("%s%s", job.archive_path, MANIFEST_SUFFIX);

		unlink(job.archive_path);
		unlink(side);
		free(side);
	}
	for (i = 0; i < job.nfiles; i++)
		free(job.files[i].path);
	free(job.files);
	project_rules_free(job.rules);
	project_scan_free(&job.scan);
	gitsnap_summary_free(&job.summary);
	secret_hits_free(&job.hits);
	gitsnap_free(job.git);
	for (i = 0; job.drift != NULL && i < job.db.nledgers; i++)
		ledger_drift_free(&job.drift[i]);
	free(job.drift);
	manifest_free(&job.db);
	free(job.db_note);
	free(job.dir_name);
	free(job.dir_path);
	free(job.archive_path);
	free(job.staging);
	free(job.started_at);
	free(manifest);
	free(manifest_path);
	free(finished);
	return rc;
}
