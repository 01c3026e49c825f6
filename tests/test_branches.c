/* Models with branches ([branch] sections after a shared trunk): what the
 * config reader makes of them (layers, branches, shapes, tensors), the
 * summary's tree, and the net's refusal until a net runs one path at a time.
 * The bad configs are in tests/configs/branch_*.cfg (test_model). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/model.h"
#include "clae/net.h"
#include "testutil.h"

/* Adam's eps large enough that its update is a smooth function of the
 * gradient: the device and the reference path agree to the tolerances
 * after several steps (no sign of a near-zero gradient decides a step). */
static const char TWO[] =
    "[net]\ninput = 32,32,3\nbatch = 8\neps = 0.01\n[train]\ncorrupt = none\n"
    "[conv2d]\nfilters = 8\nsize = 3\npadding = same\nactivation = relu\nname = enc\n"
    "[maxpool]\n"
    "[conv2d]\nfilters = 16\nsize = 3\npadding = same\nactivation = relu\nname = code\n"
    "[branch]\nname = cats\nclasses = 3\n"
    "[conv2d_transpose]\nfilters = 16\nsize = 3\nstride = 2\npadding = same\nactivation = relu\n"
    "[conv2d]\nfilters = 3\nsize = 3\npadding = same\nactivation = sigmoid\nname = cats_out\n"
    "[branch]\nname = dogs\nclasses = 5\ndata = other/data\n"
    "[conv2d]\nfilters = 16\nsize = 3\npadding = same\nactivation = relu\n"
    "[add]\nfrom = code\n"
    "[conv2d_transpose]\nfilters = 8\nsize = 3\nstride = 2\npadding = same\nactivation = relu\n"
    "[conv2d]\nfilters = 3\nsize = 3\npadding = same\nactivation = sigmoid\n";

static void parse_two(clae_model *m)
{
    char err[512];
    clae_status st = clae_model_parse_ex(NULL, TWO, "two", m, err, sizeof err);
    ck_assert_msg(st == CLAE_OK, "%s", err);
}

START_TEST(test_branch_layers)
{
    clae_model m;
    parse_two(&m);
    ck_assert_int_eq(m.nlayers, 9);
    ck_assert_int_eq(m.nbranches, 2);
    ck_assert_int_eq(clae_model_trunk_layers(&m), 3);
    ck_assert_str_eq(m.branches[0].name, "cats");
    ck_assert_int_eq(m.branches[0].first, 3);
    ck_assert_int_eq(m.branches[0].count, 2);
    ck_assert_str_eq(m.branches[0].data, "");
    ck_assert_str_eq(m.branches[1].name, "dogs");
    ck_assert_int_eq(m.branches[1].first, 5);
    ck_assert_int_eq(m.branches[1].count, 4);
    ck_assert_str_eq(m.branches[1].data, "other/data");
    char cls[64];
    clae_classes_format(&m.branches[0].classes, cls, sizeof cls);
    ck_assert_str_eq(cls, "3");
    clae_classes_format(&m.branches[1].classes, cls, sizeof cls);
    ck_assert_str_eq(cls, "5");
    /* each branch starts from the trunk's output, (16, 16, 16) */
    for (int k = 0; k < 2; k++) {
        const clae_layer *l = &m.layers[m.branches[k].first];
        ck_assert_int_eq(l->in_h, 16);
        ck_assert_int_eq(l->in_w, 16);
        ck_assert_int_eq(l->in_c, 16);
    }
    ck_assert_int_eq(m.layers[7].out_c, 8); /* dogs' own widths, not cats' */
    ck_assert_int_eq(m.layers[7].in_h, 16);
    static const int branch_of[9] = {-1, -1, -1, 0, 0, 1, 1, 1, 1};
    static const int head[9] = {0, 0, 0, 0, 1, 0, 0, 0, 1};
    for (int i = 0; i < 9; i++) {
        ck_assert_int_eq(clae_model_branch_of(&m, i), branch_of[i]);
        ck_assert_int_eq(clae_model_is_head(&m, i), head[i]);
    }
    /* the add in dogs takes the trunk's code layer */
    ck_assert_int_eq(m.layers[6].src, 2);
    /* tensors of every layer, numbered over the whole file */
    ck_assert_int_ge(clae_model_find_tensor(&m, "layers.8.weight"), 0);
    ck_assert_int_ge(clae_model_find_tensor(&m, "layers.4.bias"), 0);
    ck_assert_uint_eq(m.nparams, 224 + 1168 + 2320 + 435 + 2320 + 1160 + 219);
    clae_model_free(&m);
}
END_TEST

