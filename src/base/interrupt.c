#include <errno.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "base/interrupt.h"
#include "base/log.h"

/*
 * Global by necessity: a signal handler has nowhere else to write. Only a
 * volatile sig_atomic_t or a lock-free atomic may be touched from it (C11
 * 7.14.1.1). `reported` keeps the message to one line even if two threads
 * see the signal at once. `watched` is the running query's cancel handle.
 * In a guarded stretch the signal goes to `guard_signal` instead, so it
 * neither stops the run's writes nor decides its exit status; it stays set
 * for the rest of the run.
 */
static volatile sig_atomic_t caught_signal;
static volatile sig_atomic_t guarded, guard_signal;
static atomic_int reported;
static _Atomic(PGcancel *) watched;

static const int handled[] = { SIGINT, SIGTERM };
#define NHANDLED (sizeof(handled) / sizeof(handled[0]))

/* The handlers interrupt_guard_begin() replaced, put back by interrupt_guard_end(). */
static struct sigaction guard_saved[NHANDLED];

static void
on_signal(int sig)
{
	int saved = errno;
	PGcancel *cancel = atomic_load(&watched);
	char err[256];

	if (guarded)
		guard_signal = sig;
	else
		caught_signal = sig;
	/* A query waiting on the server (a table lock) would not see the flag; libpq says PQcancel is safe here. */
	if (cancel != NULL)
		PQcancel(cancel, err, sizeof(err));
	errno = saved;
}

/* Points the handled signals at on_signal with FLAGS; KEEP_IGNORED leaves an ignored one alone. */
static int
set_handlers(int flags, int keep_ignored)
{
	size_t i;

	for (i = 0; i < NHANDLED; i++) {
		struct sigaction old, sa;

		if (keep_ignored) {
			if (sigaction(handled[i], NULL, &old) < 0) {
				log_errno("cannot read the handler of signal %d", handled[i]);
				return -1;
			}
			if (old.sa_handler == SIG_IGN)
				continue;
		}
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = flags;
		if (sigaction(handled[i], &sa, NULL) < 0) {
			log_errno("cannot install the handler of signal %d", handled[i]);
			return -1;
		}
	}
	return 0;
}

int
interrupt_install(void)
{
	/*
	 * SA_RESTART: libraries (libgit2, libarchive) are not all ready for
	 * EINTR. SA_RESETHAND: a second signal is not caught, it ends the
	 * process at once, for a run stuck waiting on the server.
	 */
	return set_handlers(SA_RESTART | SA_RESETHAND, 1);
}

int
interrupt_guard_begin(void)
{
	size_t i;

	for (i = 0; i < NHANDLED; i++) {
		if (sigaction(handled[i], NULL, &guard_saved[i]) < 0) {
			log_errno("cannot read the handler of signal %d", handled[i]);
			return -1;
		}
	}
	/* Before the handlers: a signal from now on belongs to the stretch. */
	guarded = 1;
	/*
	 * No SA_RESETHAND: a second signal must not cut the cleanup short. An
	 * ignored signal is caught too, as verify --restore always has.
	 */
	if (set_handlers(0, 0) < 0) {
		interrupt_guard_end();
		return -1;
	}
	return 0;
}

int
interrupt_guard_hit(void)
{
	return guard_signal != 0;
}

void
interrupt_guard_end(void)
{
	size_t i;

	for (i = 0; i < NHANDLED; i++)
		sigaction(handled[i], &guard_saved[i], NULL);
	guarded = 0;
}

int
interrupt_check(void)
{
	int sig = caught_signal;

	if (sig == 0)
		return 0;
	if (atomic_exchange(&reported, 1) == 0)
		log_error("interrupted by %s: stopping; this run publishes nothing and earlier backups are untouched",
		    sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal");
	return -1;
}

void
interrupt_watch_connection(PGconn *conn)
{
	/* Cleared before it is freed, so the handler sees the old handle whole or none. */
	PGcancel *old = atomic_exchange(&watched, NULL);

	PQfreeCancel(old);
	if (conn != NULL)
		atomic_store(&watched, PQgetCancel(conn));
}

void
interrupt_block_in_thread(void)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < NHANDLED; i++)
		sigaddset(&set, handled[i]);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int
interrupt_exit_code(int rc)
{
	int sig = caught_signal;

	return sig == 0 || rc == 0 ? rc : 128 + sig;
}

int
interrupt_exit_status(int rc)
{
	int sig = caught_signal;

	if (sig == 0 || rc == 0)
		return rc;
	fflush(stdout);
	fflush(stderr);
	signal(sig, SIG_DFL);
	raise(sig);
	return 128 + sig;	/* only if the signal could not end the process */
}
