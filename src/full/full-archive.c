#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/backups.h"
#include "base/fsutil.h"
#include "dump/dump-reader.h"
#include "full/full-archive.h"
#include "full/full-backup.h"
#include "full/full-legacy.h"
#include "full/full-tree-check.h"
#include "base/log.h"
#include "io/progress.h"
#include "io/pipe.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#define READ_BLOCK (64 * 1024)
/* A remote archive's pull: one ranged GET each, so fewer and larger. */
#define REMOTE_BLOCK (4 * 1024 * 1024)
/* MANIFEST.json of a real backup is small; a larger claim is hostile. */
#define MANIFEST_MAX (64 * 1024 * 1024)

/*
 * A member name is safe when relative, without "..", "." or empty parts,
 * and each part short enough for a file name (restore --to could not
 * create a longer one).
 */
static int
safe_relative(const char *p)
{
	const char *seg = p;

	if (*p == '\0' || *p == '/')
		return 0;
	for (;;) {
		size_t n = strcspn(seg, "/");

		if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.') || n > NAME_MAX)
			return 0;
		if (seg[n] == '\0')
			return 1;
		seg += n + 1;
		if (*seg == '\0')
			return 1;	/* a trailing slash: a directory */
	}
}

/* One byte in tree order: '/' sorts before every other, the end before '/'. */
static int
tree_rank(unsigned char c)
{
	return c == '\0' ? 0 : c == '/' ? 1 : c + 2;
}

/*
 * Paths in the order a tree walk meets them: everything below "a" comes
 * right after "a", before "a-b" or "a.txt", so a file with something
 * below it sits next to its first descendant.
 */
static int
tree_order(const void *a, const void *b)
{
	const unsigned char *x = (const unsigned char *)(*(const struct full_entry *const *)a)->path;
	const unsigned char *y = (const unsigned char *)(*(const struct full_entry *const *)b)->path;

	while (*x != '\0' && *x == *y) {
		x++;
		y++;
	}
	return tree_rank(*x) - tree_rank(*y);
}

/*
 * The files as one directory can hold them, as restore --to creates
 * them: each path safe, none twice, none below another file ("deps/a"
 * and "deps/a/b"). Checked here so that verify refuses what extraction
 * would stop on. Fills m->sorted, the lookup index of find_entry.
 */
static int
index_manifest_paths(struct full_manifest *m, char *err, size_t errlen)
{
	size_t i;

	m->sorted = xcalloc(m->nfiles + 1, sizeof(*m->sorted));
	for (i = 0; i < m->nfiles; i++) {
		const char *p = m->files[i].path;

		if (!safe_relative(p) || p[strlen(p) - 1] == '/') {
			errbuf_set(err, errlen, "MANIFEST.json lists \"%s\": not a file name inside the backup", p);
			return -1;
		}
		m->sorted[i] = &m->files[i];
	}
	qsort(m->sorted, m->nfiles, sizeof(*m->sorted), tree_order);
	for (i = 1; i < m->nfiles; i++) {
		const char *prev = m->sorted[i - 1]->path, *cur = m->sorted[i]->path;
		size_t len = strlen(prev);

		if (strcmp(prev, cur) == 0) {
			errbuf_set(err, errlen, "MANIFEST.json lists %s twice", cur);
			return -1;
		}
		if (strncmp(cur, prev, len) == 0 && cur[len] == '/') {
			errbuf_set(err, errlen, "MANIFEST.json lists %s below the file %s", cur, prev);
			return -1;
		}
	}
	return 0;
}

