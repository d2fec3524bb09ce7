/*
 * libFuzzer target: the full-archive reader, as verify and restore --to run
 * it on an untrusted .tar.gz. Each input is read from a memory file by path
 * (the reader opens archives by name), checked, then extracted into a fresh
 * directory below a private root; anything appearing in the root beside that
 * directory means a member escaped it, and aborts.
 */
#include <dirent.h>
#include <sanitizer/common_interface_defs.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "full/full-archive.h"
#include "verify/verify.h"

static char root[64];
static char target[96];
static char input[64];
static int input_fd = -1;

static void
remove_root(void)
{
	fs_remove_tree(root);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "%s/fuzz-full-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(root) == NULL || (input_fd = memfd_create("archive", MFD_CLOEXEC)) < 0) {
		perror("fuzz-full-archive: setup");
		abort();
	}
	atexit(remove_root);
	snprintf(target, sizeof(target), "%s/t", root);
	snprintf(input, sizeof(input), "/proc/self/fd/%d", input_fd);
	return 0;
}

static void
nothing_outside_target(void)
{
	DIR *d = opendir(root);
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 && strcmp(de->d_name, "t") != 0) {
			char msg[512];

			/* stderr is closed under make fuzz (-close_fd_mask=2); the report channel is not. */
			snprintf(msg, sizeof(msg), "fuzz-full-archive: %s/%s was written outside the target", root, de->d_name);
			__sanitizer_report_error_summary(msg);
			abort();
		}
	}
	if (d)
		closedir(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verify_result res;
	struct full_manifest m;

	if (ftruncate(input_fd, 0) < 0 || pwrite(input_fd, data, size, 0) != (ssize_t)size)
		abort();
	/* Both fill their result on every path; the outcome does not matter here. */
	full_verify(input, &res);
	verify_result_free(&res);
	full_extract(input, target, &m);
	full_manifest_free(&m);
	nothing_outside_target();
	fs_remove_tree(target);
	return 0;
}
