#ifndef LOTBACKUP_LOCK_H
#define LOTBACKUP_LOCK_H

/*
 * One writer per output directory: an flock on OUTPUT/.lotbackup.lock,
 * released by the kernel when the process ends, however it ends. The file
 * holds the holder's pid and start time for the message of the next one.
 */
struct output_lock;

/*
 * Takes the lock, waiting up to wait_seconds (0: fail at once with
 * "another lotbackup (pid N) is running since HH:MM:SS"; a signal ends the
 * wait). Then removes the temporary files earlier runs of this tool left
 * behind (only names of its own, only those last changed before the lock
 * was taken, and only now that no other run can be writing them).
 */
struct output_lock *output_lock_take(const char *dir, int wait_seconds);
void output_lock_release(struct output_lock *lock);

#endif
