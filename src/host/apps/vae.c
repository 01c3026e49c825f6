/* clae sample's and clae interpolate's work: a variational autoencoder's decoder run from
 * codes of our own, into a grid of tiles; see include/clae/vae.h. */
#include "clae/vae.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/draw.h"
#include "clae/image.h"
#include "clae/rng.h"

/* A decoder layer that reads a tensor of the encoder (a residual add or an
 * unpooling from before the code) cannot run from a code alone: its index, or -1. */
static int decoder_reads_encoder(const clae_model *m, int s)
{
    for (int i = s + 1; i < m->nlayers; i++) {
        int src = m->layers[i].src;
        if (src == CLAE_SRC_INPUT || (src >= 0 && src < s)) return i;
    }
    return -1;
}

int clae_vae_check(clae_vae *v, const char *cmd, const char *ckpt)
{
    int bad = decoder_reads_encoder(&v->m, v->s);
    if (bad >= 0) {
        fprintf(stderr, "clae %s: %s: layer %d after the code (layer %d) reads a layer before it: "
                "the decoder cannot run from a code alone\n", cmd, ckpt, bad, v->s);
        return 0;
    }
    v->zc = clae_layer_out_count(&v->m.layers[v->s]);
    v->per = clae_model_in_count(&v->m);
    return 1;
}

int clae_vae_bind(clae_vae *v, const char *device, int n)
{
    if (n > v->m.net.batch) n = v->m.net.batch;
    if (clae_device_open(&v->d, device) != CLAE_OK) return 0;
    v->dev_open = 1;
    if (clae_net_create(&v->net, &v->m, &v->d, n) != CLAE_OK) return 0;
    v->net_made = 1;
    return 1;
}

void clae_vae_close(clae_vae *v)
{
    if (v->net_made) clae_net_free(&v->net);
    if (v->dev_open) clae_device_close(&v->d);
    clae_model_free(&v->m);
}

int clae_vae_decode(clae_vae *v, const float *z, float *out, int n)
{
    clae_net *net = &v->net;
    for (int i = 0; i < n; i += net->N) {
        int nb = n - i < net->N ? n - i : net->N;
        if (clae_buf_write(&v->d, net->act[v->s + 1], z + (size_t)i * v->zc,
                           (size_t)nb * v->zc * sizeof(float)) != CLAE_OK ||
            clae_net_forward_from(net, v->s + 1, nb) != CLAE_OK ||
            clae_net_read_output(net, out + (size_t)i * v->per, nb) != CLAE_OK)
            return 0;
    }
    return 1;
}

int clae_vae_encode(clae_vae *v, const float *in, float *mu, int n)
{
    clae_net *net = &v->net;
    net->training = 0;
    for (int i = 0; i < n; i += net->N) {
        int nb = n - i < net->N ? n - i : net->N;
        if (clae_buf_write(&v->d, net->act[0], in + (size_t)i * v->per,
                           (size_t)nb * v->per * sizeof(float)) != CLAE_OK ||
            clae_net_forward(net, nb) != CLAE_OK ||
            clae_buf_read(&v->d, net->act[v->s + 1], mu + (size_t)i * v->zc,
                          (size_t)nb * v->zc * sizeof(float)) != CLAE_OK)
            return 0;
    }
    return 1;
}

/* Figure size of n tiles of a w x h model in cols columns. */
static void grid_size(const clae_model *m, int n, int cols, int *W, int *H)
{
    int rows = (n + cols - 1) / cols;
    *W = CLAE_VAE_GAP + cols * (m->net.W * CLAE_VAE_SCALE + CLAE_VAE_GAP);
    *H = CLAE_VAE_GAP + rows * (m->net.H * CLAE_VAE_SCALE + CLAE_VAE_GAP);
}

/* imgs (n, C, H, W) in [0, 1] (clamped) as a grid of cols columns on white, into path. */
static int write_grid(const char *path, const clae_model *m, const float *imgs, int n, int cols)
{
    int W, H, tw = m->net.W * CLAE_VAE_SCALE, th = m->net.H * CLAE_VAE_SCALE;
    grid_size(m, n, cols, &W, &H);
    size_t per = clae_model_in_count(m);
    clae_image fig = {0}, tile = {0};
    int ok = clae_image_alloc(&fig, W, H, 3) == CLAE_OK &&
             clae_image_alloc(&tile, m->net.W, m->net.H, m->net.C) == CLAE_OK;
    if (ok) {
        static const uint8_t bg[3] = {255, 255, 255};
        clae_image_fill(&fig, bg);
        for (int k = 0; k < n; k++) {
            clae_image_from_chw(&tile, imgs + (size_t)k * per);
            clae_image_blit_scaled(&fig, &tile, CLAE_VAE_GAP + (k % cols) * (tw + CLAE_VAE_GAP),
                                   CLAE_VAE_GAP + (k / cols) * (th + CLAE_VAE_GAP), CLAE_VAE_SCALE);
        }
        ok = clae_image_write(path, &fig) == CLAE_OK;
    }
    clae_image_free(&fig);
    clae_image_free(&tile);
    return ok;
}

