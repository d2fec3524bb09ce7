#!/usr/bin/env bash
# verify --restore loads as a role of its own, which may not create what
# only a superuser may (a procedural language and its C handler, a base
# type and its C functions, an event trigger, a foreign-data wrapper and
# its server, a publication FOR ALL TABLES). When the connecting user is a
# superuser and the file is vouched for (--trusted), those statements, and those naming what they made, run as that
# user on its own connection (the one that runs CREATE EXTENSION): the
# check passes with nothing left out. When it is not, each one is left out
# and named in a warning (with the statements naming what they would have
# made: a table of a left-out type, its COPY), and the check passes on the
# rest, instead of failing (exit 3) at the first of them. An operator on
# the base type goes apart too, but its schema does not: the serial
# table su.counted and its sequence stay the role's. An index is named
# with its table's schema: the ALTER INDEX attaching a left-out
# partitioned table's index is left out with it, and what merely says
# UNIQUE or INDEX is not; a policy of a left-out table is left out, one
# of the same name on another table is not.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

work=$(tmpdir)
src=$(new_db lb_vsu_src) || { fail vsu-setup "cannot create databases"; finish; }
check vsu-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -c "
CREATE SCHEMA su;
CREATE FUNCTION su.pl_call() RETURNS language_handler LANGUAGE c AS 'plpgsql', 'plpgsql_call_handler';
CREATE LANGUAGE su_pl HANDLER su.pl_call;
CREATE TYPE su.word;
CREATE FUNCTION su.word_in(cstring) RETURNS su.word LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION su.word_out(su.word) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
CREATE TYPE su.word (INPUT = su.word_in, OUTPUT = su.word_out, LIKE = text);
COMMENT ON TYPE su.word IS 'a base type';
CREATE FUNCTION su.word_eq(su.word, su.word) RETURNS boolean LANGUAGE internal IMMUTABLE STRICT AS 'texteq';
CREATE OPERATOR su.= (FUNCTION = su.word_eq, LEFTARG = su.word, RIGHTARG = su.word);
CREATE FUNCTION su.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END';
CREATE EVENT TRIGGER su_ddl ON ddl_command_end EXECUTE FUNCTION su.on_ddl();
ALTER EVENT TRIGGER su_ddl DISABLE;
CREATE FOREIGN DATA WRAPPER su_fdw;
CREATE SERVER su_srv FOREIGN DATA WRAPPER su_fdw;
CREATE PUBLICATION su_all FOR ALL TABLES;
CREATE TABLE su.plain (id int PRIMARY KEY, note text);
INSERT INTO su.plain SELECT g, 'row ' || g FROM generate_series(1, 100) g;
CREATE TABLE su.counted (id serial PRIMARY KEY, note text);
INSERT INTO su.counted (note) SELECT 'row ' || g FROM generate_series(1, 10) g;
CREATE TABLE su.wparted (id int, w su.word) PARTITION BY RANGE (id);
CREATE TABLE su.wpart1 PARTITION OF su.wparted FOR VALUES FROM (0) TO (100);
CREATE UNIQUE INDEX ON su.wparted (id);
CREATE UNIQUE INDEX zz_counted_note ON su.counted (note);
CREATE TABLE su.worded (id int, w su.word);
INSERT INTO su.worded VALUES (1, 'one'), (2, 'two');
CREATE POLICY pol ON su.worded USING (w IS NOT NULL);
CREATE TABLE su.zz (id int);
CREATE POLICY pol ON su.zz USING (id > 0);" 2>/dev/null || finish
check vsu-db "$LB_BIN" db -q -d "dbname=$src" -o "$work/out" || finish
file=$(ls "$work"/out/*.sql.gz)

# As the superuser the suite connects as, the file vouched for: everything runs, nothing is left out.
if check_exit vsu-superuser 0 "$LB_BIN" verify --restore --trusted "$file"; then
	if printf '%s\n' "$LB_LAST_OUTPUT" | grep -q 'leaves out'; then
		fail vsu-superuser-nothing-left-out "$(printf '%s\n' "$LB_LAST_OUTPUT" | grep 'leaves out')"
	else
		pass vsu-superuser-nothing-left-out
	fi
	# The table of the base type was made as the superuser, handed to the role, its rows checked.
	if printf '%s\n' "$LB_LAST_OUTPUT" | grep -q 'content .*5 tables: rows and content as recorded at dump time$'; then
		pass vsu-superuser-content
	else
		fail vsu-superuser-content "$(printf '%s\n' "$LB_LAST_OUTPUT" | grep -E 'content|restore' | head -3)"
	fi
fi

# As a user who may create roles and databases, but is no superuser.
drop_admin() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -d postgres -c 'DROP ROLE IF EXISTS lb_vsu_admin'; }
drop_admin && psql -X -q -d postgres -c "CREATE ROLE lb_vsu_admin LOGIN CREATEDB CREATEROLE" ||
	{ fail vsu-role "cannot create lb_vsu_admin"; finish; }
at_exit drop_admin
if check_exit vsu-not-superuser 0 env PGUSER=lb_vsu_admin "$LB_BIN" verify --restore "$file"; then
	printf '%s\n' "$LB_LAST_OUTPUT" | grep 'leaves out' >"$work/left"
	missing=
	if grep -E 'su\.(counted|plain|zz)' "$work/left"; then
		fail vsu-not-superuser-only-those "$(grep -E 'su\.(counted|plain|zz)' "$work/left")"
	else
		pass vsu-not-superuser-only-those
	fi
	for want in 'FUNCTION su.pl_call' 'CREATE PROCEDURAL LANGUAGE su_pl' 'CREATE TYPE su.word;' \
		'FUNCTION su.word_in' 'CREATE TYPE su.word (' 'COMMENT ON TYPE su.word' \
		'CREATE EVENT TRIGGER su_ddl' 'CREATE FOREIGN DATA WRAPPER su_fdw' 'CREATE SERVER su_srv' \
		'CREATE PUBLICATION su_all FOR ALL TABLES' 'CREATE TABLE su.worded' 'COPY su.worded' \
		'ALTER INDEX su.wparted_id_idx ATTACH PARTITION' 'CREATE POLICY pol ON su.worded'; do
		grep -qF -- "$want" "$work/left" || missing="$missing [$want]"
	done
	if [ -z "$missing" ]; then
		pass vsu-not-superuser-names-each
	else
		fail vsu-not-superuser-names-each "not named:$missing"$'\n'"$(cat "$work/left")"
	fi
	# su.worded, of the base type left out, is left out with its rows: not judged.
	if printf '%s\n' "$LB_LAST_OUTPUT" | grep -q 'content .*3 tables: rows and content as recorded at dump time (others left out'; then
		pass vsu-not-superuser-content
	else
		fail vsu-not-superuser-content "$(printf '%s\n' "$LB_LAST_OUTPUT" | grep -E 'content|restore' | head -3)"
	fi
fi
finish
