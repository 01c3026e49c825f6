/* libclae's training: the caller's images as the engine's 8-bit records, and clae_train
 * going on from the model's run (clae/run.h) as `clae train` (a new run) or `clae train
 * --resume` (a model trained before) would, into the caller's folder or a temporary
 * one; every epoch into the model's history and to the caller's progress callback. */
#define _GNU_SOURCE /* mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_int.h"
#include "clae/augment.h"
#include "clae/cifar.h"
#include "clae/fs.h"
#include "clae/train.h"

/* What the report callback needs. */
typedef struct fit_ctx {
    clae_api_model *am;
    const clae_api_fit_opts *o;
    size_t nval;     /* validation images (START) */
    int cb_stop;     /* the progress callback asked to stop */
    int hist_lost;   /* out of memory for the history */
} fit_ctx;

void clae_api_fit_opts_init(clae_api_fit_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->epochs = 1;
    o->validation_split = -1.0;
    o->seed = -1;
    o->shuffle = -1;
}

static void history_put(fit_ctx *c, const clae_api_epoch *e)
{
    clae_api_model *am = c->am;
    if (am->nhist == am->cap) {
        size_t cap = am->cap ? 2 * am->cap : 16;
        clae_api_epoch *h = realloc(am->hist, cap * sizeof *h);
        if (!h) {
            c->hist_lost = 1;
            return;
        }
        am->hist = h, am->cap = cap;
    }
    am->hist[am->nhist++] = *e;
}

static void on_event(const clae_train_event *e, void *user)
{
    fit_ctx *c = user;
    if (e->kind == CLAE_TRAIN_START) c->nval = e->nval;
    if (e->kind != CLAE_TRAIN_EPOCH) return;
    clae_run *r = &c->am->run; /* epoch and step already counted (scheduler.c, epoch_end) */
    clae_api_epoch ep = {.epoch = e->epoch, .train_loss = e->train_loss,
                         .val_loss = c->nval ? e->val_loss : NAN, .val_psnr = e->val_psnr,
                         .lr = e->lr, .seconds = e->seconds, .images_per_s = e->images_per_s,
                         .steps = r->step};
    history_put(c, &ep);
    if (c->o->progress && c->o->progress(&ep, c->o->user) != 0) {
        /* the run ends with this epoch: its checkpoint (written next) says so */
        c->cb_stop = 1;
        r->epochs = r->epoch;
    }
}

/* x as the engine's records (a label byte 0, then C planes of H x W bytes); float32
 * values quantised, round(255 v), and refused outside [0, 1]. */
static clae_api_status make_records(const clae_api_images *x, clae_dataset *ds)
{
    const size_t H = (size_t)x->h, W = (size_t)x->w, C = (size_t)x->c, HW = H * W;
    const size_t P = HW * C, R = 1 + P;
    *ds = (clae_dataset){.H = x->h, .W = x->w, .C = x->c};
    if (x->n > SIZE_MAX / R || !(ds->records = malloc(x->n * R)))
        return api_fail(CLAE_API_ERR_NOMEM, "fit: out of memory for %zu images", x->n);
    ds->n = x->n;
    for (size_t n = 0; n < x->n; n++) {
        uint8_t *rec = ds->records + n * R;
        rec[0] = 0;
        for (size_t c = 0; c < C; c++)
            for (size_t i = 0; i < HW; i++) {
                const size_t at = n * P + i * C + c;
                if (x->dtype == CLAE_API_UINT8) {
                    rec[1 + c * HW + i] = ((const uint8_t *)x->data)[at];
                    continue;
                }
                float v = ((const float *)x->data)[at];
                if (!(v >= 0.0f && v <= 1.0f)) {
                    clae_dataset_free(ds);
                    return api_fail(CLAE_API_ERR_ARG, "fit: image %zu holds %g at (%zu, %zu, %zu)"
                                    ": float32 images must be in [0, 1]", n, (double)v, i / W,
                                    i % W, c);
                }
                rec[1 + c * HW + i] = (uint8_t)(v * 255.0f + 0.5f);
            }
    }
    return CLAE_API_OK;
}

/* The files clae_train leaves in a run's folder, removed with the temporary folder. */
static void remove_tmp_dir(const char *dir)
{
    static const char *const FILES[] = {"last.safetensors", "best.safetensors",
                                        "history.jsonl", "history.csv", ".lock"};
    char path[1200];
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, FILES[i]);
        (void)unlink(path);
    }
    (void)rmdir(dir); /* anything else there: the folder stays */
}

