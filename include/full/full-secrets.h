#ifndef LOTBACKUP_FULL_SECRETS_H
#define LOTBACKUP_FULL_SECRETS_H

#include <stddef.h>

#include <jansson.h>

#include "base/strbuf.h"

/*
 * Secrets `full` found by content (scan/scan.h): in the files it copies,
 * in the uncommitted-changes patch, in the files git tracks. Each is
 * warned about once, naming the file, the line and the rule, never the
 * value, and listed in MANIFEST.json and SYSTEM-STATE.md.
 */
enum secret_action {
	SECRET_REDACTED,	/* a template copied with the value replaced */
	SECRET_LEFT_OUT,	/* a file not copied */
	SECRET_PATCH_LEFT_OUT,	/* a file's change left out of git/uncommitted.patch */
	SECRET_IN_HEAD,		/* tracked in HEAD: the git history in the backup holds it */
	SECRET_IN_HISTORY,	/* in an older commit (--scan-history) */
};

struct secret_hit {
	char *path;		/* relative to the project */
	char *commit;		/* SECRET_IN_HISTORY: the commit it was met in; else NULL */
	int line;
	const char *rule;
	const char *env;	/* "prod" or "test" when the token says (scan/scan.h); else NULL */
	int low;		/* a lower severity: a test-mode key */
	int pair_line;		/* the line of a pair's other half (an AWS secret key); 0: none */
	enum secret_action action;
};

struct secret_hits {
	struct secret_hit *v;
	size_t n;
};

/*
 * Scans LEN bytes of DATA (PATH's) and records each finding with ACTION,
 * warning about it. With redacted non-NULL and a finding, *redacted gets
 * the text with each value replaced (caller frees). Returns the number of
 * findings.
 */
size_t secret_hits_scan(struct secret_hits *h, const char *path, const char *commit, const void *data,
    size_t len, enum secret_action action, char **redacted, size_t *redacted_len);
/* 1 when any hit is in git (HEAD or history). */
int secret_hits_in_git(const struct secret_hits *h);
/* The list for MANIFEST.json: [{path, line, rule, severity, action[, environment][, secret_line][, commit]}]. */
json_t *secret_hits_json(const struct secret_hits *h);
/* The SYSTEM-STATE.md section, with the line telling to rotate what git holds. */
void secret_hits_markdown(const struct secret_hits *h, struct strbuf *sb);
void secret_hits_free(struct secret_hits *h);

#endif
