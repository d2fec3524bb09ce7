#!/usr/bin/env bash
# Encrypted full backups (issue #16): full --encrypt writes only
# NAME.tar.gz.enc (no plaintext directory), its sidecar names the key's
# fingerprint; list, verify (--all), status, pin, prune and restore --to
# handle it through the key; the restored tree and database equal the
# originals; the file holds no plaintext; a wrong key, a changed, cut,
# appended or reordered file: exit 3 and restore --to writes nothing.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
g() { git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main "$@"; }
says() { # says NAME PATTERN: the last command's output matches
	if grep -q -- "$2" <<<"$LB_LAST_OUTPUT"; then pass "$1"; else fail "$1" "no '$2' in: $LB_LAST_OUTPUT"; fi
}
dropdb_q() { PGOPTIONS='-c client_min_messages=warning' dropdb --if-exists --force "$1"; }

src=$(new_db lb_fenc_src) || { fail full-encrypt-setup createdb; finish; }
# A known row value, and enough rows for many chunks.
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "CREATE TABLE public.marked (id int PRIMARY KEY, v text);
	INSERT INTO public.marked SELECT g, 'rowvalue-marker-' || g FROM generate_series(1, 200000) g" ||
	{ fail full-encrypt-fixture "marked table"; finish; }
work=$(tmpdir)
proj=$work/app
mkdir -p "$proj/src" && g init -q "$proj" || finish
printf '{ "name": "app", "description": "sourceline-marker-in-package-json" }\n' >"$proj/package.json"
printf 'export const x = 1;\n' >"$proj/src/app.js"
printf '.env\n' >"$proj/.gitignore"
g -C "$proj" add -A && g -C "$proj" commit -q -m first
# An uncommitted change: it travels in git/uncommitted.patch.
printf 'const secretish = "sourceline-marker-uncommitted";\n' >>"$proj/src/app.js"

key=$work/lotbackup.key
check full-encrypt-keygen "$LB_BIN" keygen "$key" || finish
fp=$(sed -n 's/.*new key, fingerprint \([0-9a-f]\{16\}\)$/\1/p' <<<"$LB_LAST_OUTPUT")

# Refusals before anything is written: no key; --dir-only (plaintext only).
check_exit full-encrypt-needs-a-key 1 env -u LOTBACKUP_KEY_FILE -u LOTBACKUP_PASSPHRASE "$LB_BIN" full --encrypt \
	-C "$proj" -d "dbname=$src" -o "$work/nokey"
says full-encrypt-needs-a-key-says-how "needs a key: LOTBACKUP_KEY_FILE"
[ -z "$(ls -A "$work/nokey" 2>/dev/null)" ] && pass full-encrypt-needs-a-key-writes-nothing ||
	fail full-encrypt-needs-a-key-writes-nothing "$(ls -A "$work/nokey")"
check_exit full-encrypt-refuses-dir-only 2 "$LB_BIN" full --encrypt --dir-only --key-file "$key" -C "$proj" -d "dbname=$src" -o "$work/do"

# The plain archive, for the proof that the markers are there to find.
check full-encrypt-plain "$LB_BIN" full -q --archive-only -C "$proj" -d "dbname=$src" -o "$work/plain" || finish
plain=$(ls "$work"/plain/lot-systems-full-backup-*.tar.gz)
out=$work/out
check full-encrypt-runs "$LB_BIN" full -q --encrypt --key-file "$key" -C "$proj" -d "dbname=$src" -o "$out" || finish
enc=$(ls "$out"/lot-systems-full-backup-*.tar.gz.enc 2>/dev/null | head -n 1)
[ -n "$enc" ] && [ "$(stat -c %a "$enc")" = 600 ] && pass full-encrypt-writes-enc-0600 ||
	{ fail full-encrypt-writes-enc-0600 "$(ls -l "$out")"; finish; }
# The archive, its manifest and full's own verification record of it.
left=$(ls -A "$out" | grep -v -e '^\.lotbackup\.lock$' -e '^\.gitignore$' -e "^$(basename "$enc")\(\.manifest\.json\|\.verified\.json\)\?$")
[ -z "$left" ] && pass full-encrypt-only-the-archive || fail full-encrypt-only-the-archive "also written: $left"
[ "$(head -c 8 "$enc")" = LOTBKENC ] && pass full-encrypt-header || fail full-encrypt-header "$(head -c 8 "$enc" | od -c)"

# No plaintext: not in the bytes, not behind gzip; the same markers are in the plain archive.
leaks=''
for s in rowvalue-marker-4242 sourceline-marker-in-package-json sourceline-marker-uncommitted; do
	grep -aq -- "$s" "$enc" && leaks="$leaks raw:$s"
	gunzip -c "$enc" 2>/dev/null | grep -aq -- "$s" && leaks="$leaks gunzip:$s"
