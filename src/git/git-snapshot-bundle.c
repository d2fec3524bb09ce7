/*
 * Git bundles: writing a v2 bundle of every ref with libgit2's packbuilder,
 * and rebuilding a repository from one with its indexer.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <git2.h>

#include "git/git-snapshot-internal.h"
#include "git/git-snapshot.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#define BUNDLE_V2 "# v2 git bundle"
#define BUNDLE_V3 "# v3 git bundle"
#define READ_CHUNK (256 * 1024)

/*
 * What REF points to goes in: a commit to the walk (which adds its history,
 * trees and blobs), an annotated tag itself (insert_walk only adds commits
 * and what they reach), a tree or blob directly.
 */
static int
add_ref_objects(git_repository *repo, git_packbuilder *pb, git_revwalk *walk, const git_oid *id)
{
	git_object *obj = NULL;
	git_oid cur;
	int err;

	git_oid_cpy(&cur, id);
	for (;;) {
		if ((err = git_object_lookup(&obj, repo, &cur, GIT_OBJECT_ANY)) < 0)
			return err;
		switch (git_object_type(obj)) {
		case GIT_OBJECT_TAG:
			err = git_packbuilder_insert(pb, &cur, NULL);
			git_oid_cpy(&cur, git_tag_target_id((git_tag *)obj));
			git_object_free(obj);
			if (err < 0)
				return err;
			continue;	/* a tag of a tag: follow the chain */
		case GIT_OBJECT_COMMIT:
			err = git_revwalk_push(walk, &cur);
			break;
		case GIT_OBJECT_TREE:
			err = git_packbuilder_insert_tree(pb, &cur);
			break;
		default:
			err = git_packbuilder_insert(pb, &cur, NULL);
			break;
		}
		git_object_free(obj);
		return err;
	}
}

/* Fills a packbuilder with everything the refs not skipped reach; libgit2's error is left for the caller. */
static int
build_pack(struct gitsnap *g, const struct gitsnap_refs *refs, const unsigned char *skip,
    git_packbuilder **out)
{
	git_packbuilder *pb = NULL;
	git_revwalk *walk = NULL;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (git_packbuilder_new(&pb, g->repo) < 0 || git_revwalk_new(&walk, g->repo) < 0)
		goto out;
	git_packbuilder_set_threads(pb, 0);	/* 0: one per CPU */
	for (i = 0; i < refs->n; i++)
		if (!skip[i] && add_ref_objects(g->repo, pb, walk, &refs->v[i].oid) < 0)
			goto out;
	if (git_packbuilder_insert_walk(pb, walk) < 0)
		goto out;
	*out = pb;
	pb = NULL;
	rc = 0;
out:
	git_revwalk_free(walk);
	git_packbuilder_free(pb);
	return rc;
}

/*
 * Finding which refs reach a missing object, only after packing failed.
 * Trees and histories found complete are remembered across refs.
 */
struct closure {
	git_repository *repo;
	git_odb *odb;
	struct gitsnap_set good_trees;
	struct gitsnap_set good_commits;	/* commits whose whole history is complete */
	git_oid missing;			/* the object found missing or unreadable */
};

static int
tree_complete(struct closure *cl, const git_oid *id)
{
	git_tree *tree = NULL;
	size_t i, n;
	int broken = 0;

	if (gitsnap_set_has(&cl->good_trees, id->id, GIT_OID_RAWSZ))
		return 1;
	if (git_tree_lookup(&tree, cl->repo, id) < 0) {
		git_oid_cpy(&cl->missing, id);
		return 0;
	}
	n = git_tree_entrycount(tree);
	for (i = 0; i < n && !broken; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const git_oid *eid = git_tree_entry_id(e);

		switch (git_tree_entry_type(e)) {
		case GIT_OBJECT_TREE:
			broken = !tree_complete(cl, eid);
			break;
		case GIT_OBJECT_BLOB:
			if (!git_odb_exists(cl->odb, eid)) {
				git_oid_cpy(&cl->missing, eid);
				broken = 1;
			}
			break;
		default:
			break;	/* a submodule commit lives elsewhere */
		}
	}
	git_tree_free(tree);
	if (!broken)
		gitsnap_set_add(&cl->good_trees, id->id, GIT_OID_RAWSZ);
	return !broken;
}

