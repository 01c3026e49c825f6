/* The direct convolutions' tuned parameters (clae/tune.h, ops/conv2d_tune.h):
 * every candidate `clae tune` may keep against the reference twin (a
 * conv2d and a stride-2 conv2d_transpose, with a bias and an activation:
 * forward, input gradient, weight and bias gradients); the tuning file
 * written and read back; a tuned entry changing the kernel built; a
 * malformed file, a bad entry and another device's file falling back to the
 * defaults with one warning; the CPU defaults being clae's values from
 * before the tuner (an untuned run unchanged bit for bit). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clae/tune.h"
#include "ops/conv2d_direct.h"
#include "ops/conv2d_tune.h"
#include "testutil.h"

typedef struct tcase {
    int tr, N, C, H, W, K, R, S, sh, sw;
    clae_epi act, din_act;
} tcase;

/* A conv2d 5 -> 6 channels (odd width, blocks with a tail) and a stride-2
 * conv2d_transpose 4 -> 6, both with a bias and activations. */
static const tcase TCASES[] = {
    {0, 3, 5, 7, 13, 6, 3, 3, 1, 1, {CLAE_ACT_RELU, 0.0f}, {CLAE_ACT_TANH, 0.0f}},
    {1, 3, 4, 5, 7, 6, 3, 3, 2, 2, {CLAE_ACT_SIGMOID, 0.0f}, {CLAE_ACT_LEAKY_RELU, 0.2f}},
};

static clae_conv_shape shape_of(const tcase *c)
{
    clae_conv_shape g;
    clae_status st = c->tr ? clae_conv2d_transpose_shape(&g, c->N, c->C, c->H, c->W, c->K, c->R,
                                                         c->S, c->sh, c->sw, CLAE_PAD_SAME)
                           : clae_conv2d_shape(&g, c->N, c->C, c->H, c->W, c->K, c->R, c->S,
                                               c->sh, c->sw, CLAE_PAD_SAME);
    ck_assert_int_eq(st, CLAE_OK);
    return g;
}

/* Every value within tolerance, quietly; tu_close's report when not. */
static void check_close(const char *what, const float *got, const float *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const double a = got[i], b = want[i];
        if (!(fabs(a - b) <= TOL_SUM_ABS + TOL_SUM_REL * fmax(fabs(a), fabs(b)))) {
            ck_assert_close(what, got, want, n, TOL_SUM_ABS, TOL_SUM_REL);
            return;
        }
    }
}

/* The tuning table the device reads, swapped for a test's own. */
static clae_tune_table *swap_table(clae_device *d, clae_tune_table *t)
{
    clae_tune_table *old = d->tune;
    d->tune = t;
    return old;
}

