#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "io/pipe.h"
#include "s3/s3-internal.h"
#include "s3/s3-pipe.h"
#include "s3/s3.h"

/*
 * The upload tee of s3-pipe.h. The writer fills one part buffer; a full one
 * goes to a queue that upload_jobs threads take from. Each thread hashes its
 * part (MD5), adds it to the whole object's MD5 in part order (a turn
 * counter: parts are queued in order, so the wait is short), then uploads
 * it on its own client.
 */

#define UPLOAD_MAGIC 0x53337570u
#define MAX_PARTS 10000

struct part_job {
	struct part_job *next;
	int number;
	unsigned char *buf;
	size_t len;
};

struct s3_up {
	unsigned magic;
	struct s3_config cfg;	/* its strings belong to main's copy */
	struct s3_client *main;
	char *key;
	int detached;
	size_t part_size;
	unsigned char *buf;	/* the part being filled */
	size_t fill;
	int next_number;	/* of the next part to queue */
	uint64_t bytes;
	char *upload_id;	/* NULL until a second part shows a multipart upload is needed */
	int finished;		/* completed and checked */
	char etag[S3_ETAG_MAX];	/* the object's, once finished */
	int gave_up;		/* failed, aborted and (detached) only passing bytes on */
	pthread_t finisher;	/* detached: completes the upload beside the caller's next steps */
	int finishing;		/* finisher started and not joined yet */

	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct part_job *head, *tail;
	int pending;		/* queued or being uploaded */
	int stop;
	int failed;		/* a part failed (reported by its thread) */
	int next_hash;		/* the part whose turn it is to join the whole MD5 */
	pthread_t *threads;
	int nthreads;
	struct s3_part *parts;	/* by number - 1 */
	unsigned char (*md5)[16];
	EVP_MD_CTX *whole;
};

static void
md5_hex(const unsigned char md5[16], char hex[33])
{
	int i;

	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md5[i]);
}

/* An ETag that is a plain MD5 (32 hex digits); others (SSE-KMS, "-N") are not compared per part. */
static int
is_md5_etag(const char *etag)
{
	return strlen(etag) == 32 && strspn(etag, "0123456789abcdefABCDEF") == 32;
}

/* Its turn in part order: the part joins the whole object's MD5. */
static void
hash_in_order(struct s3_up *u, const struct part_job *job)
{
	int mine;

	pthread_mutex_lock(&u->mu);
	while (u->next_hash != job->number && !u->failed)
		pthread_cond_wait(&u->cv, &u->mu);
	mine = u->next_hash == job->number;
	pthread_mutex_unlock(&u->mu);
	if (mine)	/* only this thread moves it on now */
		EVP_DigestUpdate(u->whole, job->buf, job->len);
	pthread_mutex_lock(&u->mu);
	if (mine)
		u->next_hash++;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->mu);
}

static int
upload_one(struct s3_up *u, struct s3_client *c, const struct part_job *job, char etag[S3_ETAG_MAX],
    unsigned char md5[16])
{
	char hex[33];
	unsigned int n = 0;

	EVP_Digest(job->buf, job->len, md5, &n, EVP_md5(), NULL);
	hash_in_order(u, job);
	if (s3_mpu_upload_part(c, u->key, u->upload_id, job->number, job->buf, job->len, md5, etag) < 0)
		return -1;
	md5_hex(md5, hex);
	if (is_md5_etag(etag) && strcasecmp(etag, hex) != 0) {
		char *where = s3_display(c, u->key);

		log_error("%s: part %d arrived as MD5 %s, sent as %s; try again", where, job->number, etag, hex);
		free(where);
		return -1;
	}
	return 0;
}