static void
mark_good(const char *key, size_t len, void *arg)
{
	gitsnap_set_add(arg, key, len);
}

static int
history_complete(struct closure *cl, const git_oid *tip)
{
	struct gitsnap_set seen = { NULL, 0, 0 };
	git_oid *stack = NULL;
	size_t depth = 0, cap = 0;
	int broken = 0;

	stack = xmalloc(sizeof(*stack) * (cap = 64));
	git_oid_cpy(&stack[depth++], tip);
	while (depth > 0 && !broken) {
		git_oid id = stack[--depth];
		git_commit *commit = NULL;
		unsigned int i, np;

		if (gitsnap_set_has(&cl->good_commits, id.id, GIT_OID_RAWSZ) ||
		    !gitsnap_set_add(&seen, id.id, GIT_OID_RAWSZ))
			continue;
		if (git_commit_lookup(&commit, cl->repo, &id) < 0) {
			git_oid_cpy(&cl->missing, &id);
			broken = 1;
			break;
		}
		broken = !tree_complete(cl, git_commit_tree_id(commit));
		np = git_commit_parentcount(commit);
		for (i = 0; i < np && !broken; i++) {
			if (depth == cap)
				stack = xrealloc(stack, sizeof(*stack) * (cap *= 2));
			git_oid_cpy(&stack[depth++], git_commit_parent_id(commit, i));
		}
		git_commit_free(commit);
	}
	if (!broken)
		gitsnap_set_each(&seen, mark_good, &cl->good_commits);
	gitsnap_set_free(&seen);
	free(stack);
	return !broken;
}

static int
object_complete(struct closure *cl, const git_oid *id)
{
	git_oid cur;
	git_object_t type;
	size_t len;

	git_oid_cpy(&cur, id);
	for (;;) {
		git_tag *tag = NULL;

		if (git_odb_read_header(&len, &type, cl->odb, &cur) < 0) {
			git_oid_cpy(&cl->missing, &cur);
			return 0;
		}
		if (type == GIT_OBJECT_COMMIT)
			return history_complete(cl, &cur);
		if (type == GIT_OBJECT_TREE)
			return tree_complete(cl, &cur);
		if (type != GIT_OBJECT_TAG)
			return 1;
		if (git_tag_lookup(&tag, cl->repo, &cur) < 0) {
			git_oid_cpy(&cl->missing, &cur);
			return 0;
		}
		git_oid_cpy(&cur, git_tag_target_id(tag));
		git_tag_free(tag);
	}
}

/*
 * Marks in skip[] the refs that reach a missing object. Without
 * allow_broken the first one is an error; with it, each is a warning.
 */
static int
find_broken(struct gitsnap *g, const struct gitsnap_refs *refs, int allow_broken, unsigned char *skip,
    size_t *nbroken)
{
	struct closure cl;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;
	int rc = -1;

	memset(&cl, 0, sizeof(cl));
	cl.repo = g->repo;
	*nbroken = 0;
	if (git_repository_odb(&cl.odb, g->repo) < 0) {
		gitsnap_git_error("cannot open the object database of %s", g->where);
		goto out;
	}
	for (i = 0; i < refs->n; i++) {
		if (object_complete(&cl, &refs->v[i].oid))
			continue;
		git_oid_tostr(hex, sizeof(hex), &cl.missing);
		(*nbroken)++;
		skip[i] = 1;
		if (!allow_broken) {
			log_error("cannot bundle the git repository %s: %s needs object %s, which is "
			    "missing or unreadable (the repository is damaged: see `git fsck`)", g->where,
			    refs->v[i].name, hex);
			goto out;
		}
		log_warn("git repository %s: leaving %s out of the bundle: object %s is missing or "
		    "unreadable", g->where, refs->v[i].name, hex);
	}
	rc = 0;
out:
	git_odb_free(cl.odb);
	gitsnap_set_free(&cl.good_trees);
	gitsnap_set_free(&cl.good_commits);
	return rc;
}

struct pack_out {
	struct pipe *out;
	int failed;
};

static int
pack_chunk(void *buf, size_t size, void *payload)
{
	struct pack_out *po = payload;

	if (pipe_write(po->out, buf, size) < 0) {
		po->failed = 1;	/* the pipe has said why */
		return GIT_EUSER;
	}
	return 0;
}

