/* Device layer: platform/device choice, one context and in-order queue,
 * programs built once per device (binary cache on disk), kernel lookup,
 * scratch buffers, the status-checking macros every OpenCL call uses, and
 * the backend a device runs on (clae_backend: OpenCL, or the host's
 * reference path), chosen once when it opens. No global state: everything
 * lives in a clae_device passed around. Files (src/host/device/): errors.c
 * (names, reports), open.c (enumeration, open, close), program.c (build,
 * binary cache, kernel lookup), launch.c (launch, record, replay), buffer.c
 * (clae_buf and queue calls), opencl.c and host.c (the two backends),
 * probe.c (the device's defects). */
#ifndef CLAE_DEVICE_H
#define CLAE_DEVICE_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <CL/cl_ext.h>
#include <stddef.h>
#include <stdio.h>

#include "clae/status.h"

#define CLAE_MAX_PROGRAMS 32
#define CLAE_MAX_KERNELS 128
#define CLAE_MAX_LAUNCH_SEEN 512
/* Scratch buffers the ops reuse across calls (clae_scratch), one per role. */
enum {
    CLAE_SCRATCH_COL = 0, /* im2col / col2im columns of the GEMM convolutions */
    CLAE_SCRATCH_GEMM,    /* the GEMM's output (or permuted input) beside them */
    CLAE_SCRATCH_DIRECT,  /* direct conv's and dense's weight-gradient partial sums */
    CLAE_SCRATCH_MSE = 4, /* the loss's per-group partial sums */
    CLAE_SCRATCH_BLUR,    /* the blur's horizontal pass */
    CLAE_SCRATCH_PENALTY, /* the loss terms' partial sums */
    CLAE_SCRATCH_ROWS,    /* the contractive penalty's per-unit sums */
    CLAE_SCRATCH_CCE,     /* categorical cross-entropy's per-element terms */
    CLAE_SCRATCH_SLOTS
};

/* $CLAE_CONV: which convolution path conv2d / conv2d_transpose take. */
#define CLAE_CONV_AUTO 0   /* per shape (src/host/ops/conv2d_direct.c) */
#define CLAE_CONV_GEMM 1   /* im2col + CLBlast GEMM */
#define CLAE_CONV_DIRECT 2 /* shape-specialised direct kernels */
/* $CLAE_DENSE: which path dense (fully connected) layers take. */
#define CLAE_DENSE_AUTO 0   /* per device and shape (src/host/ops/dense_direct.c) */
#define CLAE_DENSE_GEMM 1   /* CLBlast GEMM */
#define CLAE_DENSE_DIRECT 2 /* register-tiled direct kernels (src/kernels/dense.cl) */

/* Kernels built on first use with options of their own (shape-specialised
 * variants: clae_kernel_variant). */
#define CLAE_MAX_VARIANTS 64
typedef struct clae_variant_entry {
    char key[384]; /* file, kernel name and build options */
    char prog[384]; /* file and build options: the kernels of one program share it */
    cl_program program;
    cl_kernel kernel;
} clae_variant_entry;

typedef struct clae_kernel_entry {
    char name[64];
    cl_kernel kernel;
} clae_kernel_entry;

/* cl_khr_command_buffer's entry points, where the device offers the
 * extension and OpenCL 2.1's clCloneKernel (create NULL otherwise): the
 * training step can be recorded once and replayed (src/host/net.c; whether
 * it is: clae_device.replay). Only the calls whose form every revision of the
 * provisional extension shares (0.9.0 to 0.9.x): no fill or copy commands,
 * whose signatures changed; the step records kernels of its own for those. */
typedef struct clae_cmdbuf_api {
    clCreateCommandBufferKHR_fn create;
    clCommandNDRangeKernelKHR_fn ndrange;
    clFinalizeCommandBufferKHR_fn finalize;
    clEnqueueCommandBufferKHR_fn enqueue;
    clReleaseCommandBufferKHR_fn release;
    /* CL_COMMAND_BUFFER_CAPABILITY_SIMULTANEOUS_USE_KHR: a recording may be
     * enqueued again before its last replay completes; without it each
     * replay waits for the one before (clae_recording.done). */
    int simultaneous;
} clae_cmdbuf_api;

/* A recorded command buffer and the kernel objects its commands hold: each
 * command records a clone of the kernel with its arguments of the moment,
 * which nothing changes afterwards. The extension says a command captures
 * its arguments when recorded; PoCL 3.1 reads them at replay instead, so
 * a kernel set up again for the next command (or the next call) would run
 * with those. */
