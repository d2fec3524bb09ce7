#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "git/ignore-match.h"
#include "base/log.h"
#include "full/project-files.h"
#include "base/xalloc.h"

#define IGNORE_FILE ".lotbackupignore"

struct project_rules {
	struct ignore_rules *ignore;	/* NULL without a .lotbackupignore */
	char **messages;		/* per ignore rule: ".lotbackupignore line N: TEXT" */
};

/*
 * Built-in secret rules, matched case-insensitively against the basename of
 * a file (not of a directory: a migration directory called
 * 20240101_add_secret_column must still be backed up). They are checked
 * before .lotbackupignore, so a "!" rule there cannot re-include a secret.
 *
 * Templates (see is_template) are meant to be shared, so the name-based
 * rules (.env.*, credentials.*, *secret*, service-account*.json) leave them
 * alone: .env.example and secrets.example.json are kept. The key, certificate
 * and keystore rules do not: an extension like .pem says what the file holds
 * whatever the rest of its name says (server.example.pem is excluded).
 *
 * Beyond the documented list: id_*_sk (FIDO keys), *.env and .envrc (docker
 * compose and direnv environment files), .git-credentials.
 */
enum secret_how {
	SECRET_EXACT,
	SECRET_PREFIX,
	SECRET_SUFFIX,
	SECRET_CONTAINS,
	SECRET_PREFIX_SUFFIX,
};

struct secret_rule {
	enum secret_how how;
	const char *a;
	const char *b;		/* SECRET_PREFIX_SUFFIX: the suffix */
	int templates_ok;	/* templates are exempt */
	const char *rule;
};

static const struct secret_rule secret_rules[] = {
	{ SECRET_EXACT, "id_rsa", NULL, 0, "secret: private key (id_rsa)" },
	{ SECRET_EXACT, "id_dsa", NULL, 0, "secret: private key (id_dsa)" },
	{ SECRET_EXACT, "id_ecdsa", NULL, 0, "secret: private key (id_ecdsa)" },
	{ SECRET_EXACT, "id_ed25519", NULL, 0, "secret: private key (id_ed25519)" },
	{ SECRET_EXACT, "id_ecdsa_sk", NULL, 0, "secret: private key (id_ecdsa_sk)" },
	{ SECRET_EXACT, "id_ed25519_sk", NULL, 0, "secret: private key (id_ed25519_sk)" },
	{ SECRET_SUFFIX, ".pem", NULL, 0, "secret: private key (*.pem)" },
	{ SECRET_SUFFIX, ".key", NULL, 0, "secret: private key (*.key)" },
	{ SECRET_SUFFIX, ".p12", NULL, 0, "secret: private key (*.p12)" },
	{ SECRET_SUFFIX, ".pfx", NULL, 0, "secret: private key (*.pfx)" },
	{ SECRET_SUFFIX, ".crt", NULL, 0, "secret: certificate (*.crt)" },
	{ SECRET_SUFFIX, ".cer", NULL, 0, "secret: certificate (*.cer)" },
	{ SECRET_SUFFIX, ".der", NULL, 0, "secret: certificate (*.der)" },
	{ SECRET_SUFFIX, ".keystore", NULL, 0, "secret: keystore (*.keystore)" },
	{ SECRET_SUFFIX, ".jks", NULL, 0, "secret: keystore (*.jks)" },
	{ SECRET_SUFFIX, ".kdbx", NULL, 0, "secret: password database (*.kdbx)" },
	{ SECRET_EXACT, ".env", NULL, 0, "secret: environment file (.env)" },
	{ SECRET_PREFIX, ".env.", NULL, 1, "secret: environment file (.env.*)" },
	{ SECRET_EXACT, ".envrc", NULL, 0, "secret: environment file (.envrc)" },
	{ SECRET_SUFFIX, ".env", NULL, 1, "secret: environment file (*.env)" },
	{ SECRET_EXACT, ".npmrc", NULL, 0, "secret: credentials file (.npmrc)" },
	{ SECRET_EXACT, ".pypirc", NULL, 0, "secret: credentials file (.pypirc)" },
	{ SECRET_EXACT, ".pgpass", NULL, 0, "secret: credentials file (.pgpass)" },
	{ SECRET_EXACT, ".netrc", NULL, 0, "secret: credentials file (.netrc)" },
	{ SECRET_EXACT, ".git-credentials", NULL, 0, "secret: credentials file (.git-credentials)" },
	{ SECRET_EXACT, "credentials", NULL, 0, "secret: credentials (credentials)" },
	{ SECRET_PREFIX, "credentials.", NULL, 1, "secret: credentials (credentials.*)" },
	{ SECRET_PREFIX_SUFFIX, "service-account", ".json", 1,
	    "secret: cloud service account key (service-account*.json)" },
	{ SECRET_CONTAINS, "secret", NULL, 1, "secret: secret-named file (*secret*)" },
};

