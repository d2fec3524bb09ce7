/* The sink chain: gzip output inflates back, SHA-256 is right, files are atomic. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/fsutil.h"
#include "io/sink.h"
#include "unit.h"
#include "base/xalloc.h"

static char *
make_tmpdir(void)
{
	char tmpl[] = "/tmp/lbunit.XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? xstrdup(d) : NULL;
}

/* Inflates a whole gzip file (possibly multi-member) into memory. */
static unsigned char *
gunzip_file(const char *path, size_t *len)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 1 << 20, used = 0;
	unsigned char *buf = xmalloc(cap);
	int n;

	if (gz == NULL)
		return NULL;
	while ((n = gzread(gz, buf + used, (unsigned)(cap - used))) > 0) {
		used += (size_t)n;
		if (used == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	gzclose(gz);
	*len = used;
	return n < 0 ? NULL : buf;
}

int
main(void)
{
	char *dir = make_tmpdir();
	char *path = xasprintf("%s/out.gz", dir);
	char *tmp = xasprintf("%s.tmp", path);
	struct sink *file, *sha, *gz;
	unsigned char *data, *back;
	size_t len = 3 * 1000 * 1000 + 17, back_len = 0, i;
	char hex[65];
	struct stat st;

	UNIT_CHECK("sink-tmpdir", dir != NULL);
	data = xmalloc(len);
	for (i = 0; i < len; i++)
		data[i] = (unsigned char)((i * 7919) ^ (i >> 9));

	umask(0);
	file = sink_file_create(path, 0600);
	UNIT_CHECK("sink-file-create", file != NULL);
	UNIT_CHECK("sink-file-tmp-exists", stat(tmp, &st) == 0 && (st.st_mode & 0777) == 0600);
	UNIT_CHECK("sink-file-final-absent-while-writing", stat(path, &st) < 0);
	sha = sink_sha256_new(file);
	gz = sink_gzip_new(sha, 6);
	/* Odd-sized writes cross the internal buffers at awkward places. */
	for (i = 0; i < len; i += 4099) {
		size_t n = len - i < 4099 ? len - i : 4099;

		if (sink_write(gz, data + i, n) < 0)
			break;
	}
	UNIT_CHECK("sink-all-written", i >= len);
	UNIT_CHECK("sink-finish", sink_finish(gz) == 0);
	UNIT_CHECK("sink-bytes-in-counted", gz->bytes_in == len && file->bytes_in > 0 && file->bytes_in < len);
	UNIT_CHECK("sink-not-published-before-publish", stat(path, &st) < 0);
	UNIT_CHECK("sink-publish", sink_file_publish(file) == 0);
	UNIT_CHECK("sink-published-mode-0600", stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	UNIT_CHECK("sink-published-size", (uint64_t)st.st_size == file->bytes_in);
	UNIT_CHECK("sink-tmp-gone", access(tmp, F_OK) < 0);
	sink_sha256_hex(sha, hex);
	sink_free(gz);
	back = gunzip_file(path, &back_len);
	UNIT_CHECK("sink-gzip-roundtrip", back != NULL && back_len == len && memcmp(back, data, len) == 0);
	free(back);

	/* Parallel gzip: independent members, in order, inflating to the input. */
	{
		int jobs;

		for (jobs = 1; jobs <= 4; jobs += 3) {
			char *pz = xasprintf("%s/par%d.gz", dir, jobs);
			struct sink *pf = sink_file_create(pz, 0600), *pg = sink_pgzip_new(pf, 6, jobs);
			size_t off;

			for (off = 0; off < len; off += 7777)
				sink_write(pg, data + off, len - off < 7777 ? len - off : 7777);
			UNIT_CHECK(jobs == 1 ? "pgzip-1-finish" : "pgzip-4-finish", sink_finish(pg) == 0 && sink_file_publish(pf) == 0);
			sink_free(pg);
			back = gunzip_file(pz, &back_len);
			UNIT_CHECK(jobs == 1 ? "pgzip-1-roundtrip" : "pgzip-4-roundtrip",
			    back != NULL && back_len == len && memcmp(back, data, len) == 0);
			free(back);
			unlink(pz);
			free(pz);
		}
		/* No input at all still makes a valid (empty) gzip file. */
		char *pz = xasprintf("%s/empty.gz", dir);
		struct sink *pf = sink_file_create(pz, 0600), *pg = sink_pgzip_new(pf, 6, 3);

		UNIT_CHECK("pgzip-empty-finish", sink_finish(pg) == 0 && sink_file_publish(pf) == 0);
		sink_free(pg);
		back = gunzip_file(pz, &back_len);
		UNIT_CHECK("pgzip-empty-valid", back != NULL && back_len == 0);
		free(back);
		unlink(pz);
		free(pz);
	}

	/* SHA-256 of a known string through a null sink. */
	sha = sink_sha256_new(sink_null_new());
	sink_write(sha, "abc", 3);
	sink_finish(sha);
	sink_sha256_hex(sha, hex);
	UNIT_CHECK("sink-sha256-abc",
	    strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
	sink_free(sha);

	/* Freed without publishing: no final file, no tmp file. */
	file = sink_file_create(path, 0600);
	UNIT_CHECK("sink-create-beside-existing-final", file != NULL);
	if (file) {
		sink_write(file, "new content", 11);
		sink_finish(file);
		UNIT_CHECK("sink-publish-noreplace", sink_file_publish(file) < 0);
		sink_free(file);
	}
	UNIT_CHECK("sink-existing-file-kept", (back = gunzip_file(path, &back_len)) != NULL && back_len == len);
	free(back);
	UNIT_CHECK("sink-abort-removes-tmp", access(tmp, F_OK) < 0);
	unlink(path);
	file = sink_file_create(path, 0600);
	sink_write(file, "partial", 7);
	sink_free(file);
	UNIT_CHECK("sink-abandoned-leaves-nothing", access(tmp, F_OK) < 0 && access(path, F_OK) < 0);

	/* A leftover tmp file is not silently clobbered. */
	close(open(tmp, O_CREAT | O_WRONLY, 0600));
	file = sink_file_create(path, 0600);
	UNIT_CHECK("sink-existing-tmp-refused", file == NULL);
	unlink(tmp);
	rmdir(dir);
	free(data);
	free(dir);
	free(path);
	free(tmp);
	return unit_done();
}
