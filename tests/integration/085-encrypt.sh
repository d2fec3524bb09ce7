#!/usr/bin/env bash
# Encrypted dumps (issue #16): keygen, db --encrypt with a key file and with
# a passphrase, then list, verify, verify --restore and restore through the
# key, giving the same database as a plain dump; the file holds no
# plaintext; a wrong or missing key, a changed or cut file: exit 3, nothing
# restored.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"

src=$(new_db lb_enc_src) || { fail encrypt-setup createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$LB_TOP/tests/fixtures/hostile.sql" >/dev/null 2>&1 ||
	{ fail encrypt-fixture "hostile.sql did not load"; finish; }
# A known row value to look for, and enough rows for many chunks.
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "CREATE TABLE public.marked (id int PRIMARY KEY, v text);
	INSERT INTO public.marked SELECT g, 'plaintext-marker-' || g FROM generate_series(1, 200000) g" ||
	{ fail encrypt-fixture "marked table"; finish; }
work=$(tmpdir)
dropdb_q() { PGOPTIONS='-c client_min_messages=warning' dropdb --if-exists --force "$1"; }
db_exists() { [ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$1'")" = 1 ]; }
same() { # same NAME A B
	local d
	if d=$(compare_databases "$2" "$3" 2>&1); then pass "$1"; else fail "$1" "$(printf '%s\n' "$d" | head -n 30)"; fi
}
says() { # says NAME PATTERN: the last command's output matches
	if grep -q -- "$2" <<<"$LB_LAST_OUTPUT"; then pass "$1"; else fail "$1" "no '$2' in: $LB_LAST_OUTPUT"; fi
}

# keygen: a new key, mode 0600, its fingerprint printed; never over a file.
key=$work/lotbackup.key
check encrypt-keygen "$LB_BIN" keygen "$key"
fp=$(sed -n 's/.*new key, fingerprint \([0-9a-f]\{16\}\)$/\1/p' <<<"$LB_LAST_OUTPUT")
[ -n "$fp" ] && pass encrypt-keygen-prints-fingerprint || fail encrypt-keygen-prints-fingerprint "$LB_LAST_OUTPUT"
[ "$(stat -c %a "$key")" = 600 ] && pass encrypt-keygen-mode-0600 || fail encrypt-keygen-mode-0600 "$(stat -c %a "$key")"
sum=$(md5sum <"$key")
check_exit encrypt-keygen-never-overwrites 1 "$LB_BIN" keygen "$key"
says encrypt-keygen-refusal-says-why "exists: keygen never overwrites"
[ "$(md5sum <"$key")" = "$sum" ] && pass encrypt-keygen-key-unchanged || fail encrypt-keygen-key-unchanged "the key file changed"
check_exit encrypt-no-passphrase-flag 2 "$LB_BIN" db --passphrase secret -d "dbname=$src" -o "$work/x"

# --encrypt without a key: refused before anything is written.
check_exit encrypt-needs-a-key 1 env -u LOTBACKUP_KEY_FILE -u LOTBACKUP_PASSPHRASE "$LB_BIN" db --encrypt -d "dbname=$src" -o "$work/nokey"
says encrypt-needs-a-key-says-how "needs a key: LOTBACKUP_KEY_FILE"
[ -z "$(ls -A "$work/nokey" 2>/dev/null)" ] && pass encrypt-needs-a-key-writes-nothing || fail encrypt-needs-a-key-writes-nothing "$(ls "$work/nokey")"

# The plain dump, and the encrypted one with the key file.
out=$work/backups
check encrypt-plain-dump "$LB_BIN" db -q -d "dbname=$src" -o "$work/plain" || finish
plain=$(ls "$work/plain"/lot-systems-db-*.sql.gz)
check encrypt-db "env" LOTBACKUP_KEY_FILE="$key" "$LB_BIN" db -q --encrypt -d "dbname=$src" -o "$out" || finish
enc=$(ls "$out"/lot-systems-db-*.sql.gz.enc 2>/dev/null | head -n 1)
[ -n "$enc" ] && [ "$(stat -c %a "$enc")" = 600 ] && pass encrypt-db-writes-enc-0600 || { fail encrypt-db-writes-enc-0600 "$(ls -l "$out")"; finish; }
[ "$(head -c 8 "$enc")" = LOTBKENC ] && pass encrypt-db-header || fail encrypt-db-header "$(head -c 8 "$enc" | od -c)"
if grep -aq plaintext-marker "$enc" || zcat "$enc" 2>/dev/null | grep -aq plaintext-marker; then
	fail encrypt-no-plaintext "a row value is readable in $enc"
elif zcat "$plain" | grep -aq plaintext-marker-4242; then
	pass encrypt-no-plaintext
else
	fail encrypt-no-plaintext "the marker is not in the plain dump either: the check proves nothing"
fi
man=$enc.manifest.json
if python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); e=m["encryption"]; import hashlib, os
assert e["key"] == "key-file" and e["key_fingerprint"] == sys.argv[3], e
assert m["bytes"] == os.path.getsize(sys.argv[2]) and m["sha256"] == hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
assert sys.argv[4] not in open(sys.argv[1]).read()' "$man" "$enc" "$fp" "$(sed -n 's/^lotbackup-key-v1 //p' "$key")"; then
	pass encrypt-manifest-fingerprint-and-stored-file
else
	fail encrypt-manifest-fingerprint-and-stored-file "$(cat "$man" | head -c 600)"
fi

# list, verify and verify --restore through the key.
export LOTBACKUP_KEY_FILE=$key
check encrypt-list "$LB_BIN" list -o "$out"
says encrypt-list-shows-it "$(basename "$enc")"
check encrypt-verify "$LB_BIN" verify "$enc"
check encrypt-verify-all "$LB_BIN" verify --all -o "$out"
check encrypt-verify-restore "$LB_BIN" verify --restore -d "dbname=postgres" "$enc"

# restore: the same database as the plain dump gives.
dropdb_q lb_enc_a && dropdb_q lb_enc_p
check encrypt-restore "$LB_BIN" restore "$enc" -d dbname=lb_enc_a --create
check encrypt-restore-plain "$LB_BIN" restore "$plain" -d dbname=lb_enc_p --create
same encrypt-restore-identical-to-source "$src" lb_enc_a
same encrypt-restore-identical-to-plain lb_enc_p lb_enc_a

# A wrong key, or none: exit 3 naming the key the file wants, nothing restored.
check "encrypt-keygen-second" "$LB_BIN" keygen "$work/other.key"
check_exit encrypt-verify-wrong-key 3 "$LB_BIN" verify --key-file "$work/other.key" "$enc"
says encrypt-verify-wrong-key-names-it "wrong key: the file wants key fingerprint $fp"
n=$(grep -c 'check .* failed' <<<"$LB_LAST_OUTPUT")
[ "$n" = 1 ] && pass encrypt-verify-wrong-key-one-line || fail encrypt-verify-wrong-key-one-line "$n lines: $LB_LAST_OUTPUT"
dropdb_q lb_enc_w
check_exit encrypt-restore-wrong-key 3 "$LB_BIN" restore --key-file "$work/other.key" "$enc" -d dbname=lb_enc_w --create
says encrypt-restore-wrong-key-names-it "wrong key: the file wants key fingerprint $fp"
db_exists lb_enc_w && fail encrypt-restore-wrong-key-restores-nothing "lb_enc_w was created" ||
	pass encrypt-restore-wrong-key-restores-nothing
check_exit encrypt-verify-no-key 3 env -u LOTBACKUP_KEY_FILE "$LB_BIN" verify "$enc"
says encrypt-verify-no-key-says-how "no key was given: set LOTBACKUP_KEY_FILE"

# A changed, a cut, an extended file: exit 3 in one line, nothing restored;
# with its manifest, and without it (the decryption alone must find it).
size=$(stat -c %s "$enc")
for damage in flip cut append flip-nomanifest cut-nomanifest; do
	bad=$work/$damage/$(basename "$enc")
	mkdir -p "$work/$damage" && cp "$enc" "$bad"
	case $damage in *-nomanifest) ;; *) cp "$man" "$bad.manifest.json" ;; esac
	case $damage in
	flip*) flip_byte "$bad" $((size / 2)) ;;
	cut*) truncate -s $((76 + 3 * 65553)) "$bad" ;;
	append) printf 'more' >>"$bad" ;;
	esac
	check_exit "encrypt-verify-$damage" 3 "$LB_BIN" verify "$bad"
	case $damage in
	flip*) says "encrypt-verify-$damage-says-it" "check decrypt failed: chunk [0-9]* (at byte [0-9]*) fails authentication" ;;
	cut*) says "encrypt-verify-$damage-says-it" "check decrypt failed: cut short: no final chunk after 3 chunks" ;;
	append) says "encrypt-verify-$damage-says-it" "check decrypt failed: .*appended to" ;;
	esac
	n=$(grep -v 'check manifest failed' <<<"$LB_LAST_OUTPUT" | grep -c 'check .* failed')
	[ "$n" = 1 ] && pass "encrypt-verify-$damage-one-line" || fail "encrypt-verify-$damage-one-line" "$n lines: $LB_LAST_OUTPUT"
	dropdb_q lb_enc_d
	check_exit "encrypt-restore-$damage" 3 "$LB_BIN" restore "$bad" -d dbname=lb_enc_d --create
	db_exists lb_enc_d && fail "encrypt-restore-$damage-restores-nothing" "lb_enc_d was created" ||
		pass "encrypt-restore-$damage-restores-nothing"
