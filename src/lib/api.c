/* libclae's handles: devices (shared by their models, counted), models from a config or
 * a checkpoint, their checkpoints, layers and history (include/clae/clae.h). Training is
 * api_fit.c's, running the network api_infer.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "clae/encode.h"
#include "clae/checkpoint.h"
#include "clae/layer.h"
#include "clae/parse.h"

static pthread_mutex_t g_refs = PTHREAD_MUTEX_INITIALIZER; /* every device's refs */

const char *clae_api_version(void) { return CLAE_VERSION_STRING; }

/* ---- devices ------------------------------------------------------------------ */

int clae_api_device_count(void) { return clae_device_count(); }

clae_api_status clae_api_device_info(int i, char *name, size_t name_len, char *type,
                                     size_t type_len, int *is_default)
{
    api_enter();
    return api_leave(api_status(clae_device_describe(i, name, name_len, type, type_len,
                                                     is_default)));
}

clae_api_status clae_api_device_open(const char *spec, clae_api_device **out)
{
    api_enter();
    if (!out) return api_leave(api_fail(CLAE_API_ERR_ARG, "device_open: out is NULL"));
    *out = NULL;
    clae_api_device *ad = calloc(1, sizeof *ad);
    if (!ad) return api_leave(api_fail(CLAE_API_ERR_NOMEM, "out of memory for a device"));
    clae_status st = clae_device_open(&ad->d, spec);
    if (st != CLAE_OK) {
        free(ad);
        return api_leave(api_status(st));
    }
    pthread_mutexattr_t attr; /* recursive: a fit's progress callback may run another model */
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&ad->mu, &attr);
    pthread_mutexattr_destroy(&attr);
    ad->refs = 1;
    ad->open = 1;
    *out = ad;
    return api_leave(CLAE_API_OK);
}

const char *clae_api_device_name(const clae_api_device *d) { return d ? d->d.name : ""; }

/* One reference less; the last one closes the device. */
static void device_unref(clae_api_device *ad)
{
    pthread_mutex_lock(&g_refs);
    int last = --ad->refs == 0;
    pthread_mutex_unlock(&g_refs);
    if (!last) return;
    clae_device_close(&ad->d);
    pthread_mutex_destroy(&ad->mu);
    free(ad);
}

void clae_api_device_close(clae_api_device *d)
{
    if (!d) return;
    pthread_mutex_lock(&g_refs);
    int was_open = d->open;
    d->open = 0;
    pthread_mutex_unlock(&g_refs);
    if (was_open) device_unref(d); /* a second close is ignored */
}

/* ---- models ------------------------------------------------------------------- */

/* A model struct on device ad (its reference taken), or NULL after an error. */
static clae_api_model *model_new(clae_api_device *ad)
{
    pthread_mutex_lock(&g_refs);
    int ok = ad->open || ad->refs > 1;
    if (ok) ad->refs++;
    pthread_mutex_unlock(&g_refs);
    if (!ok) {
        api_fail(CLAE_API_ERR_STATE, "the device is closed");
        return NULL;
    }
    clae_api_model *am = calloc(1, sizeof *am);
    if (!am) {
        device_unref(ad);
        api_fail(CLAE_API_ERR_NOMEM, "out of memory for a model");
        return NULL;
    }
    am->dev = ad;
    return am;
}

/* What the library does not take yet: a model with branches. */
static clae_api_status model_supported(const clae_api_model *am, const char *path)
{
    if (am->m.nbranches == 0) return CLAE_API_OK;
    return api_fail(CLAE_API_ERR_ARG, "%s: a model with branches (%s, %s, ...): the library "
                    "runs models of one path (clae swap applies it)", path,
                    am->m.branches[0].name, am->m.branches[1].name);
}

