#ifndef LOTBACKUP_TEXTDIST_H
#define LOTBACKUP_TEXTDIST_H

#include <stddef.h>

/*
 * "Did you mean": the optimal string alignment distance (Damerau-
 * Levenshtein with adjacent transpositions, no substring edited twice),
 * ASCII case ignored, and the nearest of a NULL-terminated list within a
 * distance that keeps suggestions to plausible typos.
 */
size_t text_distance(const char *a, const char *b);
/* The nearest candidate at most max(1, min(3, strlen(word) / 4)) edits away; NULL: none close. */
const char *text_nearest(const char *word, const char *const *candidates);

#endif
