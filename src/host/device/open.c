/* Devices: every platform's devices in one flat list (clae devices, the
 * default choice, the device of a local rank), and opening one by its
 * spec onto a backend (include/clae/device.h): an OpenCL device gets its
 * context, queue, command-buffer entry points, programs and probe; "ref"
 * (or no OpenCL device at all) the host backend. Closing releases it all. */
#include <clblast_c.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "clae/device.h"
#include "clae/parse.h"
#include "clae/tune.h"
#include "internal.h"

/* ---- enumeration ------------------------------------------------------ */

#define MAX_PLATFORMS 16
#define MAX_DEVICES 64

typedef struct dev_entry {
    cl_platform_id platform;
    cl_device_id device;
} dev_entry;

/* Flat list of every device of every platform. Returns count (0 if none). */
static int enumerate(dev_entry *out, int cap)
{
    cl_platform_id plats[MAX_PLATFORMS];
    cl_uint np = 0;
    if (clGetPlatformIDs(MAX_PLATFORMS, plats, &np) != CL_SUCCESS) return 0;
    int n = 0;
    for (cl_uint p = 0; p < np && p < MAX_PLATFORMS; p++) {
        cl_device_id devs[MAX_DEVICES];
        cl_uint nd = 0;
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, devs, &nd) != CL_SUCCESS)
            continue;
        for (cl_uint i = 0; i < nd && i < MAX_DEVICES && n < cap; i++) {
            out[n].platform = plats[p];
            out[n].device = devs[i];
            n++;
        }
    }
    return n;
}

/* Default: the first GPU, else the first accelerator, else device 0. */
static int default_index(const dev_entry *e, int n)
{
    for (int i = 0; i < n; i++) {
        cl_device_type t = 0;
        clGetDeviceInfo(e[i].device, CL_DEVICE_TYPE, sizeof t, &t, NULL);
        if (t & CL_DEVICE_TYPE_GPU) return i;
    }
    for (int i = 0; i < n; i++) {
        cl_device_type t = 0;
        clGetDeviceInfo(e[i].device, CL_DEVICE_TYPE, sizeof t, &t, NULL);
        if (t & CL_DEVICE_TYPE_ACCELERATOR) return i;
    }
    return 0;
}

static const char *type_name(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU) return "GPU";
    if (t & CL_DEVICE_TYPE_CPU) return "CPU";
    if (t & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
    return "other";
}

/* Whether the device lists the extension: the whole name, so that
 * cl_khr_command_buffer is not found in cl_khr_command_buffer_multi_device. */
