/* Model checkpoints: exact round trip (parameters, Adam moments, metadata),
 * rebuilding the model from the stored config, shape mismatches against a
 * model from another config, weights-only vs full resume, corrupt files and
 * bad metadata rejected with one line, and the model untouched by a failed
 * load. No OpenCL needed. */
#include <fcntl.h>
#include <inttypes.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clae/checkpoint.h"
#include "clae/crc32c.h"
#include "clae/run.h"
#include "clae/model.h"
#include "clae/safetensors.h"
#include "testutil.h"

#define DENOISER "configs/denoiser.cfg"

static char g_dir[64];

static void pathj(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", g_dir, name);
}

/* ---- stderr capture: what a call printed, to check it is one line ---- */

static char g_err[8192];
static int g_saved_fd = -1;

static void cap_begin(void)
{
    char p[128];
    pathj(p, sizeof p, "stderr.txt");
    fflush(stderr);
    g_saved_fd = dup(2);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert(g_saved_fd >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
}

static const char *cap_end(void)
{
    char p[128];
    pathj(p, sizeof p, "stderr.txt");
    fflush(stderr);
    dup2(g_saved_fd, 2);
    close(g_saved_fd);
    g_saved_fd = -1;
    FILE *fp = fopen(p, "rb");
    ck_assert(fp != NULL);
    size_t n = fread(g_err, 1, sizeof g_err - 1, fp);
    g_err[n] = 0;
    fclose(fp);
    fprintf(stderr, "  captured: %s", n ? g_err : "(nothing)\n");
    return g_err;
}

/* The captured text is exactly one line "clae: <path>: ...<want>..." */
static void assert_one_line(const char *path, const char *want)
{
    size_t n = strlen(g_err);
    ck_assert_msg(n > 0 && g_err[n - 1] == '\n', "no error line printed");
    ck_assert_msg(strchr(g_err, '\n') == g_err + n - 1, "more than one line: %s", g_err);
    char prefix[256];
    snprintf(prefix, sizeof prefix, "clae: %s", path);
    ck_assert_msg(strncmp(g_err, prefix, strlen(prefix)) == 0, "does not start with '%s': %s",
                  prefix, g_err);
    ck_assert_msg(strstr(g_err, want) != NULL, "'%s' not in: %s", want, g_err);
}

/* ---- models ---- */

static void load_cfg(const char *path, clae_model *m)
{
    char err[512];
    clae_status st = clae_model_parse_ex(path, NULL, NULL, m, err, sizeof err);
    ck_assert_msg(st == CLAE_OK, "%s: %s", path, err);
}

/* Fill every tensor of the block with values from seed (padding stays 0),
 * including a few special (finite: a checkpoint holds no other) values at
 * the start of tensor 0. */
static void fill_block(const clae_model *m, float *block, uint64_t seed, int special)
{
    for (int t = 0; t < m->ntensors; t++)
        tu_rand(block + m->tensors[t].offset, m->tensors[t].count, -2.0f, 2.0f, &seed);
    if (special) {
        float *p = block + m->tensors[0].offset;
        p[0] = -0.0f;
        p[1] = 1e-40f; /* subnormal */
        p[2] = FLT_MAX;
        p[3] = -FLT_MIN;
        p[4] = -FLT_MAX;
        p[5] = -1e-45f; /* the smallest subnormal */
    }
}

/* The denoiser, Glorot-initialised, with fake Adam moments. */
static void denoiser(clae_model *m)
{
    load_cfg(DENOISER, m);
    clae_rng r;
    clae_rng_seed(&r, 7);
    ck_assert_int_eq(clae_model_init(m, &r), CLAE_OK);
    fill_block(m, m->adam_m, 11, 1);
    fill_block(m, m->adam_v, 12, 0);
    for (int t = 0; t < m->ntensors; t++) /* v >= 0 like Adam's */
        for (size_t i = 0; i < m->tensors[t].count; i++)
            m->adam_v[m->tensors[t].offset + i] = fabsf(m->adam_v[m->tensors[t].offset + i]);
}

static void full_meta(clae_ckpt_meta *mt)
{
    clae_ckpt_meta_init(mt);
    mt->epoch = 17;
    mt->step = 123456789;
    mt->seed = UINT64_MAX;
    mt->rng = UINT64_MAX;
    mt->best_val_loss = 0.00412345678;
    mt->val_loss = 0.0051;
    mt->train_loss = 1.0 / 3.0;
    const char *history = "[{\"epoch\": 1,\n \"loss\": 0.5}]";
    ck_assert_int_eq(clae_ckpt_meta_set(mt, "history", history), CLAE_OK);
    ck_assert_int_eq(clae_ckpt_meta_set(mt, "note", "x"), CLAE_OK);
    /* replaces the value */
    ck_assert_int_eq(clae_ckpt_meta_set(mt, "note", "ünïcode \"quoted\""), CLAE_OK);
    ck_assert_int_eq(mt->nextra, 2);
}

/* Bitwise comparison of tensor t of two models in one block kind. */
static int tensors_equal(const clae_model *a, const float *ba, const clae_model *b, const float *bb)
{
    if (a->ntensors != b->ntensors) return 0;
    for (int t = 0; t < a->ntensors; t++) {
        if (a->tensors[t].count != b->tensors[t].count) return 0;
        if (memcmp(ba + a->tensors[t].offset, bb + b->tensors[t].offset,
                   a->tensors[t].count * sizeof(float)) != 0)
            return 0;
    }
    return 1;
}

static int all_zero(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (x[i] != 0.0f || signbit(x[i])) return 0;
    return 1;
}

/* A snapshot of a model's blocks, to show a failed load changed nothing. */
typedef struct snap {
    float *b[4];
    float *ptr[4];
    size_t n;
    int nlayers, ntensors;
} snap;

static void snap_take(snap *s, const clae_model *m)
{
    const float *src[4] = {m->params, m->grads, m->adam_m, m->adam_v};
    s->n = m->block_floats;
    s->nlayers = m->nlayers;
    s->ntensors = m->ntensors;
    for (int i = 0; i < 4; i++) {
        s->ptr[i] = (float *)src[i];
        s->b[i] = NULL;
        if (src[i]) {
            s->b[i] = malloc(s->n * sizeof(float));
            memcpy(s->b[i], src[i], s->n * sizeof(float));
        }
    }
}

static void snap_check_free(snap *s, const clae_model *m)
{
    const float *now[4] = {m->params, m->grads, m->adam_m, m->adam_v};
    ck_assert_int_eq(m->nlayers, s->nlayers);
    ck_assert_int_eq(m->ntensors, s->ntensors);
    for (int i = 0; i < 4; i++) {
        ck_assert_ptr_eq(now[i], s->ptr[i]);
        if (s->b[i]) ck_assert_msg(memcmp(now[i], s->b[i], s->n * sizeof(float)) == 0,
                                   "block %d changed by a failed load", i);
        free(s->b[i]);
    }
}

/* Fresh denoiser with a marker pattern (grads too), load path into it,
 * expect failure status st with one line containing want, m unchanged. */
static void expect_load_fail(const char *path, int flags, clae_status st, const char *want)
{
    clae_model m;
    denoiser(&m);
    fill_block(&m, m.grads, 99, 0);
    snap s;
    snap_take(&s, &m);
    clae_ckpt_meta mt;
    full_meta(&mt);
    cap_begin();
    clae_status got = clae_ckpt_load(path, &m, &mt, flags);
    cap_end();
    ck_assert_int_eq(got, st);
    assert_one_line(path, want);
    snap_check_free(&s, &m);
    ck_assert_int_eq(mt.epoch, 17); /* meta untouched too */
    ck_assert_str_eq(clae_ckpt_meta_get(&mt, "note"), "ünïcode \"quoted\"");
    clae_ckpt_meta_free(&mt);
    clae_model_free(&m);

    /* and an empty model stays empty */
    clae_model e = {0};
    cap_begin();
    got = clae_ckpt_load(path, &e, NULL, flags);
    cap_end();
    ck_assert_int_ne(got, CLAE_OK);
    ck_assert_int_eq(e.nlayers, 0);
    ck_assert_ptr_null(e.params);
    ck_assert_ptr_null(e.text);
}

/* A saved denoiser checkpoint at dir/name (with or without Adam). */
static void save_denoiser(const char *path, int with_adam)
{
    clae_model m;
    denoiser(&m);
    clae_ckpt_meta mt;
    full_meta(&mt);
    ck_assert_int_eq(clae_ckpt_save(path, &m, &mt, with_adam), CLAE_OK);
    clae_ckpt_meta_free(&mt);
    clae_model_free(&m);
}

/* Copy checkpoint src to dst through the safetensors API, setting metadata
 * key to val (val NULL: remove key), leaving out tensor drop, and adding a
 * tensor named add (a copy of the first tensor); the checksums follow the
 * new tensors and config, as in a file another tool wrote whole. */
static void rewrite(const char *src, const char *dst, const char *key, const char *val,
                    const char *drop, const char *add)
{
    clae_st_file f;
    ck_assert_int_eq(clae_st_open(src, &f), CLAE_OK);
    clae_st_tensor *t = calloc((size_t)f.n + 1, sizeof *t);
    int n = 0;
    for (int i = 0; i < f.n; i++) {
        if (drop && strcmp(f.tensors[i].name, drop) == 0) continue;
        clae_st_tensor *o = &t[n++];
        snprintf(o->name, sizeof o->name, "%s", f.tensors[i].name);
        o->ndim = f.tensors[i].ndim;
        memcpy(o->shape, f.tensors[i].shape, sizeof o->shape);
        o->data = f.tensors[i].data;
    }
    if (add) {
        t[n] = t[0];
        snprintf(t[n].name, sizeof t[n].name, "%s", add);
        n++;
    }
    const char *k[32], *v[32];
    int nm = 0, found = 0;
    uint32_t crc = 0;
    for (int i = 0; i < n; i++) {
        size_t count = 1;
        for (int d = 0; d < t[i].ndim; d++) count *= (size_t)t[i].shape[d];
        crc = clae_crc32c(crc, t[i].data, count * sizeof(float));
    }
    char crc_hex[16], config_hex[16];
    snprintf(crc_hex, sizeof crc_hex, "%08" PRIx32, crc);
    const int new_config = key && val && strcmp(key, "config") == 0;
    if (new_config)
        snprintf(config_hex, sizeof config_hex, "%08" PRIx32, clae_crc32c(0, val, strlen(val)));
    for (int i = 0; i < f.nmeta; i++) {
        if (new_config && strcmp(f.meta_keys[i], "config_crc32c") == 0) {
            k[nm] = f.meta_keys[i];
            v[nm++] = config_hex;
        } else if ((!key || strcmp(key, "data_crc32c") != 0) &&
                   strcmp(f.meta_keys[i], "data_crc32c") == 0) {
            k[nm] = f.meta_keys[i];
            v[nm++] = crc_hex;
        } else if (key && strcmp(f.meta_keys[i], key) == 0) {
            found = 1;
            if (!val) continue;
            k[nm] = key;
            v[nm++] = val;
        } else {
            k[nm] = f.meta_keys[i];
            v[nm++] = f.meta_vals[i];
        }
    }
    if (key && val && !found) {
        k[nm] = key;
        v[nm++] = val;
    }
    ck_assert_int_eq(clae_st_write(dst, t, n, k, v, nm), CLAE_OK);
    free(t);
    clae_st_close(&f);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return b;
}

static void spit(const char *path, const void *b, size_t n)
{
    FILE *fp = fopen(path, "wb");
    ck_assert(fp != NULL);
    ck_assert_uint_eq(fwrite(b, 1, n, fp), n);
    ck_assert_int_eq(fclose(fp), 0);
}

/* ------------------------------------------------------------------ tests */

START_TEST(test_round_trip_exact)
{
    char p[128];
    pathj(p, sizeof p, "rt.safetensors");
    clae_model a;
    denoiser(&a);
    clae_ckpt_meta mt;
    full_meta(&mt);
    ck_assert_int_eq(clae_ckpt_save(p, &a, &mt, 1), CLAE_OK);

    /* into a model built from the same config */
    clae_model b;
    load_cfg(DENOISER, &b);
    clae_ckpt_meta got;
    ck_assert_int_eq(clae_ckpt_load(p, &b, &got, 0), CLAE_OK);
    ck_assert_msg(tensors_equal(&a, a.params, &b, b.params), "params differ");
    ck_assert_msg(tensors_equal(&a, a.adam_m, &b, b.adam_m), "adam_m differs");
    ck_assert_msg(tensors_equal(&a, a.adam_v, &b, b.adam_v), "adam_v differs");
    ck_assert_msg(memcmp(a.params, b.params, a.block_floats * sizeof(float)) == 0,
                  "params block (with padding) differs");
    ck_assert_msg(all_zero(b.grads, b.block_floats), "grads not zeroed");
    fprintf(stderr, "round trip: %d tensors, %zu params, params/adam_m/adam_v bitwise equal\n",
            a.ntensors, a.nparams);

    ck_assert_int_eq(got.epoch, 17);
    ck_assert_int_eq(got.step, 123456789);
    ck_assert_uint_eq(got.seed, UINT64_MAX);
    ck_assert_uint_eq(got.rng, UINT64_MAX);
    /* %.9g: float precision */
    ck_assert_float_eq((float)got.best_val_loss, (float)mt.best_val_loss);
    ck_assert_float_eq((float)got.val_loss, (float)mt.val_loss);
    ck_assert_float_eq((float)got.train_loss, (float)mt.train_loss);
    ck_assert_int_eq(got.nextra, 2);
    ck_assert_str_eq(clae_ckpt_meta_get(&got, "history"), "[{\"epoch\": 1,\n \"loss\": 0.5}]");
    ck_assert_str_eq(clae_ckpt_meta_get(&got, "note"), "ünïcode \"quoted\"");
    ck_assert_ptr_null(clae_ckpt_meta_get(&got, "epoch"));
    clae_ckpt_meta_free(&got);
    ck_assert_int_eq(got.nextra, 0);

    /* defaults: inf / nan survive */
    clae_ckpt_meta d;
    clae_ckpt_meta_init(&d);
    ck_assert_int_eq(clae_ckpt_save(p, &a, &d, 1), CLAE_OK);
    ck_assert_int_eq(clae_ckpt_load(p, &b, &got, 0), CLAE_OK);
    ck_assert(isinf(got.best_val_loss) && got.best_val_loss > 0);
    ck_assert(isnan(got.val_loss) && isnan(got.train_loss));
    ck_assert_int_eq(got.epoch, 0);
    ck_assert_int_eq(got.nextra, 0);
    clae_ckpt_meta_free(&got);

    /* saving the loaded model again gives the same bytes */
    char p2[128];
    pathj(p2, sizeof p2, "rt2.safetensors");
    ck_assert_int_eq(clae_ckpt_save(p2, &b, &d, 1), CLAE_OK);
    size_t n1, n2;
    unsigned char *f1 = slurp(p, &n1), *f2 = slurp(p2, &n2);
    ck_assert_msg(n1 == n2 && memcmp(f1, f2, n1) == 0, "re-saved file differs");
    free(f1);
    free(f2);

    clae_ckpt_meta_free(&mt);
    clae_model_free(&a);
    clae_model_free(&b);
}
END_TEST

START_TEST(test_load_into_empty_model)
{
    char p[128];
    pathj(p, sizeof p, "empty.safetensors");
    clae_model a;
    denoiser(&a);
    clae_ckpt_meta mt;
    full_meta(&mt);
    ck_assert_int_eq(clae_ckpt_save(p, &a, &mt, 1), CLAE_OK);

    clae_model b = {0};
    ck_assert_int_eq(clae_ckpt_load(p, &b, NULL, 0), CLAE_OK);
    ck_assert_str_eq(b.text, a.text);
    ck_assert_int_eq(b.nlayers, a.nlayers);
    ck_assert_int_eq(b.ntensors, a.ntensors);
    ck_assert_uint_eq(b.nparams, a.nparams);
    ck_assert_uint_eq(b.block_floats, a.block_floats);
    ck_assert_int_eq(b.net.H, 32);
    ck_assert_int_eq(b.net.batch, a.net.batch);
    ck_assert_uint_eq(b.train.seed, a.train.seed);
    ck_assert_float_eq(b.net.adam.lr, a.net.adam.lr);
    for (int i = 0; i < a.nlayers; i++) {
        ck_assert_ptr_eq(b.layers[i].kind, a.layers[i].kind);
        ck_assert_int_eq(b.layers[i].act, a.layers[i].act);
        ck_assert_int_eq(b.layers[i].out_c, a.layers[i].out_c);
        ck_assert_int_eq(b.layers[i].out_h, a.layers[i].out_h);
    }
    for (int t = 0; t < a.ntensors; t++) {
        ck_assert_str_eq(b.tensors[t].name, a.tensors[t].name);
        ck_assert_uint_eq(b.tensors[t].offset, a.tensors[t].offset);
        ck_assert_mem_eq(b.tensors[t].dims, a.tensors[t].dims, sizeof a.tensors[t].dims);
    }
    ck_assert_msg(tensors_equal(&a, a.params, &b, b.params), "params differ");
    ck_assert_msg(tensors_equal(&a, a.adam_m, &b, b.adam_m), "adam_m differs");
    ck_assert_msg(tensors_equal(&a, a.adam_v, &b, b.adam_v), "adam_v differs");
    ck_assert_ptr_nonnull(strstr(b.name, "empty.safetensors:config"));
    fprintf(stderr, "empty model rebuilt from stored config as '%s': %d layers, %zu params\n",
            b.name, b.nlayers, b.nparams);
    clae_model_free(&b);

    /* a broken stored config is reported as <path>:config:<line> */
    char q[128];
    pathj(q, sizeof q, "badcfg.safetensors");
    rewrite(p, q, "config", "[net]\ninput=32,32,3\n[conv2d]\nfilters=0\nsize=3\n", NULL, NULL);
    clae_model e = {0};
    cap_begin();
    ck_assert_int_eq(clae_ckpt_load(q, &e, NULL, 0), CLAE_ERR_FORMAT);
    cap_end();
    char want[160];
    snprintf(want, sizeof want, "%s:config:4:", q);
    assert_one_line(q, want);
    ck_assert_int_eq(e.nlayers, 0);

    clae_ckpt_meta_free(&mt);
    clae_model_free(&a);
}
END_TEST

START_TEST(test_shape_mismatch)
{
    char p[128], cfg[128];
    pathj(p, sizeof p, "shape.safetensors");
    pathj(cfg, sizeof cfg, "wide.cfg");
    save_denoiser(p, 1);

    /* the denoiser with 16 filters in the first conv */
    size_t n;
    char *text = (char *)slurp(DENOISER, &n);
    text[n] = 0;
    char *at = strstr(text, "filters = 8");
    ck_assert_ptr_nonnull(at);
    FILE *fp = fopen(cfg, "w");
    fprintf(fp, "%.*sfilters = 16%s", (int)(at - text), text, at + strlen("filters = 8"));
    fclose(fp);
    free(text);

    clae_model w;
    load_cfg(cfg, &w);
    ck_assert_int_eq(w.tensors[0].dims[0], 16);
    clae_rng r;
    clae_rng_seed(&r, 3);
    ck_assert_int_eq(clae_model_init(&w, &r), CLAE_OK);
    snap s;
    snap_take(&s, &w);
    char want[256];
    snprintf(want, sizeof want,
             "clae: %s: tensor layers.0.weight has shape [8,3,3,3], expected [16,3,3,3] for this "
             "model\n",
             p);
    for (int flags = 0; flags <= CLAE_CKPT_WEIGHTS_ONLY; flags++) {
        cap_begin();
        ck_assert_int_eq(clae_ckpt_load(p, &w, NULL, flags), CLAE_ERR_FORMAT);
        cap_end();
        ck_assert_str_eq(g_err, want);
    }
    snap_check_free(&s, &w);
    clae_model_free(&w);
}
END_TEST

START_TEST(test_weights_only)
{
    char p[128];
    pathj(p, sizeof p, "noadam.safetensors");
    save_denoiser(p, 0);
    clae_st_file f;
    ck_assert_int_eq(clae_st_open(p, &f), CLAE_OK);
    ck_assert_int_eq(f.n, 10);
    clae_st_close(&f);

    /* resume needs the moments */
    char want[256];
    snprintf(want, sizeof want,
             "clae: %s: no optimizer state (layers.0.weight.adam_m); use --weights to start from "
             "these weights with a fresh optimizer\n",
             p);
    expect_load_fail(p, 0, CLAE_ERR_FORMAT, "no optimizer state (layers.0.weight.adam_m)");
    ck_assert_str_eq(g_err, want);

    /* weights only: parameters loaded, moments and grads zeroed */
    clae_model ref;
    denoiser(&ref);
    clae_model m;
    denoiser(&m);
    clae_rng r;
    clae_rng_seed(&r, 1234); /* different weights */
    ck_assert_int_eq(clae_model_init(&m, &r), CLAE_OK);
    fill_block(&m, m.grads, 5, 0);
    ck_assert(!tensors_equal(&ref, ref.params, &m, m.params));
    clae_ckpt_meta mt;
    ck_assert_int_eq(clae_ckpt_load(p, &m, &mt, CLAE_CKPT_WEIGHTS_ONLY), CLAE_OK);
    ck_assert_msg(tensors_equal(&ref, ref.params, &m, m.params), "params differ");
    ck_assert_msg(all_zero(m.adam_m, m.block_floats), "adam_m not zeroed");
    ck_assert_msg(all_zero(m.adam_v, m.block_floats), "adam_v not zeroed");
    ck_assert_msg(all_zero(m.grads, m.block_floats), "grads not zeroed");
    ck_assert_int_eq(mt.step, 123456789);
    clae_ckpt_meta_free(&mt);

    /* weights only from a file with moments: they are ignored */
    char q[128];
    pathj(q, sizeof q, "withadam.safetensors");
    save_denoiser(q, 1);
    fill_block(&m, m.adam_m, 6, 0);
    ck_assert_int_eq(clae_ckpt_load(q, &m, NULL, CLAE_CKPT_WEIGHTS_ONLY), CLAE_OK);
    ck_assert_msg(tensors_equal(&ref, ref.params, &m, m.params), "params differ");
    ck_assert_msg(all_zero(m.adam_m, m.block_floats), "adam_m not zeroed");

    /* a model without blocks yet gets them allocated */
    clae_model c;
    load_cfg(DENOISER, &c);
    ck_assert_ptr_null(c.params);
    ck_assert_int_eq(clae_ckpt_load(p, &c, NULL, CLAE_CKPT_WEIGHTS_ONLY), CLAE_OK);
    ck_assert_msg(tensors_equal(&ref, ref.params, &c, c.params), "params differ");

    /* a plain safetensors file (no clae metadata, e.g. from PyTorch): weights only */
    char plain[128];
    pathj(plain, sizeof plain, "plain.safetensors");
    clae_st_tensor t[16];
    for (int i = 0; i < ref.ntensors; i++) {
        memset(&t[i], 0, sizeof t[i]);
        snprintf(t[i].name, sizeof t[i].name, "%s", ref.tensors[i].name);
        t[i].ndim = ref.tensors[i].ndim;
        for (int d = 0; d < t[i].ndim; d++) t[i].shape[d] = ref.tensors[i].dims[d];
        t[i].data = ref.params + ref.tensors[i].offset;
    }
    ck_assert_int_eq(clae_st_write(plain, t, ref.ntensors, NULL, NULL, 0), CLAE_OK);
    memset(c.params, 0, c.block_floats * sizeof(float));
    ck_assert_int_eq(clae_ckpt_load(plain, &c, &mt, CLAE_CKPT_WEIGHTS_ONLY), CLAE_OK);
    ck_assert_msg(tensors_equal(&ref, ref.params, &c, c.params), "params differ");
    ck_assert_int_eq(mt.epoch, 0);
    ck_assert(isinf(mt.best_val_loss));
    expect_load_fail(plain, 0, CLAE_ERR_FORMAT, "not a clae checkpoint (no 'format' metadata)");

    clae_model_free(&c);
    clae_model_free(&m);
    clae_model_free(&ref);
}
END_TEST

START_TEST(test_tensor_set_errors)
{
    char p[128], q[128];
    pathj(p, sizeof p, "good.safetensors");
    pathj(q, sizeof q, "bad.safetensors");
    save_denoiser(p, 1);

    rewrite(p, q, NULL, NULL, "layers.4.bias.adam_v", NULL);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "tensor layers.4.bias.adam_v is missing");
    rewrite(p, q, NULL, NULL, "layers.6.weight", NULL);
    expect_load_fail(q, CLAE_CKPT_WEIGHTS_ONLY, CLAE_ERR_FORMAT,
                     "tensor layers.6.weight is missing");
    rewrite(p, q, NULL, NULL, NULL, "layers.9.weight");
    expect_load_fail(q, 0, CLAE_ERR_FORMAT,
                     "unexpected tensor layers.9.weight (not in this model)");
    rewrite(p, q, NULL, NULL, NULL, "layers.9.weight.adam_m");
    expect_load_fail(q, CLAE_CKPT_WEIGHTS_ONLY, CLAE_ERR_FORMAT,
                     "unexpected tensor layers.9.weight.adam_m (not in this model)");
}
END_TEST