int
gitsnap_write_bundle(struct gitsnap *g, int allow_broken, struct pipe *out)
{
	struct gitsnap_refs refs = { NULL, 0 };
	struct strbuf header = STRBUF_INIT, why = STRBUF_INIT;
	struct pack_out po = { out, 0 };
	git_packbuilder *pb = NULL;
	unsigned char *skip = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i, nbroken = 0;
	int rc = -1;

	if (gitsnap_collect_refs(g, 0, &refs) < 0)
		goto out;
	skip = xcalloc(refs.n ? refs.n : 1, 1);
	/* The usual case is one pass; only a failure pays for finding the broken refs. */
	if (build_pack(g, &refs, skip, &pb) < 0) {
		strbuf_puts(&why, git_error_last() ? git_error_last()->message : "unknown libgit2 error");
		if (find_broken(g, &refs, allow_broken, skip, &nbroken) < 0)
			goto out;
		if (nbroken == 0) {
			log_error("cannot pack the objects of %s: %s", g->where, strbuf_str(&why));
			goto out;
		}
		if (build_pack(g, &refs, skip, &pb) < 0) {
			gitsnap_git_error("cannot pack the objects of %s", g->where);
			goto out;
		}
	}
	strbuf_puts(&header, BUNDLE_V2 "\n");
	for (i = 0; i < refs.n; i++)
		if (!skip[i])
			strbuf_printf(&header, "%s %s\n", git_oid_tostr(hex, sizeof(hex), &refs.v[i].oid),
			    refs.v[i].name);
	strbuf_putc(&header, '\n');
	if (pipe_write(out, header.buf, header.len) < 0)
		goto out;
	if (git_packbuilder_foreach(pb, pack_chunk, &po) < 0) {
		if (!po.failed)
			gitsnap_git_error("cannot write the pack of %s", g->where);
		goto out;
	}
	rc = 0;
out:
	git_packbuilder_free(pb);
	gitsnap_refs_free(&refs);
	strbuf_free(&header);
	strbuf_free(&why);
	free(skip);
	return rc;
}

int
gitsnap_write_refs(struct gitsnap *g, struct pipe *out)
{
	struct gitsnap_refs refs = { NULL, 0 };
	struct strbuf header = STRBUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;
	int rc = -1;

	if (gitsnap_collect_refs(g, 0, &refs) < 0)
		goto out;
	/* The bundle's own header, so one reader serves both forms. */
	strbuf_puts(&header, BUNDLE_V2 "\n");
	for (i = 0; i < refs.n; i++)
		strbuf_printf(&header, "%s %s\n", git_oid_tostr(hex, sizeof(hex), &refs.v[i].oid), refs.v[i].name);
	strbuf_putc(&header, '\n');
	rc = pipe_write(out, header.buf, header.len);
out:
	gitsnap_refs_free(&refs);
	strbuf_free(&header);
	return rc;
}

char *
gitsnap_objects_dir(struct gitsnap *g)
{
	return xasprintf("%sobjects", git_repository_path(g->repo));
}

/* Restoring. */

/* 0 when DIR is missing or an empty directory; -1 (reported) otherwise. */
static int
check_empty_dir(const char *dir)
{
	int e = fs_dir_new_or_empty(dir);

	if (e == 0)
		log_error("cannot restore the git repository into %s: the directory is not empty "
		    "(choose a new or empty one)", dir);
	return e == 1 ? 0 : -1;
}

static void
chomp(char *line, ssize_t *n)
{
	while (*n > 0 && (line[*n - 1] == '\n' || line[*n - 1] == '\r'))
		line[--*n] = '\0';
}

