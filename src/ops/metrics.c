#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "ops/metrics.h"
#include "store/backups.h"
#include "store/manifest.h"

#define RUN_PREFIX "lotbackup_last_run_"

struct metric {
	const char *name;	/* after lotbackup_ */
	const char *help;
};

/* Per command: the lines of RUN_PREFIX metrics, carried over for the others. */
static const struct metric run_metrics[] = {
	{ "last_run_success", "1 when the command's last run succeeded (exit status 0), else 0." },
	{ "last_run_exit_code", "The exit status of the command's last run." },
	{ "last_run_duration_seconds", "How long the command's last run took." },
	{ "last_run_timestamp_seconds", "When the command's last run ended (Unix time)." },
	{ "last_run_backup_bytes", "Size of the backup the command's last run published (0: none)." },
	{ "last_run_backup_rows", "Rows in the dump the command's last run published (0: none or not a dump)." },
};
#define NRUN (sizeof(run_metrics) / sizeof(run_metrics[0]))

static const struct metric kind_metrics[] = {
	{ "newest_backup_timestamp_seconds", "When the newest backup of the kind was taken (Unix time; 0: none)." },
	{ "newest_backup_age_seconds", "Age of the newest backup of the kind when the file was written (-1: none)." },
	{ "newest_verified_backup_timestamp_seconds", "When the newest verified backup of the kind was taken (0: none)." },
	{ "newest_verified_backup_age_seconds", "Age of the newest verified backup of the kind (-1: none)." },
};
#define NKIND (sizeof(kind_metrics) / sizeof(kind_metrics[0]))

/* Size and rows of what the run published: a dump's from its manifest, else the file's size. */
static void
published_size(const char *output, unsigned long long *bytes, long long *rows)
{
	struct db_manifest m;
	struct stat st;
	char err[256];
	size_t i;

	*bytes = 0;
	*rows = 0;
	if (output == NULL)
		return;
	memset(&m, 0, sizeof(m));
	if (manifest_read(output, &m, NULL, err, sizeof(err)) == 0) {
		*bytes = m.bytes;
		for (i = 0; i < m.ntables; i++)
			*rows += m.tables[i].rows;
	} else if (stat(output, &st) == 0 && S_ISREG(st.st_mode)) {
		*bytes = (unsigned long long)st.st_size;
	}
	manifest_free(&m);
}

/* The sample lines of OLD for other commands than COMMAND: one string, NUL-separated lines in SB. */
static void
carry_over(const char *path, const char *command, struct strbuf *keep)
{
	char *text = NULL, *line, *save = NULL, *mine = xasprintf("{command=\"%s\"}", command);
	size_t len;

	if (fs_read_file(path, &text, &len) != 0) {
		free(mine);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, RUN_PREFIX, strlen(RUN_PREFIX)) == 0 && strstr(line, mine) == NULL) {
			strbuf_puts(keep, line);
			strbuf_putc(keep, '\n');
		}
	free(text);
	free(mine);
}

static void
run_block(struct strbuf *sb, const struct metric *mt, const char *kept, const char *command, const char *value)
{
	size_t n = strlen(mt->name) + strlen("lotbackup_") + 1;
	const char *at;

	strbuf_printf(sb, "# HELP lotbackup_%s %s\n# TYPE lotbackup_%s gauge\n", mt->name, mt->help, mt->name);
	/* The other commands' lines of this metric, as the file had them. */
	for (at = kept; *at; at = strchr(at, '\n') + 1)
		if (strncmp(at, "lotbackup_", 10) == 0 && strncmp(at + 10, mt->name, n - 11) == 0 && at[n - 1] == '{')
			strbuf_append(sb, at, (size_t)(strchr(at, '\n') - at) + 1);
	strbuf_printf(sb, "lotbackup_%s{command=\"%s\"} %s\n", mt->name, command, value);
}

/* Newest and newest verified of each kind group (db, full) in DIR, as the four kind metrics. */
static int
kind_blocks(struct strbuf *sb, const char *dir, time_t now)
{
	static const char *const kinds[] = { "db", "full" };
	struct backup_entry *list = NULL;
	time_t newest[2] = { 0, 0 }, verified[2] = { 0, 0 };
	size_t n = 0, i, m, k;

	if (backups_scan(dir, &list, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		k = list[i].kind == BACKUP_DB ? 0 : 1;
		if (backup_dated_future(list[i].when, now))
			continue;	/* no age to report: status names them */
		if (list[i].when > newest[k])
			newest[k] = list[i].when;
		if (list[i].verified && list[i].when > verified[k])
			verified[k] = list[i].when;
	}
	backups_free(list, n);
	for (m = 0; m < NKIND; m++) {
		strbuf_printf(sb, "# HELP lotbackup_%s %s\n# TYPE lotbackup_%s gauge\n", kind_metrics[m].name,
		    kind_metrics[m].help, kind_metrics[m].name);
		for (k = 0; k < 2; k++) {
			time_t t = m < 2 ? newest[k] : verified[k];
			long long v = m % 2 == 0 ? (long long)t : t ? (long long)(now - t) : -1;

			strbuf_printf(sb, "lotbackup_%s{kind=\"%s\"} %lld\n", kind_metrics[m].name, kinds[k], v);
		}
	}
	return 0;
}

int
metrics_write(const char *path, const struct notify_run *run, const char *output_dir)
{
	struct strbuf sb = STRBUF_INIT, kept = STRBUF_INIT;
	unsigned long long bytes;
	long long rows;
	char values[NRUN][64];
	time_t now = time(NULL);
	size_t i;
	int rc = -1;

	published_size(run->output, &bytes, &rows);
	snprintf(values[0], sizeof(values[0]), "%d", run->exit_code == 0);
	snprintf(values[1], sizeof(values[1]), "%d", run->exit_code);
	snprintf(values[2], sizeof(values[2]), "%.3f", run->seconds);
	snprintf(values[3], sizeof(values[3]), "%lld", (long long)now);
	snprintf(values[4], sizeof(values[4]), "%llu", bytes);
	snprintf(values[5], sizeof(values[5]), "%lld", rows);
	carry_over(path, run->command, &kept);
	strbuf_puts(&kept, "");
	for (i = 0; i < NRUN; i++)
		run_block(&sb, &run_metrics[i], strbuf_str(&kept), run->command, values[i]);
	if (kind_blocks(&sb, output_dir, now) < 0)
		goto out;
	/* Replaced whole, never in place: the collector never reads half a file. */
	rc = fs_write_file_atomic(path, strbuf_str(&sb), sb.len, 0644, 0);
out:
	strbuf_free(&sb);
	strbuf_free(&kept);
	return rc;
}