int
full_manifest_parse(const char *text, size_t len, struct full_manifest *m, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *files, *git, *db;
	size_t i;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		errbuf_set(err, errlen, "MANIFEST.json is not valid JSON (line %d: %s)", jerr.line, jerr.text);
		return -1;
	}
	files = json_object_get(root, "files");
	if (!json_is_string(json_object_get(root, "kind")) ||
	    strcmp(json_string_value(json_object_get(root, "kind")), "full") != 0 || !json_is_array(files) ||
	    !json_is_string(json_object_get(root, "name"))) {
		errbuf_set(err, errlen, "MANIFEST.json lacks kind \"full\", name or files");
		goto out;
	}
	m->name = xstrdup(json_string_value(json_object_get(root, "name")));
	git = json_object_get(root, "git");
	if (json_is_object(git)) {
		json_t *c = json_object_get(git, "commit"), *b = json_object_get(git, "branch");

		m->commit = json_is_string(c) ? xstrdup(json_string_value(c)) : NULL;
		m->branch = json_is_string(b) ? xstrdup(json_string_value(b)) : NULL;
	}
	db = json_object_get(root, "database");
	m->db_included = json_is_true(json_object_get(db, "included"));
	m->files = xcalloc(json_array_size(files) + 1, sizeof(*m->files));
	for (i = 0; i < json_array_size(files); i++) {
		json_t *f = json_array_get(files, i);
		json_t *p = json_object_get(f, "path"), *s = json_object_get(f, "size"), *h = json_object_get(f, "sha256");

		if (!json_is_string(p) || !json_is_integer(s) || json_integer_value(s) < 0 || !json_is_string(h) ||
		    strlen(json_string_value(h)) != 64) {
			errbuf_set(err, errlen, "MANIFEST.json files entry %zu needs path, size and sha256", i);
			goto out;
		}
		m->files[i].path = xstrdup(json_string_value(p));
		m->files[i].size = (uint64_t)json_integer_value(s);
		memcpy(m->files[i].sha256, json_string_value(h), 65);
		m->nfiles++;
	}
	if (index_manifest_paths(m, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	json_decref(root);
	if (rc < 0)
		full_manifest_free(m);
	return rc;
}

void
full_manifest_free(struct full_manifest *m)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++)
		free(m->files[i].path);
	free(m->files);
	free(m->sorted);
	free(m->name);
	free(m->commit);
	free(m->branch);
	memset(m, 0, sizeof(*m));
}

static struct full_entry *
find_entry(struct full_manifest *m, const char *path)
{
	struct full_entry key = { .path = (char *)path }, *kp = &key, **found;

	found = bsearch(&kp, m->sorted, m->nfiles, sizeof(*m->sorted), tree_order);
	return found ? *found : NULL;
}

/* The file of the manifest that DIR (a directory member, "a/b/") or a directory above it is. */
static const char *
file_at_or_above(struct full_manifest *m, const char *dir)
{
	char *p = xstrdup(dir), *slash;
	const char *hit = NULL;

	while (hit == NULL && *p != '\0') {
		struct full_entry *fe;

		if (p[strlen(p) - 1] == '/')
			p[strlen(p) - 1] = '\0';
		else if ((fe = find_entry(m, p)) != NULL)
			hit = fe->path;
		else if ((slash = strrchr(p, '/')) != NULL)
			slash[1] = '\0';
		else
			*p = '\0';
	}
	free(p);
	return hit;
}

struct reader {
	struct archive *a;
	const char *path;	/* the archive, or its name when FROM reads it */
	const struct dump_source *from;	/* NULL: the local file at path */
	uint64_t from_size;	/* FROM's size */
	struct full_manifest *m;
	char *top;		/* the archive's top directory name */
	const char *dir;	/* extraction target, or NULL to check only */
	const char *keep;	/* when checking only: where the history goes for the tree check */
	const char *label;	/* the progress bar's: "verify" or "extract" */
	struct progress *bar;	/* NULL: no terminal, no bar */
	struct strbuf problem;	/* the first refusal or mismatch */
	struct source *src;	/* the file's bytes, decrypted where it is encrypted */
	int encrypted;		/* the file was encrypted, and decrypted whole */
	int decrypt_failed;	/* a wrong key, or bytes that are not authentic: problem says which */
	int key_failed;		/* the key (none, or not the file's): no chunk was read */
	char sha256[65];	/* with from: the archive's, read to its end ("" otherwise) */
	uint64_t bytes;
};

/* Compressed bytes read so far: the file's own, so the total is its size and the ETA real. */
static void
advance(struct reader *r)
{
	if (r->bar != NULL)
		progress_update(r->bar, (uint64_t)archive_filter_bytes(r->a, -1), NULL);
}

static void
problem(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
problem(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->problem.len > 0)
		return;
	va_start(ap, fmt);
	strbuf_vprintf(&r->problem, fmt, ap);
	va_end(ap);
}

/*
 * The archive's bytes for libarchive: the file -> decrypt (a NAME.enc must
 * be encrypted; another passes through if plain) -> a buffer libarchive
 * reads from. libarchive pulls and the pipe pushes: each pull pushes one
 * block of the file, which comes out as at most a few chunks, so memory
 * stays bounded. At the file's end the pipe is finished, which checks the
 * final chunk; bytes after it fail there.
 */
