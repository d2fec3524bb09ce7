# shellcheck shell=bash
# The fault shim (tests/fault/fault-inject.c) for integration tests:
#   fault_build DIR      builds it into DIR; sets FAULT_PRELOAD for LD_PRELOAD
#   fault_run OUT SPEC CMD...   runs CMD with LB_FAULT=SPEC below OUT
#   fault_trace OUT FILE CMD... runs CMD recording every watched call in FILE
#   fault_point FILE OP SELECTOR   the N (or byte count) for LB_FAULT=OP:N:...
# Under `make asan` the sanitizer runtime must come first in LD_PRELOAD.

fault_build() {
    cc -shared -fPIC -O1 -o "$1/fault-inject.so" "$LB_TOP/tests/fault/fault-inject.c" -ldl || return 1
    FAULT_PRELOAD=$1/fault-inject.so
    if ldd "$LB_BIN" | grep -q libasan; then
        FAULT_PRELOAD="$(ldd "$LB_BIN" | awk '/libasan/ {print $3}') $FAULT_PRELOAD"
    fi
}

fault_run() {
    local out=$1 spec=$2
    shift 2
    LD_PRELOAD="$FAULT_PRELOAD" LB_FAULT=$spec LB_FAULT_DIR=$out "$@"
}

fault_trace() {
    local out=$1 file=$2
    shift 2
    : >"$file"
    LD_PRELOAD="$FAULT_PRELOAD" LB_FAULT_TRACE=$file LB_FAULT_DIR=$out "$@"
}

# SELECTOR: first:REGEX or last:REGEX, the first or last OP call on a path
# matching REGEX; for OP bytes, frac:REGEX:F, the byte F of the way through
# the writes to paths matching REGEX. Prints nothing when nothing matches.
fault_point() {
    awk -v op="$2" -v sel="$3" '
        BEGIN { n = split(sel, s, ":"); kind = s[1]; re = s[2]; f = s[3] }
        kind == "frac" { if ($1 == "write" && $5 ~ re) { if (!seen) { start = $3; seen = 1 } sum += $4 } next }
        $1 == op && $5 ~ re { if (kind == "last" || !found) { found = $2 } }
        END {
            if (kind == "frac") { if (seen && sum > 0) printf "%d\n", start + int(f * sum) + 1 }
            else if (found) print found
        }' "$1"
}

# fault_dir_fsyncs OUT TRACE NEW CMD...: fails each fsync of the directory
# OUT recorded in TRACE with EIO, one run of CMD (with -q) each. A failed
# directory fsync after a publishing rename only warns: each run must exit
# 0 saying so and add NEW entries to OUT, each (manifests aside) verifying.
# Sets FAULT_DIRSYNC_POINTS (how many fsyncs) and FAULT_DIRSYNC_BAD
# (what went wrong, empty when nothing).
fault_dir_fsyncs() {
    local out=$1 trace=$2 want=$3 n pre msg new e rc
    shift 3
    FAULT_DIRSYNC_BAD=''
    FAULT_DIRSYNC_POINTS=$(awk -v d="$out" '$1 == "fsync" && $5 == d {print $2}' "$trace")
    for n in $FAULT_DIRSYNC_POINTS; do
        sleep 1	# a new second, a new name
        pre=$(ls "$out" | sort)
        rc=0
        msg=$(fault_run "$out" "fsync:$n:EIO" "$@" -q 2>&1 >/dev/null) || rc=$?
        new=$(comm -13 <(echo "$pre") <(ls "$out" | sort))
        [ $rc -eq 0 ] && grep -q 'published but its directory could not be synced' <<<"$msg" ||
            FAULT_DIRSYNC_BAD="$FAULT_DIRSYNC_BAD fsync:$n:rc=$rc($msg)"
        [ "$(wc -w <<<"$new")" -eq "$want" ] || FAULT_DIRSYNC_BAD="$FAULT_DIRSYNC_BAD fsync:$n:new=[$new]"
        for e in $new; do
            case "$e" in
            *.manifest.json | *.verified.json) ;;
            *) "$LB_BIN" verify -q "$out/$e" >/dev/null 2>&1 || FAULT_DIRSYNC_BAD="$FAULT_DIRSYNC_BAD fsync:$n:$e-does-not-verify" ;;
            esac
        done
    done
    FAULT_DIRSYNC_POINTS=$(wc -w <<<"$FAULT_DIRSYNC_POINTS")
}
