/* MANIFEST.json of a full backup: paths one directory can hold, found by name. */
#include <stdio.h>
#include <string.h>

#include "full/full-archive.h"
#include "unit.h"

static int
parses(const char *files_json, char *err, size_t errlen)
{
	char text[1024];
	struct full_manifest m;
	int rc;

	snprintf(text, sizeof(text), "{\"kind\": \"full\", \"name\": \"full-backup-x\", \"files\": [%s]}", files_json);
	rc = full_manifest_parse(text, strlen(text), &m, err, errlen);
	if (rc == 0)
		full_manifest_free(&m);
	return rc == 0;
}

#define F(p) "{\"path\": \"" p "\", \"size\": 1, \"sha256\": \"" \
	"0000000000000000000000000000000000000000000000000000000000000000\"}"

int
main(void)
{
	char err[256] = "";

	UNIT_CHECK("siblings that sort between a file and its would-be children",
	    parses(F("a") "," F("a-b") "," F("a.txt") "," F("a0/x") "," F("b/c"), err, sizeof(err)));
	UNIT_CHECK("file below a file refused", !parses(F("deps/a") "," F("deps/a-x") "," F("deps/a/b"), err, sizeof(err)));
	UNIT_CHECK("file below a file named", strstr(err, "deps/a/b below the file deps/a") != NULL);
	UNIT_CHECK("deep file below a file refused", !parses(F("x/y/z") "," F("x"), err, sizeof(err)));
	UNIT_CHECK("the same path twice refused", !parses(F("a") "," F("b") "," F("a"), err, sizeof(err)));
	UNIT_CHECK("twice named", strstr(err, "lists a twice") != NULL);
	UNIT_CHECK("empty path refused", !parses(F(""), err, sizeof(err)));
	UNIT_CHECK("trailing slash refused", !parses(F("a/"), err, sizeof(err)));
	UNIT_CHECK("dot-dot refused", !parses(F("a/../b"), err, sizeof(err)));
	UNIT_CHECK("absolute refused", !parses(F("/etc/passwd"), err, sizeof(err)));
	{
		char files[600], name[300];

		memset(name, 'n', 256);
		name[256] = '\0';
		snprintf(files, sizeof(files), F("d/%s"), name);
		UNIT_CHECK("a name longer than a file name can be refused", !parses(files, err, sizeof(err)));
		name[255] = '\0';
		snprintf(files, sizeof(files), F("d/%s"), name);
		UNIT_CHECK("a 255-byte name taken", parses(files, err, sizeof(err)));
	}
	return unit_done();
}
