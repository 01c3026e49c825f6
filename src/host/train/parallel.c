/* Data-parallel training: which part of each batch a rank takes, and the
 * gradient exchange between the backward pass and the update. */
#include "internal.h"

void batch_rank_part(const clae_dist *dist, int nb, int *lo, int *cnt)
{
    if (!dist || dist->size == 1) {
        *lo = 0;
        *cnt = nb;
        return;
    }
    long r = dist->rank, R = dist->size;
    *lo = (int)((long)nb * r / R);
    *cnt = (int)((long)nb * (r + 1) / R) - *lo;
}

clae_status exchange_grads(clae_net *n, void *user)
{
    exchange *x = user;
    const clae_model *m = n->m;
    size_t bytes = m->block_floats * sizeof(float);
    int flag = x->stop && *x->stop;
    CLAE_TRY(clae_buf_read(n->d, n->grads, m->grads, bytes));
    CLAE_TRY(clae_dist_sum(x->dist, m->grads, m->block_floats, (double)x->cnt / (double)x->nb,
                           &flag));
    x->stop_all = flag;
    return clae_buf_write(n->d, n->grads, m->grads, bytes);
}
