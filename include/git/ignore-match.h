#ifndef LOTBACKUP_IGNORE_MATCH_H
#define LOTBACKUP_IGNORE_MATCH_H

#include <stddef.h>

/*
 * gitignore(5) patterns: blank lines and # comments, \# and \! escapes,
 * trailing spaces trimmed unless escaped, ! negation (the last matching rule
 * decides), a trailing / for directories only, a leading or middle / anchors
 * to the root, otherwise the pattern matches the basename at any depth; *, ?,
 * [...] (! or ^ negation, ranges, [:alpha:] classes), and "**" as a whole
 * path component: leading (any directories above), trailing (everything
 * inside) or in the middle (zero or more directories).
 * Matching is case-sensitive, like git on Linux.
 *
 * The text is untrusted: every read is bounded by its length, matching is
 * iterative (no recursion) and polynomial in pattern and path length.
 *
 * Paths are relative and '/'-separated ("apps/web/build"); a leading "./"
 * or "/", a trailing "/" (which means a directory) and doubled slashes are
 * tolerated.
 */
struct ignore_rules;

/* Never fails (allocation failure exits). Lines count from 1; a leading BOM and CRLF are accepted. */
struct ignore_rules *ignore_parse(const char *text, size_t len);
void ignore_free(struct ignore_rules *r);

/*
 * Does PATH itself match? 1 excluded, 0 not. *line (may be NULL) gets the
 * deciding rule's line, or 0 when no rule matched. Parent directories are
 * not looked at: this is for a walker that does not descend into excluded
 * directories.
 */
int ignore_match(const struct ignore_rules *r, const char *path, int is_dir, int *line);
/*
 * Like ignore_match, but a path below an excluded directory is excluded
 * too, whatever later rules say (git cannot re-include a file whose parent
 * directory is excluded).
 */
int ignore_match_path(const struct ignore_rules *r, const char *path, int is_dir, int *line);

/* Rules in file order (comments and blank lines are not rules). */
size_t ignore_count(const struct ignore_rules *r);
/*
 * Rule I: its line number and text as written (trailing spaces trimmed);
 * *invalid is NULL, or why the rule can never match ("unterminated [",
 * "trailing backslash", "unknown character class", "empty pattern"). Any
 * pointer may be NULL.
 */
void ignore_rule(const struct ignore_rules *r, size_t i, int *line, const char **text, const char **invalid);

#endif