typedef struct clae_recording {
    cl_command_buffer_khr cb;
    cl_kernel *kernels;
    size_t nkernels, cap;
    cl_event done; /* its last replay (devices without simultaneous use) */
} clae_recording;

/* One handle for a buffer on whichever path d is: host memory (h) on the
 * reference path, a cl_mem (d) on an OpenCL device, so that code above the
 * ops never asks which. owned: clae_buf_free releases it (not for views of
 * memory owned elsewhere, such as a tensor inside a parameter block). */
typedef struct clae_buf {
    void *h;
    cl_mem d;
    int owned;
} clae_buf;

/* Backends: where buffers live and ops run, chosen once when a device opens
 * (clae_device.be). Each op family keeps a table of its implementations
 * indexed by the backend's id (src/host/ops/<op>.c); the memory side, the
 * queue and the timer are the backend's own functions below
 * (src/host/device/opencl.c, src/host/device/host.c), behind the clae_buf_*,
 * queue and stamp calls, so no caller asks which backend it has. */
typedef enum clae_backend_id {
    CLAE_BACKEND_OPENCL = 0, /* an OpenCL device: cl_mem buffers, kernels in src/kernels/ */
    CLAE_BACKEND_HOST,       /* plain C on host memory: the reference twins (src/host/ref/) */
    CLAE_BACKENDS
} clae_backend_id;

/* A point in a device's time (clae_stamp_take): a marker's event on an
 * OpenCL queue, the host's monotonic clock on the host backend. */
typedef struct clae_stamp {
    cl_event ev;
    double host_s;
} clae_stamp;

struct clae_device;
typedef struct clae_backend {
    clae_backend_id id;
    const char *name;  /* "opencl", "host" */
    /* 1: the plain-C reference path every other backend is checked against
     * (what clae selftest compares with; bench reports it) */
    int reference;
    const char *timer; /* how clae_stamp_seconds measures, in words */
    clae_status (*buf_alloc)(struct clae_device *d, size_t bytes, clae_buf *b);
    clae_status (*buf_mirror)(struct clae_device *d, void *host, size_t bytes, clae_buf *b);
    clae_status (*buf_view)(struct clae_device *d, clae_buf parent, size_t off, size_t bytes,
                            clae_buf *b);
    clae_status (*buf_write)(struct clae_device *d, clae_buf b, const void *src, size_t bytes);
    clae_status (*buf_read)(struct clae_device *d, clae_buf b, void *dst, size_t bytes);
    clae_status (*buf_fill0)(struct clae_device *d, clae_buf b, size_t bytes);
    clae_status (*buf_copy)(struct clae_device *d, clae_buf dst, size_t dst_off, clae_buf src,
                            size_t src_off, size_t bytes);
    clae_status (*buf_read_at)(struct clae_device *d, clae_buf b, size_t off, void *dst,
                               size_t bytes);
    clae_status (*buf_read_async)(struct clae_device *d, clae_buf b, size_t off, void *dst,
                                  size_t bytes, cl_event *ev);
    clae_status (*buf_write_async)(struct clae_device *d, cl_command_queue q, clae_buf b,
                                   const void *src, size_t bytes, cl_uint nwait,
                                   const cl_event *wait, cl_event *ev);
    clae_status (*queue_create)(struct clae_device *d, cl_command_queue *q);
    clae_status (*flush)(struct clae_device *d, cl_command_queue q);
    clae_status (*finish)(struct clae_device *d);
    clae_status (*marker)(struct clae_device *d, cl_event *ev);
    clae_status (*stamp_take)(struct clae_device *d, clae_stamp *s);
    clae_status (*stamp_seconds)(const clae_stamp *a, const clae_stamp *b, double *s);
} clae_backend;

extern const clae_backend clae_backend_opencl, clae_backend_host;

