#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "migrate/ledger.h"

/* How a migration file's name becomes the name its ledger records. */
enum key_rule {
	KEY_STEM,		/* the file name without its extension (Sequelize, knex) */
	KEY_NAME,		/* the file name itself (Flyway's "script") */
	KEY_SQL_DIR,		/* a folder holding migration.sql (Prisma) */
	KEY_VERSION,		/* the leading digits (Rails, Ecto, golang-migrate) */
	KEY_ALEMBIC,		/* the file's revision = '...' (Alembic) */
};

struct ledger_kind {
	const char *tool;
	const char *table;
	int dirty_column;	/* tells golang-migrate's schema_migrations from Rails' */
	/* The applied migrations, oldest first; %s is the quoted table. */
	const char *select;
	int head_only;
	enum key_rule key;
	const char *dirs[6];	/* where the tool's files live in a project, first found wins */
	const char *exts[4];	/* the endings of its migration files */
	const char *command;	/* what applies pending migrations, unless the project says better */
};

static const struct ledger_kind kinds[] = {
	{ "sequelize", "SequelizeMeta", 0, "SELECT name FROM %s ORDER BY name", 0, KEY_STEM,
	    { "migrations", "db/migrations", "src/migrations", "server/migrations", "database/migrations" },
	    { ".js", ".cjs", ".mjs", ".ts" }, "npx sequelize-cli db:migrate" },
	{ "prisma", "_prisma_migrations", 0, "SELECT migration_name FROM %s WHERE finished_at IS NOT NULL"
	    " AND rolled_back_at IS NULL ORDER BY started_at, migration_name", 0, KEY_SQL_DIR,
	    { "prisma/migrations" }, { "" }, "npx prisma migrate deploy" },
	{ "knex", "knex_migrations", 0, "SELECT name FROM %s ORDER BY id", 0, KEY_STEM,
	    { "migrations", "db/migrations", "src/migrations", "database/migrations" },
	    { ".js", ".cjs", ".mjs", ".ts" }, "npx knex migrate:latest" },
	{ "rails", "schema_migrations", 0, "SELECT version::text FROM %s ORDER BY version", 0, KEY_VERSION,
	    { "db/migrate", "priv/repo/migrations" }, { ".rb", ".exs" }, "bin/rails db:migrate" },
	{ "golang-migrate", "schema_migrations", 1, "SELECT version::text FROM %s", 1, KEY_VERSION,
	    { "migrations", "db/migrations", "migrate", "database/migrations" }, { ".up.sql" },
	    "migrate -path DIR -database \"$DATABASE_URL\" up" },
	{ "flyway", "flyway_schema_history", 0, "SELECT script FROM %s WHERE success ORDER BY installed_rank", 0,
	    KEY_NAME, { "db/migration", "src/main/resources/db/migration", "sql", "migrations" }, { ".sql" },
	    "flyway migrate" },
	{ "alembic", "alembic_version", 0, "SELECT version_num FROM %s", 1, KEY_ALEMBIC,
	    { "alembic/versions", "migrations/versions" }, { ".py" }, "alembic upgrade head" },
};

static const char find_sql[] =
    "SELECT format('%I.%I', n.nspname, c.relname), c.relname, EXISTS (SELECT 1 FROM pg_attribute a"
    "   WHERE a.attrelid = c.oid AND a.attname = 'dirty' AND a.attnum > 0 AND NOT a.attisdropped)"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    "   AND n.nspname !~ '^pg_(toast|temp)' AND c.relname = ANY ('{SequelizeMeta,_prisma_migrations,"
    "knex_migrations,schema_migrations,flyway_schema_history,alembic_version}')"
    " ORDER BY c.relname, n.nspname";

static const struct ledger_kind *
kind_of(const char *table, int has_dirty)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].table, table) == 0 && kinds[i].dirty_column == has_dirty)
			return &kinds[i];
	return NULL;
}

/*
 * One ledger's rows. A table of that name that is not the tool's (other
 * columns) must not fail the dump: inside the dump's transaction the query
 * runs under a savepoint, so its failure leaves the snapshot usable.
 */