static int has_extension(cl_device_id dev, const char *name)
{
    size_t len = 0;
    if (clGetDeviceInfo(dev, CL_DEVICE_EXTENSIONS, 0, NULL, &len) != CL_SUCCESS || !len) return 0;
    char *ext = malloc(len + 1);
    if (!ext) return 0;
    int ok = clGetDeviceInfo(dev, CL_DEVICE_EXTENSIONS, len, ext, NULL) == CL_SUCCESS;
    ext[ok ? len : 0] = '\0';
    size_t n = strlen(name);
    int has = 0;
    for (const char *p = ext; !has && (p = strstr(p, name)) != NULL; p += n)
        has = (p == ext || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0');
    free(ext);
    return has;
}

clae_status clae_devices_list(FILE *out)
{
    dev_entry e[MAX_DEVICES];
    int n = enumerate(e, MAX_DEVICES);
    if (n == 0) {
        fprintf(out, "no OpenCL platform or device found; only the reference path "
                     "(--device ref) is available\n");
        return CLAE_OK;
    }
    int def = default_index(e, n);
    const char *env = getenv("CLAE_DEVICE");
    if (env && *env && strcmp(env, "ref") != 0) {
        long v;
        if (clae_str_to_long(env, 0, n - 1, &v)) def = (int)v;
    }
    for (int i = 0; i < n; i++) {
        char pname[256] = "", name[256] = "", vendor[256] = "", clc[128] = "", drv[128] = "";
        cl_device_type t = 0;
        cl_uint cu = 0;
        cl_ulong mem = 0;
        size_t wg = 0;
        clGetPlatformInfo(e[i].platform, CL_PLATFORM_NAME, sizeof pname, pname, NULL);
        clGetDeviceInfo(e[i].device, CL_DEVICE_NAME, sizeof name, name, NULL);
        clGetDeviceInfo(e[i].device, CL_DEVICE_VENDOR, sizeof vendor, vendor, NULL);
        clGetDeviceInfo(e[i].device, CL_DEVICE_TYPE, sizeof t, &t, NULL);
        clGetDeviceInfo(e[i].device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
        clGetDeviceInfo(e[i].device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof mem, &mem, NULL);
        clGetDeviceInfo(e[i].device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof wg, &wg, NULL);
        clGetDeviceInfo(e[i].device, CL_DEVICE_OPENCL_C_VERSION, sizeof clc, clc, NULL);
        clGetDeviceInfo(e[i].device, CL_DRIVER_VERSION, sizeof drv, drv, NULL);
        fprintf(out, "%c %d  %s\n", i == def ? '*' : ' ', i, name);
        fprintf(out, "     platform:        %s\n", pname);
        fprintf(out, "     vendor:          %s\n", vendor);
        fprintf(out, "     type:            %s\n", type_name(t));
        fprintf(out, "     compute units:   %u\n", cu);
        fprintf(out, "     global memory:   %.1f GiB\n", (double)mem / (1024.0 * 1024.0 * 1024.0));
        fprintf(out, "     max work-group:  %zu\n", wg);
        fprintf(out, "     OpenCL C:        %s\n", clc);
        fprintf(out, "     driver:          %s\n", drv);
        fprintf(out, "     command buffers: %s\n",
                has_extension(e[i].device, "cl_khr_command_buffer")
                    ? "yes (cl_khr_command_buffer: training steps replayed on GPUs)"
                    : "no");
    }
    fprintf(out, "(* = default; choose with --device N, CLAE_DEVICE=N, or --device ref)\n");
    return CLAE_OK;
}

clae_status clae_device_describe(int i, char *name, size_t name_len, char *type,
                                 size_t type_len, int *is_default)
{
    dev_entry e[MAX_DEVICES];
    int n = enumerate(e, MAX_DEVICES);
    if (i < 0 || i >= n) {
        fprintf(stderr, "clae: no device %d: %d device%s found (see 'clae devices')\n", i, n,
                n == 1 ? "" : "s");
        return CLAE_ERR_ARG;
    }
    int def = default_index(e, n);
    const char *env = getenv("CLAE_DEVICE");
    long v;
    if (env && *env && strcmp(env, "ref") != 0 && clae_str_to_long(env, 0, n - 1, &v))
        def = (int)v;
    if (env && strcmp(env, "ref") == 0) def = -1;
    cl_device_type t = 0;
    clGetDeviceInfo(e[i].device, CL_DEVICE_TYPE, sizeof t, &t, NULL);
    if (name && name_len > 0) {
        name[0] = '\0';
        clGetDeviceInfo(e[i].device, CL_DEVICE_NAME, name_len, name, NULL);
        name[name_len - 1] = '\0';
    }
    if (type && type_len > 0) snprintf(type, type_len, "%s", type_name(t));
    if (is_default) *is_default = i == def;
    return CLAE_OK;
}

/* ---- open / close ------------------------------------------------------ */

/* cl_khr_command_buffer's entry points where the device lists the
 * extension (and the platform has clCloneKernel), and whether steps are
 * replayed (clae_device.replay); a device without them (or with only some)
 * records nothing and runs every step command by command. */
static void cmdbuf_load(clae_device *d)
{
    const char *env = getenv("CLAE_REPLAY");
    d->replay = env && *env ? strcmp(env, "0") != 0
                            : (d->type & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR)) != 0;
    char ver[128] = "";
    int major = 0, minor = 0;
    if (clGetPlatformInfo(d->platform, CL_PLATFORM_VERSION, sizeof ver - 1, ver, NULL) !=
            CL_SUCCESS ||
        sscanf(ver, "OpenCL %d.%d", &major, &minor) != 2 || major * 10 + minor < 21)
        return; /* no clCloneKernel */
    if (!has_extension(d->device, "cl_khr_command_buffer")) return;
    clae_cmdbuf_api a;
#define CMDBUF_FN(field, fname)                                                        \
    a.field = (fname##_fn)clGetExtensionFunctionAddressForPlatform(d->platform, #fname); \
    if (!a.field) return;
    CMDBUF_FN(create, clCreateCommandBufferKHR)
    CMDBUF_FN(ndrange, clCommandNDRangeKernelKHR)
    CMDBUF_FN(finalize, clFinalizeCommandBufferKHR)
    CMDBUF_FN(enqueue, clEnqueueCommandBufferKHR)
    CMDBUF_FN(release, clReleaseCommandBufferKHR)
#undef CMDBUF_FN
    cl_device_command_buffer_capabilities_khr caps = 0;
    if (clGetDeviceInfo(d->device, CL_DEVICE_COMMAND_BUFFER_CAPABILITIES_KHR, sizeof caps, &caps,
                        NULL) != CL_SUCCESS)
        caps = 0;
    a.simultaneous = (caps & CL_COMMAND_BUFFER_CAPABILITY_SIMULTANEOUS_USE_KHR) != 0;
    d->cb = a;
}

static clae_status open_index(clae_device *d, const dev_entry *e, int idx)
{
    cl_int err;
    d->be = &clae_backend_opencl;
    d->index = idx;
    d->platform = e[idx].platform;
    d->device = e[idx].device;
    CL_CHECK(clGetDeviceInfo(d->device, CL_DEVICE_NAME, sizeof d->name, d->name, NULL));
    CL_CHECK(clGetDeviceInfo(d->device, CL_DEVICE_VENDOR, sizeof d->vendor, d->vendor, NULL));
    CL_CHECK(clGetDeviceInfo(d->device, CL_DRIVER_VERSION, sizeof d->driver, d->driver, NULL));
    CL_CHECK(clGetPlatformInfo(d->platform, CL_PLATFORM_NAME, sizeof d->platform_name,
                               d->platform_name, NULL));
    CL_CHECK(clGetDeviceInfo(d->device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof d->max_wg,
                             &d->max_wg, NULL));
    cl_uint align_bits = 0;
    CL_CHECK(clGetDeviceInfo(d->device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits,
                             &align_bits, NULL));
    d->align_bytes = align_bits / 8 ? align_bits / 8 : 128;
    CL_CHECK(clGetDeviceInfo(d->device, CL_DEVICE_MAX_CONSTANT_BUFFER_SIZE, sizeof d->const_max,
                             &d->const_max, NULL));
    CL_CHECK(clGetDeviceInfo(d->device, CL_DEVICE_TYPE, sizeof d->type, &d->type, NULL));
    CL_CHECK(clGetDeviceInfo(d->device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof d->global_mem,
                             &d->global_mem, NULL));
    CL_CHECK(clGetDeviceInfo(d->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof d->max_alloc,
                             &d->max_alloc, NULL));
    CL_CHECK(clGetDeviceInfo(d->device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof d->compute_units,
                             &d->compute_units, NULL));
    CL_CHECK(clGetDeviceInfo(d->device, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT,
                             sizeof d->native_float, &d->native_float, NULL));
    d->is_pocl = strstr(d->platform_name, "Portable Computing Language") != NULL ||
                 strstr(d->platform_name, "PoCL") != NULL || strstr(d->platform_name, "pocl");

    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)d->platform, 0};
    d->ctx = clCreateContext(props, 1, &d->device, NULL, NULL, &err);
    CL_CHECK_RET("clCreateContext", err);
    d->queue = clCreateCommandQueue(d->ctx, d->device, CL_QUEUE_PROFILING_ENABLE, &err);
    CL_CHECK_RET("clCreateCommandQueue", err);
    cmdbuf_load(d);
    CLAE_TRY(clae_programs_build(d));
    CLAE_TRY(clae_device_probe(d));
    clae_tune_load(d);
    return CLAE_OK;
}

