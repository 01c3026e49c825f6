/* Device layer: see include/clae/device.h. */
#include "clae/device.h"

#include <clblast_c.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clae/fs.h"
#include "clae/parse.h"
#include "clae_kernels.h"

/* Kernel sources are compiled with these options everywhere; never fast-math. */
#define CLAE_BASE_OPTIONS "-cl-std=CL1.2"

const char *clae_status_str(clae_status s)
{
    switch (s) {
    case CLAE_OK: return "ok";
    case CLAE_ERR_ARG: return "bad argument";
    case CLAE_ERR_IO: return "I/O error";
    case CLAE_ERR_FORMAT: return "malformed file";
    case CLAE_ERR_NOMEM: return "out of host memory";
    case CLAE_ERR_CL: return "OpenCL error";
    case CLAE_ERR_SHAPE: return "impossible shape";
    case CLAE_ERR_INTERRUPTED: return "interrupted";
    case CLAE_ERR_NUMERIC: return "training diverged";
    }
    return "unknown status";
}

const char *clae_cl_errname(cl_int err)
{
    switch (err) {
#define E(x) case x: return #x;
    E(CL_SUCCESS) E(CL_DEVICE_NOT_FOUND) E(CL_DEVICE_NOT_AVAILABLE) E(CL_COMPILER_NOT_AVAILABLE)
    E(CL_MEM_OBJECT_ALLOCATION_FAILURE) E(CL_OUT_OF_RESOURCES) E(CL_OUT_OF_HOST_MEMORY)
    E(CL_PROFILING_INFO_NOT_AVAILABLE) E(CL_MEM_COPY_OVERLAP) E(CL_IMAGE_FORMAT_MISMATCH)
    E(CL_IMAGE_FORMAT_NOT_SUPPORTED) E(CL_BUILD_PROGRAM_FAILURE) E(CL_MAP_FAILURE)
    E(CL_MISALIGNED_SUB_BUFFER_OFFSET) E(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)
    E(CL_COMPILE_PROGRAM_FAILURE) E(CL_LINKER_NOT_AVAILABLE) E(CL_LINK_PROGRAM_FAILURE)
    E(CL_DEVICE_PARTITION_FAILED) E(CL_KERNEL_ARG_INFO_NOT_AVAILABLE)
    E(CL_INVALID_VALUE) E(CL_INVALID_DEVICE_TYPE) E(CL_INVALID_PLATFORM) E(CL_INVALID_DEVICE)
    E(CL_INVALID_CONTEXT) E(CL_INVALID_QUEUE_PROPERTIES) E(CL_INVALID_COMMAND_QUEUE)
    E(CL_INVALID_HOST_PTR) E(CL_INVALID_MEM_OBJECT) E(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR)
    E(CL_INVALID_IMAGE_SIZE) E(CL_INVALID_SAMPLER) E(CL_INVALID_BINARY) E(CL_INVALID_BUILD_OPTIONS)
    E(CL_INVALID_PROGRAM) E(CL_INVALID_PROGRAM_EXECUTABLE) E(CL_INVALID_KERNEL_NAME)
    E(CL_INVALID_KERNEL_DEFINITION) E(CL_INVALID_KERNEL) E(CL_INVALID_ARG_INDEX)
    E(CL_INVALID_ARG_VALUE) E(CL_INVALID_ARG_SIZE) E(CL_INVALID_KERNEL_ARGS)
    E(CL_INVALID_WORK_DIMENSION) E(CL_INVALID_WORK_GROUP_SIZE) E(CL_INVALID_WORK_ITEM_SIZE)
    E(CL_INVALID_GLOBAL_OFFSET) E(CL_INVALID_EVENT_WAIT_LIST) E(CL_INVALID_EVENT)
    E(CL_INVALID_OPERATION) E(CL_INVALID_GL_OBJECT) E(CL_INVALID_BUFFER_SIZE)
    E(CL_INVALID_MIP_LEVEL) E(CL_INVALID_GLOBAL_WORK_SIZE) E(CL_INVALID_PROPERTY)
    E(CL_INVALID_IMAGE_DESCRIPTOR) E(CL_INVALID_COMPILER_OPTIONS) E(CL_INVALID_LINKER_OPTIONS)
    E(CL_INVALID_DEVICE_PARTITION_COUNT)
#undef E
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR";
    }
    return "CL_UNKNOWN_ERROR";
}

