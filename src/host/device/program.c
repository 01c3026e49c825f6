/* Programs: the embedded kernel files and their shape-specialised
 * variants, each (file, options) built once per device on first use,
 * through the program-binary cache on disk; kernels looked up by name
 * (include/clae/device.h). */
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
static int cache_path(const clae_device *d, const char *src, const char *options,
                      const char *suffix, char *buf, size_t len)
{
    uint64_t h = 14695981039346656037ULL;
    h = fnv1a(h, d->name, strlen(d->name));
    h = fnv1a(h, d->driver, strlen(d->driver));
    h = fnv1a(h, d->platform_name, strlen(d->platform_name));
    h = fnv1a(h, options, strlen(options));
    h = fnv1a(h, src, strlen(src));
    char dir[900];
    if (!cache_dir_ready(dir, sizeof dir)) return 0;
    int n = snprintf(buf, len, "%s/%016llx.%s", dir, (unsigned long long)h, suffix);
    return n > 0 && (size_t)n < len;
}

/* The compiler's messages for prog, when there are any (a failed build
 * always; warnings of a good one under CLAE_VERBOSE only). */
static void print_build_log(clae_device *d, cl_program prog, const char *file, int failed)
{
    size_t n = 0;
    if (clGetProgramBuildInfo(prog, d->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n) !=
        CL_SUCCESS)
        n = 0;
    char *log = malloc(n + 1);
    if (!log) return;
    log[0] = '\0';
    if (n && clGetProgramBuildInfo(prog, d->device, CL_PROGRAM_BUILD_LOG, n, log, NULL) !=
                 CL_SUCCESS)
        log[0] = '\0';
    log[n] = '\0';
    const char *p = log;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
    if (failed || *p) fprintf(stderr, "clae: build log for %s on %s:\n%s\n", file, d->name, log);
    free(log);
}

/* Before the first build from source on d: say that the wait is the
 * compiler's, once (the cache makes later runs skip it). To a terminal, or
 * under CLAE_VERBOSE: scripts that read stderr get their one line. */
static void compile_note(clae_device *d)
{
    if (d->compile_noted) return;
    d->compile_noted = 1;
    if (!d->verbose && !isatty(STDERR_FILENO)) return;
    char dir[900];
    if (clae_cache_dir(dir, sizeof dir))
        fprintf(stderr, "clae: compiling kernels for this model on %s - first run only (cached "
                        "in %s)\n", d->name, dir);
    else
        fprintf(stderr, "clae: compiling kernels for this model on %s\n", d->name);
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
    const double t0 = clae_mono_s();
    char opts[1024];
    snprintf(opts, sizeof opts, "%s %s", CLAE_BASE_OPTIONS, options ? options : "");
    /* PoCL keeps its own kernel cache, and loading its binaries costs an extra
     * compile, so the binary cache is used only on other platforms; there an
     * empty stamp file says this program was built here before (PoCL's cache
     * has it), so that only a first build is announced. */
    char path[1024] = "";
    const int cached = !getenv("CLAE_NO_BINARY_CACHE") &&
                       cache_path(d, src, opts, d->is_pocl ? "pocl" : "bin", path, sizeof path);
    cl_program p = NULL;
    int built = 0;
    if (cached && !d->is_pocl) {
        p = load_cached(d, path, opts);
        if (p && d->verbose) fprintf(stderr, "clae: %s loaded from %s\n", file, path);
    }
    if (!p) {
        if (!(cached && d->is_pocl && access(path, F_OK) == 0)) compile_note(d);
        cl_int err;
        size_t len = strlen(src);
        p = clCreateProgramWithSource(d->ctx, 1, &src, &len, &err);
        CL_CHECK_RET("clCreateProgramWithSource", err);
        err = clBuildProgram(p, 1, &d->device, opts, NULL, NULL);
        if (err != CL_SUCCESS) {
            fprintf(stderr, "clae: building kernel file %s failed: %s\n", file,
                    clae_cl_errname(err));
            print_build_log(d, p, file, 1);
            clReleaseProgram(p);
            return CLAE_ERR_CL;
        }
        if (d->verbose) print_build_log(d, p, file, 0);
        built = 1;
        if (cached && d->is_pocl) {
            const char stamp[] = "built\n";
            (void)clae_cache_write(path, (const unsigned char *)stamp, sizeof stamp - 1);
        } else if (cached) {
            store_cached(d, p, path);
        }
    }
    const double dt = clae_mono_s() - t0;
    d->compile_s += dt;
    if (built && d->verbose)
        fprintf(stderr, "clae: built %s %s (%.2f s)\n", file, options ? options : "", dt);
    *out = p;
    return CLAE_OK;
}

