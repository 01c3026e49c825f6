/* The per-batch loss history of a pass (training epoch, validation, test):
 * each batch's loss (and loss terms) copied on the device into one buffer,
 * read back once at the end of the pass. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

clae_status loss_history_init(loss_history *hs, clae_net *n, long cap)
{
    memset(hs, 0, sizeof *hs);
    hs->cap = cap > 0 ? cap : 1;
    if (!(hs->h = calloc((size_t)hs->cap, sizeof(float)))) return CLAE_ERR_NOMEM;
    CLAE_TRY(clae_buf_mirror(n->d, hs->h, (size_t)hs->cap * sizeof(float), &hs->m));
    if (!n->terms.h && !n->terms.d) return CLAE_OK;
    size_t tb = (size_t)hs->cap * CLAE_NTERMS * sizeof(float);
    if (!(hs->th = calloc(1, tb))) return CLAE_ERR_NOMEM;
    return clae_buf_mirror(n->d, hs->th, tb, &hs->tm);
}

void loss_history_free(loss_history *hs)
{
    clae_buf_free(&hs->m);
    clae_buf_free(&hs->tm);
    free(hs->h);
    free(hs->th);
    memset(hs, 0, sizeof *hs);
}

clae_status loss_history_put(loss_history *hs, clae_net *n, long i)
{
    if (hs->th)
        CLAE_TRY(clae_buf_copy(n->d, hs->tm, (size_t)i * CLAE_NTERMS * sizeof(float), n->terms,
                               0, CLAE_NTERMS * sizeof(float)));
    return clae_buf_copy(n->d, hs->m, (size_t)i * sizeof(float), n->loss, 0, sizeof(float));
}

clae_status loss_history_sum(loss_history *hs, clae_device *d, long from, long to,
                             const int *nbs, size_t total, int B, double start, clae_dist *dist,
                             double *sum)
{
    if (to > from)
        CLAE_TRY(clae_buf_read_at(d, hs->m, (size_t)from * sizeof(float), hs->h + from,
                                  (size_t)(to - from) * sizeof(float)));
    if (to > from && hs->th)
        CLAE_TRY(clae_buf_read_at(d, hs->tm, (size_t)from * CLAE_NTERMS * sizeof(float),
                                  hs->th + (size_t)from * CLAE_NTERMS,
                                  (size_t)(to - from) * CLAE_NTERMS * sizeof(float)));
    /* sums[0]: loss x images, [1]: images, [2 + k]: term k x images; with
     * dist, this rank's part of each batch, then the sums over the ranks */
    double sums[2 + CLAE_NTERMS] = {0};
    for (long i = from; i < to; i++) {
        size_t first = (size_t)i * (size_t)B;
        int lo, nb = nbs ? nbs[i] : (int)(total - first < (size_t)B ? total - first : (size_t)B);
        batch_rank_part(dist, nb, &lo, &nb);
        sums[0] += (double)hs->h[i] * (double)nb;
        sums[1] += (double)nb;
        for (int k = 0; hs->th && k < CLAE_NTERMS; k++)
            sums[2 + k] += (double)hs->th[(size_t)i * CLAE_NTERMS + k] * (double)nb;
    }
    if (dist) CLAE_TRY(clae_dist_sum_double(dist, sums, 2 + CLAE_NTERMS));
    for (int k = 0; k < CLAE_NTERMS; k++)
        hs->tmean[k] = sums[1] > 0 ? sums[2 + k] / sums[1] : NAN;
    *sum = start + sums[0]; /* continuing a partial epoch: the sum so far first */
    return CLAE_OK;
}