const char *clae_clblast_errname(int err)
{
    if (err > -1000) return clae_cl_errname((cl_int)err);  /* CLBlast reuses OpenCL codes */
    switch (err) {
    case -1024: return "CLBlastNotImplemented";
    case -1022: return "CLBlastInvalidMatrixA";
    case -1021: return "CLBlastInvalidMatrixB";
    case -1020: return "CLBlastInvalidMatrixC";
    case -1019: return "CLBlastInvalidVectorX";
    case -1018: return "CLBlastInvalidVectorY";
    case -1017: return "CLBlastInvalidDimension";
    case -1016: return "CLBlastInvalidLeadDimA";
    case -1015: return "CLBlastInvalidLeadDimB";
    case -1014: return "CLBlastInvalidLeadDimC";
    case -1011: return "CLBlastInsufficientMemoryA";
    case -1010: return "CLBlastInsufficientMemoryB";
    case -1009: return "CLBlastInsufficientMemoryC";
    case -2050: return "CLBlastInsufficientMemoryTemp";
    case -2049: return "CLBlastInvalidBatchCount";
    case -2048: return "CLBlastInvalidOverrideKernel";
    case -2047: return "CLBlastMissingOverrideParameter";
    case -2046: return "CLBlastInvalidLocalMemUsage";
    case -2045: return "CLBlastNoHalfPrecision";
    case -2044: return "CLBlastNoDoublePrecision";
    case -2043: return "CLBlastInvalidVectorScalar";
    case -2042: return "CLBlastInsufficientMemoryScalar";
    case -2041: return "CLBlastDatabaseError";
    case -2040: return "CLBlastUnknownError";
    case -2039: return "CLBlastUnexpectedError";
    }
    return "CLBlastUnknownStatus";
}

/* "clFoo(a, b)" -> "clFoo" */
static void call_name(const char *call, char *buf, size_t len)
{
    size_t i = 0;
    while (call[i] && call[i] != '(' && i + 1 < len) {
        buf[i] = call[i];
        i++;
    }
    buf[i] = '\0';
}

void clae_report_cl(const char *call, cl_int err, const char *file, int line)
{
    char name[96];
    call_name(call, name, sizeof name);
    fprintf(stderr, "clae: %s failed: %s (%d) at %s:%d\n", name, clae_cl_errname(err), (int)err,
            file, line);
}

void clae_report_clblast(const char *call, int err, const char *file, int line)
{
    char name[96];
    call_name(call, name, sizeof name);
    fprintf(stderr, "clae: %s failed: %s (%d) at %s:%d\n", name, clae_clblast_errname(err), err,
            file, line);
}

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

/* ---- program build and binary cache ----------------------------------- */

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int clae_cache_dir(char *buf, size_t len)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (!(home && *home)) {
        const struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    int n;
    if (xdg && *xdg)
        n = snprintf(buf, len, "%s/clae", xdg);
    else if (home && *home)
        n = snprintf(buf, len, "%s/.cache/clae", home);
    else
        n = -1; /* nowhere that is ours: no cache (never a shared /tmp folder) */
    if (n < 0 || (size_t)n >= len) {
        if (len) buf[0] = '\0';
        return 0;
    }
    return 1;
}

int clae_cache_dir_safe(const char *dir)
{
    struct stat st;
    return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() &&
           (st.st_mode & 022) == 0;
}

/* The cache folder, created (mode 0700, parents 0755) if missing, or 0 when
 * there is none or it is not safe to load from. */
static int cache_dir_ready(char *dir, size_t len)
{
    if (!clae_cache_dir(dir, len)) return 0;
    (void)clae_mkdir_p(dir, 0700);
    return clae_cache_dir_safe(dir);
}

/* Cache entry: magic, binary length and FNV-1a hash of the binary (both
 * little-endian u64), then the binary. */
static const char CACHE_MAGIC[8] = {'C', 'L', 'A', 'E', 'B', 'I', 'N', '1'};
#define CACHE_MAX_BYTES ((size_t)1 << 30)

