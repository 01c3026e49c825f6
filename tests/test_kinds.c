/* Layer kinds as modules: the settings only one kind reads live in its own
 * struct behind the layer (its keys and --set put them there, its summary
 * text shows them), and what the model and the commands ask of a kind is a
 * flag of its own, not its name. */
#include <stdio.h>
#include <string.h>

#include "clae/layer.h"
#include "clae/model.h"
#include "testutil.h"

static void parse_ok(const char *text, clae_model *m)
{
    char err[512];
    clae_status st = clae_model_parse_ex(NULL, text, "string", m, err, sizeof err);
    ck_assert_msg(st == CLAE_OK, "config string: %s", err);
}

START_TEST(test_kind_settings)
{
    static const char *const text =
        "[net]\ninput = 8,8,2\n"
        "[conv2d]\nfilters = 4\nsize = 3\npadding = same\n"
        "[dropout]\nrate = 0.25\n"
        "[upsampling2d]\ninterpolation = bilinear\n"
        "[maxpool]\n"
        "[flatten]\n"
        "[dense]\nunits = 8\nactivation = sigmoid\ncontractive = 0.5\n"
        "[sampling]\nlatent = 4\nkl_weight = 0.5\n"
        "[dense]\nunits = 128\n"
        "[reshape]\ntarget_shape = 8,8,2\n";
    static const char *const want[] = {"4 3x3 stride 1,1 same linear", "rate 0.25",
                                       "x2,2 bilinear", "2x2 stride 2,2 valid", "C,H,W order",
                                       "8 units sigmoid contractive 0.5",
                                       "z of 4, kl_weight 0.5", "128 units linear",
                                       "to 8,8,2"};
    clae_model m;
    parse_ok(text, &m);
    ck_assert_int_eq(m.nlayers, 9);
    char buf[128];
    for (int i = 0; i < m.nlayers; i++) {
        const clae_layer *l = &m.layers[i];
        l->kind->describe(l, buf, sizeof buf);
        ck_assert_str_eq(buf, want[i]);
        ck_assert_int_eq(l->kind->samples_latent, i == 6);
        ck_assert_int_eq(l->kind->softmax_head, i == 5 || i == 7);
    }
    ck_assert_int_eq(m.layers[5].out_c, 8);
    ck_assert_int_eq(m.layers[6].out_c, 4);
    ck_assert_int_eq(m.layers[8].out_h, 8);
    ck_assert_str_eq(m.layers[2].kind->grow_key, "size");
    ck_assert_ptr_null(m.layers[0].kind->grow_key);
    ck_assert_str_eq(clae_layer_kind_find("conv2d_transpose")->grow_key, "stride");
    ck_assert_int_eq(clae_model_set(&m, "layers.1.rate=0.5"), CLAE_OK);
    ck_assert_int_eq(clae_model_set(&m, "layers.6.latent=2"), CLAE_ERR_FORMAT); /* 8 != 2 x 2 */
    m.layers[1].kind->describe(&m.layers[1], buf, sizeof buf);
    ck_assert_str_eq(buf, "rate 0.5");
    clae_model_free(&m);
}
END_TEST

static Suite *kinds_suite(void)
{
    Suite *s = suite_create("kinds");
    TCase *tc = tu_tcase("kinds", 60, 0);
    tcase_add_test(tc, test_kind_settings);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(kinds_suite()); }
