#!/usr/bin/env bash
# list in 100 columns with aligned columns (--wide for the rest), each
# form of a full backup with its own pin reason, and bash completion that
# offers backups, not their sidecar records (issue #18).
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
out=$work/backups
mkdir -p "$out" && chmod 700 "$out"
for t in 2026-11-01T02-00-00 2026-11-20T02-00-00 2026-12-01T02-00-00; do
	printf 'SELECT 1;\n' | gzip >"$out/lot-systems-db-$t.sql.gz"
done
mkdir "$out/full-backup-20261130_030000" && printf 'hi\n' >"$out/full-backup-20261130_030000/README.md"
printf 'x\n' | gzip >"$out/lot-systems-full-backup-20261130_030000.tar.gz"
dir=$out/full-backup-20261130_030000 archive=$out/lot-systems-full-backup-20261130_030000.tar.gz
check pin-dir "$LB_BIN" -q -o "$out" pin "$dir" --reason "dir: before the v2 migration"
check pin-archive "$LB_BIN" -q -o "$out" pin "$archive" --reason "archive: v2.0 release"

check list-runs "$LB_BIN" -o "$out" list
listing=$LB_LAST_OUTPUT
w=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' <<<"$listing")
[ "$w" -le 100 ] && pass list-within-100-columns || fail list-within-100-columns "widest line $w"$'\n'"$listing"
# NAME starts at the same column in the header and every row.
col=$(head -n 1 <<<"$listing" | awk '{ print index($0, "NAME") }')
bad=$(awk -v c="$col" 'NR > 1 && /^(db|full) / { n = substr($0, c); if (n !~ /^(lot-systems-|full-backup-)/) print }' <<<"$listing")
[ -n "$col" ] && [ "$col" -gt 0 ] && [ -z "$bad" ] && pass list-columns-aligned ||
	fail list-columns-aligned "NAME at $col; off: $bad"
# Each form shows the reason it was pinned with (its start, in 100 columns
# beside the CHANGE column; --wide below shows each whole).
grep -q '^full .*full-backup-20261130_030000/ .*pinned: dir:' <<<"$listing" &&
	grep -q '^full .*tar.gz .*pinned: ar' <<<"$listing" &&
	pass list-pin-reason-per-form || fail list-pin-reason-per-form "$listing"
check list-json "$LB_BIN" -o "$out" list --json
jq -e --arg d "$(basename "$dir")" --arg a "$(basename "$archive")" \
	'(.[] | select(.name == $d) | .pin_reason) == "dir: before the v2 migration" and
	 (.[] | select(.name == $a) | .pin_reason) == "archive: v2.0 release"' <<<"$LB_LAST_OUTPUT" >/dev/null 2>&1 &&
	pass list-json-pin-reason-per-form || fail list-json-pin-reason-per-form "$LB_LAST_OUTPUT"
check list-wide "$LB_BIN" -o "$out" list --wide
grep -q 'CREATED (UTC)' <<<"$LB_LAST_OUTPUT" && grep -q 'pinned: dir: before the v2 migration' <<<"$LB_LAST_OUTPUT" &&
	grep -q 'pinned: archive: v2.0 release' <<<"$LB_LAST_OUTPUT" &&
	pass list-wide-has-everything || fail list-wide-has-everything "$LB_LAST_OUTPUT"
# Unpinning one form leaves the other's pin.
check unpin-archive "$LB_BIN" -q -o "$out" unpin "$archive"
check list-after-unpin "$LB_BIN" -o "$out" list --wide
grep -q '^full-dir .*pinned: dir: before' <<<"$LB_LAST_OUTPUT" && pass unpin-one-form-keeps-other ||
	fail unpin-one-form-keeps-other "$LB_LAST_OUTPUT"

# Completion: backups and latest, never NAME.manifest.json, .verified.json, .pin.json, .remote.json.
for s in .manifest.json .verified.json .remote.json; do : >"$out/lot-systems-db-2026-12-01T02-00-00.sql.gz$s"; done
got=$(cd "$work" && bash -c 'source "$1"; COMP_WORDS=(lotbackup verify backups/lot-systems-); COMP_CWORD=2; _lotbackup
	printf "%s\n" "${COMPREPLY[@]}"; COMP_WORDS=(lotbackup restore lat); COMP_CWORD=2; _lotbackup; printf "%s\n" "${COMPREPLY[@]}"' \
	_ "$LB_TOP/man/completion/lotbackup.bash")
if grep -q 'sql\.gz$' <<<"$got" && ! grep -q '\.json$' <<<"$got" && grep -q '^latest-full$' <<<"$got"; then
	pass completion-no-sidecars
else
	fail completion-no-sidecars "$got"
fi
finish