/* Reads the header up to the blank line, leaving fp at the start of the pack. */
static int
read_bundle_header(FILE *fp, const char *path, struct gitsnap_refs *refs)
{
	char *line = NULL;
	size_t linecap = 0, cap = 0;
	ssize_t n;
	int rc = -1, v3, lineno = 1;

	n = getline(&line, &linecap, fp);
	if (n < 0) {
		if (ferror(fp))
			log_errno("cannot read %s", path);
		else
			log_error("cannot read %s: it is empty", path);
		goto out;
	}
	chomp(line, &n);
	v3 = strcmp(line, BUNDLE_V3) == 0;
	if (!v3 && strcmp(line, BUNDLE_V2) != 0) {
		log_error("cannot read %s: not a git bundle (no \"%s\" line)", path, BUNDLE_V2);
		goto out;
	}
	for (;;) {
		git_oid oid;
		int valid = 0;

		lineno++;
		if ((n = getline(&line, &linecap, fp)) < 0) {
			if (ferror(fp))
				log_errno("cannot read %s", path);
			else
				log_error("cannot read %s: the bundle header ends before its pack (truncated?)",
				    path);
			goto out;
		}
		chomp(line, &n);
		if (n == 0)
			break;
		if (v3 && line[0] == '@') {
			if (strcmp(line, "@object-format=sha1") == 0)
				continue;
			log_error("cannot read %s line %d: unsupported bundle capability %s", path, lineno,
			    line);
			goto out;
		}
		if (line[0] == '-') {
			log_error("cannot restore from %s: it is an incremental bundle (line %d names a "
			    "prerequisite commit)", path, lineno);
			goto out;
		}
		if (n < GIT_OID_HEXSZ + 2 || line[GIT_OID_HEXSZ] != ' ' ||
		    git_oid_fromstrn(&oid, line, GIT_OID_HEXSZ) < 0 ||
		    git_reference_name_is_valid(&valid, line + GIT_OID_HEXSZ + 1) < 0 || !valid) {
			log_error("cannot read %s line %d: not \"<object id> <ref name>\"", path, lineno);
			goto out;
		}
		if (refs->n == cap)
			refs->v = xrealloc(refs->v, (cap = cap ? cap * 2 : 32) * sizeof(*refs->v));
		refs->v[refs->n].name = xstrdup(line + GIT_OID_HEXSZ + 1);
		git_oid_cpy(&refs->v[refs->n].oid, &oid);
		refs->n++;
	}
	rc = 0;
out:
	free(line);
	return rc;
}

/* Streams the rest of fp, the pack, through the indexer into DIR/.git/objects/pack. */
static int
index_pack(git_repository *repo, FILE *fp, const char *path)
{
	git_indexer_options opts;
	git_indexer_progress stats;
	git_indexer *idx = NULL;
	git_odb *odb = NULL;
	char *packdir = xasprintf("%sobjects/pack", git_repository_path(repo));
	char *buf = xmalloc(READ_CHUNK);
	size_t n;
	int rc = -1;

	git_indexer_options_init(&opts, GIT_INDEXER_OPTIONS_VERSION);
	if (git_repository_odb(&odb, repo) < 0 || git_indexer_new(&idx, packdir, 0, odb, &opts) < 0) {
		gitsnap_git_error("cannot index the pack of %s into %s", path, packdir);
		goto out;
	}
	while ((n = fread(buf, 1, READ_CHUNK, fp)) > 0) {
		if (git_indexer_append(idx, buf, n, &stats) < 0) {
			gitsnap_git_error("cannot index the pack of %s", path);
			goto out;
		}
	}
	if (ferror(fp)) {
		log_errno("cannot read %s", path);
		goto out;
	}
	if (git_indexer_commit(idx, &stats) < 0) {
		gitsnap_git_error("cannot index the pack of %s (truncated or damaged bundle?)", path);
		goto out;
	}
	if (git_odb_refresh(odb) < 0) {
		gitsnap_git_error("cannot reload the objects of %s", packdir);
		goto out;
	}
	rc = 0;
out:
	git_indexer_free(idx);
	git_odb_free(odb);
	free(packdir);
	free(buf);
	return rc;
}

/*
 * HEAD: the branch asked for; else detached at the commit asked for; else
 * the branch the bundle's HEAD line matches, or detached there. A branch
 * missing from a bundle without refs (no commits yet) is made unborn; from
 * one with refs (left out as broken?) it falls back to the commit.
 */
