#ifndef LOTBACKUP_PROJECT_FILES_H
#define LOTBACKUP_PROJECT_FILES_H

#include <stddef.h>

/*
 * Which project files `full` copies and which it must never copy.
 *
 * Secrets: .env and .env.* (but not .env.example/.sample/.template), private
 * keys (id_rsa, id_ed25519, id_ecdsa, id_dsa, *.pem, *.key, *.p12, *.pfx),
 * certificates (*.crt, *.cer, *.der), *.keystore, *.jks, credential-named
 * files (credentials*, *secret*, .npmrc, .pgpass, .netrc), and anything a
 * .lotbackupignore file in the project root matches (gitignore syntax).
 */
struct project_rules;

/* Loads PROJECT/.lotbackupignore if present. 0 or -1 (reported with the line). */
int project_rules_load(const char *project_dir, struct project_rules **out);
/*
 * Is PATH (relative to the project, '/'-separated) excluded? Returns NULL
 * when not, or the rule that excludes it ("secret: private key *.pem",
 * ".lotbackupignore line 3: build/"). is_dir: PATH names a directory.
 */
const char *project_rules_excluded(const struct project_rules *r, const char *path, int is_dir);
/* secret_match_fn-compatible: non-zero when PATH is excluded as a file. */
int project_rules_is_secret(void *rules, const char *path);
void project_rules_free(struct project_rules *r);

enum project_file_kind {
	PROJECT_FILE_DEPS,	/* dependency manifests and lock files, Prisma schema and migrations */
	PROJECT_FILE_CONFIG,	/* configuration templates: *.example, *.sample, *.template */
};

struct project_file {
	enum project_file_kind kind;
	char *path;		/* relative to the project */
};

struct project_exclusion {
	char *path;
	char *rule;
};

struct project_scan {
	struct project_file *files;
	size_t nfiles;
	struct project_exclusion *excluded;	/* candidates left out, with the rule */
	size_t nexcluded;
};

/*
 * Walks PROJECT (not .git, node_modules, nor `skip_dir` — the output
 * directory — nor symlinked directories) for dependency manifests
 * (package.json, yarn.lock, package-lock.json, pnpm-lock.yaml,
 * prisma/schema.prisma, prisma/migrations/..., go.mod, go.sum,
 * requirements*.txt, Gemfile, Gemfile.lock, Cargo.toml, Cargo.lock) and
 * configuration templates, in a stable order, applying the rules. An
 * unreadable directory or file is an error naming it. 0 or -1.
 */
int project_scan(const char *project_dir, const char *skip_dir, const struct project_rules *rules,
    struct project_scan *out);
void project_scan_free(struct project_scan *scan);

#endif
