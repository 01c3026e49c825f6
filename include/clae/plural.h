/* A count with its noun: "1 step", "2 steps". Every message that prints a
 * number of things picks the noun with clae_plural:
 *     printf("%ld %s", n, clae_plural(n, "step", "steps"));
 */
#ifndef CLAE_PLURAL_H
#define CLAE_PLURAL_H

static inline const char *clae_plural(long long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

#endif
