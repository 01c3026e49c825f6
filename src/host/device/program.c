/* Programs: the embedded kernel files built once per device (and
 * shape-specialised variants on first use), through the program-binary
 * cache on disk; kernels looked up by name (include/clae/device.h). */
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clae/device.h"
#include "clae/fs.h"
#include "clae_kernels.h"
#include "internal.h"

/* Kernel sources are compiled with these options everywhere; never fast-math. */
#define CLAE_BASE_OPTIONS "-cl-std=CL1.2"

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

clae_status clae_programs_build(clae_device *d)
{
    for (size_t i = 0; i < clae_kernel_nsources; i++)
        CLAE_TRY(program_add(d, clae_kernel_sources[i].file, clae_kernel_sources[i].src, ""));
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