/* _i: the case (bit 0) and the pass (bits 1-2: forward, din, dw + db). */
START_TEST(test_tune_every_candidate)
{
    clae_device *d = tu_device();
    const tcase *c = &TCASES[_i & 1];
    const int pass = _i >> 1;
    const clae_conv_shape g = shape_of(c);
    const size_t nin = (size_t)g.N * g.C * g.H * g.W, nout = (size_t)g.N * g.K * g.P * g.Q;
    const size_t nw = (size_t)g.K * g.C * g.R * g.S, nb = (size_t)g.K;
    uint64_t seed = 500 + (uint64_t)_i;
    float *in = tu_alloc_rand(nin, -1, 1, &seed), *w = tu_alloc_rand(nw, -1, 1, &seed);
    float *b = tu_alloc_rand(nb, -1, 1, &seed), *dout = tu_alloc_rand(nout, -1, 1, &seed);
    float *dw0 = tu_alloc_rand(nw, -1, 1, &seed), *db0 = tu_alloc_rand(nb, -1, 1, &seed);
    float *out_ref = tu_alloc0(nout), *din_ref = tu_alloc0(nin);
    float *dw_ref = tu_alloc0(nw), *db_ref = tu_alloc0(nb);
    float *got = tu_alloc0(nin > nout ? (nin > nw ? nin : nw) : (nout > nw ? nout : nw));
    memcpy(dw_ref, dw0, nw * 4);
    memcpy(db_ref, db0, nb * 4);
    (c->tr ? conv2d_transpose_forward_ref : conv2d_forward_ref)(out_ref, in, w, b, &g);
    (c->tr ? conv2d_transpose_backward_ref : conv2d_backward_ref)(din_ref, dw_ref, db_ref, dout,
                                                                  in, w, &g);
    act_forward_ref(out_ref, out_ref, nout, c->act.act, c->act.alpha);
    act_backward_ref(din_ref, din_ref, in, nin, c->din_act.act, c->din_act.alpha);
    cl_mem m_in = tu_upload(in, nin * 4), m_w = tu_upload(w, nw * 4), m_b = tu_upload(b, nb * 4);
    cl_mem m_dout = tu_upload(dout, nout * 4), m_out = tu_upload(got, nout * 4);
    cl_mem m_din = tu_upload(got, nin * 4), m_dw = tu_upload(dw0, nw * 4);
    cl_mem m_db = tu_upload(db0, nb * 4);

    const dc_geom e = c->tr ? tconv_geom(&g) : conv_geom(&g);
    const int kind = pass == 2 ? CLAE_DC_DW : (pass == 0) == !c->tr ? CLAE_DC_CONV : CLAE_DC_TCONV;
    char key[224];
    ck_assert(clae_dc_key(kind, &e, key, sizeof key));
    static clae_dc_params cands[512];
    const int n = clae_dc_candidates(d, kind, &e, cands, 512);
    ck_assert_int_gt(n, 4);
    clae_tune_table t = {0}, *keep = swap_table(d, &t);
    const clae_dc_params def = clae_dc_params_default(d, kind, &e);
    ck_assert_int_eq(memcmp(&cands[0], &def, sizeof def), 0); /* the defaults come first */
    for (int i = 0; i < n; i++) {
        clae_tune_entry *te = clae_tune_put(&t, key);
        ck_assert_ptr_nonnull(te);
        te->p = cands[i];
        const clae_dc_params used = clae_dc_params_for(d, kind, &e);
        ck_assert_int_eq(memcmp(&used, &cands[i], sizeof used), 0);
        char what[160];
        snprintf(what, sizeof what, "%s %s blk %d dw_blk %d slice %d wg %s",
                 c->tr ? "tconv" : "conv", pass == 0 ? "fwd" : pass == 1 ? "din" : "dw+db", cands[i].blk, cands[i].dw_blk,
                 cands[i].dw_slice_images, clae_dc_wg_names[cands[i].wg]);
        clae_status st;
        if (pass == 0) {
            st = c->tr ? conv2d_transpose_forward_direct(d, m_out, m_in, m_w, m_b, &g, c->act)
                       : conv2d_forward_direct(d, m_out, m_in, m_w, m_b, &g, c->act);
            ck_assert_int_eq(st, CLAE_OK);
            tu_download(m_out, got, nout * 4);
            check_close(what, got, out_ref, nout);
        } else if (pass == 1) {
            st = c->tr ? conv2d_transpose_backward_direct(d, m_din, NULL, NULL, m_dout, m_in, m_w,
                                                          &g, c->din_act)
                       : conv2d_backward_direct(d, m_din, NULL, NULL, m_dout, m_in, m_w, &g,
                                                c->din_act);
            ck_assert_int_eq(st, CLAE_OK);
            tu_download(m_din, got, nin * 4);
            check_close(what, got, din_ref, nin);
        } else {
            ck_assert_int_eq(clae_write(d, m_dw, dw0, nw * 4), CLAE_OK);
            ck_assert_int_eq(clae_write(d, m_db, db0, nb * 4), CLAE_OK);
            st = c->tr ? conv2d_transpose_backward_direct(d, NULL, m_dw, m_db, m_dout, m_in, m_w,
                                                          &g, CLAE_EPI_NONE)
                       : conv2d_backward_direct(d, NULL, m_dw, m_db, m_dout, m_in, m_w, &g,
                                                CLAE_EPI_NONE);
            ck_assert_int_eq(st, CLAE_OK);
            tu_download(m_dw, got, nw * 4);
            check_close(what, got, dw_ref, nw);
            tu_download(m_db, got, nb * 4);
            check_close(what, got, db_ref, nb);
        }
    }
    printf("  %s %s: %d candidates, each within tolerance of the reference\n",
           c->tr ? "tconv s2" : "conv", pass == 0 ? "fwd" : pass == 1 ? "din" : "dw+db", n);
    swap_table(d, keep);
    free(t.e);
    cl_mem ms[] = {m_in, m_w, m_b, m_dout, m_out, m_din, m_dw, m_db};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) clReleaseMemObject(ms[i]);
    float *fs[] = {in, w, b, dout, dw0, db0, out_ref, din_ref, dw_ref, db_ref, got};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) free(fs[i]);
}
END_TEST

