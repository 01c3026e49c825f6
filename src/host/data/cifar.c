/* Dataset loader: CIFAR-10's official binary release (cifar-10-batches-bin/)
 * and clae's own layout (a safetensors file a split); see clae/cifar.h. */
#include "clae/cifar.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clae/fs.h"
#include "clae/parse.h"
#include "clae/safetensors.h"
#include "labels.h"

static const char *const TRAIN_FILES[] = {"data_batch_1.bin", "data_batch_2.bin",
                                          "data_batch_3.bin", "data_batch_4.bin",
                                          "data_batch_5.bin"};
static const char *const TEST_FILES[] = {"test_batch.bin"};

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder holding the .bin files: dir itself, unless it lacks the split's
 * first file and has a cifar-10-batches-bin/ subfolder. */
static clae_status resolve_dir(const char *dir, const char *first, char *buf, size_t cap)
{
    char probe[4096];
    if ((size_t)snprintf(probe, sizeof probe, "%s/%s", dir, first) >= sizeof probe) goto long_path;
    if (!is_file(probe)) {
        if ((size_t)snprintf(buf, cap, "%s/cifar-10-batches-bin", dir) >= cap) goto long_path;
        if (is_dir(buf)) return CLAE_OK;
    }
    if ((size_t)snprintf(buf, cap, "%s", dir) >= cap) goto long_path;
    return CLAE_OK;
long_path:
    fprintf(stderr, "clae: %s: path too long\n", dir);
    return CLAE_ERR_ARG;
}

/* ---- clae's layout: <dir>/<split>.safetensors --------------------------- */

static const char *const ST_FILES[] = {"train.safetensors", "test.safetensors"};

/* Metadata key (a decimal integer) equal to want, when present. */
static int meta_agrees(const clae_st_file *f, const char *key, int64_t want, const char *path)
{
    const char *v = clae_st_meta(f, key);
    if (!v) return 1;
    uint64_t got;
    if (clae_str_to_u64(v, &got) && got == (uint64_t)want) return 1;
    fprintf(stderr, "clae: %s: metadata %s = '%.40s' does not match the images' shape (%" PRId64
            ")\n", path, key, v, want);
    return 0;
}

/* The labels of a clae-layout file (n records of stride R) below the
 * classes its "classes" metadata names, or else dir's batches.meta.txt. */
static clae_status st_labels_named(const clae_st_file *f, const char *path, const char *dir,
                                   const uint8_t *rec, size_t n, size_t R)
{
    const char *names = clae_st_meta(f, "classes");
    char meta[4096 + 32];
    int classes = 0;
    if (names && (classes = clae_class_names_count(names, strlen(names))) > 0)
        snprintf(meta, sizeof meta, "its metadata 'classes'");
    else if (!clae_class_names_file(dir, meta, sizeof meta, &classes))
        return CLAE_ERR_FORMAT;
    size_t k = classes > 0 ? clae_first_label_past(rec, n, R, classes) : n;
    if (k == n) return CLAE_OK;
    clae_report_label_past(path, k, n, rec[k * R], meta, classes);
    return CLAE_ERR_FORMAT;
}

