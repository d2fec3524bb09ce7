#ifndef LOTBACKUP_GIT_SNAPSHOT_H
#define LOTBACKUP_GIT_SNAPSHOT_H

#include <stddef.h>

#include "io/pipe.h"

/*
 * The git state of a project, read with libgit2 (never by running git):
 * what `full` records under git/ and what `restore --to` rebuilds from.
 */

/* Decides whether a path (relative to the work tree) is a secret that must not be copied. */
typedef int (*secret_match_fn)(void *ctx, const char *path);

struct gitsnap_summary {
	char head[41];		/* HEAD commit hash; "" for an unborn branch */
	char *branch;		/* short name, or NULL when detached */
	char *upstream;		/* e.g. origin/main, or NULL */
	size_t ahead, behind;
	size_t staged, modified, untracked, ignored, conflicted;
	size_t nrefs;		/* ref lines in the bundle, HEAD included */
	char **secret_paths;	/* secret-looking paths found in history (HEAD and all refs) */
	size_t nsecret_paths;
};

struct gitsnap;

/*
 * Opens the repository that contains DIR (searching upward like git).
 * Returns 0, 1 when DIR is not in a git repository (nothing reported), or -1
 * (reported).
 */
int gitsnap_open(const char *dir, struct gitsnap **out);
/* Fills the summary: HEAD, branch, upstream, ahead/behind, status counts, secret paths in history. */
int gitsnap_summary(struct gitsnap *g, secret_match_fn is_secret, void *ctx, struct gitsnap_summary *out);
void gitsnap_summary_free(struct gitsnap_summary *s);

/* Text reports, each written into a pipe (one file of git/ each). */
int gitsnap_write_info(struct gitsnap *g, struct pipe *out);	/* HEAD, branch, upstream, remotes (credentials redacted), tags, submodules */
int gitsnap_write_log(struct gitsnap *g, size_t max_commits, struct pipe *out);	/* hash, author, ISO date, subject; tab-separated */
int gitsnap_write_status(struct gitsnap *g, struct pipe *out);	/* git status --porcelain equivalent */
/*
 * Looks at one file's diff text before it goes into the patch: non-zero
 * leaves that file's change out (it holds a secret).
 */
typedef int (*patch_check_fn)(void *ctx, const char *path, const char *diff, size_t len);
/*
 * `git diff HEAD` equivalent, binary-safe, leaving out files is_secret()
 * names and files whose diff check() refuses (check may be NULL).
 */
int gitsnap_write_patch(struct gitsnap *g, secret_match_fn is_secret, patch_check_fn check, void *ctx,
    struct pipe *out);
/*
 * Called with each tracked file's bytes: PATH where it was met, COMMIT (hex)
 * it was met in. Returns 0, or -1 to stop the walk.
 */
typedef int (*gitsnap_blob_fn)(void *ctx, const char *path, const char *commit, const void *data, size_t len);
/*
 * Every file of HEAD's tree; with all_history, every blob of every commit
 * reachable from a ref, each once (HEAD's first). Symlinks, submodules and
 * blobs over 16 MiB are skipped; unreadable objects are counted and warned
 * about once. 0 or -1 (reported).
 */
int gitsnap_for_each_blob(struct gitsnap *g, int all_history, gitsnap_blob_fn fn, void *ctx);
/*
 * A v2 git bundle of every ref (and HEAD): "# v2 git bundle", "<oid> <ref>"
 * lines, a blank line, then a pack built by libgit2's packbuilder, streamed.
 * A missing object fails naming it, unless allow_broken.
 */
int gitsnap_write_bundle(struct gitsnap *g, int allow_broken, struct pipe *out);
/*
 * The other form of history, for repositories too large to repack quickly
 * (libgit2 recomputes every delta): the refs in the bundle's header format,
 * to go with a copy of the object store (pack files and loose objects).
 */
int gitsnap_write_refs(struct gitsnap *g, struct pipe *out);
/* The work tree (or git directory when bare) the snapshot reads. */
const char *gitsnap_workdir(const struct gitsnap *g);
/* The work-tree paths of the submodules (caller frees each and the array). */
int gitsnap_submodule_paths(struct gitsnap *g, char ***paths, size_t *n);
/* The repository's objects directory (caller frees). */
char *gitsnap_objects_dir(struct gitsnap *g);
void gitsnap_free(struct gitsnap *g);

/*
 * Rebuilds a repository in DIR (new or empty) from a bundle file: objects
 * indexed from its pack, every ref recreated, HEAD set to `head_ref` (or
 * detached at `commit`), and the work tree checked out at `commit`.
 */
int gitsnap_restore_bundle(const char *bundle_path, const char *dir, const char *head_ref,
    const char *commit);
/* The same from a refs file and a copied object store. */
int gitsnap_restore_objects(const char *refs_path, const char *objects_dir, const char *dir,
    const char *head_ref, const char *commit);
/*
 * The tree a restore would check out, read without checking it out:
 * the history (a bundle, or a refs file with objects_dir) rebuilt as a
 * bare repository in SCRATCH (new or empty; the caller removes it), HEAD
 * set as gitsnap_restore_bundle sets it. 0, or -1 (reported).
 */
struct gitsnap_tree;
int gitsnap_tree_open(const char *refs_path, const char *objects_dir, const char *scratch, const char *head_ref,
    const char *commit, struct gitsnap_tree **out);
/*
 * Whether writing PATH into the checked-out tree would pass through
 * something that is not a directory (a symlink, a file), which
 * fs_mkdirs_for refuses: the length of the first such part of PATH, or 0.
 */
size_t gitsnap_tree_blocking(struct gitsnap_tree *t, const char *path);
/* Whether PATH is a symlink in the tree. */
int gitsnap_tree_is_link(struct gitsnap_tree *t, const char *path);
/*
 * What gitsnap_apply_patch would refuse of PATCH_PATH applied to the tree
 * checked out: 0 nothing, 1 refused (why in err), -1 unreadable (reported).
 */
int gitsnap_tree_check_patch(struct gitsnap_tree *t, const char *patch_path, char *err, size_t errlen);
void gitsnap_tree_free(struct gitsnap_tree *t);
/* Applies a patch written by gitsnap_write_patch to the work tree and index of DIR. */
int gitsnap_apply_patch(const char *dir, const char *patch_path);

#endif