static void *
worker(void *arg)
{
	struct s3_up *u = arg;
	struct s3_client *c;

	interrupt_block_in_thread();	/* signals go to the writer, which checks them */
	c = s3_client_new(&u->cfg);
	for (;;) {
		struct part_job *job;
		char etag[S3_ETAG_MAX] = "";
		unsigned char md5[16];
		int rc;

		pthread_mutex_lock(&u->mu);
		while (u->head == NULL && !u->stop)
			pthread_cond_wait(&u->cv, &u->mu);
		job = u->head;
		if (job == NULL) {
			pthread_mutex_unlock(&u->mu);
			break;
		}
		u->head = job->next;
		if (u->head == NULL)
			u->tail = NULL;
		rc = u->failed || c == NULL ? -1 : 0;
		pthread_mutex_unlock(&u->mu);
		if (rc == 0)
			rc = upload_one(u, c, job, etag, md5);
		/* Freed before it counts as done: the writer's next part may be allocated at once. */
		free(job->buf);
		pthread_mutex_lock(&u->mu);
		if (rc < 0)
			u->failed = 1;
		else {
			u->parts[job->number - 1].number = job->number;
			snprintf(u->parts[job->number - 1].etag, S3_ETAG_MAX, "%s", etag);
			memcpy(u->md5[job->number - 1], md5, 16);
		}
		u->pending--;
		pthread_cond_broadcast(&u->cv);
		pthread_mutex_unlock(&u->mu);
		free(job);
	}
	s3_client_free(c);
	return NULL;
}

/* Stops and joins the threads; the queue is drained (failed: its parts dropped). */
static void
stop_workers(struct s3_up *u)
{
	int i;

	pthread_mutex_lock(&u->mu);
	u->stop = 1;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->mu);
	for (i = 0; i < u->nthreads; i++)
		pthread_join(u->threads[i], NULL);
	u->nthreads = 0;
}

/* The first part to queue: the multipart upload begins, and its threads. */
static int
begin_multipart(struct s3_up *u)
{
	int i;

	/* Recorded before it begins: a run killed before the server answers still leaves a trace. */
	s3_journal_add(&u->cfg, u->key, NULL);
	if (s3_mpu_create(u->main, u->key, &u->upload_id) < 0) {
		s3_journal_remove(&u->cfg, u->key);
		return -1;
	}
	s3_journal_add(&u->cfg, u->key, u->upload_id);
	u->threads = xcalloc((size_t)u->cfg.upload_jobs, sizeof(pthread_t));
	u->parts = xcalloc(MAX_PARTS, sizeof(*u->parts));
	u->md5 = xcalloc(MAX_PARTS, sizeof(*u->md5));
	for (i = 0; i < u->cfg.upload_jobs; i++) {
		if (pthread_create(&u->threads[i], NULL, worker, u) != 0) {
			log_error("cannot start an upload thread");
			return -1;
		}
		u->nthreads++;
	}
	return 0;
}

/* Hands the filled buffer to the threads, waiting while upload_jobs parts are on their way. */
static int
queue_part(struct s3_up *u)
{
	struct part_job *job;
	int failed;

	if (u->next_number > MAX_PARTS) {
		char *where = s3_display(u->main, u->key);

		log_error("%s: more than %d parts of %zu MiB; raise --part-size", where, MAX_PARTS, u->part_size >> 20);
		free(where);
		return -1;
	}
	if (u->upload_id == NULL && begin_multipart(u) < 0)
		return -1;
	job = xcalloc(1, sizeof(*job));
	job->number = u->next_number++;
	job->buf = u->buf;
	job->len = u->fill;
	u->buf = NULL;
	u->fill = 0;
	pthread_mutex_lock(&u->mu);
	while (u->pending >= u->cfg.upload_jobs && !u->failed)
		pthread_cond_wait(&u->cv, &u->mu);
	if (u->tail)
		u->tail->next = job;
	else
		u->head = job;
	u->tail = job;
	u->pending++;
	failed = u->failed;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->mu);
	return failed ? -1 : 0;
}

/* Gives the upload up: threads stopped, the multipart upload aborted. */
static void
give_up(struct s3_up *u)
{
	if (u->gave_up)
		return;
	u->gave_up = 1;
	pthread_mutex_lock(&u->mu);
	u->failed = 1;
	pthread_mutex_unlock(&u->mu);
	stop_workers(u);
	if (u->upload_id != NULL && s3_mpu_abort(u->main, u->key, u->upload_id) < 0) {
		char *where = s3_display(u->main, u->key);

		log_warn("%s: the unfinished multipart upload %s stays on the server, its parts billed: the next "
		    "push, upload, prune --remote or list --remote into this output directory aborts it, and "
		    "'lotbackup list --remote' shows it until then; a bucket lifecycle rule that aborts incomplete "
		    "multipart uploads removes it too", where, u->upload_id);
		free(where);
	} else if (u->upload_id != NULL) {
		s3_journal_remove(&u->cfg, u->key);
	}
	free(u->buf);
	u->buf = NULL;
}

