/* clae sample / clae interpolate: a variational autoencoder's decoder run
 * from codes of our own. The code is the output of the first [sampling]
 * layer s, act[s+1]: sample writes z ~ N(0, I) there, interpolate the
 * straight line between two test images' latent means (what the sampling
 * layer gives outside training), and both run the layers after s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/app.h"
#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/image.h"
#include "clae/layer.h"
#include "clae/net.h"
#include "clae/parse.h"
#include "clae/rng.h"
#include "cli.h"

enum {
    SCALE = 2,    /* nearest enlargement of every tile */
    GAP = 4,      /* between tiles and around the figure */
    MAX_N = 1024  /* sample: images */
};
#define DEF_COLS 8 /* sample: columns */
#define MIN_STEPS 2 /* interpolate: decodes between A and B, both ends included */
#define MAX_STEPS 64
#define DEF_STEPS 10

/* A VAE checkpoint and, once bound, its net on a device. */
typedef struct vae {
    clae_model m;
    int s;      /* the first [sampling] layer */
    size_t zc;  /* code floats per image: act[s+1], (latent, H, W) of layer s's output */
    size_t per; /* output floats per image: the model's input, (C, H, W) */
    clae_device d;
    clae_net net;
    int dev_open, net_made;
} vae;

/* Index of the first [sampling] layer, -1 if none. */
static int find_sampling(const clae_model *m)
{
    const clae_layer_kind *k = clae_layer_kind_find("sampling");
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].kind == k) return i;
    return -1;
}

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

/* Load ckpt and find its code; 1, or 0 after a one-line error (v->m always freeable). */
static int vae_load(vae *v, const char *cmd, const char *ckpt)
{
    *v = (vae){.s = -1};
    if (!clae_app_load(ckpt, &v->m)) return 0;
    v->s = find_sampling(&v->m);
    if (v->s < 0) {
        fprintf(stderr, "clae %s: %s has no [sampling] layer: %s needs a variational autoencoder\n",
                cmd, ckpt, cmd);
        return 0;
    }
    int bad = decoder_reads_encoder(&v->m, v->s);
    if (bad >= 0) {
        fprintf(stderr, "clae %s: %s: layer %d after the [sampling] layer reads a layer before it: "
                "the decoder cannot run from a code alone\n", cmd, ckpt, bad);
        return 0;
    }
    v->zc = clae_layer_out_count(&v->m.layers[v->s]);
    v->per = clae_model_in_count(&v->m);
    return 1;
}

/* Open the device and a net for up to n images at a time (at most the config's batch). */
static int vae_bind(vae *v, const char *device, int n)
{
    if (n > v->m.net.batch) n = v->m.net.batch;
    if (clae_device_open(&v->d, device) != CLAE_OK) return 0;
    v->dev_open = 1;
    if (clae_net_create(&v->net, &v->m, &v->d, n) != CLAE_OK) return 0;
    v->net_made = 1;
    return 1;
}

static void vae_close(vae *v)
{
    if (v->net_made) clae_net_free(&v->net);
    if (v->dev_open) clae_device_close(&v->d);
    clae_model_free(&v->m);
}

/* z (n, zc) -> out (n, per): the layers after the code, net.N images at a time. */
static int vae_decode(vae *v, const float *z, float *out, int n)
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

/* in (n, per) -> mu (n, zc): the code outside training (z = mu). */
static int vae_encode(vae *v, const float *in, float *mu, int n)
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
    *W = GAP + cols * (m->net.W * SCALE + GAP);
    *H = GAP + rows * (m->net.H * SCALE + GAP);
}