static int
read_one(PGconn *conn, const struct ledger_kind *k, const char *table, struct manifest_ledger *l)
{
	int in_tx = PQtransactionStatus(conn) == PQTRANS_INTRANS;
	struct strbuf q = STRBUF_INIT;
	PGresult *res = NULL;
	int i, rc = -1;

	if (in_tx && pgsql_exec(conn, "SAVEPOINT lotbackup_ledger", "cannot read migration ledgers") < 0)
		return -1;
	strbuf_printf(&q, k->select, table);
	res = PQexec(conn, strbuf_str(&q));
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		log_warn("%s looks like the %s migration ledger but cannot be read (%s, SQLSTATE %s); its "
		    "migrations are not recorded", table, k->tool, pgsql_error_text(conn, res), state ? state : "none");
		rc = in_tx ? pgsql_exec(conn, "ROLLBACK TO SAVEPOINT lotbackup_ledger; RELEASE SAVEPOINT lotbackup_ledger",
		    "cannot read migration ledgers") : 0;
		rc = rc < 0 ? -1 : 1;
		goto out;
	}
	l->tool = xstrdup(k->tool);
	l->table = manifest_name(table);
	l->head_only = k->head_only;
	l->applied = xcalloc((size_t)PQntuples(res) + 1, sizeof(*l->applied));
	for (i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 0))
			l->applied[l->napplied++] = manifest_name(PQgetvalue(res, i, 0));
	rc = in_tx ? pgsql_exec(conn, "RELEASE SAVEPOINT lotbackup_ledger", "cannot read migration ledgers") : 0;
out:
	PQclear(res);
	strbuf_free(&q);
	return rc;
}

int
ledger_read(PGconn *conn, struct manifest_ledger **out, size_t *n)
{
	PGresult *res;
	int i, rc = 0;

	*out = NULL;
	*n = 0;
	if ((res = pgsql_query(conn, find_sql, "cannot look for migration ledgers")) == NULL)
		return -1;
	*out = xcalloc((size_t)PQntuples(res) + 1, sizeof(**out));
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		const struct ledger_kind *k = kind_of(PQgetvalue(res, i, 1), PQgetvalue(res, i, 2)[0] == 't');
		int one;

		if (k == NULL)
			continue;
		one = read_one(conn, k, PQgetvalue(res, i, 0), &(*out)[*n]);
		if (one == 0)
			(*n)++;
		else if (one < 0)
			rc = -1;
	}
	PQclear(res);
	if (rc < 0) {
		manifest_ledgers_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static const struct ledger_kind *
kind_named(const char *tool)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].tool, tool) == 0)
			return &kinds[i];
	return NULL;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* The ledger's name for NAME stripped as RULE compares it (caller frees); NULL: ignore. */
static char *
stem(const struct ledger_kind *k, const char *name)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	size_t i;

	if (k->key == KEY_VERSION) {
		size_t digits = strspn(base, "0123456789");

		return digits > 0 ? xstrndup(base, digits) : NULL;
	}
	if (k->key != KEY_STEM)
		return xstrdup(base);
	for (i = 0; i < 4 && k->exts[i]; i++)
		if (ends_with(base, k->exts[i]))
			return xstrndup(base, strlen(base) - strlen(k->exts[i]));
	return xstrdup(base);
}

/* The migration files of one kind in one folder. */
struct mfile {
	char *key;		/* as the ledger names it (stem'd as stem() does) */
	char *name;		/* the file or folder name, as shown */
	char *down;		/* Alembic: the revision it follows; else NULL */
};

struct mfiles {
	struct mfile *v;
	size_t n;
};

/* Alembic's `revision = '...'` (or `down_revision`, with an optional annotation) in TEXT. */
static char *
python_assignment(const char *text, const char *var)
{
	const char *p = text;
	size_t len = strlen(var);

	while ((p = strstr(p, var)) != NULL) {
		const char *q = p + len;

		if ((p == text || p[-1] == '\n') && (*q == ' ' || *q == '=' || *q == ':')) {
			q += strcspn(q, "=\n");
			if (*q == '=') {
				q++;
				q += strspn(q, " \t");
				if (*q == '\'' || *q == '"')
					return xstrndup(q + 1, strcspn(q + 1, "'\"\n"));
				return NULL;	/* None, or a tuple of a merge */
			}
		}
		p += len;
	}
	return NULL;
}

