/* The one random number generator of clae (src/host/util/rng.c): weights,
 * batch order, augmentation and corruption all draw from it.
 *
 * splitmix64 (Steele, Lea, Flood 2014; the seeder of xoshiro):
 *   s += 0x9E3779B97F4A7C15; z = s;
 *   z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
 *   z = (z ^ (z >> 27)) * 0x94D049BB133111EB;  return z ^ (z >> 31).
 * The whole state is one uint64_t, so a checkpoint can store it as is and the
 * same seed gives the same numbers on every machine. */
#ifndef CLAE_RNG_H
#define CLAE_RNG_H

#include <stdint.h>

typedef struct clae_rng {
    uint64_t s;
} clae_rng;

void clae_rng_seed(clae_rng *r, uint64_t seed); /* s = seed */
uint64_t clae_rng_next(clae_rng *r);
/* Uniform in [0, 1): the top 24 bits of clae_rng_next() times 2^-24 (exact). */
float clae_rng_uniform(clae_rng *r);
/* Uniform in [0, 1) with 53 bits: the top 53 bits times 2^-53 (exact). */
double clae_rng_uniform53(clae_rng *r);
/* Uniform integer in [0, n), n >= 1 (rejection sampling, no modulo bias). */
uint64_t clae_rng_below(clae_rng *r, uint64_t n);
/* One N(0,1) pair from two 53-bit uniforms (Box-Muller). */
void clae_rng_normal2(clae_rng *r, double z[2]);

#endif