static uint64_t get_u64le(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static void put_u64le(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

clae_status clae_cache_read(const char *path, unsigned char **bin, size_t *len)
{
    *bin = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return CLAE_ERR_IO;
    struct stat st;
    unsigned char hdr[24];
    clae_status rc = CLAE_ERR_FORMAT;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid() ||
        (st.st_mode & 022) != 0 || st.st_size < 24)
        goto out;
    if (read(fd, hdr, sizeof hdr) != (ssize_t)sizeof hdr || memcmp(hdr, CACHE_MAGIC, 8) != 0)
        goto out;
    uint64_t n = get_u64le(hdr + 8), h = get_u64le(hdr + 16);
    if (n == 0 || n > CACHE_MAX_BYTES || (uint64_t)st.st_size != 24 + n) goto out;
    unsigned char *b = malloc((size_t)n);
    if (!b) {
        rc = CLAE_ERR_NOMEM;
        goto out;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b + got, (size_t)n - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    if (got != n || fnv1a(14695981039346656037ULL, b, (size_t)n) != h) {
        free(b);
        goto out;
    }
    *bin = b;
    *len = (size_t)n;
    rc = CLAE_OK;
out:
    close(fd);
    return rc;
}

clae_status clae_cache_write(const char *path, const unsigned char *bin, size_t len)
{
    unsigned char hdr[24];
    memcpy(hdr, CACHE_MAGIC, 8);
    put_u64le(hdr + 8, len);
    put_u64le(hdr + 16, fnv1a(14695981039346656037ULL, bin, len));
    const void *parts[2] = {hdr, bin};
    size_t lens[2] = {sizeof hdr, len};
    const char *what;
    return clae_write_atomic(path, parts, lens, 2, 0600, &what) == 0 ? CLAE_OK : CLAE_ERR_IO;
}

/* The cache file for this program on this device, or 0 when there is no
 * safe cache folder. */
static int cache_path(const clae_device *d, const char *src, const char *options, char *buf,
                      size_t len)
{
    uint64_t h = 14695981039346656037ULL;
    h = fnv1a(h, d->name, strlen(d->name));
    h = fnv1a(h, d->driver, strlen(d->driver));
    h = fnv1a(h, d->platform_name, strlen(d->platform_name));
    h = fnv1a(h, options, strlen(options));
    h = fnv1a(h, src, strlen(src));
    char dir[900];
    if (!cache_dir_ready(dir, sizeof dir)) return 0;
    int n = snprintf(buf, len, "%s/%016llx.bin", dir, (unsigned long long)h);
    return n > 0 && (size_t)n < len;
}

static void print_build_log(clae_device *d, cl_program prog, const char *file)
{
    size_t n = 0;
    clGetProgramBuildInfo(prog, d->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
    char *log = malloc(n + 1);
    if (!log) return;
    log[0] = '\0';
    clGetProgramBuildInfo(prog, d->device, CL_PROGRAM_BUILD_LOG, n, log, NULL);
    log[n] = '\0';
    fprintf(stderr, "clae: build log for %s on %s:\n%s\n", file, d->name, log);
    free(log);
}

/* Try to load a cached binary; returns NULL on any problem (then build from source). */
static cl_program load_cached(clae_device *d, const char *path, const char *options)
{
    unsigned char *bin;
    size_t len;
    if (clae_cache_read(path, &bin, &len) != CLAE_OK) return NULL;
    const unsigned char *bins[1] = {bin};
    cl_int st = CL_SUCCESS, err;
    cl_program p = clCreateProgramWithBinary(d->ctx, 1, &d->device, &len, bins, &st, &err);
    free(bin);
    if (err != CL_SUCCESS || st != CL_SUCCESS) {
        if (p) clReleaseProgram(p);
        return NULL;
    }
    if (clBuildProgram(p, 1, &d->device, options, NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(p);
        return NULL;
    }
    return p;
}

/* Write the program binary to the cache (owner-only temporary file, then
 * rename). */
static void store_cached(clae_device *d, cl_program p, const char *path)
{
    size_t len = 0;
    if (clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof len, &len, NULL) != CL_SUCCESS ||
        len == 0 || len > CACHE_MAX_BYTES)
        return;
    unsigned char *bin = malloc(len);
    if (!bin) return;
    unsigned char *bins[1] = {bin};
    if (clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) == CL_SUCCESS &&
        clae_cache_write(path, bin, len) == CLAE_OK && d->verbose)
        fprintf(stderr, "clae: cached program binary %s\n", path);
    free(bin);
}

/* Build (or load from the binary cache) one program from source. */
static clae_status build_program(clae_device *d, const char *file, const char *src,
                                 const char *options, cl_program *out)
{
    char opts[1024];
    snprintf(opts, sizeof opts, "%s %s", CLAE_BASE_OPTIONS, options ? options : "");
    /* PoCL keeps its own kernel cache, and loading its binaries costs an extra
     * compile, so the binary cache is used only on other platforms. */
    char path[1024] = "";
    cl_program p = NULL;
    if (!d->is_pocl && !getenv("CLAE_NO_BINARY_CACHE") &&
        cache_path(d, src, opts, path, sizeof path)) {
        p = load_cached(d, path, opts);
        if (p && d->verbose) fprintf(stderr, "clae: %s loaded from %s\n", file, path);
    }
    if (!p) {
        cl_int err;
        size_t len = strlen(src);
        p = clCreateProgramWithSource(d->ctx, 1, &src, &len, &err);
        CL_CHECK_RET("clCreateProgramWithSource", err);
        err = clBuildProgram(p, 1, &d->device, opts, NULL, NULL);
        if (err != CL_SUCCESS) {
            fprintf(stderr, "clae: building kernel file %s failed: %s\n", file,
                    clae_cl_errname(err));
            print_build_log(d, p, file);
            clReleaseProgram(p);
            return CLAE_ERR_CL;
        }
        if (path[0]) store_cached(d, p, path);
    }
    *out = p;
    return CLAE_OK;
}

/* Build (or load from the cache) one of the embedded programs into d's table. */
static clae_status program_add(clae_device *d, const char *file, const char *src,
                               const char *options)
{
    if (d->nprograms >= CLAE_MAX_PROGRAMS) {
        fprintf(stderr, "clae: too many programs (max %d) while adding %s\n", CLAE_MAX_PROGRAMS,
                file);
        return CLAE_ERR_ARG;
    }
    CLAE_TRY(build_program(d, file, src, options, &d->programs[d->nprograms]));
    d->nprograms++;
    return CLAE_OK;
}

/* The embedded source of a kernel file ("conv2d_direct.cl"), NULL if none. */
static const char *embedded_source(const char *file)
{
    for (size_t i = 0; i < clae_kernel_nsources; i++)
        if (strcmp(clae_kernel_sources[i].file, file) == 0) return clae_kernel_sources[i].src;
    return NULL;
}

clae_status clae_kernel_variant(clae_device *d, const char *file, const char *options,
                                const char *name, cl_kernel *out)
{
    char key[sizeof d->variants[0].key];
    int len = snprintf(key, sizeof key, "%s %s %s", file, name, options);
    if (len < 0 || (size_t)len >= sizeof key) {
        fprintf(stderr, "clae: %s: build options too long for the variant cache\n", file);
        return CLAE_ERR_ARG;
    }
    for (int i = 0; i < d->nvariants; i++)
        if (strcmp(d->variants[i].key, key) == 0) {
            *out = d->variants[i].kernel;
            return CLAE_OK;
        }
    const char *src = embedded_source(file);
    if (!src) {
        fprintf(stderr, "clae: %s is not among the embedded kernels\n", file);
        return CLAE_ERR_CL;
    }
    cl_program prog;
    CLAE_TRY(build_program(d, file, src, options, &prog));
    cl_int err;
    cl_kernel k = clCreateKernel(prog, name, &err);
    if (err != CL_SUCCESS) {
        clReleaseProgram(prog);
        CL_CHECK_RET("clCreateKernel", err);
    }
    int slot;
    if (d->nvariants < CLAE_MAX_VARIANTS) {
        slot = d->nvariants++;
    } else { /* evict the oldest; enqueued commands keep their own references */
        slot = d->variant_next;
        d->variant_next = (d->variant_next + 1) % CLAE_MAX_VARIANTS;
        clReleaseKernel(d->variants[slot].kernel);
        clReleaseProgram(d->variants[slot].program);
    }
    snprintf(d->variants[slot].key, sizeof d->variants[slot].key, "%s", key);
    d->variants[slot].program = prog;
    d->variants[slot].kernel = k;
    if (d->verbose) fprintf(stderr, "clae: built %s %s\n", file, options);
    *out = k;
    return CLAE_OK;
}

/* ---- open / close ------------------------------------------------------ */

/* The plain-C reference path: no OpenCL objects; its names say so. */
static clae_status open_ref(clae_device *d)
{
    d->is_ref = 1;
    d->index = -1;
    snprintf(d->name, sizeof d->name, "reference (plain C)");
    snprintf(d->platform_name, sizeof d->platform_name, "none");
    snprintf(d->vendor, sizeof d->vendor, "none");
    snprintf(d->driver, sizeof d->driver, "none");
    return CLAE_OK;
}

/* OpenCL 2.1's, declared here as clae builds against the 1.2 API;
 * cmdbuf_load offers recordings only on platforms of 2.1 or later. */
extern CL_API_ENTRY cl_kernel CL_API_CALL clCloneKernel(cl_kernel kernel, cl_int *errcode_ret);

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
    d->is_pocl = strstr(d->platform_name, "Portable Computing Language") != NULL ||
                 strstr(d->platform_name, "PoCL") != NULL || strstr(d->platform_name, "pocl");

    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)d->platform, 0};
    d->ctx = clCreateContext(props, 1, &d->device, NULL, NULL, &err);
    CL_CHECK_RET("clCreateContext", err);
    d->queue = clCreateCommandQueue(d->ctx, d->device, CL_QUEUE_PROFILING_ENABLE, &err);
    CL_CHECK_RET("clCreateCommandQueue", err);
    cmdbuf_load(d);
    for (size_t i = 0; i < clae_kernel_nsources; i++)
        CLAE_TRY(program_add(d, clae_kernel_sources[i].file, clae_kernel_sources[i].src,
                                  ""));
    return clae_device_probe(d);
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

