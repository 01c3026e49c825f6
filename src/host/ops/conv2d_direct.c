/* Host side of the direct convolutions (src/kernels/conv2d_direct.cl).
 *
 * The kernels see a GRID tensor (GC, GH, GW) and an IMAGE tensor
 * (IC, IH, IW) linked by grid point (gy,gx), tap (r,s) -> image pixel
 * (gy*SH + r - PT, gx*SW + s - PL), with weights w[gc][ic][r][s]:
 *   conv2d            grid = out (K),  image = in (C),   w (K,C,R,S)
 *   conv2d_transpose  grid = in (C),   image = out (K),  w (C,K,R,S)
 * so that
 *   conv2d forward     = conv  kind (image -> grid), + bias
 *   conv2d din         = tconv kind (grid dout -> image din)
 *   conv2d_transpose forward = tconv kind (grid in -> image out), + bias
 *   conv2d_transpose din     = conv kind (image dout -> grid din)
 *   dw (both)          = dw kind over batch slices, then dw_sum (+=)
 *   db (both)          = fused into the dw kind (sum of dout per slice), or
 *                        the shared bias-gradient reduction (gemm.c) when
 *                        dw is not wanted.
 * Every size is compiled in (-D); the built program and its kernel are kept
 * in the device's direct cache, keyed by the option string. */
#include "ops/conv2d_direct.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ops/conv2d_tune.h"
#include "ops/gemm.h"

enum { KIND_CONV = CLAE_DC_CONV, KIND_TCONV = CLAE_DC_TCONV, KIND_DW = CLAE_DC_DW,
       KIND_CONV_POOL = 4 };

/* Where the dw kind's grid comes from (GSRC in conv2d_direct.cl); NULL or
 * kind 0: the grid tensor as given. */
typedef struct dc_gsrc {
    int kind;        /* 1: rebuilt from the pool after the layer; 2: a loss's gradient */
    cl_mem idx, aux; /* 1: the pool's argmax and pooled values; 2: -, the target */
    cl_mem dout;     /* where the rebuilt grid is stored (NULL: nowhere) */
    int stage;       /* GSTAGE: the group rebuilds its slice's grid into dout first */
    clae_epi act;    /* the layer's own activation (its derivative is taken) */
    clae_loss lk;    /* 2: the loss */
    cl_mem loss;     /* 2: loss[0] = the mean loss */
    int lcount;      /* 2: elements the loss is the mean of */
} dc_gsrc;

/* Weight-gradient partial sums: slices of the tuned (or default) number of
 * images (clae_dc_params.dw_slice_images, conv2d_tune.c), at most
 * DW_MAX_SLICES. */
#define DW_MAX_SLICES 256
/* ... and at most this many bytes of partial sums (fewer, larger slices for
 * a large layer: the scratch stays one modest allocation). */
#define DW_SCRATCH_MAX ((size_t)256 << 20)

static int ceil_div(int a, int b) { return (a + b - 1) / b; }

/* Loop iterations of one work-item of each kind, every loop of
 * conv2d_direct.cl counted as if none were unrolled (each tap, each channel
 * of a block, each lane of a guarded load or store): an upper bound of what
 * a device's loop limiter counts (clae_device.loop_limit). vw is the
 * kernels' VW (clae_dc_params.vw: 8 or 16). */
/* Column vectors per work-item of the conv kind (CB in conv2d_direct.cl):
 * enough independent FMA chains, blk * CB >= 8 (an FMA's latency, 4 cycles,
 * times two FMA ports; the denoiser's last layer has blk 3: CB 4 took its
 * forward pass from 15.0 to 10.3 ms on PoCL), and no more than its row
 * holds. */
static int cols_for(int blk, int vectors)
{
    int cb = blk >= 8 ? 1 : blk >= 4 ? 2 : 4;
    while (cb > 1 && cb > vectors) cb /= 2;
    return cb;
}

static int conv_cols(const dc_geom *e, int blk, int vw)
{
    return cols_for(blk, ceil_div(e->GW, vw));
}

/* The same for the tconv kind (TB): blocks of one column phase, each of
 * them for both phases where its work-items hold two (PP). */