static clae_status load_st(const char *path, const char *dir, int split, clae_dataset *out)
{
    clae_st_file f;
    static const char *const DATA_TENSORS[] = {"images", "labels"};
    clae_status st = clae_st_open_flags(path, &f, CLAE_ST_HEADER_ONLY | CLAE_ST_LAYOUT_LATER);
    uint8_t *rec = NULL, *chunk = NULL;
    if (st == CLAE_OK) st = clae_st_require(&f, DATA_TENSORS, 2); /* "tensor labels is missing" */
    if (st != CLAE_OK) goto done; /* reported */
    st = CLAE_ERR_FORMAT;
    const clae_st_entry *im = clae_st_find(&f, "images"), *lb = clae_st_find(&f, "labels");
    if (!im || !lb || f.n != 2 || im->dtype != CLAE_ST_U8 || lb->dtype != CLAE_ST_U8 ||
        im->ndim != 4 || lb->ndim != 1) {
        fprintf(stderr, "clae: %s: expected two U8 tensors, images (N,C,H,W) and labels (N)\n",
                path);
        goto done;
    }
    const int64_t N = im->shape[0], C = im->shape[1], H = im->shape[2], W = im->shape[3];
    if (lb->shape[0] != N) {
        fprintf(stderr, "clae: %s: %" PRId64 " labels for %" PRId64 " images\n", path,
                lb->shape[0], N);
        goto done;
    }
    if (N == 0) {
        fprintf(stderr, "clae: %s: no records in the %s split\n", path,
                split == CLAE_CIFAR_TRAIN ? "train" : "test");
        goto done;
    }
    if (N > CLAE_CIFAR_MAX_RECORDS) {
        fprintf(stderr, "clae: %s: %" PRId64 " images, at most %d a split\n", path, N,
                CLAE_CIFAR_MAX_RECORDS);
        goto done;
    }
    if (C < 1 || C > CLAE_DATA_MAX_CHANNELS || H < 1 || H > CLAE_DATA_MAX_SIDE || W < 1 ||
        W > CLAE_DATA_MAX_SIDE || C * H * W > CLAE_DATA_MAX_PIXELS) {
        fprintf(stderr, "clae: %s: images of %" PRId64 "x%" PRId64 "x%" PRId64 " (HxWxC): "
                "expected 1 to %d channels, sides of 1 to %d and at most %ld bytes an image\n",
                path, H, W, C, CLAE_DATA_MAX_CHANNELS, CLAE_DATA_MAX_SIDE, CLAE_DATA_MAX_PIXELS);
        goto done;
    }
    const char *fmt = clae_st_meta(&f, "format");
    if (fmt && strcmp(fmt, CLAE_DATA_FORMAT) != 0) {
        fprintf(stderr, "clae: %s: format '%.40s', expected '%s'\n", path, fmt, CLAE_DATA_FORMAT);
        goto done;
    }
    if (!meta_agrees(&f, "height", H, path) || !meta_agrees(&f, "width", W, path) ||
        !meta_agrees(&f, "channels", C, path) || !meta_agrees(&f, "count", N, path))
        goto done;

    const size_t n = (size_t)N, P = (size_t)(C * H * W), R = 1 + P;
    /* images in chunks of about 8 MiB, each image after its label byte */
    const size_t per = P >= (8u << 20) ? 1 : (8u << 20) / P;
    rec = malloc(n * R);
    chunk = malloc((per < n ? per : n) * P);
    if (!rec || !chunk) {
        fprintf(stderr, "clae: %s: cannot allocate %zu bytes for %zu images\n", path, n * R, n);
        st = CLAE_ERR_NOMEM;
        goto done;
    }
    if ((st = clae_st_read(&f, lb, 0, n, chunk)) != CLAE_OK) goto done;
    for (size_t i = 0; i < n && i < per; i++) rec[i * R] = chunk[i];
    if (n > per) { /* the labels past the first chunk's worth */
        uint8_t *labels = malloc(n);
        if (!labels) {
            fprintf(stderr, "clae: %s: out of memory\n", path);
            st = CLAE_ERR_NOMEM;
            goto done;
        }
        st = clae_st_read(&f, lb, 0, n, labels);
        for (size_t i = 0; st == CLAE_OK && i < n; i++) rec[i * R] = labels[i];
        free(labels);
        if (st != CLAE_OK) goto done;
    }
    for (size_t i = 0; i < n; i += per) {
        size_t k = n - i < per ? n - i : per;
        if ((st = clae_st_read(&f, im, (uint64_t)i * P, k * P, chunk)) != CLAE_OK) goto done;
        for (size_t j = 0; j < k; j++) memcpy(rec + (i + j) * R + 1, chunk + j * P, P);
    }
    if ((st = st_labels_named(&f, path, dir, rec, n, R)) != CLAE_OK) goto done;
    *out = (clae_dataset){.records = rec, .n = n, .H = (int)H, .W = (int)W, .C = (int)C};
    rec = NULL;
    st = CLAE_OK;
done:
    free(rec);
    free(chunk);
    clae_st_close(&f);
    return st;
}

int clae_dataset_is_clae_layout(const char *dir, int split)
{
    char path[4096];
    if (split != CLAE_CIFAR_TRAIN && split != CLAE_CIFAR_TEST) return 0;
    return (size_t)snprintf(path, sizeof path, "%s/%s", dir, ST_FILES[split]) < sizeof path &&
           is_file(path);
}

