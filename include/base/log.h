#ifndef LOTBACKUP_LOG_H
#define LOTBACKUP_LOG_H

#include <stddef.h>

/*
 * One-line diagnostics on stderr. An error is reported once, where it is
 * detected, with the name of the thing and what to do about it.
 */
enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

/* Set once from the parsed options: -q gives LOG_WARN, -v gives LOG_DEBUG. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_error with ": strerror(errno)" appended. */
void log_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Until called again (FROM NULL: none), messages show the path TO where
 * they would show FROM: a backup written under a temporary name, or read
 * from a temporary copy, is named by its final path in every message,
 * whichever layer reports (copied; from the main thread only).
 */
void log_path_alias(const char *from, const char *to);
/*
 * The same where FROM's files end up as the members of the archive
 * ARCHIVE: FROM/db/x.sql.gz shows as "ARCHIVE member db/x.sql.gz";
 * FROM itself (the directory) is named as it is.
 */
void log_path_alias_member(const char *from, const char *archive);

/*
 * For parsers that hand their one-line message to the caller instead of
 * logging it: formats into err (NULL or 0 length: nothing).
 */
void errbuf_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