static int tconv_nbx(const dc_geom *e, int vw) { return ceil_div(ceil_div(e->IW, e->SW), vw); }
static int tconv_cols(const dc_geom *e, int blk, int vw)
{
    return cols_for(blk * clae_dc_tconv_phases(e), tconv_nbx(e, vw));
}

static long conv_kind_loops(const dc_geom *e, int blk, int vw)
{
    const long cb = conv_cols(e, blk, vw);
    /* the s loop, per column vector the block's channels and a guarded load */
    const long tap = 1 + cb * (1 + blk + vw);
    return (long)e->IC * (1 + e->R + (long)e->R * e->S * tap) + cb * blk * (2 + 2L * vw);
}

static long tconv_kind_loops(const dc_geom *e, int blk, int vw)
{
    const long tb = tconv_cols(e, blk, vw);
    const long chan = 1 + tb * (1 + blk + vw);
    return e->R + (long)e->R * e->S * (1 + (long)e->GC * chan) +
           tb * blk * (2 + 2L * vw) * clae_dc_tconv_phases(e);
}

/* The dw kind: what every work-item runs once, and what each image of its
 * slice adds (db_mode 2 sums the image plane too). */
static long dw_kind_loops_fixed(const dc_geom *e, int blk)
{
    return 2 * blk * (1 + e->R + (long)e->R * e->S) + 2 * blk;
}

static long dw_kind_loops_per_image(const dc_geom *e, int blk, int db_mode, int vw)
{
    const long nbx = ceil_div(e->GW, vw);
    const long per_bx = 1 + 2L * blk * (1 + vw) + e->R + (long)e->R * e->S * (1 + blk + vw);
    const long plane = db_mode == 2 ? 2 + (long)e->IH * e->IW / vw + vw : 0;
    return 1 + e->GH * (1 + nbx * per_bx) + plane;
}

/* What a rebuilt grid (GSRC) adds per image: its loads replace the grid's
 * own (counted already); WDOUT's partial store at the end of each row.
 * Counted whether the grid is rebuilt or not: the fused passes then slice
 * the batch as the unfused ones do, and both sum in the same order. */
static long dw_rebuilt_loops(const dc_geom *e, int blk, int vw)
{
    return (long)e->GH * blk * (1 + vw);
}

long clae_dc_loops(int kind, const dc_geom *e, const clae_dc_params *p)
{
    if (kind == KIND_CONV) return conv_kind_loops(e, p->blk, p->vw);
    if (kind == KIND_TCONV) return tconv_kind_loops(e, p->blk, p->vw);
    return dw_kind_loops_fixed(e, p->dw_blk) + dw_kind_loops_per_image(e, p->dw_blk, 2, p->vw) +
           dw_rebuilt_loops(e, p->dw_blk, p->vw);
}

/* Whether every kind a layer of geometry e runs (conv, tconv, dw on one
 * image) stays within d's loop budget with the defaults of d's class. */
static int fits_loop_budget(const clae_device *d, const dc_geom *e, int db_mode)
{
    const long budget = clae_loop_budget(d);
    const clae_dc_params c = clae_dc_params_default(d, KIND_CONV, e),
                         t = clae_dc_params_default(d, KIND_TCONV, e),
                         w = clae_dc_params_default(d, KIND_DW, e);
    return conv_kind_loops(e, c.blk, c.vw) <= budget &&
           tconv_kind_loops(e, t.blk, t.vw) <= budget &&
           dw_kind_loops_fixed(e, w.dw_blk) + dw_kind_loops_per_image(e, w.dw_blk, db_mode, w.vw) +
                   dw_rebuilt_loops(e, w.dw_blk, w.vw) <=
               budget;
}

/* Launch a 3-D kernel with a work-group of one whole plane (global[0] x
 * global[1]) when it fits, else one row, else (a row wider than the kernel's
 * work-group limit) the driver's choice; wg (clae_dc_wg, tuned per shape)
 * may ask for a row, the driver's choice, or a stack of planes (STACK: as
 * many planes of consecutive channel blocks as fit 256 work-items and divide
 * global[2]). Why a plane by default, per device class:
 *  - CPU (PoCL): the local size then depends on the shape only, so PoCL
 *    compiles one work-group function per shape, not one per batch size;
 *    a plane's work-items run on one core and share its input rows in cache.
 *  - GPU: a plane of the denoiser's layers is 4 x 32, 2 x 16 or 1 x 8
 *    work-items, within every GPU's limit (256 on AMD, 1024 on NVIDIA);
 *    work-items never share data through local memory, so any local size is
 *    correct. The row fallback runs under oclgrind with --max-wgsize 64
 *    (check-kernels-sim.sh); the NULL one needs a row of more work-items
 *    than the device allows, an image over 8,000 pixels wide on any GPU. */
