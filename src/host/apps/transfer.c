/* clae train --transfer's work: the tensors of a model that another has too (same name and
 * shape) copied over its fresh ones; see include/clae/transfer.h. */
#include "clae/transfer.h"

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