struct source {
	struct pipe *p;
	int fd;
	const char *path;
	const struct dump_source *from;	/* NULL: fd; else read by ranges, */
	uint64_t offset, size;		/* up to size */
	unsigned char *buf;	/* what the last pull decrypted, handed to libarchive */
	size_t len, cap;
	int done;		/* the file was read to its end and the pipe finished */
	char err[512];		/* why decryption stopped; "" otherwise */
	char gz_err[512];	/* why gunzip stopped, when the pipe inflates (legacy archives); "" otherwise */
};

static int
source_take(void *arg, const void *buf, size_t len)
{
	struct source *s = arg;

	if (s->len + len > s->cap) {
		s->cap = s->len + len > 2 * s->cap ? s->len + len : 2 * s->cap;
		s->buf = xrealloc(s->buf, s->cap);
	}
	memcpy(s->buf + s->len, buf, len);
	s->len += len;
	return 0;
}

/* The next bytes, 0 at the end, -1 (unreported: s->err, or the read error logged) when the file fails. */
static la_ssize_t
source_pull(struct source *s)
{
	s->len = 0;
	while (s->len == 0 && !s->done) {
		uint64_t before = pipe_bytes(s->p, PIPE_IN);

		if (s->from != NULL) {
			uint64_t n = s->size - s->offset < REMOTE_BLOCK ? s->size - s->offset : REMOTE_BLOCK;

			if (n > 0 && s->from->feed(s->from->arg, s->p, s->offset, n) < 0)
				return -1;
			s->offset += n;
		} else if (pipe_read_fd(s->p, s->fd, s->path, READ_BLOCK) < 0) {
			return -1;
		}
		if (pipe_bytes(s->p, PIPE_IN) == before) {
			if (pipe_finish(s->p) < 0)
				return -1;
			s->done = 1;
		}
	}
	return (la_ssize_t)s->len;
}

static la_ssize_t
source_read(struct archive *a, void *arg, const void **block)
{
	struct reader *r = arg;
	la_ssize_t n = source_pull(r->src);

	*block = r->src->buf;
	if (n < 0) {
		if (r->src->err[0] != '\0') {
			r->decrypt_failed = 1;
			r->key_failed = !pipe_decrypt_found(r->src->p);
			problem(r, "%s", r->src->err);
		} else if (r->src->gz_err[0] != '\0') {
			problem(r, "the gzip stream is damaged: %s", r->src->gz_err);
		}
		archive_set_error(a, EIO, "%s", r->src->err[0] ? r->src->err : r->src->gz_err[0] ? r->src->gz_err :
		    "read error");
	}
	return n;
}

/*
 * FROM NULL: the file at PATH; else FROM's SIZE bytes, hashed on the way
 * (no second read for the sidecar). GUNZIP: inflated here, so the gzip
 * CRC and length at its end are checked (libarchive does not).
 */
static struct source *
source_open(const char *path, const struct dump_source *from, uint64_t size, int gunzip)
{
	struct source *s = xcalloc(1, sizeof(*s));

	s->path = path;
	s->from = from;
	s->size = size;
	s->fd = from != NULL ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0 && from == NULL) {
		log_errno("cannot read %s", path);
		free(s);
		return NULL;
	}
	s->p = pipe_new();
	if (from != NULL)
		pipe_add_sha256(s->p);
	pipe_add_decrypt(s->p, NULL, !backup_name_encrypted(path), s->err, sizeof(s->err));
	if (gunzip)
		pipe_add_gunzip(s->p, NULL, 0, s->gz_err, sizeof(s->gz_err));
	pipe_to_consumer(s->p, source_take, s);
	return s;
}

static void
source_close(struct source *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	pipe_free(s->p);
	free(s->buf);
	free(s);
}

/*
 * After the tar's end: the rest of the file must still decrypt to its
 * final chunk (libarchive stops reading at the end blocks).
 */
static int
source_drain(struct reader *r)
{
	const void *block;
	la_ssize_t n;

	while ((n = source_read(r->a, r, &block)) > 0)
		;
	if (n < 0) {
		problem(r, "%s cannot be read to its end", r->path);
		return -1;
	}
	r->encrypted = pipe_decrypt_found(r->src->p);
	return 0;
}

