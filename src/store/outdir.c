#include <stdlib.h>
#include <sys/stat.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "store/outdir.h"
#include "base/xalloc.h"

int
output_dir_check(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return 0;	/* made later, or its creation reports why not */
	if (!S_ISDIR(st.st_mode)) {
		log_error("output directory %s is not a directory (check --output-dir or LOTBACKUP_OUTPUT_DIR)", dir);
		return -1;
	}
	return fs_mkdir_private(dir);	/* it exists: only its writability is checked */
}

int
output_dir_prepare(const char *dir)
{
	char *ignore;
	int rc;

	/* Only the run whose mkdir made it writes the file: a later run, or a racing one, sees EEXIST. */
	if (mkdir(dir, 0700) < 0)
		return fs_mkdir_private(dir);
	ignore = xasprintf("%s/.gitignore", dir);
	rc = fs_write_file_atomic(ignore, "*\n", 2, 0600, 1);
	if (rc == 0)
		log_info("created %s with a .gitignore ('*'): git never commits the backups in it", dir);
	free(ignore);
	return rc < 0 ? -1 : fs_mkdir_private(dir);
}
