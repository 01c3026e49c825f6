/* clae train --transfer's work: the tensors of a model that another has too (same name and
 * shape) copied over its fresh ones; see include/clae/transfer.h. */
#include "clae/transfer.h"

#include <stdio.h>
#include <string.h>

int clae_transfer_tensors(clae_model *m, const clae_model *src, clae_transfer_fate *fate)
{
    int taken = 0;
    for (int t = 0; t < m->ntensors; t++) {
        const clae_tensor *T = &m->tensors[t];
        int j = clae_model_find_tensor(src, T->name);
        fate[t] = CLAE_TRANSFER_ABSENT;
        if (j < 0) continue;
        const clae_tensor *S = &src->tensors[j];
        fate[t] = CLAE_TRANSFER_OTHER_SHAPE;
        if (S->ndim != T->ndim || memcmp(S->dims, T->dims, (size_t)T->ndim * sizeof(int)) != 0)
            continue;
        memcpy(m->params + T->offset, src->params + S->offset, T->count * sizeof(float));
        fate[t] = CLAE_TRANSFER_TAKEN;
        taken++;
    }
    return taken;
}

int clae_transfer_frozen_fresh(const clae_model *m, const clae_transfer_fate *fate, int *frozen)
{
    int fresh = 0;
    *frozen = 0;
    for (int t = 0; t < m->ntensors; t++) {
        if (!clae_model_layer_frozen(m, m->tensors[t].layer)) continue;
        ++*frozen;
        fresh += !fate || fate[t] != CLAE_TRANSFER_TAKEN;
    }
    return fresh;
}

void clae_transfer_warn_frozen(const clae_model *m, int fresh, const char *ckpt)
{
    int frozen;
    (void)clae_transfer_frozen_fresh(m, NULL, &frozen);
    if (fresh == 0) return;
    if (!ckpt)
        fprintf(stderr, "clae train: warning: [train] freeze = %s keeps layers.0 to layers.%d "
                "at their random initialisation (no --transfer or --weights): the layers after "
                "them train on random features; start from a trained encoder with --transfer "
                "CKPT\n", m->train.freeze_name, m->train.freeze);
    else
        fprintf(stderr, "clae train: warning: [train] freeze = %s keeps layers.0 to layers.%d "
                "as they start, and %d of their %d tensors are not in %s (same name and "
                "shape): those stay random\n", m->train.freeze_name, m->train.freeze, fresh,
                frozen, ckpt);
}