/* Dependency manifests and lock files, by exact (case-sensitive) basename. */
static const char *const dep_names[] = {
	"package.json", "yarn.lock", "package-lock.json", "pnpm-lock.yaml", "npm-shrinkwrap.json",
	"go.mod", "go.sum", "Gemfile", "Gemfile.lock", "Cargo.toml", "Cargo.lock",
	"composer.json", "composer.lock", "poetry.lock", "pyproject.toml",
};

static int
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static int
is_template_word(const char *s, size_t n)
{
	return (n == 7 && memcmp(s, "example", 7) == 0) || (n == 6 && memcmp(s, "sample", 6) == 0) ||
	    (n == 8 && memcmp(s, "template", 8) == 0);
}

/*
 * A configuration template: the last or the second-to-last extension is
 * example, sample or template (.env.example, config.yml.sample,
 * secrets.example.json). LOWER is the lower-cased basename.
 */
static int
is_template(const char *lower)
{
	const char *last = strrchr(lower, '.'), *prev;

	if (last == NULL)
		return 0;
	if (is_template_word(last + 1, strlen(last + 1)))
		return 1;
	for (prev = last; prev > lower && prev[-1] != '.'; prev--)
		;
	return prev > lower && is_template_word(prev, (size_t)(last - prev));
}

