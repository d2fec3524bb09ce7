#ifndef LOTBACKUP_REMOTE_INTERNAL_H
#define LOTBACKUP_REMOTE_INTERNAL_H

#include <stddef.h>
#include <time.h>

#include "s3/s3.h"
#include "store/backups.h"

/* What the remote module's files share: the backups a listing holds. */
struct remote_entry {
	const struct s3_object *obj;
	const char *name;
	enum backup_kind kind;
	time_t when;
	int has_manifest;
};

/*
 * The backups among OBJS (directly under PREFIX, one of our names), newest
 * first, into OUT (room for N); OBJS in key order, as s3_list gives them.
 * Their count.
 */
size_t remote_find_backups(const char *prefix, struct s3_object *objs, size_t n, struct remote_entry *out);

/* The manifest at MKEY, if any, into TEXT (at most 64 MiB): 0 read, 1 none, -1 (reported). */
struct strbuf;
int remote_get_manifest(struct s3_client *c, const char *mkey, struct strbuf *text);

#endif
