#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "base/log.h"
#include "io/sink.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#define FILE_READ_BUFFER (256 * 1024)

int
sink_write(struct sink *s, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	/* Where the bytes go is where a signal is noticed: no stage needs its own check. */
	if (interrupt_check() < 0)
		return -1;
	s->bytes_in += len;
	return s->ops->write(s, buf, len);
}

int
sink_puts(struct sink *s, const char *str)
{
	return sink_write(s, str, strlen(str));
}

int
sink_printf(struct sink *s, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	rc = sink_write(s, sb.buf, sb.len);
	strbuf_free(&sb);
	return rc;
}

int
sink_finish(struct sink *s)
{
	for (; s != NULL; s = s->next) {
		if (s->finished)
			continue;
		if (s->ops->finish && s->ops->finish(s) < 0)
			return -1;
		s->finished = 1;
	}
	return 0;
}

void
sink_free(struct sink *s)
{
	while (s != NULL) {
		struct sink *next = s->next;

		s->ops->destroy(s);
		s = next;
	}
}

/* The null sink. */

static int
null_write(struct sink *s, const void *buf, size_t len)
{
	(void)s;
	(void)buf;
	(void)len;
	return 0;
}

static void
null_destroy(struct sink *s)
{
	free(s);
}

static const struct sink_ops null_ops = { "null", null_write, NULL, null_destroy };

struct sink *
sink_null_new(void)
{
	struct sink *s = xcalloc(1, sizeof(*s));

	s->ops = &null_ops;
	return s;
}

int
sink_write_file(struct sink *out, const char *src)
{
	char *buf = xmalloc(FILE_READ_BUFFER);
	int fd = open(src, O_RDONLY | O_CLOEXEC), rc = -1;
	ssize_t n;

	if (fd < 0) {
		log_errno("cannot read %s (fix its permissions or exclude it in .lotbackupignore)", src);
		goto out;
	}
	while ((n = read(fd, buf, FILE_READ_BUFFER)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_errno("cannot read %s", src);
			goto out;
		}
		if (sink_write(out, buf, (size_t)n) < 0)
			goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}
