#ifndef LOTBACKUP_DOTENV_H
#define LOTBACKUP_DOTENV_H

#include <stddef.h>

/*
 * A .env file, parsed the way the dotenv package reads it: comments,
 * `export ` prefix, single/double/backtick quotes, escapes in double quotes,
 * `=` inside values, multi-line quoted values. Values are never logged.
 */
struct dotenv_entry {
	char *key;
	char *value;
	int line;	/* 1-based line where the key stands */
	int literal;	/* single-quoted: no ${VAR} expansion */
};

struct dotenv {
	struct dotenv_entry *entries;
	size_t count;
};

/*
 * Parses `len` bytes of `text` (need not be NUL-terminated). Returns 0, or -1
 * with a one-line message in err naming the line and the fault (never a value).
 * A later duplicate key replaces the earlier one.
 */
int dotenv_parse(const char *text, size_t len, struct dotenv *out, char *err, size_t errlen);
/*
 * Loads PATH and expands ${VAR}, ${VAR:-default} and $VAR in its values as
 * dotenv-expand does (environment first, then the keys above; single-quoted
 * values are literal). A missing file gives an empty set and 0; errors are
 * logged with the path.
 */
int dotenv_load_file(const char *path, struct dotenv *out);
/* NULL when absent. */
const char *dotenv_get(const struct dotenv *env, const char *key);
void dotenv_free(struct dotenv *env);

#endif