static clae_status launch_planes(clae_device *d, cl_kernel k, const size_t *global, int wg,
                                 size_t acc_floats)
{
    size_t kwg;
    CLAE_TRY(clae_kernel_max_wg(d, k, &kwg));
    const size_t cap = clae_dc_group_cap(d, kwg, acc_floats);
    size_t local[3] = {global[0], global[1], 1};
    if (wg == CLAE_DC_WG_ROW || local[0] * local[1] > kwg) local[1] = 1;
    if (wg == CLAE_DC_WG_STACK) /* the most whole planes within 256 that divide global[2] */
        for (size_t z = global[2]; z > 1; z--)
            if (global[2] % z == 0 && local[0] * local[1] * z <= (kwg < 256 ? kwg : 256)) {
                local[2] = z;
                break;
            }
    if (local[0] * local[1] * local[2] > cap) { /* a CPU's stack: rows of the plane, or less */
        local[2] = 1;
        local[1] = local[0] <= cap ? clae_divisor_within(global[1], cap / local[0]) : 1;
        if (local[0] > cap) local[0] = clae_divisor_within(global[0], cap);
    }
    const int use_local = local[0] <= kwg && wg != CLAE_DC_WG_DRIVER;
    return clae_launch(d, k, 3, global, use_local ? local : NULL);
}

/* The conv kind's grid rows per vector (conv2d_direct.cl's RP): 2 where a
 * float16 holds two whole 8-pixel rows (clae_dc_vw_max allows VW 16 there). */
static int conv_rows_per_vector(int kind, const dc_geom *e, int vw)
{
    return kind == KIND_CONV && vw == 16 && e->GW == 8 && e->GH % 2 == 0 ? 2 : 1;
}

/* The kernel of `kind` specialised for e (blk channels per work-item),
 * built on first use. */
static clae_status direct_kernel(clae_device *d, int kind, const dc_geom *e, int blk, int vw,
                                 int epi, clae_epi act, const dc_gsrc *gs, cl_kernel *out)
{
    const int cb = kind == KIND_CONV ? conv_cols(e, blk, vw) : 1;
    const int tb = kind == KIND_TCONV ? tconv_cols(e, blk, vw) : 1;
    /* Weights in __constant memory when they fit the device's constant
     * buffer (64 KiB on NVIDIA and AMD GPUs and oclgrind; more on PoCL), else
     * __global. Every work-item of a launch reads the same weight at the same
     * time: GPUs broadcast that from the constant cache; on CPUs it is an
     * ordinary cached load either way. Both branches are checked under
     * oclgrind (--constant-mem-size forces __global for the denoiser). */
    size_t wbytes = (size_t)e->GC * e->IC * e->R * e->S * sizeof(float);
    const char *wmem = (cl_ulong)wbytes <= d->const_max ? "__constant" : "__global";
    /* The epilogue (conv2d_direct.cl's EPI): none when there is no activation;
     * alpha only where it is read, so other activations share one build. */
    if (act.act == CLAE_ACT_NONE) epi = 0;
    if (epi == 0) act = CLAE_EPI_NONE;
    if (act.act != CLAE_ACT_LEAKY_RELU) act.alpha = 0.0f;
    char opts[360];
    int len = snprintf(opts, sizeof opts,
                       "-DDC_KIND=%d -DGC=%d -DGH=%d -DGW=%d -DIC=%d -DIH=%d -DIW=%d -DR=%d "
                       "-DS=%d -DSH=%d -DSW=%d -DPT=%d -DPL=%d -DBLK=%d -DWMEM=%s -DEPI=%d "
                       "-DACT=%d -DALPHA=%.9ef -DCB=%d -DTB=%d -DVW=%d -DRP=%d -DPP=%d",
                       kind, e->GC, e->GH, e->GW, e->IC, e->IH, e->IW, e->R, e->S, e->SH, e->SW,
                       e->PT, e->PL, blk, wmem, epi, (int)act.act, (double)act.alpha, cb, tb, vw,
                       conv_rows_per_vector(kind, e, vw),
                       kind == KIND_TCONV && clae_dc_tconv_phases(e) == 2);
    if (len < 0 || (size_t)len >= sizeof opts) return CLAE_ERR_ARG;
    if (gs && gs->kind) { /* the dw kind's grid source (only its builds name one) */
        int more = snprintf(opts + len, sizeof opts - (size_t)len,
                            " -DGSRC=%d -DWDOUT=%d -DGSTAGE=%d -DLK=%d", gs->kind,
                            gs->dout != NULL, gs->stage, (int)gs->lk);
        if (more < 0 || (size_t)more >= sizeof opts - (size_t)len) return CLAE_ERR_ARG;
    }
    static const char *const names[] = {"", "conv2d_direct_conv", "conv2d_direct_tconv",
                                        "conv2d_direct_dw", "conv2d_direct_conv_pool"};
    return clae_kernel_variant(d, "conv2d_direct.cl", opts, names[kind], out);
}

