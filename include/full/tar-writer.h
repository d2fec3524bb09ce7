#ifndef LOTBACKUP_TAR_WRITER_H
#define LOTBACKUP_TAR_WRITER_H

#include <time.h>

#include "io/sink.h"

/*
 * A tar stream (pax) written by libarchive into a sink chain, so an archive
 * gets the same gzip -> sha256 -> atomic file path as every other output.
 * Files are streamed from disk; their size is known before the header.
 */
struct tar_writer;

/*
 * `gzip`, when not NULL, is the gzip stage of the chain: members that are
 * compressed already (packs, .gz) are stored at level 0 rather than
 * deflated again, then the level goes back to `level`.
 */
struct tar_writer *tar_writer_open(struct sink *out, struct sink *gzip, int level);
/* A directory entry, mode 0700. */
int tar_writer_add_dir(struct tar_writer *w, const char *name, time_t mtime);
/* A regular file entry with the contents of SRC_PATH, mode 0600. */
int tar_writer_add_file(struct tar_writer *w, const char *name, const char *src_path);
/* Writes the end-of-archive blocks. */
int tar_writer_close(struct tar_writer *w);
void tar_writer_free(struct tar_writer *w);

#endif
