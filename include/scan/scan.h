#ifndef LOTBACKUP_SCAN_H
#define LOTBACKUP_SCAN_H

#include <stddef.h>

/*
 * Secrets found by what a file contains, not by its name: a small rule set
 * after gitleaks' (private key blocks, passwords in URLs, the token formats
 * of DigitalOcean, AWS, GitHub, OpenAI, Anthropic, Stripe, Slack, Resend,
 * SendGrid and npm, signed JWTs, Bearer tokens written out, .npmrc's
 * legacy _auth and _password, and names given values whose name says
 * secret and whose value looks like one: KEY=VALUE, YAML (block scalars
 * too), JSON and JS object pairs, declarations, compose and Dockerfile
 * environments).
 * Hand-written matchers, one pass over the bytes; no value is ever logged.
 * Binary content (a NUL byte in the first 8000 bytes, as git decides) is
 * not scanned.
 */

enum scan_severity {
	SCAN_HIGH,		/* a credential of a live system */
	SCAN_LOW,		/* a test-mode key (Stripe sk_test_): reaches test data only */
};

struct scan_finding {
	const char *rule;	/* a rule name, e.g. "openai-api-key"; static */
	const char *env;	/* "prod" or "test" where the token says so (Stripe); else NULL */
	enum scan_severity severity;
	int line;		/* 1-based line where the secret starts */
	size_t start, end;	/* the secret's bytes in the buffer, for redaction */
	/*
	 * A pair's other half, reported as this one finding (an AWS access key
	 * ID's secret access key, as gitleaks and trufflehog pair them) and
	 * redacted with it; pair_end == 0 when there is none.
	 */
	int pair_line;
	size_t pair_start, pair_end;
};

struct scan_result {
	struct scan_finding *v;	/* in buffer order; no two ranges (pairs' included) overlap */
	size_t n;
};

/* Scans LEN bytes of BUF (need not be NUL-terminated). Returns the number of findings. */
size_t scan_text(const char *buf, size_t len, struct scan_result *out);
/*
 * BUF with each finding's bytes (and its pair's) replaced by
 * "<redacted:RULE>" (a placeholder the rules themselves skip), every other
 * byte as it was, as a new buffer of *outlen bytes.
 */
char *scan_redact(const char *buf, size_t len, const struct scan_result *r, size_t *outlen);
void scan_result_free(struct scan_result *r);
/* 1 when VALUE is a placeholder (empty, your-..., changeme, <...>, xxx, ${...}, a VAR_NAME...). */
int scan_is_placeholder(const char *value, size_t len);

#endif
