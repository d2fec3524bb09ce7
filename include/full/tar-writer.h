#ifndef LOTBACKUP_TAR_WRITER_H
#define LOTBACKUP_TAR_WRITER_H

#include <time.h>

#include "io/pipe.h"

/*
 * A tar stream (pax) written by libarchive into a pipe, so an archive
 * gets the same gzip -> sha256 -> atomic file path as every other output.
 * Files are streamed from disk; their size is known before the header.
 */
struct tar_writer;

/*
 * LEVEL is the level of the pipe's gzip filter (zlib, jobs 0): members
 * that are compressed already (packs, .gz) are stored at level 0 rather
 * than deflated again, then the level goes back. -1: the pipe does not
 * compress.
 */
struct tar_writer *tar_writer_open(struct pipe *out, int level);
/* A directory entry, mode 0700. */
int tar_writer_add_dir(struct tar_writer *w, const char *name, time_t mtime);
/* A regular file entry with the contents of SRC_PATH, mode 0600. */
int tar_writer_add_file(struct tar_writer *w, const char *name, const char *src_path);
/* Writes the end-of-archive blocks. */
int tar_writer_close(struct tar_writer *w);
void tar_writer_free(struct tar_writer *w);

#endif