static clae_api_status from_config(clae_api_model *am, const char *path,
                                   const char *const *sets, int nsets, long long seed)
{
    if (!path) return api_fail(CLAE_API_ERR_ARG, "from_config: no config path (NULL)");
    if (nsets < 0 || (nsets > 0 && !sets))
        return api_fail(CLAE_API_ERR_ARG, "from_config: %d settings at %p", nsets,
                        (const void *)sets);
    clae_status st = clae_model_load(path, &am->m);
    for (int i = 0; st == CLAE_OK && i < nsets; i++)
        st = sets[i] ? clae_model_set(&am->m, sets[i]) : CLAE_ERR_ARG;
    if (st != CLAE_OK) return api_status(st);
    clae_api_status ast = model_supported(am, path);
    if (ast != CLAE_API_OK) return ast;
    clae_run_init(&am->run, &am->m); /* as a new `clae train` run: its seed, shuffle, ... */
    if (seed >= 0) am->run.seed = (uint64_t)seed;
    clae_rng rng; /* the weights as clae_train_setup_weights draws them */
    clae_rng_seed(&rng, am->run.seed);
    return api_status(clae_model_init(&am->m, &rng));
}

clae_api_status clae_api_model_from_config(clae_api_device *d, const char *path,
                                           const char *const *sets, int nsets,
                                           long long seed, clae_api_model **out)
{
    api_enter();
    if (!out) return api_leave(api_fail(CLAE_API_ERR_ARG, "from_config: out is NULL"));
    *out = NULL;
    if (!d) return api_leave(api_fail(CLAE_API_ERR_STATE, "from_config: no device (NULL)"));
    clae_api_model *am = model_new(d);
    if (!am) return api_leave(CLAE_API_ERR_STATE);
    clae_api_status st = from_config(am, path, sets, nsets, seed);
    if (st != CLAE_API_OK) {
        clae_api_model_free(am);
        return api_leave(st);
    }
    *out = am;
    return api_leave(CLAE_API_OK);
}

/* The checkpoint's model, optimizer and run (as clae_train_setup's resume takes them). */
static clae_api_status load(clae_api_model *am, const char *ckpt)
{
    if (!ckpt) return api_fail(CLAE_API_ERR_ARG, "load: no checkpoint path (NULL)");
    clae_ckpt_meta meta;
    clae_ckpt_meta_init(&meta);
    clae_status st = clae_ckpt_load(ckpt, &am->m, &meta, 0);
    if (st == CLAE_OK) {
        clae_run_init(&am->run, &am->m);
        memset(&am->run.classes, 0, sizeof am->run.classes); /* the checkpoint's alone */
        st = clae_run_from_meta(&am->run, &meta, ckpt);
    }
    clae_ckpt_meta_free(&meta);
    if (st != CLAE_OK) return api_status(st);
    clae_model *m = &am->m;
    m->train.classes = am->run.classes;
    if (am->run.norm.ready) /* [train] normalize's pair: every image fed to it */
        m->train.norm.lo = am->run.norm.lo, m->train.norm.hi = am->run.norm.hi,
        m->train.norm.ready = 1;
    return model_supported(am, ckpt);
}

clae_api_status clae_api_model_load(clae_api_device *d, const char *ckpt, clae_api_model **out)
{
    api_enter();
    if (!out) return api_leave(api_fail(CLAE_API_ERR_ARG, "load: out is NULL"));
    *out = NULL;
    if (!d) return api_leave(api_fail(CLAE_API_ERR_STATE, "load: no device (NULL)"));
    clae_api_model *am = model_new(d);
    if (!am) return api_leave(CLAE_API_ERR_STATE);
    clae_api_status st = load(am, ckpt);
    if (st != CLAE_API_OK) {
        clae_api_model_free(am);
        return api_leave(st);
    }
    *out = am;
    return api_leave(CLAE_API_OK);
}

void clae_api_model_free(clae_api_model *am)
{
    if (!am) return;
    clae_model_free(&am->m);
    free(am->hist);
    clae_api_device *ad = am->dev;
    free(am);
    device_unref(ad);
}

clae_api_status api_model_begin(clae_api_model *am, const char *who, int lock)
{
    if (!am) return api_fail(CLAE_API_ERR_STATE, "%s: no model (NULL)", who);
    if (__atomic_exchange_n(&am->busy, 1, __ATOMIC_ACQ_REL)) /* two threads: one gets it */
        return api_fail(CLAE_API_ERR_STATE, "%s: the model is busy in another call", who);
    if (lock) pthread_mutex_lock(&am->dev->mu);
    return CLAE_API_OK;
}

