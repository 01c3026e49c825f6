/* Model description: config parsing (configs/denoiser.cfg and every bad
 * config in tests/configs/), shapes, tensor layout, PRNG, Glorot init, summary. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/layer.h"
#include "clae/model.h"
#include "testutil.h"

#define DENOISER "configs/denoiser.cfg"

static void load_ok(const char *path, clae_model *m)
{
    char err[512];
    clae_status st = clae_model_parse_ex(path, NULL, NULL, m, err, sizeof err);
    ck_assert_msg(st == CLAE_OK, "%s: %s", path, err);
}

static void parse_ok(const char *text, clae_model *m)
{
    char err[512];
    clae_status st = clae_model_parse_ex(NULL, text, "string", m, err, sizeof err);
    ck_assert_msg(st == CLAE_OK, "config string: %s", err);
}

START_TEST(test_denoiser_layers)
{
    clae_model m;
    load_ok(DENOISER, &m);
    ck_assert_int_eq(m.nlayers, 7);
    static const char *const types[7] = {"conv2d", "maxpool", "conv2d", "maxpool",
                                         "conv2d_transpose", "conv2d_transpose", "conv2d"};
    static const int out[7][3] = {{32, 32, 8},  {16, 16, 8},  {16, 16, 16}, {8, 8, 16},
                                  {16, 16, 16}, {32, 32, 16}, {32, 32, 3}};
    static const size_t counts[7] = {224, 0, 1168, 0, 2320, 2320, 435};
    static const clae_act acts[7] = {CLAE_ACT_RELU, CLAE_ACT_NONE, CLAE_ACT_RELU, CLAE_ACT_NONE,
                                     CLAE_ACT_RELU, CLAE_ACT_RELU, CLAE_ACT_SIGMOID};
    int H = 32, W = 32, C = 3;
    for (int i = 0; i < 7; i++) {
        const clae_layer *l = &m.layers[i];
        fprintf(stderr, "layer %d %s (None, %d, %d, %d) %zu params\n", i,
                l->kind->name, l->out_h, l->out_w, l->out_c, clae_model_layer_params(&m, i));
        ck_assert_str_eq(l->kind->name, types[i]);
        ck_assert_int_eq(l->act, acts[i]);
        ck_assert_int_eq(l->in_h, H);
        ck_assert_int_eq(l->in_w, W);
        ck_assert_int_eq(l->in_c, C);
        ck_assert_int_eq(l->out_h, out[i][0]);
        ck_assert_int_eq(l->out_w, out[i][1]);
        ck_assert_int_eq(l->out_c, out[i][2]);
        ck_assert_uint_eq(clae_model_layer_params(&m, i), counts[i]);
        ck_assert_uint_eq(clae_layer_out_count(l), (size_t)out[i][0] * out[i][1] * out[i][2]);
        H = l->out_h, W = l->out_w, C = l->out_c;
    }
    ck_assert_uint_eq(m.nparams, 6467);
    ck_assert_uint_eq(clae_model_in_count(&m), 3072);
    ck_assert_uint_eq(clae_model_max_count(&m), 32 * 32 * 16);
    /* pool defaults: size 2, stride = size, valid */
    ck_assert_int_eq(m.layers[1].R, 2);
    ck_assert_int_eq(m.layers[1].sh, 2);
    ck_assert_int_eq(m.layers[1].pad, CLAE_PAD_VALID);
    ck_assert_int_eq(m.layers[4].sh, 2);
    ck_assert_int_eq(m.layers[4].sw, 2);
    ck_assert_int_eq(m.layers[4].pad, CLAE_PAD_SAME);
    ck_assert_int_eq(m.layers[0].line, 28); /* its [conv2d] header */
    ck_assert_ptr_nonnull(strstr(m.text, "[conv2d_transpose]"));
    clae_model_free(&m);
}
END_TEST

START_TEST(test_denoiser_config_values)
{
    clae_model m;
    load_ok(DENOISER, &m);
    ck_assert_int_eq(m.net.H, 32);
    ck_assert_int_eq(m.net.W, 32);
    ck_assert_int_eq(m.net.C, 3);
    ck_assert_int_eq(m.net.batch, 512);
    ck_assert_str_eq(m.net.optimizer, "adam");
    ck_assert_str_eq(m.net.loss, "mse");
    ck_assert(m.net.adam.lr == 0.001f);
    ck_assert(m.net.adam.beta1 == 0.9f);
    ck_assert(m.net.adam.beta2 == 0.999f);
    ck_assert(m.net.adam.eps == 1e-7f);
    ck_assert_int_eq(m.train.epochs, 10);
    ck_assert_uint_eq(m.train.seed, 42);
    ck_assert(m.train.validation_split == 0.2);
    ck_assert_str_eq(m.train.corrupt, "blur");
    ck_assert_int_eq(m.train.blur_size, 5);
    ck_assert(m.train.blur_sigma == 1.1);
    ck_assert_str_eq(m.train.data, "data/cifar-10-batches-bin");
    ck_assert_str_eq(m.train.out, "runs/denoiser");
    ck_assert_int_eq(m.train.max_steps, 0);
    ck_assert_int_eq(m.train.shuffle, 1);
    clae_model_free(&m);
}
END_TEST

