/* libclae: clae as a library — the one public header (installed as <clae/clae.h>;
 * link with -lclae, or `pkg-config --cflags --libs clae`). The other headers under
 * include/clae/ are the engine's own and are not installed.
 *
 * Conventions
 *  - Every name is prefixed clae_api_ / CLAE_API_; nothing else is exported.
 *  - Handles are opaque. Ownership: what a *_open / *_from_config / *_load call
 *    returns belongs to the caller, who frees it with the matching *_close / *_free
 *    (NULL is accepted and ignored). A model holds a reference to its device: the
 *    device may be closed before its models; it goes when the last of them is freed.
 *  - Every call that can fail returns a clae_api_status; on failure
 *    clae_api_last_error() gives one line saying what and where (the line the engine
 *    printed, e.g. "clae: model.cfg:4: unknown key 'filtrs' (key 'filtrs')").
 *  - Images are N x H x W x C (NumPy/Keras order, channels last, C-contiguous):
 *    uint8 (0..255) or float32 (0..1). Outputs are float32 in the same order; the
 *    caller owns every output buffer and passes its size in floats.
 *  - Threads: calls on one model must not overlap, except clae_api_model_stop; calls
 *    on models of one device are serialised by the library (each waits its turn; a
 *    fit's progress callback may use another model of the device, not the one training).
 *    Long calls (fit, predict) block the calling thread and take no global lock, so a
 *    host language can run other threads meanwhile. */
#ifndef CLAE_API_CLAE_H
#define CLAE_API_CLAE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CLAE_API_BUILD)
#define CLAE_API __attribute__((visibility("default")))
#else
#define CLAE_API
#endif

#define CLAE_API_VERSION_MAJOR 0
#define CLAE_API_VERSION_MINOR 1

typedef enum clae_api_status {
    CLAE_API_OK = 0,
    CLAE_API_ERR_ARG = 1,      /* a bad argument: shape, dtype, name, value */
    CLAE_API_ERR_IO = 2,       /* a file missing, unreadable or unwritable */
    CLAE_API_ERR_FORMAT = 3,   /* a config or checkpoint that is malformed or does not fit */
    CLAE_API_ERR_NOMEM = 4,    /* host memory */
    CLAE_API_ERR_DEVICE = 5,   /* an OpenCL or CLBlast call failed */
    CLAE_API_ERR_SHAPE = 6,    /* impossible shapes */
    CLAE_API_ERR_INTERRUPTED = 7,
    CLAE_API_ERR_NUMERIC = 8,  /* training diverged (a loss or parameter not finite) */
    CLAE_API_ERR_STATE = 9     /* a NULL handle, or a model busy in another call */
} clae_api_status;

/* The calling thread's last error line ("" when none); valid until its next call. */
CLAE_API const char *clae_api_last_error(void);
/* "ok", "bad argument", ... */
CLAE_API const char *clae_api_status_name(clae_api_status s);
/* "0.1.0": the engine's version. */
CLAE_API const char *clae_api_version(void);
/* Whether the engine's error and warning lines are also written to stderr (fd 2) as
 * the command line writes them (default 1); they are kept for clae_api_last_error
 * either way. */
CLAE_API void clae_api_set_echo(int on);

/* ---- devices ---------------------------------------------------------------- */

typedef struct clae_api_device clae_api_device;

/* The OpenCL devices of every platform, in `clae devices` order (0 when none; the
 * reference path "ref" is always there and not counted). */
CLAE_API int clae_api_device_count(void);
/* Device i's name and type ("GPU", "CPU", "accelerator", "other"), and whether it is
 * the default (the first GPU, else accelerator, else device 0; $CLAE_DEVICE wins). */
CLAE_API clae_api_status clae_api_device_info(int i, char *name, size_t name_len, char *type,
                                              size_t type_len, int *is_default);