/* The key of NAME in DIR for K, or NULL when it is not one of K's migrations. */
static char *
file_key(const struct ledger_kind *k, const char *dir, const char *name, char **down)
{
	char *path = xasprintf("%s/%s", dir, name), *key = NULL, *text = NULL;
	struct stat st;
	size_t i, len;
	int ext = 0;

	*down = NULL;
	for (i = 0; i < 4 && k->exts[i]; i++)
		ext |= k->exts[i][0] != '\0' && ends_with(name, k->exts[i]);
	if (name[0] == '.' || stat(path, &st) < 0)
		goto out;
	switch (k->key) {
	case KEY_SQL_DIR: {
		char *sql = xasprintf("%s/migration.sql", path);

		if (S_ISDIR(st.st_mode) && access(sql, F_OK) == 0)
			key = xstrdup(name);
		free(sql);
		break;
	}
	case KEY_NAME:
		if (S_ISREG(st.st_mode) && ext && (name[0] == 'V' || name[0] == 'R') && strstr(name, "__"))
			key = xstrdup(name);
		break;
	case KEY_ALEMBIC:
		if (S_ISREG(st.st_mode) && ext && fs_read_file(path, &text, &len) == 0) {
			key = python_assignment(text, "revision");
			*down = key ? python_assignment(text, "down_revision") : NULL;
		}
		break;
	default:
		if (S_ISREG(st.st_mode) && ext && !ends_with(name, ".d.ts"))
			key = stem(k, name);
	}
out:
	free(text);
	free(path);
	return key;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct mfile *)a)->name, ((const struct mfile *)b)->name);
}

/* K's migration files in PROJECT_DIR/REL, sorted by name; 0 when the folder holds none. */
static size_t
list_files(const struct ledger_kind *k, const char *project_dir, const char *rel, struct mfiles *out)
{
	char *dir = xasprintf("%s/%s", project_dir, rel);
	DIR *d = opendir(dir);
	struct dirent *de;

	memset(out, 0, sizeof(*out));
	while (d != NULL && (de = readdir(d)) != NULL) {
		char *down, *key = file_key(k, dir, de->d_name, &down);

		if (key == NULL)
			continue;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n].key = key;
		out->v[out->n].name = xstrdup(de->d_name);
		out->v[out->n++].down = down;
	}
	if (d != NULL)
		closedir(d);
	free(dir);
	qsort(out->v, out->n, sizeof(*out->v), by_name);
	return out->n;
}

static void
mfiles_free(struct mfiles *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].key);
		free(f->v[i].name);
		free(f->v[i].down);
	}
	free(f->v);
}

static const struct mfile *
file_with_key(const struct mfiles *f, const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < f->n; i++)
		if (strcmp(f->v[i].key, key) == 0)
			return &f->v[i];
	return NULL;
}

static void
push(char ***list, size_t *n, const char *s)
{
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = xstrdup(s);
}