START_TEST(test_denoiser_tensors)
{
    clae_model m;
    load_ok(DENOISER, &m);
    static const char *names[10] = {"layers.0.weight", "layers.0.bias", "layers.2.weight",
                                    "layers.2.bias",   "layers.4.weight", "layers.4.bias",
                                    "layers.5.weight", "layers.5.bias", "layers.6.weight",
                                    "layers.6.bias"};
    static const int dims[10][4] = {{8, 3, 3, 3},   {8},  {16, 8, 3, 3},  {16},
                                    {16, 16, 3, 3}, {16}, {16, 16, 3, 3}, {16},
                                    {3, 16, 3, 3},  {3}};
    int n;
    const clae_tensor *t = clae_model_tensors(&m, &n);
    ck_assert_int_eq(n, 10);
    ck_assert_uint_eq(m.align, CLAE_ALIGN_FLOATS);
    size_t end = 0, total = 0;
    for (int i = 0; i < n; i++) {
        fprintf(stderr, "%-16s ndim %d (%d,%d,%d,%d) offset %zu count %zu\n", t[i].name,
                t[i].ndim, t[i].dims[0], t[i].dims[1], t[i].dims[2], t[i].dims[3],
                t[i].offset, t[i].count);
        ck_assert_str_eq(t[i].name, names[i]);
        ck_assert_int_eq(t[i].ndim, i % 2 ? 1 : 4);
        size_t count = 1;
        for (int d = 0; d < t[i].ndim; d++) {
            ck_assert_int_eq(t[i].dims[d], dims[i][d]);
            count *= (size_t)dims[i][d];
        }
        ck_assert_uint_eq(t[i].count, count);
        ck_assert_uint_eq(t[i].offset % 256, 0);
        ck_assert_uint_ge(t[i].offset, end); /* in order, no overlap */
        end = t[i].offset + t[i].count;
        total += t[i].count;
        ck_assert_int_eq(clae_model_find_tensor(&m, names[i]), i);
        const clae_layer *l = &m.layers[t[i].layer];
        ck_assert_int_eq(i % 2 ? l->bias : l->weight, i);
    }
    ck_assert_uint_eq(total, 6467);
    ck_assert_uint_ge(m.block_floats, end);
    ck_assert_uint_eq(m.block_floats % 256, 0);
    /* 216, 8, 1152, 16, 2304, 16, 2304, 16, 432, 3 floats, each rounded up to 256 */
    ck_assert_uint_eq(m.block_floats, 7936);
    ck_assert_int_eq(clae_model_find_tensor(&m, "layers.1.weight"), -1);
    ck_assert_int_eq(m.layers[1].weight, -1);
    ck_assert_int_eq(m.layers[3].bias, -1);
    clae_model_free(&m);
}
END_TEST

static void check_g(const clae_conv_shape *g, int N, int C, int H, int W, int K, int R, int sh,
                    int P, int pt)
{
    ck_assert_int_eq(g->N, N);
    ck_assert_int_eq(g->C, C);
    ck_assert_int_eq(g->H, H);
    ck_assert_int_eq(g->W, W);
    ck_assert_int_eq(g->K, K);
    ck_assert_int_eq(g->R, R);
    ck_assert_int_eq(g->S, R);
    ck_assert_int_eq(g->sh, sh);
    ck_assert_int_eq(g->sw, sh);
    ck_assert_int_eq(g->P, P);
    ck_assert_int_eq(g->Q, P);
    ck_assert_int_eq(g->pt, pt);
    ck_assert_int_eq(g->pl, pt);
}