/* A branch's own loss: [net]'s unless it names one. */
START_TEST(test_branch_loss)
{
    char text[sizeof TWO + 32], err[512];
    const char *at = strstr(TWO, "classes = 5\n");
    ck_assert_ptr_nonnull(at);
    const int head = (int)(at - TWO) + (int)strlen("classes = 5\n");
    snprintf(text, sizeof text, "%.*sloss = mae\n%s", head, TWO, TWO + head);
    clae_model m;
    ck_assert_int_eq(clae_model_parse_ex(NULL, text, "two", &m, err, sizeof err), CLAE_OK);
    ck_assert_int_eq(m.branches[0].loss_kind, CLAE_LOSS_MSE);
    ck_assert_int_eq(m.branches[1].loss_kind, CLAE_LOSS_MAE);
    ck_assert_str_eq(m.branches[1].loss, "mae");
    clae_model_free(&m);
    snprintf(text, sizeof text, "%.*sloss = categorical_crossentropy\n%s", head, TWO, TWO + head);
    ck_assert_int_eq(clae_model_parse_ex(NULL, text, "two", &m, err, sizeof err), CLAE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err, "expected mse, mae or binary_crossentropy (key 'loss')"));
}
END_TEST

/* --set NAME.KEY=V on a branch's section (what --data NAME=DIR does) */
START_TEST(test_branch_set)
{
    clae_model m;
    parse_two(&m);
    ck_assert_int_eq(clae_model_set(&m, "dogs.data=else/where"), CLAE_OK);
    ck_assert_str_eq(m.branches[1].data, "else/where");
    ck_assert_int_eq(clae_model_set(&m, "cats.classes=1,2"), CLAE_OK);
    char cls[64];
    clae_classes_format(&m.branches[0].classes, cls, sizeof cls);
    ck_assert_str_eq(cls, "1,2");
    ck_assert_ptr_nonnull(strstr(m.text, "data = else/where"));
    ck_assert_int_eq(clae_model_set(&m, "dogs.filters=3"), CLAE_ERR_ARG); /* a layer's key */
    ck_assert_int_eq(clae_model_set(&m, "birds.data=x"), CLAE_ERR_ARG);
    clae_model_free(&m);
}
END_TEST

START_TEST(test_branch_summary)
{
    clae_model m;
    parse_two(&m);
    char *text = tu_summary(&m);
    ck_assert_ptr_nonnull(strstr(text, " |- branch cats: 2 layers, 2,755 params; data [train]'s, "
                                       "classes 3\n"));
    ck_assert_ptr_nonnull(strstr(text, " |  layers.3 (conv2d_transpose)"));
    ck_assert_ptr_nonnull(strstr(text, " `- branch dogs: 4 layers, 3,699 params; data "
                                       "other/data, classes 5\n"));
    ck_assert_ptr_nonnull(strstr(text, "    layers.6 (add)"));
    ck_assert_ptr_nonnull(strstr(text, "Shared trunk (layers.0 to layers.2): 1,392 params"));
    ck_assert_ptr_nonnull(strstr(text, "Total params: 7,846"));
    free(text);
    clae_model_free(&m);
}
END_TEST

enum { NB = 2 };

static void parse_init(clae_model *m)
{
    parse_two(m);
    clae_rng rng;
    clae_rng_seed(&rng, 77);
    ck_assert_int_eq(clae_model_init(m, &rng), CLAE_OK);
}

/* The reference path, the two-branch model initialised, and its net at NB. */
static void open_ref_net(clae_device *ref, clae_model *m, clae_net *n)
{
    ck_assert_int_eq(clae_device_open(ref, "ref"), CLAE_OK);
    parse_init(m);
    ck_assert_int_eq(clae_net_create(n, m, ref, NB), CLAE_OK);
}