/* The epilogues of the conv and tconv kinds (EPI in conv2d_direct.cl). */
enum { EPI_NONE = 0, EPI_ACT = 1, EPI_GRAD = 2 };

/* grid (N,GC,GH,GW) = bias + conv of image (conv kind), then the epilogue
 * (y: the saved activation for EPI_GRAD, else unused). */
static clae_status run_conv(clae_device *d, const dc_geom *e, int N, cl_mem grid, cl_mem image,
                            cl_mem w, cl_mem bias, int epi, clae_epi act, cl_mem y)
{
    const clae_dc_params prm = clae_dc_params_for(d, KIND_CONV, e);
    int blk = prm.blk;
    CLAE_TRY(clae_loop_check(d, "direct convolution", conv_kind_loops(e, blk, prm.vw)));
    cl_kernel k;
    CLAE_TRY(direct_kernel(d, KIND_CONV, e, blk, prm.vw, epi, act, NULL, &k));
    CL_ARG(k, 0, cl_mem, grid);
    CL_ARG(k, 1, cl_mem, image);
    CL_ARG(k, 2, cl_mem, w);
    CL_ARG_OPT(k, 3, bias, w);
    CL_ARG(k, 4, cl_int, bias != NULL);
    CL_ARG(k, 5, cl_int, N);
    CL_ARG_OPT(k, 6, y, grid);
    const int cb = conv_cols(e, blk, prm.vw), rp = conv_rows_per_vector(KIND_CONV, e, prm.vw);
    size_t global[3] = {(size_t)ceil_div(e->GW, prm.vw * cb), (size_t)(e->GH / rp),
                        (size_t)N * ceil_div(e->GC, blk)};
    return launch_planes(d, k, global, prm.wg, (size_t)cb * blk * prm.vw);
}

/* image (N,IC,IH,IW) = bias + transposed conv of grid (tconv kind), then
 * the epilogue as run_conv's. */
static clae_status run_tconv(clae_device *d, const dc_geom *e, int N, cl_mem image, cl_mem grid,
                             cl_mem w, cl_mem bias, int epi, clae_epi act, cl_mem y)
{
    const clae_dc_params prm = clae_dc_params_for(d, KIND_TCONV, e);
    int blk = prm.blk;
    CLAE_TRY(clae_loop_check(d, "direct transposed convolution",
                             tconv_kind_loops(e, blk, prm.vw)));
    cl_kernel k;
    CLAE_TRY(direct_kernel(d, KIND_TCONV, e, blk, prm.vw, epi, act, NULL, &k));
    CL_ARG(k, 0, cl_mem, image);
    CL_ARG(k, 1, cl_mem, grid);
    CL_ARG(k, 2, cl_mem, w);
    CL_ARG_OPT(k, 3, bias, w);
    CL_ARG(k, 4, cl_int, bias != NULL);
    CL_ARG(k, 5, cl_int, N);
    CL_ARG_OPT(k, 6, y, image);
    const int groups = ceil_div(tconv_nbx(e, prm.vw), tconv_cols(e, blk, prm.vw)); /* of TB */
    const int phases = clae_dc_tconv_phases(e); /* per work-item: the others are work-items */
    size_t global[3] = {(size_t)(e->SW / phases) * groups, (size_t)e->IH,
                        (size_t)N * ceil_div(e->IC, blk)};
    return launch_planes(d, k, global, prm.wg,
                         (size_t)tconv_cols(e, blk, prm.vw) * blk * prm.vw * phases);
}

