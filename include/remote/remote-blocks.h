#ifndef LOTBACKUP_REMOTE_BLOCKS_H
#define LOTBACKUP_REMOTE_BLOCKS_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

struct pipe;

/*
 * An object read twice from a server, by restore's check and then by its
 * loads, must be the same object both times: nothing else ties the loads'
 * ranged GETs to the bytes the check passed, and a server (or something on
 * a plain-http connection) could send another dump, encrypted with the
 * same key or cut at the same length, the second time. The check records
 * a keyed BLAKE2b-128 of each OBJECT_BLOCK of the object as it streams by
 * (from its start, in order); every later range is then read in whole
 * blocks, each compared with its sum before any of its bytes go on.
 */
#define OBJECT_BLOCK ((uint64_t)64 << 10)
#define OBJECT_SUM_BYTES 16

struct object_blocks {
	unsigned char key[crypto_generichash_KEYBYTES];
	unsigned char (*sums)[OBJECT_SUM_BYTES];
	size_t n, cap;			/* sums of whole blocks, then of the last part block */
	uint64_t recorded;		/* bytes recorded from the object's start */
	crypto_generichash_state block;	/* the block being recorded */
	int recording;			/* record what is read (the check); else check it (the loads) */
	int sealed;			/* the recording is over: the object's size is recorded */
	int broken;			/* a read out of order while recording: nothing can be checked */
};

/* A new recording, its key at random: 0 or -1 (reported). */
int object_blocks_init(struct object_blocks *b);
void object_blocks_free(struct object_blocks *b);
/* While recording: the object's bytes at OFFSET (they must follow those recorded). */
void object_blocks_record(struct object_blocks *b, uint64_t offset, const void *buf, size_t len);
/* The recording is over (the check passed): the last part block summed; reads are checked from now on. */
void object_blocks_seal(struct object_blocks *b);
/*
 * The range [offset, offset + length) cut at the object's end (*end) and
 * widened to the whole blocks that hold it, [*from, *to).
 */
void object_blocks_span(const struct object_blocks *b, uint64_t offset, uint64_t length, uint64_t *from,
    uint64_t *to, uint64_t *end);

/*
 * A reader of whole blocks [from, to) (object_blocks_span) that passes on
 * to P only the bytes of [want, want_end), each block after its sum
 * matched; NAME for the error. object_check_write the bytes as they come,
 * object_check_end once they stopped (READ_OK: the read and the writes
 * went well; then are all the bytes there?), which frees K: 0, or -1
 * (reported, here or where the read failed).
 */
struct object_check {
	const struct object_blocks *b;
	struct pipe *p;
	const char *name;
	uint64_t at, to, want, want_end;	/* at: the object's offset of buf[0] */
	unsigned char *buf;
	size_t len;
};
void object_check_init(struct object_check *k, const struct object_blocks *b, struct pipe *p, const char *name,
    uint64_t from, uint64_t to, uint64_t want, uint64_t want_end);
int object_check_write(void *k, const void *buf, size_t len);
int object_check_end(struct object_check *k, int read_ok);

#endif
