/* Models with branches ([branch] sections after a shared trunk): what the
 * config reader makes of them (layers, branches, shapes, tensors), the
 * summary's tree, and the net's refusal until a net runs one path at a time.
 * The bad configs are in tests/configs/branch_*.cfg (test_model). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/model.h"
#include "clae/net.h"
#include "testutil.h"

static const char TWO[] =
    "[net]\ninput = 32,32,3\nbatch = 8\n[train]\ncorrupt = none\n"
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

START_TEST(test_branch_summary)
{
    clae_model m;
    parse_two(&m);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    clae_model_summary(&m, f);
    fclose(f);
    fputs(text, stderr);
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

START_TEST(test_branch_net_refused)
{
    clae_model m;
    parse_two(&m);
    ck_assert_int_eq(clae_model_alloc(&m), CLAE_OK);
    clae_device d;
    ck_assert_int_eq(clae_device_open(&d, "ref"), CLAE_OK);
    clae_net n;
    ck_assert_int_eq(clae_net_create(&n, &m, &d, 4), CLAE_ERR_ARG);
    clae_device_close(&d);
    clae_model_free(&m);
}
END_TEST

static Suite *branches_suite(void)
{
    Suite *s = suite_create("branches");
    TCase *tc = tu_tcase("model", 60, 0);
    tcase_add_test(tc, test_branch_layers);
    tcase_add_test(tc, test_branch_summary);
    tcase_add_test(tc, test_branch_net_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(branches_suite()); }