/* Images per slice of the dw kind: about `want`, more where
 * DW_MAX_SLICES would be passed, fewer on a device with a loop limit (as
 * many as one work-item may loop over: more slices, each partial sum still
 * in a fixed order). The kernels index the partial sums as slice * row + i
 * in 32-bit integers, and the scratch is one allocation: the slices are
 * bounded by both. */
static clae_status dw_slice_images(const clae_device *d, const dc_geom *e, int blk, int vw,
                                   int want, int db_mode, int N, size_t row, int *per_slice)
{
    size_t hard_max = (size_t)INT_MAX / row;
    if (DW_SCRATCH_MAX / (row * sizeof(float)) < hard_max)
        hard_max = DW_SCRATCH_MAX / (row * sizeof(float));
    if (hard_max < 1) hard_max = 1;
    const size_t soft_max = hard_max < DW_MAX_SLICES ? hard_max : DW_MAX_SLICES;
    const long fixed = dw_kind_loops_fixed(e, blk),
               per_image =
                   dw_kind_loops_per_image(e, blk, db_mode, vw) + dw_rebuilt_loops(e, blk, vw);
    CLAE_TRY(clae_loop_check(d, "direct weight gradient", fixed + per_image));
    const long fit = (clae_loop_budget(d) - fixed) / per_image;
    int n = want;
    if ((size_t)ceil_div(N, n) > soft_max) n = ceil_div(N, (int)soft_max);
    if (fit < n) n = (int)fit;
    if ((size_t)ceil_div(N, n) > hard_max ||
        clae_loop_check(d, "direct weight gradient's sum", ceil_div(N, n)) != CLAE_OK) {
        fprintf(stderr, "clae: direct weight gradient: %d images in slices of %d are too "
                "many slices on %s; use a smaller batch\n", N, n, d->name);
        return CLAE_ERR_SHAPE;
    }
    *per_slice = n;
    return CLAE_OK;
}

/* dw (GC,IC,R,S) += sum over the batch of grid x image (dw kind, then
 * dw_sum); with db (not NULL) also db += the sum of dout, which is the grid
 * (db_mode 1, conv2d) or the image (db_mode 2, conv2d_transpose). */
