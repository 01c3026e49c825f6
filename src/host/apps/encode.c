/* clae encode's work: the codes of one layer for every image of a split (the batch walk,
 * reading the layer's output), their statistics and their NumPy files; see
 * include/clae/encode.h. */
#include "clae/encode.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clae/npy.h"
#include "clae/parse.h"

#define MAX_BYTES (2ULL << 30) /* codes held in memory and written at once: at most 2 GiB */
#define ZERO_EPS 1e-6          /* |v| below this counts as exactly zero */
#define SMALL_FRAC 0.01        /* "small": |v| below this fraction of the largest |v| */

/* "named: code, mu" (the named layers, cut at len - 1 characters), or "none named". */
void clae_encode_named_layers(const clae_model *m, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "named:");
    int any = 0;
    for (int i = 0; i < m->nlayers && used + 1 < len; i++)
        if (m->layers[i].name[0]) {
            used += (size_t)snprintf(buf + used, len - used, "%s %s", any ? "," : "",
                                     m->layers[i].name);
            any = 1;
        }
    if (!any) snprintf(buf, len, "none named");
}

int clae_encode_find_layer(const clae_model *m, const char *cmd, const char *ckpt,
                           const char *spec)
{
    char names[256];
    clae_encode_named_layers(m, names, sizeof names);
    if (!spec) {
        for (int i = 0; i < m->nlayers; i++)
            if (strcmp(m->layers[i].name, "code") == 0) return i;
        for (int i = 0; i < m->nlayers; i++)
            if (m->layers[i].kind->samples_latent) return i;
        fprintf(stderr,
                "%s: %s has no layer named code and no [sampling] layer: choose one "
                "with --layer NAME|INDEX (layers 0 to %d, %s)\n",
                cmd, ckpt, m->nlayers - 1, names);
        return -1;
    }
    if ((spec[0] >= '0' && spec[0] <= '9') || spec[0] == '-') { /* names start with a letter or _ */
        long i;
        if (clae_str_to_long(spec, 0, m->nlayers - 1, &i)) return (int)i;
        fprintf(stderr, "%s: --layer %s: %s has layers 0 to %d (%s)\n", cmd, spec, ckpt,
                m->nlayers - 1, names);
        return -1;
    }
    for (int i = 0; i < m->nlayers; i++)
        if (strcmp(m->layers[i].name, spec) == 0) return i;
    fprintf(stderr, "%s: --layer %s: %s has no layer of that name (%s; or an index 0 "
            "to %d)\n", cmd, spec, ckpt, names, m->nlayers - 1);
    return -1;
}

int clae_encode_split(clae_split_run *r, int li, clae_codes *c)
{
    const clae_layer *l = &r->m.layers[li];
    size_t n = r->n, per = clae_layer_out_count(l);
    *c = (clae_codes){.layer = li, .n = n, .per = per};
    c->ndim = l->out_h == 1 && l->out_w == 1 ? 2 : 4;
    if ((unsigned long long)n * per * sizeof(float) > MAX_BYTES) {
        fprintf(stderr, "clae encode: %zu images x %zu floats of layer %d is %.1f GiB, over the "
                "%.0f GiB limit: take fewer with --limit\n", n, per, li,
                (double)n * (double)per * 4.0 / (double)(1ULL << 30),
                (double)MAX_BYTES / (double)(1ULL << 30));
        return 0;
    }
    c->codes = malloc(n * per * sizeof(float));
    c->labels = malloc(n);
    if (!c->codes || !c->labels) {
        fprintf(stderr, "clae: out of memory for the codes of %zu images\n", n);
        return 0;
    }
    for (size_t i = 0; i < n; i++) c->labels[i] = (uint8_t)clae_dataset_label(&r->ds, i);
    clae_batches b;
    int ok = clae_batches_init(&b, r);
    while (ok && clae_batches_next(&b))
        ok = clae_buf_read(&r->d, r->net.act[li + 1], c->codes + b.first * per,
                           (size_t)b.nb * per * sizeof(float)) == CLAE_OK;
    ok = ok && b.first >= n; /* every batch went through */
    clae_batches_free(&b);
    return ok;
}

/* "OUT" without ".npy" + "-labels.npy". */
static char *labels_path(const char *out)
{
    size_t stem = strlen(out) - 4;
    char *p = malloc(stem + sizeof "-labels.npy");
    if (p) {
        memcpy(p, out, stem);
        memcpy(p + stem, "-labels.npy", sizeof "-labels.npy");
    }
    return p;
}

int clae_codes_write(clae_codes *c, const clae_layer *l, const char *out)
{
    if (!(c->labels_path = labels_path(out))) {
        fprintf(stderr, "clae: out of memory for the codes of %zu images\n", c->n);
        return 0;
    }
    /* (N, C, H, W) in the layer's memory order, (N, C) for a vector per image */
    size_t shape[4] = {c->n, (size_t)l->out_c, (size_t)l->out_h, (size_t)l->out_w};
    if (clae_npy_write(out, "<f4", c->ndim, shape, c->codes, c->n * c->per * sizeof(float)) !=
        CLAE_OK)
        return 0;
    if (clae_npy_write(c->labels_path, "|u1", 1, shape, c->labels, c->n) != CLAE_OK) {
        /* no codes without their labels: an old labels file would not match them */
        if (unlink(out) != 0)
            fprintf(stderr, "clae: %s: cannot remove it: %s\n", out, strerror(errno));
        return 0;
    }
    return 1;
}

clae_code_stats clae_codes_stats(const clae_codes *c)
{
    const float *v = c->codes;
    size_t count = c->n * c->per, zeros = 0, small = 0;
    double sum = 0, sum_abs = 0, max_abs = 0;
    for (size_t i = 0; i < count; i++) {
        double a = fabs((double)v[i]);
        sum += v[i];
        sum_abs += a;
        if (a > max_abs) max_abs = a;
        if (a < ZERO_EPS) zeros++;
    }
    double thr = SMALL_FRAC * max_abs;
    for (size_t i = 0; i < count; i++)
        if (fabs((double)v[i]) < thr) small++;
    clae_code_stats s = {.mean = sum / (double)count,
                         .mean_abs = sum_abs / (double)count,
                         .max_abs = max_abs,
                         .zero_frac = (double)zeros / (double)count,
                         .small_frac = max_abs > 0 ? (double)small / (double)count : 1.0,
                         .nonzero_per_image = (double)(count - zeros) / (double)c->n};
    return s;
}

void clae_codes_free(clae_codes *c)
{
    free(c->codes);
    free(c->labels);
    free(c->labels_path);
    *c = (clae_codes){0};
}
