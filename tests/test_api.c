/* libclae's C API (include/clae/clae.h) through the shared library alone, as a program
 * that links -lclae sees it: NULL handles and bad arguments return a status and one line,
 * the last error is per thread, a model keeps its device open, fit's progress callback
 * stops a run, output buffers are checked. Linked with libclae, not the engine. */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clae/clae.h"

#define CONFIG "python/tests/tiny.cfg" /* 8x8x3, a layer named code (4x4x6), 5 layers */
enum { N = 48, H = 8, W = 8, C = 3 };

static uint8_t g_x[N * H * W * C];

static clae_api_images images(size_t n)
{
    for (size_t i = 0; i < sizeof g_x; i++) g_x[i] = (uint8_t)((i * 2654435761u) >> 24);
    return (clae_api_images){.data = g_x, .dtype = CLAE_API_UINT8, .n = n, .h = H, .w = W, .c = C};
}

static clae_api_model *tiny(void)
{
    clae_api_device *d;
    clae_api_model *m;
    ck_assert_int_eq(clae_api_device_open("ref", &d), CLAE_API_OK);
    ck_assert_int_eq(clae_api_model_from_config(d, CONFIG, NULL, 0, 3, &m), CLAE_API_OK);
    clae_api_device_close(d); /* the model keeps it */
    return m;
}

START_TEST(test_null_and_bad_arguments)
{
    float out[4];
    clae_api_images x = images(N);
    ck_assert_int_eq(clae_api_model_predict(NULL, &x, out, 4, 0), CLAE_API_ERR_STATE);
    ck_assert_ptr_nonnull(strstr(clae_api_last_error(), "no model"));
    ck_assert_int_eq(clae_api_model_fit(NULL, &x, NULL, NULL), CLAE_API_ERR_STATE);
    ck_assert_int_eq(clae_api_model_save(NULL, "x"), CLAE_API_ERR_STATE);
    clae_api_model_free(NULL);
    clae_api_device_close(NULL);
    clae_api_model *m = tiny();
    ck_assert_int_eq(clae_api_model_predict(m, &x, out, 4, 0), CLAE_API_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(clae_api_last_error(), "an output of 4 floats"));
    x.h = 9;
    ck_assert_int_eq(clae_api_model_predict(m, &x, out, 4, 0), CLAE_API_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(clae_api_last_error(), "takes 8 x 8 x 3"));
    x = images(N);
    x.dtype = (clae_api_dtype)7;
    ck_assert_int_eq(clae_api_model_predict(m, &x, out, 4, 0), CLAE_API_ERR_ARG);
    ck_assert_int_eq(clae_api_model_find_layer(m, "nosuch"), -1);
    ck_assert_ptr_nonnull(strstr(clae_api_last_error(), "named: code"));
    ck_assert_int_eq(clae_api_model_find_layer(m, "code"), 2);
    ck_assert_str_eq(clae_api_last_error(), ""); /* a call that works clears it */
    clae_api_model_free(m);
}
END_TEST

START_TEST(test_engine_errors)
{
    clae_api_device *d;
    clae_api_model *m = (clae_api_model *)1;
    ck_assert_int_eq(clae_api_device_open("no-such", &d), CLAE_API_ERR_ARG);
    ck_assert_ptr_null(d);
    ck_assert_ptr_nonnull(strstr(clae_api_last_error(), "bad device 'no-such'"));
    ck_assert_int_eq(clae_api_device_open("ref", &d), CLAE_API_OK);
    ck_assert_int_eq(clae_api_model_from_config(d, "no/such.cfg", NULL, 0, -1, &m),
                     CLAE_API_ERR_IO);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(clae_api_last_error(), "no/such.cfg"));
    ck_assert_ptr_null(strchr(clae_api_last_error(), '\n'));
    const char *set[] = {"net.nosuchkey=1"};
    ck_assert_int_ne(clae_api_model_from_config(d, CONFIG, set, 1, -1, &m), CLAE_API_OK);
    ck_assert_ptr_nonnull(strstr(clae_api_last_error(), "nosuchkey"));
    ck_assert_int_eq(clae_api_model_load(d, CONFIG, &m), CLAE_API_ERR_FORMAT);
    clae_api_device_close(d);
}
END_TEST

static clae_api_device *g_ref;

/* A config that is not there (no OpenCL in the thread: PoCL in a Check child under ASan
 * fails on its own). */
static void *fail_in_thread(void *arg)
{
    clae_api_model *m;
    (void)clae_api_model_from_config(g_ref, arg, NULL, 0, -1, &m);
    return strdup(clae_api_last_error());
}

START_TEST(test_error_per_thread)
{
    pthread_t a, b;
    char *ea, *eb;
    /* a call that works: this thread's last error is "" */
    ck_assert_int_eq(clae_api_device_open("ref", &g_ref), CLAE_API_OK);
    ck_assert_int_eq(pthread_create(&a, NULL, fail_in_thread, "no/a.cfg"), 0);
    ck_assert_int_eq(pthread_create(&b, NULL, fail_in_thread, "no/b.cfg"), 0);
    pthread_join(a, (void **)&ea);
    pthread_join(b, (void **)&eb);
    clae_api_device_close(g_ref);
    ck_assert_ptr_nonnull(strstr(ea, "no/a.cfg"));
    ck_assert_ptr_nonnull(strstr(eb, "no/b.cfg"));
    ck_assert_str_eq(clae_api_last_error(), ""); /* theirs are not this thread's */
    free(ea);
    free(eb);
}
END_TEST

static int stop_after_two(const clae_api_epoch *e, void *user)
{
    (*(int *)user)++;
    return e->epoch >= 2;
}

START_TEST(test_fit_predict_encode)
{
    clae_api_model *m = tiny();
    clae_api_images x = images(N);
    clae_api_fit_opts o;
    clae_api_fit_opts_init(&o);
    int calls = 0;
    o.epochs = 5, o.progress = stop_after_two, o.user = &calls;
    clae_api_fit_result res;
    ck_assert_int_eq(clae_api_model_fit(m, &x, &o, &res), CLAE_API_OK);
    ck_assert_int_eq(calls, 2);
    ck_assert_int_eq(res.stopped, 1);
    ck_assert_int_eq(res.epochs_done, 2);
    ck_assert_uint_eq(clae_api_model_history_len(m), 2);
    clae_api_epoch e;
    ck_assert_int_eq(clae_api_model_history_get(m, 1, &e), CLAE_API_OK);
    ck_assert_int_eq(e.epoch, 2);
    ck_assert(e.train_loss == res.train_loss && e.steps == res.steps);
    ck_assert_int_eq(clae_api_model_history_get(m, 2, &e), CLAE_API_ERR_ARG);
    static float out[N * H * W * C], code[N * 4 * 4 * 6];
    ck_assert_int_eq(clae_api_model_predict(m, &x, out, N * H * W * C, 5), CLAE_API_OK);
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) ck_assert(out[i] >= 0 && out[i] <= 1);
    int h, w, c;
    ck_assert_int_eq(clae_api_model_layer_info(m, 2, NULL, 0, NULL, 0, &h, &w, &c), CLAE_API_OK);
    ck_assert(h == 4 && w == 4 && c == 6);
    ck_assert_int_eq(clae_api_model_encode(m, 2, &x, code, N * 4 * 4 * 6, 0), CLAE_API_OK);
    clae_api_model_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("libclae");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_null_and_bad_arguments);
    tcase_add_test(tc, test_engine_errors);
    tcase_add_test(tc, test_error_per_thread);
    tcase_add_test(tc, test_fit_predict_encode);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