clae_status clae_device_open(clae_device *d, const char *spec)
{
    memset(d, 0, sizeof *d);
    d->index = -1;
    d->verbose = getenv("CLAE_VERBOSE") != NULL;
    const char *conv = getenv("CLAE_CONV");
    if (!conv || !*conv || strcmp(conv, "auto") == 0) {
        d->conv_path = CLAE_CONV_AUTO;
    } else if (strcmp(conv, "gemm") == 0) {
        d->conv_path = CLAE_CONV_GEMM;
    } else if (strcmp(conv, "direct") == 0) {
        d->conv_path = CLAE_CONV_DIRECT;
    } else {
        fprintf(stderr, "clae: bad CLAE_CONV '%s': expected gemm, direct or auto\n", conv);
        return CLAE_ERR_ARG;
    }
    if (spec && !*spec) { /* given, but empty (--device ""): not "the default" */
        fprintf(stderr, "clae: bad device '': expected a device index or 'ref'\n");
        return CLAE_ERR_ARG;
    }
    if (!spec) spec = getenv("CLAE_DEVICE");
    if (spec && strcmp(spec, "ref") == 0) return open_ref(d);
    dev_entry e[MAX_DEVICES];
    int n = enumerate(e, MAX_DEVICES);
    if (n == 0 && !(spec && *spec)) {
        fprintf(stderr, "clae: warning: no OpenCL device found (see 'clae devices'); using the "
                        "reference path\n");
        return open_ref(d);
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
    for (int i = 0; i < CLAE_SCRATCH_SLOTS; i++)
        if (d->scratch[i]) clReleaseMemObject(d->scratch[i]);
    for (int i = 0; i < d->nkernels; i++) clReleaseKernel(d->kernels[i].kernel);
    for (int i = 0; i < d->nvariants; i++) {
        clReleaseKernel(d->variants[i].kernel);
        clReleaseProgram(d->variants[i].program);
    }
    for (int i = 0; i < d->nprograms; i++) clReleaseProgram(d->programs[i]);
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

/* Whether program p defines a kernel `name` (CL_PROGRAM_KERNEL_NAMES: the
 * names separated by ';'): asked first, so that looking a kernel up makes
 * no failing clCreateKernel call, which a checking runtime (oclgrind
 * --check-api) reports as an error. */
static int program_has_kernel(cl_program p, const char *name)
{
    size_t len = 0;
    if (clGetProgramInfo(p, CL_PROGRAM_KERNEL_NAMES, 0, NULL, &len) != CL_SUCCESS || len == 0)
        return 0;
    char *names = malloc(len + 1);
    if (!names) return 0;
    int has = 0;
    if (clGetProgramInfo(p, CL_PROGRAM_KERNEL_NAMES, len, names, NULL) == CL_SUCCESS) {
        names[len] = '\0';
        const size_t n = strlen(name);
        for (const char *q = names; !has && (q = strstr(q, name)) != NULL; q += n)
            has = (q == names || q[-1] == ';') && (q[n] == ';' || q[n] == '\0');
    }
    free(names);
    return has;
}

clae_status clae_kernel(clae_device *d, const char *name, cl_kernel *out)
{
    for (int i = 0; i < d->nkernels; i++)
        if (strcmp(d->kernels[i].name, name) == 0) {
            *out = d->kernels[i].kernel;
            return CLAE_OK;
        }
    if (d->nkernels >= CLAE_MAX_KERNELS) {
        fprintf(stderr, "clae: too many kernels (max %d)\n", CLAE_MAX_KERNELS);
        return CLAE_ERR_ARG;
    }
    /* Later programs (specialised variants) shadow earlier ones. */
    for (int p = d->nprograms - 1; p >= 0; p--) {
        if (!program_has_kernel(d->programs[p], name)) continue;
        cl_int err;
        cl_kernel k = clCreateKernel(d->programs[p], name, &err);
        CL_CHECK_RET("clCreateKernel", err);
        snprintf(d->kernels[d->nkernels].name, sizeof d->kernels[0].name, "%s", name);
        d->kernels[d->nkernels++].kernel = k;
        *out = k;
        return CLAE_OK;
    }
    fprintf(stderr, "clae: no kernel named %s in any program\n", name);
    return CLAE_ERR_CL;
}

clae_status clae_scratch(clae_device *d, int slot, size_t bytes, cl_mem *out)
{
    if (slot < 0 || slot >= CLAE_SCRATCH_SLOTS) return CLAE_ERR_ARG;
    if (bytes == 0) bytes = 4;
    if (d->scratch_bytes[slot] < bytes) {
        /* Safe on an in-order queue: OpenCL keeps the old buffer alive until
         * the commands already enqueued on it complete. */
        if (d->scratch[slot]) clReleaseMemObject(d->scratch[slot]);
        d->gen++;
        d->scratch[slot] = NULL;
        d->scratch_bytes[slot] = 0;
        CLAE_TRY(clae_buffer(d, bytes, &d->scratch[slot]));
        d->scratch_bytes[slot] = bytes;
    }
    *out = d->scratch[slot];
    return CLAE_OK;
}

clae_status clae_group_size(clae_device *d, cl_kernel k, size_t cap, size_t *out)
{
    size_t kwg = 0;
    CL_CHECK(clGetKernelWorkGroupInfo(k, d->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof kwg, &kwg,
                                      NULL));
    size_t l = 1;
    while (l * 2 <= cap && l * 2 <= kwg && l * 2 <= d->max_wg) l *= 2;
    *out = l;
    return CLAE_OK;
}

/* Work-groups of 64: a multiple of NVIDIA's warp (32) and AMD's wavefront
 * (64), within every device's limit, and on PoCL one work-group function
 * for every launch (its CPU driver compiles one per local size). A kernel
 * that cannot run 64 work-items at once on this device (registers, local
 * memory: CL_KERNEL_WORK_GROUP_SIZE) gets the largest power of two it can. */
clae_status clae_launch1d(clae_device *d, cl_kernel k, size_t n)
{
    if (n == 0) return CLAE_OK;
    size_t local;
    CLAE_TRY(clae_group_size(d, k, 64, &local));
    size_t global = (n + local - 1) / local * local;
    return clae_launch(d, k, 1, &global, &local);
}

/* Record a clone of kernel k (its arguments as they are now) into d->rec
 * after the command recorded before it: the order an in-order queue gives. */
static void record_kernel(clae_device *d, cl_kernel k, cl_uint dims, const size_t *global,
                          const size_t *local)
{
    clae_recording *r = &d->rec;
    if (d->rec_failed) return;
    if (r->nkernels == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 32;
        cl_kernel *p = realloc(r->kernels, cap * sizeof *p);
        if (!p) {
            d->rec_failed = 1;
            return;
        }
        r->kernels = p;
        r->cap = cap;
    }
    cl_int err = CL_SUCCESS;
    cl_kernel c = clCloneKernel(k, &err);
    const char *call = "clCloneKernel";
    if (c && err == CL_SUCCESS) {
        r->kernels[r->nkernels] = c;
        cl_sync_point_khr sp = 0;
        int after = r->nkernels > 0;
        call = "clCommandNDRangeKernelKHR";
        err = d->cb.ndrange(r->cb, NULL, NULL, c, dims, NULL, global, local, after ? 1 : 0,
                            after ? &d->rec_last : NULL, &sp, NULL);
        if (err == CL_SUCCESS) {
            r->nkernels++;
            d->rec_last = sp;
            return;
        }
        clReleaseKernel(c);
    }
    if (d->verbose)
        fprintf(stderr, "clae: %s: %s; the step runs unrecorded\n", call, clae_cl_errname(err));
    d->rec_failed = 1;
}

clae_status clae_launch(clae_device *d, cl_kernel k, cl_uint dims, const size_t *global,
                        const size_t *local)
{
    for (cl_uint i = 0; i < dims; i++)
        if (global[i] == 0) return CLAE_OK;
    if (d->rec.cb) {
        record_kernel(d, k, dims, global, local);
        return CLAE_OK;
    }
    CL_CHECK(clEnqueueNDRangeKernel(d->queue, k, dims, NULL, global, local, 0, NULL, NULL));
    d->launches++;
    return CLAE_OK;
}

int clae_record_refuse(clae_device *d)
{
    if (!d->rec.cb) return 0;
    if (d->verbose && !d->rec_failed)
        fprintf(stderr, "clae: the step holds a command a command buffer cannot; it runs "
                        "unrecorded\n");
    d->rec_failed = 1;
    return 1;
}

void clae_recording_free(clae_device *d, clae_recording *r)
{
    if (r->done) clae_event_wait(&r->done);
    if (r->cb && d->cb.release) d->cb.release(r->cb);
    for (size_t i = 0; i < r->nkernels; i++) clReleaseKernel(r->kernels[i]);
    free(r->kernels);
    memset(r, 0, sizeof *r);
}

clae_status clae_record_begin(clae_device *d)
{
    if (!d->cb.create || d->rec.cb) return CLAE_ERR_CL;
    cl_int err = CL_SUCCESS;
    cl_command_buffer_properties_khr props[] = {CL_COMMAND_BUFFER_FLAGS_KHR,
                                                CL_COMMAND_BUFFER_SIMULTANEOUS_USE_KHR, 0};
    cl_command_buffer_khr cb =
        d->cb.create(1, &d->queue, d->cb.simultaneous ? props : NULL, &err);
    if (err != CL_SUCCESS || !cb) {
        /* e.g. CL_INCOMPATIBLE_COMMAND_QUEUE_KHR (a profiling queue): no
         * recordings on this device from now on */
        if (d->verbose)
            fprintf(stderr, "clae: clCreateCommandBufferKHR: %s; steps run unrecorded\n",
                    clae_cl_errname(err));
        d->cb.create = NULL;
        return CLAE_ERR_CL;
    }
    memset(&d->rec, 0, sizeof d->rec);
    d->rec.cb = cb;
    d->rec_failed = 0;
    return CLAE_OK;
}

clae_status clae_record_end(clae_device *d, clae_recording *out)
{
    *out = d->rec;
    memset(&d->rec, 0, sizeof d->rec);
    if (!out->cb) return CLAE_ERR_CL;
    if (d->rec_failed || out->nkernels == 0) {
        clae_recording_free(d, out);
        return CLAE_OK;
    }
    cl_int err = d->cb.finalize(out->cb);
    if (err != CL_SUCCESS) {
        clae_recording_free(d, out);
        CL_CHECK(err);
    }
    return CLAE_OK;
}

clae_status clae_replay(clae_device *d, clae_recording *r)
{
    if (d->cb.simultaneous) {
        CL_CHECK(d->cb.enqueue(0, NULL, r->cb, 0, NULL, NULL));
    } else {
        CLAE_TRY(clae_event_wait(&r->done));
        CL_CHECK(d->cb.enqueue(0, NULL, r->cb, 0, NULL, &r->done));
    }
    d->launches += r->nkernels;
    d->replays++;
    return CLAE_OK;
}

clae_status clae_buffer(clae_device *d, size_t bytes, cl_mem *out)
{
    cl_int err;
    *out = clCreateBuffer(d->ctx, CL_MEM_READ_WRITE, bytes ? bytes : 4, NULL, &err);
    CL_CHECK_RET("clCreateBuffer", err);
    return CLAE_OK;
}

clae_status clae_write(clae_device *d, cl_mem m, const void *src, size_t bytes)
{
    if (clae_record_refuse(d)) return CLAE_OK;
    if (bytes == 0) return CLAE_OK;
    CL_CHECK(clEnqueueWriteBuffer(d->queue, m, CL_TRUE, 0, bytes, src, 0, NULL, NULL));
    return CLAE_OK;
}

clae_status clae_read(clae_device *d, cl_mem m, void *dst, size_t bytes)
{
    if (clae_record_refuse(d)) return CLAE_OK;
    if (bytes == 0) return CLAE_OK;
    CL_CHECK(clEnqueueReadBuffer(d->queue, m, CL_TRUE, 0, bytes, dst, 0, NULL, NULL));
    return CLAE_OK;
}

/* Recorded fills and copies: kernels (src/kernels/buffer.cl), as the
 * extension's own fill and copy commands changed form between revisions. */
static clae_status record_fill0(clae_device *d, cl_mem m, size_t bytes)
{
    if (bytes % sizeof(float) || bytes / sizeof(float) > INT_MAX) {
        clae_record_refuse(d);
        return CLAE_OK;
    }
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "fill_zero", &k));
    CL_ARG(k, 0, cl_mem, m);
    CL_ARG(k, 1, cl_int, (cl_int)(bytes / sizeof(float)));
    return clae_launch1d(d, k, bytes / sizeof(float));
}