START_TEST(test_corrupt_files)
{
    char p[128], q[128];
    pathj(p, sizeof p, "src.safetensors");
    pathj(q, sizeof q, "corrupt.safetensors");
    save_denoiser(p, 1);
    size_t n;
    unsigned char *b = slurp(p, &n);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | b[i];

    /* absurd header length */
    unsigned char *c = malloc(n);
    memcpy(c, b, n);
    uint64_t big = 1ULL << 40;
    for (int i = 0; i < 8; i++) c[i] = (unsigned char)(big >> (8 * i));
    spit(q, c, n);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "header length 1099511627776 is absurd");

    /* header length past the end of the file */
    uint64_t past = n;
    for (int i = 0; i < 8; i++) c[i] = (unsigned char)(past >> (8 * i));
    spit(q, c, n);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "is larger than the file");

    /* header length one short: JSON cut */
    memcpy(c, b, n);
    for (int i = 0; i < 8; i++) c[i] = (unsigned char)((hlen - 9) >> (8 * i));
    spit(q, c, n);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "header JSON does not parse");

    /* truncated: the last tensor's offsets run past the end */
    spit(q, b, n - 4);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "run past the end of the data section");
    spit(q, b, 8 + hlen);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "run past the end of the data section");
    spit(q, b, 5);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "shorter than the 8-byte header length");
    spit(q, b, 0);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "shorter than the 8-byte header length");

    /* an offset patched in place (same length) to point past the end */
    memcpy(c, b, n);
    c[n - 1] ^= 0xff; /* data only: still loads */
    char *hdr = (char *)c + 8;
    char *o = strstr(hdr, "\"data_offsets\":[0,");
    ck_assert_ptr_nonnull(o);
    char *digit = o + strlen("\"data_offsets\":[0,");
    ck_assert(*digit >= '1' && *digit <= '8');
    *digit = '9'; /* end grows: wrong size for the shape */
    spit(q, c, n);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "data_offsets [0, 9");

    /* junk: text (a config given for a checkpoint), then binary */
    memset(c, 'x', n);
    spit(q, c, n);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "a text file (a config?), not a checkpoint");
    memset(c, 0xff, n);
    spit(q, c, n);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "is absurd");

    /* missing file, directory */
    char miss[128];
    pathj(miss, sizeof miss, "no-such.safetensors");
    expect_load_fail(miss, 0, CLAE_ERR_IO, "cannot open: No such file or directory");
    expect_load_fail(g_dir, 0, CLAE_ERR_IO, "is a directory");
    free(c);
    free(b);
}
END_TEST