START_TEST(test_denoiser_shapes)
{
    clae_model m;
    load_ok(DENOISER, &m);
    clae_conv_shape l[7];
    ck_assert_int_eq(clae_model_shapes(&m, 512, l), CLAE_OK);
    check_g(&l[0], 512, 3, 32, 32, 8, 3, 1, 32, 1);
    check_g(&l[1], 512, 8, 32, 32, 8, 2, 2, 16, 0);
    check_g(&l[2], 512, 8, 16, 16, 16, 3, 1, 16, 1);
    check_g(&l[3], 512, 16, 16, 16, 16, 2, 2, 8, 0);
    check_g(&l[4], 512, 16, 8, 8, 16, 3, 2, 16, 0); /* Keras crops the last row */
    check_g(&l[5], 512, 16, 16, 16, 16, 3, 2, 32, 0);
    check_g(&l[6], 512, 16, 32, 32, 3, 3, 1, 32, 1);

    clae_conv_shape g[7];
    ck_assert_int_eq(clae_model_shapes(&m, 3, g), CLAE_OK);
    check_g(&g[4], 3, 16, 8, 8, 16, 3, 2, 16, 0);
    ck_assert_int_eq(clae_model_shapes(&m, 7, g), CLAE_OK);
    for (int i = 0; i < 7; i++) ck_assert_int_eq(g[i].N, 7);
    check_g(&g[5], 7, 16, 16, 16, 16, 3, 2, 32, 0);
    ck_assert_int_eq(clae_model_shapes(&m, 0, g), CLAE_ERR_SHAPE);
    ck_assert_int_eq(clae_model_shapes(&m, 1 << 21, g), CLAE_ERR_SHAPE);
    clae_model_free(&m);
}
END_TEST

/* --set: a key's line replaced, a key added under its header, a missing
 * [train] added at the end, layers by name and by index; every error leaves
 * the model as it was and says which key is near. */
START_TEST(test_model_set)
{
    const char *text = "[net]\ninput = 8,8,3\nbatch = 4\n"
                       "[conv2d]\nname = enc\nfilters = 4\nsize = 3\npadding = same\n"
                       "[conv2d]\nfilters = 3\nsize = 3\npadding = same\nactivation = sigmoid\n";
    clae_model m;
    ck_assert_int_eq(clae_model_parse_string(text, "t.cfg", &m), CLAE_OK);
    ck_assert_int_eq(clae_model_set(&m, "net.batch=16"), CLAE_OK);     /* replaced */
    ck_assert_int_eq(m.net.batch, 16);
    ck_assert_int_eq(clae_model_set(&m, "net.lr=0.25"), CLAE_OK);      /* added */
    ck_assert_float_eq(m.net.adam.lr, 0.25f);
    ck_assert_int_eq(clae_model_set(&m, "enc.filters=6"), CLAE_OK);    /* by name */
    ck_assert_int_eq(m.layers[0].out_c, 6);
    ck_assert_int_eq(clae_model_set(&m, "layers.1.size=5"), CLAE_OK); /* by index */
    ck_assert_int_eq(clae_model_set(&m, "train.epochs=7"), CLAE_OK);   /* [train] added */
    ck_assert_int_eq(m.train.epochs, 7);
    ck_assert_int_eq(clae_model_set(&m, "train.corrupt=noise"), CLAE_OK);
    ck_assert_str_eq(m.train.corrupt, "noise");
    ck_assert_str_eq(m.name, "t.cfg");
    ck_assert_str_eq(m.text, "[net]\nlr = 0.25\ninput = 8,8,3\nbatch = 16\n"
                             "[conv2d]\nname = enc\nfilters = 6\nsize = 3\npadding = same\n"
                             "[conv2d]\nfilters = 3\nsize = 5\npadding = same\n"
                             "activation = sigmoid\n"
                             "[train]\ncorrupt = noise\nepochs = 7\n");
    /* the text parses on its own to the same model (a checkpoint stores it) */
    clae_model again;
    ck_assert_int_eq(clae_model_parse_string(m.text, "again", &again), CLAE_OK);
    ck_assert_uint_eq(again.nparams, m.nparams);
    clae_model_free(&again);

    char *before = strdup(m.text);
    static const struct {
        const char *assign, *err;
    } BAD[] = {
        {"net.batchh=2", "clae: --set net.batchh=2: [net] has no key 'batchh'; did you mean "
                         "net.batch?\n"},
        {"net.bet=2", "clae: --set net.bet=2: [net] has no key 'bet'; did you mean net.beta1 or "
                      "net.beta2?\n"},
        {"train.lr=2", "clae: --set train.lr=2: lr is a key of [net]: --set net.lr=2\n"},
        {"dec.filters=2", "clae: --set dec.filters=2: t.cfg has no section 'dec' (net, train, a "
                          "layer's or branch's name or layers.0 to layers.1)\n"},
        {"layers.2.filters=2", "clae: --set layers.2.filters=2: t.cfg has no section 'layers.2' "
                               "(net, train, a layer's or branch's name or layers.0 to "
                               "layers.1)\n"},
        {"net.batch=0", NULL}, /* the parser's own message */
        {"net.batch", "clae: --set net.batch: expected SECTION.KEY=VALUE, like net.lr=0.01\n"},
        {"batch=2", "clae: --set batch=2: expected SECTION.KEY=VALUE, like net.lr=0.01\n"},
        {"net.batch=", NULL},
        {"net.batch=2\nlr = 9", "clae: --set net.batch=2...: a setting is one line\n"},
        {"enc.xyzzy=1", "clae: --set enc.xyzzy=1: [conv2d] has no key 'xyzzy' (clae layers lists "
                        "every key)\n"},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        tu_capture_begin();
        clae_status st = clae_model_set(&m, BAD[i].assign);
        const char *err = tu_capture_end();
        ck_assert_int_ne(st, CLAE_OK);
        if (BAD[i].err) ck_assert_str_eq(err, BAD[i].err);
        ck_assert_int_eq((int)(strchr(err, '\n') - err) + 1, (int)strlen(err)); /* one line */
        ck_assert_str_eq(m.text, before); /* unchanged */
        ck_assert_int_eq(m.net.batch, 16);
    }
    free(before);
    clae_model_free(&m);
}
END_TEST