static clae_status run_dw(clae_device *d, const dc_geom *e, int N, cl_mem dw, cl_mem db,
                          int db_mode, cl_mem grid, cl_mem image, const dc_gsrc *gs)
{
    const clae_dc_params prm = clae_dc_params_for(d, KIND_DW, e);
    int blk = prm.dw_blk;
    cl_kernel k, ksum;
    const int rebuilt = gs && gs->kind;
    size_t wg = (size_t)ceil_div(e->GC, blk) * e->IC, local[2];
    dc_gsrc src = rebuilt ? *gs : (dc_gsrc){0};
    /* staged where the group holds the whole slice and dout takes the grid */
    src.stage = rebuilt && src.dout && prm.wg == CLAE_DC_WG_PLANE;
    for (;;) {
        /* the grid's activation derivative, where it is rebuilt (EPI itself is unused there) */
        CLAE_TRY(direct_kernel(d, KIND_DW, e, blk, prm.vw, rebuilt ? EPI_ACT : EPI_NONE,
                               rebuilt ? gs->act : CLAE_EPI_NONE, &src, &k));
        size_t kwg;
        CLAE_TRY(clae_kernel_max_wg(d, k, &kwg));
        /* the slice's accumulators (dw_blk x R x S vectors) bound the group on a CPU */
        const size_t cap = clae_dc_group_cap(d, kwg, (size_t)blk * (e->R * e->S + 1) * prm.vw);
        local[0] = clae_divisor_within(wg, cap);
        local[1] = 1;
        if (!src.stage || local[0] == wg) break;
        src.stage = 0; /* the slice spans groups: each work-item rebuilds its rows */
    }
    CLAE_TRY(clae_kernel(d, "conv2d_direct_dw_sum", &ksum));
    int nw = e->GC * e->IC * e->R * e->S;
    int nb = db == NULL ? 0 : db_mode == 1 ? e->GC : e->IC;
    /* loss sums per slice: one per channel block, or per work-item of a staged group */
    int nl = rebuilt && gs->kind == 2 ? (src.stage ? (int)wg : ceil_div(e->GC, blk)) : 0;
    size_t row = (size_t)nw + (size_t)nb + (size_t)nl;
    if (row > INT_MAX) return CLAE_ERR_ARG; /* clae_model_layout keeps a model within this */
    if (db == NULL) db_mode = 0;
    int per_slice;
    CLAE_TRY(dw_slice_images(d, e, blk, prm.vw, prm.dw_slice_images, db_mode, N, row,
                             &per_slice));
    int nslices = ceil_div(N, per_slice);
    cl_mem part;
    CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_DIRECT, (size_t)nslices * row * sizeof(float),
                          &part));
    CL_ARG(k, 0, cl_mem, part);
    CL_ARG(k, 1, cl_mem, grid);
    CL_ARG(k, 2, cl_mem, image);
    CL_ARG(k, 3, cl_int, N);
    CL_ARG(k, 4, cl_int, per_slice);
    CL_ARG(k, 5, cl_int, db_mode);
    CL_ARG(k, 6, cl_int, (cl_int)row);
    CL_ARG(k, 7, cl_mem, rebuilt && gs->idx ? gs->idx : grid);
    CL_ARG(k, 8, cl_mem, rebuilt && gs->aux ? gs->aux : grid);
    CL_ARG(k, 9, cl_mem, rebuilt && gs->dout ? gs->dout : part);
    CL_ARG(k, 10, cl_int, nl ? gs->lcount : 1);
    size_t global[2] = {wg, (size_t)nslices};
    CLAE_TRY(clae_launch(d, k, 2, global, prm.wg == CLAE_DC_WG_PLANE ? local : NULL));
    CL_ARG(ksum, 0, cl_mem, dw);
    CL_ARG_OPT(ksum, 1, db, dw);
    CL_ARG(ksum, 2, cl_mem, part);
    CL_ARG(ksum, 3, cl_int, nw);
    CL_ARG(ksum, 4, cl_int, nb);
    CL_ARG(ksum, 5, cl_int, nslices);
    CL_ARG(ksum, 6, cl_int, nl);
    CL_ARG(ksum, 7, cl_mem, nl ? gs->loss : dw);
    CL_ARG(ksum, 8, cl_int, nl ? gs->lcount : 1);
    return clae_launch1d(d, ksum, (size_t)nw + (size_t)nb + (nl ? 1 : 0));
}

/* auto rule, per device class:
 *  - CPU: measured on PoCL (2-core AMD EPYC, AVX-512), the direct kernels
 *    beat im2col + CLBlast by 10-100x on every shape tried, from the
 *    denoiser's (3..16 channels) to 128 -> 128 channels 3x3 and 256 -> 2
 *    channels 5x5, so CPUs take them up to 7x7 kernels (beyond that the
 *    per-work-item tap accumulators of dw spill).
 *  - GPU, accelerator, anything else: GEMM, which CLBlast tunes per GPU,
 *    except for few channels (both C and K <= 32, kernels up to 7x7), where
 *    the GEMM's M = K dimension is too skinny to fill the device and the
 *    im2col copy costs more than the product. Not yet measured on a real
 *    GPU (scripts/gpu-check.sh prints the figures that would settle it).
 *    Under oclgrind (a GPU-type device) the denoiser takes the direct
 *    kernels and the 40 -> 36 and 36 -> 40 channel test cases GEMM, so
 *    both branches run there.
 * The rule reads the shape only: a layer takes the same path at every batch. */
int clae_conv_use_direct(const clae_device *d, const clae_conv_shape *g, int transpose)
{
    if (d->conv_path == CLAE_CONV_GEMM) return 0;
    const dc_geom e = transpose ? tconv_geom(g) : conv_geom(g);
    if (!fits_loop_budget(d, &e, transpose ? 2 : 1)) return 0;
    if (d->conv_path == CLAE_CONV_DIRECT) return 1;
    if (g->R > 7 || g->S > 7) return 0;
    if (d->type & CL_DEVICE_TYPE_CPU) return 1;
    return g->C <= 32 && g->K <= 32;
}