void api_model_end(clae_api_model *am, int lock)
{
    if (lock) pthread_mutex_unlock(&am->dev->mu);
    __atomic_store_n(&am->busy, 0, __ATOMIC_RELEASE);
}

clae_api_status clae_api_model_save(clae_api_model *am, const char *path)
{
    api_enter();
    clae_api_status st = api_model_begin(am, "save", 0);
    if (st != CLAE_API_OK) return api_leave(st);
    if (!path) {
        api_model_end(am, 0);
        return api_leave(api_fail(CLAE_API_ERR_ARG, "save: no path (NULL)"));
    }
    clae_ckpt_meta meta;
    clae_status cst = clae_run_to_meta(&am->run, &meta); /* the run, as clae train's */
    if (cst == CLAE_OK) {
        cst = clae_ckpt_save(path, &am->m, &meta, 1);
        clae_ckpt_meta_free(&meta);
    }
    api_model_end(am, 0);
    return api_leave(api_status(cst));
}

/* ---- shapes, layers, history ------------------------------------------------- */

void clae_api_model_input_shape(const clae_api_model *am, int *h, int *w, int *c)
{
    if (h) *h = am ? am->m.net.H : 0;
    if (w) *w = am ? am->m.net.W : 0;
    if (c) *c = am ? am->m.net.C : 0;
}

int clae_api_model_layer_count(const clae_api_model *am) { return am ? am->m.nlayers : 0; }

/* The layer spec names (its name, or its index), or -1 after api_fail. */
static int find_layer(const clae_api_model *am, const char *spec)
{
    if (!am || !spec) {
        api_fail(CLAE_API_ERR_ARG, "find_layer: no %s (NULL)", am ? "layer" : "model");
        return -1;
    }
    const clae_model *m = &am->m;
    for (int i = 0; i < m->nlayers; i++)
        if (strcmp(m->layers[i].name, spec) == 0) return i;
    long i;
    if (spec[0] >= '0' && spec[0] <= '9' && clae_str_to_long(spec, 0, m->nlayers - 1, &i))
        return (int)i;
    char names[256];
    clae_encode_named_layers(m, names, sizeof names);
    api_fail(CLAE_API_ERR_ARG, "layer '%s': %s has no layer of that name or index (layers 0 "
             "to %d, %s)", spec, m->name, m->nlayers - 1, names);
    return -1;
}

int clae_api_model_find_layer(const clae_api_model *am, const char *spec)
{
    api_enter();
    int i = find_layer(am, spec);
    api_leave(i >= 0 ? CLAE_API_OK : CLAE_API_ERR_ARG);
    return i;
}

clae_api_status clae_api_model_layer_info(const clae_api_model *am, int i, char *name,
                                          size_t name_len, char *kind, size_t kind_len, int *h,
                                          int *w, int *c)
{
    api_enter();
    if (!am) return api_leave(api_fail(CLAE_API_ERR_STATE, "layer_info: no model (NULL)"));
    if (i < 0 || i >= am->m.nlayers)
        return api_leave(api_fail(CLAE_API_ERR_ARG, "layer %d: %s has layers 0 to %d", i,
                                  am->m.name, am->m.nlayers - 1));
    const clae_layer *l = &am->m.layers[i];
    if (name && name_len) snprintf(name, name_len, "%s", l->name);
    if (kind && kind_len) snprintf(kind, kind_len, "%s", l->kind->name);
    if (h) *h = l->out_h;
    if (w) *w = l->out_w;
    if (c) *c = l->out_c;
    return api_leave(CLAE_API_OK);
}

size_t clae_api_model_history_len(const clae_api_model *am) { return am ? am->nhist : 0; }

clae_api_status clae_api_model_history_get(const clae_api_model *am, size_t i,
                                           clae_api_epoch *e)
{
    api_enter();
    if (!am || !e) return api_leave(api_fail(CLAE_API_ERR_ARG, "history_get: NULL argument"));
    if (i >= am->nhist)
        return api_leave(api_fail(CLAE_API_ERR_ARG, "history_get: epoch %zu of %zu", i,
                                  am->nhist));
    *e = am->hist[i];
    return api_leave(CLAE_API_OK);
}

void clae_api_model_stop(clae_api_model *am)
{
    if (am) am->stop = 1;
}
