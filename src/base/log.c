#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/strbuf.h"

/* Part of the parsed options; written once by main before any command runs. */
static enum log_level current_level = LOG_INFO;

void
log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level
log_get_level(void)
{
	return current_level;
}

static const char *const level_names[] = { "error", "warning", "info", "debug" };

/* A temporary path and the final one messages show instead (log_path_alias). */
static char *alias_from, *alias_to;
/* alias_to is an archive: a path below alias_from is one of its members, not a file below it. */
static int alias_member;

void
log_path_alias(const char *from, const char *to)
{
	free(alias_from);
	free(alias_to);
	alias_member = 0;
	alias_from = from != NULL ? strdup(from) : NULL;
	alias_to = to != NULL ? strdup(to) : NULL;
	if (alias_from == NULL || alias_to == NULL || alias_from[0] == '\0') {
		free(alias_from);
		free(alias_to);
		alias_from = alias_to = NULL;
	}
}

void
log_path_alias_member(const char *from, const char *archive)
{
	log_path_alias(from, archive);
	alias_member = alias_from != NULL;
}

/* TEXT with every alias_from in it shown as alias_to, appended to LINE. */
static void
put_aliased(struct strbuf *line, const char *text)
{
	const char *at;
	size_t from_len = alias_from != NULL ? strlen(alias_from) : 0;

	while (from_len > 0 && (at = strstr(text, alias_from)) != NULL) {
		/*
		 * FROM itself is a real directory (an extract or staging area),
		 * never the archive: "cannot create ARCHIVE" would blame the wrong file.
		 */
		if (alias_member && at[from_len] != '/') {
			strbuf_append(line, text, (size_t)(at - text) + from_len);
			text = at + from_len;
			continue;
		}
		strbuf_append(line, text, (size_t)(at - text));
		strbuf_puts(line, alias_to);
		text = at + from_len;
		/* "ARCHIVE member db/x.sql.gz": no such file as ARCHIVE/db/x.sql.gz exists. */
		if (alias_member) {
			strbuf_puts(line, " member ");
			text++;
		}
	}
	strbuf_puts(line, text);
}

static void
emit(enum log_level level, const char *fmt, va_list ap, const char *suffix)
{
	struct strbuf line = STRBUF_INIT, message = STRBUF_INIT;
	size_t i;

	if (level > current_level)
		return;
	/* cron appends stderr to a log file: give those lines a timestamp. */
	if (!isatty(STDERR_FILENO)) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		strbuf_printf(&line, "%s %s lotbackup: ", stamp, level_names[level]);
	} else if (level == LOG_INFO) {
		strbuf_puts(&line, "lotbackup: ");
	} else {
		strbuf_printf(&line, "lotbackup: %s: ", level_names[level]);
	}
	strbuf_vprintf(&message, fmt, ap);
	put_aliased(&line, strbuf_str(&message));
	strbuf_free(&message);
	if (suffix)
		strbuf_printf(&line, ": %s", suffix);
	/* Keep it one line whatever a library put in its message. */
	for (i = 0; i < line.len; i++)
		if (line.buf[i] == '\n' || line.buf[i] == '\r')
			line.buf[i] = ' ';
	while (line.len > 0 && line.buf[line.len - 1] == ' ')
		line.buf[--line.len] = '\0';
	strbuf_putc(&line, '\n');
	fputs(strbuf_str(&line), stderr);
	strbuf_free(&line);
}

#define DEFINE_LOG(fn, level)                  \
	void fn(const char *fmt, ...)          \
	{                                      \
		va_list ap;                    \
		va_start(ap, fmt);             \
		emit(level, fmt, ap, NULL);    \
		va_end(ap);                    \
	}

DEFINE_LOG(log_error, LOG_ERROR)
DEFINE_LOG(log_warn, LOG_WARN)
DEFINE_LOG(log_info, LOG_INFO)
DEFINE_LOG(log_debug, LOG_DEBUG)

void
log_errno(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_ERROR, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
errbuf_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
