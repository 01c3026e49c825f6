/* A JSON document as a file (see clae/json_file.h). */
#include "clae/json_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/fs.h"

clae_status clae_json_write_file(const char *path, const cJSON *root)
{
    char *text = root ? cJSON_Print(root) : NULL;
    if (!text) {
        fprintf(stderr, "clae: %s: out of memory for the JSON\n", path);
        return CLAE_ERR_NOMEM;
    }
    size_t len = strlen(text);
    text[len] = '\n'; /* cJSON_Print's terminator becomes the final newline */
    clae_status st = clae_file_write_atomic(path, text, len + 1);
    free(text);
    return st;
}
