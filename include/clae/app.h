/* What the commands that apply a trained model share (eval, show,
 * denoise; src/host/app.c). */
#ifndef CLAE_APP_H
#define CLAE_APP_H

#include "clae/model.h"

/* Load a checkpoint into an empty model (built from its config; the
 * classes it was trained on from its metadata, where `clae train --classes`
 * chose them); 1 on success, 0 after a one-line error. */
int clae_app_load(const char *ckpt, clae_model *m);
/* 1 if the model takes 32x32x3 images, else a one-line error and 0. */
int clae_app_check_cifar(const char *ckpt, const clae_model *m);

#endif
