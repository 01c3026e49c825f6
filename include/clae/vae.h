/* clae sample's and clae interpolate's work (src/host/apps/vae.c): a variational
 * autoencoder's decoder run from codes of our own. clae compress and clae rate-distortion
 * (src/host/apps/compress.c) run any autoencoder this way from its code layer s. The code is the output of the first
 * [sampling] layer s, act[s+1]: sample writes z ~ N(0, I) there, interpolate the straight line
 * between two test images' latent means (what the sampling layer gives outside training), and
 * both run the layers after s; the images go into a grid of tiles (PNG). */
#ifndef CLAE_VAE_H
#define CLAE_VAE_H

#include <stddef.h>
#include <stdint.h>

#include "clae/device.h"
#include "clae/model.h"
#include "clae/net.h"

#define CLAE_VAE_SCALE 2 /* nearest enlargement of every tile */
#define CLAE_VAE_GAP 4   /* between tiles and around the figure */

/* A VAE checkpoint (or any autoencoder with its code layer s) and, once bound, its net on a
 * device. */
typedef struct clae_vae {
    clae_model m;
    int s;      /* the first [sampling] layer */
    size_t zc;  /* code floats per image: act[s+1], (latent, H, W) of layer s's output */
    size_t per; /* output floats per image: the model's input, (C, H, W) */
    clae_device d;
    clae_net net;
    int dev_open, net_made;
} clae_vae;

/* With v->m loaded and v->s its code layer (sample's: the first [sampling] layer): 1 if the
 * decoder runs from a code alone (zc and per set), else 0 after a one-line error naming cmd
 * and ckpt. */
int clae_vae_check(clae_vae *v, const char *cmd, const char *ckpt);
void clae_vae_close(clae_vae *v);
/* Open the device (NULL: the default) and a net for up to n images at a time (at most the
 * config's batch). 1, or 0 after a one-line error. */
int clae_vae_bind(clae_vae *v, const char *device, int n);
/* in (n, per) -> codes (n, zc): the forward pass outside training (a [sampling] layer gives
 * its mean, dropout drops nothing), act[s+1] read back, net.N images at a time. */
int clae_vae_encode(clae_vae *v, const float *in, float *codes, int n);
/* codes (n, zc) -> out (n, per): the layers after s from act[s+1], net.N images at a time. */
int clae_vae_decode(clae_vae *v, const float *codes, float *out, int n);

/* sample: n codes z ~ N(0, I) from seed decoded on device into a grid of cols columns (at most
 * n) in out; *fig_w and *fig_h the figure's size. 1, or 0 after a one-line error. */
int clae_vae_sample(clae_vae *v, const char *ckpt, int n, uint64_t seed, int cols,
                    const char *device, const char *out, int *fig_w, int *fig_h);
/* interpolate: test images a and b of data (NULL: the folder it was trained on, else [train]
 * data), and steps decodes from a's code to b's between them, as one row in out. 0, 1 after a
 * one-line error, or 2 (bad usage) when a or b is not in the test split. */
int clae_vae_interpolate(clae_vae *v, long a, long b, int steps, const char *data,
                         const char *device, const char *out, int *fig_w, int *fig_h);

#endif
