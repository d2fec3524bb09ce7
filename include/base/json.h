#ifndef LOTBACKUP_JSON_H
#define LOTBACKUP_JSON_H

#include <jansson.h>

/* Indented JSON text with a final newline (caller frees); takes root's reference. */
char *json_text(json_t *root);

#endif
