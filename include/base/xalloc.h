#ifndef LOTBACKUP_XALLOC_H
#define LOTBACKUP_XALLOC_H

#include <stddef.h>

/* Allocation failure is not recoverable in a CLI tool; these exit(1) with a message. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* P itself; when NULL (an allocation failed elsewhere) the one out-of-memory exit. */
void *xcheck(void *p);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