static char *
lower_dup(const char *s)
{
	char *l = xstrdup(s), *p;

	for (p = l; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return l;
}

/* The secret rule NAME (a file's basename) falls under, or NULL. */
static const char *
secret_rule(const char *name)
{
	char *lower = lower_dup(name);
	const char *rule = NULL;
	int tmpl = is_template(lower), hit = 0;
	size_t i;

	for (i = 0; i < sizeof(secret_rules) / sizeof(secret_rules[0]) && rule == NULL; i++) {
		const struct secret_rule *s = &secret_rules[i];

		switch (s->how) {
		case SECRET_EXACT:
			hit = strcmp(lower, s->a) == 0;
			break;
		case SECRET_PREFIX:
			hit = has_prefix(lower, s->a);
			break;
		case SECRET_SUFFIX:
			hit = has_suffix(lower, s->a);
			break;
		case SECRET_CONTAINS:
			hit = strstr(lower, s->a) != NULL;
			break;
		case SECRET_PREFIX_SUFFIX:
			hit = strlen(lower) >= strlen(s->a) + strlen(s->b) && has_prefix(lower, s->a) &&
			    has_suffix(lower, s->b);
			break;
		}
		if (hit && !(tmpl && s->templates_ok))
			rule = s->rule;
	}
	free(lower);
	return rule;
}

/* The kind of file NAME is worth copying as, or -1. */
static int
candidate_kind(const char *name, int in_migrations)
{
	char *lower;
	int tmpl;
	size_t i;

	/* Every file of a Prisma migration, migration_lock.toml included. */
	if (in_migrations)
		return PROJECT_FILE_DEPS;
	for (i = 0; i < sizeof(dep_names) / sizeof(dep_names[0]); i++)
		if (strcmp(name, dep_names[i]) == 0)
			return PROJECT_FILE_DEPS;
	if (has_prefix(name, "requirements") && has_suffix(name, ".txt"))
		return PROJECT_FILE_DEPS;
	/* Prisma schemas wherever package.json's "prisma.schema" puts them, and multi-file schemas. */
	if (has_suffix(name, ".prisma") && strlen(name) > strlen(".prisma"))
		return PROJECT_FILE_DEPS;
	lower = lower_dup(name);
	tmpl = is_template(lower);
	free(lower);
	return tmpl ? PROJECT_FILE_CONFIG : -1;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The .lotbackupignore rule deciding PATH, or NULL; parents too when check_parents. */
static const char *
ignore_rule_for(const struct project_rules *r, const char *path, int is_dir, int check_parents)
{
	size_t lo = 0, hi, mid;
	int line = 0, l;

	if (r == NULL || r->ignore == NULL)
		return NULL;
	if (!(check_parents ? ignore_match_path(r->ignore, path, is_dir, &line) :
	    ignore_match(r->ignore, path, is_dir, &line)))
		return NULL;
	/* Rules are in line order. */
	hi = ignore_count(r->ignore);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		ignore_rule(r->ignore, mid, &l, NULL, NULL);
		if (l == line)
			return r->messages[mid];
		if (l < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ".lotbackupignore";
}

int
project_rules_load(const char *project_dir, struct project_rules **out)
{
	struct project_rules *r = xcalloc(1, sizeof(*r));
	char *path = xasprintf("%s/%s", project_dir, IGNORE_FILE), *text = NULL;
	const char *rtext, *invalid;
	size_t len = 0, i, n;
	int rc = -1, got, line, bad = 0;

	*out = NULL;
	got = fs_read_file(path, &text, &len);
	if (got < 0)
		goto out;
	if (got == 0) {
		r->ignore = ignore_parse(text, len);
		n = ignore_count(r->ignore);
		r->messages = xcalloc(n + 1, sizeof(*r->messages));
		for (i = 0; i < n; i++) {
			ignore_rule(r->ignore, i, &line, &rtext, &invalid);
			/* git would silently ignore it; here it would silently back up what it meant to leave out. */
			if (invalid) {
				log_error("%s line %d: %s in \"%s\" (fix the pattern; gitignore syntax)", path, line,
				    invalid, rtext);
				bad = 1;
			}
			r->messages[i] = xasprintf("%s line %d: %s", IGNORE_FILE, line, rtext);
		}
		if (bad)
			goto out;
	}
	*out = r;
	r = NULL;
	rc = 0;
out:
	project_rules_free(r);
	free(text);
	free(path);
	return rc;
}

const char *
project_rules_excluded(const struct project_rules *r, const char *path, int is_dir)
{
	char *copy = xstrdup(path);
	size_t n = strlen(copy);
	const char *rule = NULL;

	while (n > 0 && copy[n - 1] == '/') {
		copy[--n] = '\0';
		is_dir = 1;
	}
	if (!is_dir)
		rule = secret_rule(base_name(copy));
	if (rule == NULL)
		rule = ignore_rule_for(r, copy, is_dir, 1);
	free(copy);
	return rule;
}

int
project_rules_is_secret(void *rules, const char *path)
{
	return project_rules_excluded(rules, path, 0) != NULL;
}

void
project_rules_free(struct project_rules *r)
{
	size_t i, n;

	if (r == NULL)
		return;
	if (r->messages) {
		n = ignore_count(r->ignore);
		for (i = 0; i < n; i++)
			free(r->messages[i]);
		free(r->messages);
	}
	ignore_free(r->ignore);
	free(r);
}

struct walk_dir {
	char *rel;		/* relative to the project; "" for its root */
	int in_migrations;	/* at or below a prisma/migrations directory */
};

struct walk {
	const char *root;
	const struct project_rules *rules;
	int skip_set;
	dev_t skip_dev;
	ino_t skip_ino;
	struct walk_dir *stack;	/* directories still to read: no recursion, however deep the tree */
	size_t nstack, capstack;
	size_t capfiles, capexcluded;
	struct project_scan *out;
};

static char *
join(const char *root, const char *rel)
{
	size_t n = strlen(root);

	if (rel[0] == '\0')
		return xstrdup(root);
	return xasprintf("%s%s%s", root, n > 0 && root[n - 1] == '/' ? "" : "/", rel);
}

static void
add_file(struct walk *w, enum project_file_kind kind, const char *rel)
{
	struct project_scan *s = w->out;

	if (s->nfiles == w->capfiles) {
		w->capfiles = w->capfiles ? w->capfiles * 2 : 32;
		s->files = xrealloc(s->files, w->capfiles * sizeof(*s->files));
	}
	s->files[s->nfiles].kind = kind;
	s->files[s->nfiles].path = xstrdup(rel);
	s->nfiles++;
}

static void
add_excluded(struct walk *w, const char *rel, const char *suffix, const char *rule)
{
	struct project_scan *s = w->out;

	if (s->nexcluded == w->capexcluded) {
		w->capexcluded = w->capexcluded ? w->capexcluded * 2 : 16;
		s->excluded = xrealloc(s->excluded, w->capexcluded * sizeof(*s->excluded));
	}
	s->excluded[s->nexcluded].path = xasprintf("%s%s", rel, suffix);
	s->excluded[s->nexcluded].rule = xstrdup(rule);
	s->nexcluded++;
}

static void
push_dir(struct walk *w, char *rel, int in_migrations)
{
	if (w->nstack == w->capstack) {
		w->capstack = w->capstack ? w->capstack * 2 : 16;
		w->stack = xrealloc(w->stack, w->capstack * sizeof(*w->stack));
	}
	w->stack[w->nstack].rel = rel;
	w->stack[w->nstack].in_migrations = in_migrations;
	w->nstack++;
}

static void
visit_dir(struct walk *w, const struct walk_dir *parent, const char *name, const char *rel,
    const struct stat *st)
{
	const char *rule;

	if (strcmp(name, "node_modules") == 0)
		return;
	/* By identity, so "./backups", "backups/" and an absolute path all match. */
	if (w->skip_set && st->st_dev == w->skip_dev && st->st_ino == w->skip_ino)
		return;
	rule = ignore_rule_for(w->rules, rel, 1, 0);
	if (rule) {
		/* Listed with a trailing slash: nothing below it was looked at. */
		add_excluded(w, rel, "/", rule);
		return;
	}
	push_dir(w, xstrdup(rel), parent->in_migrations ||
	    (strcmp(name, "migrations") == 0 && strcmp(base_name(parent->rel), "prisma") == 0));
}

static int
visit_file(struct walk *w, const struct walk_dir *parent, const char *name, const char *rel,
    const char *full, const struct stat *st)
{
	int kind = candidate_kind(name, parent->in_migrations), fd;
	const char *rule = secret_rule(name);
	struct stat target;

	/* Every secret is listed, so the manifest shows what was left out and why. */
	if (rule) {
		add_excluded(w, rel, "", rule);
		return 0;
	}
	if (kind < 0)
		return 0;
	rule = ignore_rule_for(w->rules, rel, 0, 0);
	if (rule) {
		add_excluded(w, rel, "", rule);
		return 0;
	}
	if (S_ISLNK(st->st_mode)) {
		/* A symlinked directory is simply not followed; a link to a file is not copied. */
		if (stat(full, &target) == 0 && S_ISDIR(target.st_mode))
			return 0;
		add_excluded(w, rel, "", "symlink");
		return 0;
	}
	if (!S_ISREG(st->st_mode)) {
		add_excluded(w, rel, "", "not a regular file");
		return 0;
	}
	/* Found unreadable now rather than halfway through writing the archive. */
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		log_errno("cannot read %s (fix its permissions or list it in %s/%s)", full, w->root, IGNORE_FILE);
		return -1;
	}
	close(fd);
	add_file(w, (enum project_file_kind)kind, rel);
	return 0;
}

static int
scan_dir(struct walk *w, const struct walk_dir *dir)
{
	char *full = join(w->root, dir->rel), *rel = NULL, *path = NULL;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = -1;

	d = opendir(full);
	if (d == NULL) {
		if (dir->rel[0] == '\0')
			log_errno("cannot read project directory %s", full);
		else
			log_errno("cannot read directory %s (fix its permissions or list it in %s/%s)", full,
			    w->root, IGNORE_FILE);
		goto out;
	}
	for (;;) {
		free(rel);
		free(path);
		rel = path = NULL;
		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0) {
				log_errno("cannot read directory %s", full);
				goto out;
			}
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, ".git") == 0)
			continue;
		rel = dir->rel[0] ? xasprintf("%s/%s", dir->rel, de->d_name) : xstrdup(de->d_name);
		path = join(w->root, rel);
		if (lstat(path, &st) < 0) {
			/* Deleted while we walk: nothing to back up. */
			if (errno == ENOENT)
				continue;
			log_errno("cannot stat %s", path);
			goto out;
		}
		if (S_ISDIR(st.st_mode))
			visit_dir(w, dir, de->d_name, rel, &st);
		else if (visit_file(w, dir, de->d_name, rel, path, &st) < 0)
			goto out;
	}
	rc = 0;