int clae_device_wide_vectors(const clae_device *d)
{
    return d->vw ? d->vw == 16 : d->native_float >= 16;
}

int clae_device_count(void)
{
    dev_entry e[MAX_DEVICES];
    return enumerate(e, MAX_DEVICES);
}

int clae_device_nth_default(int k)
{
    dev_entry e[MAX_DEVICES];
    int n = enumerate(e, MAX_DEVICES);
    if (n == 0) return -1;
    cl_device_type want = 0;
    clGetDeviceInfo(e[default_index(e, n)].device, CL_DEVICE_TYPE, sizeof want, &want, NULL);
    want &= CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR | CL_DEVICE_TYPE_CPU;
    int same[MAX_DEVICES], m = 0;
    for (int i = 0; i < n; i++) {
        cl_device_type t = 0;
        clGetDeviceInfo(e[i].device, CL_DEVICE_TYPE, sizeof t, &t, NULL);
        if (!want || (t & want)) same[m++] = i;
    }
    return m ? same[(k < 0 ? 0 : k) % m] : default_index(e, n);
}

/* $var (CLAE_CONV, CLAE_DENSE): unset, empty or auto 0, gemm 1, direct 2
 * (CLAE_CONV_* and CLAE_DENSE_* share these values). */
static clae_status path_from_env(const char *var, int *path)
{
    const char *v = getenv(var);
    if (!v || !*v || strcmp(v, "auto") == 0) {
        *path = CLAE_CONV_AUTO;
    } else if (strcmp(v, "gemm") == 0) {
        *path = CLAE_CONV_GEMM;
    } else if (strcmp(v, "direct") == 0) {
        *path = CLAE_CONV_DIRECT;
    } else {
        fprintf(stderr, "clae: bad %s '%s': expected gemm, direct or auto\n", var, v);
        return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}

clae_status clae_device_open(clae_device *d, const char *spec)
{
    memset(d, 0, sizeof *d);
    d->index = -1;
    d->verbose = getenv("CLAE_VERBOSE") != NULL;
    CLAE_TRY(path_from_env("CLAE_CONV", &d->conv_path));
    CLAE_TRY(path_from_env("CLAE_DENSE", &d->dense_path));
    const char *vw = getenv("CLAE_VW");
    if (vw && *vw && strcmp(vw, "auto") != 0) {
        if (strcmp(vw, "8") != 0 && strcmp(vw, "16") != 0) {
            fprintf(stderr, "clae: bad CLAE_VW '%s': expected 8, 16 or auto\n", vw);
            return CLAE_ERR_ARG;
        }
        d->vw = atoi(vw);
    }
    const char *fuse = getenv("CLAE_FUSE");
    if (!fuse || !*fuse || strcmp(fuse, "1") == 0) {
        d->fuse = 1;
    } else if (strcmp(fuse, "0") != 0) {
        fprintf(stderr, "clae: bad CLAE_FUSE '%s': expected 1 or 0\n", fuse);
        return CLAE_ERR_ARG;
    }
    if (spec && !*spec) { /* given, but empty (--device ""): not "the default" */
        fprintf(stderr, "clae: bad device '': expected a device index or 'ref'\n");
        return CLAE_ERR_ARG;
    }
    if (!spec) spec = getenv("CLAE_DEVICE");
    if (spec && strcmp(spec, "ref") == 0) return clae_device_open_host(d);
    dev_entry e[MAX_DEVICES];
    int n = enumerate(e, MAX_DEVICES);
    if (n == 0 && !(spec && *spec)) {
        fprintf(stderr, "clae: warning: no OpenCL device found (see 'clae devices'); using the "
                        "reference path\n");
        return clae_device_open_host(d);
    }
    int idx = default_index(e, n);
    if (spec && *spec) {
        long v;
        if (!clae_str_to_long(spec, LONG_MIN, LONG_MAX, &v)) {
            fprintf(stderr, "clae: bad device '%s': expected a device index or 'ref'\n", spec);
            return CLAE_ERR_ARG;
        }
        if (v < 0 || v >= n) {
            fprintf(stderr, "clae: no device %ld: %d device%s found (see 'clae devices')\n", v,
                    n, n == 1 ? "" : "s");
            return CLAE_ERR_ARG;
        }
        idx = (int)v;
    }
    clae_status st = open_index(d, e, idx);
    if (st != CLAE_OK) clae_device_close(d);
    return st;
}

void clae_device_close(clae_device *d)
{
    clae_recording_free(d, &d->rec);
    clae_tune_free(d->tune);
    for (int i = 0; i < CLAE_SCRATCH_SLOTS; i++)
        if (d->scratch[i]) clReleaseMemObject(d->scratch[i]);
    for (int i = 0; i < d->nkernels; i++) clReleaseKernel(d->kernels[i].kernel);
    for (int i = 0; i < d->nvariants; i++) {
        clReleaseKernel(d->variants[i].kernel);
        clReleaseProgram(d->variants[i].program);
    }
    for (int i = 0; i < d->nprograms; i++)
        if (d->programs[i]) clReleaseProgram(d->programs[i]);
    /* CLBlast keeps the programs it built in a process-wide cache that holds
     * a reference to our context; left there, they are released by CLBlast's
     * static destructor at exit, after the OpenCL implementation may have
     * torn down its own state (oclgrind then corrupts the heap: "corrupted
     * double-linked list" after a CLAE_CONV=gemm run). Release them while the
     * context is alive. The cache is global, so another open device only
     * rebuilds its GEMM kernels on next use. */
    if (d->ctx) {
        int cb = (int)CLBlastClearCache();
        if (cb != 0) clae_report_clblast("CLBlastClearCache()", cb, __FILE__, __LINE__);
    }
    if (d->queue) clReleaseCommandQueue(d->queue);
    if (d->ctx) clReleaseContext(d->ctx);
    memset(d, 0, sizeof *d);
    d->index = -1;
}