/* Open a device: spec "N" (an index of clae_api_device_count), "ref" (the host's
 * reference path), or NULL ($CLAE_DEVICE, else the default; the reference path where
 * there is no OpenCL device). Builds or loads its kernels (seconds on a cold cache). */
CLAE_API clae_api_status clae_api_device_open(const char *spec, clae_api_device **out);
/* Its name as `clae train` prints it ("reference (plain C)" on the reference path). */
CLAE_API const char *clae_api_device_name(const clae_api_device *d);
/* The caller's reference is released; the device is closed once no model uses it. */
CLAE_API void clae_api_device_close(clae_api_device *d);

/* ---- models ------------------------------------------------------------------ */

typedef struct clae_api_model clae_api_model;

/* A new model from a config file (clae's INI format, like those in configs/), each of sets[0 ..
 * nsets) applied first as `clae train --set` does ("net.lr=0.01", "enc1.filters=16"),
 * its weights drawn as `clae train --seed seed` draws them (seed < 0: the config's
 * [train] seed), on device d. A model with branches is refused (not yet). */
CLAE_API clae_api_status clae_api_model_from_config(clae_api_device *d, const char *path,
                                                    const char *const *sets, int nsets,
                                                    long long seed, clae_api_model **out);
/* A model from a checkpoint of `clae train`, `clae init` or clae_api_model_save: its
 * config, weights, optimizer state and run (epochs done, seed), so that fit goes on as
 * `clae train --resume` would. */
CLAE_API clae_api_status clae_api_model_load(clae_api_device *d, const char *ckpt,
                                             clae_api_model **out);
CLAE_API void clae_api_model_free(clae_api_model *m);
/* The checkpoint of the model as it is (weights, optimizer state, run), written
 * atomically (a temporary file, fsync, rename) as `clae train` writes its own. */
CLAE_API clae_api_status clae_api_model_save(clae_api_model *m, const char *path);

/* The input image's shape, H x W x C. */
CLAE_API void clae_api_model_input_shape(const clae_api_model *m, int *h, int *w, int *c);
/* Layers, counted as the config lists them (pools included) from 0. */
CLAE_API int clae_api_model_layer_count(const clae_api_model *m);
/* The layer `spec` names: its name (name = ... in the config) or its index ("3");
 * -1 after an error naming the layers there are. */
CLAE_API int clae_api_model_find_layer(const clae_api_model *m, const char *spec);
/* Layer i's name ("" when unnamed), kind ("conv2d", ...) and output shape per image,
 * H x W x C (1 x 1 x C for a vector). */
CLAE_API clae_api_status clae_api_model_layer_info(const clae_api_model *m, int i, char *name,
                                                   size_t name_len, char *kind,
                                                   size_t kind_len, int *h, int *w, int *c);

/* Element types of image arrays. */
typedef enum clae_api_dtype { CLAE_API_UINT8 = 0, CLAE_API_FLOAT32 = 1 } clae_api_dtype;

/* n images x (N, H, W, C) of the model's input shape. */
typedef struct clae_api_images {
    const void *data;
    clae_api_dtype dtype;
    size_t n;
    int h, w, c;
} clae_api_images;

/* The model's outputs for x (no corruption), into out (n x the last layer's shape,
 * NHWC), batch images at a time (0: 256, as `clae encode`). [train] normalize, where
 * the config sets it, is applied to each image and inverted on its output. */
CLAE_API clae_api_status clae_api_model_predict(clae_api_model *m, const clae_api_images *x,
                                                float *out, size_t out_len, int batch);
/* The output of layer `layer` for x (no corruption, [train] normalize applied), NHWC
 * (n x H x W x C of clae_api_model_layer_info): what `clae encode --layer L --corrupt
 * none` writes, channels last. */
CLAE_API clae_api_status clae_api_model_encode(clae_api_model *m, int layer,
                                               const clae_api_images *x, float *out,
                                               size_t out_len, int batch);
