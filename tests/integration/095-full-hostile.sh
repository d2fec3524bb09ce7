#!/usr/bin/env bash
# Hostile full archives: path escapes, links, devices and lying sizes are
# refused (exit 3) and nothing is written outside the target directory.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
python3 "$LB_TOP/tests/lib/hostile-archives.py" "$work" /tmp/lbtest-abs-escape "$work/outside" --sidecars
for case in dotdot absolute symlink hardlink device unlisted hugesize tampered \
	fileunderfile dirthenfile filethendir topfile; do
	rm -rf "$work/target"
	check_exit "full-hostile-$case-verify" 3 "$LB_BIN" verify "$work/$case.tar.gz"
	check_exit "full-hostile-$case-restore" 3 "$LB_BIN" restore "$work/$case.tar.gz" --to "$work/target"
	[ ! -e "$work/target" ] || [ -z "$(ls -A "$work/target")" ] || fail "full-hostile-$case-target-empty" "$(ls -A "$work/target")"
done

# A committed symlink lnk -> outside, and an uncommitted.patch that writes
# through it (issue #15, item 1): verify fails it, reading the committed
# tree, and restore --to --with-uncommitted refuses, naming the path, before
# writing anything; the file outside is unchanged. The same for a patch
# that makes its own symlink and writes below it, and for patch paths into
# .git or out of DIR. (gitsnap_apply_patch's own refusal on disk, behind
# verify's, is in test-git-snapshot.)
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
g() { git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main "$@"; }
mkdir -p "$work/pout" && printf 'original\n' >"$work/pout/existing"
g init -q "$work/lproj" && ln -s "$work/pout" "$work/lproj/lnk" && printf '{}\n' >"$work/lproj/package.json" &&
	g -C "$work/lproj" add -A && g -C "$work/lproj" commit -q -m link
check full-hostile-patch-setup env -u PGDATABASE -u PGHOST "$LB_BIN" full -C "$work/lproj" -o "$work/pgood" --archive-only
owned=$(printf 'owned\n' | git hash-object --stdin)
newfile() { printf 'diff --git a/%s b/%s\nnew file mode %s\nindex %s..%s\n--- /dev/null\n+++ b/%s\n@@ -0,0 +1 @@\n+%s\n' \
	"$1" "$1" "${3:-100644}" 0000000000000000000000000000000000000000 "$(printf '%s\n' "$2" | git hash-object --stdin)" "$1" "$2"; }
newfile lnk/existing owned >"$work/through-link.patch"
newfile lnk/new owned >"$work/through-link-new.patch"
{ newfile evil "$work/pout" 120000; newfile evil/planted owned; } >"$work/own-link.patch"
newfile .git/hooks/post-checkout owned >"$work/dotgit.patch"
newfile ../escaped-by-patch owned >"$work/dotdot.patch"
for case in through-link through-link-new own-link dotgit dotdot; do
	arc=$work/patch-$case.tar.gz
	cp "$(ls "$work"/pgood/*.tar.gz | head -n 1)" "$arc" && cp "$(ls "$work"/pgood/*.tar.gz.manifest.json | head -n 1)" "$arc.manifest.json" &&
		python3 "$LB_TOP/tests/lib/rewrite-archive.py" "$arc" git/uncommitted.patch "$work/$case.patch" ||
		fail "full-hostile-patch-$case-build" "rewrite-archive.py failed"
	check_exit "full-hostile-patch-$case-verify" 3 "$LB_BIN" verify "$arc"
	rm -rf "$work/ptarget"
	check_exit "full-hostile-patch-$case-restore" 3 "$LB_BIN" restore "$arc" --to "$work/ptarget" --with-uncommitted
	grep -q 'check tree failed: git/uncommitted.patch: restore --to --with-uncommitted would refuse it: ' <<<"$LB_LAST_OUTPUT" &&
		[ ! -e "$work/ptarget" ] && pass "full-hostile-patch-$case-says-why" ||
		fail "full-hostile-patch-$case-says-why" "$LB_LAST_OUTPUT; $(ls -A "$work/ptarget" 2>&1)"
done
[ "$(cat "$work/pout/existing")" = original ] && [ "$(ls -A "$work/pout")" = existing ] && [ ! -e "$work/escaped-by-patch" ] &&
	pass full-hostile-patch-nothing-outside || fail full-hostile-patch-nothing-outside "$(ls -l "$work/pout"; cat "$work/pout/existing")"