clae_status clae_programs_build(clae_device *d)
{
    if (clae_kernel_nsources > CLAE_MAX_PROGRAMS) {
        fprintf(stderr, "clae: too many kernel files (%zu, max %d)\n", clae_kernel_nsources,
                CLAE_MAX_PROGRAMS);
        return CLAE_ERR_ARG;
    }
    d->nprograms = (int)clae_kernel_nsources; /* each built on first use (clae_kernel) */
    return CLAE_OK;
}

/* The embedded source of a kernel file ("conv2d_direct.cl"), NULL if none. */
static const char *embedded_source(const char *file)
{
    for (size_t i = 0; i < clae_kernel_nsources; i++)
        if (strcmp(clae_kernel_sources[i].file, file) == 0) return clae_kernel_sources[i].src;
    return NULL;
}

/* The variant cache's program for (file, options) when one of its kernels
 * is there, retained for the caller; else NULL. */
static cl_program variant_program(clae_device *d, const char *prog_key)
{
    for (int i = 0; i < d->nvariants; i++)
        if (strcmp(d->variants[i].prog, prog_key) == 0 &&
            clRetainProgram(d->variants[i].program) == CL_SUCCESS)
            return d->variants[i].program;
    return NULL;
}

clae_status clae_kernel_variant(clae_device *d, const char *file, const char *options,
                                const char *name, cl_kernel *out)
{
    char key[sizeof d->variants[0].key], prog_key[sizeof d->variants[0].prog];
    int len = snprintf(key, sizeof key, "%s %s %s", file, name, options);
    int plen = snprintf(prog_key, sizeof prog_key, "%s %s", file, options);
    if (len < 0 || (size_t)len >= sizeof key || plen < 0 || (size_t)plen >= sizeof prog_key) {
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
    /* the program's other kernels share its build (one compile per options) */
    cl_program prog = variant_program(d, prog_key);
    if (!prog) CLAE_TRY(build_program(d, file, src, options, &prog));
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
    snprintf(d->variants[slot].prog, sizeof d->variants[slot].prog, "%s", prog_key);
    d->variants[slot].program = prog;
    d->variants[slot].kernel = k;
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

/* Whether src may define kernel `name`: "__kernel void name(", or a macro's
 * "__kernel void prefix##" with name starting with prefix (act.cl's). */
static int source_defines(const char *src, const char *name)
{
    const size_t n = strlen(name);
    for (const char *q = src; (q = strstr(q, "__kernel void ")) != NULL;) {
        q += strlen("__kernel void ");
        size_t m = strspn(q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
        if (m <= n && strncmp(q, name, m) == 0 &&
            ((m == n && q[m] == '(') || (m < n && strncmp(q + m, "##", 2) == 0)))
            return 1;
    }
    return 0;
}

/* Program i of the embedded kernel files, built now if it is not yet. */
static clae_status embedded_program(clae_device *d, int i, cl_program *out)
{
    if (!d->programs[i])
        CLAE_TRY(build_program(d, clae_kernel_sources[i].file, clae_kernel_sources[i].src, "",
                               &d->programs[i]));
    *out = d->programs[i];
    return CLAE_OK;
}

/* The embedded program that defines kernel `name`, building only the file
 * that defines it (the last such file, as later files shadow earlier
 * ones); NULL in *out when none does. */
static clae_status program_for_kernel(clae_device *d, const char *name, cl_program *out)
{
    *out = NULL;
    for (int pass = 0; pass < 2; pass++)
        for (int j = 0; j < d->nprograms; j++) {
            /* first the built files and those whose text defines it, last
             * first; then (a kernel defined some other way) every file */
            const int i = pass == 0 ? d->nprograms - 1 - j : j;
            if (pass == 0 && !d->programs[i] && !source_defines(clae_kernel_sources[i].src, name))
                continue;
            cl_program p;
            CLAE_TRY(embedded_program(d, i, &p));
            if (program_has_kernel(p, name)) {
                *out = p;
                return CLAE_OK;
            }
        }
    return CLAE_OK;
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
    cl_program p;
    CLAE_TRY(program_for_kernel(d, name, &p));
    if (!p) {
        fprintf(stderr, "clae: no kernel named %s in any program\n", name);
        return CLAE_ERR_CL;
    }
    cl_int err;
    cl_kernel k = clCreateKernel(p, name, &err);
    CL_CHECK_RET("clCreateKernel", err);
    snprintf(d->kernels[d->nkernels].name, sizeof d->kernels[0].name, "%s", name);
    d->kernels[d->nkernels++].kernel = k;
    *out = k;
    return CLAE_OK;
}
