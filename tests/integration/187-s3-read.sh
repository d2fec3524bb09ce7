#!/usr/bin/env bash
# Reading off-site copies against a real S3 server on 127.0.0.1 (s3rver 5,
# tests/lib/s3server.sh): verify s3:// streams the object through the same
# checks as a local file (exit 3 on a changed byte), verify --restore loads
# it into a scratch database; restore s3:// gives the same database as a
# restore of the local file, and nothing from a damaged object; status
# --remote judges the newest copy with a manifest against --max-age; an
# encrypted dump verifies and restores from s3:// through its key, and a
# wrong key is a finding (exit 3) that restores nothing.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"
. "$LB_TOP/tests/lib/s3server.sh"

s3_require lotbackup-read
export LOTBACKUP_S3_URL=s3://lotbackup-read/site LOTBACKUP_S3_ENDPOINT=$S3_ENDPOINT LOTBACKUP_S3_PATH_STYLE=1

work=$(tmpdir)
out=$work/backups
src=$(new_db lb_s3r_src)
psql -X -q -d "$src" -c "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
	CREATE TABLE u AS SELECT g AS n FROM generate_series(1, 500) g; CREATE INDEX ON u (n)" || exit 1
check s3r-make-dump "$LB_BIN" db -d "$src" -o "$out" || finish
name=$(cd "$out" && ls lot-systems-db-*.sql.gz)
check s3r-push "$LB_BIN" push "$out/$name"
url=s3://lotbackup-read/site/$name

check s3r-verify "$LB_BIN" verify -o "$work/none" "$url"
grep -q "ok   checksum" <<<"$LB_LAST_OUTPUT" && grep -q "ok   rows" <<<"$LB_LAST_OUTPUT" &&
	grep -q "ok   statements" <<<"$LB_LAST_OUTPUT" && pass s3r-verify-checks || fail s3r-verify-checks "$LB_LAST_OUTPUT"
[ ! -e "$work/none" ] && pass s3r-verify-no-local-copy || fail s3r-verify-no-local-copy "$(ls -A "$work/none")"
check s3r-verify-by-name "$LB_BIN" verify --remote "$name"
check_exit s3r-verify-remote-needs-name 2 "$LB_BIN" verify --remote
json=$("$LB_BIN" verify --json "$url" 2>/dev/null)
python3 -c 'import json,sys; d = json.load(sys.stdin)[0]; sys.exit(0 if d["ok"] and d["file"] == sys.argv[1] else 1)' \
	"$url" <<<"$json" && pass s3r-verify-json || fail s3r-verify-json "$json"
check s3r-verify-restore "$LB_BIN" verify --restore -o "$work/vr" "$url"
grep -q "ok   content" <<<"$LB_LAST_OUTPUT" && pass s3r-verify-restore-content || fail s3r-verify-restore-content "$LB_LAST_OUTPUT"
[ -z "$(ls -A "$work/vr" 2>/dev/null)" ] && pass s3r-verify-restore-leaves-nothing ||
	fail s3r-verify-restore-leaves-nothing "$(ls -A "$work/vr")"
check_exit s3r-verify-missing 1 "$LB_BIN" verify s3://lotbackup-read/site/lot-systems-db-2001-01-01T00-00-00.sql.gz
check_exit s3r-verify-foreign-name 1 "$LB_BIN" verify s3://lotbackup-read/site/other/thing

# restore s3:// against a restore of the local file.
loc=$(new_db lb_s3r_local)
rem=$(new_db lb_s3r_remote)
check s3r-restore-local "$LB_BIN" restore "$out/$name" -d "dbname=$loc"
check s3r-restore-remote "$LB_BIN" restore -o "$work/rr" "$url" -d "dbname=$rem"
if d=$(compare_databases "$loc" "$rem" 2>&1); then pass s3r-restore-same; else fail s3r-restore-same "$(head -n 30 <<<"$d")"; fi
[ -z "$(ls -A "$work/rr" 2>/dev/null)" ] && pass s3r-restore-leaves-nothing || fail s3r-restore-leaves-nothing "$(ls -A "$work/rr")"
check_exit s3r-restore-needs-target 2 "$LB_BIN" restore "$url"

# status --remote: fresh, then stale under a short --max-age; a copy without a manifest does not count.
check s3r-status-fresh "$LB_BIN" status --remote --max-age 1h
grep -q "ok: the newest off-site backup, $name" <<<"$LB_LAST_OUTPUT" && pass s3r-status-fresh-says ||
	fail s3r-status-fresh-says "$LB_LAST_OUTPUT"