# Refusals that depend on the committed tree (issue #15, item 10): a deps/
# file below a committed symlink or below a committed file, a submodule
# bundle whose directory is a committed symlink. restore --to refuses them
# (fs_mkdirs_for); verify must say so first, reading the tree from the
# bundle, for the archive and the directory alike.
mkdir -p "$work/tout"
g init -q "$work/tproj" && ln -s "$work/tout" "$work/tproj/lnk" && printf '{}\n' >"$work/tproj/package.json" &&
	printf 'x\n' >"$work/tproj/afile" && g -C "$work/tproj" add -A && g -C "$work/tproj" commit -q -m tree
check full-hostile-tree-setup env -u PGDATABASE -u PGHOST "$LB_BIN" full -C "$work/tproj" -o "$work/tgood"
tgood=$(ls "$work"/tgood/*.tar.gz | head -n 1)
tdir=$(find "$work/tgood" -maxdepth 1 -type d -name 'full-backup-*' | head -n 1)
check_exit full-hostile-tree-good-verifies 0 "$LB_BIN" verify "$tgood"
printf '{ "name": "planted" }\n' >"$work/planted.json"
for case in deps/lnk/package.json deps/afile/package.json config/lnk/app.yml.example git/submodules/lnk/repo.bundle; do
	name=$(tr '/' '-' <<<"$case")
	arc=$work/tree-$name.tar.gz
	cp "$tgood" "$arc" && cp "$tgood.manifest.json" "$arc.manifest.json" &&
		python3 "$LB_TOP/tests/lib/rewrite-archive.py" "$arc" "$case" "$work/planted.json" ||
		fail "full-hostile-tree-$name-build" "rewrite-archive.py failed"
	check_exit "full-hostile-tree-$name-verify" 3 "$LB_BIN" verify "$arc"
	grep -q "check tree failed: $case: restore --to would refuse it: $(cut -d/ -f2-3 <<<"${case#git/}" | sed 's|^submodules/||;s|/.*||')" <<<"$LB_LAST_OUTPUT" &&
		pass "full-hostile-tree-$name-names-it" || fail "full-hostile-tree-$name-names-it" "$LB_LAST_OUTPUT"
	rm -rf "$work/ttarget"
	rc=0
	out=$("$LB_BIN" restore "$arc" --to "$work/ttarget" 2>&1) || rc=$?
	[ $rc -ne 0 ] && [ -z "$(ls -A "$work/tout")" ] && [ ! -e "$work/ttarget" ] &&
		pass "full-hostile-tree-$name-restore-refused" || fail "full-hostile-tree-$name-restore-refused" "rc=$rc: $out; $(ls -A "$work/tout" "$work/ttarget" 2>&1)"
done
# The directory form: the same file added, MANIFEST.json made to match.
cp -r "$tdir" "$work/tree-dir" && mkdir -p "$work/tree-dir/deps/lnk" && cp "$work/planted.json" "$work/tree-dir/deps/lnk/package.json" &&
	python3 - "$work/tree-dir" <<'PY'
import hashlib, json, sys
d = sys.argv[1]; m = json.load(open(d + "/MANIFEST.json")); data = open(d + "/deps/lnk/package.json", "rb").read()
m["files"].append({"path": "deps/lnk/package.json", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
json.dump(m, open(d + "/MANIFEST.json", "w"))
PY
check_exit full-hostile-tree-directory-verify 3 "$LB_BIN" verify "$work/tree-dir"
grep -q 'check tree failed: deps/lnk/package.json: restore --to would refuse it: lnk ' <<<"$LB_LAST_OUTPUT" &&
	pass full-hostile-tree-directory-names-it || fail full-hostile-tree-directory-names-it "$LB_LAST_OUTPUT"
[ -z "$(ls -A "$work/tout")" ] && [ -z "$(ls -d "${TMPDIR:-/tmp}"/lotbackup-tree.* "${TMPDIR:-/tmp}"/lotbackup-verify.* 2>/dev/null)" ] &&
	pass full-hostile-tree-nothing-left || fail full-hostile-tree-nothing-left "$(ls -A "$work/tout"; ls -d "${TMPDIR:-/tmp}"/lotbackup-* 2>&1)"

escaped=''
for p in "$work/escape" /tmp/lbtest-abs-escape "$work/outside" "$work/outside/evil" "$work/target.lotbackup-extract"; do
	[ -e "$p" ] && escaped="$escaped $p"
done
[ -z "$escaped" ] && pass full-hostile-nothing-outside || fail full-hostile-nothing-outside "$escaped"
finish
