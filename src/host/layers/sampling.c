/* [sampling]: a variational autoencoder's latent code (Kingma and Welling,
 * "Auto-Encoding Variational Bayes", 2014). Its input holds two heads of
 * one layer: channels 0..latent-1 the mean mu, latent..2 latent-1 the
 * log-variance log sigma^2 (a [dense] of 2 x latent units, or a [conv2d] of
 * 2 x latent filters: per position). In a training step it draws
 * z = mu + exp(log sigma^2 / 2) eps, eps ~ N(0, I) hashed from the run's
 * seed, the layer and the step (a resumed run draws the same); otherwise
 * (validation, eval, encode) z = mu. It adds the loss term
 *   kl_weight * mean over the batch of the sum over latent units of
 *   -(1 + log sigma^2 - mu^2 - sigma^2) / 2,
 * the KL divergence of N(mu, sigma^2) from N(0, I) per image. */
#include <stddef.h>
#include <stdio.h>

#include "layers.h"

typedef struct sampling_settings {
    int latent;      /* latent units (the input has twice as many) */
    float kl_weight; /* the KL term's weight */
} sampling_settings;
CLAE_KIND_SETTINGS(sampling_settings, settings_of)

static const clae_key_spec KEYS[] = {
    {.name = "latent", .type = CLAE_KEY_INT, .min = 1, .max = 1 << 20,
     .field = CLAE_KIND_FIELD(sampling_settings, latent),
     .help = "latent units; the input has twice as many channels (mean, then log-variance)"},
    {.name = "kl_weight", .type = CLAE_KEY_FLOAT, .def = "1", .fmin = 0, .fmax = 1e6,
     .field = CLAE_KIND_FIELD(sampling_settings, kl_weight),
     .help = "weight of the KL term (per image, summed over latent units, averaged over the "
             "batch) beside the reconstruction loss (a mean over every element)"},
};

static const char *check(const clae_layer *l, char *msg, size_t len)
{
    int latent = settings_of(l).latent;
    if (l->in_c != 2 * latent) {
        snprintf(msg, len, "its input has %d channels, not 2 x latent = %d (the mean, then the "
                 "log-variance: a [dense] of %d units)", l->in_c, 2 * latent, 2 * latent);
        return "latent";
    }
    return NULL;
}

static clae_status shape(const clae_layer *l, int N, clae_conv_shape *g)
{
    if (N < 1) return CLAE_ERR_SHAPE;
    *g = (clae_conv_shape){.N = N, .C = l->in_c, .H = l->in_h, .W = l->in_w,
                           .K = settings_of(l).latent, .R = 1, .S = 1, .sh = 1, .sw = 1,
                           .P = l->in_h, .Q = l->in_w};
    return CLAE_OK;
}

static size_t count(const clae_conv_shape *g) { return (size_t)g->N * g->K * g->P * g->Q; }

static clae_status forward(const clae_layer_run *r)
{
    clae_sampling p = clae_sampling_params(r->seed, r->index, r->step);
    return sampling_forward(r->d, r->out, r->aux, r->in, r->g->N, r->g->K, r->g->P * r->g->Q, &p,
                            r->training);
}

static clae_status backward(const clae_layer_run *r)
{
    if (!r->din.h && !r->din.d) return CLAE_OK;
    return sampling_backward(r->d, r->din, r->dout, r->in, r->aux, r->g->N, r->g->K,
                             r->g->P * r->g->Q, settings_of(r->l).kl_weight / (float)r->g->N);
}

static clae_status terms(const clae_layer_run *r)
{
    size_t n = count(r->g); /* the KL terms follow eps in aux */
    return penalty_sum(r->d, r->terms, CLAE_TERM_KL, settings_of(r->l).kl_weight / (float)r->g->N,
                       r->aux, n, n, CLAE_PEN_SUM);
}

static int has_terms(const clae_layer *l) { return settings_of(l).kl_weight > 0; }

static void cost(const clae_layer *l, const clae_conv_shape *g, clae_layer_cost *c)
{
    double n = (double)count(g);
    c->fwd_flops = 40 * n; /* two hashes, a log, a cosine, two exponentials */
    c->fwd_bytes = 4 * (2 * n + 3 * n);
    c->din_flops = 10 * n;
    c->din_bytes = 4 * (n + 2 * n + n + 2 * n);
}

static void describe(const clae_layer *l, char *buf, size_t len)
{
    sampling_settings s = settings_of(l);
    snprintf(buf, len, "z of %d, kl_weight %g", s.latent, (double)s.kl_weight);
}

const clae_layer_kind clae_layer_sampling = {
    .name = "sampling",
    .summary = "VAE: z = mean + exp(log_var / 2) * eps from the input's two halves, KL term added",
    .keys = KEYS,
    .nkeys = 2,
    .shape = shape,
    .check = check,
    .aux_bytes = 8, /* eps and the KL terms, per output element */
    .forward = forward,
    .backward = backward,
    .terms = terms,
    .has_terms = has_terms,
    .term = CLAE_TERM_KL,
    .cost = cost,
    .downsamples = 0,
    .samples_latent = 1,
    .describe = describe,
};
