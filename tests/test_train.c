/* The scheduler: batch order, determinism, and resume == uninterrupted. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "clae/checkpoint.h"
#include "clae/history.h"
#include "clae/run.h"
#include "clae/train.h"
#include "clae/train_setup.h"
#include "testutil.h"

enum { NIMG = 40, BATCH = 8 };

/* NIMG random records of H x W x C */
static clae_dataset make_data_of(uint64_t seed, int H, int W, int C)
{
    clae_dataset ds = {.n = NIMG, .H = H, .W = W, .C = C};
    const size_t bytes = (size_t)NIMG * clae_dataset_record_bytes(&ds);
    ds.records = malloc(bytes);
    ck_assert_ptr_nonnull(ds.records);
    for (size_t i = 0; i < bytes; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        ds.records[i] = (uint8_t)(seed >> 56);
    }
    return ds;
}

static clae_dataset make_data(uint64_t seed) { return make_data_of(seed, 32, 32, 3); }

/* Two checkpoints hold the same training state, bit for bit: weights,
 * Adam moments, epoch, step and losses (the history line they carry has
 * timings in it, so the files themselves differ). */
static int same_file(const char *a, const char *b)
{
    clae_model ma = {0}, mb = {0};
    clae_ckpt_meta ka, kb;
    ck_assert_int_eq(clae_ckpt_load(a, &ma, &ka, 0), CLAE_OK);
    ck_assert_int_eq(clae_ckpt_load(b, &mb, &kb, 0), CLAE_OK);
    size_t n = ma.block_floats * sizeof(float);
    int same = ma.block_floats == mb.block_floats && memcmp(ma.params, mb.params, n) == 0 &&
               memcmp(ma.adam_m, mb.adam_m, n) == 0 && memcmp(ma.adam_v, mb.adam_v, n) == 0 &&
               ka.epoch == kb.epoch && ka.step == kb.step &&
               memcmp(&ka.val_loss, &kb.val_loss, sizeof(double)) == 0 &&
               memcmp(&ka.train_loss, &kb.train_loss, sizeof(double)) == 0 &&
               memcmp(&ka.best_val_loss, &kb.best_val_loss, sizeof(double)) == 0;
    clae_ckpt_meta_free(&ka);
    clae_ckpt_meta_free(&kb);
    clae_model_free(&ma);
    clae_model_free(&mb);
    return same;
}

static void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Run training from scratch (or from a checkpoint) on the reference path. */
static const char *g_corrupt = "blur";
static const char *g_config = "configs/denoiser.cfg";

static clae_status run(clae_device *d, const char *out, long epochs, long max_steps,
                       const char *resume, clae_train_result *res)
{
    clae_model m;
    ck_assert_int_eq(clae_model_load(g_config, &m), CLAE_OK);
    m.net.batch = BATCH;
    snprintf(m.train.corrupt, sizeof m.train.corrupt, "%s", g_corrupt);
    clae_train_opts o;
    memset(&o, 0, sizeof o);
    o.out_dir = out;
    o.max_steps = max_steps;
    clae_run run;
    clae_run_init(&run, &m);
    run.epochs = epochs;
    run.seed = 7;
    run.shuffle = 1;
    if (resume) {
        clae_ckpt_meta meta;
        clae_ckpt_meta_init(&meta);
        ck_assert_int_eq(clae_ckpt_load(resume, &m, &meta, 0), CLAE_OK);
        ck_assert_int_eq(clae_run_from_meta(&run, &meta, resume), CLAE_OK);
        ck_assert_int_gt(run.epoch_step, 0); /* these resumes are mid-epoch */
        ck_assert_int_eq(run.seed, 7);
        o.continues = 1; /* in its own folder */
        clae_ckpt_meta_free(&meta);
    } else {
        clae_rng r;
        clae_rng_seed(&r, run.seed);
        ck_assert_int_eq(clae_model_init(&m, &r), CLAE_OK);
    }
    clae_dataset train = make_data(1), test = make_data(2);
    clae_status st = clae_train(&m, d, &train, &test, &o, &run, NULL, res);
    clae_dataset_free(&train);
    clae_dataset_free(&test);
    clae_model_free(&m);
    return st;
}

START_TEST(test_epoch_order)
{
    uint32_t a[100], b[100], c[100];
    clae_epoch_order(a, 100, 5, 0, 0);
    for (uint32_t i = 0; i < 100; i++) ck_assert_uint_eq(a[i], i);
    clae_epoch_order(a, 100, 5, 3, 1);
    clae_epoch_order(b, 100, 5, 3, 1);
    clae_epoch_order(c, 100, 5, 4, 1);
    ck_assert_mem_eq(a, b, sizeof a);
    ck_assert(memcmp(a, c, sizeof a) != 0);
    int seen[100] = {0};
    for (int i = 0; i < 100; i++) seen[a[i]]++;
    for (int i = 0; i < 100; i++) ck_assert_int_eq(seen[i], 1);
}
END_TEST

