#!/usr/bin/env bash
# Valgrind (memcheck): one db and one full, then verify of both, with no
# memory error and no leak (definite, indirect or possible). The only
# suppression is libgit2 1.5's own pcre2 leak (tests/valgrind.supp).
# Also `make valgrind`. Skipped on the ASan build (make asan checks that one).
set -u
. "$LB_TOP/tests/lib/testlib.sh"

if ! command -v valgrind >/dev/null; then
	skip valgrind "valgrind is not installed (make deps installs it)"
	finish
fi
if ldd "$LB_BIN" | grep -q libasan; then
	skip valgrind "AddressSanitizer build: valgrind cannot run it"
	finish
fi
work=$(tmpdir)
db=$(new_db lb_valgrind) || { fail valgrind-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t (id int PRIMARY KEY, a text, n numeric, d date);
  INSERT INTO t SELECT g, md5(g::text), g / 7.0, date '2020-01-01' + g FROM generate_series(1, 20000) g;
  CREATE VIEW v AS SELECT id FROM t WHERE id < 10; CREATE SEQUENCE s; CREATE INDEX ON t (a)" >/dev/null
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
proj=$work/proj
g() { git -C "$proj" -c user.name=t -c user.email=t@example.com "$@"; }
mkdir -p "$proj" && git init -q "$proj" && printf '{ "name": "app" }\n' >"$proj/package.json" &&
	printf 'lock\n' >"$proj/yarn.lock" && seq 1 1000 >"$proj/README.md" && g add -A && g commit -q -m one &&
	g remote add origin https://example.com/app.git && g tag v1 && echo dirty >>"$proj/README.md" &&
	echo untracked >"$proj/notes.txt" || { fail valgrind-setup git; finish; }

vg() { # NAME CMD...: CMD under memcheck; pass when it exits 0 with no finding
	local name=$1 rc=0
	shift
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=97 --num-callers=30 \
		--suppressions="$LB_TOP/tests/valgrind.supp" --log-file="$work/$name.vg" "$@" >/dev/null 2>"$work/$name.err" || rc=$?
	if [ $rc -eq 0 ] && [ ! -s "$work/$name.vg" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc"$'\n'"$(head -n 60 "$work/$name.vg")"$'\n'"$(tail -n 5 "$work/$name.err")"
	fi
}
vg valgrind-db "$LB_BIN" db -q -d "dbname=$db" -o "$work/out"
vg valgrind-full "$LB_BIN" full -q -C "$proj" -d "dbname=$db" -o "$work/out"
vg valgrind-verify "$LB_BIN" verify -q --all -o "$work/out"
[ "$(ls "$work"/out/lot-systems-db-*.sql.gz "$work"/out/lot-systems-full-backup-*.tar.gz | wc -l)" -eq 2 ] &&
	pass valgrind-backups-written || fail valgrind-backups-written "$(ls "$work/out")"
finish
