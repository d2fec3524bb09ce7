/*
 * The git state of the project read through libgit2: opening, the summary
 * (HEAD, branch, upstream, status counts, secrets in history) and the
 * shared helpers. The text reports are in git-snapshot-report.c, bundles in
 * git-snapshot-bundle.c, patches in git-snapshot-patch.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "git/git-snapshot-internal.h"
#include "git/git-snapshot.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

static const char *
git_message(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

static void
report(enum log_level level, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_vprintf(&sb, fmt, ap);
	if (level == LOG_ERROR)
		log_error("%s: %s", strbuf_str(&sb), git_message());
	else
		log_warn("%s: %s", strbuf_str(&sb), git_message());
	strbuf_free(&sb);
}

void
gitsnap_git_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(LOG_ERROR, fmt, ap);
	va_end(ap);
}

void
gitsnap_git_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(LOG_WARN, fmt, ap);
	va_end(ap);
}

/* The set. */

struct gitsnap_set_slot {
	uint64_t hash;
	char *key;		/* NULL: empty slot */
	size_t len;
};

static uint64_t
hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct gitsnap_set_slot *
set_find(const struct gitsnap_set *s, uint64_t h, const void *key, size_t len)
{
	size_t i = (size_t)h & (s->cap - 1);

	for (;; i = (i + 1) & (s->cap - 1)) {
		struct gitsnap_set_slot *slot = &s->slots[i];

		if (slot->key == NULL)
			return slot;
		if (slot->hash == h && slot->len == len && memcmp(slot->key, key, len) == 0)
			return slot;
	}
}

static void
set_grow(struct gitsnap_set *s)
{
	struct gitsnap_set_slot *old = s->slots;
	size_t oldcap = s->cap, i;

	s->cap = oldcap ? oldcap * 2 : 256;
	s->slots = xcalloc(s->cap, sizeof(*s->slots));
	for (i = 0; i < oldcap; i++)
		if (old[i].key)
			*set_find(s, old[i].hash, old[i].key, old[i].len) = old[i];
	free(old);
}

int
gitsnap_set_add(struct gitsnap_set *s, const void *key, size_t len)
{
	struct gitsnap_set_slot *slot;
	uint64_t h = hash_bytes(key, len);

	/* At most half full keeps the probes short. */
	if ((s->len + 1) * 2 > s->cap)
		set_grow(s);
	slot = set_find(s, h, key, len);
	if (slot->key)
		return 0;
	slot->hash = h;
	slot->len = len;
	slot->key = xmalloc(len + 1);
	memcpy(slot->key, key, len);
	slot->key[len] = '\0';
	s->len++;
	return 1;
}

int
gitsnap_set_has(const struct gitsnap_set *s, const void *key, size_t len)
{
	if (s->cap == 0)
		return 0;
	return set_find(s, hash_bytes(key, len), key, len)->key != NULL;
}

void
gitsnap_set_each(const struct gitsnap_set *s, void (*fn)(const char *key, size_t len, void *arg),
    void *arg)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		if (s->slots[i].key)
			fn(s->slots[i].key, s->slots[i].len, arg);
}

void
gitsnap_set_free(struct gitsnap_set *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->slots[i].key);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

/* Opening. */

int
gitsnap_open(const char *dir, struct gitsnap **out)
{
	git_repository *repo = NULL;
	struct gitsnap *g;
	const char *where;
	size_t len;
	int err;

	*out = NULL;
	/* Refcounted by libgit2: balanced by gitsnap_free() or below. */
	if (git_libgit2_init() < 0) {
		gitsnap_git_error("cannot initialise libgit2");
		return -1;
	}
	err = git_repository_open_ext(&repo, dir, 0, NULL);
	if (err == GIT_ENOTFOUND) {
		git_libgit2_shutdown();
		return 1;
	}
	if (err < 0) {
		gitsnap_git_error("cannot open the git repository containing %s", dir);
		git_libgit2_shutdown();
		return -1;
	}
	g = xcalloc(1, sizeof(*g));
	g->repo = repo;
	where = git_repository_workdir(repo);
	if (where == NULL)
		where = git_repository_path(repo);
	g->where = xstrdup(where);
	len = strlen(g->where);
	if (len > 1 && g->where[len - 1] == '/')
		g->where[len - 1] = '\0';
	*out = g;
	return 0;
}

void
gitsnap_free(struct gitsnap *g)
{
	if (g == NULL)
		return;
	git_repository_free(g->repo);
	free(g->where);
	free(g);
	git_libgit2_shutdown();
}