/* A batch of NB images and targets into a net's input and target. */
static void put_batch(clae_net *n, const float *in, const float *target, size_t cnt)
{
    ck_assert_int_eq(clae_buf_write(n->d, n->act[0], in, cnt * sizeof(float)), CLAE_OK);
    ck_assert_int_eq(clae_buf_write(n->d, n->target, target, cnt * sizeof(float)), CLAE_OK);
}

/* Steps on branches cats, dogs, cats (each its own batch) on the device
 * and on the reference path: every tensor within tolerance after each; the
 * first step leaves dogs' tensors exactly as they were. */
START_TEST(test_branch_steps_device_vs_ref)
{
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_model mr, mc;
    parse_init(&mr);
    parse_init(&mc);
    float *dogs0 = malloc(mr.block_floats * sizeof(float));
    memcpy(dogs0, mr.params, mr.block_floats * sizeof(float));
    clae_net nr, nc;
    ck_assert_int_eq(clae_net_create(&nr, &mr, &ref, NB), CLAE_OK);
    ck_assert_int_eq(clae_net_create(&nc, &mc, tu_device(), NB), CLAE_OK);
    const size_t cnt = NB * clae_model_in_count(&mr);
    float *in = tu_alloc0(cnt), *target = tu_alloc0(cnt);
    uint64_t seed = 5;
    for (int s = 0; s < 3; s++) {
        const int k = s % 2;
        tu_rand(in, cnt, 0.0f, 1.0f, &seed);
        tu_rand(target, cnt, 0.0f, 1.0f, &seed);
        ck_assert_int_eq(clae_net_set_branch(&nr, k), CLAE_OK);
        ck_assert_int_eq(clae_net_set_branch(&nc, k), CLAE_OK);
        put_batch(&nr, in, target, cnt);
        put_batch(&nc, in, target, cnt);
        ck_assert_int_eq(clae_net_train_step(&nr, NB), CLAE_OK);
        ck_assert_int_eq(clae_net_train_step(&nc, NB), CLAE_OK);
        float lr_, lc;
        ck_assert_int_eq(clae_net_read_loss(&nr, &lr_), CLAE_OK);
        ck_assert_int_eq(clae_net_read_loss(&nc, &lc), CLAE_OK);
        ck_assert(lr_ > 0.01f && lr_ < 1.0f);
        ck_assert_close("loss", &lc, &lr_, 1, TOL_MODEL_ABS, TOL_MODEL_REL);
        ck_assert_int_eq(clae_net_download(&nc), CLAE_OK);
        for (int t = 0; t < mr.ntensors; t++) {
            const clae_tensor *T = &mr.tensors[t];
            char what[96];
            snprintf(what, sizeof what, "step %d (%s): %s", s + 1, mr.branches[k].name, T->name);
            ck_assert_close(what, mc.params + T->offset, mr.params + T->offset, T->count,
                            TOL_MODEL_ABS, TOL_MODEL_REL);
            if (s == 0 && clae_model_branch_of(&mr, T->layer) == 1) /* dogs: untouched */
                ck_assert_close(what, mr.params + T->offset, dogs0 + T->offset, T->count,
                                TOL_EXACT_ABS, TOL_EXACT_REL);
            if (s == 0 && clae_model_branch_of(&mr, T->layer) != 1) /* the path: moved */
                ck_assert_msg(memcmp(mr.params + T->offset, dogs0 + T->offset,
                                     T->count * sizeof(float)) != 0, "%s did not move", what);
        }
    }
    ck_assert_int_eq(nr.t, 3); /* one optimizer: its step count is both branches' */
    free(in);
    free(target);
    free(dogs0);
    clae_net_free(&nr);
    clae_net_free(&nc);
    clae_model_free(&mr);
    clae_model_free(&mc);
    clae_device_close(&ref);
}
END_TEST

/* Forward and loss of branch k on the net's batch (reference path): the loss. */
static float path_loss(clae_net *n, int k)
{
    ck_assert_int_eq(clae_net_set_branch(n, k), CLAE_OK);
    ck_assert_int_eq(clae_net_forward(n, NB), CLAE_OK);
    ck_assert_int_eq(clae_net_loss(n, NB), CLAE_OK);
    float l;
    ck_assert_int_eq(clae_net_read_loss(n, &l), CLAE_OK);
    return l;
}