static const char *CORRUPTS[] = {"blur", "noise", "mask", "blur", "none", "blur"};
/* the last cases: a model with dropout, whose masks follow the step, one
 * with every loss term, whose sampling layer's draws do too, and one with
 * the optimizer's options (a schedule's rate follows the step) */
static const char *CONFIG_OF[] = {"configs/denoiser.cfg", "configs/denoiser.cfg",
                                  "configs/denoiser.cfg", "tests/models/dropout.cfg",
                                  "tests/models/penalties.cfg", "tests/models/optim.cfg"};

START_TEST(test_resume_equals_uninterrupted_ref)
{
    g_corrupt = CORRUPTS[_i];
    g_config = CONFIG_OF[_i];
    clae_device d;
    ck_assert_int_eq(clae_device_open(&d, "ref"), CLAE_OK);
    char tmpl[] = "/tmp/clae-train-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    char a[256], b[256], c[256], pa[300], pb[300], pc[300];
    snprintf(a, sizeof a, "%s/a", tmpl);
    snprintf(b, sizeof b, "%s/b", tmpl);
    snprintf(c, sizeof c, "%s/c", tmpl);
    clae_train_result r;
    /* 32 train / 8 validation images, batch 8: 4 steps per epoch. */
    ck_assert_int_eq(run(&d, a, 2, 0, NULL, &r), CLAE_OK);
    ck_assert_int_eq(r.steps, 8);
    ck_assert_int_eq(r.epochs_done, 2);
    /* Same seed again: bit-identical. */
    ck_assert_int_eq(run(&d, c, 2, 0, NULL, &r), CLAE_OK);
    snprintf(pa, sizeof pa, "%s/last.safetensors", a);
    snprintf(pc, sizeof pc, "%s/last.safetensors", c);
    ck_assert_msg(same_file(pa, pc), "two runs with the same seed differ");
    /* Stop inside epoch 2 (after 6 steps), then resume to the end. */
    ck_assert_int_eq(run(&d, b, 2, 6, NULL, &r), CLAE_OK);
    ck_assert_int_eq(r.stopped, 1);
    snprintf(pb, sizeof pb, "%s/last.safetensors", b);
    ck_assert_int_eq(run(&d, b, 2, 0, pb, &r), CLAE_OK);
    ck_assert_int_eq(r.steps, 8);
    ck_assert_msg(same_file(pa, pb), "resumed run differs from the uninterrupted one");
    /* A new run into b is refused (b holds a run) and leaves it as it was. */
    ck_assert_int_eq(run(&d, b, 2, 0, NULL, &r), CLAE_ERR_ARG);
    ck_assert_msg(same_file(pa, pb), "a refused run changed the run in its folder");
    printf("  %s corrupt=%s: resume after 6 of 8 steps: last.safetensors bit-identical to an "
           "uninterrupted run\n", g_config, g_corrupt);
    if (strstr(g_config, "penalties")) { /* each term in the history, apart */
        char hp[300];
        snprintf(hp, sizeof hp, "%s/history.jsonl", a);
        clae_history h;
        ck_assert_int_eq(clae_history_load(hp, &h), CLAE_OK);
        ck_assert_uint_eq(h.n, 2);
        ck_assert_int_eq(h.nterms, 4);
        for (int k = 0; k < 4; k++) {
            printf("  epoch 2 %s %.6g\n", h.term_name[k], h.term[k][1]);
            ck_assert(h.term[k][1] > 0);
        }
        ck_assert_str_eq(h.term_name[0], "reconstruction");
        /* the loss trained is their sum */
        double sum = 0;
        for (int k = 0; k < 4; k++) sum += h.term[k][1];
        ck_assert(fabs(sum - h.train_loss[1]) < 1e-5 * h.train_loss[1]);
        clae_history_free(&h);
    }
    g_config = "configs/denoiser.cfg";
    remove_tree(tmpl);
}
END_TEST

