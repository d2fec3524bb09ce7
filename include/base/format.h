#ifndef LOTBACKUP_FORMAT_H
#define LOTBACKUP_FORMAT_H

#include <stddef.h>

/* Sizes and times as people and manifests read them. */

/* 1536 -> "1.5 KiB" into buf. */
void format_size(unsigned long long bytes, char *buf, size_t len);
/* Seconds -> "3d 4h", "5h 10m", "42s" into buf. */
void format_age(long long seconds, char *buf, size_t len);
/* The current time as ISO-8601 UTC, e.g. 2026-11-25T02:00:00Z (caller frees). */
char *iso_time_now(void);
/*
 * TEXT as a terminal may show it (caller frees): control characters as
 * \n, \t, \r or \xNN, bytes that are not UTF-8 as \xNN, C1 controls and
 * the invisible marks that reorder text (U+202E and the like) as \uNNNN.
 * For what names, manifests and records hold (a database's name may hold
 * an escape sequence); JSON output needs none of it.
 */
char *format_printable(const char *text);

#endif
