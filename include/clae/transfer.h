/* clae train --transfer's work (src/host/apps/transfer.c): a new model started from the
 * tensors of another that it has too, same name and shape (a trained encoder under a new
 * head); the others keep their fresh values. */
#ifndef CLAE_TRANSFER_H
#define CLAE_TRANSFER_H

#include "clae/model.h"

/* What became of one of the model's tensors. */
typedef enum clae_transfer_fate {
    CLAE_TRANSFER_ABSENT,      /* src has no tensor of its name: fresh */
    CLAE_TRANSFER_TAKEN,       /* copied from src */
    CLAE_TRANSFER_OTHER_SHAPE, /* src's tensor of its name has another shape: fresh */
} clae_transfer_fate;

/* Copies into m's parameters every tensor of src with the same name and shape; fate[t] says
 * what became of m's tensor t (m->ntensors entries). Returns how many were taken. */
int clae_transfer_tensors(clae_model *m, const clae_model *src, clae_transfer_fate *fate);

/* The tensors of the layers [train] freeze keeps (*frozen of them) that start fresh: not
 * taken by clae_transfer_tensors (fate NULL: none was, all are fresh). 0 without freeze. */
int clae_transfer_frozen_fresh(const clae_model *m, const clae_transfer_fate *fate, int *frozen);
/* One warning line on stderr when fresh (clae_transfer_frozen_fresh's count) is not 0: the
 * frozen layers stay random (ckpt NULL: no --transfer at all; else ckpt lacked some). */
void clae_transfer_warn_frozen(const clae_model *m, int fresh, const char *ckpt);

#endif
