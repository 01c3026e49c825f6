/* A model's kernels built ahead (clae compile): its training run once on
 * made-up images of its shape, so that every program and work-group size a
 * real run launches is compiled and lands in the kernel caches (PoCL's, or
 * clae's program-binary cache elsewhere); see clae_train_warmup. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "clae/train.h"

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clae/device.h"
#include "clae/layer.h"

/* n records of shape m's input, a fixed pattern of pixel bytes (no constant
 * image: a loss check would see no variance), label 0. */
static clae_status made_up_images(const clae_model *m, size_t n, clae_dataset *out)
{
    *out = (clae_dataset){.n = n, .H = m->net.H, .W = m->net.W, .C = m->net.C};
    const size_t R = clae_dataset_record_bytes(out);
    out->records = calloc(n, R);
    if (!out->records) return CLAE_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 1; j < R; j++) out->records[i * R + j] = (uint8_t)((i * 37 + j * 11) & 255);
    return CLAE_OK;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

clae_status clae_train_warmup(clae_model *m, clae_device *d)
{
    /* one full and one part batch, a validation and a test pass */
    const size_t B = (size_t)m->net.batch, ntrain = B + (B + 1) / 2;
    const double keep = 1.0 - m->train.validation_split;
    size_t total = (size_t)((double)ntrain / keep) + 2;
    while ((size_t)((double)total * keep) > ntrain + 1) total--;
    if (total < ntrain) total = ntrain;
    char dir[] = "/tmp/clae-compile-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("clae: a temporary folder for the warm-up run");
        return CLAE_ERR_IO;
    }
    /* a model with branches: each branch as many images, laid out as
     * clae_train takes them (every branch's training images, then every
     * branch's validation images) */
    const int K = m->nbranches > 0 ? m->nbranches : 1;
    const size_t nval = total - ntrain;
    clae_train_branches br = {.n = m->nbranches};
    for (int k = 0; k < m->nbranches; k++) {
        br.train_from[k] = (size_t)k * ntrain, br.train_n[k] = ntrain;
        br.val_from[k] = (size_t)K * ntrain + (size_t)k * nval, br.val_n[k] = nval;
        br.test_from[k] = (size_t)k * 3, br.test_n[k] = 3;
    }
    clae_dataset train = {0}, test = {0};
    clae_status st = made_up_images(m, (size_t)K * total, &train);
    if (st == CLAE_OK) st = made_up_images(m, (size_t)K * 3, &test);
    if (st == CLAE_OK) {
        clae_run run;
        clae_run_init(&run, m);
        run.epochs = 1;
        clae_train_opts o = {.out_dir = dir, .overwrite = 1,
                             .branches = m->nbranches > 0 ? &br : NULL};
        volatile sig_atomic_t stop = 0;
        clae_train_result res;
        st = clae_train(m, d, &train, &test, &o, &run, &stop, &res);
    }
    clae_dataset_free(&train);
    clae_dataset_free(&test);
    (void)nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    return st;
}