/* A fresh folder for the tuning files of a test (left for the OS's /tmp). */
static const char *temp_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/clae-test-tune-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* Written, read back: the same entries; then used: the kernel is built with
 * the tuned BLK where the default would take another. */
START_TEST(test_tune_file_roundtrip)
{
    clae_device *d = tu_device();
    /* a shape no other test builds, so that the variants seen are this test's */
    const tcase rt = {0, 2, 3, 6, 11, 6, 3, 3, 1, 1, {CLAE_ACT_NONE, 0.0f}, {CLAE_ACT_NONE, 0.0f}};
    const clae_conv_shape g = shape_of(&rt);
    const dc_geom e = conv_geom(&g);
    const clae_dc_params def = clae_dc_params_default(d, CLAE_DC_CONV, &e);
    clae_dc_params tuned = def;
    tuned.blk = def.blk == 2 ? 3 : 2;
    tuned.wg = CLAE_DC_WG_ROW;
    char key[224], dwkey[224];
    ck_assert(clae_dc_key(CLAE_DC_CONV, &e, key, sizeof key));
    ck_assert(clae_dc_key(CLAE_DC_DW, &e, dwkey, sizeof dwkey));
    clae_tune_table t = {0};
    clae_tune_entry *te = clae_tune_put(&t, key);
    te->p = tuned, te->batch = 3, te->default_ms = 1.5, te->best_ms = 0.75;
    te = clae_tune_put(&t, dwkey);
    te->p = clae_dc_params_default(d, CLAE_DC_DW, &e);
    te->p.dw_slice_images = 1, te->p.wg = CLAE_DC_WG_PLANE;
    /* the driver's choice of work-group is refused on a CPU (PoCL's groups
     * of thousands of work-items overflow its worker's stack) */
    clae_dc_params drv = te->p;
    drv.wg = CLAE_DC_WG_DRIVER;
    ck_assert_int_eq(clae_dc_params_ok(d, CLAE_DC_DW, &e, &drv),
                     (d->type & CL_DEVICE_TYPE_CPU) == 0);

    char path[256];
    snprintf(path, sizeof path, "%s/sub/tune.json", temp_dir());
    ck_assert_int_eq(clae_tune_write(d, &t, path), CLAE_OK);
    clae_tune_table *back = NULL;
    ck_assert_int_eq(clae_tune_read(d, path, &back), CLAE_OK);
    ck_assert_ptr_nonnull(back);
    ck_assert_int_eq(back->n, 2);
    for (int i = 0; i < t.n; i++) {
        const clae_tune_entry *b = clae_tune_find(back, t.e[i].key);
        ck_assert_ptr_nonnull(b);
        ck_assert_int_eq(memcmp(&b->p, &t.e[i].p, sizeof b->p), 0);
        ck_assert_int_eq(b->batch, t.e[i].batch);
        ck_assert(b->best_ms == t.e[i].best_ms);
    }

    /* the device reads it: the tuned parameters, and the kernel built with them */
    clae_tune_table *keep = swap_table(d, back);
    const clae_dc_params used = clae_dc_params_for(d, CLAE_DC_CONV, &e);
    ck_assert_int_eq(used.blk, tuned.blk);
    ck_assert_int_ne(used.blk, def.blk);
    ck_assert_int_eq(clae_dc_params_for(d, CLAE_DC_DW, &e).dw_slice_images, 1);
    uint64_t seed = 9;
    const size_t nin = (size_t)g.N * g.C * g.H * g.W, nout = (size_t)g.N * g.K * g.P * g.Q;
    float *x = tu_alloc_rand(nin > nout ? nin : nout, -1, 1, &seed);
    cl_mem m_in = tu_upload(x, nin * 4), m_out = tu_upload(x, nout * 4);
    cl_mem m_w = tu_upload(x, (size_t)g.K * g.C * 9 * 4);
    ck_assert_int_eq(conv2d_forward_direct(d, m_out, m_in, m_w, NULL, &g, CLAE_EPI_NONE),
                     CLAE_OK);
    char want[96];
    snprintf(want, sizeof want, "-DGC=%d ", e.GC);
    char blk_t[32], blk_d[32];
    snprintf(blk_t, sizeof blk_t, "-DBLK=%d ", tuned.blk);
    snprintf(blk_d, sizeof blk_d, "-DBLK=%d ", def.blk);
    int found_tuned = 0, found_default = 0;
    for (int i = 0; i < d->nvariants; i++) {
        const char *k = d->variants[i].key;
        if (!strstr(k, "conv2d_direct_conv ") || !strstr(k, want) || !strstr(k, "-DIW=11 "))
            continue;
        found_tuned |= strstr(k, blk_t) != NULL;
        found_default |= strstr(k, blk_d) != NULL;
    }
    ck_assert_msg(found_tuned, "no conv2d_direct_conv variant built with %s", blk_t);
    ck_assert_msg(!found_default, "a variant built with the default %s", blk_d);
    printf("  tuned blk %d (default %d): the kernel was built with %s\n", tuned.blk, def.blk,
           blk_t);
    swap_table(d, keep);
    clae_tune_free(back);
    free(t.e);
    free(x);
    clReleaseMemObject(m_in);
    clReleaseMemObject(m_out);
    clReleaseMemObject(m_w);
}
END_TEST