/* The copy of the text (as a checkpoint stores it) parses to the same model,
 * and errors in a string name the given name. */
START_TEST(test_parse_string)
{
    clae_model a, b;
    load_ok(DENOISER, &a);
    ck_assert_int_eq(clae_model_parse_string(a.text, "run.ckpt:config", &b), CLAE_OK);
    ck_assert_str_eq(b.name, "run.ckpt:config");
    ck_assert_str_eq(a.text, b.text);
    ck_assert_int_eq(a.nlayers, b.nlayers);
    ck_assert_int_eq(a.ntensors, b.ntensors);
    clae_conv_shape ga[7], gb[7];
    ck_assert_int_eq(clae_model_shapes(&a, 4, ga), CLAE_OK);
    ck_assert_int_eq(clae_model_shapes(&b, 4, gb), CLAE_OK);
    for (int i = 0; i < a.nlayers; i++) {
        ck_assert_int_eq(a.layers[i].out_c, b.layers[i].out_c);
        ck_assert_mem_eq(&ga[i], &gb[i], sizeof ga[i]);
    }
    for (int i = 0; i < a.ntensors; i++) {
        ck_assert_str_eq(a.tensors[i].name, b.tensors[i].name);
        ck_assert_uint_eq(a.tensors[i].offset, b.tensors[i].offset);
    }
    clae_model_free(&a);
    clae_model_free(&b);

    char err[512];
    clae_model m;
    ck_assert_int_eq(clae_model_parse_ex(NULL, "[net]\ninput=4,4,1\n\n[conv2d]\nfilters=x\n",
                                         "ckpt", &m, err, sizeof err),
                     CLAE_ERR_FORMAT);
    fprintf(stderr, "string error: %s\n", err);
    ck_assert_str_eq(err, "ckpt:5: bad value 'x': expected an integer from 1 to 65536 "
                          "(key 'filters')");
    ck_assert_ptr_null(m.layers); /* a failed parse leaves m empty */
    clae_model_free(&m);
}
END_TEST

/* Every key of [train] (17 of them, more than the parser once had room
 * for) in one section, the last one first: each is read, none overwrites
 * another's bookkeeping (a crash under the old 16-key limit). */
START_TEST(test_every_train_key)
{
    static const char *const TEXT =
        "[net]\ninput = 32,32,3\n"
        "[train]\nmask_max = 16\nepochs = 2\nseed = 5\nvalidation_split = 0.25\n"
        "corrupt = mask\nblur_size = 3\nblur_sigma = 0.9\ndata = d\nout = o\n"
        "max_steps = 7\nshuffle = 0\naugment = none\naugment_fraction = 0.1\n"
        "noise_sigma = 0.2\nsp_rate = 0.01\nmask_count = 2\nmask_min = 4\n"
        "[conv2d]\nfilters = 3\nsize = 3\npadding = same\n";
    clae_model m;
    char err[512] = "";
    ck_assert_msg(clae_model_parse_ex(NULL, TEXT, "every-key", &m, err, sizeof err) == CLAE_OK,
                  "%s", err);
    ck_assert_int_eq(m.train.mask_max, 16);
    ck_assert_int_eq(m.train.mask_min, 4);
    ck_assert_int_eq(m.train.mask_count, 2);
    ck_assert_int_eq(m.train.epochs, 2);
    ck_assert_int_eq(m.nlayers, 1);
    clae_model_free(&m);
}
END_TEST

