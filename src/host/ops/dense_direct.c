/* Host side of the direct dense kernels (src/kernels/dense.cl): launch
 * wrappers, the weight gradient's batch slices, and the rule choosing the
 * kernels over CLBlast's GEMM. Sizes: N batch, I inputs, U units (outputs). */
#include "ops/dense_direct.h"

#include <limits.h>
#include <stdio.h>

/* The kernels' tiles, passed to dense.cl as build options (one build for
 * every shape but the narrow ones: tiles_of). */
typedef struct dense_tiles {
    int fw_tn, fw_tu; /* dense_fwd: rows of in x rows of w per work-item */
    int di_tn, di_tv; /* dense_din: rows of dout x float8 columns of din */
    int dw_tu, dw_tv; /* dense_dw: rows x vector columns of dw */
    int vw;           /* lanes per vector: 8 or 16 */
} dense_tiles;

/* Measured on PoCL (2-core Xeon, AVX-512) over configs/dense-ae.cfg's and
 * configs/vae.cfg's layers: 8 x 4 forward tiles as fast as 4 x 4 or faster
 * on the large layers (3072 <-> 512), and faster than 4 x 8, 6 x 4 and
 * 8 x 2 (4 x 4 wins on 64 -> 512, 65 against 42 GFLOP/s, a 0.3 ms layer);
 * 4 x 4 float8 columns for din and dw beat 4 x 2 and 8 x 2 (8 x 4 no
 * better). The machine was shared, so only differences over about 20% are
 * trusted. Where the native float width is 16 (AVX-512; CLAE_VW chooses
 * too), float16 vectors with 24 accumulators per work-item: forward 8 x 3,
 * din 8 x 3, dw 6 x 4 (quiet machine, dense-ae at batch 256: the step 63.9
 * ms at float8 -> 44.4 ms; against 4 x 4 / 4 x 2 / 4 x 2 float16: fwd 6.2
 * -> 4.4 ms, din 6.2 -> 4.6 ms, dw 8.4 -> 4.8 ms on 3072 -> 512). One set
 * per width for every device: the auto rule sends only CPUs here. */
static dense_tiles tiles_of(const clae_device *d, int I)
{
    const int wide = clae_device_wide_vectors(d);
    if (!wide)
        return (dense_tiles){.fw_tn = 8, .fw_tu = 4, .di_tn = 4, .di_tv = 4, .dw_tu = 4,
                             .dw_tv = 4, .vw = 8};
    dense_tiles t = {.fw_tn = 8, .fw_tu = 3, .di_tn = 8, .di_tv = 3, .dw_tu = 6, .dw_tv = 4,
                     .vw = 16};
    /* a narrow layer (I = 32: configs/vae.cfg's 32 -> 4096) fills only the
     * vectors it needs: din 1.4 -> 0.3 ms, dw 1.5 -> 0.6 ms there */
    const int vecs = (I + t.vw - 1) / t.vw;
    /* din's strips of 3 vectors leave a partial strip (masked loads, a slower
     * loop) where the vectors are not a multiple of 3: there 6 rows x 4 vectors
     * (configs/dense-ae.cfg at batch 256: the din of I = 64, 0.22 -> 0.09 ms; of
     * I = 512 over U = 64, 0.13 -> 0.07 ms) */
    if (vecs % 3 != 0 && vecs % 4 == 0) t.di_tn = 6, t.di_tv = 4;
    if (t.di_tv > vecs) t.di_tv = vecs;
    if (t.dw_tv > vecs) t.dw_tv = vecs;
    return t;
}

/* dense.cl's kernel `name` built with d's tiles. */
static clae_status dense_kernel(clae_device *d, const dense_tiles *t, const char *name,
                                cl_kernel *out)
{
    char opts[160];
    int len = snprintf(opts, sizeof opts,
                       "-DFW_TN=%d -DFW_TU=%d -DDI_TN=%d -DDI_TV=%d -DDW_TU=%d -DDW_TV=%d -DVW=%d",
                       t->fw_tn, t->fw_tu, t->di_tn, t->di_tv, t->dw_tu, t->dw_tv, t->vw);
    if (len < 0 || (size_t)len >= sizeof opts) return CLAE_ERR_ARG;
    return clae_kernel_variant(d, "dense.cl", opts, name, out);
}