clae_status clae_cifar_load(const char *dir, int split, clae_dataset *out)
{
    *out = (clae_dataset){0};
    if (split != CLAE_CIFAR_TRAIN && split != CLAE_CIFAR_TEST) {
        fprintf(stderr, "clae: %s: bad split %d (train %d, test %d)\n", dir, split,
                CLAE_CIFAR_TRAIN, CLAE_CIFAR_TEST);
        return CLAE_ERR_ARG;
    }
    const char *const *names = split == CLAE_CIFAR_TRAIN ? TRAIN_FILES : TEST_FILES;
    if (clae_dataset_is_clae_layout(dir, split)) {
        char path[4096 + 32];
        snprintf(path, sizeof path, "%s/%s", dir, names[0]);
        if (is_file(path)) { /* which one was meant? */
            fprintf(stderr, "clae: %s: holds both %s and %s (two layouts of one split): "
                    "remove one\n", dir, ST_FILES[split], names[0]);
            return CLAE_ERR_FORMAT;
        }
        snprintf(path, sizeof path, "%s/%s", dir, ST_FILES[split]);
        return load_st(path, dir, split, out);
    }
    size_t nfiles = split == CLAE_CIFAR_TRAIN ? sizeof TRAIN_FILES / sizeof TRAIN_FILES[0]
                                              : sizeof TEST_FILES / sizeof TEST_FILES[0];
    char base[4096];
    clae_status st = resolve_dir(dir, names[0], base, sizeof base);
    if (st != CLAE_OK) return st;

    enum { MAXF = 5 };
    FILE *f[MAXF] = {0};
    char path[MAXF][4096 + 32];
    size_t count[MAXF] = {0}, total = 0;
    uint8_t *rec = NULL;

    /* Open and size every file first, so a bad last file costs no reading. */
    for (size_t i = 0; i < nfiles; i++) {
        snprintf(path[i], sizeof path[i], "%s/%s", base, names[i]);
        const char *refused;
        f[i] = clae_fopen_regular(path[i], &refused);
        if (!f[i] && refused) {
            fprintf(stderr, "clae: %s: %s\n", path[i], refused);
            st = CLAE_ERR_IO;
            goto done;
        }
        if (!f[i]) {
            if (i == 0) /* no data at all: say what the folder holds instead */
                clae_data_missing(base, path[i], errno);
            else
                fprintf(stderr, "clae: %s: cannot open: %s (choose the folder with --data, or "
                        "fetch CIFAR-10 with scripts/fetch-cifar10.sh)\n", path[i],
                        strerror(errno));
            st = CLAE_ERR_IO;
            goto done;
        }
        struct stat sb;
        if (fstat(fileno(f[i]), &sb) != 0 || !S_ISREG(sb.st_mode)) {
            fprintf(stderr, "clae: %s: not a regular file\n", path[i]);
            st = CLAE_ERR_IO;
            goto done;
        }
        if (sb.st_size == 0) { /* a batch missing in a folder that looks whole */
            fprintf(stderr, "clae: %s: empty (0 bytes): a batch file holds at least one %d-byte "
                    "record\n", path[i], CLAE_CIFAR_RECORD);
            st = CLAE_ERR_FORMAT;
            goto done;
        }
        if (sb.st_size % CLAE_CIFAR_RECORD != 0) { /* (the official files: no header) */
            long long whole = (long long)(sb.st_size / CLAE_CIFAR_RECORD);
            fprintf(stderr, "clae: %s: size %lld is not a whole number of %d-byte records (the "
                    "nearest are %lld and %lld bytes: %lld and %lld records)\n", path[i],
                    (long long)sb.st_size, CLAE_CIFAR_RECORD, whole * CLAE_CIFAR_RECORD,
                    (whole + 1) * CLAE_CIFAR_RECORD, whole, whole + 1);
            st = CLAE_ERR_FORMAT;
            goto done;
        }
        count[i] = (size_t)((uint64_t)sb.st_size / CLAE_CIFAR_RECORD);
        if (count[i] > CLAE_CIFAR_MAX_RECORDS - total) {
            fprintf(stderr, "clae: %s: %zu records would take the %s split past %d\n", path[i],
                    count[i], split == CLAE_CIFAR_TRAIN ? "train" : "test",
                    CLAE_CIFAR_MAX_RECORDS);
            st = CLAE_ERR_FORMAT;
            goto done;
        }
        total += count[i];
    }
    if (total == 0) {
        fprintf(stderr, "clae: %s: no records in the %s split\n", base,
                split == CLAE_CIFAR_TRAIN ? "train" : "test");
        st = CLAE_ERR_FORMAT;
        goto done;
    }
    char meta[4096 + 32]; /* the class names beside the files, if any */
    int classes;
    if (!clae_class_names_file(base, meta, sizeof meta, &classes)) {
        st = CLAE_ERR_FORMAT;
        goto done;
    }
    rec = malloc(total * CLAE_CIFAR_RECORD);
    if (!rec) {
        fprintf(stderr, "clae: %s: cannot allocate %zu bytes for %zu records\n", base,
                total * CLAE_CIFAR_RECORD, total);
        st = CLAE_ERR_NOMEM;
        goto done;
    }
    size_t at = 0;
    for (size_t i = 0; i < nfiles; i++) {
        size_t bytes = count[i] * CLAE_CIFAR_RECORD;
        if (fread(rec + at, 1, bytes, f[i]) != bytes) {
            fprintf(stderr, "clae: %s: short read: %s\n", path[i],
                    ferror(f[i]) ? strerror(errno) : "file shrank while reading");
            st = CLAE_ERR_IO;
            goto done;
        }
        size_t k = classes > 0 ? clae_first_label_past(rec + at, count[i], CLAE_CIFAR_RECORD,
                                                       classes)
                               : count[i];
        if (k < count[i]) {
            clae_report_label_past(path[i], k, count[i], rec[at + k * CLAE_CIFAR_RECORD], meta,
                                   classes);
            st = CLAE_ERR_FORMAT;
            goto done;
        }
        at += bytes;
    }
    *out = (clae_dataset){.records = rec, .n = total, .H = CLAE_CIFAR_SIDE, .W = CLAE_CIFAR_SIDE,
                          .C = CLAE_CIFAR_CHANNELS};
    rec = NULL;
    st = CLAE_OK;
done:
    for (size_t i = 0; i < nfiles; i++)
        if (f[i]) fclose(f[i]);
    free(rec);
    return st;
}