static clae_status record_copy(clae_device *d, cl_mem dst, size_t dst_off, cl_mem src,
                               size_t src_off, size_t bytes)
{
    const size_t f = sizeof(float);
    if (bytes % f || dst_off % f || src_off % f || (bytes + dst_off) / f > INT_MAX ||
        (bytes + src_off) / f > INT_MAX) {
        clae_record_refuse(d);
        return CLAE_OK;
    }
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "copy_floats", &k));
    CL_ARG(k, 0, cl_mem, dst);
    CL_ARG(k, 1, cl_int, (cl_int)(dst_off / f));
    CL_ARG(k, 2, cl_mem, src);
    CL_ARG(k, 3, cl_int, (cl_int)(src_off / f));
    CL_ARG(k, 4, cl_int, (cl_int)(bytes / f));
    return clae_launch1d(d, k, bytes / f);
}

clae_status clae_fill0(clae_device *d, cl_mem m, size_t bytes)
{
    if (bytes == 0) return CLAE_OK;
    if (d->rec.cb) return record_fill0(d, m, bytes);
    cl_float zero = 0.0f;
    CL_CHECK(clEnqueueFillBuffer(d->queue, m, &zero, sizeof zero, 0, bytes, 0, NULL, NULL));
    return CLAE_OK;
}

