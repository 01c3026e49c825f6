/* What the commands that apply a trained model share (eval, show,
 * denoise; src/host/app.c). */
#ifndef CLAE_APP_H
#define CLAE_APP_H

#include "clae/model.h"

/* Load a checkpoint into an empty model (built from its config; the
 * classes it was trained on from its metadata, where `clae train --classes`
 * chose them); 1 on success, 0 after a one-line error. */
int clae_app_load(const char *ckpt, clae_model *m);
/* 1 if the model gives images (an autoencoder), else (a classifier, target =
 * labels) a one-line error naming cmd and 0. */
int clae_app_check_images(const char *cmd, const char *ckpt, const clae_model *m);

/* 1 if path ends in .png, .jpg, .jpeg or .bmp (any case): an image clae writes. */
int clae_app_image_ext(const char *path);

/* Where clae_app_run_image ran the model. */
typedef struct clae_app_run {
    int H, W;          /* the padded size */
    char device[256];  /* the device's name */
} clae_app_run;
/* Restore one image of any size in place: x (C,H,W), read from the file in
 * (for messages), with the model in m
 * (loaded from ckpt), reflect-padded to a multiple of the model's
 * downsampling, the model rebuilt at that size with the same parameters
 * and run on device (the reference path if the buffers do not fit), the
 * output cropped back into x. 1, or 0 after a one-line error. */
int clae_app_run_image(const char *ckpt, const clae_model *m, const char *in, float *x, int H,
                       int W, const char *device, clae_app_run *run);

#endif
