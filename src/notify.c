#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "notify.h"
#include "version.h"
#include "xalloc.h"

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

/* The body is not wanted; only the status matters. */
static size_t
discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	(void)ptr;
	(void)userdata;
	return size * nmemb;
}

void
notify_send(const char *url, int success, const char *command, int timeout_seconds)
{
	char *target = notify_target(url, success), *shown = notify_redact(url), *agent;
	long status = 0;
	CURLcode res;
	CURL *curl;

	agent = xasprintf("lotbackup/%s", LOTBACKUP_VERSION);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (curl = curl_easy_init()) == NULL) {
		log_warn("notify: cannot start libcurl; %s was not told how '%s' ended", shown, command);
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
	res = curl_easy_perform(curl);
	if (res == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (res != CURLE_OK)
		/* curl's message may hold the URL: say only what kind of failure it was */
		log_warn("notify: %s could not be told that '%s' %s: %s (the run's own result stands)", shown, command,
		    success ? "succeeded" : "failed", curl_easy_strerror(res));
	else if (status >= 400)
		log_warn("notify: %s answered HTTP %ld to the %s notice of '%s' (the run's own result stands)", shown,
		    status, success ? "success" : "failure", command);
	else
		log_debug("notify: told %s that '%s' %s (HTTP %ld)", shown, command, success ? "succeeded" : "failed",
		    status);
	curl_easy_cleanup(curl);
	curl_global_cleanup();
out:
	free(agent);
	free(target);
	free(shown);
}