/* ---- clae_buf: one handle for host or device memory ------------------------- */

clae_status clae_buf_alloc(clae_device *d, size_t bytes, clae_buf *b)
{
    memset(b, 0, sizeof *b);
    if (d->is_ref) {
        if (!(b->h = calloc(bytes ? bytes : 1, 1))) return CLAE_ERR_NOMEM;
    } else {
        CLAE_TRY(clae_buffer(d, bytes, &b->d));
        clae_status st = clae_fill0(d, b->d, bytes);
        if (st != CLAE_OK) {
            clReleaseMemObject(b->d);
            b->d = NULL;
            return st;
        }
    }
    b->owned = 1;
    return CLAE_OK;
}

clae_status clae_buf_mirror(clae_device *d, void *host, size_t bytes, clae_buf *b)
{
    memset(b, 0, sizeof *b);
    if (d->is_ref) {
        b->h = host;
        return CLAE_OK;
    }
    CLAE_TRY(clae_buffer(d, bytes, &b->d));
    b->owned = 1;
    clae_status st = clae_write(d, b->d, host, bytes);
    if (st != CLAE_OK) clae_buf_free(b);
    return st;
}

clae_status clae_buf_view(clae_device *d, clae_buf parent, size_t off, size_t bytes,
                          clae_buf *b)
{
    memset(b, 0, sizeof *b);
    if (d->is_ref) {
        b->h = (unsigned char *)parent.h + off;
        return CLAE_OK;
    }
    cl_buffer_region reg = {off, bytes};
    cl_int err;
    b->d = clCreateSubBuffer(parent.d, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, &reg, &err);
    CL_CHECK_RET("clCreateSubBuffer", err);
    b->owned = 1;
    return CLAE_OK;
}

