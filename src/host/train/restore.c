/* [train] restore_best (Keras's restore_best_weights): a copy of the parameters of the best
 * validation epoch, put back in place when training ends; see internal.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/checkpoint.h"
#include "internal.h"

clae_status best_weights_keep(clae_net *n, float **keep)
{
    const clae_model *m = n->m;
    CLAE_TRY(clae_net_download(n));
    if (!*keep && !(*keep = malloc(m->block_floats * sizeof(float)))) {
        fprintf(stderr, "clae: out of memory for a copy of the best weights\n");
        return CLAE_ERR_NOMEM;
    }
    memcpy(*keep, m->params, m->block_floats * sizeof(float));
    return CLAE_OK;
}

/* The parameters of dir/best.safetensors into m's block (a best epoch before this process
 * started: a resumed run). */
static clae_status best_from_file(clae_model *m, const char *dir)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/best.safetensors", dir);
    clae_model best = {0};
    CLAE_TRY(clae_ckpt_load(path, &best, NULL, CLAE_CKPT_WEIGHTS_ONLY));
    clae_status st = CLAE_OK;
    if (best.block_floats != m->block_floats || strcmp(best.text, m->text) != 0) {
        fprintf(stderr, "clae: %s: not this run's model: cannot restore the best weights "
                "([train] restore_best)\n", path);
        st = CLAE_ERR_FORMAT;
    } else {
        memcpy(m->params, best.params, m->block_floats * sizeof(float));
    }
    clae_model_free(&best);
    return st;
}

clae_status best_weights_put(clae_net *n, const float *keep, const char *dir)
{
    clae_model *m = n->m;
    CLAE_TRY(clae_net_download(n)); /* the moments and gradients stay the last step's */
    if (keep)
        memcpy(m->params, keep, m->block_floats * sizeof(float));
    else
        CLAE_TRY(best_from_file(m, dir));
    if (n->params.h == (void *)m->params) return CLAE_OK; /* the reference path: in place */
    return clae_buf_write(n->d, n->params, m->params, m->block_floats * sizeof(float));
}
