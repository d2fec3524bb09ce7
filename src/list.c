#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "backups.h"
#include "list.h"
#include "log.h"
#include "manifest.h"

void
format_size(unsigned long long bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
}

void
format_age(long long s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "future");
	else if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh %lldm", s / 3600, (s % 3600) / 60);
	else
		snprintf(buf, len, "%lldd %lldh", s / 86400, (s % 86400) / 3600);
}

static void
print_json(const struct backup_entry *list, size_t n, time_t now)
{
	json_t *arr = json_array();
	char *text;
	size_t i;

	for (i = 0; i < n; i++) {
		char stamp[32];
		struct tm tm;

		gmtime_r(&list[i].when, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:b}",
		    "kind", backup_kind_label(list[i].kind), "name", list[i].name, "path", list[i].path,
		    "created", stamp, "age_seconds", (json_int_t)(now - list[i].when),
		    "bytes", (json_int_t)list[i].size, "manifest", list[i].has_manifest,
		    "verified", list[i].verified));
	}
	text = json_text(arr);
	fputs(text, stdout);
	free(text);
}

int
list_backups(const struct options *opts)
{
	struct backup_entry *list = NULL;
	size_t n = 0, i;
	time_t now = time(NULL);

	if (backups_scan(opts->output_dir, &list, &n) < 0)
		return -1;
	if (opts->json) {
		print_json(list, n, now);
	} else if (n == 0) {
		printf("No backups in %s yet: run 'lotbackup db' or 'lotbackup full' to make one.\n",
		    opts->output_dir);
	} else {
		printf("%-8s %-20s %9s %10s %-8s %-8s %s\n", "KIND", "CREATED (UTC)", "AGE", "SIZE",
		    "MANIFEST", "VERIFIED", "NAME");
		for (i = 0; i < n; i++) {
			char stamp[32], size[32], age[32];
			struct tm tm;

			gmtime_r(&list[i].when, &tm);
			strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
			format_size(list[i].size, size, sizeof(size));
			format_age((long long)(now - list[i].when), age, sizeof(age));
			printf("%-8s %-20s %9s %10s %-8s %-8s %s\n", backup_kind_label(list[i].kind), stamp, age,
			    size, list[i].has_manifest ? "yes" : "no", list[i].verified ? "yes" : "no",
			    list[i].name);
		}
	}
	backups_free(list, n);
	return 0;
}
