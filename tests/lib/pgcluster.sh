# shellcheck shell=bash
# Throwaway PostgreSQL 15 cluster for the integration tests.
#
# Usage (from the test runner):
#   . tests/lib/pgcluster.sh
#   trap pg_cluster_stop EXIT
#   trap 'exit 130' INT; trap 'exit 143' TERM   # so EXIT cleanup runs
#   pg_cluster_start || exit 1
#
# Exports: PGHOST PGPORT PGUSER PGDATABASE LB_PG_BIN LB_PG_DIR LB_PG_DATA
#          LB_PG_LOG LB_TEST_PASSWORD, and puts $LB_PG_BIN first in PATH.
# Roles created: lb_pw (LOGIN, scram-sha-256 password $LB_TEST_PASSWORD),
#                lb_noaccess (LOGIN, trust, no privileges).
# Safe under `set -u`; does not change the caller's shell options.

LB_PG_BIN=${LB_PG_BIN:-/usr/lib/postgresql/15/bin}

# Run a command as the cluster owner. The server refuses to run as root, so
# root drops to postgres; any other user (e.g. postgres itself) runs as is.
# cd to the cluster dir first: postgres cannot enter root's cwd (/root).
_pgc_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$LB_PG_DIR" && runuser -u postgres -- "$@")
    else
        (cd "$LB_PG_DIR" && "$@")
    fi
}

# Print the server log tail to stderr: the only useful clue when start fails.
_pgc_log_tail() {
    if [ -n "${LB_PG_DIR:-}" ] && [ -f "$LB_PG_DIR/server.log" ]; then
        echo "---- tail of $LB_PG_DIR/server.log ----" >&2
        tail -n 40 "$LB_PG_DIR/server.log" >&2
        echo "---- end of server log ----" >&2
    fi
}

_pgc_fail() {
    echo "pg_cluster_start: $*" >&2
    _pgc_log_tail
    pg_cluster_stop
    return 1
}

pg_cluster_start() {
    # Idempotent: a second call with a live cluster is a no-op.
    if [ -n "${LB_PG_DIR:-}" ] && [ -d "${LB_PG_DIR}/data" ] &&
        _pgc_as_owner "$LB_PG_BIN/pg_ctl" -D "$LB_PG_DIR/data" status >/dev/null 2>&1; then
        return 0
    fi

    local base=${TMPDIR:-/tmp} dir port
    # The socket path is "$dir/.s.PGSQL.NNNNN" and must fit in 107 bytes;
    # fall back to /tmp when TMPDIR is too deep.
    if [ "${#base}" -gt 60 ]; then
        base=/tmp
    fi
    dir=$(mktemp -d "$base/lbpg.XXXXXX") || {
        echo "pg_cluster_start: mktemp failed under $base" >&2
        return 1
    }
    LB_PG_DIR=$dir
    export LB_PG_DIR
    : >"$dir/.lotbackup-test-cluster" # marker so stop only removes our dirs
    chmod 0700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres:postgres "$dir" || { _pgc_fail "chown failed"; return 1; }
    fi

    # Port only names the socket file (no TCP), so any unused number works;
    # random keeps parallel clusters from sharing SysV shm keys.
    port=$((20000 + RANDOM % 20001))

    # C.UTF-8 gives UTF8 + byte-order collation; plain C is the fallback.
    if ! _pgc_as_owner "$LB_PG_BIN/initdb" -D "$dir/data" -U postgres \
        -A trust --auth-local=trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1; then
        rm -rf "$dir/data"
        if ! _pgc_as_owner "$LB_PG_BIN/initdb" -D "$dir/data" -U postgres \
            -A trust --auth-local=trust -E UTF8 --locale=C \
            >"$dir/initdb.log" 2>&1; then
            cat "$dir/initdb.log" >&2
            _pgc_fail "initdb failed"
            return 1
        fi
    fi

    # Speed over durability: the cluster is thrown away after the run.
    cat >>"$dir/data/postgresql.conf" <<EOF

# --- lotbackup test settings ---
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
shared_buffers = 128MB
password_encryption = 'scram-sha-256'
EOF
    # First match wins: lb_pw must hit the password line before trust.
    cat >"$dir/data/pg_hba.conf" <<'EOF'
local   all   lb_pw   scram-sha-256
local   all   all     trust
EOF

    if ! _pgc_as_owner "$LB_PG_BIN/pg_ctl" -D "$dir/data" -w -t 60 \
        -l "$dir/server.log" start >/dev/null 2>&1; then
        _pgc_fail "pg_ctl start failed"
        return 1
    fi

    # Clear connection settings inherited from the environment that would
    # send clients elsewhere or inject a password.
    unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE PGSSLMODE \
        PGOPTIONS PGCONNECT_TIMEOUT
    PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
    LB_PG_DATA=$dir/data LB_PG_LOG=$dir/server.log
    LB_TEST_PASSWORD='S3cr3tPw-9f2e'
    export PGHOST PGPORT PGUSER PGDATABASE LB_PG_BIN LB_PG_DATA LB_PG_LOG \
        LB_TEST_PASSWORD
    case ":$PATH:" in
    "$LB_PG_BIN:"*) ;;
    *) PATH=$LB_PG_BIN:$PATH ;;
    esac
    export PATH

    if ! "$LB_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres \
        -v pw="$LB_TEST_PASSWORD" >/dev/null <<'EOF'; then
