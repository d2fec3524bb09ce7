/* The text reports: info, log and status, each into one pipe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <git2.h>

#include "git/git-snapshot-internal.h"
#include "git/git-snapshot.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/*
 * Git's quoting of paths in short status: in double quotes with C escapes
 * when a path has a control character, a quote, a backslash, a space or a
 * byte over 0x7f (core.quotePath); as it is otherwise.
 */
static void
put_quoted(struct strbuf *sb, const char *s)
{
	const unsigned char *p;
	int quote = 0;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\' || *p == ' ')
			quote = 1;
	if (!quote) {
		strbuf_puts(sb, s);
		return;
	}
	strbuf_putc(sb, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '\a': strbuf_puts(sb, "\\a"); break;
		case '\b': strbuf_puts(sb, "\\b"); break;
		case '\t': strbuf_puts(sb, "\\t"); break;
		case '\n': strbuf_puts(sb, "\\n"); break;
		case '\v': strbuf_puts(sb, "\\v"); break;
		case '\f': strbuf_puts(sb, "\\f"); break;
		case '\r': strbuf_puts(sb, "\\r"); break;
		case '"': strbuf_puts(sb, "\\\""); break;
		case '\\': strbuf_puts(sb, "\\\\"); break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				strbuf_printf(sb, "\\%03o", *p);
			else
				strbuf_putc(sb, (char)*p);
		}
	}
	strbuf_putc(sb, '"');
}

/*
 * The values of URL's query hidden ("?private_token=***&ref=***"): which
 * of them is a token only the server knows. Scheme, host and path stay;
 * so does everything of a URL without '?'. Always a new string.
 */
static char *
redact_query(const char *url)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = strchr(url, '?'), *end;

	if (p == NULL)
		return xstrdup(url);
	strbuf_append(&sb, url, (size_t)(p - url));
	while (*p) {
		end = p + 1 + strcspn(p + 1, "=&");
		strbuf_append(&sb, p, (size_t)(end - p));	/* "?key" or "&key" */
		p = end;
		if (*p == '=') {
			strbuf_puts(&sb, "=***");
			p += 1 + strcspn(p + 1, "&");
		}
	}
	return strbuf_detach(&sb);
}

