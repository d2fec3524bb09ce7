#ifndef LOTBACKUP_SCAN_PROPS_H
#define LOTBACKUP_SCAN_PROPS_H

/*
 * The content scanner's properties, checked on any input by
 * test-scan-props (generated texts) and fuzz-scan (libFuzzer's):
 * - offsets in range: each finding's bytes (and its pair's) lie in the
 *   buffer, its line is the line they start on, findings are in buffer
 *   order and no two ranges overlap;
 * - scanning is deterministic: a second scan gives the same findings;
 * - redaction keeps the neighbours: the output is the input with each
 *   range replaced by "<redacted:RULE>", every other byte as it was, and
 *   no range takes in a comment after its secret (blank, then '#');
 * - redaction never leaks: a secret's bytes are not in the output unless
 *   the input holds them outside every finding too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan.h"

struct scan_prop_span {
	size_t start, end;
	const char *rule;
};

static int
scan_prop_span_cmp(const void *a, const void *b)
{
	const struct scan_prop_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int
scan_prop_line_of(const char *buf, size_t at)
{
	int line = 1;
	size_t i;

	for (i = 0; i < at; i++)
		line += buf[i] == '\n';
	return line;
}

/* A blank then '#': no secret holds one, a line's comment starts so. */
static int
scan_prop_has_comment(const char *s, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (s[i] == '#' && (s[i - 1] == ' ' || s[i - 1] == '\t'))
			return 1;
	return 0;
}

/* Every finding's ranges, sorted; NULL with *why set when one is out of range or on a wrong line. */
static struct scan_prop_span *
scan_prop_spans(const char *buf, size_t len, const struct scan_result *r, size_t *n, const char **why)
{
	struct scan_prop_span *sp = malloc((2 * r->n + 1) * sizeof(*sp));
	size_t i;

	*n = 0;
	for (i = 0; i < r->n; i++) {
		const struct scan_finding *f = &r->v[i];

		if (f->rule == NULL || f->start >= f->end || f->end > len || f->line != scan_prop_line_of(buf, f->start) ||
		    (i > 0 && f->start < r->v[i - 1].end)) {
			*why = "a finding out of range, out of order or on a wrong line";
			goto bad;
		}
		if (scan_prop_has_comment(buf + f->start, f->end - f->start)) {
			*why = "a finding takes in the comment after it";
			goto bad;
		}
		sp[(*n)++] = (struct scan_prop_span){ f->start, f->end, f->rule };
		if (f->pair_end == 0)
			continue;
		if (f->pair_start >= f->pair_end || f->pair_end > len || f->pair_line != scan_prop_line_of(buf, f->pair_start)) {
			*why = "a pair out of range or on a wrong line";
			goto bad;
		}
		sp[(*n)++] = (struct scan_prop_span){ f->pair_start, f->pair_end, f->rule };
	}
	qsort(sp, *n + (*n == 0), sizeof(*sp), scan_prop_span_cmp);
	for (i = 1; i < *n; i++) {
		if (sp[i].start < sp[i - 1].end) {
			*why = "two findings' ranges overlap";
			goto bad;
		}
	}
	return sp;
bad:
	free(sp);
	return NULL;
}

/* The output is the input with each span replaced by its placeholder: nothing else changed. */
static int
scan_prop_neighbours(const char *buf, size_t len, const struct scan_prop_span *sp, size_t n, const char *out,
    size_t outlen)
{
	size_t i, pos = 0, o = 0;
	char ph[128];

	for (i = 0; i <= n; i++) {
		size_t upto = i < n ? sp[i].start : len, pl;

		if (outlen - o < upto - pos || memcmp(out + o, buf + pos, upto - pos) != 0)
			return -1;
		o += upto - pos;
		if (i == n)
			break;
		pl = (size_t)snprintf(ph, sizeof(ph), "<redacted:%s>", sp[i].rule);
		if (outlen - o < pl || memcmp(out + o, ph, pl) != 0)
			return -1;
		o += pl;
		pos = sp[i].end;
	}
	return o == outlen ? 0 : -1;
}

/* No secret's bytes in OUT unless the input holds them outside every span. */
static int
scan_prop_no_leak(const char *buf, size_t len, const struct scan_prop_span *sp, size_t n, const char *out,
    size_t outlen)
{
	char *masked = malloc(len + 1);
	size_t i;
	int rc = 0;

	memcpy(masked, buf, len);
	for (i = 0; i < n; i++)
		memset(masked + sp[i].start, 0, sp[i].end - sp[i].start);
	for (i = 0; i < n && rc == 0; i++) {
		const char *s = buf + sp[i].start;
		size_t sl = sp[i].end - sp[i].start;

		if (sl >= 8 && memmem(out, outlen, s, sl) != NULL && memmem(masked, len, s, sl) == NULL)
			rc = -1;
	}
	free(masked);
	return rc;
}

static int
scan_prop_same(const struct scan_result *a, const struct scan_result *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		const struct scan_finding *x = &a->v[i], *y = &b->v[i];

		if (x->rule != y->rule || x->env != y->env || x->severity != y->severity || x->line != y->line ||
		    x->start != y->start || x->end != y->end || x->pair_line != y->pair_line ||
		    x->pair_start != y->pair_start || x->pair_end != y->pair_end)
			return 0;
	}
	return 1;
}

/* 0 when every property holds for BUF; else -1 with *why naming the one that did not. */
static int
scan_props_check(const char *buf, size_t len, const char **why)
{
	struct scan_result a, b;
	struct scan_prop_span *sp = NULL;
	size_t n = 0, outlen = 0;
	char *out = NULL;
	int rc = -1;

	scan_text(buf, len, &a);
	scan_text(buf, len, &b);
	if (!scan_prop_same(&a, &b)) {
		*why = "two scans of the same bytes differ";
		goto out;
	}
	if ((sp = scan_prop_spans(buf, len, &a, &n, why)) == NULL)
		goto out;
	out = scan_redact(buf, len, &a, &outlen);
	if (scan_prop_neighbours(buf, len, sp, n, out, outlen) < 0) {
		*why = "redaction changed a byte outside the findings";
		goto out;
	}
	if (scan_prop_no_leak(buf, len, sp, n, out, outlen) < 0) {
		*why = "a secret's bytes are in the redacted text";
		goto out;
	}
	rc = 0;
out:
	free(out);
	free(sp);
	scan_result_free(&a);
	scan_result_free(&b);
	return rc;
}

#endif
