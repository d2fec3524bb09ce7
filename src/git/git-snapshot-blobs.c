/* The content of tracked files, for the secret scan: HEAD's tree, or every blob in history. */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "git/git-snapshot-internal.h"
#include "git/git-snapshot.h"
#include "base/log.h"
#include "base/strbuf.h"

/* Larger blobs are data (images, dumps, archives), not configuration; reading them would cost the most. */
#define BLOB_MAX_BYTES (16u * 1024 * 1024)

struct blob_walk {
	struct gitsnap *g;
	gitsnap_blob_fn fn;
	void *ctx;
	const char *commit;		/* hex of the commit being walked */
	struct gitsnap_set seen;	/* tree and blob ids already read */
	size_t unreadable;
	int failed;
};

static void
walk_blob(struct blob_walk *w, const git_oid *id, const char *path)
{
	git_blob *blob = NULL;

	if (!gitsnap_set_add(&w->seen, id->id, GIT_OID_RAWSZ))
		return;
	if (git_blob_lookup(&blob, w->g->repo, id) < 0) {
		w->unreadable++;	/* absent from a partial mirror: counted, said once */
		return;
	}
	if (git_blob_rawsize(blob) <= BLOB_MAX_BYTES &&
	    w->fn(w->ctx, path, w->commit, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob)) < 0)
		w->failed = 1;
	git_blob_free(blob);
}

static void
walk_tree(struct blob_walk *w, const git_oid *id, struct strbuf *path)
{
	git_tree *tree = NULL;
	size_t i, n, base = path->len;

	if (w->failed || !gitsnap_set_add(&w->seen, id->id, GIT_OID_RAWSZ))
		return;
	if (git_tree_lookup(&tree, w->g->repo, id) < 0) {
		w->unreadable++;
		return;
	}
	n = git_tree_entrycount(tree);
	for (i = 0; i < n && !w->failed; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		git_object_t type = git_tree_entry_type(e);

		if (type != GIT_OBJECT_TREE && type != GIT_OBJECT_BLOB)
			continue;	/* a submodule commit */
		strbuf_puts(path, git_tree_entry_name(e));
		if (type == GIT_OBJECT_TREE) {
			strbuf_putc(path, '/');
			walk_tree(w, git_tree_entry_id(e), path);
		} else if (git_tree_entry_filemode(e) != GIT_FILEMODE_LINK) {
			walk_blob(w, git_tree_entry_id(e), strbuf_str(path));
		}
		path->len = base;
		path->buf[base] = '\0';
	}
	git_tree_free(tree);
}

/* Pushes every ref that leads to a commit; one broken ref does not stop the rest. */
static int
push_refs(struct gitsnap *g, git_revwalk *walk)
{
	struct gitsnap_refs refs = { NULL, 0 };
	size_t i;

	if (gitsnap_collect_refs(g, 1, &refs) < 0)
		return -1;
	for (i = 0; i < refs.n; i++) {
		git_object *obj = NULL, *commit = NULL;

		if (git_object_lookup(&obj, g->repo, &refs.v[i].oid, GIT_OBJECT_ANY) == 0 &&
		    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0)
			git_revwalk_push(walk, git_object_id(commit));
		git_object_free(commit);
		git_object_free(obj);
	}
	gitsnap_refs_free(&refs);
	return 0;
}

static int
walk_commit(struct blob_walk *w, const git_oid *oid, struct strbuf *path)
{
	git_commit *commit = NULL;
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), oid);
	if (git_commit_lookup(&commit, w->g->repo, oid) < 0) {
		w->unreadable++;
		return 0;
	}
	w->commit = hex;
	walk_tree(w, git_commit_tree_id(commit), path);
	w->commit = NULL;
	git_commit_free(commit);
	return w->failed ? -1 : 0;
}

int
gitsnap_for_each_blob(struct gitsnap *g, int all_history, gitsnap_blob_fn fn, void *ctx)
{
	struct blob_walk w;
	struct strbuf path = STRBUF_INIT;
	git_revwalk *walk = NULL;
	git_oid oid;
	int rc = -1, err;

	memset(&w, 0, sizeof(w));
	w.g = g;
	w.fn = fn;
	w.ctx = ctx;
	strbuf_puts(&path, "");
	if (!all_history) {
		if (git_reference_name_to_id(&oid, g->repo, "HEAD") < 0) {
			rc = 0;	/* an unborn branch: nothing tracked yet */
			goto out;
		}
		rc = walk_commit(&w, &oid, &path);
		goto out;
	}
	if (git_revwalk_new(&walk, g->repo) < 0 || push_refs(g, walk) < 0) {
		gitsnap_git_error("cannot walk the history of %s", g->where);
		goto out;
	}
	/* HEAD first, so a file is named by where it stands today when it is there. */
	if (git_reference_name_to_id(&oid, g->repo, "HEAD") == 0 && walk_commit(&w, &oid, &path) < 0)
		goto out;
	while ((err = git_revwalk_next(&oid, walk)) == 0)
		if (walk_commit(&w, &oid, &path) < 0)
			goto out;
	rc = 0;
out:
	if (w.unreadable > 0)
		log_warn("secret scan of %s: %zu objects could not be read (missing from the repository) and were "
		    "not scanned", g->where, w.unreadable);
	git_revwalk_free(walk);
	gitsnap_set_free(&w.seen);
	strbuf_free(&path);
	return rc;
}