/* Work-items of the weight gradient to aim for before the batch is split
 * into slices (each slice's partial sums written apart, then added in order
 * by dense_dw_sum): per compute unit. Chosen on PoCL (CPU), where a single
 * slice writes straight into dw and saves the partial sums' traffic: the
 * large layers of configs/dense-ae.cfg and configs/vae.cfg have that many
 * on 2 compute units; 512 <-> 64 take 2 slices. */
#define DW_ITEMS_PER_CU 256
#define DW_MIN_SLICE 16 /* images per slice at least, so each slice is worth a launch */
#define DW_SCRATCH_MAX ((size_t)256 << 20)

static int ceil_div(int a, int b) { return (a + b - 1) / b; }

/* Loop iterations of one work-item of each kernel, every loop of dense.cl
 * counted as if none were unrolled (each lane of a guarded load or store
 * too): an upper bound of what a device's loop limiter counts. */
static long fwd_loops(const dense_tiles *t, int I)
{
    const long per_chunk = 1 + t->fw_tn + t->fw_tu + t->fw_tn * (1 + t->fw_tu);
    const long cnt = (t->fw_tn * t->fw_tu + 7) / 8 * 8; /* the epilogue's tile (FW_CNT) */
    return (long)(I / t->vw + 1) * per_chunk + t->fw_tn * (1 + t->fw_tu * (1 + t->vw)) +
           2 * (t->fw_tn + t->fw_tu) + 2 * t->fw_tn * (1 + t->fw_tu) + 3 * cnt;
}

static long din_loops(const dense_tiles *t, int U)
{
    const long per_u = 1 + t->di_tv * (1 + t->vw) + t->di_tn * (1 + t->di_tv);
    return (long)U * per_u + 3 * t->di_tn * (1 + t->di_tv * (1 + t->vw)) + t->di_tn;
}

static long dw_loops_fixed(const dense_tiles *t)
{
    return 2 * t->dw_tu * (1 + t->dw_tv * (1 + t->vw)) + t->dw_tu;
}

static long dw_loops_per_image(const dense_tiles *t)
{
    return 1 + t->dw_tv * (1 + t->vw) + t->dw_tu * (1 + t->dw_tv);
}

/* Launch k over tiles[0] x .. x tiles[dims-1] work-items in work-groups of
 * up to 16 along dimension g, 1 along the others (global rounded up: the
 * kernels return past the last tile). PoCL runs a work-group's work-items
 * one after another on one core, so g is the dimension whose work-items
 * share the larger operand's rows: dense_fwd groups along U (one block of
 * in rows, 16 blocks of w rows), dense_din along N (one strip of w's
 * columns for 16 blocks of rows), dense_dw along U (one strip of in's
 * columns). Work-groups run in order of dimension 0 first: dense_fwd's is
 * N, so one group's 48 rows of w stay in the core's cache while every
 * block of in passes (U first streamed all of w once per block of in:
 * 3072 -> 512 at batch 256, 4.8 -> 3.7 ms; 512 -> 3072, 5.1 -> 3.5 ms).
 * The local size depends on the shape only, so PoCL compiles one
 * work-group function per layer, not one per batch size. Any local size is
 * correct (no local memory, no barriers). */
static clae_status launch_tiles(clae_device *d, cl_kernel k, cl_uint dims, const int *tiles,
                                cl_uint g)
{
    size_t l;
    CLAE_TRY(clae_group_size(d, k, 16, &l));
    while (l > 1 && l / 2 >= (size_t)tiles[g]) l /= 2;
    size_t global[3], local[3] = {1, 1, 1};
    local[g] = l;
    for (cl_uint i = 0; i < dims; i++)
        global[i] = ((size_t)tiles[i] + local[i] - 1) / local[i] * local[i];
    return clae_launch(d, k, dims, global, local);
}