/* The gradients of branch k's loss on the batch, added into the block. */
static void path_backward(clae_net *n, int k)
{
    (void)path_loss(n, k);
    ck_assert_int_eq(clae_net_backward(n, NB), CLAE_OK);
}

/* Both losses taken on one batch: the shared trunk's gradient is the sum of
 * the two branches', each branch's its own; the sum checked against finite
 * differences of loss_cats + loss_dogs in the trunk's weights. */
START_TEST(test_branch_shared_gradient)
{
    clae_device ref;
    clae_model m;
    clae_net n;
    open_ref_net(&ref, &m, &n);
    const size_t cnt = NB * clae_model_in_count(&m), nf = m.block_floats;
    float *in = tu_alloc0(cnt), *target = tu_alloc0(cnt);
    uint64_t seed = 11;
    tu_rand(in, cnt, 0.0f, 1.0f, &seed);
    tu_rand(target, cnt, 0.0f, 1.0f, &seed);
    put_batch(&n, in, target, cnt);
    float *g[3];
    for (int k = 0; k < 3; k++) { /* cats alone, dogs alone, both */
        ck_assert_int_eq(clae_net_zero_grad(&n), CLAE_OK);
        if (k != 1) path_backward(&n, 0);
        if (k != 0) path_backward(&n, 1);
        g[k] = malloc(nf * sizeof(float));
        memcpy(g[k], m.grads, nf * sizeof(float));
    }
    const int T = clae_model_trunk_layers(&m);
    for (int t = 0; t < m.ntensors; t++) {
        const clae_tensor *x = &m.tensors[t];
        const int b = clae_model_branch_of(&m, x->layer);
        float *want = malloc(x->count * sizeof(float));
        for (size_t j = 0; j < x->count; j++) {
            const size_t o = x->offset + j;
            want[j] = b < 0 ? g[0][o] + g[1][o] : g[b][o];
        }
        if (b < 0) /* both branches reach the trunk */
            for (int k = 0; k < 2; k++) {
                float mx = 0;
                for (size_t j = 0; j < x->count; j++) mx = fmaxf(mx, fabsf(g[k][x->offset + j]));
                ck_assert_msg(mx > 0, "%s: no gradient from branch %d", x->name, k);
            }
        char what[96];
        snprintf(what, sizeof what, "both losses: %s (%s)", x->name, b < 0 ? "trunk" : "branch");
        ck_assert_close(what, g[2] + x->offset, want, x->count, TOL_SUM_ABS, TOL_SUM_REL);
        free(want);
    }
    /* finite differences of the summed loss in the trunk's largest gradients */
    const float h = 1e-3f;
    int checked = 0;
    for (int t = 0; t < m.ntensors && checked < 6; t++) {
        const clae_tensor *x = &m.tensors[t];
        if (x->layer >= T) continue;
        size_t best = x->offset;
        for (size_t j = 0; j < x->count; j++)
            if (fabsf(g[2][x->offset + j]) > fabsf(g[2][best])) best = x->offset + j;
        const float p0 = m.params[best];
        m.params[best] = p0 + h;
        const double up = (double)path_loss(&n, 0) + path_loss(&n, 1);
        m.params[best] = p0 - h;
        const double down = (double)path_loss(&n, 0) + path_loss(&n, 1);
        m.params[best] = p0;
        const float fd = (float)((up - down) / (2.0 * h));
        char what[96];
        snprintf(what, sizeof what, "finite difference of %s[%zu]", x->name, best - x->offset);
        ck_assert_close(what, &g[2][best], &fd, 1, TOL_FD_ABS, TOL_FD_REL);
        checked++;
    }
    ck_assert_int_ge(checked, 2);
    for (int k = 0; k < 3; k++) free(g[k]);
    free(in);
    free(target);
    clae_net_free(&n);
    clae_model_free(&m);
    clae_device_close(&ref);
}
END_TEST

/* [train] freeze in a branch: the trunk and that branch's layers up to it
 * keep their weights through steps of both branches; the other branch trains.
 * In the trunk: the trunk up to it, both branches train. */