/* Reads the member's data through sha256 into fd (-1: nowhere; shown: fd's name in messages). */
static int
read_member(struct reader *r, int fd, const char *shown, const char *name, uint64_t *size, char hex[65])
{
	struct fs_out o = { fd, shown };
	struct pipe *p = pipe_new();
	char *buf = xmalloc(READ_BLOCK);
	la_ssize_t n;
	int rc = -1;

	pipe_add_sha256(p);
	if (fd >= 0)
		pipe_to_consumer(p, fs_write_block, &o);
	else
		pipe_to_null(p);
	while ((n = archive_read_data(r->a, buf, READ_BLOCK)) > 0) {
		advance(r);
		if (pipe_write(p, buf, (size_t)n) < 0)
			goto out;
	}
	if (n < 0) {
		problem(r, "member %s cannot be read: %s", name, archive_error_string(r->a));
		goto out;
	}
	if (pipe_finish(p) < 0)
		goto out;
	*size = pipe_bytes(p, PIPE_IN);
	pipe_sha256_hex(p, hex);
	rc = 0;
out:
	pipe_free(p);
	free(buf);
	return rc;
}

static int
read_manifest_member(struct reader *r, struct archive_entry *e)
{
	la_int64_t claimed = archive_entry_size(e);
	char *text, err[256];
	la_ssize_t n;
	size_t used = 0;
	int rc = -1;

	if (claimed < 0 || claimed > MANIFEST_MAX) {
		problem(r, "MANIFEST.json claims %lld bytes", (long long)claimed);
		return -1;
	}
	text = xmalloc((size_t)claimed + 1);
	while (used < (size_t)claimed && (n = archive_read_data(r->a, text + used, (size_t)claimed - used)) > 0)
		used += (size_t)n;
	if (used != (size_t)claimed) {
		problem(r, "MANIFEST.json is cut short in the archive");
		goto out;
	}
	if (full_manifest_parse(text, used, r->m, err, sizeof(err)) < 0) {
		problem(r, "%s", err);
		goto out;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

/* The members full_check_tree reads: the history (a bundle, or refs and objects) and the patch. */
static int
history_member(const char *rel)
{
	return strcmp(rel, "git/repo.bundle") == 0 || strcmp(rel, "git/refs.txt") == 0 ||
	    strncmp(rel, "git/objects/", 12) == 0 || strcmp(rel, "git/uncommitted.patch") == 0;
}

static int
extract_member(struct reader *r, struct full_entry *fe, const char *rel)
{
	const char *into = r->dir ? r->dir : r->keep && history_member(rel) ? r->keep : NULL;
	char *out = NULL, *shown = NULL;
	uint64_t size = 0;
	char hex[65];
	int fd = -1, rc = -1;

	if (into) {
		if (fs_mkdirs_for(into, rel) < 0)
			goto out;
		out = xasprintf("%s/%s", into, rel);
		/* A full disk is the extract area's, not the archive's: name both. */
		shown = xasprintf("%s member %s, extracted into %s", r->path, rel, into);
		/* A fresh file only: nothing existing is followed or replaced. */
		fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			log_errno("cannot create %s", shown);
			goto out;
		}
	}
	if (read_member(r, fd, shown, rel, &size, hex) < 0)
		goto out;
	if (size != fe->size || strcmp(hex, fe->sha256) != 0) {
		problem(r, "member %s: manifest %llu bytes sha256 %.16s..., archive %llu bytes sha256 %.16s...", rel,
		    (unsigned long long)fe->size, fe->sha256, (unsigned long long)size, hex);
		goto out;
	}
	if (fd >= 0 && fs_fsync(fd, shown) < 0)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(out);
	free(shown);
	return rc;
}

/* The bar, the source and libarchive on it; GUNZIP as source_open. -1 with the problem set. */
static int
reader_open(struct reader *r, int gunzip)
{
	struct stat st;

	/* Off a terminal not even the stat: cron and systemd pay nothing. */
	if (progress_wanted() && (r->from != NULL || stat(r->path, &st) == 0))
		r->bar = progress_start(r->label, r->from != NULL ? r->from_size : (uint64_t)st.st_size, 0);
	if ((r->src = source_open(r->path, r->from, r->from_size, gunzip)) == NULL)
		return -1;
	r->a = archive_read_new();
	archive_read_support_filter_gzip(r->a);
	archive_read_support_format_tar(r->a);
	if (archive_read_open(r->a, r, NULL, source_read, NULL) != ARCHIVE_OK) {
		problem(r, "cannot open %s as a tar.gz: %s", r->path, archive_error_string(r->a));
		return -1;
	}
	return 0;
}

static void
reader_close(struct reader *r)
{
	progress_end(r->bar);
	r->bar = NULL;
	archive_read_free(r->a);
	r->a = NULL;
	source_close(r->src);
	r->src = NULL;
}

/*
 * A member's refusals (unsafe name, not a plain file or directory, outside
 * the one top directory): -1 with the problem set, else 0 and *REL its
 * path below the top directory ("" for the top directory itself).
 */
static int
member_refused(struct reader *r, struct archive_entry *e, const char **rel)
{
	const char *name = archive_entry_pathname(e);
	mode_t type = archive_entry_filetype(e);
	size_t toplen;

	advance(r);
	if (name == NULL || !safe_relative(name)) {
		problem(r, "refused member \"%s\": absolute path or \"..\"", name ? name : "(no name)");
		return -1;
	}
	if (archive_entry_hardlink(e) || archive_entry_symlink(e) || (type != AE_IFREG && type != AE_IFDIR)) {
		problem(r, "refused member %s: only plain files and directories belong in a full backup", name);
		return -1;
	}
	toplen = strcspn(name, "/");
	if (r->top == NULL)
		r->top = xstrndup(name, toplen);
	if (strlen(r->top) != toplen || strncmp(name, r->top, toplen) != 0) {
		problem(r, "refused member %s: outside the archive's top directory %s", name, r->top);
		return -1;
	}
	*rel = name[toplen] == '/' ? name + toplen + 1 : "";
	if (**rel == '\0' && type != AE_IFDIR) {
		problem(r, "refused member %s: the archive's top directory %s is a file", name, r->top);
		return -1;
	}
	return 0;
}

/* One pass over the archive; a refusal stops it. */
static int
read_archive(struct reader *r)
{
	struct archive_entry *e;
	int rc = -1, got_manifest = 0, step;

	if (reader_open(r, 0) < 0)
		goto out;
	while ((step = archive_read_next_header(r->a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e), *rel;
		mode_t type = archive_entry_filetype(e);
		struct full_entry *fe;

		if (member_refused(r, e, &rel) < 0)
			goto out;
		if (type == AE_IFDIR && *rel == '\0')
			continue;
		if (type == AE_IFDIR) {
			/* Checked against the manifest's files, so it must come first. */
			const char *file = got_manifest ? file_at_or_above(r->m, rel) : NULL;

			if (!got_manifest) {
				problem(r, "the archive does not start with %s", FULL_MANIFEST_NAME);
				goto out;
			}
			if (file != NULL) {
				problem(r, "refused member %s: a directory where the manifest has the file %s", name, file);
				goto out;
			}
			continue;
		}
		if (!got_manifest) {
			if (strcmp(rel, FULL_MANIFEST_NAME) != 0) {
				problem(r, "the archive does not start with %s", FULL_MANIFEST_NAME);
				goto out;
			}
			if (read_manifest_member(r, e) < 0)
				goto out;
			got_manifest = 1;
			continue;
		}
		fe = find_entry(r->m, rel);
		if (fe == NULL || fe->seen) {
			problem(r, "refused member %s: %s", rel, fe ? "it appears twice" : "it is not in the manifest");
			goto out;
		}
		fe->seen = 1;
		/* Checked before a byte is read: a huge claimed size goes nowhere. */
		if (archive_entry_size(e) < 0 || (uint64_t)archive_entry_size(e) != fe->size) {
			problem(r, "member %s claims %lld bytes, the manifest says %llu", rel,
			    (long long)archive_entry_size(e), (unsigned long long)fe->size);
			goto out;
		}
		if (extract_member(r, fe, rel) < 0)
			goto out;
	}
	if (step != ARCHIVE_EOF) {
		problem(r, "the archive is damaged or cut short: %s", archive_error_string(r->a));
		goto out;
	}
	if (!got_manifest) {
		problem(r, "no %s in the archive", FULL_MANIFEST_NAME);
		goto out;
	}
	for (size_t i = 0; i < r->m->nfiles; i++) {
		if (!r->m->files[i].seen) {
			problem(r, "member %s is in the manifest but not in the archive", r->m->files[i].path);
			goto out;
		}
	}
	if (source_drain(r) < 0)
		goto out;
	if (r->from != NULL) {
		pipe_sha256_hex(r->src->p, r->sha256);
		r->bytes = pipe_bytes(r->src->p, PIPE_IN);
	}
	rc = 0;
out:
	reader_close(r);
	return rc;
}

/*
 * The sidecar NAME.tar.gz.manifest.json (TEXT, NULL: none; named SIDE):
 * size and SHA-256 of the archive against SIZE and HEX (NULL: it could not
 * be read to its end).
 */
static void
sidecar_checks(const char *side, const char *text, size_t len, uint64_t size, const char *hex,
    struct verify_result *res)
{
	json_t *root = NULL;

	if (text == NULL) {
		verify_add(res, "manifest", 0, "%s is missing or unreadable", side);
		return;
	}
	root = json_loadb(text, len, 0, NULL);
	if (!json_is_string(json_object_get(root, "sha256")) || !json_is_integer(json_object_get(root, "bytes"))) {
		verify_add(res, "manifest", 0, "%s lacks bytes or sha256", side);
		json_decref(root);
		return;
	}
	verify_add(res, "manifest", 1, "%s", side);
	if (hex == NULL)
		hex = "unreadable to its end";
	verify_add(res, "size", size == (uint64_t)json_integer_value(json_object_get(root, "bytes")),
	    "manifest %lld bytes, file %llu", (long long)json_integer_value(json_object_get(root, "bytes")),
	    (unsigned long long)size);
	verify_add(res, "checksum", strcmp(hex, json_string_value(json_object_get(root, "sha256"))) == 0,
	    "manifest sha256 %.16s..., file %.16s...", json_string_value(json_object_get(root, "sha256")), hex);
	json_decref(root);
}

static void
check_sidecar(const char *path, struct verify_result *res)
{
	char *side = xasprintf("%s%s", path, MANIFEST_SUFFIX), *text = NULL;
	uint64_t size = 0;
	char hex[65];
	size_t len = 0;
	int readable;

	if (fs_read_file(side, &text, &len) != 0)
		text = NULL;
	readable = text == NULL || sha256_file(path, 0, &size, hex) == 0;
	sidecar_checks(side, text, len, size, readable ? hex : NULL, res);
	free(text);
	free(side);
}

static size_t
count_files(const char *dir)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)) != NULL) {
		char *p;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(p, &st) == 0)
			n += S_ISDIR(st.st_mode) ? count_files(p) : 1;
		free(p);
	}
	if (d)
		closedir(d);
	return n;
}

