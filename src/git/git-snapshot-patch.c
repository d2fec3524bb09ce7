/* Uncommitted changes as a binary-safe patch (`git diff HEAD`), and applying one. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <git2.h>

#include "base/fsutil.h"
#include "git/git-snapshot-internal.h"
#include "git/git-snapshot.h"
#include "base/log.h"
#include "base/xalloc.h"

int
gitsnap_write_patch(struct gitsnap *g, secret_match_fn is_secret, patch_check_fn check, void *ctx,
    struct pipe *out)
{
	git_diff_options opts;
	git_object *head_tree = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	git_patch *patch = NULL;
	git_buf buf = { NULL, 0, 0 };
	size_t i, n;
	int rc = -1, err;

	if (git_repository_is_bare(g->repo)) {
		log_error("cannot diff %s: it is a bare repository (no work tree)", g->where);
		return -1;
	}
	err = git_revparse_single(&head_tree, g->repo, "HEAD^{tree}");
	if (err < 0 && git_repository_head_unborn(g->repo) != 1) {
		gitsnap_git_error("cannot read the tree of HEAD in %s", g->where);
		goto out;
	}
	/* An unborn HEAD: a NULL tree diffs against the empty tree. */
	tree = (git_tree *)head_tree;
	/* Full ids and binary hunks, so that `git apply` and git_apply() take it. */
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_SHOW_BINARY;
	opts.id_abbrev = GIT_OID_HEXSZ;
	if (git_diff_tree_to_workdir_with_index(&diff, g->repo, tree, &opts) < 0) {
		gitsnap_git_error("cannot diff the work tree of %s against HEAD", g->where);
		goto out;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (is_secret && ((d->old_file.path && is_secret(ctx, d->old_file.path)) ||
		    (d->new_file.path && is_secret(ctx, d->new_file.path)))) {
			log_info("left out of the git patch of %s: %s (secret)", g->where,
			    d->new_file.path ? d->new_file.path : d->old_file.path);
			continue;
		}
		if (git_patch_from_diff(&patch, diff, i) < 0) {
			gitsnap_git_error("cannot diff %s in %s", d->new_file.path, g->where);
			goto out;
		}
		if (patch == NULL)
			continue;	/* an unchanged entry */
		if (git_patch_to_buf(&buf, patch) < 0) {
			gitsnap_git_error("cannot format the diff of %s in %s", d->new_file.path, g->where);
			goto out;
		}
		if (buf.size > 0 && check && check(ctx, d->new_file.path ? d->new_file.path : d->old_file.path,
		    buf.ptr, buf.size)) {
			log_info("left out of the git patch of %s: %s (secret content)", g->where,
			    d->new_file.path ? d->new_file.path : d->old_file.path);
		} else if (buf.size > 0 && pipe_write(out, buf.ptr, buf.size) < 0) {
			goto out;
		}
		git_buf_dispose(&buf);
		git_patch_free(patch);
		patch = NULL;
	}
	rc = 0;
out:
	git_buf_dispose(&buf);
	git_patch_free(patch);
	git_diff_free(diff);
	git_object_free(head_tree);
	return rc;
}

/* A path git keeps in a tree: relative, no empty, "." or ".." part, nothing in .git. */
static int
patch_path_inside(const char *path)
{
	const char *seg = path;

	if (*path == '\0' || *path == '/')
		return 0;
	for (;;) {
		size_t n = strcspn(seg, "/");

		if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.') ||
		    (n == 4 && strncasecmp(seg, ".git", 4) == 0))
			return 0;
		if (seg[n] == '\0')
			return 1;
		seg += n + 1;
	}
}

/* Whether the patch leaves PATH a symlink (a new file of mode 120000). */
static int
patch_makes_link(git_diff *diff, const char *path)
{
	size_t i, n = git_diff_num_deltas(diff);

	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->status != GIT_DELTA_DELETED && d->new_file.mode == GIT_FILEMODE_LINK &&
		    d->new_file.path != NULL && strcmp(d->new_file.path, path) == 0)
			return 1;
	}
	return 0;
}

/* Whether REL is a symlink in the restored tree: the work tree on disk, or the committed tree. */
struct link_lookup {
	int (*is_link)(const struct link_lookup *l, const char *rel);
	const char *dir;		/* the work tree, for is_link_on_disk */
	struct gitsnap_tree *tree;	/* for gitsnap_tree_is_link */
};