/* imgs (n, C, H, W) in [0, 1] (clamped) as a grid of cols columns on white, into path. */
static int write_grid(const char *path, const clae_model *m, const float *imgs, int n, int cols)
{
    int W, H, tw = m->net.W * SCALE, th = m->net.H * SCALE;
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
            clae_image_blit_scaled(&fig, &tile, GAP + (k % cols) * (tw + GAP),
                                   GAP + (k / cols) * (th + GAP), SCALE);
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

/* ---- sample ---------------------------------------------------------------------- */

static void sample_usage(FILE *f, const clae_opt *opts)
{
    fprintf(f,
            "usage: clae sample CKPT N OUT.png [options]\n"
            "  decode N codes z ~ N(0, I) with the variational autoencoder in CKPT (the layers\n"
            "  after its first [sampling] layer) into a grid of images, each enlarged x%d,\n"
            "  %d pixels apart; N from 1 to %d; the same seed gives the same first images\n"
            "  for any N\n",
            SCALE, GAP, MAX_N);
    clae_opts_help(f, opts, 16);
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

static int run_sample(const char *ckpt, long n, const char *out, uint64_t seed, long cols,
                      const char *device)
{
    vae v;
    int rc = 1;
    float *z = NULL, *img = NULL;
    if (!vae_load(&v, "sample", ckpt) || !check_channels("sample", ckpt, &v.m)) goto done;
    z = malloc((size_t)n * v.zc * sizeof(float));
    img = malloc((size_t)n * v.per * sizeof(float));
    if (!z || !img) {
        fprintf(stderr, "clae: out of memory for %ld images\n", n);
        goto done;
    }
    draw_codes(z, (size_t)n * v.zc, seed);
    if (!vae_bind(&v, device, (int)n) || !vae_decode(&v, z, img, (int)n)) goto done;
    if (cols > n) cols = n;
    if (!write_grid(out, &v.m, img, (int)n, (int)cols)) goto done;
    int W, H;
    grid_size(&v.m, (int)n, (int)cols, &W, &H);
    printf("wrote %s (%dx%d): %ld samples of a %zu-float code, seed %llu, %ld columns\n", out, W,
           H, n, v.zc, (unsigned long long)seed, cols);
    rc = 0;
done:
    free(z);
    free(img);
    vae_close(&v);
    return rc;
}

int cmd_sample(int argc, char **argv)
{
    const char *ckpt = NULL, *n_arg = NULL, *out = NULL, *device = NULL;
    long n = 0, cols = DEF_COLS;
    uint64_t seed = 1;
    const clae_opt OPTS[] = {
        CLAE_OPT_SEED(&seed, "seed of the codes (a non-negative integer, default 1)"),
        {.name = "cols", .meta = "C", .kind = CLAE_OPT_LONG, .to = &cols, .min = 1,
         .help = "columns of the grid (default min(N, " CLAE_STR(DEF_COLS) "))"},
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        {0}};
    const char **const POS[] = {&ckpt, &n_arg, &out};
    static const char *const NAMES[] = {"CKPT", "N", "OUT.png"};
    const clae_cmdline cl = {.cmd = "clae sample", .hint = "see --help", .opts = OPTS,
                             .usage = sample_usage, .pos = POS, .npos = 3, .names = NAMES,
                             .synopsis = "clae sample CKPT N OUT.png"};
    int code = clae_cmdline_parse(&cl, argc, argv);
    if (code >= 0) return code;
    if (!clae_parse_long("N", n_arg, 1, &n)) return 2;
    if (n > MAX_N) {
        fprintf(stderr, "clae sample: N %ld: at most %d images\n", n, MAX_N);
        return 2;
    }
    return run_sample(ckpt, n, out, seed, cols, device);
}

/* ---- interpolate ----------------------------------------------------------------- */

static void interpolate_usage(FILE *f, const clae_opt *opts)
{
    fprintf(f,
            "usage: clae interpolate CKPT A B OUT.png [options]\n"
            "  one row of images from CIFAR-10 test image A to test image B through the latent\n"
            "  space of the variational autoencoder in CKPT: A, then the decodes of\n"
            "  z = (1 - t) mu_A + t mu_B for K values of t from 0 to 1, then B; mu is the\n"
            "  code of the first [sampling] layer outside training (its mean), encoded from\n"
            "  the image corrupted as the checkpoint's config says (corrupt = none: as it is),\n"
            "  the way eval and show feed the model; A and B are shown as they are. Every\n"
            "  image enlarged x%d, %d pixels apart\n",
            SCALE, GAP);
    clae_opts_help(f, opts, 16);
}

/* --steps K: MIN_STEPS to MAX_STEPS */
static int parse_steps(const clae_opt *opt, const char *v)
{
    long *steps = opt->to;
    if (!clae_parse_long("--steps", v, MIN_STEPS, steps)) return 0;
    if (*steps <= MAX_STEPS) return 1;
    fprintf(stderr, "clae interpolate: --steps %ld: at most %d\n", *steps, MAX_STEPS);
    return 0;
}

/* Test images a and b, clean, and as the model's input sees them (corrupted as the config says). */
static int load_pair(vae *v, const clae_dataset *test, long a, long b, float *clean,
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

static int run_interpolate(const char *ckpt, long a, long b, const char *out, long steps,
                           const char *data, const char *device)
{
    vae v;
    int rc = 1;
    clae_dataset test = {0};
    float *clean = NULL, *input = NULL, *mu = NULL, *z = NULL, *row = NULL;
    if (!vae_load(&v, "interpolate", ckpt)) goto done;
    if (!data) data = v.m.train.data;
    if (clae_dataset_load(data, CLAE_CIFAR_TEST, v.m.net.H, v.m.net.W, v.m.net.C, &test) !=
        CLAE_OK)
        goto done;
    if (!check_index("A", a, &test, data) || !check_index("B", b, &test, data)) {
        rc = 2;
        goto done;
    }
    int n = (int)steps + 2; /* A, the decodes, B */
    clean = malloc(2 * v.per * sizeof(float));
    input = malloc(2 * v.per * sizeof(float));
    mu = malloc(2 * v.zc * sizeof(float));
    z = malloc((size_t)steps * v.zc * sizeof(float));
    row = malloc((size_t)n * v.per * sizeof(float));
    if (!clean || !input || !mu || !z || !row) {
        fprintf(stderr, "clae: out of memory\n");
        goto done;
    }
    if (!load_pair(&v, &test, a, b, clean, input)) goto done;
    if (!vae_bind(&v, device, (int)steps) || !vae_encode(&v, input, mu, 2)) goto done;
    lerp_codes(z, mu, mu + v.zc, v.zc, (int)steps);
    if (!vae_decode(&v, z, row + v.per, (int)steps)) goto done;
    memcpy(row, clean, v.per * sizeof(float));
    memcpy(row + (size_t)(n - 1) * v.per, clean + v.per, v.per * sizeof(float));
    if (!write_grid(out, &v.m, row, n, n)) goto done;
    int W, H;
    grid_size(&v.m, n, n, &W, &H);
    printf("wrote %s (%dx%d): test image %ld, %ld decodes from its code to %ld's, test image %ld\n",
           out, W, H, a, steps, b, b);
    rc = 0;
done:
    free(clean);
    free(input);
    free(mu);
    free(z);
    free(row);
    clae_dataset_free(&test);
    vae_close(&v);
    return rc;
}

int cmd_interpolate(int argc, char **argv)
{
    const char *ckpt = NULL, *pos[2] = {NULL, NULL}, *out = NULL, *data = NULL, *device = NULL;
    long steps = DEF_STEPS, idx[2] = {0, 0};
    const clae_opt OPTS[] = {
        {.name = "steps", .meta = "K", .kind = CLAE_OPT_CALL, .to = &steps, .parse = parse_steps,
         .help = "decodes from A to B, both ends included (default " CLAE_STR(DEF_STEPS) ", "
                 CLAE_STR(MIN_STEPS) " to " CLAE_STR(MAX_STEPS) ")"},
        CLAE_OPT_DATA(&data, CLAE_HELP_DATA),
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        {0}};
    const char **const POS[] = {&ckpt, &pos[0], &pos[1], &out};
    static const char *const NAMES[] = {"CKPT", "A", "B", "OUT.png"};
    const clae_cmdline cl = {.cmd = "clae interpolate", .hint = "see --help", .opts = OPTS,
                             .usage = interpolate_usage, .pos = POS, .npos = 4, .names = NAMES,
                             .synopsis = "clae interpolate CKPT A B OUT.png"};
    int code = clae_cmdline_parse(&cl, argc, argv);
    if (code >= 0) return code;
    if (!clae_parse_long("A", pos[0], 0, &idx[0]) || !clae_parse_long("B", pos[1], 0, &idx[1]))
        return 2;
    return run_interpolate(ckpt, idx[0], idx[1], out, steps, data, device);
}