CREATE ROLE lb_pw LOGIN PASSWORD :'pw';
CREATE ROLE lb_noaccess LOGIN;
EOF
        _pgc_fail "creating test roles failed"
        return 1
    fi
    return 0
}

pg_cluster_stop() {
    local dir=${LB_PG_DIR:-}
    # Nothing started, or not a dir we made: leave it alone.
    if [ -z "$dir" ] || [ ! -e "$dir/.lotbackup-test-cluster" ]; then
        return 0
    fi
    if [ -d "$dir/data" ]; then
        _pgc_as_owner "$LB_PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop \
            >/dev/null 2>&1 || true
    fi
    rm -rf -- "$dir"
    unset LB_PG_DIR
    return 0
}

# ---------------------------------------------------------------------------
# Clusters of other majors (12 to 18), for the version tests. The binaries
# come from tests/setup/install-pg-majors.sh (initdb, pg_ctl, postgres; no
# client: the system's psql 15 and libpq talk to every one of them).
#
# Usage (in a test; the default cluster above is left as it is):
#   pg_major_start DIR       # DIR: a major's dir from install-pg-majors.sh
#   at_exit pg_major_stop    # stopped on exit, even on failure
#   ... PGHOST/PGPORT now point at it; psql, lotbackup ...
#   pg_major_stop            # stop early, restoring PGHOST/PGPORT
# Exports: LB_PGM_DIR (temp dir: data/, server.log, the socket),
# PGHOST PGPORT PGUSER=postgres PGDATABASE=postgres (saved, and restored by
# pg_major_stop). One at a time; trust auth only, no test roles.

_pgm_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$LB_PGM_DIR" && LD_LIBRARY_PATH=$_LB_PGM_LIB runuser -u postgres -- \
            env LD_LIBRARY_PATH="$_LB_PGM_LIB" "$@")
    else
        (cd "$LB_PGM_DIR" && LD_LIBRARY_PATH=$_LB_PGM_LIB "$@")
    fi
}

pg_major_start() {
    local root=$1 base=${TMPDIR:-/tmp} dir port
    if [ -n "${LB_PGM_DIR:-}" ]; then
        echo "pg_major_start: a cluster is running already ($LB_PGM_DIR)" >&2
        return 1
    fi
    if [ ! -x "$root/native/bin/postgres" ]; then
        echo "pg_major_start: no server binaries in $root/native/bin" >&2
        return 1
    fi
    [ "${#base}" -gt 60 ] && base=/tmp # the socket path must fit 107 bytes
    dir=$(mktemp -d "$base/lbpgm.XXXXXX") || return 1
    LB_PGM_DIR=$dir _LB_PGM_BIN=$root/native/bin _LB_PGM_LIB=$root/native/lib
    _LB_PGM_SAVED=("${PGHOST:-}" "${PGPORT:-}" "${PGUSER:-}" "${PGDATABASE:-}")
    export LB_PGM_DIR
    : >"$dir/.lotbackup-test-cluster"
    chmod 0700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres:postgres "$dir" || { pg_major_stop; return 1; }
    fi
    port=$((20000 + RANDOM % 20001))
    # C.UTF-8 as the default cluster has; plain C where the locale is missing.
    if ! _pgm_as_owner "$_LB_PGM_BIN/initdb" -D "$dir/data" -U postgres \
        -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
        rm -rf "$dir/data"
        if ! _pgm_as_owner "$_LB_PGM_BIN/initdb" -D "$dir/data" -U postgres \
            -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
            echo "pg_major_start: initdb of $root failed:" >&2
            tail -n 20 "$dir/initdb.log" >&2
            pg_major_stop
            return 1
        fi
    fi
    cat >>"$dir/data/postgresql.conf" <<CONF

# --- lotbackup test settings ---
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
CONF
    if ! _pgm_as_owner "$_LB_PGM_BIN/pg_ctl" -D "$dir/data" -w -t 60 \
        -l "$dir/server.log" start >/dev/null 2>&1; then
        echo "pg_major_start: pg_ctl start of $root failed:" >&2
        tail -n 20 "$dir/server.log" >&2
        pg_major_stop
        return 1
    fi
    PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
    export PGHOST PGPORT PGUSER PGDATABASE
    return 0
}

pg_major_stop() {
    if [ -z "${LB_PGM_DIR:-}" ]; then
        return 0
    fi
    # The default cluster's stop, on this one's dir and binaries (they find
    # their libraries by RUNPATH), in a subshell that keeps the default's.
    (LB_PG_DIR=$LB_PGM_DIR LB_PG_BIN=$_LB_PGM_BIN pg_cluster_stop)
    unset LB_PGM_DIR
    # Back to the default cluster the runner started.
    local i=0 var
    for var in PGHOST PGPORT PGUSER PGDATABASE; do
        if [ -n "${_LB_PGM_SAVED[i]}" ]; then
            export "$var=${_LB_PGM_SAVED[i]}"
        else
            unset "$var"
        fi
        i=$((i + 1))
    done
    return 0
}