/* Images per slice of the weight gradient and how many slices: one slice
 * when the tiles alone give DW_ITEMS_PER_CU per compute unit, else slices
 * of at least DW_MIN_SLICE images up to that many work-items; never more
 * images than a work-item may loop over (clae_loop_budget), never more
 * partial sums than DW_SCRATCH_MAX or int indexing allow. */
static clae_status dw_slices(const clae_device *d, const dense_tiles *t, int N, int tiles,
                             size_t row, int *per_slice, int *nslices)
{
    *per_slice = N, *nslices = 1;
    const long want = (long)DW_ITEMS_PER_CU * (d->compute_units ? d->compute_units : 1);
    int ns = tiles >= want ? 1 : (int)((want + tiles - 1) / tiles);
    if (ns > ceil_div(N, DW_MIN_SLICE)) ns = ceil_div(N, DW_MIN_SLICE);
    size_t cap = DW_SCRATCH_MAX / (row * sizeof(float));
    if ((size_t)INT_MAX / row < cap) cap = (size_t)INT_MAX / row;
    if (ns > 1 && (size_t)ns > cap) ns = cap > 1 ? (int)cap : 1;
    int n = ceil_div(N, ns);
    const int fit = clae_loop_units(d, dw_loops_fixed(t), (double)dw_loops_per_image(t), n);
    if (fit < 1)
        return clae_loop_check(d, "dense weight gradient",
                               dw_loops_fixed(t) + dw_loops_per_image(t));
    if (fit < n) n = fit;
    ns = ceil_div(N, n);
    if (ns > 1 && ((size_t)ns > cap ||
                   clae_loop_check(d, "dense weight gradient's sum", ns) != CLAE_OK)) {
        fprintf(stderr, "clae: dense weight gradient: %d images in slices of %d are too many "
                "slices on %s; use a smaller batch\n", N, n, d->name);
        return CLAE_ERR_SHAPE;
    }
    *per_slice = n;
    *nslices = ns;
    return CLAE_OK;
}

/* dw (U,I) += dout^T . in and db (U) += column sums of dout (db NULL: not). */
static clae_status run_dw(clae_device *d, cl_mem dw, cl_mem db, cl_mem dout, cl_mem in, int N,
                          int I, int U)
{
    const dense_tiles t = tiles_of(d, I);
    cl_kernel k;
    CLAE_TRY(dense_kernel(d, &t, "dense_dw", &k));
    const int tiles[3] = {ceil_div(I, t.vw * t.dw_tv), ceil_div(U, t.dw_tu), 0};
    const size_t nw = (size_t)U * I, nb = db ? (size_t)U : 0, row = nw + nb;
    if (row > INT_MAX) return CLAE_ERR_ARG; /* dense_check keeps U * I within int */
    int per_slice, ns;
    CLAE_TRY(dw_slices(d, &t, N, tiles[0] * tiles[1], row, &per_slice, &ns));
    cl_mem part = NULL;
    if (ns > 1)
        CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_DIRECT, (size_t)ns * row * sizeof(float), &part));
    CL_ARG(k, 0, cl_mem, part ? part : dw);
    CL_ARG_OPT(k, 1, part ? part : db, dw);
    CL_ARG(k, 2, cl_int, part ? (cl_int)nw : 0);
    CL_ARG(k, 3, cl_int, part ? (cl_int)row : 0);
    CL_ARG(k, 4, cl_int, part ? 0 : 1);
    CL_ARG(k, 5, cl_int, db != NULL);
    CL_ARG(k, 6, cl_mem, dout);
    CL_ARG(k, 7, cl_mem, in);
    CL_ARG(k, 8, cl_int, N);
    CL_ARG(k, 9, cl_int, I);
    CL_ARG(k, 10, cl_int, U);
    CL_ARG(k, 11, cl_int, per_slice);
    const int grid[3] = {tiles[0], tiles[1], ns};
    CLAE_TRY(launch_tiles(d, k, 3, grid, 1));
    if (!part) return CLAE_OK;
    cl_kernel ksum;
    CLAE_TRY(dense_kernel(d, &t, "dense_dw_sum", &ksum));
    CL_ARG(ksum, 0, cl_mem, dw);
    CL_ARG_OPT(ksum, 1, db, dw);
    CL_ARG(ksum, 2, cl_mem, part);
    CL_ARG(ksum, 3, cl_int, (cl_int)nw);
    CL_ARG(ksum, 4, cl_int, (cl_int)nb);
    CL_ARG(ksum, 5, cl_int, ns);
    return clae_launch1d(d, ksum, row);
}