static int
is_link_on_disk(const struct link_lookup *l, const char *rel)
{
	char *full = xasprintf("%s/%s", l->dir, rel);
	struct stat st;
	int link = lstat(full, &st) == 0 && S_ISLNK(st.st_mode);

	free(full);
	return link;
}

static int
is_link_in_tree(const struct link_lookup *l, const char *rel)
{
	return gitsnap_tree_is_link(l->tree, rel);
}

/*
 * PATH (one side of delta D) stays inside the work tree: libgit2 writes
 * through a symlink the checkout brought back, so a committed lnk ->
 * /elsewhere and a patch naming lnk/file would write /elsewhere/file.
 * Every directory on the way must not be a symlink in the restored tree
 * nor one the patch makes, as fs_mkdirs_for demands for deps/; the path
 * itself may be a symlink only where the patch says it was one. 0, or -1
 * with why in err.
 */
static int
check_patch_path(const struct link_lookup *l, git_diff *diff, const git_diff_delta *d, const char *path,
    char *err, size_t errlen)
{
	char *part = xstrdup(path), *p = part;
	int rc = -1;

	if (!patch_path_inside(path)) {
		snprintf(err, errlen, "%s is outside the work tree or inside its .git", path);
		goto out;
	}
	while ((p = strchr(p, '/')) != NULL) {
		*p = '\0';
		if (l->is_link(l, part) || patch_makes_link(diff, part)) {
			snprintf(err, errlen, "%s passes through the symlink %s", path, part);
			goto out;
		}
		*p++ = '/';
	}
	if (l->is_link(l, path) && d->old_file.mode != GIT_FILEMODE_LINK) {
		snprintf(err, errlen, "%s is a symlink in the restored tree, not a file", path);
		goto out;
	}
	rc = 0;
out:
	free(part);
	return rc;
}

/* Every path of the patch, both sides, checked before anything is applied. */
static int
check_patch_paths(const struct link_lookup *l, git_diff *diff, char *err, size_t errlen)
{
	size_t i, n = git_diff_num_deltas(diff);

	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->old_file.path != NULL && check_patch_path(l, diff, d, d->old_file.path, err, errlen) < 0)
			return -1;
		if (d->new_file.path != NULL && check_patch_path(l, diff, d, d->new_file.path, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int
gitsnap_tree_check_patch(struct gitsnap_tree *t, const char *patch_path, char *err, size_t errlen)
{
	struct link_lookup l = { is_link_in_tree, NULL, t };
	git_diff *diff = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc = -1;

	if (fs_read_file(patch_path, &text, &len) != 0) {
		log_error("cannot read %s", patch_path);
		return -1;
	}
	if (len == 0) {
		rc = 0;
	} else if (git_diff_from_buffer(&diff, text, len) < 0) {
		snprintf(err, errlen, "it cannot be parsed as a patch");
		rc = 1;
	} else {
		rc = check_patch_paths(&l, diff, err, errlen) < 0 ? 1 : 0;
	}
	git_diff_free(diff);
	free(text);
	return rc;
}

int
gitsnap_apply_patch(const char *dir, const char *patch_path)
{
	struct link_lookup l = { is_link_on_disk, dir, NULL };
	git_repository *repo = NULL;
	git_diff *diff = NULL;
	char *text = NULL, err[PATH_MAX + 128];
	size_t len = 0;
	int rc = -1, r;

	r = fs_read_file(patch_path, &text, &len);
	if (r == 1)
		log_error("cannot apply %s: no such file", patch_path);
	if (r != 0)
		return -1;
	if (len == 0) {
		free(text);
		return 0;	/* no uncommitted changes were recorded */
	}
	if (git_libgit2_init() < 0) {
		gitsnap_git_error("cannot initialise libgit2");
		free(text);
		return -1;
	}
	/* DIR itself, not a repository above it. */
	if (git_repository_open_ext(&repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		gitsnap_git_error("cannot open the git repository %s", dir);
		goto out;
	}
	if (git_diff_from_buffer(&diff, text, len) < 0) {
		gitsnap_git_error("cannot parse the patch %s", patch_path);
		goto out;
	}
	if (check_patch_paths(&l, diff, err, sizeof(err)) < 0) {
		log_error("refusing to apply %s: %s", patch_path, err);
		goto out;
	}
	if (git_apply(repo, diff, GIT_APPLY_LOCATION_BOTH, NULL) < 0) {
		gitsnap_git_error("cannot apply %s to %s", patch_path, dir);
		goto out;
	}
	rc = 0;
out:
	git_diff_free(diff);
	git_repository_free(repo);
	free(text);
	git_libgit2_shutdown();
	return rc;
}