START_TEST(test_bad_metadata)
{
    char p[128], q[128];
    pathj(p, sizeof p, "meta.safetensors");
    pathj(q, sizeof q, "badmeta.safetensors");
    save_denoiser(p, 1);

    static const struct {
        const char *key, *val, *want;
    } cases[] = {
        {"epoch", "abc", "metadata 'epoch' is not a non-negative integer ('abc')"},
        {"epoch", "-1", "metadata 'epoch' is not a non-negative integer ('-1')"},
        {"epoch", "", "metadata 'epoch' is not a non-negative integer ('')"},
        {"step", "1.5", "metadata 'step' is not a non-negative integer ('1.5')"},
        {"step", "99999999999999999999", "metadata 'step' is not a non-negative integer"},
        {"step", " 7", "metadata 'step' is not a non-negative integer"},
        {"step", "9223372036854775807", "metadata 'step' is 9223372036854775807, over the limit"},
        {"epoch", "1000000000000001", "metadata 'epoch' is 1000000000000001, over the limit"},
        {"seed", "18446744073709551616", "metadata 'seed' is not an unsigned 64-bit integer"},
        {"rng", "-5", "metadata 'rng' is not an unsigned 64-bit integer ('-5')"},
        {"rng", "12\n34", "metadata 'rng' is not an unsigned 64-bit integer ('12?34')"},
        {"best_val_loss", "low", "metadata 'best_val_loss' is not a number ('low')"},
        {"train_loss", "0.5x", "metadata 'train_loss' is not a number ('0.5x')"},
        {"format", "clae-checkpoint-2", "unsupported checkpoint format 'clae-checkpoint-2'"},
        {"val_loss", NULL, "missing metadata key 'val_loss'"},
        {"config", NULL, "missing metadata key 'config'"},
        {"format", NULL, "not a clae checkpoint (no 'format' metadata)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rewrite(p, q, cases[i].key, cases[i].val, NULL, NULL);
        expect_load_fail(q, 0, CLAE_ERR_FORMAT, cases[i].want);
    }
    /* the largest values are fine */
    rewrite(p, q, "rng", "18446744073709551615", NULL, NULL);
    clae_model m = {0};
    clae_ckpt_meta mt;
    ck_assert_int_eq(clae_ckpt_load(q, &m, &mt, 0), CLAE_OK);
    ck_assert_uint_eq(mt.rng, UINT64_MAX);
    clae_ckpt_meta_free(&mt);
    clae_model_free(&m);
}
END_TEST

START_TEST(test_save_errors)
{
    char p[128];
    pathj(p, sizeof p, "save.safetensors");
    clae_model m;
    load_cfg(DENOISER, &m);
    clae_ckpt_meta mt;
    clae_ckpt_meta_init(&mt);
    cap_begin();
    ck_assert_int_eq(clae_ckpt_save(p, &m, &mt, 0), CLAE_ERR_ARG); /* no blocks */
    cap_end();
    assert_one_line(p, "no parameters allocated");
    ck_assert_int_eq(access(p, F_OK), -1);

    ck_assert_int_eq(clae_model_alloc(&m), CLAE_OK);
    cap_begin();
    ck_assert_int_eq(clae_ckpt_meta_set(&mt, "epoch", "3"), CLAE_ERR_ARG);
    cap_end();
    ck_assert_ptr_nonnull(strstr(g_err, "key 'epoch' is reserved"));
    char k[CLAE_CKPT_MAX_EXTRA][16];
    for (int i = 0; i < CLAE_CKPT_MAX_EXTRA; i++) {
        snprintf(k[i], sizeof k[i], "k%d", i);
        ck_assert_int_eq(clae_ckpt_meta_set(&mt, k[i], "v"), CLAE_OK);
    }
    cap_begin();
    ck_assert_int_eq(clae_ckpt_meta_set(&mt, "one-more", "v"), CLAE_ERR_ARG);
    cap_end();
    ck_assert_int_eq(clae_ckpt_save(p, &m, &mt, 1), CLAE_OK);
    clae_ckpt_meta_free(&mt);

    /* extras filled by hand: reserved or duplicate keys refused */
    clae_ckpt_meta h;
    clae_ckpt_meta_init(&h);
    h.nextra = 2;
    h.extra_keys[0] = "a";
    h.extra_vals[0] = "1";
    h.extra_keys[1] = "a";
    h.extra_vals[1] = "2";
    cap_begin();
    ck_assert_int_eq(clae_ckpt_save(p, &m, &h, 1), CLAE_ERR_ARG);
    cap_end();
    assert_one_line(p, "extra metadata key 'a' given twice");
    h.extra_keys[1] = "rng";
    cap_begin();
    ck_assert_int_eq(clae_ckpt_save(p, &m, &h, 1), CLAE_ERR_ARG);
    cap_end();
    assert_one_line(p, "extra metadata key 'rng' is reserved");
    h.extra_keys[1] = "b";
    h.epoch = -1;
    cap_begin();
    ck_assert_int_eq(clae_ckpt_save(p, &m, &h, 1), CLAE_ERR_ARG);
    cap_end();
    assert_one_line(p, "negative epoch");

    /* the earlier good file is still intact after failed saves */
    clae_model e = {0};
    clae_ckpt_meta got;
    ck_assert_int_eq(clae_ckpt_load(p, &e, &got, 0), CLAE_OK);
    ck_assert_int_eq(got.nextra, CLAE_CKPT_MAX_EXTRA);
    clae_ckpt_meta_free(&got);
    clae_model_free(&e);

    /* unwritable path */
    char bad[160];
    pathj(bad, sizeof bad, "no-dir/x.safetensors");
    h.epoch = 0;
    cap_begin();
    ck_assert_int_eq(clae_ckpt_save(bad, &m, &h, 0), CLAE_ERR_IO);
    cap_end();
    assert_one_line(bad, "No such file or directory");
    clae_model_free(&m);
}
END_TEST

/* The mid-epoch resume point of the run in mt (clae_run_from_meta). */
static clae_status resume_point(const clae_ckpt_meta *mt, const clae_model *m, const char *path,
                                long *es, double *ls)
{
    clae_run r;
    clae_run_init(&r, m);
    clae_status st = clae_run_from_meta(&r, mt, path);
    *es = r.epoch_step;
    *ls = r.epoch_loss_sum;
    return st;
}

/* The mid-epoch resume point is validated, not trusted: a malformed
 * epoch_step or epoch_loss_sum is refused by name (it was read as 0). */
START_TEST(test_resume_point)
{
    char p[128], q[128];
    pathj(p, sizeof p, "resume.safetensors");
    pathj(q, sizeof q, "resume-bad.safetensors");
    save_denoiser(p, 1);
    clae_model m = {0};
    clae_ckpt_meta mt;
    long es = -1;
    double ls = -1;
    /* none stored (a checkpoint from `clae init`): the start of the epoch */
    ck_assert_int_eq(clae_ckpt_load(p, &m, &mt, 0), CLAE_OK);
    ck_assert_int_eq(resume_point(&mt, &m, p, &es, &ls), CLAE_OK);
    ck_assert(es == 0 && ls == 0.0);
    clae_ckpt_meta_free(&mt);
    clae_model_free(&m);

    static const struct {
        const char *key, *val, *want;
    } bad[] = {
        {"epoch_step", "abc", "metadata 'epoch_step' is not an integer from 0 to"},
        {"epoch_step", "-3", "metadata 'epoch_step' is not an integer from 0 to"},
        {"epoch_step", "9223372036854775807", "metadata 'epoch_step' is not an integer"},
        {"epoch_loss_sum", "nan", "metadata 'epoch_loss_sum' is not a finite number >= 0"},
        {"epoch_loss_sum", "-0.5", "metadata 'epoch_loss_sum' is not a finite number >= 0"},
        {"epoch_loss_sum", "1e400", "metadata 'epoch_loss_sum' is not a finite number >= 0"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rewrite(p, q, bad[i].key, bad[i].val, NULL, NULL);
        ck_assert_int_eq(clae_ckpt_load(q, &m, &mt, 0), CLAE_OK);
        cap_begin();
        clae_status st = resume_point(&mt, &m, q, &es, &ls);
        cap_end();
        ck_assert_int_eq(st, CLAE_ERR_FORMAT);
        assert_one_line(q, bad[i].want);
        clae_ckpt_meta_free(&mt);
        clae_model_free(&m);
    }
    rewrite(p, q, "epoch_step", "12", NULL, NULL);
    ck_assert_int_eq(clae_ckpt_load(q, &m, &mt, 0), CLAE_OK);
    ck_assert_int_eq(resume_point(&mt, &m, q, &es, &ls), CLAE_OK);
    ck_assert_int_eq(es, 12);
    clae_ckpt_meta_free(&mt);
    clae_model_free(&m);
}
END_TEST

/* A run's state through its metadata and back (clae_run_to_meta /
 * clae_run_from_meta): every field, the keys in the order checkpoints have
 * always had them, numbers written exactly. */
START_TEST(test_run_meta_round_trip)
{
    clae_model m;
    ck_assert_int_eq(clae_model_load("configs/denoiser.cfg", &m), CLAE_OK);
    clae_run a, b;
    clae_run_init(&a, &m);
    a.seed = 12345678901234ULL;
    a.shuffle = 0;
    a.epochs = 9;
    ck_assert(clae_classes_parse("1,3", &a.classes));
    snprintf(a.data, sizeof a.data, "/data/cifar");
    snprintf(a.out, sizeof a.out, "/runs/x");
    a.data_H = 32, a.data_W = 32, a.data_C = 3;
    a.data_ntrain = 50000, a.data_ntest = 10000;
    a.limit = 640;
    a.epoch = 4, a.epoch_step = 7, a.epoch_loss_sum = 0.1 + 0.2, a.step = 99;
    a.best_val = 1.0 / 3.0, a.val_loss = 0.5, a.train_loss = NAN;
    a.lr = 2.5e-4f;
    a.wait = 2, a.lr_wait = 1;
    snprintf(a.history, sizeof a.history, "{\"epoch\": 4}");
    clae_ckpt_meta mt;
    ck_assert_int_eq(clae_run_to_meta(&a, &mt), CLAE_OK);
    static const char *const KEYS[] = {"epoch_step", "epoch_loss_sum", "history", "data",
                                       "data_shape", "data_images", "limit", "shuffle",
                                       "epochs", "out", "lr", "plateau", "classes"};
    ck_assert_int_eq(mt.nextra, (int)(sizeof KEYS / sizeof KEYS[0]));
    for (int i = 0; i < mt.nextra; i++) ck_assert_str_eq(mt.extra_keys[i], KEYS[i]);
    ck_assert_str_eq(clae_ckpt_meta_get(&mt, "epoch_loss_sum"), "0.30000000000000004");
    ck_assert_str_eq(clae_ckpt_meta_get(&mt, "data_shape"), "32,32,3");
    ck_assert_str_eq(clae_ckpt_meta_get(&mt, "lr"), "0.000250000012");
    ck_assert_str_eq(clae_ckpt_meta_get(&mt, "plateau"), "2,1");
    ck_assert_str_eq(clae_ckpt_meta_get(&mt, "classes"), "1,3");
    clae_run_init(&b, &m);
    ck_assert_int_eq(clae_run_from_meta(&b, &mt, "x"), CLAE_OK);
    ck_assert(b.seed == a.seed && b.shuffle == 0 && b.epochs == 9 && b.limit == 640);
    ck_assert_mem_eq(&b.classes, &a.classes, sizeof a.classes);
    ck_assert_str_eq(b.data, a.data);
    ck_assert_str_eq(b.out, a.out);
    ck_assert(b.data_ntrain == 50000 && b.data_ntest == 10000 && b.data_C == 3);
    ck_assert(b.epoch == 4 && b.epoch_step == 7 && b.step == 99);
    ck_assert(b.epoch_loss_sum == a.epoch_loss_sum && b.best_val == a.best_val);
    ck_assert(b.val_loss == 0.5 && isnan(b.train_loss) && b.lr == a.lr);
    ck_assert(b.wait == 2 && b.lr_wait == 1);
    ck_assert_str_eq(b.history, a.history);
    clae_ckpt_meta_free(&mt);
    /* a run without recorded settings, classes or history writes none */
    clae_run_init(&a, &m);
    ck_assert_int_eq(clae_run_to_meta(&a, &mt), CLAE_OK);
    ck_assert_int_eq(mt.nextra, 4);
    ck_assert_ptr_null(clae_ckpt_meta_get(&mt, "data"));
    clae_ckpt_meta_free(&mt);
    clae_model_free(&m);
}
END_TEST

/* The best epoch, and whether [train] restore_best put its weights in a checkpoint, through
 * the metadata and back; a malformed value is refused by name (issue 26 item 5). */
START_TEST(test_run_meta_best_epoch)
{
    clae_model m;
    ck_assert_int_eq(clae_model_load("configs/denoiser.cfg", &m), CLAE_OK);
    clae_run a, b;
    clae_run_init(&a, &m);
    a.best_epoch = 7;
    a.restored = 1;
    clae_ckpt_meta mt;
    ck_assert_int_eq(clae_run_to_meta(&a, &mt), CLAE_OK);
    ck_assert_str_eq(clae_ckpt_meta_get(&mt, "best_epoch"), "7,restored");
    clae_run_init(&b, &m);
    ck_assert_int_eq(clae_run_from_meta(&b, &mt, "x"), CLAE_OK);
    ck_assert(b.best_epoch == 7 && b.restored == 1);
    clae_ckpt_meta_free(&mt);
    a.restored = 0;
    ck_assert_int_eq(clae_run_to_meta(&a, &mt), CLAE_OK);
    ck_assert_str_eq(clae_ckpt_meta_get(&mt, "best_epoch"), "7");
    ck_assert_int_eq(clae_run_from_meta(&b, &mt, "x"), CLAE_OK);
    ck_assert(b.best_epoch == 7 && b.restored == 0);
    static const char *const BAD[] = {"abc", "0", "-2", "7,later", "7restored", ""};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        ck_assert_int_eq(clae_ckpt_meta_set(&mt, "best_epoch", BAD[i]), CLAE_OK);
        cap_begin();
        clae_status st = clae_run_from_meta(&b, &mt, "x.safetensors");
        cap_end();
        ck_assert_int_eq(st, CLAE_ERR_FORMAT);
        assert_one_line("x.safetensors", "metadata 'best_epoch' is not an epoch");
    }
    clae_ckpt_meta_free(&mt);
    clae_model_free(&m);
}
END_TEST

/* ---- integrity: values and checksums checked at load (issue 25, items 4 and 5) ---- */

START_TEST(test_crc32c_known_answer)
{
    ck_assert_uint_eq(clae_crc32c(0, "123456789", 9), 0xE3069283u);
    ck_assert_uint_eq(clae_crc32c(0, "", 0), 0u);
    /* in pieces, across the eight-byte steps, as the whole */
    const char *text = "The quick brown fox jumps over the lazy dog, twice over.";
    size_t n = strlen(text);
    uint32_t whole = clae_crc32c(0, text, n);
    for (size_t cut = 0; cut <= n; cut++)
        ck_assert_uint_eq(clae_crc32c(clae_crc32c(0, text, cut), text + cut, n - cut), whole);
    ck_assert_uint_eq(clae_crc32c(0, "a", 1), 0xC1D04330u);
}
END_TEST

/* A denoiser checkpoint whose block b (0 params, 1 adam_m, 2 adam_v) holds
 * value at index i of tensor t, saved with a checksum that matches. */
static void save_poked(const char *path, int b, int t, size_t i, float value)
{
    clae_model m;
    denoiser(&m);
    float *block[3] = {m.params, m.adam_m, m.adam_v};
    block[b][m.tensors[t].offset + i] = value;
    clae_ckpt_meta mt;
    full_meta(&mt);
    ck_assert_int_eq(clae_ckpt_save(path, &m, &mt, 1), CLAE_OK);
    clae_ckpt_meta_free(&mt);
    clae_model_free(&m);
}

START_TEST(test_non_finite_refused)
{
    char p[128];
    pathj(p, sizeof p, "nan.safetensors");
    /* one NaN weight in layer 0, for a full resume and for weights only */
    save_poked(p, 0, 0, 17, NAN);
    expect_load_fail(p, 0, CLAE_ERR_FORMAT, "tensor layers.0.weight holds nan at index 17");
    expect_load_fail(p, CLAE_CKPT_WEIGHTS_ONLY, CLAE_ERR_FORMAT,
                     "tensor layers.0.weight holds nan at index 17 (not a finite number)");
    save_poked(p, 0, 3, 0, -INFINITY);
    expect_load_fail(p, CLAE_CKPT_WEIGHTS_ONLY, CLAE_ERR_FORMAT,
                     "tensor layers.2.bias holds -inf at index 0");
    /* Adam: m finite, v finite and not negative */
    save_poked(p, 1, 2, 5, INFINITY);
    expect_load_fail(p, 0, CLAE_ERR_FORMAT, "tensor layers.2.weight.adam_m holds inf at index 5");
    save_poked(p, 2, 1, 2, -1e-3f);
    expect_load_fail(p, 0, CLAE_ERR_FORMAT,
                     "tensor layers.0.bias.adam_v holds -0.001 at index 2 (a negative Adam "
                     "second moment)");
    save_poked(p, 2, 1, 2, NAN);
    expect_load_fail(p, 0, CLAE_ERR_FORMAT, "tensor layers.0.bias.adam_v holds nan at index 2");
    /* weights only: the moments are not loaded, so not judged */
    clae_model m = {0};
    ck_assert_int_eq(clae_ckpt_load(p, &m, NULL, CLAE_CKPT_WEIGHTS_ONLY), CLAE_OK);
    clae_model_free(&m);

    /* all NaN */
    clae_model a;
    denoiser(&a);
    for (size_t i = 0; i < a.block_floats; i++) a.params[i] = NAN;
    clae_ckpt_meta mt;
    full_meta(&mt);
    ck_assert_int_eq(clae_ckpt_save(p, &a, &mt, 0), CLAE_OK);
    clae_ckpt_meta_free(&mt);
    clae_model_free(&a);
    expect_load_fail(p, CLAE_CKPT_WEIGHTS_ONLY, CLAE_ERR_FORMAT,
                     "tensor layers.0.weight holds nan at index 0");
}
END_TEST

/* path's bytes with the first occurrence of from (in the header) replaced by
 * to (as long), or bit of byte at (from the data section's start) flipped. */
static void patch(const char *path, const char *out, const char *from, const char *to,
                  long at, int bit)
{
    size_t n;
    unsigned char *b = slurp(path, &n);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | b[i];
    if (from) {
        char *hit = strstr((char *)b + 8, from);
        ck_assert_ptr_nonnull(hit);
        ck_assert((uint64_t)(hit - (char *)b) < 8 + hlen);
        memcpy(hit, to, strlen(to));
    } else {
        ck_assert((uint64_t)at < n - 8 - hlen);
        b[8 + hlen + (uint64_t)at] ^= (unsigned char)(1u << bit);
    }
    spit(out, b, n);
    free(b);
}

START_TEST(test_checksum_refuses_damage)
{
    char p[128], q[128];
    pathj(p, sizeof p, "good.safetensors");
    pathj(q, sizeof q, "damaged.safetensors");
    save_denoiser(p, 1);
    /* the good file loads without a word */
    clae_model m = {0};
    cap_begin();
    ck_assert_int_eq(clae_ckpt_load(p, &m, NULL, 0), CLAE_OK);
    cap_end();
    ck_assert_str_eq(g_err, "");
    clae_model_free(&m);
    /* one bit of a weight (an exponent bit), of an Adam moment, of the last byte */
    patch(p, q, NULL, NULL, 4 * 10 + 3, 6);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "checksum mismatch in the tensor data");
    expect_load_fail(q, CLAE_CKPT_WEIGHTS_ONLY, CLAE_ERR_FORMAT, "the file is damaged");
    size_t n;
    unsigned char *b = slurp(p, &n);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | b[i];
    free(b);
    patch(p, q, NULL, NULL, (long)(n - 8 - hlen - 1), 0);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "checksum mismatch in the tensor data");
    /* the stored config's activation changed (relu -> tanh, same length) */
    patch(p, q, "relu", "tanh", 0, 0);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "checksum mismatch in the stored config");
    /* a checksum that is not one, or only one of the two */
    rewrite(p, q, "data_crc32c", "banana", NULL, NULL);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "stored banana, computed");
    rewrite(p, q, "config_crc32c", NULL, NULL, NULL);
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "metadata 'config_crc32c' is missing");
    /* they are reserved: no run may set them */
    clae_ckpt_meta mt;
    clae_ckpt_meta_init(&mt);
    cap_begin();
    ck_assert_int_eq(clae_ckpt_meta_set(&mt, "data_crc32c", "0"), CLAE_ERR_ARG);
    cap_end();
    clae_ckpt_meta_free(&mt);
}
END_TEST