/* The user info part of redact_url(). */
static char *
redact_userinfo(const char *url)
{
	const char *scheme_end = strstr(url, "://"), *auth, *auth_end, *at = NULL, *colon = NULL, *p;
	size_t scheme_len;
	int web;

	if (scheme_end == NULL)
		return xstrdup(url);
	scheme_len = (size_t)(scheme_end - url);
	auth = scheme_end + 3;
	auth_end = auth + strcspn(auth, "/?#");
	for (p = auth; p < auth_end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		return xstrdup(url);
	for (p = auth; p < at; p++)
		if (*p == ':') {
			colon = p;
			break;
		}
	if (colon)
		return xasprintf("%.*s:***%s", (int)(colon - url), url, at);
	web = (scheme_len == 4 && strncasecmp(url, "http", 4) == 0) ||
	    (scheme_len == 5 && strncasecmp(url, "https", 5) == 0) ||
	    (scheme_len == 3 && strncasecmp(url, "ftp", 3) == 0) ||
	    (scheme_len == 4 && strncasecmp(url, "ftps", 4) == 0);
	if (!web)
		return xstrdup(url);
	return xasprintf("%.*s***%s", (int)(auth - url), url, at);
}

/*
 * Credentials out of a remote URL: "https://user:pw@host/x" keeps the user
 * and hides the password; a lone user name on http(s)/ftp(s) is hidden too,
 * as tokens are often passed that way. ssh users and scp-style
 * "git@host:path" are not secrets and stay. Query values are hidden too
 * (GitLab's ?private_token=).
 */
static char *
redact_url(const char *url)
{
	char *userless = redact_userinfo(url), *safe;

	if (strstr(url, "://") == NULL)
		return userless;
	safe = redact_query(userless);
	free(userless);
	return safe;
}

struct info_ctx {
	struct strbuf *sb;
};

static int
info_submodule(git_submodule *sm, const char *name, void *payload)
{
	struct info_ctx *ic = payload;
	const git_oid *id = git_submodule_head_id(sm);
	const char *url = git_submodule_url(sm);
	char hex[GIT_OID_HEXSZ + 1] = "-";
	char *safe;

	(void)name;
	if (id == NULL)
		id = git_submodule_index_id(sm);
	if (id)
		git_oid_tostr(hex, sizeof(hex), id);
	safe = redact_url(url ? url : "-");
	strbuf_puts(ic->sb, "submodule ");
	put_quoted(ic->sb, git_submodule_path(sm));
	strbuf_putc(ic->sb, ' ');
	put_quoted(ic->sb, safe);
	strbuf_printf(ic->sb, " %s\n", hex);
	free(safe);
	return 0;
}

int
gitsnap_write_info(struct gitsnap *g, struct pipe *out)
{
	struct gitsnap_summary s;
	struct gitsnap_refs refs = { NULL, 0 };
	struct strbuf sb = STRBUF_INIT;
	struct info_ctx ic = { &sb };
	git_strarray remotes = { NULL, 0 };
	git_remote *remote = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	if (gitsnap_read_head(g, &s) < 0)
		goto out;
	strbuf_printf(&sb, "head %s\n", s.head[0] ? s.head : "unborn");
	strbuf_printf(&sb, "branch %s\n", s.branch ? s.branch : "detached");
	if (s.upstream)
		strbuf_printf(&sb, "upstream %s ahead %zu behind %zu\n", s.upstream, s.ahead, s.behind);
	if (git_remote_list(&remotes, g->repo) < 0) {
		gitsnap_git_error("cannot list the remotes of %s", g->where);
		goto out;
	}
	for (i = 0; i < remotes.count; i++) {
		const char *url;
		char *safe;

		if (git_remote_lookup(&remote, g->repo, remotes.strings[i]) < 0) {
			gitsnap_git_error("cannot read the remote %s of %s", remotes.strings[i], g->where);
			goto out;
		}
		url = git_remote_url(remote);
		safe = redact_url(url ? url : "-");
		strbuf_printf(&sb, "remote %s ", remotes.strings[i]);
		put_quoted(&sb, safe);
		strbuf_putc(&sb, '\n');
		free(safe);
		git_remote_free(remote);
		remote = NULL;
	}
	/* Quiet: the bundle warns about broken refs once. */
	if (gitsnap_collect_refs(g, 1, &refs) < 0)
		goto out;
	for (i = 0; i < refs.n; i++)
		if (strncmp(refs.v[i].name, "refs/tags/", 10) == 0)
			strbuf_printf(&sb, "tag %s %s\n", refs.v[i].name + 10,
			    git_oid_tostr(hex, sizeof(hex), &refs.v[i].oid));
	/* Informational: a bad .gitmodules must not stop the backup. */
	if (!git_repository_is_bare(g->repo) && git_submodule_foreach(g->repo, info_submodule, &ic) < 0)
		gitsnap_git_warn("cannot list the submodules of %s", g->where);
	rc = pipe_write(out, strbuf_str(&sb), sb.len);
out:
	git_remote_free(remote);
	git_strarray_dispose(&remotes);
	gitsnap_refs_free(&refs);
	gitsnap_summary_free(&s);
	strbuf_free(&sb);
	return rc;
}

/* A field of a tab-separated line: tabs and line breaks become spaces. */
static void
put_field(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		strbuf_putc(sb, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

/* Git's strict ISO 8601 (%aI) in the author's own offset. */
static void
put_iso_date(struct strbuf *sb, const git_time *t)
{
	time_t local = (time_t)t->time + (time_t)t->offset * 60;
	int off = t->offset < 0 ? -t->offset : t->offset;
	struct tm tm;

	if (gmtime_r(&local, &tm) == NULL) {
		strbuf_puts(sb, "?");
		return;
	}
	strbuf_printf(sb, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, t->offset < 0 ? '-' : '+', off / 60,
	    off % 60);
}

int
gitsnap_write_log(struct gitsnap *g, size_t max_commits, struct pipe *out)
{
	git_revwalk *walk = NULL;
	git_commit *commit = NULL;
	struct strbuf line = STRBUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid oid;
	size_t n = 0;
	int rc = -1, err = 0;

	if (git_repository_head_unborn(g->repo) == 1)
		return 0;	/* no commits, no log */
	if (git_revwalk_new(&walk, g->repo) < 0) {
		gitsnap_git_error("cannot walk the history of %s", g->where);
		goto out;
	}
	git_revwalk_sorting(walk, GIT_SORT_TIME);
	if (git_revwalk_push_head(walk) < 0) {
		gitsnap_git_error("cannot walk the history of HEAD in %s", g->where);
		goto out;
	}
	while (n < max_commits && (err = git_revwalk_next(&oid, walk)) == 0) {
		const git_signature *author;
		const char *subject;

		if (git_commit_lookup(&commit, g->repo, &oid) < 0) {
			gitsnap_git_error("cannot read commit %s in %s", git_oid_tostr(hex, sizeof(hex), &oid),
			    g->where);
			goto out;
		}
		author = git_commit_author(commit);
		subject = git_commit_summary(commit);
		strbuf_reset(&line);
		strbuf_printf(&line, "%s\t", git_oid_tostr(hex, sizeof(hex), &oid));
		put_field(&line, author->name);
		strbuf_puts(&line, " <");
		put_field(&line, author->email);
		strbuf_puts(&line, ">\t");
		put_iso_date(&line, &author->when);
		strbuf_putc(&line, '\t');
		put_field(&line, subject ? subject : "");
		strbuf_putc(&line, '\n');
		if (pipe_write(out, line.buf, line.len) < 0)
			goto out;
		git_commit_free(commit);
		commit = NULL;
		n++;
	}
	if (n < max_commits && err != GIT_ITEROVER) {
		gitsnap_git_error("cannot walk the history of %s", g->where);
		goto out;
	}
	rc = 0;
out:
	git_commit_free(commit);
	git_revwalk_free(walk);
	strbuf_free(&line);
	return rc;
}

static char
index_code(unsigned int st)
{
	if (st & GIT_STATUS_INDEX_RENAMED)
		return 'R';
	if (st & GIT_STATUS_INDEX_NEW)
		return 'A';
	if (st & GIT_STATUS_INDEX_DELETED)
		return 'D';
	if (st & GIT_STATUS_INDEX_TYPECHANGE)
		return 'T';
	if (st & GIT_STATUS_INDEX_MODIFIED)
		return 'M';
	return ' ';
}

static char
worktree_code(unsigned int st)
{
	if (st & GIT_STATUS_WT_DELETED)
		return 'D';
	if (st & GIT_STATUS_WT_TYPECHANGE)
		return 'T';
	if (st & GIT_STATUS_WT_MODIFIED)
		return 'M';
	return ' ';
}

/* The two letters git shows for an unmerged path, from its index stages. */
static const char *
conflict_code(git_index *index, const char *path)
{
	const git_index_entry *anc = NULL, *ours = NULL, *theirs = NULL;

	if (index == NULL || git_index_conflict_get(&anc, &ours, &theirs, index, path) < 0)
		return "UU";
	if (anc && !ours && !theirs)
		return "DD";
	if (!anc && ours && !theirs)
		return "AU";
	if (anc && ours && !theirs)
		return "UD";
	if (!anc && !ours && theirs)
		return "UA";
	if (anc && !ours && theirs)
		return "DU";
	if (!anc && ours && theirs)
		return "AA";
	return "UU";
}

static void
status_line(struct strbuf *sb, const git_status_entry *e, git_index *index)
{
	const git_diff_delta *hi = e->head_to_index, *iw = e->index_to_workdir;
	const char *path = hi ? hi->new_file.path : iw->old_file.path;

	if (e->status & GIT_STATUS_CONFLICTED) {
		strbuf_printf(sb, "%s ", conflict_code(index, path));
	} else {
		strbuf_putc(sb, index_code(e->status));
		strbuf_putc(sb, worktree_code(e->status));
		strbuf_putc(sb, ' ');
		if (hi && (e->status & GIT_STATUS_INDEX_RENAMED)) {
			put_quoted(sb, hi->old_file.path);
			strbuf_puts(sb, " -> ");
		}
	}
	put_quoted(sb, path);
	strbuf_putc(sb, '\n');
}

int
gitsnap_write_status(struct gitsnap *g, struct pipe *out)
{
	git_status_options opts;
	git_status_list *list = NULL;
	git_index *index = NULL;
	struct strbuf sb = STRBUF_INIT;
	size_t i, n;
	int rc = -1;

	if (git_repository_is_bare(g->repo)) {
		log_error("cannot read the status of %s: it is a bare repository (no work tree)", g->where);
		return -1;
	}
	/* `git status --porcelain=v1`: untracked directories shown as "dir/". */
	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX;
	if (git_status_list_new(&list, g->repo, &opts) < 0 || git_repository_index(&index, g->repo) < 0) {
		gitsnap_git_error("cannot read the status of %s", g->where);
		goto out;
	}
	n = git_status_list_entrycount(list);
	/* Git lists changes first, then untracked files. */
	for (i = 0; i < n; i++) {
		const git_status_entry *e = git_status_byindex(list, i);

		if (e->status == GIT_STATUS_CURRENT || e->status == GIT_STATUS_WT_NEW ||
		    (e->status & GIT_STATUS_IGNORED))
			continue;
		status_line(&sb, e, index);
	}
	for (i = 0; i < n; i++) {
		const git_status_entry *e = git_status_byindex(list, i);

		if (e->status != GIT_STATUS_WT_NEW)
			continue;
		strbuf_puts(&sb, "?? ");
		put_quoted(&sb, e->index_to_workdir->new_file.path);
		strbuf_putc(&sb, '\n');
	}
	rc = sb.len ? pipe_write(out, sb.buf, sb.len) : 0;
out:
	git_index_free(index);
	git_status_list_free(list);
	strbuf_free(&sb);
	return rc;
}

struct paths_ctx {
	char **v;
	size_t n;
};

static int
collect_submodule(git_submodule *sm, const char *name, void *payload)
{
	struct paths_ctx *pc = payload;

	(void)name;
	pc->v = xrealloc(pc->v, (pc->n + 1) * sizeof(*pc->v));
	pc->v[pc->n++] = xstrdup(git_submodule_path(sm));
	return 0;
}

int
gitsnap_submodule_paths(struct gitsnap *g, char ***paths, size_t *n)
{
	struct paths_ctx pc = { NULL, 0 };

	*paths = NULL;
	*n = 0;
	if (git_repository_is_bare(g->repo))
		return 0;
	if (git_submodule_foreach(g->repo, collect_submodule, &pc) < 0) {
		gitsnap_git_error("cannot list the submodules of %s", g->where);
		for (size_t i = 0; i < pc.n; i++)
			free(pc.v[i]);
		free(pc.v);
		return -1;
	}
	*paths = pc.v;
	*n = pc.n;
	return 0;
}
