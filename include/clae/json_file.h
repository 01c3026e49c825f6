/* A JSON document as a file: pretty-printed, a final newline, written
 * atomically (clae_file_write_atomic). */
#ifndef CLAE_JSON_FILE_H
#define CLAE_JSON_FILE_H

#include <cJSON.h>

#include "clae/status.h"

/* root printed and written to path; root stays the caller's. On failure one
 * line on stderr naming path: CLAE_ERR_NOMEM (printing) or CLAE_ERR_IO. */
clae_status clae_json_write_file(const char *path, const cJSON *root);

#endif
