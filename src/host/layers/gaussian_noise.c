/* [gaussian_noise]: Keras GaussianNoise: in a training step each value gets
 * zero-mean Gaussian noise of standard deviation stddev added; the identity
 * otherwise (validation, eval, show, denoise). A denoising autoencoder's
 * corruption inside the model, on whatever layer's output it follows. The
 * draws are hashed from the run's seed, the layer and the step, so a resumed
 * run draws the same ones; the gradient passes through unchanged. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "layers.h"

typedef struct gaussian_noise_settings {
    float stddev; /* of the noise added in training */
} gaussian_noise_settings;
CLAE_KIND_SETTINGS(gaussian_noise_settings, settings_of)

static const clae_key_spec KEYS[] = {
    {.name = "stddev", .type = CLAE_KEY_FLOAT, .fmin = 0, .fmax = 1000,
     .field = CLAE_KIND_FIELD(gaussian_noise_settings, stddev),
     .help = "standard deviation of the noise added in training"},
};

static clae_status forward(const clae_layer_run *r)
{
    float stddev = settings_of(r->l).stddev;
    if (!r->training || stddev == 0.0f)
        return clae_buf_copy(r->d, r->out, 0, r->in, 0,
                             clae_shape_values(r->g) * sizeof(float));
    clae_gaussian_noise p = clae_gaussian_noise_params(stddev, r->seed, r->index, r->step);
    return gaussian_noise_forward(r->d, r->out, r->in, clae_shape_values(r->g), &p);
}

/* d(in + noise)/d(in) = 1 */
static clae_status backward(const clae_layer_run *r)
{
    if (!r->din.h && !r->din.d) return CLAE_OK; /* the first layer: no input gradient */
    return clae_buf_copy(r->d, r->din, 0, r->dout, 0,
                         clae_shape_values(r->g) * sizeof(float));
}

/* two hashes, a log, a sqrt, a cos and a multiply-add per value forward (about
 * 20 operations); a copy backward */
static void cost(const clae_layer *l, const clae_conv_shape *g, clae_layer_cost *c)
{
    double n = (double)clae_shape_values(g);
    c->fwd_flops = 20 * n;
    c->fwd_bytes = c->din_bytes = 8 * n;
}

static void describe(const clae_layer *l, char *buf, size_t len)
{
    snprintf(buf, len, "stddev %g", (double)settings_of(l).stddev);
}

const clae_layer_kind clae_layer_gaussian_noise = {
    .name = "gaussian_noise",
    .summary = "adds Gaussian noise in training steps (Keras GaussianNoise), the identity "
               "otherwise",
    .keys = KEYS,
    .nkeys = 1,
    .shape = clae_shape_elementwise,
    .forward = forward,
    .backward = backward,
    .cost = cost,
    .describe = describe,
};