clae_status conv2d_forward_direct(clae_device *d, cl_mem out, cl_mem in, cl_mem w, cl_mem b,
                                  const clae_conv_shape *g, clae_epi act)
{
    CLAE_TRY(clae_conv_check(g, "conv2d"));
    const dc_geom e = conv_geom(g);
    return run_conv(d, &e, g->N, out, in, w, b, EPI_ACT, act, NULL);
}

clae_status conv2d_backward_direct(clae_device *d, cl_mem din, cl_mem dw, cl_mem db, cl_mem dout,
                                   cl_mem in, cl_mem w, const clae_conv_shape *g, clae_epi act)
{
    CLAE_TRY(clae_conv_check(g, "conv2d"));
    const dc_geom e = conv_geom(g);
    if (dw) CLAE_TRY(run_dw(d, &e, g->N, dw, db, 1, dout, in, NULL));
    else if (db) CLAE_TRY(clae_conv_bias_grad(d, db, dout, g->N, g->K, g->P * g->Q));
    if (din) CLAE_TRY(run_tconv(d, &e, g->N, din, dout, w, NULL, EPI_GRAD, act, in));
    return CLAE_OK;
}

clae_status conv2d_transpose_forward_direct(clae_device *d, cl_mem out, cl_mem in, cl_mem w,
                                            cl_mem b, const clae_conv_shape *g, clae_epi act)
{
    CLAE_TRY(clae_conv_check(g, "conv2d_transpose"));
    const dc_geom e = tconv_geom(g);
    return run_tconv(d, &e, g->N, out, in, w, b, EPI_ACT, act, NULL);
}

clae_status conv2d_transpose_backward_direct(clae_device *d, cl_mem din, cl_mem dw, cl_mem db,
                                             cl_mem dout, cl_mem in, cl_mem w,
                                             const clae_conv_shape *g, clae_epi act)
{
    CLAE_TRY(clae_conv_check(g, "conv2d_transpose"));
    const dc_geom e = tconv_geom(g);
    if (dw) CLAE_TRY(run_dw(d, &e, g->N, dw, db, 2, in, dout, NULL));
    else if (db) CLAE_TRY(clae_conv_bias_grad(d, db, dout, g->N, g->K, g->P * g->Q));
    if (din) CLAE_TRY(run_conv(d, &e, g->N, din, dout, w, NULL, EPI_GRAD, act, in));
    return CLAE_OK;
}

/* ---- fused passes (the net's training steps; clae/ops.h) ------------------ */

/* The conv_pool kind's VW: the conv kind's widest, but 16 only on rows of
 * 16 or more (it has no two-rows-per-vector form). */
static int conv_pool_vw(const clae_device *d, const dc_geom *e)
{
    return e->GW >= 16 ? clae_dc_vw_max(d, KIND_CONV, e) : 8;
}

/* The conv_pool kind's loops: the conv kind's over R + SH rows, two rows of
 * accumulators, and a guarded store of vw / 2 pooled lanes. */
static long conv_pool_kind_loops(const dc_geom *e, int blk, int vw)
{
    const long tap = 1 + 2L * blk + vw;
    return (long)e->IC * (1 + e->R + e->SH + (long)(e->R + e->SH) * e->S * tap) +
           (long)blk * (2 + vw);
}

/* Its block and width (not tuned): two rows of accumulators, so half the
 * conv kind's block; the widest vector the row takes. */
static int conv_pool_block(const dc_geom *e) { return clae_dc_block_of(e->GC, 8); }

int conv2d_pool_fusable(const clae_device *d, const clae_conv_shape *g,
                        const clae_conv_shape *pool)
{
    if (d->be->reference || !clae_conv_use_direct(d, g, 0)) return 0;
    const dc_geom e = conv_geom(g);
    /* (the dw kind's rebuilt grid: within the budget clae_conv_use_direct checks) */
    return pool->R == 2 && pool->S == 2 && pool->sh == 2 && pool->sw == 2 && pool->pt == 0 &&
           pool->pl == 0 && g->P % 2 == 0 && g->Q % 2 == 0 && pool->P == g->P / 2 &&
           pool->Q == g->Q / 2 &&
           conv_pool_kind_loops(&e, conv_pool_block(&e), conv_pool_vw(d, &e)) <=
               clae_loop_budget(d);
}