/* Repeated and empty sections, comments, indentation, CRLF, "key: value". */
START_TEST(test_sections_and_syntax)
{
    const char *text = "\xEF\xBB\xBF; a BOM and a ';' comment\r\n"
                       "[net]\r\n"
                       "  input = 8, 8, 2   # inline comment\r\n"
                       "batch: 3\r\n"
                       "[train]\n"
                       "seed = 18446744073709551615\n"
                       "[maxpool]\n"
                       "[avgpool]\n"
                       "size = 1\n"
                       "  [ maxpool ]  ; spaces\n"
                       "padding = same\n"
                       "[conv2d_transpose]\n"
                       "filters = 5\n"
                       "size = 4,2\n"
                       "stride = 4\n"
                       "[conv2d]\n"
                       "filters = 2\n"
                       "size = 1\n"
                       "activation = tanh\n"
                       "[conv2d]\n"
                       "filters=2\n"
                       "size=3,1\n"
                       "activation=linear\n"
                       "padding=same\n";
    clae_model m;
    parse_ok(text, &m);
    ck_assert_int_eq(m.nlayers, 6);
    ck_assert_int_eq(m.net.C, 2);
    ck_assert_int_eq(m.net.batch, 3);
    ck_assert_uint_eq(m.train.seed, UINT64_MAX);
    ck_assert_str_eq(m.layers[0].kind->name, "maxpool"); /* bare section: defaults */
    ck_assert_int_eq(m.layers[0].out_h, 4);
    ck_assert_str_eq(m.layers[1].kind->name, "avgpool");
    ck_assert_int_eq(m.layers[1].sh, 1); /* stride defaults to size */
    ck_assert_int_eq(m.layers[1].out_h, 4);
    ck_assert_str_eq(m.layers[2].kind->name, "maxpool");
    ck_assert_int_eq(m.layers[2].out_h, 2);
    ck_assert_int_eq(m.layers[2].line, 10);
    ck_assert_int_eq(m.layers[3].R, 4);
    ck_assert_int_eq(m.layers[3].S, 2);
    ck_assert_int_eq(m.layers[3].out_h, 8); /* valid: 2*4 + max(4-4, 0) */
    ck_assert_int_eq(m.layers[3].out_w, 8); /* 2*4 + max(2-4, 0) */
    ck_assert_int_eq(m.layers[3].pad, CLAE_PAD_VALID);
    ck_assert_int_eq(m.layers[4].act, CLAE_ACT_TANH);
    ck_assert_int_eq(m.layers[5].act, CLAE_ACT_NONE);
    clae_conv_shape g[6];
    ck_assert_int_eq(clae_model_shapes(&m, 1, g), CLAE_OK);
    ck_assert_int_eq(g[5].pt, 1);
    ck_assert_int_eq(g[5].pl, 0);
    ck_assert_int_eq(m.layers[5].out_h, 8);
    ck_assert_int_eq(m.layers[5].out_w, 8);
    ck_assert_int_eq(m.layers[5].out_c, 2);
    int n;
    const clae_tensor *t = clae_model_tensors(&m, &n);
    ck_assert_int_eq(n, 6);
    ck_assert_str_eq(t[0].name, "layers.3.weight");
    ck_assert_int_eq(t[0].dims[0], 2); /* transpose: (C_in, C_out, R, S) */
    ck_assert_int_eq(t[0].dims[1], 5);
    ck_assert_int_eq(t[0].dims[2], 4);
    ck_assert_int_eq(t[0].dims[3], 2);
    ck_assert_str_eq(t[2].name, "layers.4.weight");
    ck_assert_int_eq(t[2].dims[0], 2); /* conv2d: (K, C, R, S) */
    ck_assert_int_eq(t[2].dims[1], 5);
    ck_assert_uint_eq(m.nparams, 2 * 5 * 8 + 5 + 2 * 5 + 2 + 2 * 2 * 3 + 2);
    clae_model_free(&m);
}
END_TEST