done
found=0
gunzip -c "$plain" | grep -aq sourceline-marker-in-package-json && gunzip -c "$plain" | grep -aq sourceline-marker-uncommitted &&
	tar xzf "$plain" -O --wildcards '*/db/*.sql.gz' | gunzip -c | grep -aq rowvalue-marker-4242 && found=1
if [ -n "$leaks" ]; then
	fail full-encrypt-no-plaintext "readable in $enc:$leaks"
elif [ "$found" = 1 ]; then
	pass full-encrypt-no-plaintext
else
	fail full-encrypt-no-plaintext "the markers are not in the plain archive either: the check proves nothing"
fi

# The sidecar: the stored file's size and hash, the key's kind and fingerprint, never the key.
man=$enc.manifest.json
if python3 -c 'import json,sys,hashlib,os; m=json.load(open(sys.argv[1])); e=m["encryption"]
assert e["key"] == "key-file" and e["key_fingerprint"] == sys.argv[3], e
assert m["bytes"] == os.path.getsize(sys.argv[2]) and m["sha256"] == hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
assert sys.argv[4] not in open(sys.argv[1]).read()' "$man" "$enc" "$fp" "$(sed -n 's/^lotbackup-key-v1 //p' "$key")"; then
	pass full-encrypt-manifest-fingerprint
else
	fail full-encrypt-manifest-fingerprint "$(head -c 600 "$man")"
fi

# list, verify, verify --all, status, pin through the key.
export LOTBACKUP_KEY_FILE=$key
check full-encrypt-list "$LB_BIN" list -o "$out"
says full-encrypt-list-shows-it "$(basename "$enc")"
check full-encrypt-verify "$LB_BIN" verify "$enc"
says full-encrypt-verify-tree "ok   tree"
says full-encrypt-verify-decrypt "ok   decrypt"
[ -f "$enc.verified.json" ] && pass full-encrypt-verify-record || fail full-encrypt-verify-record "$(ls "$out")"
check full-encrypt-verify-all "$LB_BIN" verify --all -o "$out"
says full-encrypt-verify-all-reads-it "$(basename "$enc"): ok"
check full-encrypt-status "$LB_BIN" status -o "$out" --kind full --max-age 1h
says full-encrypt-status-names-it "$(basename "$enc")"
check full-encrypt-pin "$LB_BIN" pin "$enc" --reason "release"
[ -f "$enc.pin.json" ] && pass full-encrypt-pin-record || fail full-encrypt-pin-record "$(ls "$out")"
check full-encrypt-unpin "$LB_BIN" unpin "$enc"

# restore --to: the project tree and the database as they were.
dropdb_q lb_fenc_dst
check full-encrypt-restore "$LB_BIN" restore "$enc" --to "$work/restored" --with-uncommitted -d dbname=lb_fenc_dst --create
d=$(diff -r -x .git -x .env "$proj" "$work/restored" 2>&1)
[ -z "$d" ] && [ "$(git -C "$work/restored" rev-parse HEAD 2>/dev/null)" = "$(git -C "$proj" rev-parse HEAD)" ] &&
	pass full-encrypt-restore-tree-identical || fail full-encrypt-restore-tree-identical "$d"
if d=$(compare_databases "$src" lb_fenc_dst 2>&1); then pass full-encrypt-restore-database-identical; else
	fail full-encrypt-restore-database-identical "$(head -n 20 <<<"$d")"; fi

# A wrong key, or none: exit 3 naming the key, nothing written.
check full-encrypt-keygen-other "$LB_BIN" keygen "$work/other.key"
check_exit full-encrypt-verify-wrong-key 3 "$LB_BIN" verify --key-file "$work/other.key" "$enc"
says full-encrypt-verify-wrong-key-names-it "wrong key: the file wants key fingerprint $fp"
check_exit full-encrypt-restore-wrong-key 3 "$LB_BIN" restore --key-file "$work/other.key" "$enc" --to "$work/wk"
[ ! -e "$work/wk" ] && [ ! -e "$work/wk.lotbackup-extract" ] && pass full-encrypt-restore-wrong-key-writes-nothing ||
	fail full-encrypt-restore-wrong-key-writes-nothing "$(ls -la "$work/wk" "$work/wk.lotbackup-extract" 2>&1)"
check_exit full-encrypt-verify-no-key 3 env -u LOTBACKUP_KEY_FILE "$LB_BIN" verify "$enc"
says full-encrypt-verify-no-key-says-how "no key was given: set LOTBACKUP_KEY_FILE"

