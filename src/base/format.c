#include <stdio.h>
#include <time.h>

#include "base/format.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

void
format_size(unsigned long long bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
}

void
format_age(long long s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "future");
	else if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh %lldm", s / 3600, (s % 3600) / 60);
	else
		snprintf(buf, len, "%lldd %lldh", s / 86400, (s % 86400) / 3600);
}

char *
iso_time_now(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[40];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/* The length of the valid UTF-8 sequence at S and its code point; 0 when invalid. */
static int
utf8_decode(const unsigned char *s, unsigned *cp)
{
	int n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, *cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond Unicode */
	if ((n == 3 && (*cp < 0x800 || (*cp >= 0xd800 && *cp <= 0xdfff))) || (n == 4 && (*cp < 0x10000 ||
	    *cp > 0x10ffff)))
		return 0;
	return n;
}

/* C1 controls and the invisible marks that reorder or hide text on a terminal. */
static int
unprintable(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

char *
format_printable(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	struct strbuf sb = STRBUF_INIT;
	unsigned cp;
	int n;

	while (*s) {
		if (*s == '\n' || *s == '\t' || *s == '\r') {
			strbuf_printf(&sb, "\\%c", *s == '\n' ? 'n' : *s == '\t' ? 't' : 'r');
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			strbuf_printf(&sb, "\\x%02x", *s++);
		} else if (*s < 0x80) {
			strbuf_putc(&sb, (char)*s++);
		} else if ((n = utf8_decode(s, &cp)) == 0) {
			strbuf_printf(&sb, "\\x%02x", *s++);	/* not UTF-8: each byte shown */
		} else if (unprintable(cp)) {
			strbuf_printf(&sb, "\\u%04x", cp);
			s += n;
		} else {
			strbuf_append(&sb, (const char *)s, (size_t)n);
			s += n;
		}
	}
	return strbuf_detach(&sb);
}
