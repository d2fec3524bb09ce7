#!/usr/bin/env bash
# prune removes an expired full-backup-* directory through directory
# descriptors: a subdirectory swapped for a symlink to another directory
# once its removal has started (inotify, then renameat2 RENAME_EXCHANGE)
# leads no deletion outside the output directory. Before, each file was
# removed by its path through the parent (DIR/sub/NAME), so the files of
# the symlink's target, of the same names, went.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
command -v cc >/dev/null || { skip prune-race "no C compiler"; finish; }

# racer DIR STORE: at the first deletion in DIR/sub, exchange DIR/sub with
# STORE/subL (a symlink). Prints "ready" once watching; exits 0 when it
# swapped, 1 when nothing was deleted within 60 s or the swap failed.
cat >"$work/racer.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char buf[4096], sub[4096];
	int dir, store, in;
	struct pollfd p;

	if (argc != 3)
		return 2;
	snprintf(sub, sizeof(sub), "%s/sub", argv[1]);
	dir = open(argv[1], O_RDONLY | O_DIRECTORY);
	store = open(argv[2], O_RDONLY | O_DIRECTORY);
	in = inotify_init();
	if (dir < 0 || store < 0 || in < 0 || inotify_add_watch(in, sub, IN_DELETE) < 0) {
		perror("racer");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	p.fd = in;
	p.events = POLLIN;
	if (poll(&p, 1, 60000) != 1 || read(in, buf, sizeof(buf)) <= 0)
		return 1;
	if (renameat2(dir, "sub", store, "subL", RENAME_EXCHANGE) < 0) {
		perror("racer: renameat2");
		return 1;
	}
	printf("swapped\n");
	return 0;
}
EOF
check prune-race-racer-build cc -O2 -o "$work/racer" "$work/racer.c" || finish

out=$work/backups
victim=$work/victim
store=$work/store
mkdir -m 700 "$out"
mkdir "$store"
# Two newer full backups, one of today: the oldest is the one to prune.
for d in 20200102_000000 20200103_000000 "$(date -u +%Y%m%d_%H%M%S)"; do
	mkdir "$out/full-backup-$d"
	echo '{}' >"$out/full-backup-$d/MANIFEST.json"
done

for round in 1 2 3 4 5; do
	old=$out/full-backup-20200101_000000
	rm -rf "$old" "$store/subL" "$victim"
	mkdir "$victim"
	for i in $(seq 1 200); do echo precious >"$victim/file$i"; done
	mkdir -p "$old/sub"
	echo '{}' >"$old/MANIFEST.json"
	# Many files of the victim's names and more, so the removal is still going when the swap lands.
	(cd "$old/sub" && seq 1 5000 | sed 's/^/file/' | xargs touch)
	ln -s "$victim" "$store/subL"
	"$work/racer" "$old" "$store" >"$work/racer.out" 2>&1 &
	racer=$!
	for _ in $(seq 1 200); do grep -q ready "$work/racer.out" && break; sleep 0.05; done
	rc=0
	"$LB_BIN" prune -o "$out" --kind full --keep-daily 1 --keep-weekly 0 --keep-monthly 0 --force \
		>"$work/prune.out" 2>&1 || rc=$?
	racer_rc=0
	wait "$racer" || racer_rc=$?
	left=$(find "$victim" -type f | wc -l)
	if [ "$racer_rc" -ne 0 ]; then
		fail "prune-race-$round-swapped" "the racer did not swap: $(cat "$work/racer.out")"
	elif [ "$left" -ne 200 ]; then
		fail "prune-race-$round-victim-intact" "the victim outside the output directory kept $left of 200 files (prune exit $rc): $(tail -n 3 "$work/prune.out")"
	elif [ "$rc" -ne 1 ] || ! grep -q "cannot remove .*full-backup-20200101_000000/sub" "$work/prune.out"; then
		fail "prune-race-$round-reported" "exit $rc, expected 1 naming sub: $(tail -n 3 "$work/prune.out")"
	else
		pass "prune-race-$round"
	fi
done

# What the swap left (the symlink in place of sub; the manifest went first, so no longer a
# candidate) goes on the next prune once it is one again, not what the symlink points to.
[ -L "$out/full-backup-20200101_000000/sub" ] || fail prune-race-left-symlink "$(ls -la "$out/full-backup-20200101_000000")"
echo '{}' >"$out/full-backup-20200101_000000/MANIFEST.json"
check prune-race-rerun "$LB_BIN" prune -o "$out" --kind full --keep-daily 1 --keep-weekly 0 --keep-monthly 0 --force
[ ! -e "$out/full-backup-20200101_000000" ] && [ "$(find "$victim" -type f | wc -l)" -eq 200 ] &&
	pass prune-race-rerun-victim-intact || fail prune-race-rerun-victim-intact "$(ls "$out"; ls "$victim" | wc -l)"
finish
