#!/usr/bin/env bash
# lotbackup full: git state with a bundle of all history, dependency files,
# templates, a system report and the database, as a directory and a .tar.gz;
# no secret goes in; restore --to brings the project and database back.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
g() { git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main -c advice.detachedHead=false "$@"; }
db=$(new_db lb_full_src) || { fail full-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE items (id int PRIMARY KEY, name text);
  INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g;
  GRANT SELECT ON items TO lb_pw; GRANT CONNECT ON DATABASE $db TO lb_pw" >/dev/null
work=$(tmpdir)
proj=$work/app
mkdir -p "$proj" && g init -q "$proj" && cd "$proj" || finish
SECRET_KEY="-----BEGIN OPENSSH PRIVATE KEY----- lbtest-private-key-material-7f3a"
SECRET_PEM="lbtest-pem-certificate-body-91c2"
printf '{ "name": "app", "version": "1.0.0" }\n' >package.json
printf 'lockfile v1 lbtest\n' >yarn.lock
mkdir -p prisma/migrations/20240101_init apps/web config
printf 'model Item { id Int @id }\n' >prisma/schema.prisma
printf 'CREATE TABLE "Item" (id int);\n' >prisma/migrations/20240101_init/migration.sql
printf '{ "name": "web" }\n' >apps/web/package.json
printf 'DATABASE_URL=postgresql://user:password@localhost/app\n' >.env.example
printf 'port: 3000\n' >config/app.yml.sample
printf 'node_modules/\n.env\nbackups/\n*.log\n' >.gitignore
printf 'hello\n' >README.md
printf '\x00\x01\x02binary\xff' >logo.bin
g add -A && g commit -q -m "first"
printf '%s\n' "$SECRET_KEY" >id_rsa && printf '%s\n' "$SECRET_PEM" >server.pem
g add id_rsa server.pem && g commit -q -m "oops, keys" && g rm -q id_rsa server.pem && g commit -q -m "remove keys"
g tag v1.0 && g tag -a v1.1 -m "annotated"
g checkout -q -b feature && printf 'feature\n' >feature.txt && g add feature.txt && g commit -q -m "feature work"
g checkout -q main && printf 'more\n' >>README.md && g commit -q -am "main work"
g remote add origin "https://bob:Hunt3rPassw0rd@example.com/app.git"
# GitLab-style token in the query string (issue #15, item 8).
g remote add mirror "https://gitlab.example.com/grp/app.git?private_token=GlQu3ryT0ken&ref=main"
# The dirty state: modified, staged, binary change, untracked, ignored, and secrets again.
printf 'changed\n' >>README.md
printf 'staged\n' >staged.txt && g add staged.txt
printf '\x00\x03binary-changed' >logo.bin
printf 'untracked\n' >notes.txt
printf 'ignored\n' >debug.log
printf 'DATABASE_URL="postgresql://lb_pw:%s@localhost/%s?host=%s&port=%s"\n' "$LB_TEST_PASSWORD" "$db" "$PGHOST" "$PGPORT" >.env
printf '%s\n' "$SECRET_KEY" >id_rsa
printf '%s\n' "$SECRET_PEM" >keys.pem
# The other environment files (test-project-files' secret rules, end to end):
# .env.* and *.env anywhere are secrets, untracked and not ignored here;
# a template of one (.env.local.example) is kept.
ENV_SECRETS=".env.local .env.production apps/web/.env.development.local docker/web.env"
mkdir -p docker
for f in $ENV_SECRETS; do printf 'API_KEY=lbtest-envfile-%s-5e1d\n' "$(basename "$f")" >"$f"; done
printf 'API_KEY=changeme\n' >.env.local.example
cd "$LB_TOP" || finish

check full-runs "$LB_BIN" full -C "$proj"
grep -q 'secret-looking file tracked in git history: id_rsa' <<<"$LB_LAST_OUTPUT" && pass full-warns-secrets-in-history || fail full-warns-secrets-in-history "$LB_LAST_OUTPUT"
out=$proj/backups
dir=$(find "$out" -maxdepth 1 -type d -name 'full-backup-*' ! -name '*.*' | head -n 1)
arc=$(ls "$out"/lot-systems-full-backup-*.tar.gz 2>/dev/null | head -n 1)
if [ -d "$dir" ] && [ -f "$arc" ] && [ "${dir##*full-backup-}" = "$(basename "$arc" .tar.gz | sed 's/^lot-systems-full-backup-//')" ]; then
	pass full-dir-and-archive-same-stamp
else
	fail full-dir-and-archive-same-stamp "dir=$dir arc=$arc"; finish
fi
[ "$(stat -c %a "$dir")" = 700 ] && [ "$(stat -c %a "$arc")" = 600 ] && pass full-modes || fail full-modes "$(stat -c '%a %n' "$dir" "$arc")"
missing=''
for f in MANIFEST.json SYSTEM-STATE.md git/info.txt git/log.txt git/status.txt git/uncommitted.patch git/repo.bundle \
	deps/package.json deps/yarn.lock deps/prisma/schema.prisma deps/prisma/migrations/20240101_init/migration.sql \
	deps/apps/web/package.json config/.env.example config/config/app.yml.sample; do
	[ -f "$dir/$f" ] || missing="$missing $f"
done
ls "$dir"/db/lot-systems-db-*.sql.gz >/dev/null 2>&1 || missing="$missing db/*.sql.gz"
[ -z "$missing" ] && pass full-layout || fail full-layout "missing:$missing"$'\n'"$(cd "$dir" && find . -type f | sort)"
# The archive holds the same tree.
arc_list=$(tar tzf "$arc" | grep -v '/$' | sed "s|^$(basename "$dir")/||" | sort)
dir_list=$(cd "$dir" && find . -type f | sed 's|^\./||' | sort)
[ "$arc_list" = "$dir_list" ] && pass full-archive-matches-directory || fail full-archive-matches-directory "$(diff <(echo "$arc_list") <(echo "$dir_list"))"

# No secret anywhere: not in the archive's bytes (decompressed), not in the directory.
leaks=''
for s in "$LB_TEST_PASSWORD" lbtest-private-key-material-7f3a lbtest-pem-certificate-body-91c2 Hunt3rPassw0rd GlQu3ryT0ken; do
	gunzip -c "$arc" | grep -aq -- "$s" && leaks="$leaks archive:$s"
	grep -rqa -- "$s" "$dir" && leaks="$leaks dir:$s"
	grep -qa -- "$s" "$arc" && leaks="$leaks gz:$s"
done
[ -z "$leaks" ] && pass full-no-secret-content || fail full-no-secret-content "$leaks"
tar tzf "$arc" | grep -Eq '(^|/)(\.env|id_rsa|keys\.pem)$' && fail full-no-secret-files "$(tar tzf "$arc")" || pass full-no-secret-files
grep -q '"path": ".env"' "$dir/MANIFEST.json" && grep -q '"rule": "secret' "$dir/MANIFEST.json" &&
	pass full-manifest-lists-exclusions || fail full-manifest-lists-exclusions "$(grep -A2 excluded "$dir/MANIFEST.json" | head)"
# .env.local, .env.production and the like: not in the archive or the directory
# (names or content), listed as excluded by their rule; the template kept.
bad=''
for f in $ENV_SECRETS; do
	tar tzf "$arc" | grep -q -- "/$f\$" && bad="$bad archive:$f"
	[ -n "$(find "$dir" -name "$(basename "$f")")" ] && bad="$bad dir:$f"
	gunzip -c "$arc" | grep -aq -- "lbtest-envfile-$(basename "$f")" && bad="$bad content:$f"
done
rules=$(python3 - "$dir/MANIFEST.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
def walk(v):
    if isinstance(v, dict):
        if "path" in v and "rule" in v:
            print(v["path"] + "|" + v["rule"])
        for x in v.values(): walk(x)
    elif isinstance(v, list):
        for x in v: walk(x)
walk(m)
PY
)
for f in .env.local .env.production apps/web/.env.development.local; do
	grep -qxF "$f|secret: environment file (.env.*)" <<<"$rules" || bad="$bad rule:$f"
done
grep -qxF "docker/web.env|secret: environment file (*.env)" <<<"$rules" || bad="$bad rule:docker/web.env"
[ -f "$dir/config/.env.local.example" ] || bad="$bad template-missing"
[ -z "$bad" ] && pass full-env-files-excluded || fail full-env-files-excluded "$bad; rules: $(grep env <<<"$rules" | tr '\n' ' ')"
# Asked for by name as extra files, they stay out all the same.
bad=''
if LOTBACKUP_EXTRA_FILES='.env*,apps/web/.env*,docker/*.env' "$LB_BIN" full -q -C "$proj" -o "$work/extra" --archive-only 2>"$work/extra.err"; then
	for f in $ENV_SECRETS; do
		gunzip -c "$work"/extra/lot-systems-full-backup-*.tar.gz | grep -aq -- "lbtest-envfile-$(basename "$f")" && bad="$bad $f"
	done
	tar tzf "$work"/extra/lot-systems-full-backup-*.tar.gz | grep -q 'deps/\.env\.local\.example$' || bad="$bad template-not-taken"
else
	bad="exit $?: $(cat "$work/extra.err")"
fi
[ -z "$bad" ] && pass full-env-files-excluded-as-extra-files || fail full-env-files-excluded-as-extra-files "$bad"
grep -q 'bob:\*\*\*@example.com' "$dir/git/info.txt" && pass full-remote-redacted || fail full-remote-redacted "$(cat "$dir/git/info.txt")"
grep -qxF 'remote mirror https://gitlab.example.com/grp/app.git?private_token=***&ref=***' "$dir/git/info.txt" &&
	pass full-remote-query-redacted || fail full-remote-query-redacted "$(grep mirror "$dir/git/info.txt")"

# The manifest's hashes match the files.
bad=$(cd "$dir" && python3 -c '
import hashlib, json
m = json.load(open("MANIFEST.json"))
for f in m["files"]:
    d = open(f["path"], "rb").read()
    if hashlib.sha256(d).hexdigest() != f["sha256"] or len(d) != f["size"]:
        print(f["path"])
print("" if m["files"] else "empty")' | tr -d '\n')
[ -z "$bad" ] && pass full-manifest-hashes-match || fail full-manifest-hashes-match "$bad"
grep -q "\"commit\": \"$(git -C "$proj" rev-parse HEAD)\"" "$dir/MANIFEST.json" && pass full-manifest-commit || fail full-manifest-commit "$(head -20 "$dir/MANIFEST.json")"

# The bundle: the reference git accepts it, and a clone has every ref at the recorded hash.
check full-bundle-verify git -C "$proj" bundle verify "$dir/git/repo.bundle"
if git clone -q --mirror "$dir/git/repo.bundle" "$work/mirror.git" 2>/dev/null; then
	src_refs=$(git -C "$proj" for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags | sort)
	bun_refs=$(git -C "$work/mirror.git" for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags | sort)
	[ "$src_refs" = "$bun_refs" ] && pass full-bundle-clone-refs || fail full-bundle-clone-refs "$(diff <(echo "$src_refs") <(echo "$bun_refs"))"
else
	fail full-bundle-clone-refs "git clone of the bundle failed"
fi
# The marker is followed by the \unrestrict line, the file's last.
gunzip -c "$dir"/db/lot-systems-db-*.sql.gz | tail -n 2 | head -n 1 | grep -q 'dump complete' && pass full-db-dump-complete || fail full-db-dump-complete "no marker"
check_exit verify-full-archive 0 "$LB_BIN" verify "$arc"
check_exit verify-full-directory 0 "$LB_BIN" verify "$dir/"
[ -f "$dir.verified.json" ] && [ ! -e "$dir/.verified.json" ] && pass verify-full-directory-record-beside || fail verify-full-directory-record-beside "$(ls -a "$dir" "$out")"
cp -r "$dir" "$work/extra-dir" && echo x >"$work/extra-dir/stray.txt"
check_exit verify-full-directory-extra-file 3 "$LB_BIN" verify "$work/extra-dir"
cp -r "$dir" "$work/changed-dir" && echo x >>"$work/changed-dir/deps/package.json"
check_exit verify-full-directory-changed-file 3 "$LB_BIN" verify "$work/changed-dir"

# restore --to: the tree at the commit, the patch applied, the database back.
dropdb_q() { PGOPTIONS='-c client_min_messages=warning' dropdb --if-exists --force "$1"; }
dropdb_q lb_full_dst
check full-restore-to "$LB_BIN" restore "$arc" --to "$work/restored" --with-uncommitted -d dbname=lb_full_dst --create
if [ -d "$work/restored/.git" ]; then
	[ "$(git -C "$work/restored" rev-parse HEAD)" = "$(git -C "$proj" rev-parse HEAD)" ] && pass full-restore-head || fail full-restore-head "HEAD differs"
	[ "$(git -C "$work/restored" rev-parse --abbrev-ref HEAD)" = main ] && pass full-restore-branch || fail full-restore-branch "$(git -C "$work/restored" rev-parse --abbrev-ref HEAD)"
	diffs=''
	for f in README.md staged.txt logo.bin package.json; do cmp -s "$proj/$f" "$work/restored/$f" || diffs="$diffs $f"; done
	[ -z "$diffs" ] && pass full-restore-uncommitted-applied || fail full-restore-uncommitted-applied "differ:$diffs"
	[ ! -e "$work/restored/.env" ] && [ ! -e "$work/restored/id_rsa" ] && pass full-restore-no-secrets || fail full-restore-no-secrets "secret restored"
	git -C "$work/restored" tag | grep -q v1.1 && pass full-restore-tags || fail full-restore-tags "$(git -C "$work/restored" tag)"
else
	fail full-restore-head "no repository in $work/restored"
fi
# Privileges are not dumped by default (--privileges): grant what the source had.
psql -X -q -d lb_full_dst -c "GRANT SELECT ON items TO lb_pw" 2>/dev/null
if d=$(compare_databases "$db" lb_full_dst 2>&1); then pass full-restore-database; else fail full-restore-database "$(head -n 20 <<<"$d")"; fi
# DATABASE_URL is never a restore target, for full backups either.
check full-restore-without-dbname env DATABASE_URL="dbname=lb_full_dst" "$LB_BIN" restore "$arc" --to "$work/nodb"
grep -q 'restored into\|restored .* into lb_full_dst' <<<"$LB_LAST_OUTPUT" && fail full-restore-ignores-database-url "$LB_LAST_OUTPUT" || pass full-restore-ignores-database-url
check_exit full-restore-refuses-non-empty-dir 1 "$LB_BIN" restore "$arc" --to "$work/restored"

# The output directory inside the project is never backed up into itself.
check full-second-run "$LB_BIN" full -C "$proj" --dir-only
second=$(find "$out" -maxdepth 1 -type d -name 'full-backup-*' ! -name '*.*' | sort | tail -n 1)
if [ "$second" != "$dir" ] && ! grep -q '"path": "[a-z]*/backups/' "$second/MANIFEST.json"; then
	pass full-output-dir-excluded
else
	fail full-output-dir-excluded "$(grep -n '"path": "[a-z]*/backups/' "$second/MANIFEST.json" | head -5)"
fi

# History as a copy of the object store (automatic for large repositories).
check full-git-packs env -u PGDATABASE -u PGHOST "$LB_BIN" full -C "$proj" -o "$work/gp" --git-packs --archive-only
gparc=$(ls "$work"/gp/*.tar.gz | head -n 1)
tar tzf "$gparc" | grep -q 'git/refs.txt$' && tar tzf "$gparc" | grep -q 'git/objects/pack/pack-.*\.pack$\|git/objects/[0-9a-f][0-9a-f]/' &&
	! tar tzf "$gparc" | grep -q repo.bundle && pass full-git-packs-layout || fail full-git-packs-layout "$(tar tzf "$gparc")"
check full-git-packs-restore "$LB_BIN" restore "$gparc" --to "$work/gp-restored" --with-uncommitted
src_refs=$(git -C "$proj" for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags | sort)
[ "$(git -C "$work/gp-restored" for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags | sort)" = "$src_refs" ] &&
	git -C "$work/gp-restored" fsck --no-dangling 2>/dev/null && cmp -s "$proj/README.md" "$work/gp-restored/README.md" &&
	pass full-git-packs-restored-repository || fail full-git-packs-restored-repository "refs or fsck differ: $(git -C "$work/gp-restored" fsck --no-dangling 2>&1 | head -5; diff <(echo "$src_refs") <(git -C "$work/gp-restored" for-each-ref --format="%(objectname) %(refname)" refs/heads refs/tags | sort); cmp "$proj/README.md" "$work/gp-restored/README.md")"

# Submodules: recorded always, their history kept with --submodules.
subsrc=$work/subsrc && g init -q "$subsrc" && printf 'lib\n' >"$subsrc/lib.c" && g -C "$subsrc" add -A && g -C "$subsrc" commit -q -m lib
g -C "$proj" -c protocol.file.allow=always submodule add -q "$subsrc" libs/sub >/dev/null 2>&1 && g -C "$proj" commit -q -m "add submodule"
check full-submodules env -u PGDATABASE -u PGHOST "$LB_BIN" full -C "$proj" -o "$work/sm" --archive-only --submodules
smarc=$(ls "$work"/sm/*.tar.gz | head -n 1)
tar tzf "$smarc" | grep -q 'git/submodules/libs/sub/repo.bundle$' && pass full-submodule-bundle || fail full-submodule-bundle "$(tar tzf "$smarc" | grep git/)"
tar xzf "$smarc" -O --wildcards '*/git/info.txt' | grep -q "^submodule libs/sub .*$(git -C "$subsrc" rev-parse HEAD)" &&
	pass full-submodule-recorded || fail full-submodule-recorded "$(tar xzf "$smarc" -O --wildcards '*/git/info.txt')"
check full-submodule-restore "$LB_BIN" restore "$smarc" --to "$work/sm-restored"
[ "$(git -C "$work/sm-restored/libs/sub" rev-parse HEAD 2>/dev/null)" = "$(git -C "$subsrc" rev-parse HEAD)" ] &&
	cmp -s "$subsrc/lib.c" "$work/sm-restored/libs/sub/lib.c" && pass full-submodule-restored || fail full-submodule-restored "$(ls -la "$work/sm-restored/libs/sub" 2>&1)"

# LOTBACKUP_EXTRA_FILES: more dependency files, secrets still out.
printf 'deps lock\n' >"$proj/mix.lock" && printf '%s\n' "$SECRET_PEM" >"$proj/extra.pem"
check full-extra-files env -u PGDATABASE -u PGHOST LOTBACKUP_EXTRA_FILES='mix.lock, *.pem' "$LB_BIN" full -C "$proj" -o "$work/ef" --dir-only
efdir=$(find "$work/ef" -maxdepth 1 -type d -name 'full-backup-*' | head -n 1)
[ -f "$efdir/deps/mix.lock" ] && [ ! -e "$efdir/deps/extra.pem" ] && ! grep -rqa lbtest-pem "$efdir" &&
	pass full-extra-files-secrets-still-out || fail full-extra-files-secrets-still-out "$(cd "$efdir" && find deps)"

# A symlink in the checked-out tree must not lead restored files elsewhere.
sym=$work/symproj && g init -q "$sym" && mkdir -p "$work/outside"
ln -s "$work/outside" "$sym/sub" && printf '{}\n' >"$sym/package.json" && g -C "$sym" add -A && g -C "$sym" commit -q -m link
rm "$sym/sub" && mkdir "$sym/sub" && printf '{ "planted": true }\n' >"$sym/sub/package.json"
# full's own check of what it wrote finds it already (exit 3); the archive stays, for the checks below.
check_exit full-symlink-setup 3 env -u PGDATABASE -u PGHOST "$LB_BIN" full -C "$sym" -o "$work/symout" --archive-only
# verify reads the committed tree and fails it (check tree), so restore refuses before writing.
check_exit full-restore-refuses-symlinked-dir 3 "$LB_BIN" restore "$(ls "$work"/symout/*.tar.gz | head -n 1)" --to "$work/symrest"
grep -q 'check tree failed: deps/sub/package.json: restore --to would refuse it: sub ' <<<"$LB_LAST_OUTPUT" &&
	pass full-restore-refuses-symlinked-dir-says-why || fail full-restore-refuses-symlinked-dir-says-why "$LB_LAST_OUTPUT"
[ ! -e "$work/outside/package.json" ] && [ ! -e "$work/symrest" ] && pass full-restore-nothing-through-symlink ||
	fail full-restore-nothing-through-symlink "file written outside, or $work/symrest made"

# restore --to under umask 000: nothing restored is group- or
# other-writable (a writable .git/config lets anyone add hooks), through
# both the bundle and the object-store path, with the uncommitted patch and
# an untracked dependency file put back; a tracked executable stays
# executable by its owner.
mp=$work/modeproj && g init -q "$mp" && mkdir -p "$mp/src/lib" && printf '{}\n' >"$mp/package.json" &&
	printf '#!/bin/sh\n' >"$mp/run.sh" && chmod 755 "$mp/run.sh" && printf 'a\n' >"$mp/src/lib/a.txt" &&
	g -C "$mp" add -A && g -C "$mp" commit -q -m modes
printf 'b\n' >>"$mp/src/lib/a.txt" && printf 'lock\n' >"$mp/yarn.lock"
for how in bundle packs; do
	extra=''
	[ "$how" = packs ] && extra=--git-packs
	check "full-umask-setup-$how" env -u PGDATABASE -u PGHOST "$LB_BIN" full -C "$mp" -o "$work/modeout-$how" --archive-only $extra
	rest=$work/moderest-$how
	check "full-restore-umask000-$how" bash -c 'umask 000 && exec "$@"' _ "$LB_BIN" restore \
		"$(ls "$work/modeout-$how"/*.tar.gz | head -n 1)" --to "$rest" --with-uncommitted
	loose=$(find "$rest" ! -type l -perm /022 -printf '%m %p\n' | head -n 10)
	[ -d "$rest/.git" ] && [ -z "$loose" ] && pass "full-restore-not-group-writable-$how" ||
		fail "full-restore-not-group-writable-$how" "$loose"
	[ -f "$rest/run.sh" ] && [ -x "$rest/run.sh" ] && pass "full-restore-keeps-exec-$how" ||
		fail "full-restore-keeps-exec-$how" "$(stat -c '%a %n' "$rest/run.sh" 2>&1)"
	cmp -s "$mp/src/lib/a.txt" "$rest/src/lib/a.txt" && cmp -s "$mp/yarn.lock" "$rest/yarn.lock" &&
		pass "full-restore-umask-content-$how" || fail "full-restore-umask-content-$how" "files differ"
done

# Options and failures.
check full-archive-only "$LB_BIN" full -C "$proj" --archive-only -o "$work/ao"
[ -z "$(ls -d "$work"/ao/full-backup-* 2>/dev/null)" ] && [ -n "$(ls "$work"/ao/*.tar.gz)" ] && pass full-archive-only-no-dir || fail full-archive-only-no-dir "$(ls "$work/ao")"
check full-dir-only "$LB_BIN" full -C "$proj" --dir-only -o "$work/do"
[ -z "$(ls "$work"/do/*.tar.gz 2>/dev/null)" ] && pass full-dir-only-no-archive || fail full-dir-only-no-archive "$(ls "$work/do")"
mkdir -p "$work/plain" && printf '{}\n' >"$work/plain/package.json"
check_exit full-not-a-repo 1 env -u DATABASE_URL "$LB_BIN" full -C "$work/plain" -o "$work/np"
grep -q 'not in a git repository.*--no-git' <<<"$LB_LAST_OUTPUT" && pass full-not-a-repo-message || fail full-not-a-repo-message "$LB_LAST_OUTPUT"
[ -z "$(ls -A "$work/np" 2>/dev/null | grep -vxE '\.lotbackup\.lock|\.gitignore')" ] && pass full-failure-publishes-nothing || fail full-failure-publishes-nothing "$(ls -A "$work/np" | grep -vxE '\.lotbackup\.lock|\.gitignore')"
check full-no-git env -u PGDATABASE -u PGHOST "$LB_BIN" full -C "$work/plain" -o "$work/ng" --no-git
grep -q '"included": false' "$(ls -d "$work"/ng/full-backup-*/ | head -n 1)MANIFEST.json" && pass full-without-db-says-so || fail full-without-db-says-so "manifest"
check_exit full-require-db 1 env -u PGDATABASE -u PGHOST "$LB_BIN" full -C "$work/plain" -o "$work/rd" --no-git --require-db
# A repository with a missing object: named, and a failure unless --allow-broken-git.
g clone -q --no-local "$proj" "$work/broken" 2>/dev/null
mkdir -p "$work/packs" && mv "$work"/broken/.git/objects/pack/pack-* "$work/packs/"
for p in "$work"/packs/*.pack; do git -C "$work/broken" unpack-objects -q <"$p"; done
blob=$(git -C "$work/broken" rev-parse 'origin/feature:feature.txt')
rm -f "$work/broken/.git/objects/${blob:0:2}/${blob:2}"
check_exit full-missing-object 1 env -u PGDATABASE -u PGHOST "$LB_BIN" full -C "$work/broken" -o "$work/bro"
grep -q "$blob" <<<"$LB_LAST_OUTPUT" && pass full-missing-object-named || fail full-missing-object-named "$LB_LAST_OUTPUT"
[ -z "$(ls -A "$work/bro" 2>/dev/null | grep -vxE '\.lotbackup\.lock|\.gitignore')" ] && pass full-missing-object-publishes-nothing || fail full-missing-object-publishes-nothing "$(ls -A "$work/bro" | grep -vxE '\.lotbackup\.lock|\.gitignore')"
check full-allow-broken-git env -u PGDATABASE -u PGHOST "$LB_BIN" full -C "$work/broken" -o "$work/bro2" --allow-broken-git

# An unreadable file is named (as a user that cannot read it; root reads everything).
if runuser -u nobody -- true 2>/dev/null; then
	cp -r "$work/plain" "$work/unread" && printf 'x\n' >"$work/unread/yarn.lock" && chmod 000 "$work/unread/yarn.lock"
	chmod 755 "$work" "$work/unread" && mkdir -p "$work/unread-out" && chown nobody "$work/unread-out"
	check_exit full-unreadable-file 1 runuser -u nobody -- env -u PGDATABASE -u PGHOST "$LB_BIN" full -C "$work/unread" -o "$work/unread-out" --no-git
	grep -q 'unread/yarn.lock' <<<"$LB_LAST_OUTPUT" && pass full-unreadable-file-named || fail full-unreadable-file-named "$LB_LAST_OUTPUT"
else
	skip full-unreadable-file "runuser unavailable"
fi

# The database fails: the whole full backup fails and nothing is published.
check_exit full-db-failure 1 env DATABASE_URL="dbname=lb_no_such_db" "$LB_BIN" full -C "$work/plain" -o "$work/dbf" --no-git
[ -z "$(ls -A "$work/dbf" 2>/dev/null | grep -vxE '\.lotbackup\.lock|\.gitignore')" ] && pass full-db-failure-publishes-nothing || fail full-db-failure-publishes-nothing "$(ls -A "$work/dbf" | grep -vxE '\.lotbackup\.lock|\.gitignore')"
finish