/* Refs. */

static void
refs_add(struct gitsnap_refs *refs, size_t *cap, const char *name, const git_oid *oid)
{
	if (refs->n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		refs->v = xrealloc(refs->v, *cap * sizeof(*refs->v));
	}
	refs->v[refs->n].name = xstrdup(name);
	git_oid_cpy(&refs->v[refs->n].oid, oid);
	refs->n++;
}

static int
ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gitsnap_ref *)a)->name, ((const struct gitsnap_ref *)b)->name);
}

int
gitsnap_collect_refs(struct gitsnap *g, int quiet, struct gitsnap_refs *out)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL, *resolved = NULL;
	git_oid oid;
	size_t cap = 0, first;
	int rc = -1, err;

	memset(out, 0, sizeof(*out));
	err = git_reference_name_to_id(&oid, g->repo, "HEAD");
	if (err == 0)
		refs_add(out, &cap, "HEAD", &oid);
	else if (err != GIT_ENOTFOUND && err != GIT_EUNBORNBRANCH) {
		gitsnap_git_error("cannot read HEAD of %s", g->where);
		goto out;
	}
	first = out->n;
	if (git_reference_iterator_new(&it, g->repo) < 0) {
		gitsnap_git_error("cannot list the refs of %s", g->where);
		goto out;
	}
	while ((err = git_reference_next(&ref, it)) == 0) {
		if (git_reference_type(ref) == GIT_REFERENCE_DIRECT) {
			refs_add(out, &cap, git_reference_name(ref), git_reference_target(ref));
		} else if ((err = git_reference_resolve(&resolved, ref)) == 0) {
			refs_add(out, &cap, git_reference_name(ref), git_reference_target(resolved));
			git_reference_free(resolved);
			resolved = NULL;
		} else if (err == GIT_ENOTFOUND) {
			/* Like git: a dangling symbolic ref is skipped, not fatal. */
			if (!quiet)
				log_warn("git repository %s: ignoring the broken symbolic ref %s (-> %s)",
				    g->where, git_reference_name(ref), git_reference_symbolic_target(ref));
		} else {
			gitsnap_git_error("cannot resolve the ref %s of %s", git_reference_name(ref),
			    g->where);
			goto out;
		}
		git_reference_free(ref);
		ref = NULL;
	}
	if (err != GIT_ITEROVER) {
		gitsnap_git_error("cannot list the refs of %s", g->where);
		goto out;
	}
	if (out->n > first)
		qsort(out->v + first, out->n - first, sizeof(*out->v), ref_cmp);
	rc = 0;
out:
	git_reference_free(ref);
	git_reference_iterator_free(it);
	if (rc < 0)
		gitsnap_refs_free(out);
	return rc;
}

void
gitsnap_refs_free(struct gitsnap_refs *refs)
{
	size_t i;

	for (i = 0; i < refs->n; i++)
		free(refs->v[i].name);
	free(refs->v);
	refs->v = NULL;
	refs->n = 0;
}

/* Summary. */

