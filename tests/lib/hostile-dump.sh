# Hostile dumps built from a good one, for the tests of what a dump may hold.

# hostile_dump GOOD DIR SQL: a copy of the dump GOOD in DIR with SQL after
# its header's set_config line and its manifest made to match (so only the
# statement checks can refuse it); prints the copy's path.
hostile_dump() {
	local f
	mkdir -p "$2"
	f=$2/$(basename "$1")
	gunzip -c "$1" | awk -v sql="$3" '{print} !done && /^SELECT pg_catalog.set_config/{print sql; done=1}' | gzip >"$f"
	cp "$1.manifest.json" "$f.manifest.json"
	python3 "$LB_TOP/tests/lib/match-manifest.py" "$f"
	echo "$f"
}

# hostile_setup NAME DB ROWS: the good dump those tests start from: DB
# with a table t of ROWS rows, dumped by lotbackup into $work/good; sets
# db, work (readable by the server's OS user), drop (a directory where a
# program the server ran would leave its mark) and good (the dump). The
# set-up's checks are named NAME-setup. Ends the test when it fails.
hostile_setup() {
	db=$(new_db "$2") || { fail "$1-setup" createdb; finish; }
	psql -X -q -d "$db" -c "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, g::text FROM generate_series(1, $3) g" >/dev/null
	work=$(tmpdir)
	chmod 0755 "$work"
	drop=$work/drop
	mkdir "$drop" && chmod 0777 "$drop"
	check "$1-setup-dump" "$LB_BIN" db -q -d "dbname=$db" -o "$work/good" || finish
	good=$(ls "$work"/good/lot-systems-db-*.sql.gz | head -n 1)
}

# hostile NAME SQL: the good dump (hostile_setup) with SQL after its set_config line, manifest matched.
hostile() { hostile_dump "$good" "$work/$1" "$2"; }
