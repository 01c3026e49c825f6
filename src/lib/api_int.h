/* libclae's handles and the helpers its files share (src/lib/): what is behind the
 * opaque types of include/clae/clae.h. Private to src/lib/. */
#ifndef CLAE_API_INT_H
#define CLAE_API_INT_H

#define CLAE_API_BUILD 1
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "clae/clae.h"
#include "clae/device.h"
#include "clae/model.h"
#include "clae/run.h"

struct clae_api_device {
    clae_device d;
    pthread_mutex_t mu;   /* one call at a time on the device's queue (recursive: a fit's
                             progress callback may run another model of the device) */
    int refs;             /* the caller's (until close) and one per model */
    int open;             /* the caller has not closed it */
};

struct clae_api_model {
    clae_api_device *dev;
    clae_model m;         /* config, host blocks (parameters, Adam moments) */
    clae_run run;         /* where its training stands (clae_train goes on from it) */
    volatile sig_atomic_t stop; /* clae_api_model_stop: polled after every step */
    int busy;             /* a call on it is running */
    clae_api_epoch *hist; /* every fit's epochs */
    size_t nhist, cap;
};

/* ---- errors (api_error.c) --------------------------------------------------- */

/* Around every API call that may fail: api_enter clears the thread's last error and
 * sends the engine's stderr lines through a tee that keeps the last one (and writes
 * them on to fd 2 while echo is on); api_leave restores stderr and, for a failure
 * whose line was not set by api_fail, takes the last line the engine printed (else
 * the status's name). Returns st. */
void api_enter(void);
clae_api_status api_leave(clae_api_status st);
/* A failure of the API's own checks: its one line, "clae: " prepended; returns st. */
clae_api_status api_fail(clae_api_status st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The engine's status as the API's (the same numbers). */
clae_api_status api_status(clae_status st);

/* ---- images (api_images.c) -------------------------------------------------- */

/* x is non-NULL data of n >= 1 images of m's input shape and a known dtype: CLAE_API_OK,
 * else api_fail's line naming what (who: the call, e.g. "predict"). */
clae_api_status api_check_images(const clae_api_model *am, const clae_api_images *x,
                                 const char *who);
/* Images [first, first + nb) of x as the network takes them: (nb, C, H, W) floats, uint8
 * as v / 255 (clae_records_to_float's conversion). */
void api_images_to_chw(const clae_api_images *x, size_t first, int nb, float *out);
/* (nb, C, H, W) floats into out at image `first`, as (nb, H, W, C). */
void api_chw_to_hwc(const float *in, int nb, int C, int H, int W, float *out, size_t first);

/* The model's start and end of a call: refuses NULL and busy models (ERR_STATE); takes
 * the device's lock when lock is set. */
clae_api_status api_model_begin(clae_api_model *am, const char *who, int lock);
void api_model_end(clae_api_model *am, int lock);

#endif