done
unset LOTBACKUP_KEY_FILE

# The passphrase, from .env: LOTBACKUP_ENCRYPT=1 there too.
proj=$work/proj
mkdir -p "$proj" && printf 'LOTBACKUP_PASSPHRASE=correct horse battery staple\nLOTBACKUP_ENCRYPT=1\n' >"$proj/.env"
check encrypt-passphrase-db "$LB_BIN" db -q -C "$proj" -d "dbname=$src" -o "$work/pp"
penc=$(ls "$work/pp"/lot-systems-db-*.sql.gz.enc 2>/dev/null | head -n 1)
[ -n "$penc" ] && grep -q '"key": "passphrase"' "$penc.manifest.json" && pass encrypt-passphrase-manifest ||
	fail encrypt-passphrase-manifest "$(ls "$work/pp")"
grep -aq plaintext-marker "$penc" && fail encrypt-passphrase-no-plaintext "$penc" || pass encrypt-passphrase-no-plaintext
check encrypt-passphrase-verify "$LB_BIN" verify -C "$proj" "$penc"
dropdb_q lb_enc_pp
check encrypt-passphrase-restore env LOTBACKUP_PASSPHRASE='correct horse battery staple' "$LB_BIN" restore "$penc" -d dbname=lb_enc_pp --create
same encrypt-passphrase-restore-identical "$src" lb_enc_pp
dropdb_q lb_enc_pw
check_exit encrypt-wrong-passphrase 3 env LOTBACKUP_PASSPHRASE='correct horse battery stapler' "$LB_BIN" restore "$penc" -d dbname=lb_enc_pw --create
says encrypt-wrong-passphrase-says-so "(wrong passphrase)"
db_exists lb_enc_pw && fail encrypt-wrong-passphrase-restores-nothing "created" || pass encrypt-wrong-passphrase-restores-nothing
check_exit encrypt-key-file-and-passphrase 1 env LOTBACKUP_KEY_FILE="$key" "$LB_BIN" verify -C "$proj" "$penc"
says encrypt-key-file-and-passphrase-says-one "keep one"

for d in lb_enc_a lb_enc_p lb_enc_pp lb_enc_src; do dropdb_q "$d"; done
finish
