/* splitmix64 and what is drawn from it; see include/clae/rng.h. */
#include "clae/rng.h"

#include <math.h>

void clae_rng_seed(clae_rng *r, uint64_t seed) { r->s = seed; }

uint64_t clae_rng_next(clae_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

float clae_rng_uniform(clae_rng *r) { return (float)(clae_rng_next(r) >> 40) * 0x1.0p-24f; }

double clae_rng_uniform53(clae_rng *r) { return (double)(clae_rng_next(r) >> 11) * 0x1.0p-53; }

uint64_t clae_rng_below(clae_rng *r, uint64_t n)
{
    if (n <= 1) return 0;
    uint64_t limit = UINT64_MAX - UINT64_MAX % n; /* accept x < limit */
    uint64_t x;
    do x = clae_rng_next(r);
    while (x >= limit);
    return x % n;
}

void clae_rng_normal2(clae_rng *r, double z[2])
{
    const double pi = 3.14159265358979323846;
    double u1 = 1.0 - clae_rng_uniform53(r); /* (0, 1]: log finite */
    double u2 = clae_rng_uniform53(r);
    double rad = sqrt(-2.0 * log(u1));
    z[0] = rad * cos(2.0 * pi * u2);
    z[1] = rad * sin(2.0 * pi * u2);
}
