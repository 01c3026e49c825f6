/* The direct convolutions' parameters per device and shape (conv2d_tune.h):
 * a tuned entry of the device's tuning file (clae/tune.h, `clae tune`) where
 * there is a usable one, else the defaults of the device's class below; and
 * the candidates the tuner tries. */
#include "ops/conv2d_tune.h"

#include <stdio.h>
#include <string.h>

const char *const clae_dc_kind_names[4] = {"", "conv", "tconv", "dw"};

static int ceil_div(int a, int b) { return (a + b - 1) / b; }

/* PoCL runs a work-group's work-items on one worker thread and keeps every
 * work-item's private arrays on that thread's stack (8 MiB by default,
 * RLIMIT_STACK): a group of 4,096 work-items with 2.3 KiB of accumulators
 * each (the weight gradient of a 128 -> 128 conv, dw_blk 4, float16) and one
 * of 3,072 with 3.1 KiB (a 5 x 5 conv's, chosen by the driver in `clae
 * tune`) ended the process with a segmentation fault. On a CPU the direct
 * kernels' groups keep their accumulators within GROUP_PRIVATE_MAX, half
 * of that stack (a quarter, 2 MiB, split the wide denoiser's transposed
 * convolutions' weight-gradient groups of 1,024 work-items and made them
 * 25-40% slower). */
#define GROUP_PRIVATE_MAX ((size_t)4 << 20)

size_t clae_dc_group_cap(const clae_device *d, size_t kwg, size_t acc_floats)
{
    size_t cap = kwg ? kwg : 1;
    if ((d->type & CL_DEVICE_TYPE_CPU) && acc_floats) {
        const size_t fit = GROUP_PRIVATE_MAX / (acc_floats * sizeof(float));
        if (fit < cap) cap = fit ? fit : 1;
    }
    return cap;
}

size_t clae_divisor_within(size_t n, size_t cap)
{
    if (n <= cap) return n ? n : 1;
    for (size_t l = cap; l > 1; l--)
        if (n % l == 0) return l;
    return 1;
}

int clae_dc_block_of(int ch, int cap)
{
    if (cap < 1) cap = 1;
    int nb = ceil_div(ch, cap);
    return ceil_div(ch, nb);
}

int clae_dc_key(int kind, const dc_geom *e, char *buf, size_t len)
{
    if (kind < CLAE_DC_CONV || kind > CLAE_DC_DW) return 0;
    int n = snprintf(buf, len,
                     "%s -DGC=%d -DGH=%d -DGW=%d -DIC=%d -DIH=%d -DIW=%d -DR=%d -DS=%d -DSH=%d "
                     "-DSW=%d -DPT=%d -DPL=%d",
                     clae_dc_kind_names[kind], e->GC, e->GH, e->GW, e->IC, e->IH, e->IW, e->R,
                     e->S, e->SH, e->SW, e->PT, e->PL);
    return n > 0 && (size_t)n < len;
}

/* Defaults, per device class.
 *  - CPU (measured on PoCL, 2-core AMD EPYC with AVX-512; these are the
 *    values clae had before it had a tuner, so an untuned run is unchanged
 *    bit for bit): conv and tconv kinds at most 16 output channels per
 *    work-item (fewer loads of the input per output); the dw kind BLK * R * S
 *    float8 accumulators per work-item, at most 36 (3x3: 4, measured better
 *    than 2 or 3; some spill to the stack on AVX-512's 32 registers, still
 *    faster than smaller blocks); weight-gradient slices of 8 images (a
 *    slice's data stays in cache while its work-group runs); a work-group of
 *    one output plane (conv2d_direct.c's launch_planes says why).
 *  - GPU, accelerator, anything else (reasoned, not measured; `clae tune`
 *    measures): at most 4 output channels per work-item (16 float8
 *    accumulators spill a GPU's registers, and fewer channels a work-item
 *    give 4x the work-items); 1 channel per dw work-item (R * S float8
 *    accumulators: 72 registers for 3x3, already a third of a GPU thread's);
 *    slices of 2 images (the denoiser's first layer at batch 512 then runs
 *    256 slices x 24 work-items where the CPU's 8 give 64 x 6, far too few
 *    to fill a GPU); and stacks of planes up to 256 work-items, as a plane
 *    of the denoiser's smaller layers (1 x 8 work-items) fills a quarter of
 *    one 32-wide SIMD unit. */
/* The widest VW the kernels of kind on e may take on d: 16 where the
 * device's native float vector is 16 wide (PoCL on an AVX-512 CPU: a float16
 * is one register, and 8 float16 FMA chains ran at 350 GFLOP/s on the
 * project's 2-core Xeon where 16 float8 chains ran at 188) and the row holds
 * 16 pixels (the conv and dw kinds' grid rows, the tconv kind's columns of
 * one phase), else 8. $CLAE_VW (clae_device.vw) forces 8, or 16 on any
 * device (the simulator's checks of the float16 kernels). */
