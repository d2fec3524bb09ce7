#ifndef LOTBACKUP_NAME_INDEX_H
#define LOTBACKUP_NAME_INDEX_H

#include <stddef.h>

/*
 * Finding items by name among many (a dump's tables: tens of thousands in
 * some schemas) without a scan per lookup: the names sorted once, then a
 * binary search. Where names repeat, the first item of a name is the one
 * found, as a scan from the start would find it. The names are not
 * copied: they must outlive the index.
 */
struct name_index;

/* An index of n items; name(items, i) is item i's name. */
struct name_index *name_index_new(const void *items, size_t n, const char *(*name)(const void *items, size_t i));
/* The position of the first item named name, or -1. */
long name_index_find(const struct name_index *ix, const char *name);
void name_index_free(struct name_index *ix);

/* name() for an array of strings (char **), the usual case. */
const char *name_index_string(const void *items, size_t i);

#endif
