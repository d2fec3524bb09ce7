#!/usr/bin/env bash
# One retention policy at a time: --keep N together with a configured GFS
# policy is refused before anything is dumped or deleted, and the day rule
# of --keep goes through the same safety rules as the policy (the
# more-than-half refusal included).
set -u
. "$LB_TOP/tests/lib/testlib.sh"

db=$(new_db lb_one_policy) || { fail one-policy-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g FROM generate_series(1, 10) g" >/dev/null
work=$(tmpdir)
proj=$work/proj
out=$proj/backups
mkdir -p -m 700 "$proj" "$out"

# 40 nightly dumps, the newest yesterday.
gen() {
	local d
	for d in $(seq 1 40); do
		f=lot-systems-db-$(date -u -d "$d days ago 02:00" +%Y-%m-%dT%H-%M-%S).sql.gz
		echo x | gzip >"$out/$f"
		echo '{}' >"$out/$f.manifest.json"
	done
}
count() { ls "$out" | grep -cE '^lot-systems-db-[0-9T-]+\.sql\.gz$'; }
gen

# The README's GFS policy in .env and the crontab's --keep 7: a clear error,
# no dump, nothing deleted.
printf 'LOTBACKUP_KEEP_DAILY=7\nLOTBACKUP_KEEP_WEEKLY=4\nLOTBACKUP_KEEP_MONTHLY=12\n' >"$proj/.env"
check_exit keep-with-policy-refused 1 "$LB_BIN" db -C "$proj" -d "dbname=$db" --keep 7
grep -q -- '--keep' <<<"$LB_LAST_OUTPUT" && grep -q 'LOTBACKUP_KEEP_DAILY' <<<"$LB_LAST_OUTPUT" &&
	pass keep-with-policy-message || fail keep-with-policy-message "$LB_LAST_OUTPUT"
[ "$(count)" -eq 40 ] && pass keep-with-policy-deletes-nothing || fail keep-with-policy-deletes-nothing "$(count) dumps"
check_exit keep-with-policy-dry-run-refused 1 "$LB_BIN" db -C "$proj" -d "dbname=$db" --keep 7 --dry-run

# Under the policy, db deletes what prune --dry-run says it would (and list agrees).
would=$("$LB_BIN" prune -C "$proj" --dry-run --kind db | sed -n 's/^would delete \([^ ]*\) .*/\1/p' | sort)
check db-under-policy "$LB_BIN" db -C "$proj" -d "dbname=$db" --force
gone=$(comm -23 <(printf '%s\n' $would) <(ls "$out" | sort))
[ -n "$would" ] && [ "$gone" = "$would" ] && [ -z "$(comm -12 <(printf '%s\n' $would) <(ls "$out" | sort))" ] &&
	pass db-deletes-what-prune-says || fail db-deletes-what-prune-says "would: $would"$'\n'"left: $(ls "$out")"

# The day rule alone, without a policy: deleting more than half at once is
# refused, as under the policy, and --force allows it.
rm -f "$proj/.env" "$out"/lot-systems-db-*
gen
check_exit keep-7-more-than-half-refused 1 "$LB_BIN" db -C "$proj" -d "dbname=$db" --keep 7
grep -q 'more than half' <<<"$LB_LAST_OUTPUT" && pass keep-7-more-than-half-message ||
	fail keep-7-more-than-half-message "$LB_LAST_OUTPUT"
[ "$(count)" -eq 41 ] && pass keep-7-refused-deletes-nothing || fail keep-7-refused-deletes-nothing "$(count) dumps"
check_exit keep-7-dry-run-warns 0 "$LB_BIN" db -C "$proj" -d "dbname=$db" --keep 7 --dry-run
grep -q 'more than half' <<<"$LB_LAST_OUTPUT" && pass keep-7-dry-run-says-refused ||
	fail keep-7-dry-run-says-refused "$LB_LAST_OUTPUT"
check keep-7-force "$LB_BIN" db -C "$proj" -d "dbname=$db" --keep 7 --force
[ "$(count)" -le 9 ] && pass keep-7-force-deletes || fail keep-7-force-deletes "$(count) dumps"
finish