/* full_check_tree on the manifest's files, the history being in BASE/git/. */
static void
check_tree(const char *base, const struct full_manifest *m, struct verify_result *res)
{
	const char **paths = xmalloc((m->nfiles + 1) * sizeof(*paths));
	size_t i;

	for (i = 0; i < m->nfiles; i++)
		paths[i] = m->files[i].path;
	full_check_tree(base, m->branch, m->commit, paths, m->nfiles, res);
	free(paths);
}

/* A full backup directory: every file of MANIFEST.json, and nothing else. */
static void
check_directory(const char *dir, struct verify_result *res)
{
	struct full_manifest m;
	char *mpath = xasprintf("%s/%s", dir, FULL_MANIFEST_NAME), *text = NULL, err[256];
	struct strbuf bad = STRBUF_INIT;
	size_t len, i, nbad = 0;

	if (fs_read_file(mpath, &text, &len) != 0 || full_manifest_parse(text, len, &m, err, sizeof(err)) < 0) {
		verify_add(res, "manifest", 0, "%s is missing or invalid", mpath);
		goto out;
	}
	verify_add(res, "manifest", 1, "%s", mpath);
	for (i = 0; i < m.nfiles; i++) {
		char *p = xasprintf("%s/%s", dir, m.files[i].path), hex[65] = "";
		uint64_t size = 0;
		int readable = safe_relative(m.files[i].path) && sha256_file(p, 1, &size, hex) == 0;

		if (!readable || size != m.files[i].size || strcmp(hex, m.files[i].sha256) != 0) {
			if (nbad++ < 3)
				strbuf_printf(&bad, "%s%s: %s", bad.len ? "; " : "", m.files[i].path,
				    !readable ? "missing" : "size or sha256 differs from the manifest");
		}
		free(p);
	}
	/* MANIFEST.json itself is the one file it does not list. */
	if (nbad == 0 && count_files(dir) != m.nfiles + 1) {
		nbad++;
		strbuf_printf(&bad, "%zu files in the directory, %zu in the manifest", count_files(dir) - 1, m.nfiles);
	}
	if (nbad == 0)
		verify_add(res, "members", 1, "%zu files as recorded", m.nfiles);
	else
		verify_add(res, "members", 0, "%s", strbuf_str(&bad));
	if (nbad == 0)
		check_tree(dir, &m, res);
	full_manifest_free(&m);
out:
	strbuf_free(&bad);
	free(text);
	free(mpath);
}