/* auto rule, per device class:
 *  - CPU: measured on PoCL 3.1 (2-core Xeon, AVX-512, shared with other
 *    jobs) the direct kernels beat CLBlast's GEMM on every layer of
 *    configs/dense-ae.cfg and configs/vae.cfg, forward, din and dw, by
 *    1.5-15x (3072 -> 512 at batch 256: forward 40-70 GFLOP/s against
 *    6-16, din and dw 25-45 against 10-31; the spread is the other jobs).
 *  - GPU, accelerator, anything else: GEMM, which CLBlast tunes per GPU;
 *    the direct kernels use no local memory, so a GPU would re-read both
 *    operands from its caches. Not measured on a real GPU.
 * Either way the kernels must fit the device's loop budget (GEMM, which
 * splits its reduction, where they do not). The path depends on the shape
 * only, not on N, except where a batch is too large for the loop budget. */
int clae_dense_use_direct(const clae_device *d, int N, int I, int U)
{
    if (d->dense_path == CLAE_DENSE_GEMM) return 0;
    const dense_tiles t = tiles_of(d, I);
    const long budget = clae_loop_budget(d);
    if (fwd_loops(&t, I) > budget || din_loops(&t, U) > budget ||
        (clae_dense_din_by_transpose(N, U) && fwd_loops(&t, U) > budget) || /* din as fwd */
        dw_loops_fixed(&t) + dw_loops_per_image(&t) > budget)
        return 0;
    /* the weight gradient's slices, each as long as a work-item may loop */
    const long per = (budget - dw_loops_fixed(&t)) / dw_loops_per_image(&t);
    if (per < 1 || (N + per - 1) / per > budget) return 0;
    if (d->dense_path == CLAE_DENSE_DIRECT) return 1;
    return (d->type & CL_DEVICE_TYPE_CPU) != 0;
}

/* dense.cl's epilogue arguments from index `at`: epi (0 none, 1 the
 * activation, 2 its derivative through y), the activation, alpha, y (any
 * buffer where epi is not 2: the kernel reads it only then). */
static clae_status set_epilogue(cl_kernel k, cl_uint at, int epi, clae_epi e, cl_mem y,
                                cl_mem any)
{
    if (e.act == CLAE_ACT_NONE) epi = 0;
    CL_ARG(k, at, cl_int, epi);
    CL_ARG(k, at + 1, cl_int, (cl_int)e.act);
    CL_ARG(k, at + 2, cl_float, e.alpha);
    CL_ARG(k, at + 3, cl_mem, epi == 2 ? y : any);
    return CLAE_OK;
}

/* out (N,U) = in (N,I) . w (U,I)^T + b (U), through the epilogue epi (1:
 * the activation e, 2: e's derivative through y (N,U)). */