out:
	if (d)
		closedir(d);
	free(rel);
	free(path);
	free(full);
	return rc;
}

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct project_file *)a)->path, ((const struct project_file *)b)->path);
}

static int
cmp_excluded(const void *a, const void *b)
{
	return strcmp(((const struct project_exclusion *)a)->path, ((const struct project_exclusion *)b)->path);
}

int
project_scan(const char *project_dir, const char *skip_dir, const struct project_rules *rules,
    struct project_scan *out)
{
	struct walk w;
	struct walk_dir dir;
	struct stat st;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.root = project_dir;
	w.rules = rules;
	w.out = out;
	if (skip_dir) {
		if (stat(skip_dir, &st) == 0) {
			w.skip_set = 1;
			w.skip_dev = st.st_dev;
			w.skip_ino = st.st_ino;
		} else if (errno != ENOENT) {
			log_errno("cannot stat output directory %s", skip_dir);
			goto out;
		}
	}
	push_dir(&w, xstrdup(""), 0);
	while (w.nstack > 0) {
		dir = w.stack[--w.nstack];
		rc = scan_dir(&w, &dir);
		free(dir.rel);
		if (rc < 0)
			goto out;
	}
	if (out->nfiles > 0)
		qsort(out->files, out->nfiles, sizeof(*out->files), cmp_file);
	if (out->nexcluded > 0)
		qsort(out->excluded, out->nexcluded, sizeof(*out->excluded), cmp_excluded);
out:
	while (w.nstack > 0)
		free(w.stack[--w.nstack].rel);
	free(w.stack);
	if (rc < 0)
		project_scan_free(out);
	return rc;
}

void
project_scan_free(struct project_scan *scan)
{
	size_t i;

	for (i = 0; i < scan->nfiles; i++)
		free(scan->files[i].path);
	for (i = 0; i < scan->nexcluded; i++) {
		free(scan->excluded[i].path);
		free(scan->excluded[i].rule);
	}
	free(scan->files);
	free(scan->excluded);
	memset(scan, 0, sizeof(*scan));
}