/* One read of the archive R names: its members, then its tree. 0, or -1 (reported). */
static int
verify_archive(struct reader *r, struct full_manifest *m, struct verify_result *res)
{
	char *keep;

	memset(m, 0, sizeof(*m));
	r->m = m;
	r->label = "verify";
	/* The history, kept as it is read, for the tree check after. */
	if ((keep = fs_temp_dir("verify")) == NULL)
		return -1;
	r->keep = keep;
	/* Without the key, or with bytes that are not authentic, the rest cannot be judged: one finding. */
	if (read_archive(r) < 0) {
		verify_add(res, r->decrypt_failed ? r->key_failed ? "key" : "decrypt" : "members", 0, "%s",
		    strbuf_str(&r->problem));
	} else {
		if (r->encrypted)
			verify_add(res, "decrypt", 1, "every chunk authentic, in order, up to the final one");
		verify_add(res, "members", 1, "%zu members, each as MANIFEST.json records", m->nfiles + 1);
		check_tree(keep, m, res);
	}
	fs_remove_tree(keep);
	free(keep);
	strbuf_free(&r->problem);
	free(r->top);
	r->top = NULL;
	full_manifest_free(m);
	return 0;
}

/* A legacy archive's dump member, streamed into the dump checks' own pipe. */
static int
member_feed(void *arg, struct pipe *p)
{
	struct reader *r = arg;
	char *buf = xmalloc(READ_BLOCK);
	la_ssize_t n;
	int rc = 0;

	while ((n = archive_read_data(r->a, buf, READ_BLOCK)) > 0) {
		advance(r);
		if (pipe_write(p, buf, (size_t)n) < 0) {
			rc = -1;
			break;
		}
	}
	if (n < 0) {
		problem(r, "member %s cannot be read: %s", FULL_LEGACY_DUMP, archive_error_string(r->a));
		rc = -1;
	}
	free(buf);
	return rc;
}

