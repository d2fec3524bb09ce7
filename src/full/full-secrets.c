#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "full/full-secrets.h"
#include "scan/scan.h"
#include "base/log.h"
#include "base/xalloc.h"

static const char *
action_text(enum secret_action a)
{
	switch (a) {
	case SECRET_REDACTED:
		return "copied with the value replaced by a placeholder";
	case SECRET_LEFT_OUT:
		return "file left out of the backup";
	case SECRET_PATCH_LEFT_OUT:
		return "its change left out of git/uncommitted.patch";
	case SECRET_IN_HEAD:
		return "tracked in git: the history in this backup holds it";
	case SECRET_IN_HISTORY:
		return "in git history: the history in this backup holds it";
	}
	return "";
}

static const char *
action_name(enum secret_action a)
{
	static const char *const names[] = { "redacted", "left-out", "left-out-of-patch", "tracked-in-git",
		"in-git-history" };

	return names[a];
}

/*
 * "rule", "rule, test key, low severity" or "rule, secret key on line N":
 * what a warning and SYSTEM-STATE.md say of a hit.
 */
static void
hit_label(const struct secret_hit *hit, char *buf, size_t size)
{
	if (hit->env)
		snprintf(buf, size, "%s, %s key%s", hit->rule, hit->env, hit->low ? ", low severity" : "");
	else if (hit->pair_line > 0)
		snprintf(buf, size, "%s, secret key on line %d", hit->rule, hit->pair_line);
	else
		snprintf(buf, size, "%s", hit->rule);
}

/*
 * The line of the changed file that line LINE of a one-file diff stands
 * for: "+c" of the hunk header, then one more per context or added line.
 */
static int
diff_file_line(const char *d, size_t len, int line)
{
	size_t i = 0;
	int at = 1, file = 0;

	while (i < len && at < line) {
		const char *nl = memchr(d + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - d) : len;

		if (end - i > 4 && memcmp(d + i, "@@ -", 4) == 0) {
			const char *plus = memchr(d + i, '+', end - i);

			file = plus ? atoi(plus + 1) : 0;
		} else if (file > 0 && (d[i] == ' ' || d[i] == '+')) {
			file++;
		}
		i = end + 1;
		at++;
	}
	return file > 0 ? file : line;
}

size_t
secret_hits_scan(struct secret_hits *h, const char *path, const char *commit, const void *data, size_t len,
    enum secret_action action, char **redacted, size_t *redacted_len)
{
	struct scan_result r;
	size_t i, n = scan_text(data, len, &r);
	char label[128];

	for (i = 0; i < n; i++) {
		struct secret_hit *hit;

		h->v = xrealloc(h->v, (h->n + 1) * sizeof(*h->v));
		hit = &h->v[h->n++];
		hit->path = xstrdup(path);
		hit->commit = commit ? xstrdup(commit) : NULL;
		hit->line = action == SECRET_PATCH_LEFT_OUT ? diff_file_line(data, len, r.v[i].line) : r.v[i].line;
		hit->rule = r.v[i].rule;
		hit->env = r.v[i].env;
		hit->low = r.v[i].severity == SCAN_LOW;
		hit->pair_line = r.v[i].pair_end == 0 ? 0 : action == SECRET_PATCH_LEFT_OUT ?
		    diff_file_line(data, len, r.v[i].pair_line) : r.v[i].pair_line;
		hit->action = action;
		hit_label(hit, label, sizeof(label));
		if (commit)
			log_warn("secret in %s line %d (%s) in commit %.12s: %s", path, hit->line, label, commit,
			    action_text(action));
		else
			log_warn("secret in %s line %d (%s): %s", path, hit->line, label, action_text(action));
	}
	if (n > 0 && redacted)
		*redacted = scan_redact(data, len, &r, redacted_len);
	scan_result_free(&r);
	return n;
}

int
secret_hits_in_git(const struct secret_hits *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->v[i].action == SECRET_IN_HEAD || h->v[i].action == SECRET_IN_HISTORY)
			return 1;
	return 0;
}

json_t *
secret_hits_json(const struct secret_hits *h)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < h->n; i++) {
		json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:s}", "path", h->v[i].path, "line", h->v[i].line,
		    "rule", h->v[i].rule, "severity", h->v[i].low ? "low" : "high", "action", action_name(h->v[i].action));

		if (h->v[i].env)
			json_object_set_new(o, "environment", json_string(h->v[i].env));
		if (h->v[i].pair_line > 0)
			json_object_set_new(o, "secret_line", json_integer(h->v[i].pair_line));

		if (h->v[i].commit)
			json_object_set_new(o, "commit", json_string(h->v[i].commit));
		json_array_append_new(a, o);
	}
	return a;
}

void
secret_hits_markdown(const struct secret_hits *h, struct strbuf *sb)
{
	char label[128];
	size_t i;

	if (h->n == 0)
		return;
	strbuf_puts(sb, "\n## Secrets found by content\n\nFile, line and rule; the values are not shown.\n\n");
	for (i = 0; i < h->n; i++) {
		hit_label(&h->v[i], label, sizeof(label));
		strbuf_printf(sb, "- `%s` line %d (%s%s%.12s): %s\n", h->v[i].path, h->v[i].line, label,
		    h->v[i].commit ? ", commit " : "", h->v[i].commit ? h->v[i].commit : "", action_text(h->v[i].action));
	}
	if (secret_hits_in_git(h))
		strbuf_puts(sb, "\n**Rotate these credentials:** git holds them, so this backup's history and every "
		    "clone of the repository do too. Change each at its provider, then remove it from the tree.\n");
}

void
secret_hits_free(struct secret_hits *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].path);
		free(h->v[i].commit);
	}
	free(h->v);
	h->v = NULL;
	h->n = 0;
}