/* The options checked against the model and its run. */
static clae_api_status check_opts(const clae_api_model *am, const clae_api_fit_opts *o)
{
    if (o->epochs < 1 || o->epochs > CLAE_MAX_EPOCHS - am->run.epoch)
        return api_fail(CLAE_API_ERR_ARG, "fit: epochs %ld: expected 1 to %ld", o->epochs,
                        CLAE_MAX_EPOCHS - am->run.epoch);
    if (!(o->validation_split < 1.0) || isnan(o->validation_split))
        return api_fail(CLAE_API_ERR_ARG, "fit: validation_split %g: expected 0 to below 1 "
                        "(or negative: the config's)", o->validation_split);
    if (am->m.train.labels)
        return api_fail(CLAE_API_ERR_ARG, "fit: %s is a classifier (target = labels): the "
                        "library trains autoencoders only (clae train trains it)", am->m.name);
    if (o->out_dir && (!*o->out_dir || strlen(o->out_dir) > CLAE_TRAIN_MAX_OUT))
        return api_fail(CLAE_API_ERR_ARG, "fit: out_dir of %zu characters: expected 1 to %d",
                        strlen(o->out_dir), CLAE_TRAIN_MAX_OUT);
    return CLAE_API_OK;
}

static clae_api_status fit(clae_api_model *am, const clae_api_images *x,
                           const clae_api_fit_opts *o, clae_api_fit_result *res)
{
    clae_api_status st = check_opts(am, o);
    if (st == CLAE_API_OK) st = api_check_images(am, x, "fit");
    clae_dataset ds = {0};
    if (st == CLAE_API_OK) st = make_records(x, &ds);
    if (st != CLAE_API_OK) return st;
    clae_run *r = &am->run;
    r->epochs = r->epoch + o->epochs;
    if (o->seed >= 0) r->seed = (uint64_t)o->seed;
    if (strcmp(am->m.train.augment, "recipe") == 0) { /* as clae_train_setup_data_ready */
        clae_dataset aug;
        clae_status ast = clae_augment_recipe(&aug, &ds, am->m.train.augment_fraction, r->seed,
                                              NULL);
        clae_dataset_free(&ds);
        if (ast != CLAE_OK) return api_status(ast);
        ds = aug;
    }
    if (o->shuffle >= 0) r->shuffle = o->shuffle != 0;
    char tmp[1024] = "";
    if (!o->out_dir) {
        const char *t = getenv("TMPDIR");
        snprintf(tmp, sizeof tmp, "%s/clae-fit-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmp)) {
            clae_dataset_free(&ds);
            return api_fail(CLAE_API_ERR_IO, "fit: cannot create a temporary folder %s", tmp);
        }
    }
    /* the folder of the model's previous fit (or of the clae train run it was loaded
     * from): the run goes on there, its history.jsonl too, as `clae train --resume` */
    char out_abs[CLAE_RUN_PATH_MAX] = "";
    if (o->out_dir && clae_abs_path(o->out_dir, out_abs, sizeof out_abs) != 0) out_abs[0] = '\0';
    const int continues = !o->overwrite && r->epoch > 0 && out_abs[0] && r->out[0] &&
                          strcmp(out_abs, r->out) == 0;
    const double split = am->m.train.validation_split; /* the config's, back after the call */
    if (o->validation_split >= 0) am->m.train.validation_split = o->validation_split;
    fit_ctx ctx = {.am = am, .o = o};
    clae_train_opts to = {.out_dir = o->out_dir ? o->out_dir : tmp,
                          .max_steps = am->m.train.max_steps, .report = on_event,
                          .report_user = &ctx, .continues = continues,
                          .overwrite = o->overwrite};
    clae_train_result tr;
    clae_status cst = clae_train(&am->m, &am->dev->d, &ds, NULL, &to, r, &am->stop, &tr);
    clae_dataset_free(&ds);
    am->m.train.validation_split = split;
    if (tmp[0]) remove_tmp_dir(tmp);
    if (cst != CLAE_OK) return api_status(cst);
    if (out_abs[0]) snprintf(r->out, sizeof r->out, "%s", out_abs); /* not in checkpoints */
    if (ctx.hist_lost)
        return api_fail(CLAE_API_ERR_NOMEM, "fit: out of memory for the history (the model "
                        "is trained)");
    static const int STOPPED[5] = {0, 4, 2, 3, 2}; /* clae_train_result.stopped's */
    *res = (clae_api_fit_result){.epochs_done = tr.epochs_done, .steps = tr.steps,
                                 .train_loss = tr.train_loss, .val_loss = tr.val_loss,
                                 .stopped = ctx.cb_stop ? 1 : STOPPED[tr.stopped % 5]};
    return CLAE_API_OK;
}

clae_api_status clae_api_model_fit(clae_api_model *am, const clae_api_images *x,
                                   const clae_api_fit_opts *o, clae_api_fit_result *res)
{
    api_enter();
    clae_api_status st = api_model_begin(am, "fit", 1);
    if (st != CLAE_API_OK) return api_leave(st);
    clae_api_fit_opts dflt;
    clae_api_fit_opts_init(&dflt);
    clae_api_fit_result mine;
    st = fit(am, x, o ? o : &dflt, res ? res : &mine);
    am->stop = 0;
    api_model_end(am, 1);
    return api_leave(st);
}
