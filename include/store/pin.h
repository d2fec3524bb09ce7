#ifndef LOTBACKUP_PIN_H
#define LOTBACKUP_PIN_H

/*
 * Pins: a NAME.pin.json record beside a backup (a full backup directory
 * too) keeps it forever, whatever the retention policy says, until unpin.
 * It holds the reason ("v2.0 release"), when and by which version.
 */

/* Writes PATH.pin.json atomically, replacing an earlier pin's reason. 0 or -1 (reported). */
int pin_write(const char *path, const char *reason);
/* Removes PATH.pin.json: 0 removed, 1 there was none, -1 error (reported). */
int pin_remove(const char *path);
/*
 * The reason recorded for PATH (caller frees); NULL when not pinned. A
 * record that cannot be read still pins: the reason then says so.
 */
char *pin_reason(const char *path);

#endif