int conv2d_loss_fusable(const clae_device *d, const clae_conv_shape *g, clae_loss lk)
{
    return !d->be->reference && lk != CLAE_LOSS_CCE && clae_conv_use_direct(d, g, 0);
}

clae_status conv2d_pool_forward_cl(clae_device *d, cl_mem pooled, cl_mem idx, cl_mem in,
                                   cl_mem w, cl_mem b, const clae_conv_shape *g, clae_epi act)
{
    CLAE_TRY(clae_conv_check(g, "conv2d"));
    const dc_geom e = conv_geom(g);
    if (e.GH % 2 || e.GW % 2) return CLAE_ERR_SHAPE;
    const int blk = conv_pool_block(&e), vw = conv_pool_vw(d, &e);
    CLAE_TRY(clae_loop_check(d, "fused convolution and pooling",
                             conv_pool_kind_loops(&e, blk, vw)));
    cl_kernel k;
    CLAE_TRY(direct_kernel(d, KIND_CONV_POOL, &e, blk, vw, EPI_ACT, act, NULL, &k));
    CL_ARG(k, 0, cl_mem, pooled);
    CL_ARG(k, 1, cl_mem, idx);
    CL_ARG(k, 2, cl_mem, in);
    CL_ARG(k, 3, cl_mem, w);
    CL_ARG_OPT(k, 4, b, w);
    CL_ARG(k, 5, cl_int, b != NULL);
    CL_ARG(k, 6, cl_int, g->N);
    size_t global[3] = {(size_t)ceil_div(e.GW, vw), (size_t)e.GH / 2,
                        (size_t)g->N * ceil_div(e.GC, blk)};
    return launch_planes(d, k, global, CLAE_DC_WG_PLANE, (size_t)2 * blk * vw); /* (not tuned) */
}

clae_status conv2d_pool_backward_cl(clae_device *d, cl_mem din, cl_mem dw, cl_mem db,
                                    cl_mem dout, cl_mem dpool, cl_mem idx, cl_mem pooled,
                                    cl_mem in, cl_mem w, const clae_conv_shape *g, clae_epi act,
                                    clae_epi din_act)
{
    CLAE_TRY(clae_conv_check(g, "conv2d"));
    if (!dw || (din && !dout) || g->P % 2 || g->Q % 2) return CLAE_ERR_ARG;
    const dc_geom e = conv_geom(g);
    const dc_gsrc gs = {.kind = 1, .idx = idx, .aux = pooled, .dout = dout, .act = act};
    CLAE_TRY(run_dw(d, &e, g->N, dw, db, 1, dpool, in, &gs));
    if (din) CLAE_TRY(run_tconv(d, &e, g->N, din, dout, w, NULL, EPI_GRAD, din_act, in));
    return CLAE_OK;
}

clae_status conv2d_loss_backward_cl(clae_device *d, cl_mem din, cl_mem dw, cl_mem db,
                                    cl_mem dout, cl_mem loss, clae_loss lk, cl_mem y, cl_mem t,
                                    cl_mem in, cl_mem w, const clae_conv_shape *g, clae_epi act,
                                    clae_epi din_act)
{
    CLAE_TRY(clae_conv_check(g, "conv2d"));
    const double count = (double)g->N * g->K * g->P * g->Q;
    if (!dw || (din && !dout) || lk == CLAE_LOSS_CCE || count > INT_MAX) return CLAE_ERR_ARG;
    const dc_geom e = conv_geom(g);
    const dc_gsrc gs = {.kind = 2, .aux = t, .dout = dout, .act = act, .lk = lk,
                        .loss = loss, .lcount = (int)count};
    CLAE_TRY(run_dw(d, &e, g->N, dw, db, 1, y, in, &gs));
    if (din) CLAE_TRY(run_tconv(d, &e, g->N, din, dout, w, NULL, EPI_GRAD, din_act, in));
    return CLAE_OK;
}
