/* Internal to the direct convolutions (conv2d_direct.c) and their tuner
 * (src/host/bench/tune.c, tests/test_tune.c): the geometry the kernels are
 * specialised for, and the parameters (clae/tune.h's clae_dc_params) a kind
 * is built and launched with on a device: tuned (d->tune) or its class's
 * defaults (conv2d_tune.c). */
#ifndef CLAE_OPS_CONV2D_TUNE_H
#define CLAE_OPS_CONV2D_TUNE_H

#include <stddef.h>

#include "clae/ops.h"
#include "clae/tune.h"

/* The kernels' kinds (DC_KIND in conv2d_direct.cl). */
enum { CLAE_DC_CONV = 1, CLAE_DC_TCONV = 2, CLAE_DC_DW = 3 };
extern const char *const clae_dc_kind_names[4]; /* "", "conv", "tconv", "dw" */

/* The GRID tensor (GC, GH, GW), the IMAGE tensor (IC, IH, IW), taps R x S,
 * strides SH, SW, padding PT, PL (conv2d_direct.c's header comment). */
typedef struct dc_geom {
    int GC, GH, GW, IC, IH, IW, R, S, SH, SW, PT, PL;
} dc_geom;

static inline dc_geom conv_geom(const clae_conv_shape *g)
{
    return (dc_geom){.GC = g->K, .GH = g->P, .GW = g->Q, .IC = g->C, .IH = g->H, .IW = g->W,
                     .R = g->R, .S = g->S, .SH = g->sh, .SW = g->sw, .PT = g->pt, .PL = g->pl};
}

static inline dc_geom tconv_geom(const clae_conv_shape *g)
{
    return (dc_geom){.GC = g->C, .GH = g->H, .GW = g->W, .IC = g->K, .IH = g->P, .IW = g->Q,
                     .R = g->R, .S = g->S, .SH = g->sh, .SW = g->sw, .PT = g->pt, .PL = g->pl};
}

/* Column phases one work-item of the tconv kind computes (its PP): both of
 * a stride of 2, so its stores are contiguous; else one. */
static inline int clae_dc_tconv_phases(const dc_geom *e) { return e->SW == 2 ? 2 : 1; }

/* Channels per work-item when `ch` channels are split into blocks of at
 * most `cap`, as evenly as possible. */
int clae_dc_block_of(int ch, int cap);
/* The most work-items a work-group of a direct kernel may hold on d, with
 * acc_floats floats of accumulators each: kwg (the kernel's limit), and on
 * a CPU no more than keep their accumulators within 4 MiB. */
size_t clae_dc_group_cap(const clae_device *d, size_t kwg, size_t acc_floats);
/* The largest divisor of n (>= 1) that is at most cap (>= 1). */
size_t clae_divisor_within(size_t n, size_t cap);

/* The tuning file's key of kind on e: "conv -DGC=8 ... -DPL=1". 0 if it
 * does not fit len. */
int clae_dc_key(int kind, const dc_geom *e, char *buf, size_t len);
/* The widest VW kind on e may take on d (conv2d_tune.c says when 16). */
int clae_dc_vw_max(const clae_device *d, int kind, const dc_geom *e);
/* The defaults of d's class for kind on e (conv2d_tune.c says why). */
clae_dc_params clae_dc_params_default(const clae_device *d, int kind, const dc_geom *e);
/* Whether p is usable for kind on e on d: values in range, loops within
 * clae_loop_budget. */
int clae_dc_params_ok(const clae_device *d, int kind, const dc_geom *e, const clae_dc_params *p);
/* What kind on e runs with on d: d->tune's entry when there is a usable one,
 * else the defaults. */
clae_dc_params clae_dc_params_for(const clae_device *d, int kind, const dc_geom *e);
/* The candidates the tuner tries for kind on e on d (the defaults first, no
 * repeats, each clae_dc_params_ok, plane work-groups within d's limit) into
 * out[0..cap); their number. */
int clae_dc_candidates(const clae_device *d, int kind, const dc_geom *e, clae_dc_params *out,
                       int cap);

/* Loop iterations of one work-item of kind on e with p (the dw kind: one
 * image, summing the image plane's bias too), as conv2d_direct.c counts them
 * against the device's loop limit. */
long clae_dc_loops(int kind, const dc_geom *e, const clae_dc_params *p);

#endif
