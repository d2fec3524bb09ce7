#!/usr/bin/env bash
# Every "line N" restore names is the line of the decompressed dump
# (gunzip -c FILE | sed -n Np), also when the dump is read by its member
# index: tables side by side and in parts, the part after the tables read
# apart (its index builds early or in the file's order), a later part
# read from its own member, and restore --table's one table.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
src=$(new_db lb_lines_src) || { fail lines-setup createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "
  CREATE TABLE big (id int PRIMARY KEY, pad text);
  INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 30000) g;
  CREATE INDEX big_pad_idx ON big (pad);
  CREATE TABLE small (n int); INSERT INTO small SELECT generate_series(1, 500);
  CREATE INDEX small_n_idx ON small (n)" || finish
check lines-dump "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" --keep 0 || finish
dump=$(ls "$work"/out/lot-systems-db-*.sql.gz)
# line_is NAME N TEXT: line N of the dump starts with TEXT.
line_is() {
	local got
	got=$(gunzip -c "$dump" | sed -n "${2}p")
	[ -n "$2" ] && [ "${got#"$3"}" != "$got" ] && pass "$1" || fail "$1" "line ${2:-?} is '${got:0:60}', not '$3'"$'\n'"$LB_LAST_OUTPUT"
}
# A target where the two index names are taken: their builds fail.
taken() { new_db lb_lines_dst >/dev/null && psql -X -q -d lb_lines_dst -c "CREATE SEQUENCE small_n_idx; CREATE SEQUENCE big_pad_idx"; }
restore=("$LB_BIN" restore --jobs 4 --split-tables-larger-than 1 "$dump" -d dbname=lb_lines_dst)

taken
check_exit lines-keep-going 1 "${restore[@]}" --keep-going
line_is lines-keep-going-small "$(sed -n 's/.*restore failed at line \([0-9]*\) (CREATE INDEX small_n_idx.*/\1/p' <<<"$LB_LAST_OUTPUT")" 'CREATE INDEX small_n_idx'
line_is lines-keep-going-big-early "$(sed -n 's/.*restore failed at line \([0-9]*\) (CREATE INDEX big_pad_idx.*/\1/p' <<<"$LB_LAST_OUTPUT")" 'CREATE INDEX big_pad_idx'

taken
check_exit lines-stop 1 "${restore[@]}"
line_is lines-stopped-at "$(sed -n 's/.*the load stopped at line \([0-9]*\) after.*/\1/p' <<<"$LB_LAST_OUTPUT")" 'CREATE INDEX '

# A row of a later part refused (a check the target adds to big as the dump creates it).
new_db lb_lines_dst >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d lb_lines_dst <<'SQL' || fail lines-setup-trigger
CREATE FUNCTION lb_lines_check() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() WHERE object_identity = 'public.big' AND command_tag = 'CREATE TABLE') THEN
		EXECUTE 'ALTER TABLE public.big ADD CHECK (id <> 25000)';
	END IF;
END $$;
CREATE EVENT TRIGGER lb_lines_check ON ddl_command_end EXECUTE FUNCTION lb_lines_check();
SQL
check_exit lines-part 1 "${restore[@]}"
line_is lines-part-copy "$(sed -n 's/.*restore failed loading table public.big (COPY at line \([0-9]*\)).*/\1/p' <<<"$LB_LAST_OUTPUT")" 'COPY public.big '
line_is lines-part-stopped-at "$(sed -n 's/.*the load stopped at line \([0-9]*\) after.*/\1/p' <<<"$LB_LAST_OUTPUT")" 'COPY public.big '
psql -X -q -d lb_lines_dst -c "DROP EVENT TRIGGER lb_lines_check" 2>/dev/null

# restore --table reads the table's own members only.
new_db lb_lines_dst >/dev/null
psql -X -q -d lb_lines_dst -c "CREATE TABLE small (n int UNIQUE); INSERT INTO small VALUES (7)"
check_exit lines-table 1 "$LB_BIN" restore "$dump" -d dbname=lb_lines_dst --table small --data-only --append
line_is lines-table-copy "$(sed -n 's/.*restore failed loading table public.small (COPY at line \([0-9]*\)).*/\1/p' <<<"$LB_LAST_OUTPUT")" 'COPY public.small '
dropdb --if-exists lb_lines_dst

# verify --restore loads the same way: a policy after the tables for a role gone since the dump.
drop_role() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS lb_lines_pol" -c "DROP ROLE IF EXISTS lb_lines_gone" >/dev/null 2>&1; }
at_exit drop_role
pol=$(new_db lb_lines_pol) && psql -X -q -v ON_ERROR_STOP=1 -d "$pol" -c "CREATE ROLE lb_lines_gone" \
	-c "CREATE TABLE a AS SELECT generate_series(1, 3000) AS n" -c "CREATE TABLE b AS SELECT generate_series(1, 20) AS n" \
	-c "CREATE POLICY p ON a TO lb_lines_gone USING (true)" || fail lines-setup-policy
check lines-policy-dump "$LB_BIN" db -q -d "dbname=$pol" -o "$work/pol" --keep 0
dump=$(ls "$work"/pol/lot-systems-db-*.sql.gz)
psql -X -q -d "$pol" -c "DROP POLICY p ON a" -c "DROP ROLE lb_lines_gone"
check_exit lines-verify-restore 3 "$LB_BIN" verify --restore --jobs 4 "$dump" -d dbname=postgres
line_is lines-verify-restore-failed-at "$(sed -n 's/.*restore failed at line \([0-9]*\) (CREATE POLICY.*/\1/p' <<<"$LB_LAST_OUTPUT")" 'CREATE POLICY p '
line_is lines-verify-restore-load-failed-at "$(sed -n 's/.*the load into .* failed at line \([0-9]*\) .*/\1/p' <<<"$LB_LAST_OUTPUT" | head -n 1)" 'CREATE POLICY p '
finish
