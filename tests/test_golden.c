/* Golden digests: a few Adam steps on the reference path, from a fixed seed
 * and fixed data, must leave exactly these bits in the weights and both Adam
 * moments. A refactor that claims "behaviour unchanged" proves it here; a
 * change that means to alter the numbers updates the digests in the same
 * commit and says why. The reference path is plain C without fast-math or
 * FMA contraction (x86-64 baseline), so the bits do not depend on -O level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clae/augment.h"
#include "clae/train.h"
#include "testutil.h"

enum { NIMG = 40 };

static clae_dataset make_data(uint64_t seed)
{
    clae_dataset ds = {malloc((size_t)NIMG * CLAE_CIFAR_RECORD), NIMG, 32, 32, 3};
    ck_assert_ptr_nonnull(ds.records);
    for (size_t i = 0; i < (size_t)NIMG * CLAE_CIFAR_RECORD; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        ds.records[i] = (uint8_t)(seed >> 56);
    }
    return ds;
}

/* FNV-1a, 64-bit, over bytes */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

typedef struct golden {
    const char *config, *corrupt;
    int augment;
    uint64_t digest;
} golden;

static const golden CASES[] = {
    {"configs/denoiser.cfg", "blur", 0, 0xaa39986b918cae9aULL},
    {"configs/denoiser.cfg", "noise", 0, 0xc282fa8286934363ULL},
    {"configs/denoiser.cfg", "saltpepper", 0, 0x4cd04bf2722da916ULL},
    {"configs/denoiser.cfg", "mask", 0, 0x1165b5e59ee45ae8ULL},
    {"configs/denoiser.cfg", "blur", 1, 0x7cd728e6580f6065ULL},
    {"tests/models/small.cfg", "blur", 0, 0x346f9edfb25a726aULL},
};
#define NCASES ((int)(sizeof CASES / sizeof CASES[0]))

START_TEST(test_golden_ref)
{
    const golden *g = &CASES[_i];
    clae_device d;
    ck_assert_int_eq(clae_device_open(&d, "ref"), CLAE_OK);
    clae_model m;
    ck_assert_int_eq(clae_model_load(g->config, &m), CLAE_OK);
    m.net.batch = 8;
    snprintf(m.train.corrupt, sizeof m.train.corrupt, "%s", g->corrupt);
    clae_rng r;
    clae_rng_seed(&r, 7);
    ck_assert_int_eq(clae_model_init(&m, &r), CLAE_OK);
    clae_dataset train = make_data(1), test = make_data(2);
    if (g->augment) {
        clae_dataset aug;
        size_t counts[3];
        ck_assert_int_eq(clae_augment_recipe(&aug, &train, 0.3, 7, counts), CLAE_OK);
        clae_dataset_free(&train);
        train = aug;
    }
    char tmpl[] = "/tmp/clae-golden-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    clae_train_opts o = {.out_dir = tmpl, .max_steps = 6}; /* one epoch (4 or 5 steps) and on */
    clae_run run;
    clae_run_init(&run, &m);
    run.epochs = 2;
    run.seed = 7;
    run.shuffle = 1;
    clae_train_result res;
    ck_assert_int_eq(clae_train(&m, &d, &train, &test, &o, &run, NULL, &res), CLAE_OK);
    ck_assert_int_eq(res.steps, 6);
    size_t bytes = m.block_floats * sizeof(float);
    uint64_t h = fnv(0xcbf29ce484222325ULL, m.params, bytes);
    h = fnv(h, m.adam_m, bytes);
    h = fnv(h, m.adam_v, bytes);
    printf("  %s corrupt=%s%s: digest 0x%016llxULL (val loss %.9g)\n", g->config, g->corrupt,
           g->augment ? " augment" : "", (unsigned long long)h, res.val_loss);
    ck_assert_msg(h == g->digest, "%s corrupt=%s%s: digest 0x%016llx, want 0x%016llx", g->config,
                  g->corrupt, g->augment ? " augment" : "", (unsigned long long)h,
                  (unsigned long long)g->digest);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
    ck_assert_int_eq(system(cmd), 0);
    clae_dataset_free(&train);
    clae_dataset_free(&test);
    clae_model_free(&m);
    clae_device_close(&d);
}
END_TEST

static Suite *golden_suite(void)
{
    Suite *s = suite_create("golden");
    TCase *tc = tu_tcase("reference digests", 300, 0);
    tcase_add_loop_test(tc, test_golden_ref, 0, NCASES);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(golden_suite()); }