/* Bad files: one warning line naming the file and the problem, no table
 * (the defaults). _i: which file. */
START_TEST(test_tune_file_bad)
{
    clae_device *d = tu_device();
    char path[256];
    snprintf(path, sizeof path, "%s/tune.json", temp_dir());
    char text[2048];
    const char *problem;
    const char *entry = "\"conv -DGC=6\": {\"blk\": %d, \"dw_blk\": 1, \"dw_slice_images\": 8, "
                        "\"wg\": \"plane\"}";
    char one[256];
    switch (_i) {
    case 0:
        snprintf(text, sizeof text, "{\"format\": \"clae-tune 1\", \"entries\": {");
        problem = "is not valid JSON";
        break;
    case 1: /* another device */
        snprintf(one, sizeof one, entry, 2);
        snprintf(text, sizeof text,
                 "{\"format\": \"clae-tune 1\", \"platform\": \"%s\", \"device\": \"Another "
                 "GPU\", \"driver\": \"%s\", \"entries\": {%s}}",
                 d->platform_name, d->driver, one);
        problem = "is for another device";
        break;
    case 2: /* another driver */
        snprintf(one, sizeof one, entry, 2);
        snprintf(text, sizeof text,
                 "{\"format\": \"clae-tune 1\", \"platform\": \"%s\", \"device\": \"%s\", "
                 "\"driver\": \"0.0-other\", \"entries\": {%s}}",
                 d->platform_name, d->name, one);
        problem = "is for another driver";
        break;
    case 3: /* a bad entry */
        snprintf(one, sizeof one, entry, 0);
        snprintf(text, sizeof text,
                 "{\"format\": \"clae-tune 1\", \"platform\": \"%s\", \"device\": \"%s\", "
                 "\"driver\": \"%s\", \"entries\": {%s}}",
                 d->platform_name, d->name, d->driver, one);
        problem = "needs blk";
        break;
    case 4: /* a number past int's range (found by fuzz_tune: UB before) */
        snprintf(text, sizeof text,
                 "{\"format\": \"clae-tune 1\", \"platform\": \"%s\", \"device\": \"%s\", "
                 "\"driver\": \"%s\", \"entries\": {\"conv -DGC=6\": {\"blk\": 8.5e128, "
                 "\"dw_blk\": 1, \"dw_slice_images\": 8, \"wg\": \"plane\"}}}",
                 d->platform_name, d->name, d->driver);
        problem = "needs blk";
        break;
    default: /* not ours */
        snprintf(text, sizeof text, "[1, 2, 3]\n");
        problem = "is not a clae tuning file";
        break;
    }
    write_text(path, text);
    clae_tune_table *t = (clae_tune_table *)&t;
    tu_capture_begin();
    clae_status st = clae_tune_read(d, path, &t);
    const char *msg = tu_capture_end();
    printf("  %s", msg);
    ck_assert_int_eq(st, CLAE_ERR_FORMAT);
    ck_assert_ptr_null(t);
    ck_assert_msg(strstr(msg, path) && strstr(msg, problem) && strstr(msg, "using the defaults"),
                  "warning: %s", msg);
    ck_assert_msg(strchr(msg, '\n') == msg + strlen(msg) - 1, "not one line: %s", msg);

    /* at device open, through the cache folder: the same warning, no table */
    char dir[256];
    snprintf(dir, sizeof dir, "%s", temp_dir());
    const char *outer = getenv("XDG_CACHE_HOME");
    char keep_xdg[512] = "";
    if (outer) snprintf(keep_xdg, sizeof keep_xdg, "%s", outer);
    setenv("XDG_CACHE_HOME", dir, 1);
    char tpath[1024], cdir[512];
    ck_assert(clae_tune_path(d, tpath, sizeof tpath));
    snprintf(cdir, sizeof cdir, "%s/clae", dir);
    ck_assert_int_eq(mkdir(cdir, 0700), 0);
    write_text(tpath, text);
    clae_tune_table *keep = swap_table(d, NULL);
    tu_capture_begin();
    clae_tune_load(d);
    msg = tu_capture_end();
    ck_assert_ptr_null(d->tune);
    ck_assert_msg(strstr(msg, tpath) && strstr(msg, problem), "at open: %s", msg);
    const clae_conv_shape g = shape_of(&TCASES[0]);
    const dc_geom e = conv_geom(&g);
    const clae_dc_params p = clae_dc_params_for(d, CLAE_DC_CONV, &e),
                         def = clae_dc_params_default(d, CLAE_DC_CONV, &e);
    ck_assert_int_eq(memcmp(&p, &def, sizeof p), 0);
    swap_table(d, keep);
    if (outer)
        setenv("XDG_CACHE_HOME", keep_xdg, 1);
    else
        unsetenv("XDG_CACHE_HOME");
}
END_TEST