/* 1 if the model's images are grey or RGB, else a one-line error. */
static int check_channels(const char *cmd, const char *ckpt, const clae_model *m)
{
    if (m->net.C == 1 || m->net.C == 3) return 1;
    fprintf(stderr, "clae %s: %s: the model's images have %d channels, PNG tiles need 1 or 3\n",
            cmd, ckpt, m->net.C);
    return 0;
}

/* n codes of zc floats each, N(0, 1) by Box-Muller pairs, image after image. */
static void draw_codes(float *z, size_t count, uint64_t seed)
{
    clae_rng rng;
    clae_rng_seed(&rng, seed);
    for (size_t i = 0; i < count; i += 2) {
        double g[2];
        clae_rng_normal2(&rng, g);
        z[i] = (float)g[0];
        if (i + 1 < count) z[i + 1] = (float)g[1];
    }
}

/* Test images a and b, clean, and as the model's input sees them (corrupted as the config says). */
static int load_pair(clae_vae *v, const clae_dataset *test, long a, long b, float *clean,
                     float *input)
{
    clae_corrupt cor;
    if (clae_corrupt_from_config(&v->m.train, &cor) != CLAE_OK) return 0;
    const int C = test->C, H = test->H, W = test->W;
    clae_records_to_float(clean, clae_dataset_record(test, (size_t)a), 1, C, H, W);
    clae_records_to_float(clean + v->per, clae_dataset_record(test, (size_t)b), 1, C, H, W);
    clae_rng rng;
    clae_rng_seed(&rng, v->m.train.seed);
    return clae_corrupt_apply(input, clean, 2, C, H, W, &cor, &rng) == CLAE_OK;
}

/* z (steps, zc): the line from mu_a to mu_b, t = k / (steps - 1). */
static void lerp_codes(float *z, const float *mu_a, const float *mu_b, size_t zc, int steps)
{
    for (int k = 0; k < steps; k++) {
        float t = (float)k / (float)(steps - 1);
        for (size_t j = 0; j < zc; j++)
            z[(size_t)k * zc + j] = (1.0f - t) * mu_a[j] + t * mu_b[j];
    }
}

/* 1 if index i (image "A" or "B") is in the test split, else one line. */
static int check_index(const char *name, long i, const clae_dataset *test, const char *data)
{
    if ((size_t)i < test->n) return 1;
    fprintf(stderr, "clae interpolate: %s = %ld: the test set in %s has images 0 to %zu\n", name, i,
            data, test->n - 1);
    return 0;
}

int clae_vae_sample(clae_vae *v, const char *ckpt, int n, uint64_t seed, int cols,
                    const char *device, const char *out, int *fig_w, int *fig_h)
{
    if (!check_channels("sample", ckpt, &v->m)) return 0;
    float *z = malloc((size_t)n * v->zc * sizeof(float));
    float *img = malloc((size_t)n * v->per * sizeof(float));
    int ok = z && img;
    if (!ok) fprintf(stderr, "clae: out of memory for %d images\n", n);
    if (ok) draw_codes(z, (size_t)n * v->zc, seed);
    ok = ok && clae_vae_bind(v, device, n) && clae_vae_decode(v, z, img, n) &&
         write_grid(out, &v->m, img, n, cols);
    if (ok) grid_size(&v->m, n, cols, fig_w, fig_h);
    free(z);
    free(img);
    return ok;
}

int clae_vae_interpolate(clae_vae *v, long a, long b, int steps, const char *data,
                         const char *device, const char *out, int *fig_w, int *fig_h)
{
    int rc = 1;
    clae_dataset test = {0};
    float *clean = NULL, *input = NULL, *mu = NULL, *z = NULL, *row = NULL;
    if (!data) data = v->m.train.data;
    if (clae_dataset_load(data, CLAE_CIFAR_TEST, v->m.net.H, v->m.net.W, v->m.net.C, &test) !=
        CLAE_OK)
        goto done;
    if (!check_index("A", a, &test, data) || !check_index("B", b, &test, data)) {
        rc = 2;
        goto done;
    }
    int n = steps + 2; /* A, the decodes, B */
    clean = malloc(2 * v->per * sizeof(float));
    input = malloc(2 * v->per * sizeof(float));
    mu = malloc(2 * v->zc * sizeof(float));
    z = malloc((size_t)steps * v->zc * sizeof(float));
    row = malloc((size_t)n * v->per * sizeof(float));
    if (!clean || !input || !mu || !z || !row) {
        fprintf(stderr, "clae: out of memory\n");
        goto done;
    }
    if (!load_pair(v, &test, a, b, clean, input)) goto done;
    if (!clae_vae_bind(v, device, steps) || !clae_vae_encode(v, input, mu, 2)) goto done;
    lerp_codes(z, mu, mu + v->zc, v->zc, steps);
    if (!clae_vae_decode(v, z, row + v->per, steps)) goto done;
    memcpy(row, clean, v->per * sizeof(float));
    memcpy(row + (size_t)(n - 1) * v->per, clean + v->per, v->per * sizeof(float));
    if (!write_grid(out, &v->m, row, n, n)) goto done;
    grid_size(&v->m, n, n, fig_w, fig_h);
    rc = 0;
done:
    free(clean);
    free(input);
    free(mu);
    free(z);
    free(row);
    clae_dataset_free(&test);
    return rc;
}