/* Digit strings as numbers: golang-migrate versions need not be zero-padded. */
static int
version_cmp(const char *a, const char *b)
{
	size_t la, lb;

	a += strspn(a, "0");
	b += strspn(b, "0");
	la = strlen(a);
	lb = strlen(b);
	return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

/* Alembic: does REV's chain of down revisions reach HEAD (REV itself excluded)? */
static int
descends_from(const struct mfiles *f, const char *rev, const char *head)
{
	const struct mfile *m = file_with_key(f, rev);
	size_t steps;

	for (steps = 0; m != NULL && m->down != NULL && steps <= f->n; steps++) {
		if (strcmp(m->down, head) == 0)
			return 1;
		m = file_with_key(f, m->down);
	}
	return 0;
}

/* A ledger keeping only its newest entry: what lies past it in the code is pending. */
static void
head_drift(const struct ledger_kind *k, const struct mfiles *f, const struct manifest_ledger *l,
    struct ledger_drift *d)
{
	const char *head = l->napplied > 0 ? l->applied[l->napplied - 1] : NULL;
	size_t i;

	for (i = 0; head != NULL && k->key == KEY_VERSION && i < f->n; i++)
		if (version_cmp(f->v[i].key, head) == 0)
			break;
	if (head != NULL && (k->key == KEY_VERSION ? i == f->n : file_with_key(f, head) == NULL)) {
		push(&d->unknown, &d->nunknown, head);
		return;	/* where the code stands against an unknown head cannot be told */
	}
	for (i = 0; i < f->n; i++) {
		int after = head == NULL ? 1 : k->key == KEY_VERSION ? version_cmp(f->v[i].key, head) > 0 :
		    descends_from(f, f->v[i].key, head);

		if (after)
			push(&d->pending, &d->npending, f->v[i].name);
	}
}

static void
full_drift(const struct ledger_kind *k, const struct mfiles *f, const struct manifest_ledger *l,
    struct ledger_drift *d)
{
	char **applied = xcalloc(l->napplied + 1, sizeof(*applied));
	size_t i, j;

	for (j = 0; j < l->napplied; j++)
		applied[j] = stem(k, l->applied[j]);
	for (i = 0; i < f->n; i++) {
		for (j = 0; j < l->napplied; j++)
			if (applied[j] != NULL && strcmp(applied[j], f->v[i].key) == 0)
				break;
		if (j == l->napplied)
			push(&d->pending, &d->npending, f->v[i].name);
	}
	for (j = 0; j < l->napplied; j++) {
		if (file_with_key(f, applied[j]) == NULL)
			push(&d->unknown, &d->nunknown, l->applied[j]);
		free(applied[j]);
	}
	free(applied);
}

/*
 * The project's own way to migrate, when package.json has one (the real
 * project runs `yarn migrations:up`): a script named for migrating up,
 * run with the package manager its lock file names. NULL: none.
 */
static char *
package_script(const char *project_dir)
{
	static const char *const not_up[] = { "down", "undo", "new", "create", "generate", "status", "rollback",
	    "reset", "make", "revert" };
	char *path = xasprintf("%s/package.json", project_dir), *text = NULL, *cmd = NULL, *lock;
	const char *key, *runner = "npm run";
	json_t *root = NULL, *value;
	size_t len, i;

	if (fs_read_file(path, &text, &len) != 0 || (root = json_loadb(text, len, 0, NULL)) == NULL)
		goto out;
	json_object_foreach(json_object_get(root, "scripts"), key, value) {
		int skip = !json_is_string(value) || strstr(key, "migrat") == NULL;

		for (i = 0; !skip && i < sizeof(not_up) / sizeof(not_up[0]); i++)
			skip = strstr(key, not_up[i]) != NULL;
		if (skip)
			continue;
		lock = xasprintf("%s/yarn.lock", project_dir);
		runner = access(lock, F_OK) == 0 ? "yarn" : runner;
		free(lock);
		lock = xasprintf("%s/pnpm-lock.yaml", project_dir);
		runner = access(lock, F_OK) == 0 ? "pnpm run" : runner;
		free(lock);
		cmd = xasprintf("%s %s", runner, key);
		break;
	}
out:
	json_decref(root);
	free(text);
	free(path);
	return cmd;
}

static char *
command_for(const struct ledger_kind *k, const char *project_dir, const char *dir)
{
	char *cmd = NULL;

	if (k->key == KEY_STEM && project_dir != NULL)
		cmd = package_script(project_dir);
	if (cmd == NULL && strcmp(k->tool, "rails") == 0 && dir != NULL && strstr(dir, "priv/") == dir)
		cmd = xstrdup("mix ecto.migrate");
	if (cmd == NULL && strcmp(k->tool, "golang-migrate") == 0)
		cmd = xasprintf("migrate -path %s -database \"$DATABASE_URL\" up", dir ? dir : "migrations");
	return cmd ? cmd : xstrdup(k->command);
}

void
ledger_drift(const char *project_dir, const struct manifest_ledger *l, struct ledger_drift *d)
{
	const struct ledger_kind *k = kind_named(l->tool);
	struct mfiles f = { 0 };
	size_t i;

	memset(d, 0, sizeof(*d));
	d->ledger = l;
	if (k == NULL) {
		d->command = xstrdup("the project's own migration command");
		return;
	}
	for (i = 0; project_dir != NULL && i < 6 && k->dirs[i] != NULL && d->dir == NULL; i++) {
		if (list_files(k, project_dir, k->dirs[i], &f) > 0)
			d->dir = xstrdup(k->dirs[i]);
		else
			mfiles_free(&f);
	}
	d->command = command_for(k, project_dir, d->dir);
	if (project_dir == NULL)
		return;
	if (d->dir == NULL)
		return;
	if (l->head_only)
		head_drift(k, &f, l, d);
	else
		full_drift(k, &f, l, d);
	mfiles_free(&f);
}

void
ledger_drift_free(struct ledger_drift *d)
{
	size_t i;

	for (i = 0; i < d->npending; i++)
		free(d->pending[i]);
	for (i = 0; i < d->nunknown; i++)
		free(d->unknown[i]);
	free(d->pending);
	free(d->unknown);
	free(d->dir);
	free(d->command);
	memset(d, 0, sizeof(*d));
}

char *
ledger_name_list(char *const *list, size_t n, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < n && i < max; i++)
		strbuf_printf(&sb, "%s%s", i ? ", " : "", list[i]);
	if (n > max)
		strbuf_printf(&sb, " and %zu more", n - max);
	return strbuf_detach(&sb);
}
