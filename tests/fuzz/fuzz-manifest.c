/* libFuzzer target: the db dump manifest and the full backup MANIFEST.json readers. */
#include <stddef.h>
#include <stdint.h>

#include "full/full-archive.h"
#include "store/manifest.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct db_manifest m;
	struct full_manifest f;
	char err[256];

	if (manifest_parse((const char *)data, size, &m, err, sizeof(err)) == 0)
		manifest_free(&m);
	if (full_manifest_parse((const char *)data, size, &f, err, sizeof(err)) == 0)
		full_manifest_free(&f);
	return 0;
}
