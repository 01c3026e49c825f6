/* An epoch's steps: which images each batch takes and, for a model with
 * branches, which branch's path it runs (see internal.h). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void epoch_plan_free(epoch_plan *p)
{
    free(p->branch);
    free(p->first);
    free(p->nb);
    memset(p, 0, sizeof *p);
}

/* The plan's steps: one branch alone, or the branches in turns (each
 * while it has images left). */
static long count_steps(const clae_train_branches *br, size_t ntrain, size_t B)
{
    if (!br) return (long)((ntrain + B - 1) / B);
    long steps = 0;
    for (int k = 0; k < br->n; k++) steps += (long)((br->train_n[k] + B - 1) / B);
    return steps;
}

clae_status epoch_plan_init(epoch_plan *p, const clae_train_branches *br, size_t ntrain, int B)
{
    memset(p, 0, sizeof *p);
    p->steps = count_steps(br, ntrain, (size_t)B);
    const size_t n = p->steps > 0 ? (size_t)p->steps : 1;
    p->branch = calloc(n, sizeof *p->branch);
    p->first = calloc(n, sizeof *p->first);
    p->nb = calloc(n, sizeof *p->nb);
    if (!p->branch || !p->first || !p->nb) {
        epoch_plan_free(p);
        return CLAE_ERR_NOMEM;
    }
    size_t at = 0, done[CLAE_MAX_BRANCHES] = {0};
    const int nbr = br ? br->n : 1;
    for (long s = 0; s < p->steps;) /* a round: each branch with images left, in order */
        for (int k = 0; k < nbr && s < p->steps; k++) {
            const size_t total = br ? br->train_n[k] : ntrain;
            if (done[k] >= total) continue;
            const size_t nb = total - done[k] < (size_t)B ? total - done[k] : (size_t)B;
            p->branch[s] = k;
            p->first[s] = at;
            p->nb[s] = (int)nb;
            done[k] += nb;
            at += nb;
            s++;
        }
    return CLAE_OK;
}

clae_status epoch_plan_order(const epoch_plan *p, const clae_train_branches *br, size_t ntrain,
                             uint32_t *order, uint64_t seed, long epoch, int shuffle)
{
    if (!br) {
        clae_epoch_order(order, ntrain, seed, epoch, shuffle);
        return CLAE_OK;
    }
    uint32_t *own[CLAE_MAX_BRANCHES] = {0}; /* each branch's images in its own order */
    size_t used[CLAE_MAX_BRANCHES] = {0};
    clae_status st = CLAE_OK;
    for (int k = 0; k < br->n && st == CLAE_OK; k++) {
        own[k] = malloc((br->train_n[k] ? br->train_n[k] : 1) * sizeof **own);
        if (!own[k]) st = CLAE_ERR_NOMEM;
        else /* a seed of its own: the branches' orders are not one another's */
            clae_epoch_order(own[k], br->train_n[k], seed + 0x9E3779B97F4A7C15ULL * (uint64_t)k,
                             epoch, shuffle);
    }
    for (long s = 0; s < p->steps && st == CLAE_OK; s++) {
        const int k = p->branch[s];
        for (int i = 0; i < p->nb[s]; i++)
            order[p->first[s] + (size_t)i] = (uint32_t)br->train_from[k] + own[k][used[k] + i];
        used[k] += (size_t)p->nb[s];
    }
    for (int k = 0; k < br->n; k++) free(own[k]);
    return st;
}