typedef struct clae_device {
    const clae_backend *be;  /* the backend, chosen at open (the host one: no OpenCL objects) */
    int index;               /* flat index over all platforms' devices, -1 on the host */
    cl_platform_id platform;
    cl_device_id device;
    cl_context ctx;
    cl_command_queue queue;  /* in-order, profiling enabled */
    int is_pocl;
    char name[256];
    char vendor[256];
    char driver[128];
    char platform_name[256];
    /* Limits, read once when the device opens. The host backend: align_bytes
     * 0 (any alignment), global_mem and max_alloc the memory the process may
     * use (physical, or less under ulimit -v / -d or a cgroup's memory.max). */
    size_t max_wg;
    cl_uint align_bytes;     /* CL_DEVICE_MEM_BASE_ADDR_ALIGN in bytes */
    cl_ulong global_mem;     /* CL_DEVICE_GLOBAL_MEM_SIZE */
    cl_ulong max_alloc;      /* CL_DEVICE_MAX_MEM_ALLOC_SIZE */
    cl_uint compute_units;   /* CL_DEVICE_MAX_COMPUTE_UNITS */
    cl_uint native_float;    /* CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT (16: AVX-512 on PoCL) */
    int vw;                  /* the direct convolutions' widest vector: $CLAE_VW 8 or 16,
                                0 (auto): 16 where native_float is 16 */
    cl_ulong const_max;      /* CL_DEVICE_MAX_CONSTANT_BUFFER_SIZE */
    cl_device_type type;     /* CL_DEVICE_TYPE (0 on the host backend) */
    /* Loop iterations one work-item may run, all its loops together, before
     * the device ends them silently; 0: no limit. Mesa's llvmpipe (rusticl's
     * software device) stops at 65,535. Found when the device opens, by a
     * probe kernel (src/host/device/probe.c), or forced with
     * $CLAE_LOOP_LIMIT=N (tests run the paths that keep kernels under a
     * limit on any device that way). Ops size their work by
     * clae_loop_budget. */
    long loop_limit;
    /* The embedded kernel files, programs[i] for clae_kernel_sources[i],
     * each built on first use (NULL until then). */
    int nprograms;
    cl_program programs[CLAE_MAX_PROGRAMS];
    /* Kernel compiles (src/host/device/compile_time.c): the seconds spent
     * building programs and in the first launch of each kernel, grid and
     * work-group size (PoCL compiles a kernel for its work-group size
     * there), and those launches seen so far. */
    double compile_s;
    int compile_noted;       /* "compiling kernels" said */
    int nlaunch_seen;
    unsigned long long launch_seen[CLAE_MAX_LAUNCH_SEEN];
    int nkernels;
    clae_kernel_entry kernels[CLAE_MAX_KERNELS];
    cl_mem scratch[CLAE_SCRATCH_SLOTS];
    size_t scratch_bytes[CLAE_SCRATCH_SLOTS];
    int verbose;             /* print cache hits/misses and build timings */
    int conv_path;           /* CLAE_CONV_AUTO / _GEMM / _DIRECT, from $CLAE_CONV */
    int dense_path;          /* CLAE_DENSE_AUTO / _GEMM / _DIRECT, from $CLAE_DENSE */
    int fuse;                /* training steps fuse passes (net_fuse.c): $CLAE_FUSE, default 1 */
    int nvariants, variant_next; /* variant cache: used entries, next to evict */
    unsigned long launches;  /* kernels enqueued through clae_launch / clae_launch1d */
    unsigned long gemms;     /* CLBlast GEMM calls (each enqueues 1-4 kernels of its own) */
    clae_variant_entry variants[CLAE_MAX_VARIANTS];
    clae_cmdbuf_api cb;      /* cb.create NULL: no command buffers */
    /* Training steps are recorded and replayed (with cb.create): by default
     * on GPUs and accelerators, where a launch costs microseconds; not on
     * CPU devices, where PoCL runs a replay no faster than the launches
     * (measured: 1-2% slower). $CLAE_REPLAY=1 or 0 forces it either way. */
    int replay;
    /* While rec.cb is set, clae_launch / clae_launch1d / clae_fill0 /
     * clae_buf_copy record into it (each command after the one before)
     * instead of enqueueing; anything that cannot be recorded (a transfer,
     * a CLBlast call, an op with per-step arguments) sets rec_failed, and
     * the recording is thrown away. */
    clae_recording rec;
    int rec_failed;
    cl_sync_point_khr rec_last; /* the last recorded command's (with rec.nkernels > 0) */
    unsigned long replays;   /* command buffers enqueued */
    /* Bumped whenever a scratch buffer a recording may hold is replaced:
     * recordings older than it are stale. */
    unsigned long gen;
    /* The direct convolutions' tuned parameters (clae/tune.h): the device's
     * tuning file, read at open; NULL: none, and every shape takes its
     * device class's defaults. */
    struct clae_tune_table *tune;
} clae_device;