/* BACKUP-MANIFEST.md, a page of text: read whole; a larger one is not the script's and claims nothing. */
static void
read_claims(struct reader *r, struct archive_entry *e, struct full_legacy *l)
{
	la_int64_t claimed = archive_entry_size(e);
	size_t used = 0;
	la_ssize_t n;
	char *text;

	if (claimed < 0 || claimed > MANIFEST_MAX)
		return;
	text = xmalloc((size_t)claimed + 1);
	while (used < (size_t)claimed && (n = archive_read_data(r->a, text + used, (size_t)claimed - used)) > 0)
		used += (size_t)n;
	full_legacy_claims(l, text, used);
	free(text);
}

/*
 * One pass over an archive without a sidecar (the old script's): the
 * members as read_archive refuses them, the gzip stream inflated by the
 * pipe to its CRC, the dump member through the dump checks. *OURS: it
 * holds MANIFEST.json after all (lotbackup's, its sidecar lost). 0 when
 * the checks ran (into RES, or none with *OURS), -1 (reported).
 */
static int
verify_legacy_archive(struct reader *r, struct full_legacy *l, struct verify_result *dump, int *ours)
{
	struct archive_entry *e;
	int step, rc = 0;
	char *label;

	r->label = "verify";
	if (reader_open(r, 1) < 0) {
		rc = r->problem.len > 0 ? 0 : -1;	/* not a tar.gz is a finding; an unreadable file was reported */
		goto out;
	}
	while ((step = archive_read_next_header(r->a, &e)) == ARCHIVE_OK) {
		const char *rel;

		if (member_refused(r, e, &rel) < 0)
			goto out;
		if (archive_entry_filetype(e) == AE_IFDIR)
			continue;
		if ((*ours = strcmp(rel, FULL_MANIFEST_NAME) == 0))
			goto out;
		full_legacy_note(l, rel);
		if (strcmp(rel, FULL_LEGACY_DUMP) == 0 && dump->path == NULL) {
			label = xasprintf("%s member %s/%s", r->path, r->top, rel);
			rc = verify_db_feed_legacy(label, member_feed, r, dump);
			free(label);
			if (rc < 0 && r->problem.len > 0)
				rc = 0;	/* the archive's damage: the finding below */
			if (rc < 0)
				goto out;
		} else if (strcmp(rel, FULL_LEGACY_MANIFEST) == 0) {
			read_claims(r, e, l);
		}
	}
	if (step != ARCHIVE_EOF)
		problem(r, "the archive is damaged or cut short: %s", archive_error_string(r->a));
	else
		source_drain(r);
out:
	reader_close(r);
	return rc;
}

