/* --notify-url targets, their redaction and the POST body; --max-age durations. */
#include <stdlib.h>
#include <string.h>

#include "ops/notify.h"
#include "cmd/options.h"
#include "unit.h"
#include "base/version.h"

static int
target_is(const char *url, int success, const char *want)
{
	char *got = notify_target(url, success);
	int ok = strcmp(got, want) == 0;

	if (!ok)
		printf("# %s -> %s, want %s\n", url, got, want);
	free(got);
	return ok;
}

static int
redacts_to(const char *url, const char *want)
{
	char *got = notify_redact(url);
	int ok = strcmp(got, want) == 0;

	if (!ok)
		printf("# %s -> %s, want %s\n", url, got, want);
	free(got);
	return ok;
}

static int
scrubs_to(const char *url, const char *want)
{
	char *got = strdup(url);
	int ok;

	notify_scrub(got);
	ok = strcmp(got, want) == 0;
	if (!ok)
		printf("# %s -> %s, want %s\n", url, got, want);
	free(got);
	return ok;
}

/* want: the body after the "lotbackup" version field. */
static int
body_is(const char *command, int exit_code, double seconds, const char *output, long long bytes, const char *want)
{
	struct notify_run run = { command, exit_code, seconds, output };
	char *got = notify_body(&run, bytes), *full = NULL;
	int ok;

	full = malloc(strlen(want) + 64);
	sprintf(full, "{\"lotbackup\":\"%s\",%s", LOTBACKUP_VERSION, want);
	ok = strcmp(got, full) == 0;
	if (!ok)
		printf("# got  %s\n# want %s\n", got, full);
	free(got);
	free(full);
	return ok;
}

static int
duration_is(const char *s, long want)
{
	long got = -2;

	return options_parse_duration(s, &got) == 0 && got == want;
}

static int
duration_bad(const char *s)
{
	long got;

	return options_parse_duration(s, &got) < 0;
}

int
main(void)
{
	UNIT_CHECK("target-success", target_is("https://hc-ping.com/abc", 1, "https://hc-ping.com/abc"));
	UNIT_CHECK("target-fail", target_is("https://hc-ping.com/abc", 0, "https://hc-ping.com/abc/fail"));
	UNIT_CHECK("target-fail-trailing-slash", target_is("https://hc-ping.com/abc/", 0, "https://hc-ping.com/abc/fail"));
	UNIT_CHECK("target-fail-before-query", target_is("https://h/abc?rid=1&x=2", 0, "https://h/abc/fail?rid=1&x=2"));
	UNIT_CHECK("target-fail-before-fragment", target_is("https://h/abc#x", 0, "https://h/abc/fail#x"));
	UNIT_CHECK("redact-path", redacts_to("https://hc-ping.com/secret-uuid", "https://hc-ping.com/..."));
	UNIT_CHECK("redact-userinfo", redacts_to("http://user:pw@127.0.0.1:8080/x?token=t", "http://127.0.0.1:8080/..."));
	UNIT_CHECK("redact-at-in-path", redacts_to("https://h.example/a@b", "https://h.example/..."));
	UNIT_CHECK("redact-not-url", redacts_to("hc-ping.com/uuid", "(not a URL)"));
	UNIT_CHECK("scrub-password-and-query", scrubs_to("http://hc:pw%41@h:1/p?token=t0k&rid=1",
	    "http://hc:*****@h:1/p?token=***&rid=*"));
	UNIT_CHECK("scrub-lone-user", scrubs_to("https://tok@h/p", "https://***@h/p"));
	UNIT_CHECK("scrub-plain", scrubs_to("https://hc-ping.com/uuid", "https://hc-ping.com/uuid"));
	UNIT_CHECK("scrub-not-url", scrubs_to("x?a=b", "x?a=b"));
	UNIT_CHECK("body-success-with-output", body_is("db", 0, 12.34, "/srv/app/backups/lot-systems-db-2026-11-25T02-00-00.sql.gz",
	    123456, "\"command\":\"db\",\"result\":\"ok\",\"exit_code\":0,\"duration_seconds\":12.3,"
	    "\"output\":\"lot-systems-db-2026-11-25T02-00-00.sql.gz\",\"output_bytes\":123456}"));
	UNIT_CHECK("body-failure-no-output", body_is("full", 1, 0.04, NULL, -1,
	    "\"command\":\"full\",\"result\":\"fail\",\"exit_code\":1,\"duration_seconds\":0.0}"));
	UNIT_CHECK("body-interrupted", body_is("db", 130, 3.96, NULL, 5,
	    "\"command\":\"db\",\"result\":\"fail\",\"exit_code\":130,\"duration_seconds\":4.0}"));
	UNIT_CHECK("body-directory-no-size", body_is("full", 0, 61, "b/full-backup-20261125_020000", -1,
	    "\"command\":\"full\",\"result\":\"ok\",\"exit_code\":0,\"duration_seconds\":61.0,"
	    "\"output\":\"full-backup-20261125_020000\"}"));
	UNIT_CHECK("body-escapes-name", body_is("db", 0, 1, "x/a\"b\n.sql.gz", 0,
	    "\"command\":\"db\",\"result\":\"ok\",\"exit_code\":0,\"duration_seconds\":1.0,"
	    "\"output\":\"a\\\"b\\n.sql.gz\",\"output_bytes\":0}"));
	UNIT_CHECK("method-get", notify_method_parse("get") == NOTIFY_GET);
	UNIT_CHECK("method-post-any-case", notify_method_parse("POST") == NOTIFY_POST && notify_method_parse("Post") == NOTIFY_POST);
	UNIT_CHECK("method-rejects-others", notify_method_parse("put") < 0 && notify_method_parse("") < 0 &&
	    notify_method_parse("posts") < 0);
	UNIT_CHECK("duration-seconds", duration_is("3600", 3600));
	UNIT_CHECK("duration-hours", duration_is("26h", 26 * 3600));
	UNIT_CHECK("duration-mixed", duration_is("1d12h30m", 86400 + 12 * 3600 + 1800));
	UNIT_CHECK("duration-weeks", duration_is("2w", 14 * 86400));
	UNIT_CHECK("duration-zero", duration_is("0", 0));
	UNIT_CHECK("duration-rejects-bare-tail", duration_bad("1d30"));
	UNIT_CHECK("duration-rejects-unit", duration_bad("5y"));
	UNIT_CHECK("duration-rejects-empty", duration_bad(""));
	UNIT_CHECK("duration-rejects-sign", duration_bad("-5h"));
	UNIT_CHECK("duration-rejects-huge", duration_bad("99999999999d"));
	return unit_done();
}
