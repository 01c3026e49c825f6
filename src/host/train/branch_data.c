/* The data of a model with branches (include/clae/train_setup.h): each
 * branch's images loaded and split on their own, then laid out in one
 * training set (every branch's training images, then every branch's
 * validation images) and one test set, with where each branch's are. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/augment.h"
#include "clae/fs.h"
#include "clae/train_setup.h"

/* Where branch b's images come from: its own data key, else --data, else [train] data. */
static const char *branch_dir(const clae_train_setup *s, const clae_train_request *q,
                              const clae_branch *b)
{
    if (b->data[0]) return b->data;
    return q->data ? q->data : s->m.train.data;
}

/* One branch's training and test images: loaded, its classes kept, --limit
 * and [train] augment applied. */
static clae_status branch_images(clae_train_setup *s, const clae_train_request *q, int k,
                                 clae_dataset *tr, clae_dataset *te)
{
    clae_model *m = &s->m;
    const clae_branch *b = &m->branches[k];
    const char *dir = s->branch_dirs[k] = branch_dir(s, q, b);
    CLAE_TRY(clae_dataset_load(dir, CLAE_CIFAR_TRAIN, m->net.H, m->net.W, m->net.C, tr));
    CLAE_TRY(clae_dataset_load(dir, CLAE_CIFAR_TEST, m->net.H, m->net.W, m->net.C, te));
    clae_dataset_keep_classes(tr, &b->classes);
    clae_dataset_keep_classes(te, &b->classes);
    const long limit = s->run.limit;
    if (limit > 0 && (size_t)limit < tr->n) tr->n = (size_t)limit;
    if (limit > 0 && (size_t)limit < te->n) te->n = (size_t)limit;
    if (strcmp(m->train.augment, "recipe") == 0) {
        clae_dataset aug;
        size_t counts[3];
        CLAE_TRY(clae_augment_recipe(&aug, tr, m->train.augment_fraction,
                                     s->run.seed + (uint64_t)k, counts));
        clae_dataset_free(tr);
        *tr = aug;
    }
    const size_t ntr = (size_t)((double)tr->n * (1.0 - m->train.validation_split));
    if (ntr == 0) {
        char cls[1024];
        clae_classes_format(&b->classes, cls, sizeof cls);
        fprintf(stderr, "clae: branch %s: no training images in %s (classes %s) after the "
                "validation split\n", b->name, dir, cls);
        return CLAE_ERR_ARG;
    }
    clae_train_branches *br = &s->branches;
    br->train_n[k] = ntr;
    br->val_n[k] = tr->n - ntr;
    br->test_n[k] = te->n;
    return CLAE_OK;
}

/* parts[i]: records [from[i], from[i] + n[i]) of sets[i], one after another, into out. */
static clae_status join(clae_dataset *out, const clae_dataset *sets, const size_t *from,
                        const size_t *n, int count, const clae_model *m)
{
    *out = (clae_dataset){.H = m->net.H, .W = m->net.W, .C = m->net.C};
    const size_t R = clae_dataset_record_bytes(out);
    size_t total = 0;
    for (int i = 0; i < count; i++) total += n[i];
    out->records = malloc((total ? total : 1) * R);
    if (!out->records) return CLAE_ERR_NOMEM;
    for (int i = 0; i < count; i++) {
        if (n[i]) memcpy(out->records + out->n * R, sets[i].records + from[i] * R, n[i] * R);
        out->n += n[i];
    }
    return CLAE_OK;
}

/* The two sets and where each branch's images are in them. */
static clae_status lay_out(clae_train_setup *s, const clae_dataset *tr, const clae_dataset *te)
{
    clae_train_branches *br = &s->branches;
    const int K = br->n;
    size_t from[2 * CLAE_MAX_BRANCHES] = {0}, n[2 * CLAE_MAX_BRANCHES] = {0},
           zero[CLAE_MAX_BRANCHES] = {0};
    clae_dataset sets[2 * CLAE_MAX_BRANCHES] = {{0}};
    size_t at = 0;
    for (int k = 0; k < K; k++) { /* the training images of each, */
        sets[k] = tr[k], from[k] = 0, n[k] = br->train_n[k];
        br->train_from[k] = at;
        at += br->train_n[k];
    }
    for (int k = 0; k < K; k++) { /* then the validation images of each */
        sets[K + k] = tr[k], from[K + k] = br->train_n[k], n[K + k] = br->val_n[k];
        br->val_from[k] = at;
        at += br->val_n[k];
    }
    CLAE_TRY(join(&s->train, sets, from, n, 2 * K, &s->m));
    at = 0;
    for (int k = 0; k < K; k++) br->test_from[k] = at, at += br->test_n[k];
    return join(&s->test, te, zero, br->test_n, K, &s->m);
}

clae_status clae_train_setup_branch_data(clae_train_setup *s, const clae_train_request *q)
{
    clae_run *r = &s->run;
    const clae_model *m = &s->m;
    if (!clae_classes_empty(&r->classes)) {
        fprintf(stderr, "clae train: --classes: a model with branches takes each branch's "
                "images from its [branch] section (classes = ...)\n");
        s->refused = 1;
        return CLAE_ERR_ARG;
    }
    s->branches.n = m->nbranches;
    clae_dataset tr[CLAE_MAX_BRANCHES] = {{0}}, te[CLAE_MAX_BRANCHES] = {{0}};
    clae_status st = CLAE_OK;
    for (int k = 0; k < m->nbranches && st == CLAE_OK; k++)
        st = branch_images(s, q, k, &tr[k], &te[k]);
    if (st == CLAE_OK) st = lay_out(s, tr, te);
    for (int k = 0; k < m->nbranches; k++) {
        clae_dataset_free(&tr[k]);
        clae_dataset_free(&te[k]);
    }
    if (st != CLAE_OK) return st;
    const int recorded = r->data[0] != '\0';
    if (recorded && ((long)s->train.n != r->data_ntrain || (long)s->test.n != r->data_ntest)) {
        fprintf(stderr, "clae train: the branches' data now hold %zu training and %zu test "
                "images, the run of %s was trained on %ld and %ld: not the same data\n",
                s->train.n, s->test.n, q->resume, r->data_ntrain, r->data_ntest);
        s->refused = 1;
        return CLAE_ERR_ARG;
    }
    s->data_dir = s->branch_dirs[0];
    if (clae_abs_path(s->data_dir, r->data, sizeof r->data) != 0 ||
        clae_abs_path(s->opts.out_dir, r->out, sizeof r->out) != 0) {
        fprintf(stderr, "clae: %s: cannot make the path absolute: %s\n", s->data_dir,
                strerror(errno));
        return CLAE_ERR_IO;
    }
    r->data_H = m->net.H, r->data_W = m->net.W, r->data_C = m->net.C;
    r->data_ntrain = (long)s->train.n, r->data_ntest = (long)s->test.n;
    s->class_ntrain = s->train.n, s->class_ntest = s->test.n;
    s->opts.branches = &s->branches;
    return CLAE_OK;
}
