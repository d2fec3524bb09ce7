#ifndef LOTBACKUP_NOTIFY_H
#define LOTBACKUP_NOTIFY_H

/*
 * --notify-url: tells a monitoring service (healthchecks.io and the like)
 * how a run ended, by an HTTP request to URL on success and to URL/fail on
 * failure ("/fail" goes before any ?query): a GET, or with
 * --notify-method post a POST whose body summarises the run. Only http and
 * https, no redirects (a 3xx answer is a warning), at most
 * timeout_seconds. A notification that cannot be sent is logged as a
 * warning, never more: the backup's own result stands. The URL is never
 * logged whole (it is a secret of sorts): scheme and host only.
 */
enum notify_method {
	NOTIFY_GET = 0,
	NOTIFY_POST = 1,
};

/*
 * The run to report. There is no error message: errors are logged once
 * where they are found, and keeping the last one for here would take a
 * global; the exit code and the log say what went wrong.
 */
struct notify_run {
	const char *command;	/* "db", "full", "prune" */
	int exit_code;		/* the status lotbackup ends with (130/143 after a signal) */
	double seconds;		/* how long the command ran */
	const char *output;	/* path of the backup it published; NULL: none */
};

void notify_send(const char *url, enum notify_method method, const struct notify_run *run, int timeout_seconds);

/* "get" or "post", either case: the method, or -1. */
int notify_method_parse(const char *s);
/*
 * The POST body (caller frees): one line of JSON with the command, the
 * result, exit code, duration and, when there is one, the base name of the
 * output and its size (output_bytes < 0: not a file, size left out).
 */
char *notify_body(const struct notify_run *run, long long output_bytes);
/* The URL to call: URL or URL/fail (caller frees). */
char *notify_target(const char *url, int success);
/* "https://host" of URL, without user, password, path or query (caller frees). */
char *notify_redact(const char *url);
/*
 * Overwrites, in place, URL's userinfo password (the whole userinfo when
 * it has no ':') and every query value with '*': for argv, readable in
 * /proc/PID/cmdline.
 */
void notify_scrub(char *url);

#endif