/* Reads "# expect...: " header values from a bad config. */
static int header(const char *path, const char *tag, char *out, size_t len)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char line[256];
    size_t tl = strlen(tag);
    int found = 0;
    while (fgets(line, sizeof line, f) && line[0] == '#') {
        if (strncmp(line, tag, tl) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, len, "%s", line + tl);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

START_TEST(test_bad_configs)
{
    DIR *dir = opendir("tests/configs");
    ck_assert_ptr_nonnull(dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(dir))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".cfg") != 0) continue;
        char path[512], want[256], key[64], linebuf[32], err[512], prefix[600];
        snprintf(path, sizeof path, "tests/configs/%s", e->d_name);
        ck_assert_msg(header(path, "# expect: ", want, sizeof want), "%s: no '# expect:'", path);
        ck_assert_msg(header(path, "# expect-line: ", linebuf, sizeof linebuf),
                      "%s: no '# expect-line:'", path);
        int line = atoi(linebuf);
        clae_model m;
        clae_status st = clae_model_parse_ex(path, NULL, NULL, &m, err, sizeof err);
        fprintf(stderr, "%-45s -> %s\n", path, err);
        ck_assert_msg(st == CLAE_ERR_FORMAT, "%s: status %d, want CLAE_ERR_FORMAT", path, st);
        ck_assert_ptr_null(m.layers);
        ck_assert_ptr_null(m.text);
        if (line > 0)
            snprintf(prefix, sizeof prefix, "%s:%d: ", path, line);
        else
            snprintf(prefix, sizeof prefix, "%s: ", path);
        ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "%s: want prefix '%s', got '%s'",
                      path, prefix, err);
        ck_assert_msg(strstr(err, want), "%s: want '%s' in '%s'", path, want, err);
        if (header(path, "# expect-key: ", key, sizeof key)) {
            char k[96];
            snprintf(k, sizeof k, " (key '%s')", key);
            size_t el = strlen(err), kl = strlen(k);
            ck_assert_msg(el > kl && strcmp(err + el - kl, k) == 0, "%s: want '%s' at the end",
                          path, k);
        } else {
            ck_assert_msg(!strstr(err, "(key '"), "%s: names a key", path);
        }
        ck_assert_ptr_null(strchr(err, '\n'));
        clae_model_free(&m);
        n++;
    }
    closedir(dir);
    fprintf(stderr, "%d bad configs rejected\n", n);
    ck_assert_int_ge(n, 30);
}
END_TEST

START_TEST(test_missing_file)
{
    char err[512];
    clae_model m;
    ck_assert_int_eq(clae_model_parse_ex("tests/configs/no_such.cfg", NULL, NULL, &m, err,
                                         sizeof err),
                     CLAE_ERR_IO);
    fprintf(stderr, "missing file: %s\n", err);
    ck_assert_str_eq(err, "tests/configs/no_such.cfg: cannot open: No such file or directory");
    ck_assert_int_eq(clae_model_parse_ex("tests/configs", NULL, NULL, &m, err, sizeof err),
                     CLAE_ERR_IO); /* a directory: cannot read */
    fprintf(stderr, "directory: %s\n", err);
    ck_assert_int_eq(clae_model_parse_ex(NULL, "", "empty", &m, err, sizeof err),
                     CLAE_ERR_FORMAT);
    ck_assert_str_eq(err, "empty: missing [net] section");
}
END_TEST

START_TEST(test_layout)
{
    clae_model m;
    load_ok(DENOISER, &m);
    ck_assert_int_eq(clae_model_check_align(&m, 128), CLAE_OK);  /* PoCL: 1024 bits */
    ck_assert_int_eq(clae_model_check_align(&m, 512), CLAE_OK);  /* 4096 bits */
    ck_assert_int_eq(clae_model_check_align(&m, 1024), CLAE_OK);
    ck_assert_int_eq(clae_model_check_align(&m, 2048), CLAE_ERR_ARG);
    ck_assert_int_eq(clae_model_layout(&m, 3), CLAE_ERR_ARG);
    ck_assert_int_eq(clae_model_layout(&m, 0), CLAE_ERR_ARG);
    ck_assert_int_eq(clae_model_layout(&m, 1), CLAE_OK);
    ck_assert_uint_eq(m.block_floats, 6467);
    ck_assert_uint_eq(m.tensors[1].offset, 216);
    ck_assert_int_eq(clae_model_layout(&m, 64), CLAE_OK); /* 256 bytes */
    ck_assert_int_eq(clae_model_check_align(&m, 128), CLAE_OK);
    ck_assert_int_eq(clae_model_check_align(&m, 512), CLAE_ERR_ARG);
    size_t end = 0;
    for (int i = 0; i < m.ntensors; i++) {
        ck_assert_uint_eq(m.tensors[i].offset % 64, 0);
        ck_assert_uint_ge(m.tensors[i].offset, end);
        end = m.tensors[i].offset + m.tensors[i].count;
    }
    ck_assert_uint_eq(m.block_floats % 64, 0);
    ck_assert_int_eq(clae_model_layout(&m, 4096), CLAE_OK);
    ck_assert_uint_eq(m.tensors[9].offset, 9 * 4096);
    ck_assert_int_eq(clae_model_layout(&m, CLAE_ALIGN_FLOATS), CLAE_OK);
    ck_assert_int_eq(clae_model_alloc(&m), CLAE_OK);
    ck_assert_int_eq(clae_model_layout(&m, 64), CLAE_ERR_ARG); /* blocks exist */
    for (size_t i = 0; i < m.block_floats; i++) {
        ck_assert(m.grads[i] == 0.0f);
        ck_assert(m.adam_m[i] == 0.0f);
        ck_assert(m.adam_v[i] == 0.0f);
    }
    clae_model_free(&m);
}
END_TEST

