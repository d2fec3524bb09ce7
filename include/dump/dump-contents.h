#ifndef LOTBACKUP_DUMP_CONTENTS_H
#define LOTBACKUP_DUMP_CONTENTS_H

#include <stddef.h>
#include <stdint.h>

#include "dump/dump-reader.h"

/*
 * What one pass over a dump finds, without a server: the rows in each COPY
 * block, how many objects of each kind it creates, and how it ends.
 */
#define CONTENTS_TAIL 512

struct contents_table {
	char *qualified;	/* as written in the COPY line */
	long long rows;
	/*
	 * Its block's lines: the COPY line and the "\." line; the line the
	 * item before it ends on (0: none) and the one after it starts on
	 * (LONG_MAX: none). A segment holding exactly the block starts on a
	 * line in (before, copy_line] and ends before a line in (end_line, after].
	 */
	long copy_line, end_line, before, after;
};

/* Where a chunk of SQL (a gzip member's, when gzip) starts: its offset and line. */
struct contents_mark {
	uint64_t sql;
	long line;
	int line_start;		/* it starts a line */
};

struct contents_kind {
	char *kind;		/* e.g. "CREATE TABLE", "ALTER TABLE ... ADD CONSTRAINT" */
	long long count;
};

struct dump_contents {
	struct dump_read_stats read;
	int read_rc;			/* DUMP_READ_* */
	char read_error[512];		/* when read_rc is DUMP_READ_CORRUPT */
	/* Whole; in a file ending as lotbackup's dumps do, also no meta-command a restore refuses. */
	int parse_ok;
	char parse_error[256];
	long refused_line;		/* the first statement a dump may not hold (sql_refused); 0: none */
	char refused[256];		/* why, and the statement's start */
	struct contents_table *tables;	/* in file order */
	size_t ntables;
	struct contents_kind *kinds;
	size_t nkinds;
	long long large_objects;	/* lo_create statements as lotbackup writes them */
	uint64_t large_object_bytes;	/* the data of its lo_put statements */
	char tail[CONTENTS_TAIL];	/* the last bytes of the SQL */
	size_t tail_len;
	struct contents_mark *marks;	/* every chunk's start, then the end; in order */
	size_t nmarks;
};

/* Returns 0 when the file was read (see read_rc/parse_ok), -1 when it could not be opened or read. */
int dump_contents_scan(const char *path, struct dump_contents *c);
/* The same for a dump NAME that FEED streams (dump_read_feed); SIZE (0: unknown) for the progress line. */
int dump_contents_scan_feed(const char *name, dump_feed_fn feed, void *arg, uint64_t size, struct dump_contents *c);
/* 1 when the SQL ends with lotbackup's completion marker line, or with it and then "\unrestrict KEY". */
int dump_contents_has_marker(const struct dump_contents *c);
/* 1 when the SQL ends as pg_dump's plain format does ("-- PostgreSQL database dump complete"). */
int dump_contents_has_pg_dump_marker(const struct dump_contents *c);
void dump_contents_free(struct dump_contents *c);

#endif
