#!/usr/bin/env bash
# Installs the S3 test server, @20minutes/s3rver 5.x (it checks SigV4
# signatures; s3rver 3.x lets any secret pass), with npm into a cache
# directory reused between runs, and prints that directory. Exit 2 when
# node, npm or the registry is not there (callers skip), 1 on other errors.
#   LB_CACHE_DIR  where to keep it (default /var/cache/lotbackup-tests,
#                 else ~/.cache/lotbackup-tests when that cannot be made)
set -u

version=5.0.0
cache=${LB_CACHE_DIR:-/var/cache/lotbackup-tests}
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/lotbackup-tests
	mkdir -p "$cache" || exit 1
fi
dir=$cache/s3rver-$version
if [ -f "$dir/node_modules/@20minutes/s3rver/package.json" ]; then
	printf '%s\n' "$dir"
	exit 0
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "install-s3rver: node and npm are needed (apt-get install nodejs npm)" >&2
	exit 2
fi
# Into a fresh directory, renamed into place once whole: runs side by side
# never see half an install.
tmp=$(mktemp -d "$cache/.s3rver.XXXXXX") || exit 1
if ! (cd "$tmp" && timeout 300 npm install --no-audit --no-fund --silent --no-save \
	"@20minutes/s3rver@$version" >npm.log 2>&1); then
	echo "install-s3rver: npm install @20minutes/s3rver@$version failed (registry unreachable?):" >&2
	tail -n 5 "$tmp/npm.log" >&2
	rm -rf "$tmp"
	exit 2
fi
if ! mv -T "$tmp" "$dir" 2>/dev/null; then
	rm -rf "$tmp"	# another run put it there first
fi
printf '%s\n' "$dir"
