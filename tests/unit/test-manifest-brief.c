/* list's read of a manifest: the database when asked, what a partial dump leaves out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/manifest.h"
#include "store/selection.h"
#include "unit.h"

/* Writes DUMP.manifest.json for a manifest of DATABASE with one table named TABLE. */
static void
write_manifest(const char *dump, const char *table, int partial)
{
	struct db_manifest m;
	char *path = NULL, *text;
	FILE *fp;

	memset(&m, 0, sizeof(m));
	m.file = "x.sql.gz";
	m.database = "appdb";
	memset(m.sha256, 'a', 64);
	manifest_add_table(&m, "public", table, table, 0);
	if (partial)
		selection_add(&m.selection, SEL_TABLE, "public.users");
	text = manifest_to_json(&m);
	if (asprintf(&path, "%s.manifest.json", dump) < 0 || (fp = fopen(path, "w")) == NULL)
		abort();
	fputs(text, fp);
	fclose(fp);
	free(text);
	free(path);
	free(m.tables[0].schema);
	free(m.tables[0].name);
	free(m.tables[0].qualified);
	free(m.tables);
	selection_free(&m.selection);
}

int
main(void)
{
	char dir[] = "/tmp/lb-brief-XXXXXX", dump[64];
	struct db_selection sel;
	char *db = NULL;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dump, sizeof(dump), "%s/d.sql.gz", dir);
	write_manifest(dump, "users", 0);
	UNIT_CHECK("brief-whole-not-partial", manifest_read_brief(dump, NULL, &sel) == 0 && !selection_partial(&sel));
	selection_free(&sel);
	UNIT_CHECK("brief-whole-database", manifest_read_brief(dump, &db, &sel) == 0 && db && strcmp(db, "appdb") == 0);
	free(db);
	selection_free(&sel);
	/* A table named "selection" is no selection: the text is parsed, and says so. */
	write_manifest(dump, "selection", 0);
	UNIT_CHECK("brief-table-named-selection", manifest_read_brief(dump, NULL, &sel) == 0 && !selection_partial(&sel));
	selection_free(&sel);
	write_manifest(dump, "users", 1);
	UNIT_CHECK("brief-partial", manifest_read_brief(dump, NULL, &sel) == 0 && selection_partial(&sel) &&
	    sel.npatterns[SEL_TABLE] == 1 && strcmp(sel.patterns[SEL_TABLE][0], "public.users") == 0);
	selection_free(&sel);
	unlink(strcat(dump, ".manifest.json"));
	dump[strlen(dump) - strlen(".manifest.json")] = '\0';
	UNIT_CHECK("brief-missing", manifest_read_brief(dump, &db, &sel) == 1 && db == NULL && !selection_partial(&sel));
	rmdir(dir);
	return unit_done();
}
