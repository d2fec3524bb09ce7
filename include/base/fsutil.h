#ifndef LOTBACKUP_FSUTIL_H
#define LOTBACKUP_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Each logs its own error, naming the path, and returns -1. */
int fs_write_all(int fd, const void *buf, size_t len, const char *path);
int fs_fsync(int fd, const char *path);
/* Renames without replacing an existing file (EEXIST is an error). */
int fs_rename_noreplace(const char *from, const char *to);
/* fsync the directory holding `path`, so a rename in it is durable. */
int fs_fsync_parent(const char *path);
/* Creates DIR (not its parents) mode 0700; an existing DIR is checked writable. */
int fs_mkdir_private(const char *dir);
/* Reads a whole small file; 1 when it does not exist (out untouched), 0 ok, -1 error. */
int fs_read_file(const char *path, char **out, size_t *len);
/*
 * The one way a file of ours appears: whole or not at all. open creates
 * PATH.tmp new (O_EXCL|O_NOFOLLOW, mode exactly MODE) relative to the
 * opened directory; with replace_stale a regular file of ours left there
 * by a dead run goes first, otherwise its presence is an error (a backup's
 * temporary may be another run's). Write to fd; close fsyncs; commit
 * renames to PATH (with noreplace never over an existing file) and fsyncs
 * the directory (a failure there only warns: PATH is whole); discard
 * removes an uncommitted temporary and frees. Errors are reported naming
 * the path; 0 or -1.
 */
struct fs_atomic {
	int fd;			/* the temporary, open for writing */
	char *path, *tmp_path;	/* as given, and PATH.tmp: for messages */
	char *dir, *name, *tmp_name;
	int dfd;
	int created;		/* tmp_name is ours to remove */
};
int fs_atomic_open(struct fs_atomic *a, const char *path, mode_t mode, int replace_stale);
int fs_atomic_close(struct fs_atomic *a);
int fs_atomic_commit(struct fs_atomic *a, int noreplace);
void fs_atomic_discard(struct fs_atomic *a);
/* A small file through the above, in one call (a stale temporary of ours is replaced). */
int fs_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode, int noreplace);
/* 1 when PATH exists (any type), 0 when not, -1 on another error (reported). */
int fs_exists(const char *path);

/*
 * Removes PATH and everything below it; a missing PATH is fine. Nothing
 * below PATH's parent is followed (a symlink is unlinked itself), however
 * the tree changes meanwhile: it is walked through directory descriptors.
 * Refuses another file system mounted in the tree, and trees deeper than
 * 512 levels. 0 or -1 (reported, naming the path).
 */
int fs_remove_tree(const char *path);
/* The same for NAME in the directory open as DFD; PATH names it in messages. */
int fs_remove_tree_at(int dfd, const char *name, const char *path);
/* A new private directory $TMPDIR/lotbackup-WHAT.XXXXXX (or under /tmp); NULL when it cannot be made (reported). */
char *fs_temp_dir(const char *what);
/* Creates the directories leading to file RELPATH below BASE, mode 0700; refuses symlinks on the way. 0 or -1. */
int fs_mkdirs_for(const char *base, const char *relpath);

/*
 * The one read loop: reads FD to its end, or LENGTH bytes (UINT64_MAX: no
 * limit), in blocks of up to BLOCK bytes and passes each to FN (0 to go on,
 * -1 to stop: it reports why). A read error is reported naming NAME, or
 * with NAME NULL left in errno. 0 or -1.
 */
typedef int (*fs_block_fn)(void *arg, const void *buf, size_t len);
int fs_read_blocks(int fd, const char *name, size_t block, uint64_t length, fs_block_fn fn, void *arg);
/* An fs_block_fn that writes the blocks to an open file: arg is a struct fs_out. */
struct fs_out {
	int fd;
	const char *path;	/* for messages */
};
int fs_write_block(void *arg, const void *buf, size_t len);

/* Copies the regular files and directories below FROM into TO (created 0700), files 0600. */
int fs_copy_tree(const char *from, const char *to);

/*
 * Whether DIR may receive a restore: 1 when it is missing or an empty
 * directory, 0 when it holds something (nothing reported), -1 when it cannot
 * be read (reported, naming it).
 */
int fs_dir_new_or_empty(const char *dir);

#endif