START_TEST(test_checksum_absent_loads_with_note)
{
    char p[128], q[128];
    pathj(p, sizeof p, "new.safetensors");
    pathj(q, sizeof q, "old.safetensors");
    save_denoiser(p, 1);
    clae_st_file f; /* as an older clae wrote it: no checksum keys */
    ck_assert_int_eq(clae_st_open(p, &f), CLAE_OK);
    clae_st_tensor *t = calloc((size_t)f.n, sizeof *t);
    for (int i = 0; i < f.n; i++) {
        snprintf(t[i].name, sizeof t[i].name, "%s", f.tensors[i].name);
        t[i].ndim = f.tensors[i].ndim;
        memcpy(t[i].shape, f.tensors[i].shape, sizeof t[i].shape);
        t[i].data = f.tensors[i].data;
    }
    const char *k[32], *v[32];
    int nm = 0;
    for (int i = 0; i < f.nmeta; i++)
        if (!strstr(f.meta_keys[i], "crc32c")) k[nm] = f.meta_keys[i], v[nm++] = f.meta_vals[i];
    ck_assert_int_eq(nm, f.nmeta - 2);
    ck_assert_int_eq(clae_st_write(q, t, f.n, k, v, nm), CLAE_OK);
    free(t);
    clae_st_close(&f);
    clae_model m = {0}, a = {0};
    cap_begin();
    ck_assert_int_eq(clae_ckpt_load(q, &m, NULL, 0), CLAE_OK);
    cap_end();
    assert_one_line(q, "note: no checksum stored (written by an older clae)");
    ck_assert_int_eq(clae_ckpt_load(p, &a, NULL, 0), CLAE_OK);
    ck_assert_msg(tensors_equal(&a, a.params, &m, m.params), "params differ");
    clae_model_free(&m);
    clae_model_free(&a);
}
END_TEST