# Damage: a flipped byte, a cut, bytes appended, a chunk dropped, two swapped. The
# sidecar is rewritten to match the damaged file (a hostile one would), so
# only the decryption can find it.
size=$(stat -c %s "$enc")
chunk=$((65536 + 17))
[ "$size" -gt $((76 + 4 * chunk)) ] && pass full-encrypt-several-chunks || fail full-encrypt-several-chunks "$size bytes"
for damage in flip cut append drop reorder; do
	bad=$work/$damage/$(basename "$enc")
	mkdir -p "$work/$damage" && cp "$enc" "$bad"
	case $damage in
	flip) flip_byte "$bad" $((size / 2)) ;;
	cut) truncate -s $((76 + 3 * chunk)) "$bad" ;;
	append) printf 'more' >>"$bad" ;;
	drop) { head -c $((76 + chunk)) "$enc" && tail -c +$((76 + 2 * chunk + 1)) "$enc"; } >"$bad" ;;
	reorder)
		dd if="$enc" of="$bad" bs=1 skip=$((76 + 1 * chunk)) seek=$((76 + 2 * chunk)) count=$chunk conv=notrunc status=none
		dd if="$enc" of="$bad" bs=1 skip=$((76 + 2 * chunk)) seek=$((76 + 1 * chunk)) count=$chunk conv=notrunc status=none ;;
	esac
	python3 -c 'import json,sys,hashlib,os; p=sys.argv[1]; m=json.load(open(sys.argv[2]))
m["bytes"]=os.path.getsize(p); m["sha256"]=hashlib.sha256(open(p,"rb").read()).hexdigest()
json.dump(m, open(p + ".manifest.json", "w"))' "$bad" "$man"
	check_exit "full-encrypt-verify-$damage" 3 "$LB_BIN" verify "$bad"
	case $damage in
	flip | drop | reorder) says "full-encrypt-verify-$damage-says-it" "check decrypt failed: .*chunk [0-9]* (at byte [0-9]*) fails authentication" ;;
	cut) says "full-encrypt-verify-$damage-says-it" "check decrypt failed: .*cut short: no final chunk after 3 chunks" ;;
	append) says "full-encrypt-verify-$damage-says-it" "check decrypt failed: .*appended to" ;;
	esac
	n=$(grep -c 'check .* failed' <<<"$LB_LAST_OUTPUT")
	[ "$n" = 1 ] && pass "full-encrypt-verify-$damage-one-line" || fail "full-encrypt-verify-$damage-one-line" "$n lines: $LB_LAST_OUTPUT"
	check_exit "full-encrypt-restore-$damage" 3 "$LB_BIN" restore "$bad" --to "$work/r-$damage"
	[ ! -e "$work/r-$damage" ] && [ ! -e "$work/r-$damage.lotbackup-extract" ] && pass "full-encrypt-restore-$damage-writes-nothing" ||
		fail "full-encrypt-restore-$damage-writes-nothing" "$(ls -la "$work/r-$damage" 2>&1)"
done

# prune: old encrypted archives go with their sidecars, the newest stays.
for stamp in 20200101_000000 20200102_000000; do
	cp "$enc" "$out/lot-systems-full-backup-$stamp.tar.gz.enc"
	cp "$man" "$out/lot-systems-full-backup-$stamp.tar.gz.enc.manifest.json"
done
check full-encrypt-prune "$LB_BIN" prune --force -o "$out" --kind full --keep-daily 1 --keep-weekly 0 --keep-monthly 0
[ ! -e "$out/lot-systems-full-backup-20200101_000000.tar.gz.enc" ] && [ ! -e "$out/lot-systems-full-backup-20200101_000000.tar.gz.enc.manifest.json" ] &&
	[ ! -e "$out/lot-systems-full-backup-20200102_000000.tar.gz.enc" ] && [ -f "$enc" ] && [ -f "$man" ] &&
	pass full-encrypt-prune-old-only || fail full-encrypt-prune-old-only "$(ls "$out")"
unset LOTBACKUP_KEY_FILE

# LOTBACKUP_ENCRYPT=1 and the passphrase from .env apply to full too.
printf 'LOTBACKUP_PASSPHRASE=correct horse battery staple\nLOTBACKUP_ENCRYPT=1\n' >"$proj/.env"
check full-encrypt-env "$LB_BIN" full -q -C "$proj" -d "dbname=$src" -o "$work/pp"
penc=$(ls "$work"/pp/lot-systems-full-backup-*.tar.gz.enc 2>/dev/null | head -n 1)
[ -n "$penc" ] && grep -q '"key": "passphrase"' "$penc.manifest.json" && [ -z "$(ls -d "$work"/pp/full-backup-* 2>/dev/null)" ] &&
	pass full-encrypt-env-passphrase || fail full-encrypt-env-passphrase "$(ls "$work/pp")"
check full-encrypt-env-verify "$LB_BIN" verify -C "$proj" "$penc"
check_exit full-encrypt-wrong-passphrase 3 env LOTBACKUP_PASSPHRASE='correct horse battery stapler' "$LB_BIN" verify "$penc"
says full-encrypt-wrong-passphrase-says-so "(wrong passphrase)"

dropdb_q lb_fenc_dst
dropdb_q lb_fenc_src
finish