static int
set_head(git_repository *repo, const char *dir, const struct gitsnap_refs *refs, const char *head_ref,
    const char *commit)
{
	git_reference *ref = NULL;
	git_oid want;
	char *full = NULL;
	size_t i;
	int rc = -1, err;

	if (commit && *commit == '\0')
		commit = NULL;	/* recorded from an unborn HEAD */
	if (commit && git_oid_fromstr(&want, commit) < 0) {
		log_error("cannot restore %s: \"%s\" is not a full commit id", dir, commit);
		goto out;
	}
	if (head_ref && *head_ref) {
		full = strncmp(head_ref, "refs/", 5) == 0 ? xstrdup(head_ref) :
		    xasprintf("refs/heads/%s", head_ref);
		err = git_reference_lookup(&ref, repo, full);
		if (err == 0 || refs->n == 0) {
			if (err == 0 && commit && git_reference_target(ref) &&
			    !git_oid_equal(git_reference_target(ref), &want))
				log_warn("restoring %s: %s is not at %s; checking out the branch", dir, full,
				    commit);
			if ((rc = git_repository_set_head(repo, full)) < 0)
				gitsnap_git_error("cannot point HEAD of %s at %s", dir, full);
			goto out;
		}
		if (err != GIT_ENOTFOUND) {
			gitsnap_git_error("cannot read the branch %s in %s", full, dir);
			goto out;
		}
		log_warn("restoring %s: the branch %s is not in the bundle; HEAD will be detached", dir,
		    full);
	}
	if (commit) {
		if ((rc = git_repository_set_head_detached(repo, &want)) < 0)
			gitsnap_git_error("cannot point HEAD of %s at %s", dir, commit);
		goto out;
	}
	for (i = 0; i < refs->n && strcmp(refs->v[i].name, "HEAD") != 0; i++)
		;
	if (i == refs->n) {
		rc = 0;		/* no HEAD line: keep the new repository's default */
		goto out;
	}
	want = refs->v[i].oid;
	for (i = 0; i < refs->n; i++)
		if (strncmp(refs->v[i].name, "refs/heads/", 11) == 0 && git_oid_equal(&refs->v[i].oid, &want))
			break;
	if (i < refs->n)
		rc = git_repository_set_head(repo, refs->v[i].name);
	else
		rc = git_repository_set_head_detached(repo, &want);
	if (rc < 0)
		gitsnap_git_error("cannot set HEAD of %s", dir);
out:
	git_reference_free(ref);
	free(full);
	return rc < 0 ? -1 : 0;
}

/* Copies a saved object store (pack files and loose objects) into the new repository. */
static int
copy_objects(git_repository *repo, const char *from)
{
	char *to = xasprintf("%sobjects", git_repository_path(repo));
	int rc = fs_copy_tree(from, to);

	free(to);
	return rc;
}

/*
 * A repository in DIR from a bundle (or a refs file and a copied object
 * store): its objects, every ref and HEAD as a restore sets them; no
 * checkout. Bare for reading the tree only (verify).
 */
static int
rebuild(const char *refs_path, const char *objects_dir, const char *dir, int bare, const char *head_ref,
    const char *commit, git_repository **out)
{
	struct gitsnap_refs refs = { NULL, 0 };
	git_repository *repo = NULL;
	git_reference *ref = NULL;
	FILE *fp = NULL;
	size_t i;
	int rc = -1;

	if ((fp = fopen(refs_path, "rb")) == NULL) {
		log_errno("cannot open %s", refs_path);
		goto out;
	}
	if (read_bundle_header(fp, refs_path, &refs) < 0)
		goto out;
	if (git_repository_init(&repo, dir, bare) < 0) {
		gitsnap_git_error("cannot create a git repository in %s", dir);
		goto out;
	}
	/* A bundle of a repository without commits has an empty pack: nothing to index. */
	if (objects_dir ? copy_objects(repo, objects_dir) < 0 : refs.n > 0 && index_pack(repo, fp, refs_path) < 0)
		goto out;
	for (i = 0; i < refs.n; i++) {
		if (strcmp(refs.v[i].name, "HEAD") == 0)
			continue;
		if (git_reference_create(&ref, repo, refs.v[i].name, &refs.v[i].oid, 0,
		    "lotbackup: restored from bundle") < 0) {
			gitsnap_git_error("cannot create the ref %s in %s", refs.v[i].name, dir);
			goto out;
		}
		git_reference_free(ref);
		ref = NULL;
	}
	if (set_head(repo, dir, &refs, head_ref, commit) < 0)
		goto out;
	rc = 0;
out:
	if (fp)
		fclose(fp);
	gitsnap_refs_free(&refs);
	git_reference_free(ref);
	if (rc < 0) {
		git_repository_free(repo);
		repo = NULL;
	}
	*out = repo;
	return rc;
}

