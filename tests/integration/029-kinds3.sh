#!/usr/bin/env bash
# The object kinds of extension-like schemas (issue #17, part 3;
# tests/fixtures/kinds3.sql): dumped by `lotbackup db`, loaded by
# `gunzip | psql` and by `lotbackup restore`, and each copy identical to
# the source by pg_dump --schema-only (and rows) and object by object
# through the server's deparsers (catalog-describe.sql). 023-majors.sh
# runs the same fixture on every major.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/compare.sh"
. "$LB_TOP/tests/lib/kinds.sh"

work=$(tmpdir)
src=$(new_db lb_k3_src) && dst=$(new_db lb_k3_dst) && rdst=$(new_db lb_k3_restore) ||
	{ fail kinds3-setup "cannot create databases"; finish; }
check kinds3-fixture psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$LB_TOP/tests/fixtures/kinds3.sql" || finish

kinds_roundtrip kinds3 "$src" "$dst" "$rdst" "$work" || finish
file=$kinds_file
# verify --restore loads as a role without privileges: the kinds only a
# superuser may create run as the connecting superuser with --trusted (039).
check_exit kinds3-verify-restore-superuser-objects 0 "$LB_BIN" verify -q --restore --trusted "$file"
# Default privileges name roles the load is not and apply to objects made
# after it: verify --restore passes them over, so such a dump verifies.
defacl=$(new_db lb_k3_defacl) &&
	psql -X -q -v ON_ERROR_STOP=1 -d "$defacl" -c "CREATE TABLE t (a integer); INSERT INTO t VALUES (1);
		ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
		ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC;" &&
	"$LB_BIN" db -q -d "dbname=$defacl" -o "$work/defacl" --owner --privileges ||
	fail kinds3-default-privileges "cannot make and dump a database with default privileges"
check_exit kinds3-verify-restore-default-privileges 0 "$LB_BIN" verify -q --restore "$work"/defacl/*.sql.gz

# An extension's configuration data (pg_extension_config_dump): the rows
# its condition selects and its sequence's position, as pg_dump dumps
# them; the extension's own rows come back with CREATE EXTENSION. The
# extension is installed into the server's extension directory for the
# test (the server has no other one with configuration tables).
extdir=$(pg_config --sharedir 2>/dev/null)/extension
if [ ! -w "$extdir" ]; then
	skip kinds3-extension-config "cannot write the server's extension directory $extdir"
	finish
fi
cp "$LB_TOP/tests/fixtures/extension/lb_k3cfg.control" "$LB_TOP/tests/fixtures/extension/lb_k3cfg--1.0.sql" "$extdir/"
at_exit rm -f "$extdir/lb_k3cfg.control" "$extdir/lb_k3cfg--1.0.sql"
# config_rows DB: the configuration tables' rows and the sequence's position.
config_rows() {
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "SELECT 's', s::text FROM k3cfg.k3cfg_settings s
		UNION ALL SELECT 'a', a::text FROM k3cfg.k3cfg_all a
		UNION ALL SELECT 'q', last_value || ' ' || is_called FROM k3cfg.k3cfg_seq ORDER BY 1, 2"
}
esrc=$(new_db lb_k3_ext_src) && edst=$(new_db lb_k3_ext_dst) && erdst=$(new_db lb_k3_ext_restore) &&
	psql -X -q -v ON_ERROR_STOP=1 -d "$esrc" -c "CREATE SCHEMA k3cfg;
		CREATE EXTENSION lb_k3cfg WITH SCHEMA k3cfg;
		INSERT INTO k3cfg.k3cfg_settings VALUES ('mine', 'y', false), ('quote''s', NULL, false);
		INSERT INTO k3cfg.k3cfg_all VALUES (1, 'one'), (2, E'tab\there');
		SELECT setval('k3cfg.k3cfg_seq', 42);" ||
	{ fail kinds3-extension-config-setup "cannot create the extension's databases"; finish; }
config_rows "$esrc" >"$work/ext-src.txt"
if check kinds3-extension-config-db "$LB_BIN" db -q -d "dbname=$esrc" -o "$work/ext"; then
	efile=$(ls "$work"/ext/*.sql.gz)
	if gunzip -c "$efile" | psql -X -q -v ON_ERROR_STOP=1 -d "$edst" >"$work/ext-psql.log" 2>&1 &&
		config_rows "$edst" >"$work/ext-psql.txt" && diff -u "$work/ext-src.txt" "$work/ext-psql.txt"; then
		pass kinds3-extension-config-psql
	else
		fail kinds3-extension-config-psql "$(tail -n 5 "$work/ext-psql.log")"
	fi
	if check kinds3-extension-config-restore "$LB_BIN" restore -q "$efile" -d "dbname=$erdst"; then
		check kinds3-extension-config-restored diff -u "$work/ext-src.txt" <(config_rows "$erdst")
	fi
	# The extension's tables are the connecting user's, not the scratch
	# role's: documented in lotbackup(1) LIMITATIONS.
	check_exit kinds3-extension-config-verify-restore 3 "$LB_BIN" verify -q --restore "$efile"
fi
# Under a selection (034-select.sh) the configuration data follows
# pg_dump's rule: dumped when the table or its schema is selected and not
# excluded; no rows with -s or --exclude-table-data. Compared with pg_dump
# 15: which configuration tables are copied, and whether the sequence is set.
config_dumped() {
	grep -oE "^(COPY k3cfg\.k3cfg_[a-z]+|SELECT pg_catalog\.setval\('k3cfg\.k3cfg_seq')" | sort -u | tr '\n' ' '
}
bad=''
for sel in '-T k3cfg.k3cfg_all' '-N k3cfg' '-t k3cfg.k3cfg_all' '-n k3cfg' \
	'--exclude-table-data k3cfg.k3cfg_settings' '-s' '-a'; do
	rm -rf "$work/extsel"
	# shellcheck disable=SC2086 # the selection's words
	if ! "$LB_BIN" db -q -d "dbname=$esrc" -o "$work/extsel" $sel >"$work/extsel.log" 2>&1; then
		bad="$bad [$sel: $(tail -n 1 "$work/extsel.log")]"
		continue
	fi
	ours=$(gunzip -c "$work"/extsel/*.sql.gz | config_dumped)
	# shellcheck disable=SC2086
	theirs=$(pg_dump -d "$esrc" $sel | config_dumped)
	[ "$ours" = "$theirs" ] || bad="$bad [$sel: lotbackup '$ours', pg_dump '$theirs']"
done
[ -z "$bad" ] && pass kinds3-extension-config-selection || fail kinds3-extension-config-selection "$bad"
finish