/* A failure: the pipe fails too, unless detached (then the bytes only pass on). */
static int
failed(struct s3_up *u)
{
	give_up(u);
	return u->detached ? 0 : -1;
}

static int
up_write(void *arg, const void *data, size_t len)
{
	struct s3_up *u = arg;
	const unsigned char *p = data;
	int bad;

	if (u->gave_up)
		return u->detached ? 0 : -1;
	while (len > 0) {
		size_t n;

		/* A full part goes only when more bytes come: the last one may be the only one. */
		if (u->fill == u->part_size && queue_part(u) < 0)
			return failed(u);
		if (u->buf == NULL)
			u->buf = xmalloc(u->part_size);
		n = u->part_size - u->fill < len ? u->part_size - u->fill : len;
		memcpy(u->buf + u->fill, p, n);
		u->fill += n;
		u->bytes += n;
		p += n;
		len -= n;
	}
	pthread_mutex_lock(&u->mu);
	bad = u->failed;
	pthread_mutex_unlock(&u->mu);
	return bad ? failed(u) : 0;
}

/* The object's ETag as this side computes it: the MD5 of the parts' MD5s and "-N", or the whole MD5. */
static int
etag_matches(struct s3_up *u, const char *got, int nparts)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char want[S3_ETAG_MAX];

	if (strchr(got, '-') != NULL) {
		EVP_Digest(u->md5, (size_t)nparts * 16, md, &n, EVP_md5(), NULL);
		md5_hex(md, want);
		snprintf(want + 32, sizeof(want) - 32, "-%d", nparts);
	} else {
		EVP_DigestFinal_ex(u->whole, md, &n);
		md5_hex(md, want);
	}
	return strcasecmp(got, want) == 0;
}

/* HEAD after the upload: the object is there, with every byte. */
static int
check_object(struct s3_up *u, const char *etag)
{
	struct s3_object info;
	char *where = s3_display(u->main, u->key);
	int rc = -1;

	if (s3_head(u->main, u->key, &info) != 0) {
		log_error("%s: the object is not there after its upload; try again", where);
		goto out;
	}
	if (info.size != u->bytes) {
		log_error("%s: the server holds %llu bytes, %llu were sent; try again", where,
		    (unsigned long long)info.size, (unsigned long long)u->bytes);
		goto out;
	}
	if (info.etag[0] != '\0' && strcasecmp(info.etag, etag) != 0) {
		log_error("%s: its ETag changed from %s to %s after the upload; was it written by another run?",
		    where, etag, info.etag);
		goto out;
	}
	rc = 0;
out:
	free(where);
	return rc;
}

static int
finish_multipart(struct s3_up *u, char etag[S3_ETAG_MAX])
{
	int nparts, bad;

	if (u->fill > 0 && queue_part(u) < 0)
		return -1;
	stop_workers(u);
	pthread_mutex_lock(&u->mu);
	bad = u->failed;
	pthread_mutex_unlock(&u->mu);
	if (bad)
		return -1;
	nparts = u->next_number - 1;
	if (s3_mpu_complete(u->main, u->key, u->upload_id, u->parts, (size_t)nparts, etag) < 0)
		return -1;
	free(u->upload_id);	/* completed: nothing to abort */
	u->upload_id = NULL;
	s3_journal_remove(&u->cfg, u->key);
	if (!etag_matches(u, etag, nparts)) {
		char *where = s3_display(u->main, u->key);

		log_error("%s: the server's ETag %s is not that of the %d parts sent; try again", where, etag, nparts);
		free(where);
		return -1;
	}
	return 0;
}

/* The last part, the completion and the HEAD that checks it: 0, or as failed() says. */
static int
finish_upload(struct s3_up *u)
{
	char etag[S3_ETAG_MAX] = "";

	if (u->next_number == 1) {
		/* One part or less: one PUT, its ETag the MD5 of the bytes. */
		if (s3_put(u->main, u->key, u->buf, u->fill, etag) < 0)
			return failed(u);
		EVP_DigestUpdate(u->whole, u->buf ? (void *)u->buf : (void *)"", u->fill);
		if (!etag_matches(u, etag, 0)) {
			s3_report(u->main, u->key, "the server's ETag %s is not the MD5 of the bytes sent; try again", etag);
			return failed(u);
		}
	} else if (finish_multipart(u, etag) < 0) {
		return failed(u);
	}
	if (check_object(u, etag) < 0)
		return failed(u);
	u->finished = 1;
	snprintf(u->etag, sizeof(u->etag), "%s", etag);
	free(u->buf);
	u->buf = NULL;
	return 0;
}