/* The real device's base address alignment is covered by the default layout. */
START_TEST(test_device_align)
{
    clae_device *d = tu_device();
    clae_model m;
    load_ok(DENOISER, &m);
    fprintf(stderr, "device %s: CL_DEVICE_MEM_BASE_ADDR_ALIGN %u bytes, tensors aligned to %zu\n",
            d->name, (unsigned)d->align_bytes, m.align * sizeof(float));
    ck_assert_int_eq(clae_model_check_align(&m, d->align_bytes), CLAE_OK);
    clae_model_free(&m);
}
END_TEST

START_TEST(test_rng)
{
    /* splitmix64 reference outputs for seed 0 */
    clae_rng r;
    clae_rng_seed(&r, 0);
    ck_assert_uint_eq(clae_rng_next(&r), 0xE220A8397B1DCDAFULL);
    ck_assert_uint_eq(clae_rng_next(&r), 0x6E789E6AA1B965F4ULL);
    ck_assert_uint_eq(clae_rng_next(&r), 0x06C45D188009454FULL);
    clae_rng copy = r; /* the state is a plain value */
    uint64_t a = clae_rng_next(&r);
    ck_assert_uint_eq(clae_rng_next(&copy), a);
    clae_rng_seed(&r, 12345);
    double sum = 0;
    int hits[10] = {0};
    enum { n = 100000 };
    for (int i = 0; i < n; i++) {
        float u = clae_rng_uniform(&r);
        ck_assert(u >= 0.0f && u < 1.0f);
        sum += u;
        uint64_t k = clae_rng_below(&r, 10);
        ck_assert_uint_lt(k, 10);
        hits[k]++;
    }
    /* 5 standard errors: mean of U(0,1) has sd 1/sqrt(12 n) */
    double mean = sum / n, bound = 5.0 / sqrt(12.0 * n);
    fprintf(stderr, "uniform mean %.5f (bound 0.5 +- %.5f)\n", mean, bound);
    ck_assert(fabs(mean - 0.5) < bound);
    for (int k = 0; k < 10; k++) {
        /* binomial(n, 0.1): sd sqrt(n * 0.09) */
        ck_assert(fabs(hits[k] - n / 10.0) < 5.0 * sqrt(n * 0.09));
    }
    ck_assert_uint_eq(clae_rng_below(&r, 1), 0);
}
END_TEST

