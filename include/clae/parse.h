/* Numbers from text, once (src/host/util/parse.c): the config parser, the
 * corruption spec and the command-line flags all read numbers through
 * these. Blanks around the number are allowed; anything else after it, an
 * empty string, overflow and (for doubles) inf and NaN are not. */
#ifndef CLAE_PARSE_H
#define CLAE_PARSE_H

#include <stdint.h>

/* A base-10 integer in [lo, hi]: 1 and *out, or 0 (*out untouched). */
int clae_str_to_long(const char *s, long lo, long hi, long *out);
/* The same into an int (lo and hi within int). */
int clae_str_to_int(const char *s, long lo, long hi, int *out);
/* An unsigned 64-bit integer, digits only (no sign). */
int clae_str_to_u64(const char *s, uint64_t *out);
/* A finite double. */
int clae_str_to_double(const char *s, double *out);

/* Edit distance (insertions, deletions, substitutions) of a and b, counted
 * up to 9: a misspelt option or key is one or two edits from the real one. */
int clae_edit_distance(const char *a, const char *b);

#endif