static void *
finisher_main(void *arg)
{
	finish_upload(arg);	/* detached: a failure is reported, and u->finished stays 0 */
	return NULL;
}

static void
join_finisher(struct s3_up *u)
{
	if (u->finishing)
		pthread_join(u->finisher, NULL);
	u->finishing = 0;
}

/*
 * Detached, the upload's tail (its last part, the completion, the HEAD)
 * runs on a thread of its own: the caller goes on (db checks its own file
 * meanwhile) and pipe_s3_upload_result waits for it.
 */
static int
up_finish(void *arg)
{
	struct s3_up *u = arg;
	sigset_t block, old;
	int started;

	if (u->gave_up)
		return u->detached ? 0 : -1;
	if (!u->detached)
		return finish_upload(u);
	/* Signals stay the main thread's. */
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	started = pthread_create(&u->finisher, NULL, finisher_main, u) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!started)
		return finish_upload(u);
	u->finishing = 1;
	return 0;
}

static void
up_abort(void *arg)
{
	struct s3_up *u = arg;

	join_finisher(u);
	if (!u->finished)
		give_up(u);
}

static void
up_destroy(void *arg)
{
	struct s3_up *u = arg;

	join_finisher(u);
	if (!u->finished)
		give_up(u);
	s3_client_free(u->main);
	pthread_mutex_destroy(&u->mu);
	pthread_cond_destroy(&u->cv);
	EVP_MD_CTX_free(u->whole);
	free(u->threads);
	free(u->parts);
	free(u->md5);
	free(u->upload_id);
	free(u->buf);
	free(u->key);
	free(u);
}

static const struct pipe_tee_ops upload_ops = { up_write, up_finish, up_abort, up_destroy };

int
pipe_add_s3_upload(struct pipe *p, const struct s3_config *cfg, const char *key, int detached)
{
	struct s3_up *u;
	struct s3_client *c = s3_client_new(cfg);

	if (c == NULL)
		return pipe_add_tee(p, NULL, NULL);	/* fails the pipe: reported already */
	u = xcalloc(1, sizeof(*u));
	u->magic = UPLOAD_MAGIC;
	u->main = c;
	u->cfg = *s3_client_config(c);	/* defaults filled in */
	u->key = xstrdup(key);
	u->detached = detached;
	u->part_size = (size_t)u->cfg.part_mib << 20;
	u->next_number = 1;
	u->next_hash = 1;
	pthread_mutex_init(&u->mu, NULL);
	pthread_cond_init(&u->cv, NULL);
	u->whole = xcheck(EVP_MD_CTX_new());
	EVP_DigestInit_ex(u->whole, EVP_md5(), NULL);
	if (pipe_add_tee(p, &upload_ops, u) < 0) {
		up_destroy(u);
		return -1;
	}
	return 0;
}

int
pipe_s3_upload_result(struct pipe *p, struct s3_upload_result *res)
{
	struct s3_up *u = pipe_tee_arg(p);

	if (u == NULL || u->magic != UPLOAD_MAGIC)
		return -1;
	join_finisher(u);
	if (!u->finished)
		return -1;
	res->bytes = u->bytes;
	res->parts = u->next_number > 1 && u->parts != NULL ? u->next_number - 1 : 0;
	snprintf(res->etag, sizeof(res->etag), "%s", u->etag);
	return 0;
}

static int
into_pipe(void *arg, const void *buf, size_t len)
{
	return pipe_write(arg, buf, len);
}

int
pipe_read_s3(struct pipe *p, struct s3_client *c, const char *key)
{
	return s3_get(c, key, into_pipe, p, 0) == 0 ? 0 : -1;
}

int
pipe_read_s3_range(struct pipe *p, struct s3_client *c, const char *key, uint64_t offset, uint64_t length)
{
	return s3_get_range(c, key, offset, length, into_pipe, p) == 0 ? 0 : -1;
}