int clae_dc_vw_max(const clae_device *d, int kind, const dc_geom *e)
{
    const int row = kind == CLAE_DC_TCONV ? (e->IW + e->SW - 1) / e->SW : e->GW;
    const int wide = clae_device_wide_vectors(d);
    /* the conv kind also where a float16 holds two whole rows of 8 (its RP 2) */
    const int pairs = kind == CLAE_DC_CONV && e->GW == 8 && e->GH % 2 == 0;
    return wide && (row >= 16 || pairs) ? 16 : 8;
}

clae_dc_params clae_dc_params_default(const clae_device *d, int kind, const dc_geom *e)
{
    const int cpu = (d->type & CL_DEVICE_TYPE_CPU) != 0;
    const int ch = kind == CLAE_DC_TCONV ? e->IC : e->GC;
    const int taps = e->R * e->S;
    clae_dc_params p;
    if (cpu) {
        /* accumulators per work-item of the dw kind: about 36 vectors, and
         * 3 output channels for a 5 x 5 kernel (75: deblur-residual's 3 ->
         * 16, 5 x 5 at batch 512 on the AVX-512 Xeon, clae tune: 25.2 ms at
         * 1 channel, 12.7 ms at 3, the fastest of 48 candidates). 3 channels
         * of a 3 x 3 kernel where a grid row is one float16: its 36 float16
         * accumulators spill past AVX-512's 32 registers (the AVX-512 Xeon,
         * clae bench: denoiser-wide's 32 -> 64 conv 50 -> 42 ms and 64 -> 64
         * transposed conv 117-120 -> 109 ms at batch 512, the VAE's 32 -> 32
         * transposed conv 6.8-7.1 -> 6.3 ms, the denoiser's 8 -> 16 conv and
         * 16 -> 16 transposed conv a few percent; on rows of 32 and of
         * float8, 3 channels were slower than 4) */
        const int row_vector = clae_dc_vw_max(d, CLAE_DC_DW, e) == 16 && e->GW <= 16;
        const int cap = taps > 9 && taps <= 25 ? 3 : taps == 9 && row_vector ? 3 : 36 / taps;
        /* (16 accumulators: the tconv kind's two phases take 8 channels each) */
        p.blk = clae_dc_block_of(ch, kind == CLAE_DC_TCONV ? 16 / clae_dc_tconv_phases(e) : 16);
        p.dw_blk = clae_dc_block_of(e->GC, cap < 16 ? cap : 16);
        /* slices of 8 images, or of more where a grid plane is under 16 x 16
         * pixels: at least 2048 grid pixels a slice (configs/vae.cfg's 32 ->
         * 64 stride-2 conv and 64 -> 32 transposed conv on an 8 x 8 grid, the
         * same dw geometry, at batch 128: clae tune, 5.0 -> 4.0 ms at 32
         * images a slice, the fastest of 24 candidates) */
        const int plane = e->GH * e->GW, want = (2048 + plane - 1) / plane;
        p.dw_slice_images = want < 8 ? 8 : want > 32 ? 32 : want;
        p.wg = CLAE_DC_WG_PLANE;
        p.vw = clae_dc_vw_max(d, kind, e);
    } else {
        p.blk = clae_dc_block_of(ch, 4);
        p.dw_blk = 1;
        p.dw_slice_images = 2;
        p.wg = kind == CLAE_DC_DW ? CLAE_DC_WG_PLANE : CLAE_DC_WG_STACK;
        p.vw = 8;
    }
    return p;
}

int clae_dc_params_ok(const clae_device *d, int kind, const dc_geom *e, const clae_dc_params *p)
{
    const int ch = kind == CLAE_DC_TCONV ? e->IC : e->GC;
    if (p->wg < 0 || p->wg >= CLAE_DC_WG_MODES) return 0;
    /* the driver's choice on a CPU: PoCL's groups of up to 4,096 work-items
     * (clae_dc_group_cap says why they are not allowed) */
    if (p->wg == CLAE_DC_WG_DRIVER && (d->type & CL_DEVICE_TYPE_CPU)) return 0;
    if (p->vw != 8 && (p->vw != 16 || clae_dc_vw_max(d, kind, e) < 16)) return 0;
    if (kind == CLAE_DC_DW) {
        if (p->dw_blk < 1 || p->dw_blk > e->GC || p->dw_blk > CLAE_DC_BLK_MAX) return 0;
        if (p->dw_slice_images < 1 || p->dw_slice_images > CLAE_DC_SLICE_MAX) return 0;
        if (p->wg != CLAE_DC_WG_PLANE && p->wg != CLAE_DC_WG_DRIVER) return 0;
    } else if (p->blk < 1 || p->blk > ch || p->blk > CLAE_DC_BLK_MAX) {
        return 0;
    }
    return clae_dc_loops(kind, e, p) <= clae_loop_budget(d);
}