/* An archive that is not lotbackup's: no sidecar, and plain (the old script never encrypted). */
static int
maybe_legacy_archive(const char *path)
{
	char *side = xasprintf("%s%s", path, MANIFEST_SUFFIX);
	int legacy = !backup_name_encrypted(path) && fs_exists(side) == 0;

	free(side);
	return legacy;
}

/* 1 with RES filled when PATH is a legacy archive; 0 when it is one of ours after all; -1 (reported). */
static int
legacy_archive_checks(const char *path, struct verify_result *res)
{
	struct full_legacy l;
	struct verify_result dump;
	struct reader r;
	int ours = 0, rc;

	memset(&l, 0, sizeof(l));
	memset(&dump, 0, sizeof(dump));
	memset(&r, 0, sizeof(r));
	r.path = path;
	rc = verify_legacy_archive(&r, &l, &dump, &ours);
	if (rc == 0 && !ours) {
		rc = 1;
		/* Damage decides alone: the members it hid would only echo it. */
		if (r.problem.len > 0) {
			verify_add(res, "manifest", 1, "none: %s", FULL_LEGACY_NOTE);
			verify_add(res, "archive", 0, "%s", strbuf_str(&r.problem));
		} else {
			verify_add(res, "archive", 1, "gzip stream (CRC) and tar whole to the end");
			full_legacy_checks(&l, dump.path != NULL ? &dump : NULL, res);
		}
	}
	verify_result_free(&dump);
	strbuf_free(&r.problem);
	free(r.top);
	return rc;
}

int
full_verify(const char *path, struct verify_result *res)
{
	struct full_manifest m;
	struct reader r;
	struct stat st;

	verify_result_init(res, path);
	if (stat(path, &st) < 0) {
		log_errno("cannot read %s", path);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (full_legacy_dir(path))
			return full_verify_legacy_dir(path, res);
		check_directory(path, res);
		return 0;
	}
	if (maybe_legacy_archive(path)) {
		switch (legacy_archive_checks(path, res)) {
		case 1:
			return 0;
		case -1:
			return -1;
		}
		/* One of ours that lost its sidecar: judged as ours, the missing sidecar a finding. */
		verify_result_free(res);
		verify_result_init(res, path);
	}
	check_sidecar(path, res);
	memset(&r, 0, sizeof(r));
	r.path = path;
	return verify_archive(&r, &m, res);
}

int
full_verify_source(const struct dump_source *src, uint64_t size, const char *side, const char *text, size_t len,
    struct verify_result *res)
{
	struct full_manifest m;
	struct reader r;
	int rc;

	verify_result_init(res, src->name);
	memset(&r, 0, sizeof(r));
	r.path = src->name;
	r.from = src;
	r.from_size = size;
	rc = verify_archive(&r, &m, res);
	if (rc == 0)
		sidecar_checks(side, text, len, r.sha256[0] ? r.bytes : size, r.sha256[0] ? r.sha256 : NULL, res);
	return rc;
}

int
full_extract(const char *archive_path, const char *dir, struct full_manifest *m)
{
	return full_extract_source(archive_path, NULL, 0, dir, m);
}

int
full_extract_source(const char *archive_path, const struct dump_source *from, uint64_t size, const char *dir,
    struct full_manifest *m)
{
	struct reader r;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	switch (fs_dir_new_or_empty(dir)) {
	case 0:
		log_error("%s is not empty: restore --to writes into a new or empty directory only", dir);
		return -1;
	case -1:
		return -1;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		log_errno("cannot create %s", dir);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.path = archive_path;
	r.from = from;
	r.from_size = size;
	r.m = m;
	r.dir = dir;
	r.label = "extract";
	if (read_archive(&r) < 0) {
		if (r.problem.len)
			log_error("%s: %s; restore stopped (nothing was written outside %s)", archive_path, r.problem.buf, dir);
		goto out;
	}
	rc = 0;
out:
	strbuf_free(&r.problem);
	free(r.top);
	return rc;
}