check_exit s3r-status-stale 1 env LOTBACKUP_S3_URL=s3://lotbackup-read/old "$LB_BIN" status --remote --max-age 1h
old=lot-systems-db-2020-01-01T00-00-00.sql.gz
mkdir -p "$work/old"
cp "$out/$name" "$work/old/$old"
cp "$out/$name.manifest.json" "$work/old/$old.manifest.json"
check s3r-push-old env LOTBACKUP_S3_URL=s3://lotbackup-read/old "$LB_BIN" push "$work/old/$old"
fresh_half=$(date -u +lot-systems-db-%Y-%m-%dT%H-%M-%S.sql.gz)
cp "$out/$name" "$work/old/$fresh_half"
check s3r-push-half env LOTBACKUP_S3_URL=s3://lotbackup-read/old "$LB_BIN" push "$work/old/$fresh_half"
check_exit s3r-status-stale-old 1 env LOTBACKUP_S3_URL=s3://lotbackup-read/old "$LB_BIN" status --remote --max-age 1d
[ "$(printf '%s\n' "$LB_LAST_OUTPUT" | wc -l)" -eq 1 ] && grep -q "$old, is .* old, more than --max-age" <<<"$LB_LAST_OUTPUT" &&
	pass s3r-status-stale-one-line || fail s3r-status-stale-one-line "$LB_LAST_OUTPUT"
check s3r-status-old-enough env LOTBACKUP_S3_URL=s3://lotbackup-read/old "$LB_BIN" status --remote --max-age 3650d

# Encrypted: through the key, as a local file; a wrong key restores nothing.
key=$work/lotbackup.key
check s3r-keygen "$LB_BIN" keygen "$key"
check s3r-make-enc env LOTBACKUP_KEY_FILE="$key" "$LB_BIN" db -q --encrypt -d "$src" -o "$work/enc" || finish
enc=$(cd "$work/enc" && ls lot-systems-db-*.sql.gz.enc)
check s3r-push-enc "$LB_BIN" push "$work/enc/$enc"
eurl=s3://lotbackup-read/site/$enc
check s3r-verify-enc env LOTBACKUP_KEY_FILE="$key" "$LB_BIN" verify "$eurl"
grep -q "ok   decrypt" <<<"$LB_LAST_OUTPUT" && grep -q "ok   rows" <<<"$LB_LAST_OUTPUT" && pass s3r-verify-enc-checks ||
	fail s3r-verify-enc-checks "$LB_LAST_OUTPUT"
encdb=$(new_db lb_s3r_enc)
check s3r-restore-enc env LOTBACKUP_KEY_FILE="$key" "$LB_BIN" restore -o "$work/rr" "$eurl" -d "dbname=$encdb"
if d=$(compare_databases "$loc" "$encdb" 2>&1); then pass s3r-restore-enc-same; else fail s3r-restore-enc-same "$(head -n 30 <<<"$d")"; fi
check s3r-keygen-other "$LB_BIN" keygen "$work/other.key"
check_exit s3r-verify-enc-wrong-key 3 env LOTBACKUP_KEY_FILE="$work/other.key" "$LB_BIN" verify "$eurl"
grep -q "FAIL key" <<<"$LB_LAST_OUTPUT" && pass s3r-verify-enc-wrong-key-says || fail s3r-verify-enc-wrong-key-says "$LB_LAST_OUTPUT"
wrong=$(new_db lb_s3r_wrong)
check_exit s3r-restore-enc-wrong-key 3 env LOTBACKUP_KEY_FILE="$work/other.key" "$LB_BIN" restore -o "$work/rr" "$eurl" -d "dbname=$wrong"
[ "$(psql -X -tA -d "$wrong" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ] &&
	pass s3r-restore-enc-wrong-key-loads-nothing || fail s3r-restore-enc-wrong-key-loads-nothing "tables were created"

# A changed byte in the stored object: verify finds it (exit 3), restore loads nothing.
stored=$(find "$S3_DIR" -path "*site/$name._S3rver_object")
if [ -n "$stored" ]; then
	flip_byte "$stored" 200
	check_exit s3r-verify-damaged 3 "$LB_BIN" verify "$url"
	grep -q "FAIL checksum" <<<"$LB_LAST_OUTPUT" && pass s3r-verify-damaged-says || fail s3r-verify-damaged-says "$LB_LAST_OUTPUT"
	check_exit s3r-verify-restore-damaged 3 "$LB_BIN" verify --restore -o "$work/vr" "$url"
	dmg=$(new_db lb_s3r_damaged)
	check_exit s3r-restore-damaged 3 "$LB_BIN" restore -o "$work/rr" "$url" -d "dbname=$dmg"
	[ "$(psql -X -tA -d "$dmg" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ] &&
		pass s3r-restore-damaged-loads-nothing || fail s3r-restore-damaged-loads-nothing "tables were created"
	[ -z "$(ls -A "$work/rr" 2>/dev/null)" ] && pass s3r-restore-damaged-leaves-nothing ||
		fail s3r-restore-damaged-leaves-nothing "$(ls -A "$work/rr")"
else
	fail s3r-damage "cannot find the stored object under $S3_DIR"
fi
finish