START_TEST(test_branch_freeze)
{
    static const char *const FREEZE[2] = {"cats_out", "code"};
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    for (int f = 0; f < 2; f++) {
        clae_model m;
        parse_two(&m);
        char set[64];
        snprintf(set, sizeof set, "train.freeze=%s", FREEZE[f]);
        ck_assert_int_eq(clae_model_set(&m, set), CLAE_OK);
        clae_rng rng;
        clae_rng_seed(&rng, 77);
        ck_assert_int_eq(clae_model_init(&m, &rng), CLAE_OK);
        float *p0 = malloc(m.block_floats * sizeof(float));
        memcpy(p0, m.params, m.block_floats * sizeof(float));
        clae_net n;
        ck_assert_int_eq(clae_net_create(&n, &m, &ref, NB), CLAE_OK);
        const size_t cnt = NB * clae_model_in_count(&m);
        float *in = tu_alloc0(cnt), *target = tu_alloc0(cnt);
        uint64_t seed = 3;
        for (int s = 0; s < 2; s++) {
            tu_rand(in, cnt, 0.0f, 1.0f, &seed);
            tu_rand(target, cnt, 0.0f, 1.0f, &seed);
            put_batch(&n, in, target, cnt);
            ck_assert_int_eq(clae_net_set_branch(&n, s), CLAE_OK);
            ck_assert_int_eq(clae_net_train_step(&n, NB), CLAE_OK);
        }
        for (int t = 0; t < m.ntensors; t++) {
            const clae_tensor *x = &m.tensors[t];
            const int same = memcmp(m.params + x->offset, p0 + x->offset,
                                    x->count * sizeof(float)) == 0;
            const int b = clae_model_branch_of(&m, x->layer);
            const int frozen = f == 0 ? b != 1 : x->layer <= 2; /* cats_out: trunk and cats */
            ck_assert_int_eq(clae_model_layer_frozen(&m, x->layer), frozen);
            ck_assert_msg(same == frozen, "freeze = %s: %s %s", FREEZE[f], x->name,
                          same ? "did not move" : "moved");
        }
        free(in);
        free(target);
        free(p0);
        clae_net_free(&n);
        clae_model_free(&m);
    }
    clae_device_close(&ref);
}
END_TEST

START_TEST(test_branch_set_bad)
{
    clae_device ref;
    clae_model m;
    clae_net n;
    open_ref_net(&ref, &m, &n);
    ck_assert_int_eq(clae_net_set_branch(&n, 2), CLAE_ERR_ARG);
    ck_assert_int_eq(clae_net_set_branch(&n, -1), CLAE_ERR_ARG);
    ck_assert_int_eq(clae_net_set_branch(&n, 1), CLAE_OK);
    ck_assert_int_eq(clae_net_path_len(&n), 7);
    ck_assert_int_eq(clae_net_path_layer(&n, 3), 5);
    ck_assert_int_eq(clae_net_path_prev(&n, 5), 2);
    ck_assert_int_eq(clae_net_path_next(&n, 2), 5);
    ck_assert_int_eq(clae_net_path_next(&n, 8), -1);
    ck_assert_int_eq(clae_net_path_prev(&n, 3), -1); /* cats' layer: not on dogs' path */
    ck_assert_int_eq(clae_net_in_slot(&n, 5), 3);
    ck_assert_int_eq(clae_net_out_slot(&n), 9);
    clae_net_free(&n);
    clae_model_free(&m);
    clae_device_close(&ref);
}
END_TEST

static Suite *branches_suite(void)
{
    Suite *s = suite_create("branches");
    TCase *tc = tu_tcase("model", 60, 0);
    tcase_add_test(tc, test_branch_layers);
    tcase_add_test(tc, test_branch_summary);
    tcase_add_test(tc, test_branch_loss);
    tcase_add_test(tc, test_branch_set);
    tcase_add_test(tc, test_branch_set_bad);
    tcase_add_test(tc, test_branch_shared_gradient);
    tcase_add_test(tc, test_branch_freeze);
    suite_add_tcase(s, tc);
    tc = tu_tcase("device", 300, 1);
    tcase_add_test(tc, test_branch_steps_device_vs_ref);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(branches_suite()); }