clae_status clae_buf_write(clae_device *d, clae_buf b, const void *src, size_t bytes)
{
    if (!d->is_ref) return clae_write(d, b.d, src, bytes);
    if (b.h != src && bytes) memcpy(b.h, src, bytes);
    return CLAE_OK;
}

clae_status clae_buf_read(clae_device *d, clae_buf b, void *dst, size_t bytes)
{
    if (!d->is_ref) return clae_read(d, b.d, dst, bytes);
    if (b.h != dst && bytes) memcpy(dst, b.h, bytes);
    return CLAE_OK;
}

clae_status clae_buf_fill0(clae_device *d, clae_buf b, size_t bytes)
{
    if (!d->is_ref) return clae_fill0(d, b.d, bytes);
    if (bytes) memset(b.h, 0, bytes);
    return CLAE_OK;
}

void clae_buf_free(clae_buf *b)
{
    if (b->owned) {
        if (b->d) clReleaseMemObject(b->d);
        else free(b->h);
    }
    memset(b, 0, sizeof *b);
}

clae_status clae_buf_copy(clae_device *d, clae_buf dst, size_t dst_off, clae_buf src,
                          size_t src_off, size_t bytes)
{
    if (bytes == 0) return CLAE_OK;
    if (!d->is_ref) {
        if (d->rec.cb) return record_copy(d, dst.d, dst_off, src.d, src_off, bytes);
        CL_CHECK(clEnqueueCopyBuffer(d->queue, src.d, dst.d, src_off, dst_off, bytes, 0, NULL,
                                     NULL));
        return CLAE_OK;
    }
    memmove((unsigned char *)dst.h + dst_off, (const unsigned char *)src.h + src_off, bytes);
    return CLAE_OK;
}

