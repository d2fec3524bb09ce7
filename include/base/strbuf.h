#ifndef LOTBACKUP_STRBUF_H
#define LOTBACKUP_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/* A growable NUL-terminated byte string. */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_append(struct strbuf *sb, const void *data, size_t len);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_reset(struct strbuf *sb);
/* Returns the buffer (never NULL) and leaves sb empty; the caller frees it. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
/* Always a valid C string, even before the first append. */
const char *strbuf_str(const struct strbuf *sb);

#endif
