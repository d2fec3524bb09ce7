# shellcheck shell=bash
# A real S3 server for integration tests: @20minutes/s3rver 5.x (it checks
# SigV4 signatures), on 127.0.0.1 only, data in a tmpdir, stopped at exit
# (tests/lib/s3rver-run.js runs it).
#   s3_start BUCKET...  starts it with the BUCKETs made; sets S3_PORT, S3_ENDPOINT,
#                     S3_DIR, S3_PID and exports the AWS_* keys it accepts.
#                     Returns 2 when s3rver (or, for TLS, openssl) cannot be had (skip).
#                     Set before it: S3_TLS=1 to serve https with a test CA made by
#                     openssl (S3_CA names the CA's certificate; S3_ENDPOINT is then
#                     https://s3.localhost:PORT, and BUCKET.s3.localhost addresses
#                     BUCKET by virtual host); S3_ACCESS_LOG=FILE to have each
#                     request written there as "HOST METHOD URL STATUS".
#   s3_stop           stops it (s3_start registers this with at_exit).
#   s3_restart        starts it again on the same port and data.
# Call s3_start from the test's main shell (at_exit needs it).

S3_ACCESS_KEY=S3RVER
S3_SECRET_KEY=S3RVER
S3_PID=''

_s3_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_s3_launch() {
    S3RVER_DIR=$_S3_MODULES S3_PORT=$S3_PORT S3_DIR=$S3_DIR S3_BUCKETS=$S3_BUCKETS \
        S3_TLS_KEY=${_S3_TLS_KEY:-} S3_TLS_CERT=${_S3_TLS_CERT:-} S3_ACCESS_LOG=${S3_ACCESS_LOG:-} \
        node "$LB_TOP/tests/lib/s3rver-run.js" >"$S3_DIR.log" 2>&1 &
    S3_PID=$!
    local i
    for i in $(seq 1 100); do
        grep -q 'ready' "$S3_DIR.log" 2>/dev/null && return 0
        kill -0 "$S3_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "s3server: s3rver did not start:" >&2
    cat "$S3_DIR.log" >&2
    return 1
}

# _s3_tls DIR: a test CA and a certificate it signed for s3.localhost and
# *.s3.localhost (a wildcard, as DigitalOcean Spaces and AWS serve) in DIR.
_s3_tls() {
    command -v openssl >/dev/null 2>&1 || {
        echo "s3server: openssl is needed for the https tests (tests/setup/install-deps.sh)" >&2
        return 2
    }
    (
        cd "$1" || exit 1
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -subj /CN=lotbackup-test-ca -keyout ca.key -out ca.pem \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
                -subj /CN=s3.localhost -keyout server.key -out server.csr &&
            printf 'subjectAltName=DNS:s3.localhost,DNS:*.s3.localhost\nextendedKeyUsage=serverAuth\n' >server.ext &&
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
                -extfile server.ext -out server.pem
    ) >"$1/openssl.log" 2>&1 || {
        echo "s3server: openssl could not make the test certificates:" >&2
        cat "$1/openssl.log" >&2
        return 1
    }
    S3_CA=$1/ca.pem _S3_TLS_KEY=$1/server.key _S3_TLS_CERT=$1/server.pem
}

s3_start() {
    S3_BUCKET=$1
    S3_BUCKETS=$(IFS=,; printf '%s' "$*")
    _S3_MODULES=$("$LB_TOP/tests/setup/install-s3rver.sh") || return $?
    S3_PORT=$(_s3_free_port) || return 1
    S3_DIR=$(tmpdir)/s3data
    mkdir -p "$S3_DIR"
    # push keeps its journal of uploads in flight in the output directory:
    # never ./backups of the directory the tests run from (the repository).
    [ -n "${LOTBACKUP_OUTPUT_DIR:-}" ] || export LOTBACKUP_OUTPUT_DIR="$(tmpdir)/out"
    S3_ENDPOINT=http://127.0.0.1:$S3_PORT
    if [ "${S3_TLS:-0}" = 1 ]; then
        _s3_tls "$(tmpdir)" || return $?
        S3_ENDPOINT=https://s3.localhost:$S3_PORT
    fi
    export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
    at_exit s3_stop
    _s3_launch
}

# s3_require BUCKET...: s3_start, or else the test's skip (no s3rver to be had)
# or failure, and its end. From the test's main shell.
s3_require() {
    local rc=0
    s3_start "$@" || rc=$?
    [ "$rc" -eq 0 ] && return 0
    if [ "$rc" -eq 2 ]; then
        skip s3-server "s3rver cannot be installed (node, npm or the npm registry missing) or openssl is missing"
    else
        fail s3-server "s3rver did not start"
    fi
    finish
}

s3_stop() {
    if [ -n "$S3_PID" ]; then
        kill "$S3_PID" 2>/dev/null
        wait "$S3_PID" 2>/dev/null
        S3_PID=''
    fi
    return 0
}

s3_restart() {
    s3_stop
    _s3_launch
}

# s3_proxy_start LOG [--listen ADDR] [--fail-part N] [--delay-parts S] [--cut-get N] [--gone-when F]
# [--hold-object-until GLOB] [--note-ranges] [--swap-after N FILE] [--list-repeat S] [--list-pages MODE]:
# the fault proxy (tests/lib/s3-fault-proxy.py) in front of the server, on 127.0.0.1 or ADDR; sets
# S3_PROXY_ENDPOINT. Stopped at exit. From the test's main shell.
s3_proxy_start() {
    local log=$1 fifo listen=127.0.0.1
    shift
    [ "${1:-}" = --listen ] && listen=$2
    fifo=$(tmpdir)/port
    mkfifo "$fifo"
    python3 "$LB_TOP/tests/lib/s3-fault-proxy.py" "127.0.0.1:$S3_PORT" "$log" "$@" >"$fifo" &
    S3_PROXY_PID=$!
    at_exit "kill $S3_PROXY_PID 2>/dev/null; wait $S3_PROXY_PID 2>/dev/null"
    read -r S3_PROXY_PORT <"$fifo" || return 1
    S3_PROXY_ENDPOINT=http://$listen:$S3_PROXY_PORT
}

# s3_proxy_wait_part LOG N: waits (up to 15 s) until the proxy logged part N
# answered 200, e.g. to act in the middle of an upload. 1 when it never was.
s3_proxy_wait_part() {
    local i
    for i in $(seq 1 300); do
        grep -q "partNumber=$2&.* 200\$" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# s3_check_record CHECK FILE URL_DIR: FILE.remote.json (0600) records FILE's
# verified copy at URL_DIR/NAME, its size, ETags and time, as push and
# --upload write it.
s3_check_record() {
    python3 - "$2" "$3" <<'PY' && pass "$1" || fail "$1" "$(cat "$2.remote.json" 2>&1)"
import json, os, sys
path, where = sys.argv[1], sys.argv[2]
r = json.load(open(path + ".remote.json"))
ok = (r["file"] == os.path.basename(path) and r["url"] == where + "/" + r["file"]
      and r["bytes"] == os.path.getsize(path) and len(r["etag"]) >= 32 and r["manifest_etag"] and r["uploaded_at"])
sys.exit(0 if ok and oct(os.stat(path + ".remote.json").st_mode & 0o777) == "0o600" else 1)
PY
}
