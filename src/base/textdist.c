#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/textdist.h"
#include "base/xalloc.h"

static int
same(char x, char y)
{
	return tolower((unsigned char)x) == tolower((unsigned char)y);
}

static size_t
min3(size_t x, size_t y, size_t z)
{
	size_t m = x < y ? x : y;

	return m < z ? m : z;
}

size_t
text_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, w = lb + 1, d;
	size_t *m = xcalloc((la + 1) * w, sizeof(*m));	/* m[i*w+j]: distance of a[0..i) and b[0..j) */

	for (i = 0; i <= la; i++)
		m[i * w] = i;
	for (j = 0; j <= lb; j++)
		m[j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;

			m[i * w + j] = min3(m[(i - 1) * w + j] + 1, m[i * w + j - 1] + 1, m[(i - 1) * w + j - 1] + cost);
			if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]) &&
			    m[(i - 2) * w + j - 2] + 1 < m[i * w + j])
				m[i * w + j] = m[(i - 2) * w + j - 2] + 1;
		}
	d = m[la * w + lb];
	free(m);
	return d;
}

const char *
text_nearest(const char *word, const char *const *candidates)
{
	size_t limit = strlen(word) / 4, best_d = (size_t)-1, i;
	const char *best = NULL;

	limit = limit < 1 ? 1 : limit > 3 ? 3 : limit;
	for (i = 0; candidates[i] != NULL; i++) {
		size_t d = text_distance(word, candidates[i]);

		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best_d <= limit ? best : NULL;
}