clae_status clae_buf_read_at(clae_device *d, clae_buf b, size_t off, void *dst, size_t bytes)
{
    if (bytes == 0) return CLAE_OK;
    if (!d->is_ref) {
        if (clae_record_refuse(d)) return CLAE_OK;
        CL_CHECK(clEnqueueReadBuffer(d->queue, b.d, CL_TRUE, off, bytes, dst, 0, NULL, NULL));
        return CLAE_OK;
    }
    const unsigned char *src = (const unsigned char *)b.h + off;
    if (src != dst) memcpy(dst, src, bytes);
    return CLAE_OK;
}

clae_status clae_buf_read_async(clae_device *d, clae_buf b, size_t off, void *dst, size_t bytes,
                                cl_event *ev)
{
    *ev = NULL;
    if (!d->is_ref) {
        if (clae_record_refuse(d)) return CLAE_OK;
        CL_CHECK(clEnqueueReadBuffer(d->queue, b.d, CL_FALSE, off, bytes, dst, 0, NULL, ev));
        return CLAE_OK;
    }
    return clae_buf_read_at(d, b, off, dst, bytes);
}

clae_status clae_buf_write_async(clae_device *d, cl_command_queue q, clae_buf b, const void *src,
                                 size_t bytes, cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    *ev = NULL;
    if (!d->is_ref) {
        if (clae_record_refuse(d)) return CLAE_OK;
        CL_CHECK(clEnqueueWriteBuffer(q, b.d, CL_FALSE, 0, bytes, src, nwait, nwait ? wait : NULL,
                                      ev));
        return CLAE_OK;
    }
    return clae_buf_write(d, b, src, bytes);
}

clae_status clae_queue_create(clae_device *d, cl_command_queue *q)
{
    *q = NULL;
    if (d->is_ref) return CLAE_OK;
    cl_int err;
    *q = clCreateCommandQueue(d->ctx, d->device, 0, &err);
    CL_CHECK_RET("clCreateCommandQueue", err);
    return CLAE_OK;
}

void clae_queue_release(cl_command_queue q)
{
    if (!q) return;
    clFinish(q);
    clReleaseCommandQueue(q);
}

clae_status clae_flush(clae_device *d, cl_command_queue q)
{
    if (d->is_ref) return CLAE_OK;
    CL_CHECK(clFlush(q ? q : d->queue));
    return CLAE_OK;
}

clae_status clae_finish(clae_device *d)
{
    if (d->is_ref || clae_record_refuse(d)) return CLAE_OK;
    CL_CHECK(clFinish(d->queue));
    return CLAE_OK;
}

clae_status clae_wait_on(clae_device *d, cl_event ev)
{
    if (!ev || clae_record_refuse(d)) return CLAE_OK;
    CL_CHECK(clEnqueueBarrierWithWaitList(d->queue, 1, &ev, NULL));
    return CLAE_OK;
}

clae_status clae_event_wait(cl_event *ev)
{
    if (!*ev) return CLAE_OK;
    cl_int err = clWaitForEvents(1, ev);
    clReleaseEvent(*ev);
    *ev = NULL;
    CL_CHECK(err);
    return CLAE_OK;
}

clae_status clae_marker(clae_device *d, cl_event *ev)
{
    if (*ev) clReleaseEvent(*ev);
    *ev = NULL;
    if (d->is_ref || clae_record_refuse(d)) return CLAE_OK;
    CL_CHECK(clEnqueueMarkerWithWaitList(d->queue, 0, NULL, ev));
    return CLAE_OK;
}

clae_status clae_kernel_max_wg(clae_device *d, cl_kernel k, size_t *out)
{
    size_t kwg = 0;
    CL_CHECK(clGetKernelWorkGroupInfo(k, d->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof kwg, &kwg,
                                      NULL));
    *out = kwg < d->max_wg ? kwg : d->max_wg;
    return CLAE_OK;
}
