#!/usr/bin/env bash
# The shipped examples and the bash completion: crontab and systemd units
# well-formed and the same as in the README, the completion script in step
# with --help, all of it installed by make install.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

ex=$LB_TOP/man/examples
comp=$LB_TOP/man/completion/lotbackup.bash
readme=$LB_TOP/README.md

# crontab: every line a comment, a VAR=value or five valid time fields and a command.
if python3 - "$ex/lotbackup.crontab" <<'PY'
import re, sys
ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
def field_ok(f, lo, hi):
    for part in f.split(","):
        m = re.fullmatch(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", part)
        if not m:
            return False
        for g in (m.group(2), m.group(3)):
            if g is not None and not lo <= int(g) <= hi:
                return False
    return True
jobs = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line or line.startswith("#") or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", line):
        continue
    f = line.split(None, 5)
    assert len(f) == 6, line
    assert all(field_ok(x, *r) for x, r in zip(f[:5], ranges)), line
    jobs += 1
assert jobs >= 2
PY
then pass crontab-syntax; else fail crontab-syntax "$(cat "$ex/lotbackup.crontab")"; fi
# The product's policy (issue #18): the database daily, the full backup weekly (archive
# only), a monthly test restore, pruning of both kinds; no --keep beside the .env policy.
grep -q '^0 2 \* \* \* cd /srv/app && lotbackup db ' "$ex/lotbackup.crontab" &&
	grep -q '^0 3 \* \* 0 cd /srv/app && lotbackup full --archive-only ' "$ex/lotbackup.crontab" &&
	grep -q '^0 5 1 \* \* cd /srv/app && lotbackup verify --restore ' "$ex/lotbackup.crontab" &&
	grep -q '^[0-9]* 4 \* \* \* cd /srv/app && lotbackup prune ' "$ex/lotbackup.crontab" &&
	! grep -q -- '--keep ' "$ex/lotbackup.crontab" &&
	pass crontab-follows-policy || fail crontab-follows-policy "$(cat "$ex/lotbackup.crontab")"
# The README shows the same jobs and units as the files.
missing=''
while IFS= read -r line; do
	case $line in '' | '#'*) continue ;; esac
	grep -qxF -- "$line" "$readme" || missing="$missing"$'\n'"$line"
done < <(cat "$ex/lotbackup.crontab"; grep -v '^#' "$ex"/lotbackup*.service "$ex"/lotbackup*.timer | cut -d: -f2-)
[ -z "$missing" ] && pass readme-shows-examples || fail readme-shows-examples "not in README.md:$missing"

# systemd units: systemd-analyze verify, with the binary under test in ExecStart.
if command -v systemd-analyze >/dev/null; then
	units=$(tmpdir)
	for u in lotbackup lotbackup-weekly; do
		sed "s|/usr/local/bin/lotbackup|$LB_BIN|" "$ex/$u.service" >"$units/$u.service"
		cp "$ex/$u.timer" "$units/"
	done
	out=$(cd "$units" && systemd-analyze verify --man=no lotbackup.service lotbackup.timer \
		lotbackup-weekly.service lotbackup-weekly.timer 2>&1); rc=$?
	[ $rc -eq 0 ] && [ -z "$out" ] && pass systemd-analyze-verify || fail systemd-analyze-verify "exit $rc"$'\n'"$out"
	# and the check can fail: a bad calendar spec is caught
	sed -i 's/^OnCalendar=.*/OnCalendar=*-*-* 25:00:00/' "$units/lotbackup.timer"
	out=$(cd "$units" && systemd-analyze verify --man=no lotbackup.timer 2>&1); rc=$?
	[ $rc -ne 0 ] || [ -n "$out" ] && pass systemd-analyze-catches-errors || fail systemd-analyze-catches-errors "$out"
else
	skip systemd-analyze-verify "systemd-analyze not installed"
fi
grep -q '^ExecStart=.*lotbackup db --wait 3600 --verify-restore$' "$ex/lotbackup.service" && grep -q '^ExecStart=.*lotbackup prune --wait 3600$' "$ex/lotbackup.service" &&
	grep -q '^OnCalendar=\*-\*-\* 02:00:00$' "$ex/lotbackup.timer" &&
	grep -q '^ExecStart=.*lotbackup full --archive-only --wait 3600$' "$ex/lotbackup-weekly.service" &&
	grep -q '^OnCalendar=Sun \*-\*-\* 03:00:00$' "$ex/lotbackup-weekly.timer" && pass systemd-nightly-and-weekly ||
	fail systemd-nightly-and-weekly "$(cat "$ex"/lotbackup*.service "$ex"/lotbackup*.timer)"

# Completion: valid bash; every command, and every option of each command, in it.
check completion-bash-n bash -n "$comp"
missing=''
commands=$("$LB_BIN" --help | sed -n '/^Commands:/,/^$/p' | awk '/^  [a-z]/ { print $1 }')
grep -q "^	local commands='$(echo $commands)'\$" "$comp" || missing="$missing commands($(echo $commands))"
for c in $commands; do
	line=$(grep "^	$c) opts='" "$comp")
	for opt in $("$LB_BIN" "$c" --help | sed -n '/^Options:/,/^$/p' | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		case $opt in --help | --project-dir | --output-dir | --quiet | --verbose) grep -q "common=.*$opt\b" "$comp" || missing="$missing $opt" ;;
		*) grep -q -- "[' ]$opt[' ]" <<<"$line" || missing="$missing $opt($c)" ;;
		esac
	done
done
[ -z "$missing" ] && pass completion-knows-every-option || fail completion-knows-every-option "missing:$missing"
got=$(bash -c 'source "$1"; COMP_WORDS=(lotbackup -o /tmp pru); COMP_CWORD=3; _lotbackup; echo "${COMPREPLY[*]}";
	COMP_WORDS=(lotbackup prune --keep-w); COMP_CWORD=2; _lotbackup; echo "${COMPREPLY[*]}";
	COMP_WORDS=(lotbackup status --kind f); COMP_CWORD=3; _lotbackup; echo "${COMPREPLY[*]}"' _ "$comp")
[ "$got" = $'prune\n--keep-weekly\nfull' ] && pass completion-completes || fail completion-completes "$got"
got=$(bash -c 'source "$1"; COMP_WORDS=(lotbackup db --notify-method p); COMP_CWORD=3; _lotbackup; echo "${COMPREPLY[*]}"' _ "$comp")
[ "$got" = post ] && pass completion-notify-method || fail completion-notify-method "$got"

# make install puts them in place.
dest=$(tmpdir)
if make -s -C "$LB_TOP" install DESTDIR="$dest" PREFIX=/opt/lb BIN="$LB_BIN" -o "$LB_BIN" >/dev/null 2>&1 &&
	[ -f "$dest/opt/lb/share/doc/lotbackup/examples/lotbackup.crontab" ] &&
	[ -f "$dest/opt/lb/share/doc/lotbackup/examples/lotbackup.service" ] &&
	[ -f "$dest/opt/lb/share/doc/lotbackup/examples/lotbackup.timer" ] &&
	[ -f "$dest/opt/lb/share/doc/lotbackup/examples/lotbackup-weekly.timer" ] &&
	[ -f "$dest/opt/lb/share/bash-completion/completions/lotbackup" ]; then
	pass make-install-examples-and-completion
else
	fail make-install-examples-and-completion "$(find "$dest" 2>&1 | head -20)"
fi
finish
