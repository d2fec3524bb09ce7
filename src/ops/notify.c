#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/log.h"
#include "ops/notify.h"
#include "base/version.h"
#include "base/xalloc.h"

int
notify_method_parse(const char *s)
{
	if (strcasecmp(s, "get") == 0)
		return NOTIFY_GET;
	if (strcasecmp(s, "post") == 0)
		return NOTIFY_POST;
	return -1;
}

/*
 * JSON rather than plain text: healthchecks.io keeps any body as it is and
 * shows it beside the ping, and a webhook receiver can read the fields
 * without parsing prose; jansson escapes whatever a name holds. Only what
 * is listed here goes out: never the URL, the connection or a setting.
 */
char *
notify_body(const struct notify_run *run, long long output_bytes)
{
	json_t *o = json_object();
	char *text;

	json_object_set_new(o, "lotbackup", json_string(LOTBACKUP_VERSION));
	json_object_set_new(o, "command", json_string(run->command));
	json_object_set_new(o, "result", json_string(run->exit_code == 0 ? "ok" : "fail"));
	json_object_set_new(o, "exit_code", json_integer(run->exit_code));
	/* Tenths of a second: printed as 12.3, not 12.300000000000001. */
	json_object_set_new(o, "duration_seconds", json_real((double)(long long)(run->seconds * 10 + 0.5) / 10));
	if (run->output != NULL) {
		const char *slash = strrchr(run->output, '/');

		/* The name only: where the backups live is the host's business. */
		json_object_set_new(o, "output", json_string(slash ? slash + 1 : run->output));
		if (output_bytes >= 0)
			json_object_set_new(o, "output_bytes", json_integer(output_bytes));
	}
	text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(o);
	return xcheck(text);
}

char *
notify_target(const char *url, int success)
{
	size_t end = strcspn(url, "?#");

	if (success)
		return xstrdup(url);
	/* https://hc-ping.com/UUID?x=1 -> https://hc-ping.com/UUID/fail?x=1, without doubling a slash. */
	return xasprintf("%.*s%s%s", (int)end, url, end > 0 && url[end - 1] == '/' ? "fail" : "/fail", url + end);
}

char *
notify_redact(const char *url)
{
	const char *rest = strstr(url, "://"), *host, *at;
	size_t hostlen;

	if (rest == NULL)
		return xstrdup("(not a URL)");
	host = rest + 3;
	hostlen = strcspn(host, "/?#");
	at = memchr(host, '@', hostlen);
	if (at != NULL) {
		hostlen -= (size_t)(at + 1 - host);
		host = at + 1;
	}
	return xasprintf("%.*s://%.*s/...", (int)(rest - url), url, (int)hostlen, host);
}

void
notify_scrub(char *url)
{
	char *rest = strstr(url, "://"), *auth, *at, *colon, *p;
	size_t authlen;

	if (rest == NULL)
		return;
	auth = rest + 3;
	authlen = strcspn(auth, "/?#");
	if ((at = memchr(auth, '@', authlen)) != NULL) {
		/* user:password hides the password; a lone user is often the token itself */
		colon = memchr(auth, ':', (size_t)(at - auth));
		for (p = colon ? colon + 1 : auth; p < at; p++)
			*p = '*';
	}
	if ((p = strchr(auth, '?')) == NULL)
		return;
	/* every value of the query: which of them is a token is the service's business */
	for (p++; *p && *p != '#'; p++) {
		if (*p != '=')
			continue;
		for (p++; *p && *p != '&' && *p != '#'; p++)
			*p = '*';
		if (*p != '&')
			break;
	}
}

/* The body is not wanted; only the status matters. */
static size_t
discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	(void)ptr;
	(void)userdata;
	return size * nmemb;
}

/* The backup's size for the summary; -1 when it is not a file (a --dir-only full backup). */
static long long
output_size(const char *path)
{
	struct stat st;

	if (path == NULL || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	return (long long)st.st_size;
}

void
notify_send(const char *url, enum notify_method method, const struct notify_run *run, int timeout_seconds)
{
	int success = run->exit_code == 0, global = 0;
	char *target = notify_target(url, success), *shown = notify_redact(url), *agent, *body = NULL;
	struct curl_slist *headers = NULL;
	CURL *curl = NULL;
	long status = 0;
	CURLcode res;

	agent = xasprintf("lotbackup/%s", LOTBACKUP_VERSION);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK) {
		global = 1;
		curl = curl_easy_init();
	}
	if (curl == NULL) {
		log_warn("notify: cannot start libcurl; %s was not told how '%s' ended", shown, run->command);
		goto out;
	}
	curl_easy_setopt(curl, CURLOPT_URL, target);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)timeout_seconds);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)timeout_seconds);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);	/* no SIGALRM for DNS time-outs */
	curl_easy_setopt(curl, CURLOPT_USERAGENT, agent);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	if (method == NOTIFY_POST) {
		body = notify_body(run, output_size(run->output));
		/* "Expect:" empty: the body goes at once, not after a "100 Continue" the service may never send. */
		if ((headers = curl_slist_append(NULL, "Content-Type: application/json")) == NULL ||
		    curl_slist_append(headers, "Expect:") == NULL) {
			log_warn("notify: out of memory; %s was not told how '%s' ended", shown, run->command);
			goto out;
		}
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	res = curl_easy_perform(curl);
	if (res == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (res != CURLE_OK)
		/* curl's message may hold the URL: say only what kind of failure it was */
		log_warn("notify: %s could not be told that '%s' %s: %s (the run's own result stands)", shown,
		    run->command, success ? "succeeded" : "failed", curl_easy_strerror(res));
	else if (status >= 300 && status < 400)
		/* not followed on purpose (the Location could be anywhere), so the monitor may not know */
		log_warn("notify: %s answered %ld (a redirect, not followed) to the %s notice of '%s': "
		    "the ping may not have reached the monitor (the run's own result stands)", shown,
		    status, success ? "success" : "failure", run->command);
	else if (status >= 400)
		log_warn("notify: %s answered HTTP %ld to the %s notice of '%s' (the run's own result stands)", shown,
		    status, success ? "success" : "failure", run->command);
	else
		log_debug("notify: told %s that '%s' %s (HTTP %ld)", shown, run->command,
		    success ? "succeeded" : "failed", status);
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (global)
		curl_global_cleanup();
	free(body);
	free(agent);
	free(target);
	free(shown);
}
