/* clae sample / clae interpolate: a variational autoencoder's decoder run from codes of our
 * own: the options, the checkpoint's code (its first [sampling] layer) and the report; the
 * work is in src/host/apps/vae.c (include/clae/vae.h). */
#include <stdio.h>

#include "clae/app.h"
#include "clae/layer.h"
#include "clae/output.h"
#include "clae/vae.h"
#include "clae/plural.h"
#include "cli.h"

#define MAX_N CLAE_SAMPLE_MAX_N /* sample: images */
#define DEF_COLS 8 /* sample: columns */
#define MIN_STEPS 2 /* interpolate: decodes between A and B, both ends included */
#define MAX_STEPS 64
#define DEF_STEPS 10

/* Index of the first [sampling] layer, -1 if none. */
static int find_sampling(const clae_model *m)
{
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].kind->samples_latent) return i;
    return -1;
}


/* Load ckpt and find its code; 1, or 0 after a one-line error (v->m always freeable). */
static int vae_load(clae_vae *v, const char *cmd, const char *ckpt)
{
    *v = (clae_vae){.s = -1};
    if (!clae_app_load(ckpt, &v->m)) return 0;
    if (v->m.train.norm.kind != CLAE_NORM_NONE) { /* no per-image stats to invert with */
        fprintf(stderr, "clae %s: %s: [train] normalize = %s: a decoded code is a normalised "
                "image with no mean and contrast of its own to undo it with\n", cmd, ckpt,
                clae_norm_name(v->m.train.norm.kind));
        return 0;
    }
    v->s = find_sampling(&v->m);
    if (v->s < 0) {
        fprintf(stderr, "clae %s: %s has no [sampling] layer: %s needs a variational autoencoder\n",
                cmd, ckpt, cmd);
        return 0;
    }
    return clae_vae_check(v, cmd, ckpt);
}

/* ---- sample ---------------------------------------------------------------------- */

static const clae_cmdline SAMPLE_CMDLINE = {
    .cmd = "clae sample", .width = 16, .about = CLAE_ABOUT_SAMPLE};

int cmd_sample(int argc, char **argv)
{
    const char *ckpt = NULL, *n_arg = NULL, *out = NULL, *device = NULL;
    long n = 0, cols = DEF_COLS;
    uint64_t seed = 1;
    const clae_opt OPTS[] = {
        CLAE_ARG("CKPT", &ckpt), CLAE_ARG("N", &n_arg), CLAE_ARG("OUT.png", &out),
        CLAE_OPT_SEED(&seed, "seed of the codes (a non-negative integer, default 1)"),
        {.name = "cols", .meta = "C", .kind = CLAE_OPT_LONG, .to = &cols, .min = 1,
         .help = "columns of the grid (default min(N, " CLAE_STR(DEF_COLS) "))"},
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        {0}};
    int code = clae_cmdline_parse(&SAMPLE_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (!clae_parse_long("N", n_arg, 1, &n)) return 2;
    if (n > MAX_N) {
        fprintf(stderr, "clae sample: N %ld: at most %d images\n", n, MAX_N);
        return 2;
    }
    if (!clae_output_check_image("clae sample", out)) return 2;
    clae_vae v;
    int W, H, ok = vae_load(&v, "sample", ckpt);
    if (cols > n) cols = n;
    ok = ok && clae_vae_sample(&v, ckpt, (int)n, seed, (int)cols, device, out, &W, &H);
    if (ok)
        printf("wrote %s (%dx%d): %ld %s of a %zu-float code, seed %llu, %ld %s\n", out, W, H, n,
               clae_plural(n, "sample", "samples"), v.zc, (unsigned long long)seed, cols,
               clae_plural(cols, "column", "columns"));
    clae_vae_close(&v);
    return ok ? 0 : 1;
}

/* ---- interpolate ----------------------------------------------------------------- */

static const clae_cmdline INTERPOLATE_CMDLINE = {
    .cmd = "clae interpolate", .width = 16, .about = CLAE_ABOUT_INTERPOLATE};

/* --steps K: MIN_STEPS to MAX_STEPS */
static int parse_steps(const clae_opt *opt, const char *v)
{
    long *steps = opt->to;
    if (!clae_parse_long("--steps", v, MIN_STEPS, steps)) return 0;
    if (*steps <= MAX_STEPS) return 1;
    fprintf(stderr, "clae interpolate: --steps %ld: at most %d\n", *steps, MAX_STEPS);
    return 0;
}





int cmd_interpolate(int argc, char **argv)
{
    const char *ckpt = NULL, *pos[2] = {NULL, NULL}, *out = NULL, *data = NULL, *device = NULL;
    long steps = DEF_STEPS, idx[2] = {0, 0};
    const clae_opt OPTS[] = {
        CLAE_ARG("CKPT", &ckpt), CLAE_ARG("A", &pos[0]), CLAE_ARG("B", &pos[1]),
        CLAE_ARG("OUT.png", &out),
        {.name = "steps", .meta = "K", .kind = CLAE_OPT_CALL, .to = &steps, .parse = parse_steps,
         .help = "decodes from A to B, both ends included (default " CLAE_STR(DEF_STEPS) ", "
                 CLAE_STR(MIN_STEPS) " to " CLAE_STR(MAX_STEPS) ")"},
        CLAE_OPT_DATA(&data, CLAE_HELP_DATA),
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        {0}};
    int code = clae_cmdline_parse(&INTERPOLATE_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (!clae_parse_long("A", pos[0], 0, &idx[0]) || !clae_parse_long("B", pos[1], 0, &idx[1]))
        return 2;
    if (!clae_output_check_image("clae interpolate", out)) return 2;
    clae_vae v;
    int W, H, rc = 1;
    if (vae_load(&v, "interpolate", ckpt))
        rc = clae_vae_interpolate(&v, idx[0], idx[1], (int)steps, data, device, out, &W, &H);
    if (rc == 0)
        printf("wrote %s (%dx%d): test image %ld, %ld decodes from its code to %ld's, test image "
               "%ld\n", out, W, H, idx[0], steps, idx[1], idx[1]);
    clae_vae_close(&v);
    return rc;
}