START_TEST(test_init)
{
    clae_model a, b, c;
    load_ok(DENOISER, &a);
    load_ok(DENOISER, &b);
    load_ok(DENOISER, &c);
    clae_rng ra, rb, rc;
    clae_rng_seed(&ra, a.train.seed);
    clae_rng_seed(&rb, a.train.seed);
    clae_rng_seed(&rc, a.train.seed + 1);
    ck_assert_int_eq(clae_model_init(&a, &ra), CLAE_OK);
    ck_assert_int_eq(clae_model_init(&b, &rb), CLAE_OK);
    ck_assert_int_eq(clae_model_init(&c, &rc), CLAE_OK);
    ck_assert_uint_eq(ra.s, rb.s);
    ck_assert_mem_eq(a.params, b.params, a.block_floats * sizeof(float));
    ck_assert_int_ne(memcmp(a.params, c.params, a.block_floats * sizeof(float)), 0);

    /* Keras: limit = sqrt(6 / (fan_in + fan_out)) */
    ck_assert(clae_tensor_glorot_limit(&a, 0) == sqrt(6.0 / (27 + 72)));
    ck_assert(clae_tensor_glorot_limit(&a, 4) == sqrt(6.0 / (144 + 144)));
    ck_assert(clae_tensor_glorot_limit(&a, 8) == sqrt(6.0 / (144 + 27)));
    ck_assert(clae_tensor_glorot_limit(&a, 1) == 0.0);

    double sum = 0, sq = 0;
    size_t nw = 0;
    char *used = calloc(a.block_floats, 1);
    ck_assert_ptr_nonnull(used);
    for (int t = 0; t < a.ntensors; t++) {
        const clae_tensor *x = &a.tensors[t];
        const float *p = a.params + x->offset;
        memset(used + x->offset, 1, x->count);
        if (x->ndim == 1) {
            for (size_t i = 0; i < x->count; i++) ck_assert(p[i] == 0.0f);
            continue;
        }
        double lim = clae_tensor_glorot_limit(&a, t);
        float flim = (float)lim, mx = 0;
        for (size_t i = 0; i < x->count; i++) {
            ck_assert(fabsf(p[i]) <= flim);
            if (fabsf(p[i]) > mx) mx = fabsf(p[i]);
            sum += p[i] / lim;
            sq += (p[i] / lim) * (p[i] / lim);
        }
        fprintf(stderr, "%s: limit %.6f, max |w| %.6f\n", x->name, lim, (double)mx);
        ck_assert(mx > 0.9f * flim); /* the whole range is used */
        nw += x->count;
    }
    for (size_t i = 0; i < a.block_floats; i++)
        if (!used[i]) ck_assert(a.params[i] == 0.0f); /* padding stays zero */
    free(used);
    /* w / limit ~ U(-1, 1): mean 0 (sd 1/sqrt(3 n)), mean square 1/3 (sd 2/sqrt(45 n)) */
    double mean = sum / nw, msq = sq / nw;
    fprintf(stderr, "%zu weights: mean(w/limit) %.5f, mean((w/limit)^2) %.5f\n", nw, mean, msq);
    ck_assert(fabs(mean) < 5.0 / sqrt(3.0 * nw));
    ck_assert(fabs(msq - 1.0 / 3.0) < 5.0 * 2.0 / sqrt(45.0 * nw));
    clae_model_free(&a);
    clae_model_free(&b);
    clae_model_free(&c);
}
END_TEST

START_TEST(test_summary)
{
    char buf[32];
    ck_assert_str_eq(clae_thousands(0, buf, sizeof buf), "0");
    ck_assert_str_eq(clae_thousands(999, buf, sizeof buf), "999");
    ck_assert_str_eq(clae_thousands(1000, buf, sizeof buf), "1,000");
    ck_assert_str_eq(clae_thousands(6467, buf, sizeof buf), "6,467");
    ck_assert_str_eq(clae_thousands(1234567, buf, sizeof buf), "1,234,567");
    clae_model m;
    load_ok(DENOISER, &m);
    char *text = tu_summary(&m);
    ck_assert_ptr_nonnull(strstr(text, "Total params: 6,467 (25.26 KB)"));
    ck_assert_ptr_nonnull(strstr(text, "layers.0 (conv2d)"));
    ck_assert_ptr_nonnull(strstr(text, "(None, 32, 32, 8)"));
    ck_assert_ptr_nonnull(strstr(text, "(None, 8, 8, 16)"));
    ck_assert_ptr_nonnull(strstr(text, "layers.5 (conv2d_transpose)"));
    ck_assert_ptr_nonnull(strstr(text, "2,320"));
    ck_assert_ptr_nonnull(strstr(text, "1,168"));
    free(text);
    ck_assert_uint_eq(clae_model_frozen_params(&m), 0);
    clae_model_free(&m);
}
END_TEST

/* [train] freeze's layers hold the non-trainable parameters (issue 26 item 3: the summary
 * called them all trainable). */
START_TEST(test_summary_frozen)
{
    clae_model m;
    load_ok("configs/classify-codes.cfg", &m);
    ck_assert_uint_eq(clae_model_frozen_params(&m), 1392); /* two conv2d: 224 + 1,168 */
    char *text = tu_summary(&m);
    ck_assert_ptr_nonnull(strstr(text, "Total params: 11,642"));
    ck_assert_ptr_nonnull(strstr(text, "Trainable params: 10,250"));
    ck_assert_ptr_nonnull(strstr(text, "Non-trainable params: 1,392"));
    free(text);
    clae_model_free(&m);
}
END_TEST

static Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_denoiser_layers);
    tcase_add_test(tc, test_denoiser_config_values);
    tcase_add_test(tc, test_denoiser_tensors);
    tcase_add_test(tc, test_denoiser_shapes);
    tcase_add_test(tc, test_parse_string);
    tcase_add_test(tc, test_model_set);
    tcase_add_test(tc, test_every_train_key);
    tcase_add_test(tc, test_sections_and_syntax);
    tcase_add_test(tc, test_bad_configs);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_layout);
    tcase_add_test(tc, test_device_align);
    tcase_add_test(tc, test_rng);
    tcase_add_test(tc, test_init);
    tcase_add_test(tc, test_summary);
    tcase_add_test(tc, test_summary_frozen);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(model_suite()); }