static int
restore_repository(const char *refs_path, const char *objects_dir, const char *dir, const char *head_ref,
    const char *commit)
{
	git_checkout_options co;
	git_repository *repo = NULL;
	int rc = -1;

	if (git_libgit2_init() < 0) {
		gitsnap_git_error("cannot initialise libgit2");
		return -1;
	}
	if (check_empty_dir(dir) < 0 || rebuild(refs_path, objects_dir, dir, 0, head_ref, commit, &repo) < 0)
		goto out;
	if (git_repository_head_unborn(repo) != 1) {
		git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
		co.checkout_strategy = GIT_CHECKOUT_FORCE;
		if (git_checkout_head(repo, &co) < 0) {
			gitsnap_git_error("cannot check out the work tree of %s", dir);
			goto out;
		}
	}
	rc = 0;
out:
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

int
gitsnap_restore_bundle(const char *bundle_path, const char *dir, const char *head_ref, const char *commit)
{
	return restore_repository(bundle_path, NULL, dir, head_ref, commit);
}

int
gitsnap_restore_objects(const char *refs_path, const char *objects_dir, const char *dir, const char *head_ref,
    const char *commit)
{
	return restore_repository(refs_path, objects_dir, dir, head_ref, commit);
}

struct gitsnap_tree {
	git_repository *repo;
	git_tree *tree;		/* HEAD's, or NULL when HEAD is unborn (nothing checked out) */
};

int
gitsnap_tree_open(const char *refs_path, const char *objects_dir, const char *scratch, const char *head_ref,
    const char *commit, struct gitsnap_tree **out)
{
	struct gitsnap_tree *t = xcalloc(1, sizeof(*t));
	git_object *obj = NULL;

	*out = NULL;
	if (git_libgit2_init() < 0) {
		gitsnap_git_error("cannot initialise libgit2");
		free(t);
		return -1;
	}
	if (rebuild(refs_path, objects_dir, scratch, 1, head_ref, commit, &t->repo) < 0)
		goto fail;
	if (git_repository_head_unborn(t->repo) != 1) {
		if (git_revparse_single(&obj, t->repo, "HEAD^{tree}") < 0) {
			gitsnap_git_error("cannot read the tree of HEAD in %s", refs_path);
			goto fail;
		}
		t->tree = (git_tree *)obj;
	}
	*out = t;
	return 0;
fail:
	gitsnap_tree_free(t);
	return -1;
}

size_t
gitsnap_tree_blocking(struct gitsnap_tree *t, const char *path)
{
	const char *slash;
	size_t n = 0;

	for (slash = strchr(path, '/'); t->tree != NULL && slash != NULL; slash = strchr(slash + 1, '/')) {
		char *part = xstrndup(path, (size_t)(slash - path));
		git_tree_entry *e = NULL;
		int err = git_tree_entry_bypath(&e, t->tree, part);
		git_filemode_t mode = err == 0 ? git_tree_entry_filemode(e) : GIT_FILEMODE_TREE;

		git_tree_entry_free(e);
		free(part);
		if (err != 0)
			break;	/* not in the tree: made as a directory */
		/* A submodule is checked out as a directory too. */
		if (mode != GIT_FILEMODE_TREE && mode != GIT_FILEMODE_COMMIT) {
			n = (size_t)(slash - path);
			break;
		}
	}
	return n;
}

int
gitsnap_tree_is_link(struct gitsnap_tree *t, const char *path)
{
	git_tree_entry *e = NULL;
	int link;

	if (t->tree == NULL || git_tree_entry_bypath(&e, t->tree, path) != 0)
		return 0;
	link = git_tree_entry_filemode(e) == GIT_FILEMODE_LINK;
	git_tree_entry_free(e);
	return link;
}

void
gitsnap_tree_free(struct gitsnap_tree *t)
{
	if (t == NULL)
		return;
	git_tree_free(t->tree);
	git_repository_free(t->repo);
	free(t);
	git_libgit2_shutdown();
}