clae_status clae_dataset_load(const char *dir, int split, int H, int W, int C, clae_dataset *out)
{
    clae_status st = clae_cifar_load(dir, split, out);
    if (st != CLAE_OK) return st;
    if (out->H == H && out->W == W && out->C == C) return CLAE_OK;
    fprintf(stderr, "clae: %s: the %s images are %dx%dx%d (HxWxC), the model's input is %d,%d,%d\n",
            dir, split == CLAE_CIFAR_TRAIN ? "training" : "test", out->H, out->W, out->C, H, W, C);
    clae_dataset_free(out);
    return CLAE_ERR_ARG;
}

void clae_dataset_free(clae_dataset *d)
{
    if (!d) return;
    free(d->records);
    d->records = NULL;
    d->n = 0;
}

/* ---- class sets ---------------------------------------------------------- */

int clae_classes_parse(const char *text, clae_classes *out)
{
    clae_classes c;
    memset(&c, 0, sizeof c);
    if (strcmp(text, "all") == 0) {
        *out = c;
        return 1;
    }
    const char *p = text;
    for (;;) { /* a label, then ',' or the end */
        char num[8];
        size_t n = 0;
        while (p[n] && p[n] != ',' && n + 1 < sizeof num) {
            num[n] = p[n];
            n++;
        }
        if (p[n] && p[n] != ',') return 0; /* a label of 8 or more characters */
        num[n] = '\0';
        int label;
        if (!clae_str_to_int(num, 0, CLAE_CIFAR_MAX_CLASSES - 1, &label)) return 0;
        c.bits[label / 64] |= (uint64_t)1 << (label % 64);
        if (!p[n]) break;
        p += n + 1;
    }
    *out = c;
    return 1;
}

int clae_classes_empty(const clae_classes *c)
{
    for (size_t w = 0; w < sizeof c->bits / sizeof c->bits[0]; w++)
        if (c->bits[w]) return 0;
    return 1;
}

int clae_classes_has(const clae_classes *c, int label)
{
    if (label < 0 || label >= CLAE_CIFAR_MAX_CLASSES) return 0;
    return clae_classes_empty(c) || (c->bits[label / 64] >> (label % 64) & 1u);
}

void clae_classes_format(const clae_classes *c, char *buf, size_t len)
{
    if (len == 0) return;
    buf[0] = '\0';
    if (clae_classes_empty(c)) {
        snprintf(buf, len, "all");
        return;
    }
    size_t at = 0;
    for (int k = 0; k < CLAE_CIFAR_MAX_CLASSES && at < len; k++)
        if (c->bits[k / 64] >> (k % 64) & 1u)
            at += (size_t)snprintf(buf + at, len - at, "%s%d", at ? "," : "", k);
}

size_t clae_dataset_keep_classes(clae_dataset *d, const clae_classes *c)
{
    if (clae_classes_empty(c)) return d->n;
    size_t kept = 0, R = clae_dataset_record_bytes(d);
    for (size_t i = 0; i < d->n; i++) {
        if (!clae_classes_has(c, clae_dataset_label(d, i))) continue;
        if (kept != i) memmove(d->records + kept * R, clae_dataset_record(d, i), R);
        kept++;
    }
    d->n = kept;
    return kept;
}

void clae_records_to_float(float *out, const uint8_t *records, int N, int C, int H, int W)
{
    const size_t P = (size_t)C * H * W;
    for (int n = 0; n < N; n++) {
        const uint8_t *px = records + (size_t)n * (P + 1) + 1;
        float *o = out + (size_t)n * P;
        for (size_t j = 0; j < P; j++) o[j] = (float)px[j] / 255.0f;
    }
}
