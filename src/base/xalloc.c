#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

void *
xcheck(void *p)
{
	if (p == NULL) {
		fputs("lotbackup: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

void *
xmalloc(size_t size)
{
	return xcheck(malloc(size ? size : 1));
}

void *
xcalloc(size_t n, size_t size)
{
	return xcheck(calloc(n ? n : 1, size ? size : 1));
}

void *
xrealloc(void *ptr, size_t size)
{
	return xcheck(realloc(ptr, size ? size : 1));
}

char *
xstrdup(const char *s)
{
	return xcheck(strdup(s));
}

char *
xstrndup(const char *s, size_t n)
{
	return xcheck(strndup(s, n));
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *out = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&out, fmt, ap);
	va_end(ap);
	if (n < 0)
		out = NULL;
	return xcheck(out);
}