/* A CPU device's defaults are the values clae used before it had a tuner
 * (so an untuned step is unchanged bit for bit), but for 5 x 5 weight
 * gradients: blocks of at most 16 output channels split evenly, dw blocks
 * of at most 36 / (R*S) (3 for a 5 x 5 kernel and for a 3 x 3 one on rows
 * of one float16, measured), slices of 8
 * images on grids of 16 x 16 or more, of at least 2048 grid pixels (up to
 * 32 images) on smaller ones (measured), a plane a work-group. */
START_TEST(test_tune_cpu_defaults)
{
    clae_device dev = *tu_device();
    dev.type = CL_DEVICE_TYPE_CPU;
    dev.tune = NULL;
    const dc_geom e3 = {.GC = 20, .IC = 17, .R = 3, .S = 3, .GH = 4, .GW = 4, .IH = 4, .IW = 4,
                        .SH = 1, .SW = 1, .PT = 1, .PL = 1};
    const dc_geom e5 = {.GC = 8, .IC = 3, .R = 5, .S = 5, .GH = 4, .GW = 4, .IH = 4, .IW = 4,
                        .SH = 1, .SW = 1, .PT = 2, .PL = 2};
    clae_dc_params p = clae_dc_params_default(&dev, CLAE_DC_CONV, &e3);
    ck_assert_int_eq(p.blk, 10); /* 20 channels: 2 blocks of 10 */
    ck_assert_int_eq(p.wg, CLAE_DC_WG_PLANE);
    ck_assert_int_eq(clae_dc_params_default(&dev, CLAE_DC_TCONV, &e3).blk, 9); /* 17: 9 + 8 */
    p = clae_dc_params_default(&dev, CLAE_DC_DW, &e3);
    ck_assert_int_eq(p.dw_blk, 4); /* 20 in blocks of at most 4 */
    ck_assert_int_eq(p.dw_slice_images, 32); /* 4 x 4: 128 images would make 2048 pixels */
    ck_assert_int_eq(p.wg, CLAE_DC_WG_PLANE);
    dc_geom g = e3;
    g.GH = g.GW = g.IH = g.IW = 16;
    ck_assert_int_eq(clae_dc_params_default(&dev, CLAE_DC_DW, &g).dw_slice_images, 8);
    g.GH = 12, g.GW = 10; /* 120 pixels: 18 images (2160 pixels) */
    ck_assert_int_eq(clae_dc_params_default(&dev, CLAE_DC_DW, &g).dw_slice_images, 18);
    /* float16 (a wide device): rows of 16, or for the conv kind an even
     * number of 8-pixel rows (two a vector); else float8 */
    dev.vw = 16;
    g.GH = g.GW = g.IH = g.IW = 8;
    ck_assert_int_eq(clae_dc_vw_max(&dev, CLAE_DC_CONV, &g), 16);
    ck_assert_int_eq(clae_dc_vw_max(&dev, CLAE_DC_DW, &g), 8);
    ck_assert_int_eq(clae_dc_vw_max(&dev, CLAE_DC_TCONV, &g), 8);
    g.GH = 7;
    ck_assert_int_eq(clae_dc_vw_max(&dev, CLAE_DC_CONV, &g), 8);
    g.GH = 16, g.GW = 16;
    ck_assert_int_eq(clae_dc_vw_max(&dev, CLAE_DC_DW, &g), 16);
    /* a 3 x 3 weight gradient on rows of one float16: 3 channels a block
     * (20: 3 x 6 + 2), 4 on rows of two */
    ck_assert_int_eq(clae_dc_params_default(&dev, CLAE_DC_DW, &g).dw_blk, 3);
    g.GW = g.IW = 32;
    ck_assert_int_eq(clae_dc_params_default(&dev, CLAE_DC_DW, &g).dw_blk, 4);
    g.GW = g.IW = 16;
    dev.vw = 8;
    ck_assert_int_eq(clae_dc_params_default(&dev, CLAE_DC_DW, &g).dw_blk, 4);
    ck_assert_int_eq(clae_dc_vw_max(&dev, CLAE_DC_CONV, &g), 8);
    ck_assert_int_eq(clae_dc_params_default(&dev, CLAE_DC_DW, &e5).dw_blk, 3); /* 8: 3 + 3 + 2 */
    ck_assert_int_eq(clae_dc_params_default(&dev, CLAE_DC_CONV, &e5).blk, 8);
    /* a GPU's: smaller blocks and slices */
    dev.type = CL_DEVICE_TYPE_GPU;
    p = clae_dc_params_default(&dev, CLAE_DC_CONV, &e3);
    ck_assert_int_le(p.blk, 4);
    ck_assert_int_le(clae_dc_params_default(&dev, CLAE_DC_DW, &e3).dw_slice_images, 2);
}
END_TEST

static Suite *tune_suite(void)
{
    Suite *s = suite_create("tune");
    /* every candidate, under oclgrind too (small shapes) */
    TCase *sim = tu_tcase("tune sim", 900, 1);
    tcase_add_loop_test(sim, test_tune_every_candidate, 0, 6);
    suite_add_tcase(s, sim);
    TCase *tc = tu_tcase("tune", 300, 0);
    tcase_add_test(tc, test_tune_file_roundtrip);
    tcase_add_loop_test(tc, test_tune_file_bad, 0, 6);
    tcase_add_test(tc, test_tune_cpu_defaults);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(tune_suite()); }
