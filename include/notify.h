#ifndef LOTBACKUP_NOTIFY_H
#define LOTBACKUP_NOTIFY_H

/*
 * --notify-url: tells a monitoring service (healthchecks.io and the like)
 * how a run ended, by an HTTP GET of URL on success and of URL/fail on
 * failure ("/fail" goes before any ?query). Only http and https, no
 * redirects, at most timeout_seconds. A notification that cannot be sent is
 * logged as a warning, never more: the backup's own result stands. The URL
 * is never logged whole (it is a secret of sorts): scheme and host only.
 */
void notify_send(const char *url, int success, const char *command, int timeout_seconds);

/* The URL to call: URL or URL/fail (caller frees). */
char *notify_target(const char *url, int success);
/* "https://host" of URL, without user, password, path or query (caller frees). */
char *notify_redact(const char *url);

#endif
