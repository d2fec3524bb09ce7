# shellcheck shell=bash
# notify_listener_start LOG BODIES: the --notify-url listener of
# tests/lib/notify-listener.py (request lines to LOG, bodies to BODIES) on
# 127.0.0.1; sets NOTIFY_PORT and NOTIFY_BASE (http://127.0.0.1:PORT),
# stopped at exit.
# From the test's main shell (at_exit needs it). 1 when it did not start.
notify_listener_start() {
    local portfile
    portfile=$(tmpdir)/port
    : >"$1"
    : >"$2"
    python3 "$LB_TOP/tests/lib/notify-listener.py" "$1" "$portfile" "$2" &
    at_exit "kill $! 2>/dev/null"
    for _ in $(seq 50); do [ -s "$portfile" ] && break; sleep 0.1; done
    [ -s "$portfile" ] || return 1
    NOTIFY_PORT=$(cat "$portfile")
    NOTIFY_BASE=http://127.0.0.1:$NOTIFY_PORT
}
