#!/usr/bin/env bash
# Hostile full archives: path escapes, links, devices and lying sizes are
# refused (exit 3) and nothing is written outside the target directory.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
python3 "$LB_TOP/tests/lib/hostile-archives.py" "$work" /tmp/lbtest-abs-escape "$work/outside" --sidecars
for case in dotdot absolute symlink hardlink device unlisted hugesize tampered; do
	rm -rf "$work/target"
	check_exit "full-hostile-$case-verify" 3 "$LB_BIN" verify "$work/$case.tar.gz"
	check_exit "full-hostile-$case-restore" 3 "$LB_BIN" restore "$work/$case.tar.gz" --to "$work/target"
	[ ! -e "$work/target" ] || [ -z "$(ls -A "$work/target")" ] || fail "full-hostile-$case-target-empty" "$(ls -A "$work/target")"
done
escaped=''
for p in "$work/escape" /tmp/lbtest-abs-escape "$work/outside" "$work/outside/evil" "$work/target.lotbackup-extract"; do
	[ -e "$p" ] && escaped="$escaped $p"
done
[ -z "$escaped" ] && pass full-hostile-nothing-outside || fail full-hostile-nothing-outside "$escaped"
finish
