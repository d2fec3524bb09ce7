#ifndef LOTBACKUP_SCAN_H
#define LOTBACKUP_SCAN_H

#include <stddef.h>

/*
 * Secrets found by what a file contains, not by its name: a small rule set
 * after gitleaks' (private key blocks, passwords in URLs, the token formats
 * of DigitalOcean, AWS, GitHub, OpenAI, Stripe, Slack and Resend, and
 * KEY=VALUE lines whose key names a secret and whose value looks like one).
 * Hand-written matchers, one pass over the bytes; no value is ever logged.
 * Binary content (a NUL byte in the first 8000 bytes, as git decides) is
 * not scanned.
 */

struct scan_finding {
	const char *rule;	/* a rule name, e.g. "openai-api-key"; static */
	int line;		/* 1-based line where the secret starts */
	size_t start, end;	/* the secret's bytes in the buffer, for redaction */
};

struct scan_result {
	struct scan_finding *v;	/* in buffer order, not overlapping */
	size_t n;
};

/* Scans LEN bytes of BUF (need not be NUL-terminated). Returns the number of findings. */
size_t scan_text(const char *buf, size_t len, struct scan_result *out);
/*
 * BUF with each finding's bytes replaced by "<redacted:RULE>" (a
 * placeholder the rules themselves skip), as a new buffer of *outlen bytes.
 */
char *scan_redact(const char *buf, size_t len, const struct scan_result *r, size_t *outlen);
void scan_result_free(struct scan_result *r);
/* 1 when VALUE is a placeholder (empty, your-..., changeme, <...>, xxx, ${...}, a VAR_NAME...). */
int scan_is_placeholder(const char *value, size_t len);

#endif
