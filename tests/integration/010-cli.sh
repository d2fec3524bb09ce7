#!/usr/bin/env bash
# The command line: help, version, usage errors, and the man page in step.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

out=$("$LB_BIN" --help 2>&1); rc=$?
if [ $rc -eq 0 ] && for c in full db list restore verify prune pin unpin status; do grep -q "^  $c " <<<"$out" || exit 1; done; then
	pass help-lists-all-commands
else
	fail help-lists-all-commands "exit $rc"$'\n'"$out"
fi
check_exit version 0 "$LB_BIN" --version
grep -q '^lotbackup [0-9]' <<<"$LB_LAST_OUTPUT" || fail version-format "$LB_LAST_OUTPUT"
check_exit no-command-is-usage-error 2 "$LB_BIN"
check_exit unknown-command-exit-2 2 "$LB_BIN" frobnicate
grep -q "unknown command 'frobnicate'" <<<"$LB_LAST_OUTPUT" || fail unknown-command-message "$LB_LAST_OUTPUT"
check_exit unknown-option-exit-2 2 "$LB_BIN" db --no-such-option
check_exit option-of-other-command-exit-2 2 "$LB_BIN" list --keep 3
check_exit bad-keep-value-exit-2 2 "$LB_BIN" db --keep 3x
grep -q -- '--keep takes a whole number' <<<"$LB_LAST_OUTPUT" || fail bad-keep-message "$LB_LAST_OUTPUT"
check_exit missing-argument-exit-2 2 "$LB_BIN" db --keep
commands=$("$LB_BIN" --help | sed -n '/^Commands:/,/^$/p' | awk '/^  [a-z]/ { print $1 }')
for c in $commands; do
	check_exit "help-$c" 0 "$LB_BIN" "$c" --help
done

# The man page: lint clean, and every option --help shows is documented there.
man=$LB_TOP/man/lotbackup.1
if command -v mandoc >/dev/null; then
	check man-lint mandoc -Tlint -W warning "$man"
else
	skip man-lint "mandoc not installed"
fi
missing=''
for c in $commands; do
	grep -q "^\.It Cm $c\b" "$man" || missing="$missing command:$c"
	for opt in $("$LB_BIN" "$c" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		name=${opt#--}
		grep -q "^\.Fl \(-\)\?${name}\b\|Fl -${name}\b" "$man" || missing="$missing $opt($c)"
	done
done
if [ -z "$missing" ]; then pass man-documents-every-option; else fail man-documents-every-option "missing:$missing"; fi
# Exit statuses: the same numbers in --help and in the man page.
help_codes=$("$LB_BIN" --help | sed -n '/^Exit status:/,$p' | grep -o '^ *[0-9][0-9]*  ' | tr -d ' ' | tr '\n' ' ')
man_codes=$(sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$man" | grep -o '^\.It Li [0-9]*' | grep -o '[0-9]*$' | tr '\n' ' ')
if [ "$help_codes" = "0 1 2 3 130 143 " ] && [ "$man_codes" = "$help_codes" ]; then
	pass exit-status-help-matches-man
else
	fail exit-status-help-matches-man "help: '$help_codes' man: '$man_codes'"
fi
# .env.example names every setting the tool reads.
absent=''
for v in DATABASE_URL $(grep -o '"LOTBACKUP_[A-Z_]\+"' "$LB_TOP/src/cmd/config.c" | tr -d '"' | sort -u); do
	grep -q "^#\? *$v=" "$LB_TOP/.env.example" || absent="$absent $v"
done
if [ -z "$absent" ]; then pass env-example-lists-every-setting; else fail env-example-lists-every-setting "missing:$absent"; fi
# and the man page too
absent=''
for v in DATABASE_URL $(grep -o '"LOTBACKUP_[A-Z_]\+"' "$LB_TOP/src/cmd/config.c" | tr -d '"' | sort -u); do
	grep -q "^\.It Ev $v" "$man" || absent="$absent $v"
done
if [ -z "$absent" ]; then pass man-lists-every-setting; else fail man-lists-every-setting "missing:$absent"; fi
# make install honours PREFIX and DESTDIR.
dest=$(tmpdir)
if make -s -C "$LB_TOP" install DESTDIR="$dest" PREFIX=/opt/lb BIN="$LB_BIN" -o "$LB_BIN" >/dev/null 2>&1 &&
	[ -x "$dest/opt/lb/bin/lotbackup" ] && [ -f "$dest/opt/lb/share/man/man1/lotbackup.1" ]; then
	pass make-install-destdir-prefix
else
	fail make-install-destdir-prefix "$(find "$dest" 2>&1 | head)"
fi
finish
