#!/usr/bin/env bash
# Installs the Debian packages that building, testing and the demo need,
# only those missing, so a fresh Debian 12 root shell needs nothing else.
set -eu

packages=(
	gcc make pkg-config
	libpq-dev zlib1g-dev libarchive-dev libgit2-dev libjansson-dev libssl-dev libdeflate-dev
	libcurl4-openssl-dev tzdata
	libexpat1-dev
	libsodium-dev
	postgresql-15 postgresql-client-15
	git gzip mandoc valgrind
	openssl
)
# npm fetches the other majors' servers (install-pg-majors.sh) and the S3
# test server (install-s3rver.sh). A machine whose Node.js did not come from
# Debian (NodeSource, nvm) has its own npm, and Debian's would conflict.
command -v npm >/dev/null 2>&1 || packages+=(npm)
# Callers may name more (make fuzz: clang and its libFuzzer runtime).
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}; run as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
