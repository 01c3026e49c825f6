/* clae train --transfer's copying (src/host/apps/transfer.c): the tensors of the same name and
 * shape come from the other model, those of another shape keep their fresh values. No OpenCL
 * needed. */
#include <stdlib.h>
#include <string.h>

#include "clae/model.h"
#include "clae/rng.h"
#include "clae/transfer.h"
#include "testutil.h"

/* configs/denoiser.cfg, with one --set when assign is not NULL, initialised from seed. */
static void load(clae_model *m, const char *assign, uint64_t seed)
{
    ck_assert_int_eq(clae_model_load("configs/denoiser.cfg", m), CLAE_OK);
    if (assign) ck_assert_int_eq(clae_model_set(m, assign), CLAE_OK);
    clae_rng r;
    clae_rng_seed(&r, seed);
    ck_assert_int_eq(clae_model_init(m, &r), CLAE_OK);
}

START_TEST(test_transfer_same_name_and_shape)
{
    clae_model src, m;
    load(&src, NULL, 1);
    load(&m, "layers.2.filters=12", 2); /* the second convolution and the one after it differ */
    float *fresh = malloc(m.nparams * sizeof(float));
    memcpy(fresh, m.params, m.nparams * sizeof(float));
    clae_transfer_fate *fate = malloc((size_t)m.ntensors * sizeof *fate);
    int taken = clae_transfer_tensors(&m, &src, fate), want_taken = 0, other = 0;
    for (int t = 0; t < m.ntensors; t++) {
        const clae_tensor *T = &m.tensors[t];
        int j = clae_model_find_tensor(&src, T->name);
        ck_assert_int_ge(j, 0); /* the same layers, by name */
        const clae_tensor *S = &src.tensors[j];
        int same = S->ndim == T->ndim &&
                   memcmp(S->dims, T->dims, (size_t)T->ndim * sizeof(int)) == 0;
        ck_assert_int_eq(fate[t], same ? CLAE_TRANSFER_TAKEN : CLAE_TRANSFER_OTHER_SHAPE);
        const float *want = same ? src.params + S->offset : fresh + T->offset;
        ck_assert_int_eq(memcmp(m.params + T->offset, want, T->count * sizeof(float)), 0);
        want_taken += same, other += !same;
    }
    ck_assert_int_eq(taken, want_taken);
    ck_assert_int_gt(taken, 0);
    ck_assert_int_gt(other, 0);
    free(fate);
    free(fresh);
    clae_model_free(&m);
    clae_model_free(&src);
}
END_TEST

static Suite *transfer_suite(void)
{
    Suite *s = suite_create("transfer");
    TCase *tc = tcase_create("transfer");
    tcase_add_test(tc, test_transfer_same_name_and_shape);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(transfer_suite()); }