/* src with tensor name's entry cut out of the header (the JSON shifted,
 * spaces after it: same length), its bytes left in the data section. */
static void drop_header_entry(const char *src, const char *dst, const char *name)
{
    size_t n;
    unsigned char *b = slurp(src, &n);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | b[i];
    char key[160];
    snprintf(key, sizeof key, "\"%s\":{", name);
    char *hdr = (char *)b + 8, *at = strstr(hdr, key);
    ck_assert_ptr_nonnull(at);
    char *end = strchr(at, '}'); /* an entry holds no nested object */
    ck_assert_ptr_nonnull(end);
    end++;
    if (*end == ',') end++;
    else if (at[-1] == ',') at--; /* the last entry: its comma goes before it */
    size_t cut = (size_t)(end - at), tail = (size_t)(hdr + hlen - end);
    memmove(at, end, tail);
    memset(at + tail, ' ', cut);
    spit(dst, b, n);
    free(b);
}

START_TEST(test_missing_tensor_named)
{
    char p[128], q[128];
    pathj(p, sizeof p, "whole.safetensors");
    pathj(q, sizeof q, "cut.safetensors");
    save_denoiser(p, 1);
    /* a gap where it was */
    drop_header_entry(p, q, "layers.4.bias");
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "tensor layers.4.bias is missing");
    expect_load_fail(q, CLAE_CKPT_WEIGHTS_ONLY, CLAE_ERR_FORMAT, "tensor layers.4.bias is missing");
    /* the last tensor of the file: bytes after the last one */
    drop_header_entry(p, q, "layers.6.bias.adam_v");
    expect_load_fail(q, 0, CLAE_ERR_FORMAT, "tensor layers.6.bias.adam_v is missing");
    /* weights only: the moments are not needed, the gap is still reported */
    drop_header_entry(p, q, "layers.0.weight.adam_m");
    expect_load_fail(q, CLAE_CKPT_WEIGHTS_ONLY, CLAE_ERR_FORMAT,
                     "bytes in the data section before tensor layers.0.weight.adam_v");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("checkpoint");
    tcase_add_test(tc, test_round_trip_exact);
    tcase_add_test(tc, test_load_into_empty_model);
    tcase_add_test(tc, test_shape_mismatch);
    tcase_add_test(tc, test_weights_only);
    tcase_add_test(tc, test_tensor_set_errors);
    tcase_add_test(tc, test_corrupt_files);
    tcase_add_test(tc, test_bad_metadata);
    tcase_add_test(tc, test_resume_point);
    tcase_add_test(tc, test_run_meta_round_trip);
    tcase_add_test(tc, test_run_meta_best_epoch);
    tcase_add_test(tc, test_save_errors);
    tcase_add_test(tc, test_crc32c_known_answer);
    tcase_add_test(tc, test_non_finite_refused);
    tcase_add_test(tc, test_checksum_refuses_damage);
    tcase_add_test(tc, test_checksum_absent_loads_with_note);
    tcase_add_test(tc, test_missing_tensor_named);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/clae-ckpt-XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = tu_run(suite());
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
    return rc;
}
