#!/usr/bin/env bash
# The layering of issue #14, checked on the sources (and on the objects when
# a build is at hand): main.c -> command table -> src/cmd/ -> modules (dump,
# restore, verify, git, full, ops, store, remote, scan) -> io, pg, base, s3.
#   - only src/cmd/, include/cmd/ and src/main.c include a cmd/ header;
#   - io/, pg/, base/ and s3/ include no header of a module;
#   - no include cycle between files (a .c and its .h are one file, and
#     NAME-internal.h belongs to NAME);
#   - with objects (LB_UNIT_DIR's parent, e.g. build/): no call from a
#     module into cmd/, and no call cycle between object files (nm).
# Needs no database; python3 does the graph work.
set -u

# shellcheck source=tests/lib/testlib.sh
. "$LB_TOP/tests/lib/testlib.sh"

# Findings still there while other parts of issue #14 are under way, one a
# line as the lint prints them. A cycle entry also covers any smaller cycle
# among its files. Empty this list as that work lands; an entry that no
# longer matches anything is only noted, so merging in any order is safe.
ALLOW='
'

if ! command -v python3 >/dev/null 2>&1; then
	skip layers "python3 not installed"
	finish
fi

objdir=''
if [ -n "${LB_UNIT_DIR:-}" ] && [ -f "$(dirname "$LB_UNIT_DIR")/main.o" ]; then
	objdir=$(dirname "$LB_UNIT_DIR")
elif [ -f "$LB_TOP/build/main.o" ]; then
	objdir=$LB_TOP/build
fi
if [ -n "$objdir" ] && ! command -v nm >/dev/null 2>&1; then
	objdir=''
fi

# Prints "new FINDING", "allowed FINDING" and "stale ALLOW-ENTRY" lines.
lint() {
	LB_LAYERS_ALLOW=$ALLOW python3 - "$LB_TOP" "$objdir" <<'EOF'
import collections, glob, os, re, subprocess, sys

top, objdir = sys.argv[1], sys.argv[2]
os.chdir(top)
LOWER = ('io', 'pg', 'base', 's3', 'crypt')
MODULES = ('dump', 'restore', 'verify', 'git', 'full', 'ops', 'store', 'remote', 'migrate', 'diff', 'scan')
findings = set()


def unit(name):
    """store/pin for include/store/pin.h, src/store/pin.c and store/pin.h."""
    u = name.rsplit('.', 1)[0]
    if u.startswith(('include/', 'src/')):
        u = u.split('/', 1)[1]
    return u[:-len('-internal')] if u.endswith('-internal') else u


def folder(u):
    return u.split('/')[0] if '/' in u else u


def in_cmd(u):
    return u == 'main' or folder(u) == 'cmd'


def cycles(graph):
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    nodes = sorted(set(graph) | {w for ws in graph.values() for w in ws})
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        work = [(root, iter(sorted(graph.get(root, ()))))]
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


include_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
includes = collections.defaultdict(set)
for path in sorted(glob.glob('include/**/*.h', recursive=True) + glob.glob('src/**/*.c', recursive=True)):
    u = unit(path)
    with open(path, encoding='utf-8', errors='replace') as fp:
        for line in fp:
            m = include_re.match(line)
            if not m or not os.path.exists('include/' + m.group(1)):
                continue
            header, target = m.group(1), unit(m.group(1))
            if target != u:
                includes[u].add(target)
            if folder(target) == 'cmd' and not in_cmd(u):
                findings.add('cmd-include %s %s' % (path, header))
            if folder(u) in LOWER and folder(target) in MODULES:
                findings.add('lower-include %s %s' % (path, header))
for c in cycles(includes):
    findings.add('include-cycle ' + ' '.join(c))

if objdir:
    defined, used = {}, collections.defaultdict(set)
    for o in sorted(glob.glob(objdir + '/*.o') + glob.glob(objdir + '/*/*.o')):
        u = os.path.relpath(o, objdir)[:-2]
        out = subprocess.run(['nm', o], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in 'TDBRVW':
                defined[f[2]] = u
            elif len(f) == 2 and f[0] == 'U':
                used[u].add(f[1])
    calls = collections.defaultdict(set)
    for u, syms in used.items():
        for s in syms:
            d = defined.get(s)
            if d is None or d == u:
                continue
            calls[u].add(d)
            if in_cmd(d) and not in_cmd(u):
                findings.add('call-into-cmd %s %s' % (u, d))
    for c in cycles(calls):
        findings.add('call-cycle ' + ' '.join(c))

allow = [a.strip() for a in os.environ.get('LB_LAYERS_ALLOW', '').splitlines() if a.strip()]
used_allow = set()


def allowed(finding):
    kind, rest = finding.split(' ', 1)
    for a in allow:
        akind, arest = a.split(' ', 1)
        if akind != kind:
            continue
        if kind.endswith('-cycle') and set(rest.split()) <= set(arest.split()) or rest == arest:
            used_allow.add(a)
            return True
    return False


for f in sorted(findings):
    print(('allowed ' if allowed(f) else 'new ') + f)
for a in allow:
    if a not in used_allow:
        print('stale ' + a)
EOF
}

out=$(lint)
rc=$?
if [ $rc -ne 0 ]; then
	fail layers-lint "the lint itself failed (exit $rc)"$'\n'"$out"
	finish
fi
printf '%s\n' "$out" | sed -n 's/^allowed /# allowed for now: /p; s/^stale /# allow-list entry no longer needed: /p'

# report NAME KIND WHY: pass NAME unless the lint found a new KIND.
report() {
	local found
	found=$(printf '%s\n' "$out" | sed -n "s/^new $2 //p")
	if [ -z "$found" ]; then
		pass "$1"
	else
		fail "$1" "$3"$'\n'"$found"
	fi
}

report layers-cmd-headers-only-in-cmd cmd-include "a file outside src/cmd/ and main.c includes a cmd/ header"
report layers-lower-below-modules lower-include "a file of io/, pg/, base/ or s3/ includes a module's header"
report layers-no-include-cycle include-cycle "files that include each other, directly or around a cycle"
if [ -n "$objdir" ]; then
	report layers-no-call-into-cmd call-into-cmd "an object outside cmd/ calls into cmd/"
	report layers-no-call-cycle call-cycle "object files that call each other, directly or around a cycle"
else
	skip layers-no-call-into-cmd "no objects (set LB_UNIT_DIR to build/tests)"
	skip layers-no-call-cycle "no objects (set LB_UNIT_DIR to build/tests)"
fi
finish