clae_dc_params clae_dc_params_for(const clae_device *d, int kind, const dc_geom *e)
{
    const clae_dc_params def = clae_dc_params_default(d, kind, e);
    if (!d->tune) return def;
    char key[sizeof d->tune->e[0].key];
    if (!clae_dc_key(kind, e, key, sizeof key)) return def;
    const clae_tune_entry *t = clae_tune_find(d->tune, key);
    if (!t) return def;
    /* a kind's unread fields keep the defaults, so equal entries compare equal */
    clae_dc_params p = def;
    if (kind == CLAE_DC_DW) {
        p.dw_blk = t->p.dw_blk;
        p.dw_slice_images = t->p.dw_slice_images;
    } else {
        p.blk = t->p.blk;
    }
    p.wg = t->p.wg;
    if (t->p.vw) p.vw = t->p.vw;
    return clae_dc_params_ok(d, kind, e, &p) ? p : def;
}

static int same_params(const clae_dc_params *a, const clae_dc_params *b)
{
    return a->blk == b->blk && a->dw_blk == b->dw_blk &&
           a->dw_slice_images == b->dw_slice_images && a->wg == b->wg && a->vw == b->vw;
}

/* p added to out[0..*n) when usable on d and new. */
static void add_candidate(const clae_device *d, int kind, const dc_geom *e, clae_dc_params p,
                          clae_dc_params *out, int *n, int cap)
{
    if (*n >= cap || !clae_dc_params_ok(d, kind, e, &p)) return;
    for (int i = 0; i < *n; i++)
        if (same_params(&out[i], &p)) return;
    out[(*n)++] = p;
}

int clae_dc_candidates(const clae_device *d, int kind, const dc_geom *e, clae_dc_params *out,
                       int cap)
{
    static const int BLKS[] = {1, 2, 3, 4, 6, 8, 12, 16};
    static const int DW_BLKS[] = {1, 2, 3, 4};
    static const int SLICES[] = {1, 2, 4, 8, 16, 32};
    const clae_dc_params def = clae_dc_params_default(d, kind, e);
    int n = 0;
    add_candidate(d, kind, e, def, out, &n, cap);
    const size_t max_wg = d->max_wg ? d->max_wg : 1;
    if (kind == CLAE_DC_DW) {
        for (size_t b = 0; b < sizeof DW_BLKS / sizeof DW_BLKS[0]; b++) {
            if (DW_BLKS[b] > e->GC) break;
            /* a slice's work-group: every (channel block, image channel) */
            const size_t slice_wg = (size_t)ceil_div(e->GC, DW_BLKS[b]) * e->IC;
            for (size_t s = 0; s < sizeof SLICES / sizeof SLICES[0]; s++)
                for (int wg = CLAE_DC_WG_PLANE; wg <= CLAE_DC_WG_DRIVER; wg += 2) {
                    if (wg == CLAE_DC_WG_PLANE && slice_wg > max_wg) continue;
                    clae_dc_params p = def;
                    p.dw_blk = DW_BLKS[b];
                    p.dw_slice_images = SLICES[s];
                    p.wg = wg;
                    for (p.vw = 16; p.vw >= 8; p.vw -= 8) /* 16 where allowed */
                        add_candidate(d, kind, e, p, out, &n, cap);
                }
        }
        return n;
    }
    const int ch = kind == CLAE_DC_TCONV ? e->IC : e->GC;
    /* a plane of work-items: VW = 8 pixels each along the width */
    const size_t plane = kind == CLAE_DC_CONV
                             ? (size_t)ceil_div(e->GW, 8) * e->GH
                             : (size_t)e->SW * ceil_div(ceil_div(e->IW, e->SW), 8) * e->IH;
    for (size_t b = 0; b < sizeof BLKS / sizeof BLKS[0]; b++) {
        if (BLKS[b] > ch) break;
        for (int wg = 0; wg < CLAE_DC_WG_MODES; wg++) {
            /* a plane too large falls back to a row: the same launch as ROW */
            if (wg == CLAE_DC_WG_PLANE && plane > max_wg) continue;
            clae_dc_params p = def;
            p.blk = BLKS[b];
            p.wg = wg;
            for (p.vw = 16; p.vw >= 8; p.vw -= 8) /* 16 where allowed */
                add_candidate(d, kind, e, p, out, &n, cap);
        }
    }
    return n;
}