/* On the OpenCL device two runs with the same seed agree within tolerance. */
START_TEST(test_device_runs_agree)
{
    g_corrupt = CORRUPTS[_i];
    clae_device *d = tu_device();
    char tmpl[] = "/tmp/clae-train-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    char a[256], b[256], pa[300], pb[300];
    snprintf(a, sizeof a, "%s/a", tmpl);
    snprintf(b, sizeof b, "%s/b", tmpl);
    clae_train_result ra, rb;
    ck_assert_int_eq(run(d, a, 1, 0, NULL, &ra), CLAE_OK);
    ck_assert_int_eq(run(d, b, 1, 0, NULL, &rb), CLAE_OK);
    snprintf(pa, sizeof pa, "%s/last.safetensors", a);
    snprintf(pb, sizeof pb, "%s/last.safetensors", b);
    clae_model ma = {0}, mb = {0};
    ck_assert_int_eq(clae_ckpt_load(pa, &ma, NULL, 0), CLAE_OK);
    ck_assert_int_eq(clae_ckpt_load(pb, &mb, NULL, 0), CLAE_OK);
    ck_assert_close("device run A vs run B weights", ma.params, mb.params, ma.block_floats,
                    TOL_SUM_ABS, TOL_SUM_REL);
    float la = (float)ra.val_loss, lb = (float)rb.val_loss;
    ck_assert_close("device run A vs run B val loss", &la, &lb, 1, TOL_SUM_ABS, TOL_SUM_REL);
    clae_model_free(&ma);
    clae_model_free(&mb);
    remove_tree(tmpl);
}
END_TEST

/* The scheduler on the OpenCL device (upload, convert, blur, step, Adam)
 * agrees with the reference path: from the same initial weights over the
 * same batches (no shuffle, batch 2), after 2 Adam steps every tensor is
 * within 10% of how far the reference run moved it. This is the whole-run
 * check scripts/check-kernels-sim.sh runs on a simulated GPU, on both
 * convolution paths; on PoCL the difference is float rounding. */
static const char *g_input = "32,32,3"; /* two_steps: the denoiser at this input (H,W,C) */

static clae_status two_steps(clae_device *d, const char *out, clae_model *m)
{
    FILE *f = fopen("configs/denoiser.cfg", "r");
    ck_assert_ptr_nonnull(f);
    static char text[16384], line[512];
    text[0] = '\0';
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "input = ", 8) == 0)
            snprintf(text + strlen(text), sizeof text - strlen(text), "input = %s\n", g_input);
        else
            snprintf(text + strlen(text), sizeof text - strlen(text), "%s", line);
    fclose(f);
    ck_assert_int_eq(clae_model_parse_string(text, "denoiser", m), CLAE_OK);
    m->net.batch = 2;
    snprintf(m->train.corrupt, sizeof m->train.corrupt, "blur");
    clae_rng r;
    clae_rng_seed(&r, 11);
    ck_assert_int_eq(clae_model_init(m, &r), CLAE_OK);
    clae_train_opts o;
    memset(&o, 0, sizeof o);
    o.out_dir = out;
    o.max_steps = 2;
    clae_run run;
    clae_run_init(&run, m);
    run.epochs = 1;
    run.seed = 11;
    run.shuffle = 0;
    clae_dataset train = make_data_of(3, m->net.H, m->net.W, m->net.C),
                 test = make_data_of(4, m->net.H, m->net.W, m->net.C);
    clae_train_result res;
    clae_status st = clae_train(m, d, &train, &test, &o, &run, NULL, &res);
    ck_assert_int_eq(res.steps, 2);
    clae_dataset_free(&train);
    clae_dataset_free(&test);
    return st;
}

/* _i 0: CIFAR-10's 32,32,3; 1: non-square images, 12,20,3 */
START_TEST(test_device_two_steps_match_ref)
{
    g_input = _i ? "12,20,3" : "32,32,3";
    printf("  input = %s\n", g_input);
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    char tmpl[] = "/tmp/clae-train-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    char a[256], b[256], pa[300], pb[300];
    snprintf(a, sizeof a, "%s/ref", tmpl);
    snprintf(b, sizeof b, "%s/dev", tmpl);
    clae_model init, mr = {0}, md = {0};
    ck_assert_int_eq(two_steps(&ref, a, &init), CLAE_OK);
    clae_model_free(&init);
    ck_assert_int_eq(two_steps(tu_device(), b, &init), CLAE_OK);
    clae_rng r; /* the initial weights again (clae_train moved init's) */
    clae_rng_seed(&r, 11);
    ck_assert_int_eq(clae_model_init(&init, &r), CLAE_OK);
    snprintf(pa, sizeof pa, "%s/last.safetensors", a);
    snprintf(pb, sizeof pb, "%s/last.safetensors", b);
    ck_assert_int_eq(clae_ckpt_load(pa, &mr, NULL, 0), CLAE_OK);
    ck_assert_int_eq(clae_ckpt_load(pb, &md, NULL, 0), CLAE_OK);
    for (int t = 0; t < mr.ntensors; t++) {
        const clae_tensor *T = &mr.tensors[t];
        double moved = 0.0, off = 0.0;
        for (size_t j = T->offset; j < T->offset + T->count; j++) {
            moved = fmax(moved, fabs((double)mr.params[j] - init.params[j]));
            off = fmax(off, fabs((double)md.params[j] - mr.params[j]));
        }
        printf("  %-20s moved %.3g by 2 Adam steps; device vs reference %.3g (%.1f%% of it)\n",
               T->name, moved, off, 100.0 * off / moved);
        ck_assert_msg(moved > 0.0, "%s did not move", T->name);
        ck_assert_msg(off <= 0.1 * moved, "%s: device run off by %.3g, over 10%% of the %.3g the "
                      "reference run moved it", T->name, off, moved);
    }
    clae_model_free(&init);
    clae_model_free(&mr);
    clae_model_free(&md);
    clae_device_close(&ref);
    remove_tree(tmpl);
}
END_TEST

