#!/usr/bin/env bash
# A file inside an archive is named as its member: full --archive-only (and
# --encrypt) stages the backup and then writes only the .tar.gz, so no file
# ARCHIVE/db/lot-systems-db-X.sql.gz ever exists. Messages say "ARCHIVE
# member db/..." instead, for full and for restore --to reading it back.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_member_msg) || { fail member-msg-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g FROM generate_series(1, 100) g" >/dev/null
work=$(tmpdir)
proj=$work/proj
mkdir -p "$proj"
git_project "$proj"

check member-msg-full "$LB_BIN" full --archive-only -C "$proj" -d "dbname=$db" -o "$work/full"
archive=$(ls "$work"/full/lot-systems-full-backup-*.tar.gz)
grep -q '\.tar\.gz/' <<<"$LB_LAST_OUTPUT" && fail member-msg-full-no-path-below-archive "$LB_LAST_OUTPUT" ||
	pass member-msg-full-no-path-below-archive
grep -q "wrote $archive member db/lot-systems-db-[0-9T-]*\.sql\.gz " <<<"$LB_LAST_OUTPUT" &&
	pass member-msg-full-names-member || fail member-msg-full-names-member "$LB_LAST_OUTPUT"
grep -q "wrote $archive (" <<<"$LB_LAST_OUTPUT" && pass member-msg-full-names-archive ||
	fail member-msg-full-names-archive "$LB_LAST_OUTPUT"

target=$(new_db lb_member_msg_to) || fail member-msg-setup createdb
check member-msg-restore-to "$LB_BIN" restore "$archive" --to "$work/restored" -d "dbname=$target"
grep -q '\.tar\.gz/' <<<"$LB_LAST_OUTPUT" && fail member-msg-restore-no-path-below-archive "$LB_LAST_OUTPUT" ||
	pass member-msg-restore-no-path-below-archive
grep -q "restored $archive member db/lot-systems-db-" <<<"$LB_LAST_OUTPUT" && pass member-msg-restore-names-member ||
	fail member-msg-restore-names-member "$LB_LAST_OUTPUT"
finish