/* x corrupted as the config's [train] says (blur, noise, ...; the draws seeded with
 * its [train] seed, as `clae show` and `clae score` draw them), into out (NHWC). */
CLAE_API clae_api_status clae_api_model_corrupt(clae_api_model *m, const clae_api_images *x,
                                                float *out, size_t out_len);
/* Per-image anomaly scores as `clae score` computes them: each image corrupted as the
 * config says, restored, and compared with the clean image: MSE and SSIM into mse[n]
 * and ssim[n] (either may be NULL). */
CLAE_API clae_api_status clae_api_model_score(clae_api_model *m, const clae_api_images *x,
                                              double *mse, double *ssim, int batch);

/* ---- training ----------------------------------------------------------------- */

/* One epoch of a run, as history.jsonl records it (NaN: not measured). */
typedef struct clae_api_epoch {
    long epoch;            /* epochs done, from 1 (counting every fit of the model) */
    double train_loss, val_loss, val_psnr;
    double lr;             /* the learning rate of the epoch */
    double seconds, images_per_s;
    long steps;            /* optimizer steps done */
} clae_api_epoch;

/* Called after every epoch of fit (from the thread that called fit); a non-zero
 * return stops the run after this epoch. */
typedef int (*clae_api_progress)(const clae_api_epoch *e, void *user);

typedef struct clae_api_fit_opts {
    long epochs;              /* epochs to train in this call (>= 1) */
    double validation_split;  /* the last part of x kept for validation (< 0: the config's) */
    long long seed;           /* batch order and corruption draws (< 0: the model's run's) */
    int shuffle;              /* batches in a seeded order (< 0: the config's) */
    const char *out_dir;      /* checkpoints and history.jsonl as `clae train --out` writes
                                 them (NULL: a temporary folder, removed after); the folder
                                 of the model's previous fit (or of the `clae train` run it
                                 was loaded from) goes on, as --resume does */
    int overwrite;            /* out_dir may hold another run, which is replaced */
    clae_api_progress progress;
    void *user;
} clae_api_fit_opts;

/* The defaults: 1 epoch, the config's split, seed and shuffle, no folder, no callback.
 * Fields are only ever appended; start from this. */
CLAE_API void clae_api_fit_opts_init(clae_api_fit_opts *o);

typedef struct clae_api_fit_result {
    long epochs_done;         /* of the model's run, every fit counted */
    long steps;               /* optimizer steps of the run */
    double train_loss, val_loss;
    int stopped;              /* 0: all epochs, 1: the progress callback, 2: clae_api_model_stop
                                 (inside an epoch: the next fit goes on from there),
                                 3: [train] patience, 4: [train] max_steps */
} clae_api_fit_result;

/* Train on x (n images of the model's input shape; float32 is quantised to 8 bits,
 * round(255 x), as the engine trains on 8-bit records: values outside [0, 1] are
 * refused) with the config's corruption, loss and optimizer, going on from where the
 * model's run is: a fresh model's first fit is `clae train CONFIG --seed S` on the same
 * images bit for bit. The model's weights are the run's last afterwards, also after a
 * stop or an error (then the last good ones). res may be NULL. */
CLAE_API clae_api_status clae_api_model_fit(clae_api_model *m, const clae_api_images *x,
                                            const clae_api_fit_opts *o,
                                            clae_api_fit_result *res);
/* Ask a running fit to stop after its current step (from any thread, or a signal
 * handler); cleared when fit returns. */
CLAE_API void clae_api_model_stop(clae_api_model *m);

/* The epochs of every fit of the model so far (a loaded checkpoint's earlier epochs not
 * included): how many, and the i-th (from 0). */
CLAE_API size_t clae_api_model_history_len(const clae_api_model *m);
CLAE_API clae_api_status clae_api_model_history_get(const clae_api_model *m, size_t i,
                                                    clae_api_epoch *e);

#ifdef __cplusplus
}
#endif

#endif