static clae_status forward_epi(clae_device *d, cl_mem out, cl_mem in, cl_mem w, cl_mem b, int N,
                               int I, int U, int epi, clae_epi e, cl_mem y)
{
    const dense_tiles t = tiles_of(d, I);
    CLAE_TRY(clae_loop_check(d, "dense forward", fwd_loops(&t, I)));
    cl_kernel k;
    CLAE_TRY(dense_kernel(d, &t, "dense_fwd", &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_mem, in);
    CL_ARG(k, 2, cl_mem, w);
    CL_ARG_OPT(k, 3, b, w);
    CL_ARG(k, 4, cl_int, b != NULL);
    CL_ARG(k, 5, cl_int, N);
    CL_ARG(k, 6, cl_int, I);
    CL_ARG(k, 7, cl_int, U);
    CLAE_TRY(set_epilogue(k, 8, epi, e, y, out));
    const int tiles[2] = {ceil_div(N, t.fw_tn), ceil_div(U, t.fw_tu)};
    return launch_tiles(d, k, 2, tiles, 1);
}

/* out (N,U) = act(in (N,I) . w (U,I)^T + b (U)) */
clae_status dense_forward_direct(clae_device *d, cl_mem out, cl_mem in, cl_mem w, cl_mem b, int N,
                                 int I, int U, clae_epi act)
{
    return forward_epi(d, out, in, w, b, N, I, U, 1, act, NULL);
}

clae_status dense_transpose_cl(clae_device *d, cl_mem dst, cl_mem src, int R, int C)
{
    const dense_tiles t = tiles_of(d, C);
    cl_kernel k;
    CLAE_TRY(dense_kernel(d, &t, "dense_transpose", &k));
    CL_ARG(k, 0, cl_mem, dst);
    CL_ARG(k, 1, cl_mem, src);
    CL_ARG(k, 2, cl_int, R);
    CL_ARG(k, 3, cl_int, C);
    const int tiles[2] = {ceil_div(C, 16), ceil_div(R, 16)};
    return launch_tiles(d, k, 2, tiles, 0);
}

/* dense_din walks U rows of w for a strip of its columns: a long U (512 -> 3072's din at
 * batch 256, a step of configs/dense-ae.cfg) runs at 115-135 GFLOP/s there, where
 * dense_fwd reaches 210-230 on the transposed weights: 6.1-7.2 -> 4.3-5.1 ms with the
 * transposition (0.3 ms); the VAE's 32 -> 4096 at batch 128: 0.33 -> 0.26 ms. A short U
 * loses (64: 0.37 -> 0.83 ms, 512: 0.09 -> 0.14 ms). */
int clae_dense_din_by_transpose(int N, int U) { return U >= 1024 && N >= 64; }

/* din (N,I) = dout (N,U) . w (U,I) times din_act's derivative through in;
 * dw (U,I) += dout^T . in; db (U) += sum of dout */
clae_status dense_backward_direct(clae_device *d, cl_mem din, cl_mem dw, cl_mem db, cl_mem dout,
                                  cl_mem in, cl_mem w, int N, int I, int U, clae_epi din_act)
{
    const dense_tiles t = tiles_of(d, I);
    if (din && clae_dense_din_by_transpose(N, U)) {
        cl_mem wt;
        CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_GEMM, (size_t)U * I * sizeof(float), &wt));
        CLAE_TRY(dense_transpose_cl(d, wt, w, U, I));
        CLAE_TRY(forward_epi(d, din, dout, wt, NULL, N, U, I, 2, din_act, in));
    } else if (din) {
        CLAE_TRY(clae_loop_check(d, "dense input gradient", din_loops(&t, U)));
        cl_kernel k;
        CLAE_TRY(dense_kernel(d, &t, "dense_din", &k));
        CL_ARG(k, 0, cl_mem, din);
        CL_ARG(k, 1, cl_mem, dout);
        CL_ARG(k, 2, cl_mem, w);
        CL_ARG(k, 3, cl_int, N);
        CL_ARG(k, 4, cl_int, I);
        CL_ARG(k, 5, cl_int, U);
        CLAE_TRY(set_epilogue(k, 6, 2, din_act, in, din));
        const int tiles[2] = {ceil_div(I, t.vw * t.di_tv), ceil_div(N, t.di_tn)};
        CLAE_TRY(launch_tiles(d, k, 2, tiles, 1));
    }
    if (dw) return run_dw(d, dw, db, dout, in, N, I, U);
    return db ? bias_backward_cl(d, db, dout, N, U, 1) : CLAE_OK;
}