int
gitsnap_read_head(struct gitsnap *g, struct gitsnap_summary *s)
{
	git_reference *head = NULL, *up = NULL, *sym = NULL;
	const git_oid *local, *remote;
	int rc = -1, err;

	err = git_repository_head(&head, g->repo);
	if (err == GIT_EUNBORNBRANCH) {
		/* No commit yet: the branch is the one HEAD names. */
		s->head[0] = '\0';
		if (git_reference_lookup(&sym, g->repo, "HEAD") == 0 &&
		    git_reference_type(sym) == GIT_REFERENCE_SYMBOLIC) {
			const char *t = git_reference_symbolic_target(sym);

			if (strncmp(t, "refs/heads/", 11) == 0)
				t += 11;
			s->branch = xstrdup(t);
		}
		rc = 0;
		goto out;
	}
	if (err < 0) {
		gitsnap_git_error("cannot read HEAD of %s", g->where);
		goto out;
	}
	local = git_reference_target(head);
	git_oid_tostr(s->head, sizeof(s->head), local);
	if (git_repository_head_detached(g->repo) == 1) {
		rc = 0;
		goto out;
	}
	s->branch = xstrdup(git_reference_shorthand(head));
	err = git_branch_upstream(&up, head);
	if (err == GIT_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (err < 0) {
		/* A bad branch.*.merge is not worth failing a backup for. */
		gitsnap_git_warn("cannot read the upstream of branch %s in %s", s->branch, g->where);
		rc = 0;
		goto out;
	}
	s->upstream = xstrdup(git_reference_shorthand(up));
	remote = git_reference_target(up);
	if (remote && git_graph_ahead_behind(&s->ahead, &s->behind, g->repo, local, remote) < 0) {
		gitsnap_git_error("cannot count the commits between %s and %s in %s", s->branch,
		    s->upstream, g->where);
		goto out;
	}
	rc = 0;
out:
	git_reference_free(sym);
	git_reference_free(up);
	git_reference_free(head);
	return rc;
}

static int
count_status(struct gitsnap *g, struct gitsnap_summary *s)
{
	git_status_options opts;
	git_status_list *list = NULL;
	size_t i, n;
	const unsigned int index_bits = GIT_STATUS_INDEX_NEW | GIT_STATUS_INDEX_MODIFIED |
	    GIT_STATUS_INDEX_DELETED | GIT_STATUS_INDEX_RENAMED | GIT_STATUS_INDEX_TYPECHANGE;
	const unsigned int wt_bits = GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_DELETED |
	    GIT_STATUS_WT_TYPECHANGE | GIT_STATUS_WT_RENAMED;

	/* A bare repository has no work tree, so nothing to count. */
	if (git_repository_is_bare(g->repo))
		return 0;
	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
	    GIT_STATUS_OPT_INCLUDE_IGNORED | GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX;
	if (git_status_list_new(&list, g->repo, &opts) < 0) {
		gitsnap_git_error("cannot read the status of %s", g->where);
		return -1;
	}
	n = git_status_list_entrycount(list);
	for (i = 0; i < n; i++) {
		unsigned int st = git_status_byindex(list, i)->status;

		if (st & GIT_STATUS_CONFLICTED) {
			s->conflicted++;
			continue;
		}
		if (st & index_bits)
			s->staged++;
		if (st & wt_bits)
			s->modified++;
		if (st & GIT_STATUS_WT_NEW)
			s->untracked++;
		if (st & GIT_STATUS_IGNORED)
			s->ignored++;
	}
	git_status_list_free(list);
	return 0;
}

struct secret_scan {
	struct gitsnap *g;
	secret_match_fn is_secret;
	void *ctx;
	struct gitsnap_set trees;	/* (tree id, path) pairs already read */
	struct gitsnap_set found;	/* secret paths */
	struct strbuf key;
};

static void
truncate_to(struct strbuf *sb, size_t len)
{
	if (sb->buf) {
		sb->len = len;
		sb->buf[len] = '\0';
	}
}

/*
 * The visited set is keyed by tree id *and* path: the same tree can sit at
 * two paths, and is_secret() may judge the two differently. Most trees only
 * ever appear at one path, so each is still read about once.
 */
static void
scan_tree(struct secret_scan *sc, const git_oid *id, struct strbuf *path)
{
	git_tree *tree = NULL;
	size_t i, n, base = path->len;

	strbuf_reset(&sc->key);
	strbuf_append(&sc->key, id->id, GIT_OID_RAWSZ);
	strbuf_puts(&sc->key, strbuf_str(path));
	if (!gitsnap_set_add(&sc->trees, sc->key.buf, sc->key.len))
		return;
	if (git_tree_lookup(&tree, sc->g->repo, id) < 0) {
		char hex[GIT_OID_HEXSZ + 1];

		gitsnap_git_warn("secret scan of %s: skipping tree %s at '%s'", sc->g->where,
		    git_oid_tostr(hex, sizeof(hex), id), strbuf_str(path));
		return;
	}
	n = git_tree_entrycount(tree);
	for (i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		git_object_t type = git_tree_entry_type(e);

		if (type != GIT_OBJECT_TREE && type != GIT_OBJECT_BLOB)
			continue;	/* a submodule commit */
		truncate_to(path, base);
		strbuf_puts(path, git_tree_entry_name(e));
		if (type == GIT_OBJECT_TREE) {
			strbuf_putc(path, '/');
			scan_tree(sc, git_tree_entry_id(e), path);
		} else if (sc->is_secret(sc->ctx, path->buf)) {
			gitsnap_set_add(&sc->found, path->buf, path->len);
		}
	}
	truncate_to(path, base);
	git_tree_free(tree);
}

static void
collect_found(const char *key, size_t len, void *arg)
{
	struct gitsnap_summary *s = arg;

	s->secret_paths[s->nsecret_paths++] = xstrndup(key, len);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Pushes what REF points to: a commit to the walk, a tree (a tag of one) scanned now. */
static void
scan_ref(struct secret_scan *sc, git_revwalk *walk, const struct gitsnap_ref *ref, struct strbuf *path)
{
	git_object *obj = NULL, *peeled = NULL;
	char hex[GIT_OID_HEXSZ + 1];

	if (git_object_lookup(&obj, sc->g->repo, &ref->oid, GIT_OBJECT_ANY) < 0) {
		gitsnap_git_warn("secret scan of %s: skipping %s (%s)", sc->g->where, ref->name,
		    git_oid_tostr(hex, sizeof(hex), &ref->oid));
		return;
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0) {
		if (git_revwalk_push(walk, git_object_id(peeled)) < 0)
			gitsnap_git_warn("secret scan of %s: skipping %s", sc->g->where, ref->name);
	} else if (git_object_peel(&peeled, obj, GIT_OBJECT_TREE) == 0) {
		scan_tree(sc, git_object_id(peeled), path);
	}
	git_object_free(peeled);
	git_object_free(obj);
}

/*
 * Every commit reachable from any ref or HEAD. A damaged history is warned
 * about and scanned as far as it can be read: it is the bundle's job to fail.
 */
static int
scan_secrets(struct gitsnap *g, const struct gitsnap_refs *refs, secret_match_fn is_secret, void *ctx,
    struct gitsnap_summary *s)
{
	struct secret_scan sc;
	struct strbuf path = STRBUF_INIT;
	git_revwalk *walk = NULL;
	git_commit *commit = NULL;
	git_oid oid;
	size_t i;
	int rc = -1, err;

	memset(&sc, 0, sizeof(sc));
	sc.g = g;
	sc.is_secret = is_secret;
	sc.ctx = ctx;
	if (git_revwalk_new(&walk, g->repo) < 0) {
		gitsnap_git_error("cannot walk the history of %s", g->where);
		goto out;
	}
	/* Ref by ref rather than a glob, so that one broken ref does not stop the rest. */
	for (i = 0; i < refs->n; i++)
		scan_ref(&sc, walk, &refs->v[i], &path);
	while ((err = git_revwalk_next(&oid, walk)) == 0) {
		if (git_commit_lookup(&commit, g->repo, &oid) < 0) {
			char hex[GIT_OID_HEXSZ + 1];

			gitsnap_git_warn("secret scan of %s: skipping commit %s", g->where,
			    git_oid_tostr(hex, sizeof(hex), &oid));
			continue;
		}
		scan_tree(&sc, git_commit_tree_id(commit), &path);
		git_commit_free(commit);
		commit = NULL;
	}
	if (err != GIT_ITEROVER)
		gitsnap_git_warn("secret scan of %s stopped early, the history may be incomplete",
		    g->where);
	s->secret_paths = xcalloc(sc.found.len ? sc.found.len : 1, sizeof(char *));
	gitsnap_set_each(&sc.found, collect_found, s);
	if (s->nsecret_paths > 1)
		qsort(s->secret_paths, s->nsecret_paths, sizeof(char *), str_cmp);
	rc = 0;
out:
	git_revwalk_free(walk);
	gitsnap_set_free(&sc.trees);
	gitsnap_set_free(&sc.found);
	strbuf_free(&sc.key);
	strbuf_free(&path);
	return rc;
}

int
gitsnap_summary(struct gitsnap *g, secret_match_fn is_secret, void *ctx, struct gitsnap_summary *out)
{
	struct gitsnap_refs refs = { NULL, 0 };

	memset(out, 0, sizeof(*out));
	if (gitsnap_read_head(g, out) < 0 || count_status(g, out) < 0)
		goto fail;
	/* Quiet: the bundle warns about broken refs, once. */
	if (gitsnap_collect_refs(g, 1, &refs) < 0)
		goto fail;
	out->nrefs = refs.n;
	if (is_secret && scan_secrets(g, &refs, is_secret, ctx, out) < 0)
		goto fail;
	gitsnap_refs_free(&refs);
	return 0;
fail:
	gitsnap_refs_free(&refs);
	gitsnap_summary_free(out);
	return -1;
}

void
gitsnap_summary_free(struct gitsnap_summary *s)
{
	size_t i;

	free(s->branch);
	free(s->upstream);
	for (i = 0; i < s->nsecret_paths; i++)
		free(s->secret_paths[i]);
	free(s->secret_paths);
	memset(s, 0, sizeof(*s));
}

const char *
gitsnap_workdir(const struct gitsnap *g)
{
	return g->where;
}