/* Report an OpenCL status: "clae: clFoo failed: CL_BAR (file:line)". */
void clae_report_cl(const char *call, cl_int err, const char *file, int line);
void clae_report_clblast(const char *call, int err, const char *file, int line);
const char *clae_cl_errname(cl_int err);
const char *clae_clblast_errname(int err);

/* Check an OpenCL call returning cl_int; on failure report and return CLAE_ERR_CL. */
#define CL_CHECK(call)                                              \
    do {                                                            \
        cl_int clerr_ = (call);                                     \
        if (clerr_ != CL_SUCCESS) {                                 \
            clae_report_cl(#call, clerr_, __FILE__, __LINE__);      \
            return CLAE_ERR_CL;                                     \
        }                                                           \
    } while (0)

/* Check the errcode_ret of an OpenCL create call. */
#define CL_CHECK_RET(name, err)                                     \
    do {                                                            \
        if ((err) != CL_SUCCESS) {                                  \
            clae_report_cl(name, (err), __FILE__, __LINE__);        \
            return CLAE_ERR_CL;                                     \
        }                                                           \
    } while (0)

#define CLBLAST_CHECK(call)                                         \
    do {                                                            \
        int cbstatus_ = (int)(call);                                \
        if (cbstatus_ != 0) {                                       \
            clae_report_clblast(#call, cbstatus_, __FILE__, __LINE__); \
            return CLAE_ERR_CL;                                     \
        }                                                           \
    } while (0)

/* Propagate a clae_status. */
#define CLAE_TRY(expr)                                              \
    do {                                                            \
        clae_status st_ = (expr);                                   \
        if (st_ != CLAE_OK) return st_;                             \
    } while (0)

/* Typed kernel argument: CL_ARG(kernel, index, cl_int, n). */
#define CL_ARG(k, i, type, val)                                     \
    do {                                                            \
        type argv_ = (val);                                         \
        CL_CHECK(clSetKernelArg((k), (i), sizeof(type), &argv_));   \
    } while (0)

/* An optional buffer argument the kernel leaves unread when absent (a flag
 * or a build option says so): a buffer of the same call stands in for NULL,
 * as PoCL 3.1's command buffers crash on a NULL buffer argument. */
#define CL_ARG_OPT(k, i, m, stand_in) CL_ARG(k, i, cl_mem, (m) ? (m) : (stand_in))

/* Print every platform and device (flat index, name, vendor, type, CUs,
 * memory, max work-group, OpenCL C version) and mark the default. */
clae_status clae_devices_list(FILE *out);

/* Open a device. spec: NULL (use $CLAE_DEVICE, else the default), "ref",
 * or a flat index "N" over every platform's devices (platforms without
 * devices add none); an empty spec is refused (CLAE_ERR_ARG). With no
 * OpenCL device at all and no spec, warns once and opens the reference
 * path. Builds every embedded program, then probes the device
 * (clae_device_probe). */
clae_status clae_device_open(clae_device *d, const char *spec);
void clae_device_close(clae_device *d);
/* Device i of that flat list (clae devices' order): its name, type ("GPU", "CPU",
 * "accelerator", "other") and whether it is the default ($CLAE_DEVICE, else the first
 * GPU, accelerator, device 0); CLAE_ERR_ARG after one line for an index out of range.
 * name and type may be NULL. */
clae_status clae_device_describe(int i, char *name, size_t name_len, char *type,
                                 size_t type_len, int *is_default);
/* How many OpenCL devices every platform together offers. */
int clae_device_count(void);
/* The flat index of the k-th device (k modulo their number) of the default
 * device's type (the GPUs where there is one): the device of local rank k
 * in a data-parallel run. -1 without any OpenCL device. */
int clae_device_nth_default(int k);

/* Probe an opened OpenCL device for defects that give wrong answers silently
 * (clae_device.loop_limit) and say, in one line, what was found;
 * clae_device_open calls it. */
clae_status clae_device_probe(clae_device *d);
/* Whether the direct kernels (convolutions, dense) build with float16 vectors: d->vw 16
 * ($CLAE_VW=16), or by default (d->vw 0) where the native float vector is 16 wide
 * (AVX-512 on PoCL). */
int clae_device_wide_vectors(const clae_device *d);
/* Loop iterations an op may give one work-item on d: half the device's
 * limit (a margin for loops an op's count misses), LONG_MAX without one. */
long clae_loop_budget(const clae_device *d);
/* How many of n units of work (images, say) one work-item may loop over
 * on d when it runs `fixed` iterations anyway and per_unit for each unit:
 * n where there is no limit, 0 when not even one fits. */
int clae_loop_units(const clae_device *d, long fixed, double per_unit, int n);
/* CLAE_OK when `loops`, an upper bound of the loop iterations of one
 * work-item of op, is within clae_loop_budget; else one line naming op,
 * the count and the device's limit, and CLAE_ERR_SHAPE. */
clae_status clae_loop_check(const clae_device *d, const char *op, long loops);

/* Recording (see clae_device.rec). clae_record_begin starts a command
 * buffer (CLAE_ERR_CL if the device has none); clae_record_end finalizes
 * it into *out, or, where something in it could not be recorded
 * (rec_failed) or it is empty, frees it and leaves out->cb NULL. */
clae_status clae_record_begin(clae_device *d);
clae_status clae_record_end(clae_device *d, clae_recording *out);
void clae_recording_free(clae_device *d, clae_recording *r);
/* Inside a recording: the caller's command cannot be recorded; marks the
 * recording failed and returns 1 (the caller then enqueues nothing).
 * Outside one: 0. */
int clae_record_refuse(clae_device *d);
/* Enqueue a finalized recording on the device's queue (launches += its kernels). */
clae_status clae_replay(clae_device *d, clae_recording *r);

/* A cached kernel object by name (created on first use). */
clae_status clae_kernel(clae_device *d, const char *name, cl_kernel *out);

/* The kernel `name` of the embedded kernel file `file` built with `options`
 * (e.g. -D sizes of one shape): built once per device and options (through
 * the binary cache), kept in a cache that evicts the oldest of
 * CLAE_MAX_VARIANTS. */
clae_status clae_kernel_variant(clae_device *d, const char *file, const char *options,
                                const char *name, cl_kernel *out);

/* Seconds d has spent compiling kernels so far (program builds, and the
 * first launch of each kernel, grid and work-group size, where PoCL
 * compiles); 0 on the host backend. Speeds are measured without it. */
double clae_compile_seconds(const clae_device *d);
/* Around a call that compiles on its first use with given sizes (CLBlast's
 * GEMM: its own programs and launches): the first call with these n sizes
 * runs alone and counts as compiling (*t0 < 0 for the others). */
clae_status clae_first_call_begin(clae_device *d, const size_t *key, int n, double *t0);
clae_status clae_first_call_end(clae_device *d, double t0);

/* A device buffer of at least `bytes` in scratch slot `slot`, reused across
 * calls (allocated once, grown when needed). */
clae_status clae_scratch(clae_device *d, int slot, size_t bytes, cl_mem *out);

/* The largest power of two <= cap that both the device (max_wg) and the
 * kernel on it (CL_KERNEL_WORK_GROUP_SIZE) accept as a work-group size;
 * reductions over local memory use it (their tree sums need a power of two). */
clae_status clae_group_size(clae_device *d, cl_kernel k, size_t cap, size_t *out);
/* The most work-items a work-group of kernel k may have on d (the kernel's
 * CL_KERNEL_WORK_GROUP_SIZE, at most the device's). */
clae_status clae_kernel_max_wg(clae_device *d, cl_kernel k, size_t *out);
/* Launch a 1-D kernel over n work-items (global size rounded up to the
 * work-group size; kernels guard with if (i >= n) return). */
clae_status clae_launch1d(clae_device *d, cl_kernel k, size_t n);
/* Launch a 2-D/3-D kernel with exact global sizes (local chosen by driver). */
clae_status clae_launch(clae_device *d, cl_kernel k, cl_uint dims, const size_t *global,
                        const size_t *local);

/* Convenience buffer helpers. */
clae_status clae_buffer(clae_device *d, size_t bytes, cl_mem *out);
clae_status clae_write(clae_device *d, cl_mem m, const void *src, size_t bytes);
clae_status clae_read(clae_device *d, cl_mem m, void *dst, size_t bytes);
clae_status clae_fill0(clae_device *d, cl_mem m, size_t bytes);

/* A zeroed buffer of bytes. */
clae_status clae_buf_alloc(clae_device *d, size_t bytes, clae_buf *b);
/* A buffer holding the bytes at host (copied to the device; on the
 * reference path host itself, not owned). */
clae_status clae_buf_mirror(clae_device *d, void *host, size_t bytes, clae_buf *b);
/* The bytes [off, off + bytes) of parent as a buffer of their own (a
 * sub-buffer on a device: off must be a multiple of its base alignment). */
clae_status clae_buf_view(clae_device *d, clae_buf parent, size_t off, size_t bytes,
                          clae_buf *b);
/* Copy in or out (blocking), or zero; a host copy onto itself is skipped. */
clae_status clae_buf_write(clae_device *d, clae_buf b, const void *src, size_t bytes);
clae_status clae_buf_read(clae_device *d, clae_buf b, void *dst, size_t bytes);
clae_status clae_buf_fill0(clae_device *d, clae_buf b, size_t bytes);
/* Release an owned buffer (views before their parents); *b is zeroed. */
void clae_buf_free(clae_buf *b);
/* bytes from src at src_off to dst at dst_off, in order on d's queue. */
clae_status clae_buf_copy(clae_device *d, clae_buf dst, size_t dst_off, clae_buf src,
                          size_t src_off, size_t bytes);
/* bytes at off into host memory dst: blocking, or started (*ev marks its
 * end; NULL on the reference path, where it is done at once). */
clae_status clae_buf_read_at(clae_device *d, clae_buf b, size_t off, void *dst, size_t bytes);
clae_status clae_buf_read_async(clae_device *d, clae_buf b, size_t off, void *dst, size_t bytes,
                                cl_event *ev);
/* Host memory into b on queue q (a second queue: uploads overlap the
 * compute), after the events in wait[0..nwait); *ev marks its end. The
 * reference path copies at once (q, wait and ev unused; *ev = NULL). */
clae_status clae_buf_write_async(clae_device *d, cl_command_queue q, clae_buf b, const void *src,
                                 size_t bytes, cl_uint nwait, const cl_event *wait, cl_event *ev);

/* Queue control that is a no-op on the host backend (where every call
 * has finished when it returns). */
clae_status clae_queue_create(clae_device *d, cl_command_queue *q); /* NULL on ref */
void clae_queue_release(cl_command_queue q);
clae_status clae_flush(clae_device *d, cl_command_queue q); /* q NULL: d's queue */
clae_status clae_finish(clae_device *d);
/* d's queue waits for ev (NULL: nothing) before what follows. */
clae_status clae_wait_on(clae_device *d, cl_event ev);
/* The host waits for ev (NULL: nothing) and releases it; *ev = NULL. */
clae_status clae_event_wait(cl_event *ev);
/* *ev (released first if set) marks the end of everything queued on d so far. */
clae_status clae_marker(clae_device *d, cl_event *ev);

/* Timing (clae bench): a stamp before and after the calls to time, then,
 * once clae_finish has returned, the seconds between two stamps (OpenCL:
 * END of the first marker to END of the second; host: the clock). Release
 * every stamp taken (a no-op without an event). */
clae_status clae_stamp_take(clae_device *d, clae_stamp *s);
clae_status clae_stamp_seconds(clae_device *d, const clae_stamp *a, const clae_stamp *b,
                               double *s);
void clae_stamp_release(clae_stamp *s);

/* Program-binary cache. The folder is $XDG_CACHE_HOME/clae, else
 * ~/.cache/clae ($HOME, else the passwd entry); 0 (and "") when there is
 * none: never a shared folder such as /tmp. It is created with mode 0700 and
 * used only while clae_cache_dir_safe: a real directory (not a link) owned
 * by this user and writable by nobody else. */
int clae_cache_dir(char *buf, size_t len);
int clae_cache_dir_safe(const char *dir);
/* A cache entry: "CLAEBIN1", the binary's length and FNV-1a hash, the
 * binary. clae_cache_read loads one only if it is a regular file (no link)
 * owned by this user, writable by nobody else, and its length and hash
 * match: CLAE_OK with *bin malloc'ed; CLAE_ERR_IO when it cannot be opened,
 * CLAE_ERR_FORMAT when it fails a check (then clae builds from source).
 * clae_cache_write writes an owner-only temporary file and renames it. */
clae_status clae_cache_read(const char *path, unsigned char **bin, size_t *len);
clae_status clae_cache_write(const char *path, const unsigned char *bin, size_t len);

#endif
