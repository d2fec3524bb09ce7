#ifndef LOTBACKUP_GIT_SNAPSHOT_INTERNAL_H
#define LOTBACKUP_GIT_SNAPSHOT_INTERNAL_H

/* Shared between src/git-snapshot*.c only. */

#include <stddef.h>

#include <git2.h>

#include "git/git-snapshot.h"

struct gitsnap {
	git_repository *repo;
	char *where;		/* work tree (or git dir when bare), for messages */
};

/* log_error of the formatted text, then ": " and libgit2's last error message. */
void gitsnap_git_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same as a warning. */
void gitsnap_git_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* HEAD, branch, upstream and ahead/behind into s (the rest of s untouched). */
int gitsnap_read_head(struct gitsnap *g, struct gitsnap_summary *s);

/* A set of byte strings (open addressing); keys are copied. */
struct gitsnap_set {
	struct gitsnap_set_slot *slots;
	size_t cap;		/* a power of two, or 0 */
	size_t len;
};

/* 1 when KEY was added, 0 when it was already there. */
int gitsnap_set_add(struct gitsnap_set *s, const void *key, size_t len);
int gitsnap_set_has(const struct gitsnap_set *s, const void *key, size_t len);
/* Calls fn on every key, in no order. */
void gitsnap_set_each(const struct gitsnap_set *s, void (*fn)(const char *key, size_t len, void *arg),
    void *arg);
void gitsnap_set_free(struct gitsnap_set *s);

/* A ref as the bundle lists it: its name and the object it points to. */
struct gitsnap_ref {
	char *name;
	git_oid oid;
};

struct gitsnap_refs {
	struct gitsnap_ref *v;
	size_t n;
};

/*
 * HEAD (when it resolves) first, then every ref under refs/ sorted by name,
 * symbolic refs resolved. A symbolic ref whose target is gone is left out,
 * with a warning unless `quiet`.
 */
int gitsnap_collect_refs(struct gitsnap *g, int quiet, struct gitsnap_refs *out);
void gitsnap_refs_free(struct gitsnap_refs *refs);

#endif
