#!/usr/bin/env bash
# restore --to extracts the archive into a temporary DIR.lotbackup-extract
# beside the target. When that fails, the message names that directory as
# what it is (never as the archive: "cannot create ARCHIVE" blamed the
# wrong file), and a member that cannot be written as "ARCHIVE member
# PATH" with where it was being extracted to (not a bare "git/info.txt");
# what is read back from it afterwards is named as the archive's member.
set -u
. "$LB_TOP/tests/lib/testlib.sh"
. "$LB_TOP/tests/lib/fault.sh"

work=$(tmpdir)
fault_build "$work" || { fail restore-to-names-shim-build "cc failed"; finish; }
db=$(new_db lb_rto_names) || { fail restore-to-names-setup createdb; finish; }
psql -X -q -d "$db" -c "CREATE TABLE t AS SELECT g FROM generate_series(1, 100) g" >/dev/null
git_project "$work/proj"
check restore-to-names-full "$LB_BIN" full -q --archive-only -C "$work/proj" -d "dbname=$db" -o "$work/full" || finish
archive=$(ls "$work"/full/lot-systems-full-backup-*.tar.gz)
out=$work/out
mkdir "$out"
cmd=("$LB_BIN" restore "$archive" --to "$out/restored")
fault_trace "$out" "$work/trace" "${cmd[@]}" -q || { fail restore-to-names-trace "traced run failed"; finish; }
rm -rf "$out/restored"

n=$(fault_point "$work/trace" mkdir 'first:restored\.lotbackup-extract$')
rm -rf "$out"/*
msg=$(fault_run "$out" "mkdir:$n:ENOSPC" "${cmd[@]}" -q 2>&1)
if grep -q "cannot create $out/restored\.lotbackup-extract: No space left on device" <<<"$msg" && ! grep -qF "$archive:" <<<"$msg"; then
	pass restore-to-names-extract-dir-as-itself
else
	fail restore-to-names-extract-dir-as-itself "$msg"
fi

n=$(fault_point "$work/trace" mkdir 'first:restored\.lotbackup-extract/git$')
rm -rf "$out"/*
msg=$(fault_run "$out" "mkdir:$n:EIO" "${cmd[@]}" -q 2>&1)
if grep -qF "cannot create directory $out/restored.lotbackup-extract/git: Input/output error" <<<"$msg"; then
	pass restore-to-names-extract-subdir-as-itself
else
	fail restore-to-names-extract-subdir-as-itself "$msg"
fi

n=$(fault_point "$work/trace" write 'first:lotbackup-extract/git/info\.txt$')
rm -rf "$out"/*
msg=$(fault_run "$out" "write:$n:ENOSPC" "${cmd[@]}" -q 2>&1)
if grep -qF "cannot write $archive member git/info.txt, extracted into $out/restored.lotbackup-extract: no space left on device" <<<"$msg"; then
	pass restore-to-names-member-and-where
else
	fail restore-to-names-member-and-where "$msg"
fi
# The way out it offers fits restore --to too, not only db's --output-dir.
grep -qF -- "write to another file system (--output-dir; restore --to DIR)" <<<"$msg" &&
	pass restore-to-names-enospc-way-out || fail restore-to-names-enospc-way-out "$msg"
[ ! -e "$out/restored.lotbackup-extract" ] && pass restore-to-names-extract-removed ||
	fail restore-to-names-extract-removed "$(ls -A "$out")"
finish
