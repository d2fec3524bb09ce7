/* Backup names: strict patterns, UTC timestamps, round trips. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/format.h"
#include "store/backups.h"
#include "unit.h"

static int
parses(const char *name, enum backup_kind want_kind, time_t want_when)
{
	enum backup_kind kind;
	time_t when;

	return backup_name_parse(name, &kind, &when) == 0 && kind == want_kind && when == want_when;
}

static int
rejected(const char *name)
{
	enum backup_kind kind;
	time_t when;

	return backup_name_parse(name, &kind, &when) < 0;
}

static int
printable(const char *in, const char *want)
{
	char *got = format_printable(in);
	int ok = strcmp(got, want) == 0;

	if (!ok)
		fprintf(stderr, "# format_printable: got [%s], want [%s]\n", got, want);
	free(got);
	return ok;
}

int
main(void)
{
	time_t t = 1764036000;	/* 2025-11-25T02:00:00Z */
	char *n;
	char buf[32];

	UNIT_CHECK("name-db", parses("lot-systems-db-2025-11-25T02-00-00.sql.gz", BACKUP_DB, t));
	UNIT_CHECK("name-full-archive", parses("lot-systems-full-backup-20251125_020000.tar.gz", BACKUP_FULL_ARCHIVE, t));
	UNIT_CHECK("name-full-dir", parses("full-backup-20251125_020000", BACKUP_FULL_DIR, t));
	UNIT_CHECK("name-db-encrypted", parses("lot-systems-db-2025-11-25T02-00-00.sql.gz.enc", BACKUP_DB, t));
	UNIT_CHECK("name-full-archive-encrypted",
	    parses("lot-systems-full-backup-20251125_020000.tar.gz.enc", BACKUP_FULL_ARCHIVE, t));
	UNIT_CHECK("name-rejects-full-archive-enc-manifest",
	    rejected("lot-systems-full-backup-20251125_020000.tar.gz.enc.manifest.json"));
	UNIT_CHECK("name-rejects-full-archive-enc-tmp", rejected("lot-systems-full-backup-20251125_020000.tar.gz.enc.tmp"));
	UNIT_CHECK("name-rejects-full-dir-enc", rejected("full-backup-20251125_020000.enc"));
	UNIT_CHECK("name-leap-day", parses("lot-systems-db-2024-02-29T00-00-00.sql.gz", BACKUP_DB, 1709164800));
	UNIT_CHECK("name-rejects-feb-30", rejected("lot-systems-db-2025-02-30T00-00-00.sql.gz"));
	UNIT_CHECK("name-rejects-suffix", rejected("lot-systems-db-2025-11-25T02-00-00.sql.gz.bak"));
	UNIT_CHECK("name-rejects-tmp", rejected("lot-systems-db-2025-11-25T02-00-00.sql.gz.tmp"));
	UNIT_CHECK("name-rejects-prefix", rejected("x-lot-systems-db-2025-11-25T02-00-00.sql.gz"));
	UNIT_CHECK("name-rejects-short-date", rejected("lot-systems-db-2025-11-25.sql.gz"));
	UNIT_CHECK("name-rejects-hour-24", rejected("lot-systems-db-2025-11-25T24-00-00.sql.gz"));
	UNIT_CHECK("name-rejects-sign", rejected("lot-systems-db-+025-11-25T02-00-00.sql.gz"));
	UNIT_CHECK("name-rejects-manifest", rejected("lot-systems-db-2025-11-25T02-00-00.sql.gz.manifest.json"));
	UNIT_CHECK("name-rejects-empty", rejected(""));
	UNIT_CHECK("name-rejects-full-dir-suffix", rejected("full-backup-20251125_020000.old"));
	n = backup_name_make(BACKUP_DB, t);
	UNIT_CHECK("make-db", strcmp(n, "lot-systems-db-2025-11-25T02-00-00.sql.gz") == 0);
	free(n);
	n = backup_name_make(BACKUP_FULL_ARCHIVE, t);
	UNIT_CHECK("make-full", strcmp(n, "lot-systems-full-backup-20251125_020000.tar.gz") == 0);
	free(n);
	n = backup_name_make(BACKUP_FULL_DIR, t);
	UNIT_CHECK("make-full-dir", strcmp(n, "full-backup-20251125_020000") == 0);
	free(n);
	format_size(1536, buf, sizeof(buf));
	UNIT_CHECK("size-kib", strcmp(buf, "1.5 KiB") == 0);
	format_size(12, buf, sizeof(buf));
	UNIT_CHECK("size-bytes", strcmp(buf, "12 B") == 0);
	format_age(90061, buf, sizeof(buf));
	UNIT_CHECK("age-days", strcmp(buf, "1d 1h") == 0);
	UNIT_CHECK("printable-escapes-controls", printable("a\x1b[2J\nb\tc\x7f", "a\\x1b[2J\\nb\\tc\\x7f"));
	UNIT_CHECK("printable-keeps-utf8", printable("lb all/\xc3\xbc \"x\" \\", "lb all/\xc3\xbc \"x\" \\"));
	UNIT_CHECK("printable-bad-utf8", printable("a\xff\xc3(\xe0\x80\x80", "a\\xff\\xc3(\\xe0\\x80\\x80"));
	UNIT_CHECK("printable-c1-and-bidi", printable("\xc2\x9b" "1m x\xe2\x80\xae", "\\u009b1m x\\u202e"));
	UNIT_CHECK("backup-dated-future", !backup_dated_future(t + BACKUP_FUTURE_SKEW, t) &&
	    backup_dated_future(t + BACKUP_FUTURE_SKEW + 1, t) && !backup_dated_future(t - 86400, t));
	return unit_done();
}
