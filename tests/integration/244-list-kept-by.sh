#!/usr/bin/env bash
# list in 100 columns keeps KEPT BY readable: the daily and weekly rules
# in short forms ("daily 11-09", "weekly W45"; AGE and NAME give the
# year), whole rules only with "+N" for those --wide shows besides, a
# short "-- to delete", one line per backup; --wide and --json keep the
# full form. Before, a row's rules were cut mid-word ("daily 2026-1...").
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
db=$(new_db lb_kept_by) || { fail kept-by-setup createdb; finish; }
check kept-by-seed "$LB_BIN" db -q -d "dbname=$db" -o "$work/seed" --keep 0 || finish
seed=$(ls "$work"/seed/lot-systems-db-*.sql.gz)
out=$work/out
mkdir -m 700 "$out"
# 40 nightly dumps with manifests (the same dump under each night's name), and a second one today.
for d in $(seq 0 39) extra; do
	if [ "$d" = extra ]; then name=lot-systems-db-$(date -u +%Y-%m-%d)T00-00-01.sql.gz
	else name=lot-systems-db-$(date -u -d "$d days ago" +%Y-%m-%d)T00-00-00.sql.gz; fi
	cp "$seed" "$out/$name" && cp "$seed.manifest.json" "$out/$name.manifest.json"
done
policy=(--keep-daily 30 --keep-weekly 8 --keep-monthly 12)

check kept-by-list "$LB_BIN" -o "$out" list "${policy[@]}"
listing=$LB_LAST_OUTPUT
body=$(tail -n +2 <<<"$listing")
w=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' <<<"$listing")
[ "$w" -le 100 ] && [ "$(wc -l <<<"$body")" -eq 41 ] && pass kept-by-one-line-each-within-100 ||
	fail kept-by-one-line-each-within-100 "widest $w"$'\n'"$listing"
! grep -q '\.\.\.' <<<"$listing" && pass kept-by-never-cut || fail kept-by-never-cut "$listing"
grep -Eq ' daily [0-9]{2}-[0-9]{2}( |,|$)' <<<"$body" && grep -Eq ' weekly W[0-9]{2}( |,|$)' <<<"$body" &&
	! grep -Eq '(daily|weekly) [0-9]{4}-' <<<"$body" && pass kept-by-short-forms || fail kept-by-short-forms "$listing"
grep -q ' -- to delete$' <<<"$body" && pass kept-by-short-delete || fail kept-by-short-delete "$listing"
grep -Eq ' \+[0-9]+$' <<<"$body" && pass kept-by-says-more || fail kept-by-says-more "$listing"

# A full archive's longer name leaves KEPT BY 15 columns: the newest
# verified dump's first rule still shows whole ("newest verif..." before).
newest=$(ls "$out"/lot-systems-db-*T00-00-01.sql.gz)
# (verify's record names the file it is of: the seed's, renamed)
sed "s|$(basename "$seed")|$(basename "$newest")|" "$seed.verified.json" >"$newest.verified.json"
printf 'x\n' | gzip >"$out/lot-systems-full-backup-$(date -u -d '2 days ago' +%Y%m%d)_030000.tar.gz"
check kept-by-list-narrower "$LB_BIN" -o "$out" list "${policy[@]}"
grep -q "^db .*$(basename "$newest") .* newest verified\$" <<<"$LB_LAST_OUTPUT" && ! grep -q '\.\.\.' <<<"$LB_LAST_OUTPUT" &&
	pass kept-by-first-rule-whole || fail kept-by-first-rule-whole "$LB_LAST_OUTPUT"

check kept-by-wide "$LB_BIN" -o "$out" list "${policy[@]}" --wide
grep -Eq 'daily [0-9]{4}-[0-9]{2}-[0-9]{2}, weekly [0-9]{4}-W[0-9]{2}, monthly [0-9]{4}-[0-9]{2}' <<<"$LB_LAST_OUTPUT" &&
	grep -q -- '-- prune would delete it' <<<"$LB_LAST_OUTPUT" && grep -q 'newest verified, daily' <<<"$LB_LAST_OUTPUT" &&
	pass kept-by-wide-full-form || fail kept-by-wide-full-form "$LB_LAST_OUTPUT"
check kept-by-json "$LB_BIN" -o "$out" list "${policy[@]}" --json
grep -Eq '"kept_by": "daily [0-9]{4}-[0-9]{2}-[0-9]{2}, weekly [0-9]{4}-W' <<<"$LB_LAST_OUTPUT" && pass kept-by-json-full-form ||
	fail kept-by-json-full-form "$LB_LAST_OUTPUT"
finish
