#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "full/full-tree-check.h"
#include "git/git-snapshot.h"

/* Where restore --to writes manifest path P below DIR, with a file name after it; NULL: nowhere. */
static char *
written_at(const char *p)
{
	static const char sub[] = "git/submodules/", bundle[] = "/repo.bundle";
	size_t n = strlen(p);

	if (strncmp(p, "deps/", 5) == 0)
		return xstrdup(p + 5);
	if (strncmp(p, "config/", 7) == 0)
		return xstrdup(p + 7);
	/* A submodule's bundle goes into PATH, which must be a real directory: PATH/x checks it. */
	if (strncmp(p, sub, sizeof(sub) - 1) == 0 && n > sizeof(sub) - 1 + sizeof(bundle) - 1 &&
	    strcmp(p + n - (sizeof(bundle) - 1), bundle) == 0)
		return xasprintf("%.*s/x", (int)(n - (sizeof(sub) - 1) - (sizeof(bundle) - 1)), p + sizeof(sub) - 1);
	return NULL;
}

/* The files put back, then the uncommitted patch (--with-uncommitted) at PATCH, when there is one. */
static void
check_paths(struct gitsnap_tree *t, const char *const *paths, size_t npaths, const char *patch,
    struct verify_result *res)
{
	struct strbuf bad = STRBUF_INIT;
	size_t i, nbad = 0;
	char why[512];
	int prc = access(patch, F_OK) == 0 ? gitsnap_tree_check_patch(t, patch, why, sizeof(why)) : 0;

	for (i = 0; i < npaths; i++) {
		char *rel = written_at(paths[i]);
		size_t n = rel ? gitsnap_tree_blocking(t, rel) : 0;

		if (n > 0 && nbad++ < 3)
			strbuf_printf(&bad, "%s%s: restore --to would refuse it: %.*s is a symlink or a file in the "
			    "committed tree", bad.len ? "; " : "", paths[i], (int)n, rel);
		free(rel);
	}
	if (prc != 0 && nbad++ < 3)
		strbuf_printf(&bad, "%sgit/uncommitted.patch: restore --to --with-uncommitted would refuse it: %s",
		    bad.len ? "; " : "", prc < 0 ? "it cannot be read" : why);
	if (nbad == 0)
		verify_add(res, "tree", 1, "no file restore --to puts back, and no path of the uncommitted patch, "
		    "lies below a symlink or a file of the tree");
	else
		verify_add(res, "tree", 0, "%s%s", strbuf_str(&bad), nbad > 3 ? " (and more)" : "");
	strbuf_free(&bad);
}

void
full_check_tree(const char *base, const char *branch, const char *commit, const char *const *paths, size_t npaths,
    struct verify_result *res)
{
	char *bundle = xasprintf("%s/git/repo.bundle", base), *refs = xasprintf("%s/git/refs.txt", base);
	char *objects = xasprintf("%s/git/objects", base), *patch = xasprintf("%s/git/uncommitted.patch", base);
	char *head_ref = NULL, *scratch = NULL;
	struct gitsnap_tree *t = NULL;
	int has_bundle = access(bundle, F_OK) == 0;

	if (!has_bundle && access(refs, F_OK) != 0) {
		verify_add(res, "tree", 1, "no history: restore --to checks nothing out");
		goto out;
	}
	if ((scratch = fs_temp_dir("tree")) == NULL) {
		verify_add(res, "tree", 0, "cannot read the committed tree: no temporary directory (see above)");
		goto out;
	}
	if (branch)
		head_ref = xasprintf("refs/heads/%s", branch);
	if (gitsnap_tree_open(has_bundle ? bundle : refs, has_bundle ? NULL : objects, scratch, head_ref, commit,
	    &t) < 0)
		verify_add(res, "tree", 0, "the history cannot be read back (see above): restore --to would fail");
	else
		check_paths(t, paths, npaths, patch, res);
out:
	gitsnap_tree_free(t);
	if (scratch)
		fs_remove_tree(scratch);
	free(scratch);
	free(bundle);
	free(refs);
	free(objects);
	free(patch);
	free(head_ref);
}
