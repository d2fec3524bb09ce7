#ifndef LOTBACKUP_STATUS_H
#define LOTBACKUP_STATUS_H

/* What `status` looks at and how it answers. */
struct status_settings {
	const char *output_dir;
	int json;
	long max_age;			/* seconds */
	const char *kind_filter;	/* "db", "full", or NULL for both */
};

/*
 * `status`: the newest backup of each kind (db, full), its age, size and
 * whether it was verified, the newest verified one, and the free space of
 * the output directory's file system; text or --json on stdout.
 * Returns 0 when the newest verified backup (of --kind, else of any kind)
 * is at most settings->max_age old, 1 when it is older or there is none (said
 * on stderr), -1 when status itself could not run (reported).
 */
int status_report(const struct status_settings *settings);

#endif