/* A folder another run holds (OUT/.lock locked, its pid inside) is refused
 * with one line naming the pid, and nothing is written there; once the
 * holder lets go, training goes ahead. */
START_TEST(test_out_folder_locked)
{
    clae_device d;
    ck_assert_int_eq(clae_device_open(&d, "ref"), CLAE_OK);
    char tmpl[] = "/tmp/clae-train-XXXXXX", lock[300], last[300];
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    snprintf(lock, sizeof lock, "%s/.lock", tmpl);
    snprintf(last, sizeof last, "%s/last.safetensors", tmpl);
    int fd = open(lock, O_RDWR | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
    ck_assert_int_eq(write(fd, "4242\n", 5), 5);
    clae_train_result r;
    ck_assert_int_eq(run(&d, tmpl, 1, 2, NULL, &r), CLAE_ERR_IO);
    ck_assert_int_ne(access(last, F_OK), 0);
    close(fd); /* the holder is gone */
    ck_assert_int_eq(run(&d, tmpl, 1, 2, NULL, &r), CLAE_OK);
    ck_assert_int_eq(access(last, F_OK), 0);
    clae_device_close(&d);
    remove_tree(tmpl);
}
END_TEST

/* What a resume says it will do, and which weights the test line names (issue 26 items 5
 * and 7: --max-steps counted other steps than it said; the test line never said whose
 * weights it measured). */
START_TEST(test_plan_and_weights_text)
{
    clae_run r = {.epochs = 30};
    char buf[320];
    clae_train_resume_plan(&r, 0, 0, buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "will train to the end of epoch 30"));
    ck_assert_ptr_null(strstr(buf, "patience"));
    clae_train_resume_plan(&r, 4, 3, buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "will stop after 4 more steps"));
    ck_assert_ptr_nonnull(strstr(buf, "or at the end of epoch 30"));
    ck_assert_ptr_nonnull(strstr(buf, "[train] patience 3"));
    clae_train_resume_plan(&r, 1, 0, buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "after 1 more step "));
    clae_train_event e = {.kind = CLAE_TRAIN_TEST, .epoch = 10, .weights_epoch = 7,
                          .best_epoch = 7, .best_weights = 1};
    clae_train_weights_text(&e, buf, sizeof buf);
    ck_assert_str_eq(buf, "with the best weights (epoch 7 of 10, restored: [train] restore_best)");
    e.weights_epoch = 10, e.best_weights = 0;
    clae_train_weights_text(&e, buf, sizeof buf);
    ck_assert_str_eq(buf, "with the last weights (epoch 10; the best, epoch 7, is in "
                          "best.safetensors)");
    e.best_epoch = 10, e.best_weights = 1;
    clae_train_weights_text(&e, buf, sizeof buf);
    ck_assert_str_eq(buf, "with the last weights (epoch 10, the best)");
    e.best_epoch = 0, e.best_weights = 0; /* no validation images: no best */
    clae_train_weights_text(&e, buf, sizeof buf);
    ck_assert_str_eq(buf, "with the last weights (epoch 10)");
}
END_TEST

static Suite *train_suite(void)
{
    Suite *s = suite_create("train");
    TCase *sim = tu_tcase("scheduler sim", 600, 1);
    tcase_add_loop_test(sim, test_device_two_steps_match_ref, 0, 2);
    suite_add_tcase(s, sim);
    TCase *tc = tu_tcase("scheduler", 600, 0);
    tcase_add_test(tc, test_epoch_order);
    tcase_add_test(tc, test_plan_and_weights_text);
    tcase_add_test(tc, test_out_folder_locked);
    tcase_add_loop_test(tc, test_resume_equals_uninterrupted_ref, 0, 6);
    tcase_add_loop_test(tc, test_device_runs_agree, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(train_suite()); }
