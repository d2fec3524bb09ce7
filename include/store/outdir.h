#ifndef LOTBACKUP_OUTDIR_H
#define LOTBACKUP_OUTDIR_H

/*
 * Makes the output directory ready for writing (fs_mkdir_private). When
 * this call creates it, a .gitignore holding '*' goes in (0600, atomic,
 * never over an existing one), as Python's venv does, so that the default
 * PROJECT/backups is never committed by 'git add -A'; an info line says
 * so. An existing directory is left as it is. 0 or -1 (reported).
 */
int output_dir_prepare(const char *dir);
/*
 * Before connecting, without creating anything: an existing DIR that is
 * not a directory, or that this user cannot write, is refused at once
 * (reported, -1), so a run fails on its own setup before the network. 0
 * when DIR exists and is writable, or does not exist yet.
 */
int output_dir_check(const char *dir);

/*
 * OUTPUT/safety-dumps/: the dumps restore --clean takes of its target
 * before dropping it. They are not backups of the product: outside the
 * retention buckets (never counted, never deleted), never status's newest.
 */
#define SAFETY_DUMP_DIR "safety-dumps"

#endif
