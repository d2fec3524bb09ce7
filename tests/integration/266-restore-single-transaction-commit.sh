#!/usr/bin/env bash
# restore --single-transaction left out the file's BEGIN and COMMIT only
# when written exactly "BEGIN;" or "COMMIT;", while the allow-list took any
# spelling: a forged "COMMIT ;" committed the clean and the load so far,
# and a later error then "rolled back" nothing although lotbackup said the
# database was as it was (found by an adversarial review). Now every
# spelling is left out, any other statement that would end the
# transaction is refused before anything runs, and a failed restore leaves
# the target exactly as it was. pg_dump's own BEGIN; and COMMIT; around
# large objects' data, in any spelling, still restore in one transaction.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/early-read.sh"

work=$(tmpdir)
src=$(early_db lb_stx_src 100 "
  SELECT lo_from_bytea(7001, 'large-object-7001'), lo_from_bytea(7002, decode(repeat('ab', 200000), 'hex'));") ||
	finish
check stx-setup-dump "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" || finish
GOOD=$(ls "$work"/out/lot-systems-db-*.sql.gz | head -n 1)

# The target: a table of its own, which --clean drops inside the transaction.
victim() {
	new_db lb_stx_victim >/dev/null &&
		psql -X -q -v ON_ERROR_STOP=1 -d lb_stx_victim -c "CREATE TABLE precious (id int PRIMARY KEY, secret text);
		  INSERT INTO precious VALUES (1, 'keep me'), (2, 'keep me too')"
}
state() { pg_dump -d lb_stx_victim | grep -v '^\\\(un\)\?restrict' | md5sum; }
victim || { fail stx-setup-victim psql; finish; }
before=$(state)

# restored NAME WANT SQL: the dump with SQL after its data, restored with
# --clean --single-transaction; it exits WANT and the target is as it was.
restored() {
	local f
	victim || { fail "stx-$1-setup" psql; return; }
	f=$(dump_with_tail "$GOOD" "$work/$1" "$3")
	check_exit "stx-$1-fails" "$2" "$LB_BIN" restore -d dbname=lb_stx_victim --clean --single-transaction \
		--no-safety-dump "$f"
	[ "$(state)" = "$before" ] && pass "stx-$1-unchanged" ||
		fail "stx-$1-unchanged" "$(psql -X -At -d lb_stx_victim -c '\dt public.*' 2>&1)"$'\n'"$LB_LAST_OUTPUT"
}

# COMMIT as the allow-list reads it, then a statement that fails.
fails="ALTER TABLE public.t ADD CONSTRAINT must_fail CHECK (id < 0);"
restored commit-space 1 "COMMIT ;
$fails"
restored commit-comment 1 "commit/**/;
$fails"
restored commit-newline 1 "CoMmIt
;
$fails"
restored commit-line-comment 1 "commit -- done
;
$fails"
restored commit-leading-comment 1 "/* done */ COMMIT;
$fails"
restored commit-tab-formfeed 1 $'\tCOMMIT\t\f;\n'"$fails"
restored begin-commit 1 "BEGIN /* x */ ;
commit
;
$fails"

# Any other statement that ends or changes the transaction: refused before anything runs.
for sql in "ROLLBACK;" "end;" "ABORT ;" "SAVEPOINT s;" "RELEASE SAVEPOINT s;" "ROLLBACK TO SAVEPOINT s;" \
	"COMMIT AND CHAIN;" "COMMIT PREPARED 'x';" "PREPARE TRANSACTION 'x';" "START TRANSACTION;" "commit work;" \
	"BEGIN ISOLATION LEVEL SERIALIZABLE;" "END TRANSACTION;"; do
	name=refused-$(printf '%s' "$sql" | tr 'A-Z' 'a-z' | sed 's/[^a-z]\{1,\}/-/g; s/-$//')
	restored "$name" 3 "$sql"
	grep -q 'check statements failed: line [0-9]*' <<<"$LB_LAST_OUTPUT" &&
		grep -q 'the target database was not touched' <<<"$LB_LAST_OUTPUT" &&
		pass "stx-$name-before-load" || fail "stx-$name-before-load" "$LB_LAST_OUTPUT"
done

# What a restore in one transaction must load: large objects with their data, t's rows.
describe() {
	psql -X -At -d "$1" -c "SELECT oid, md5(lo_get(oid)) FROM pg_largeobject_metadata ORDER BY oid;
	  SELECT count(*) FROM public.t"
}
want=$(describe "$src")

# loads NAME FILE: FILE restored with --single-transaction into a new database, all of it.
loads() {
	local d
	d=$(new_db "lb_stx_$1") || { fail "stx-$1-setup" createdb; return; }
	check "stx-$1-restores" "$LB_BIN" restore -q --single-transaction -d "dbname=$d" "$2" || return
	[ "$(describe "$d")" = "$want" ] && pass "stx-$1-whole" || fail "stx-$1-whole" "$(describe "$d")"
	# The file's BEGIN and COMMIT left out: the server never saw a second BEGIN nor an early COMMIT.
	! grep -q 'transaction in progress' <<<"$LB_LAST_OUTPUT" && pass "stx-$1-one-transaction" ||
		fail "stx-$1-one-transaction" "$LB_LAST_OUTPUT"
}

# lotbackup's dumps write no BEGIN or COMMIT: each large object's statement stands alone.
[ "$(gunzip -c "$GOOD" | grep -ciE '^(begin|commit)')" = 0 ] && pass stx-own-dump-no-transaction ||
	fail stx-own-dump-no-transaction "$(gunzip -c "$GOOD" | grep -iE '^(begin|commit)' | head -n 3)"
loads own-dump "$GOOD"

# pg_dump's plain format wraps large objects' data in BEGIN; ... COMMIT;, as is or spelled otherwise.
pg_dump -d "$src" -f "$work/plain.sql" || fail stx-setup-pg-dump pg_dump
[ "$(grep -c '^BEGIN;$' "$work/plain.sql")" -gt 0 ] && [ "$(grep -c '^COMMIT;$' "$work/plain.sql")" -gt 0 ] &&
	pass stx-pg-dump-has-transaction || fail stx-pg-dump-has-transaction "no BEGIN; or COMMIT; in pg_dump's file"
loads pg-dump "$work/plain.sql"
sed -e 's|^BEGIN;$|begin /* large objects */ ;|' -e 's|^COMMIT;$|CoMmIt -- done\n;|' "$work/plain.sql" \
	>"$work/respelled.sql"
loads pg-dump-respelled "$work/respelled.sql"

finish
