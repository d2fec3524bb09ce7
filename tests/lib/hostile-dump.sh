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
