/* Numbers from text; see include/clae/parse.h. */
#include "clae/parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

int clae_str_to_long(const char *s, long lo, long hi, long *out)
{
    s = skip_blanks(s);
    if (!*s) return 0;
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (end == s || errno) return 0;
    if (*skip_blanks(end) || x < lo || x > hi) return 0;
    *out = x;
    return 1;
}

int clae_str_to_int(const char *s, long lo, long hi, int *out)
{
    long x;
    if (!clae_str_to_long(s, lo, hi, &x)) return 0;
    *out = (int)x;
    return 1;
}

int clae_str_to_u64(const char *s, uint64_t *out)
{
    s = skip_blanks(s);
    if (*s < '0' || *s > '9') return 0;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *skip_blanks(end)) return 0;
    *out = (uint64_t)x;
    return 1;
}

int clae_str_to_double(const char *s, double *out)
{
    s = skip_blanks(s);
    if (!*s) return 0;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || errno || *skip_blanks(end) || !isfinite(x)) return 0;
    *out = x;
    return 1;
}

int clae_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 9;
    int row[41];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb] < 9 ? row[lb] : 9;
}
