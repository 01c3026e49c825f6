/* CIFAR-10 data: import image folders -> binary layout -> load back, exact
 * bytes, labels and order; every rejection names the offending file and
 * leaves no output behind. No OpenCL device needed. */
#define _GNU_SOURCE /* nftw flags */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb/stb_image_resize.h>
#include <stb/stb_image_write.h>

#include "clae/cifar.h"
#include "clae/safetensors.h"
#include "data/labels.h"
#include "testutil.h"

#define PLANE 1024

/* ---- helpers ---------------------------------------------------------- */

static char g_root[256];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static void setup(void)
{
    snprintf(g_root, sizeof g_root, "%s/clae_test_data.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(g_root));
}

static void teardown(void)
{
    nftw(g_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *at(const char *rel)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", g_root, rel);
    return buf[k];
}

/* mkdir -p of rel's folder part */
static void mkparents(const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s", at(rel));
    for (char *s = p + strlen(g_root) + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0777);
            *s = '/';
        }
}

/* Deterministic pixels for image number id (interleaved, w*h*comp). */
static void pixels(uint8_t *px, int w, int h, int comp, int id)
{
    for (int i = 0; i < w * h * comp; i++) px[i] = (uint8_t)(id * 53 + i * 7 + (i >> 5));
}

/* Write rel as PNG or BMP (by extension) with pixels(id). */
static void write_image(const char *rel, int w, int h, int comp, int id)
{
    static uint8_t px[128 * 128 * 4];
    ck_assert_int_le(w * h * comp, (int)sizeof px);
    pixels(px, w, h, comp, id);
    mkparents(rel);
    const char *ext = strrchr(rel, '.');
    int ok = strcmp(ext, ".bmp") == 0 ? stbi_write_bmp(at(rel), w, h, comp, px)
                                      : stbi_write_png(at(rel), w, h, comp, px, w * comp);
    ck_assert_msg(ok, "cannot write %s", rel);
}

static void write_bytes(const char *rel, const void *data, size_t n)
{
    mkparents(rel);
    FILE *f = fopen(at(rel), "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

/* stderr capture: what the library printed between begin and end. */
static int g_saved_fd = -1;
static char g_err[4096];

static void capture_begin(void)
{
    fflush(stderr);
    g_saved_fd = dup(2);
    int fd = open(at("stderr.txt"), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    ck_assert_int_ge(fd, 0);
    dup2(fd, 2);
    close(fd);
}

static const char *capture_end(void)
{
    fflush(stderr);
    dup2(g_saved_fd, 2);
    close(g_saved_fd);
    FILE *f = fopen(at("stderr.txt"), "r");
    size_t n = f ? fread(g_err, 1, sizeof g_err - 1, f) : 0;
    g_err[n] = '\0';
    if (f) fclose(f);
    unlink(at("stderr.txt"));
    printf("  stderr: %s", g_err);
    return g_err;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* Expected planar record for image id (label byte first). */
static void expect_record(uint8_t *rec, int label, int id)
{
    uint8_t px[32 * 32 * 3];
    pixels(px, 32, 32, 3, id);
    rec[0] = (uint8_t)label;
    for (int p = 0; p < PLANE; p++)
        for (int c = 0; c < 3; c++) rec[1 + c * PLANE + p] = px[3 * p + c];
}

/* clae_data_import with threads and --size H,W / --channels C (0: none) */
static clae_status import(const char *out_rel, int threads, int H, int W, int C,
                          clae_import_result *r)
{
    clae_import_opts o = {.threads = threads, .H = H, .W = W, .C = C};
    clae_import_result spare;
    return clae_data_import(at("src"), at(out_rel), &o, r ? r : &spare);
}

/* ---- import + load round trip ----------------------------------------- */

/* Classes sorted by strcmp: ant (0), cat (1). Files sorted by strcmp within a class.
 * Round-robin order: ant/1, cat/10, ant/20.PNG, cat/a, ant/9, cat/b, ant/x.bmp. */
static void make_tiny_dataset(void)
{
    write_image("src/train/cat/b.png", 32, 32, 3, 1);
    write_image("src/train/cat/a.png", 32, 32, 3, 2);
    write_image("src/train/cat/10.png", 32, 32, 3, 3);
    write_image("src/train/ant/9.png", 32, 32, 3, 4);
    write_image("src/train/ant/x.bmp", 32, 32, 3, 5);
    write_image("src/train/ant/1.png", 32, 32, 3, 6);
    write_image("src/train/ant/20.PNG", 32, 32, 3, 7);
    write_bytes("src/train/ant/.DS_Store", "junk", 4); /* hidden: ignored */
    write_image("src/test/cat/v.bmp", 32, 32, 3, 8);
    write_image("src/test/cat/u.png", 32, 32, 3, 9);
    write_image("src/test/ant/t.png", 32, 32, 3, 10);
}

static const int TRAIN_LABELS[] = {0, 1, 0, 1, 0, 1, 0};
static const int TRAIN_IDS[] = {6, 3, 7, 2, 4, 1, 5};
static const int TEST_LABELS[] = {0, 1, 1};
static const int TEST_IDS[] = {10, 9, 8};

static void check_split(const clae_dataset *d, const int *labels, const int *ids, size_t n,
                        const char *what)
{
    ck_assert_uint_eq(d->n, n);
    for (size_t i = 0; i < n; i++) {
        uint8_t want[CLAE_CIFAR_RECORD];
        expect_record(want, labels[i], ids[i]);
        ck_assert_int_eq(clae_dataset_label(d, i), labels[i]);
        ck_assert_ptr_eq(clae_dataset_pixels(d, i), clae_dataset_record(d, i) + 1);
        ck_assert_msg(memcmp(clae_dataset_record(d, i), want, CLAE_CIFAR_RECORD) == 0,
                      "%s record %zu: bytes differ", what, i);
    }
    printf("  %s: %zu records, labels, order and all bytes exact\n", what, n);
}

START_TEST(test_data_import_load_roundtrip)
{
    make_tiny_dataset();
    const char *out = at("root/cifar-10-batches-bin");
    mkdir(at("root"), 0777);
    clae_import_result r;
    ck_assert_int_eq(import("root/cifar-10-batches-bin", 2, 0, 0, 0, &r), CLAE_OK);
    ck_assert_uint_eq(r.n_train, 7);
    ck_assert_uint_eq(r.n_test, 3);
    ck_assert_int_eq(r.n_classes, 2);
    ck_assert(r.cifar && r.H == 32 && r.W == 32 && r.C == 3);
    ck_assert_uint_eq(r.skipped, 0); /* .DS_Store: hidden, ignored */

    /* 7 train records: 1 + 1 + 1 + 1 + 3 (the last file takes the remainder). */
    static const char *const files[] = {"data_batch_1.bin", "data_batch_2.bin",
                                        "data_batch_3.bin", "data_batch_4.bin",
                                        "data_batch_5.bin", "test_batch.bin"};
    static const long recs[] = {1, 1, 1, 1, 3, 3};
    char p[600];
    for (int k = 0; k < 6; k++) {
        snprintf(p, sizeof p, "%s/%s", out, files[k]);
        ck_assert_int_eq(file_size(p), recs[k] * CLAE_CIFAR_RECORD);
    }
    ck_assert_int_eq(count_entries(out), 7); /* no temporaries left */
    snprintf(p, sizeof p, "%s/batches.meta.txt", out);
    char meta[64] = {0};
    FILE *f = fopen(p, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fread(meta, 1, sizeof meta - 1, f), 8);
    fclose(f);
    ck_assert_str_eq(meta, "ant\ncat\n");

    clae_dataset tr, te;
    /* the folder holding the files ... */
    ck_assert_int_eq(clae_cifar_load(out, CLAE_CIFAR_TRAIN, &tr), CLAE_OK);
    check_split(&tr, TRAIN_LABELS, TRAIN_IDS, 7, "train");
    clae_dataset_free(&tr);
    ck_assert_ptr_null(tr.records);
    /* ... or its parent holding cifar-10-batches-bin/ */
    ck_assert_int_eq(clae_cifar_load(at("root"), CLAE_CIFAR_TRAIN, &tr), CLAE_OK);
    check_split(&tr, TRAIN_LABELS, TRAIN_IDS, 7, "train via parent");
    ck_assert_int_eq(clae_cifar_load(at("root"), CLAE_CIFAR_TEST, &te), CLAE_OK);
    check_split(&te, TEST_LABELS, TEST_IDS, 3, "test via parent");

    /* Same bytes with 1 and 5 decoding threads, importing over the existing output. */
    for (int threads = 1; threads <= 5; threads += 4) {
        ck_assert_int_eq(import("root/cifar-10-batches-bin", threads, 0, 0, 0, NULL), CLAE_OK);
        ck_assert_int_eq(count_entries(out), 7);
        clae_dataset tr2;
        ck_assert_int_eq(clae_cifar_load(out, CLAE_CIFAR_TRAIN, &tr2), CLAE_OK);
        ck_assert_uint_eq(tr2.n, tr.n);
        ck_assert_int_eq(memcmp(tr2.records, tr.records, tr.n * CLAE_CIFAR_RECORD), 0);
        clae_dataset_free(&tr2);
        printf("  threads=%d: identical output\n", threads);
    }
    clae_dataset_free(&tr);
    clae_dataset_free(&te);
}
END_TEST

/* A train set whose count is a multiple of 5: five equal files, round-robin order. */
START_TEST(test_data_import_equal_files)
{
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < 5; i++) {
            char rel[64];
            snprintf(rel, sizeof rel, "src/train/c%d/%d.png", c, i);
            write_image(rel, 32, 32, 3, 10 * c + i);
        }
    write_image("src/test/c1/0.png", 32, 32, 3, 99);
    ck_assert_int_eq(import("out", 2, 0, 0, 0, NULL), CLAE_OK);
    clae_dataset tr;
    ck_assert_int_eq(clae_cifar_load(at("out"), CLAE_CIFAR_TRAIN, &tr), CLAE_OK);
    int labels[10], ids[10];
    for (int k = 0; k < 10; k++) labels[k] = k % 2, ids[k] = 10 * (k % 2) + k / 2;
    check_split(&tr, labels, ids, 10, "train 2x5");
    for (int k = 1; k <= 5; k++) {
        char rel[64];
        snprintf(rel, sizeof rel, "out/data_batch_%d.bin", k);
        ck_assert_int_eq(file_size(at(rel)), 2 * CLAE_CIFAR_RECORD);
    }
    clae_dataset_free(&tr);
}
END_TEST

/* ---- loader rejections ------------------------------------------------ */

START_TEST(test_data_load_rejects_truncated)
{
    static uint8_t rec[2 * CLAE_CIFAR_RECORD];
    write_bytes("bin/data_batch_1.bin", rec, CLAE_CIFAR_RECORD);
    write_bytes("bin/data_batch_2.bin", rec, CLAE_CIFAR_RECORD);
    write_bytes("bin/data_batch_3.bin", rec, 2 * CLAE_CIFAR_RECORD - 5);
    write_bytes("bin/data_batch_4.bin", rec, CLAE_CIFAR_RECORD);
    write_bytes("bin/data_batch_5.bin", rec, CLAE_CIFAR_RECORD);
    clae_dataset d = {(uint8_t *)1, 7, 1, 1, 1};
    capture_begin();
    clae_status st = clae_cifar_load(at("bin"), CLAE_CIFAR_TRAIN, &d);
    const char *err = capture_end();
    ck_assert_int_eq(st, CLAE_ERR_FORMAT);
    ck_assert_ptr_null(d.records);
    ck_assert_uint_eq(d.n, 0);
    char want[600];
    snprintf(want, sizeof want,
             "clae: %s: size 6141 is not a whole number of 3073-byte records (the nearest "
             "are 3073 and 6146 bytes: 1 and 2 records)\n", at("bin/data_batch_3.bin"));
    ck_assert_str_eq(err, want);

    /* an empty batch among whole ones: an error, not a smaller split */
    write_bytes("bin/data_batch_3.bin", rec, 0);
    capture_begin();
    st = clae_cifar_load(at("bin"), CLAE_CIFAR_TRAIN, &d);
    err = capture_end();
    ck_assert_int_eq(st, CLAE_ERR_FORMAT);
    ck_assert_ptr_null(d.records);
    snprintf(want, sizeof want, "clae: %s: empty (0 bytes): a batch file holds at least one "
             "3073-byte record\n", at("bin/data_batch_3.bin"));
    ck_assert_str_eq(err, want);

    /* test_batch.bin is missing */
    capture_begin();
    st = clae_cifar_load(at("bin"), CLAE_CIFAR_TEST, &d);
    err = capture_end();
    ck_assert_int_eq(st, CLAE_ERR_IO);
    snprintf(want, sizeof want, "clae: %s: cannot open: No such file or directory (choose the "
             "folder with --data, or fetch CIFAR-10 with scripts/fetch-cifar10.sh)\n",
             at("bin/test_batch.bin"));
    ck_assert_str_eq(err, want);

    /* no records at all */
    write_bytes("bin/test_batch.bin", rec, 0);
    capture_begin();
    st = clae_cifar_load(at("bin"), CLAE_CIFAR_TEST, &d);
    err = capture_end();
    ck_assert_int_eq(st, CLAE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err, "test_batch.bin: empty (0 bytes)"));
}
END_TEST

/* Record counts from file sizes are bounded before they are added up or
 * allocated: two sparse files of 2^62 bytes each (on a file system that
 * allows them) once wrapped the total to a small malloc that fread then
 * overran. Here a sparse data_batch_2.bin one record past the limit. */
START_TEST(test_data_load_rejects_too_many_records)
{
    static uint8_t rec[CLAE_CIFAR_RECORD];
    write_bytes("big/data_batch_1.bin", rec, CLAE_CIFAR_RECORD);
    for (int i = 2; i <= 5; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "big/data_batch_%d.bin", i);
        write_bytes(rel, rec, 0);
    }
    int fd = open(at("big/data_batch_2.bin"), O_WRONLY);
    ck_assert_int_ge(fd, 0);
    if (ftruncate(fd, (off_t)CLAE_CIFAR_MAX_RECORDS * CLAE_CIFAR_RECORD) != 0) {
        close(fd); /* a file system without sparse files this large: nothing to test */
        return;
    }
    close(fd);
    clae_dataset d = {0};
    capture_begin();
    clae_status st = clae_cifar_load(at("big"), CLAE_CIFAR_TRAIN, &d);
    const char *err = capture_end();
    ck_assert_int_eq(st, CLAE_ERR_FORMAT);
    ck_assert_ptr_null(d.records);
    char want[600];
    snprintf(want, sizeof want,
             "clae: %s: %d records would take the train split past %d\n",
             at("big/data_batch_2.bin"), CLAE_CIFAR_MAX_RECORDS, CLAE_CIFAR_MAX_RECORDS);
    ck_assert_str_eq(err, want);
}
END_TEST

/* ---- import rejections: named file, one line, no output left ---------- */

static void expect_import_fails(const char *out_rel, clae_status want_st, const char *file_rel,
                                const char *what)
{
    capture_begin();
    clae_status st = import(out_rel, 2, 0, 0, 0, NULL);
    const char *err = capture_end();
    ck_assert_int_eq(st, want_st);
    ck_assert_int_eq(count_lines(err), 1);
    char want[600];
    snprintf(want, sizeof want, "clae: %s: %s", at(file_rel), what);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s', want '%s...'", err, want);
}

static void good_images(void)
{
    write_image("src/train/a/0.png", 32, 32, 3, 1);
    write_image("src/train/b/0.png", 32, 32, 3, 2);
    write_image("src/test/a/0.png", 32, 32, 3, 3);
}

START_TEST(test_data_import_rejects_size)
{
    good_images();
    write_image("src/train/b/1.png", 31, 32, 3, 4);
    /* OUT did not exist: it must not exist afterwards */
    char what[600];
    snprintf(what, sizeof what, "image is 32x31 (HxW), the first image %s is 32x32: --size H,W "
             "scales and crops every image to one size\n", at("src/train/a/0.png"));
    expect_import_fails("out", CLAE_ERR_FORMAT, "src/train/b/1.png", what);
    ck_assert_int_eq(access(at("out"), F_OK), -1);

    /* A bad test image is found after the five train files were written as
     * temporaries: an existing OUT keeps only what it had. */
    unlink(at("src/train/b/1.png"));
    write_image("src/test/b/7.png", 32, 31, 3, 5);
    mkdir(at("out2"), 0777);
    write_bytes("out2/keep.txt", "x", 1);
    expect_import_fails("out2", CLAE_ERR_FORMAT, "src/test/b/7.png", "image is 31x32 (HxW)");
    ck_assert_int_eq(count_entries(at("out2")), 1);
}
END_TEST

START_TEST(test_data_import_rejects_channels)
{
    good_images();
    write_image("src/train/a/grey.png", 32, 32, 1, 4);
    expect_import_fails("out", CLAE_ERR_FORMAT, "src/train/a/grey.png",
                        "image has 1 channel, expected 3 (--channels 3 converts grey, "
                        "grey+alpha and RGBA images)\n");
    unlink(at("src/train/a/grey.png"));
    write_image("src/train/a/rgba.png", 32, 32, 4, 4);
    expect_import_fails("out", CLAE_ERR_FORMAT, "src/train/a/rgba.png",
                        "image has 4 channels, expected 3");
    ck_assert_int_eq(access(at("out"), F_OK), -1);
}
END_TEST

START_TEST(test_data_import_rejects_garbage)
{
    good_images();
    write_bytes("src/train/b/bad.png", "this is not a png at all", 24);
    expect_import_fails("out", CLAE_ERR_FORMAT, "src/train/b/bad.png", "cannot decode: ");
    ck_assert_uint_gt(strlen(g_err), strlen(at("src/train/b/bad.png")) + 24); /* a reason */
    ck_assert_int_eq(access(at("out"), F_OK), -1);
}
END_TEST

/* The first training image decides the size: it must decode itself. */
START_TEST(test_data_import_rejects_garbage_first)
{
    good_images();
    write_bytes("src/train/a/0.png", "this is not a png at all", 24);
    expect_import_fails("out", CLAE_ERR_FORMAT, "src/train/a/0.png", "cannot decode: ");
    /* a header declaring 25120 x 29813 pixels in 21 bytes */
    write_bytes("src/train/a/0.png", "GIF89a but not really", 21);
    expect_import_fails("out", CLAE_ERR_FORMAT, "src/train/a/0.png",
                        "29813x25120 image: a side over 16384 pixels\n");
    ck_assert_int_eq(access(at("out"), F_OK), -1);
}
END_TEST

/* planar bytes of image id as written by write_image(w, h, comp) */
static void expect_planar(const uint8_t *got, int w, int h, int comp, int id, const char *what)
{
    static uint8_t px[128 * 128 * 4];
    pixels(px, w, h, comp, id);
    for (int p = 0; p < w * h; p++)
        for (int c = 0; c < comp; c++)
            ck_assert_msg(got[c * w * h + p] == px[p * comp + c], "%s: channel %d pixel %d", what,
                          c, p);
}

static int exists(const char *rel) { return access(at(rel), F_OK) == 0; }

/* 64 wide x 48 high images: clae's layout, loaded back exactly as H 48, W 64. */
START_TEST(test_data_import_any_size)
{
    write_image("src/train/cat/0.png", 64, 48, 3, 1);
    write_image("src/train/cat/1.bmp", 64, 48, 3, 2);
    write_image("src/train/dog/0.png", 64, 48, 3, 3);
    write_image("src/test/dog/0.png", 64, 48, 3, 4);
    clae_import_result r;
    ck_assert_int_eq(import("out", 2, 0, 0, 0, &r), CLAE_OK);
    ck_assert(!r.cifar && r.H == 48 && r.W == 64 && r.C == 3);
    ck_assert(r.n_train == 3 && r.n_test == 1 && r.n_classes == 2);
    ck_assert(exists("out/train.safetensors") && exists("out/test.safetensors") &&
              exists("out/batches.meta.txt") && !exists("out/data_batch_1.bin"));
    ck_assert_int_eq(count_entries(at("out")), 3);
    clae_st_file f;
    ck_assert_int_eq(clae_st_open(at("out/train.safetensors"), &f), CLAE_OK);
    ck_assert_str_eq(clae_st_meta(&f, "format"), CLAE_DATA_FORMAT);
    ck_assert_str_eq(clae_st_meta(&f, "height"), "48");
    ck_assert_str_eq(clae_st_meta(&f, "width"), "64");
    ck_assert_str_eq(clae_st_meta(&f, "channels"), "3");
    ck_assert_str_eq(clae_st_meta(&f, "count"), "3");
    ck_assert_str_eq(clae_st_meta(&f, "classes"), "cat\ndog");
    clae_st_close(&f);
    clae_dataset d;
    ck_assert_int_eq(clae_dataset_load(at("out"), CLAE_CIFAR_TRAIN, 48, 64, 3, &d), CLAE_OK);
    ck_assert_uint_eq(d.n, 3);
    static const int labels[3] = {0, 1, 0}, ids[3] = {1, 3, 2}; /* round-robin */
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(clae_dataset_label(&d, (size_t)i), labels[i]);
        expect_planar(clae_dataset_pixels(&d, (size_t)i), 64, 48, 3, ids[i], "64x48");
    }
    clae_dataset_free(&d);
    printf("  64x48 images: clae's layout, 48x64x3 records exact\n");

    /* 32x32 imports into the same folder: 3 training images are too few for
     * CIFAR-10's 5 batch files (none may be empty): clae's layout still */
    for (int i = 0; i < 4; i++) {
        static const char *const rel[4] = {"src/train/cat/0.png", "src/train/cat/1.bmp",
                                           "src/train/dog/0.png", "src/test/dog/0.png"};
        write_image(rel[i], 32, 32, 3, 10 + i);
    }
    ck_assert_int_eq(import("out", 2, 0, 0, 0, &r), CLAE_OK);
    ck_assert(!r.cifar && r.H == 32 && r.W == 32 && r.C == 3);
    ck_assert(exists("out/train.safetensors") && !exists("out/data_batch_1.bin"));
    ck_assert_int_eq(clae_dataset_load(at("out"), CLAE_CIFAR_TRAIN, 32, 32, 3, &d), CLAE_OK);
    ck_assert_uint_eq(d.n, 3);
    clae_dataset_free(&d);
    /* 5 of them: CIFAR-10's layout, the other removed */
    write_image("src/train/cat/2.png", 32, 32, 3, 14);
    write_image("src/train/dog/1.png", 32, 32, 3, 15);
    ck_assert_int_eq(import("out", 2, 0, 0, 0, &r), CLAE_OK);
    ck_assert(r.cifar);
    ck_assert(!exists("out/train.safetensors") && !exists("out/test.safetensors") &&
              exists("out/data_batch_5.bin") && exists("out/test_batch.bin"));
    ck_assert_int_eq(clae_dataset_load(at("out"), CLAE_CIFAR_TEST, 32, 32, 3, &d), CLAE_OK);
    expect_planar(clae_dataset_pixels(&d, 0), 32, 32, 3, 13, "32x32 test");
    clae_dataset_free(&d);
    /* and back */
    write_image("src/train/cat/0.png", 64, 48, 3, 1);
    ck_assert_int_eq(import("out", 2, 48, 64, 0, &r), CLAE_OK);
    ck_assert(!exists("out/data_batch_1.bin") && !exists("out/test_batch.bin") &&
              exists("out/train.safetensors"));
    ck_assert_int_eq(count_entries(at("out")), 3);
}
END_TEST

/* --size 24,32: each image's centred window of aspect 24:32, scaled. Windows
 * of exactly 24x32 are copied (the crop alone checked to the byte); others
 * equal stb_image_resize of the window. */
START_TEST(test_data_import_size)
{
    write_image("src/train/a/0.png", 32, 24, 3, 1); /* already 24x32 */
    write_image("src/train/a/1.png", 48, 24, 3, 2); /* wide: columns 8..39 */
    write_image("src/train/a/2.png", 32, 40, 3, 3); /* tall: rows 8..31 */
    write_image("src/train/a/3.png", 64, 48, 3, 4); /* same aspect, twice: scaled */
    write_image("src/train/a/4.png", 17, 50, 3, 5); /* tall and small: cut and enlarged */
    write_image("src/test/a/0.png", 30, 20, 3, 6);
    write_bytes("src/train/a/readme.txt", "x", 1); /* skipped */
    clae_import_result r;
    ck_assert_int_eq(import("out", 3, 24, 32, 0, &r), CLAE_OK);
    ck_assert(!r.cifar && r.H == 24 && r.W == 32 && r.C == 3 && r.n_train == 5);
    ck_assert_uint_eq(r.skipped, 1);
    ck_assert_str_eq(r.first_skipped, at("src/train/a/readme.txt"));
    clae_dataset d;
    ck_assert_int_eq(clae_dataset_load(at("out"), CLAE_CIFAR_TRAIN, 24, 32, 3, &d), CLAE_OK);
    expect_planar(clae_dataset_pixels(&d, 0), 32, 24, 3, 1, "24x32 as it is");
    static uint8_t px[64 * 64 * 3], want[24 * 32 * 3];
    const int P = 24 * 32;
    pixels(px, 48, 24, 3, 2);
    for (int y = 0; y < 24; y++)
        for (int x = 0; x < 32; x++)
            for (int c = 0; c < 3; c++)
                ck_assert_int_eq(clae_dataset_pixels(&d, 1)[c * P + y * 32 + x],
                                 px[(y * 48 + x + 8) * 3 + c]);
    pixels(px, 32, 40, 3, 3);
    for (int y = 0; y < 24; y++)
        for (int x = 0; x < 32; x++)
            for (int c = 0; c < 3; c++)
                ck_assert_int_eq(clae_dataset_pixels(&d, 2)[c * P + y * 32 + x],
                                 px[((y + 8) * 32 + x) * 3 + c]);
    pixels(px, 64, 48, 3, 4);
    ck_assert(stbir_resize_uint8(px, 64, 48, 0, want, 32, 24, 0, 3));
    for (int p = 0; p < P; p++)
        for (int c = 0; c < 3; c++)
            ck_assert_int_eq(clae_dataset_pixels(&d, 3)[c * P + p], want[p * 3 + c]);
    /* 17 wide x 50 high: window 17 x round(17 * 24 / 32) = 13 rows from row 18 */
    pixels(px, 17, 50, 3, 5);
    ck_assert(stbir_resize_uint8(px + 18 * 17 * 3, 17, 13, 17 * 3, want, 32, 24, 0, 3));
    for (int p = 0; p < P; p++)
        for (int c = 0; c < 3; c++)
            ck_assert_int_eq(clae_dataset_pixels(&d, 4)[c * P + p], want[p * 3 + c]);
    clae_dataset_free(&d);
    printf("  --size 24,32: as-is, cropped wide and tall exact, scaled as stb_image_resize\n");
}
END_TEST

/* --channels: grey to RGB (repeated), RGB and RGBA to grey (stb's luma),
 * RGBA to RGB (alpha dropped); 32x32 grey is clae's layout. */
START_TEST(test_data_import_channels)
{
    write_image("src/train/a/0.png", 32, 32, 1, 1);
    write_image("src/train/a/1.png", 32, 32, 3, 2);
    write_image("src/train/a/2.png", 32, 32, 4, 3);
    write_image("src/train/a/3.png", 32, 32, 3, 5); /* 5: one a batch file */
    write_image("src/train/a/4.png", 32, 32, 3, 6);
    write_image("src/test/a/0.png", 32, 32, 1, 4);
    clae_import_result r;
    ck_assert_int_eq(import("rgb", 2, 0, 0, 3, &r), CLAE_OK);
    ck_assert(r.cifar && r.C == 3); /* 32x32x3: CIFAR-10's layout */
    clae_dataset d;
    ck_assert_int_eq(clae_cifar_load(at("rgb"), CLAE_CIFAR_TRAIN, &d), CLAE_OK);
    static uint8_t px[32 * 32 * 4];
    pixels(px, 32, 32, 1, 1);
    for (int p = 0; p < 1024; p++)
        for (int c = 0; c < 3; c++)
            ck_assert_int_eq(clae_dataset_pixels(&d, 0)[c * 1024 + p], px[p]);
    pixels(px, 32, 32, 4, 3);
    for (int p = 0; p < 1024; p++)
        for (int c = 0; c < 3; c++)
            ck_assert_int_eq(clae_dataset_pixels(&d, 2)[c * 1024 + p], px[p * 4 + c]);
    clae_dataset_free(&d);

    ck_assert_int_eq(import("grey", 2, 0, 0, 1, &r), CLAE_OK);
    ck_assert(!r.cifar && r.C == 1 && r.H == 32 && r.W == 32);
    ck_assert_int_eq(clae_dataset_load(at("grey"), CLAE_CIFAR_TRAIN, 32, 32, 1, &d), CLAE_OK);
    pixels(px, 32, 32, 1, 1);
    ck_assert_mem_eq(clae_dataset_pixels(&d, 0), px, 1024);
    pixels(px, 32, 32, 3, 2);
    for (int p = 0; p < 1024; p++) { /* stb_image's luma: (77 r + 150 g + 29 b) >> 8 */
        int y = (px[3 * p] * 77 + px[3 * p + 1] * 150 + px[3 * p + 2] * 29) >> 8;
        ck_assert_int_eq(clae_dataset_pixels(&d, 1)[p], y);
    }
    clae_dataset_free(&d);
    printf("  --channels 3 and 1: grey repeated, alpha dropped, luma as stb_image\n");
}
END_TEST

/* Files that are not images are skipped and counted, beside class folders too. */
START_TEST(test_data_import_skips)
{
    good_images();
    write_bytes("src/train/a/notes.txt", "hi", 2);
    write_bytes("src/train/README", "hi", 2);
    mkdir(at("src/train/b/sub"), 0777);
    write_bytes("src/test/a/Thumbs.db", "x", 1);
    write_bytes("src/train/a/.hidden.png", "not even an image", 17); /* ignored, not counted */
    clae_import_result r;
    ck_assert_int_eq(import("out", 2, 0, 0, 0, &r), CLAE_OK);
    ck_assert_uint_eq(r.skipped, 4);
    ck_assert_uint_eq(r.n_train, 2);
    ck_assert_uint_eq(r.n_test, 1);
    printf("  skipped %zu non-image files, the first %s\n", r.skipped, r.first_skipped);
    ck_assert_str_eq(r.first_skipped, at("src/train/README"));
}
END_TEST

START_TEST(test_data_import_rejects_layout)
{
    /* missing folder */
    expect_import_fails("out", CLAE_ERR_IO, "src/train", "cannot open: No such file or directory\n");
    /* a test class the train split does not have */
    good_images();
    write_image("src/test/zebra/0.png", 32, 32, 3, 1);
    expect_import_fails("out", CLAE_ERR_FORMAT, "src/test/zebra", "class 'zebra' has no folder");
    unlink(at("src/test/zebra/0.png"));
    rmdir(at("src/test/zebra"));
    /* an empty class folder, or one of non-image files only */
    mkdir(at("src/train/c"), 0777);
    expect_import_fails("out", CLAE_ERR_FORMAT, "src/train/c", "no images\n");
    write_bytes("src/train/c/notes.txt", "hi", 2);
    expect_import_fails("out", CLAE_ERR_FORMAT, "src/train/c", "no images\n");
    ck_assert_int_eq(access(at("out"), F_OK), -1);
}
END_TEST

/* ---- clae's layout: <dir>/train.safetensors, test.safetensors ---------- */

/* n images of H x W x C, pixel i of image k = k * 31 + i * 7, labels k % 3;
 * metadata as clae data import writes it, or none (nmeta 0) */
static void write_st(const char *rel, int n, int H, int W, int C, int nmeta)
{
    const size_t P = (size_t)C * H * W;
    uint8_t *im = malloc(n * P + 1), *lb = malloc((size_t)n + 1);
    ck_assert(im && lb);
    for (size_t k = 0; k < (size_t)n; k++) {
        lb[k] = (uint8_t)(k % 3);
        for (size_t i = 0; i < P; i++) im[k * P + i] = (uint8_t)(k * 31 + i * 7);
    }
    clae_st_tensor t[2] = {{"images", 4, {n, C, H, W}, im, CLAE_ST_U8},
                           {"labels", 1, {n}, lb, CLAE_ST_U8}};
    char h[16], w[16], c[16], cnt[16];
    snprintf(h, sizeof h, "%d", H), snprintf(w, sizeof w, "%d", W);
    snprintf(c, sizeof c, "%d", C), snprintf(cnt, sizeof cnt, "%d", n);
    const char *keys[6] = {"format", "height", "width", "channels", "count", "classes"};
    const char *vals[6] = {CLAE_DATA_FORMAT, h, w, c, cnt, "ant\nbee\ncat"};
    mkparents(rel);
    ck_assert_int_eq(clae_st_write(at(rel), t, 2, keys, vals, nmeta), CLAE_OK);
    free(im);
    free(lb);
}

/* A label past the classes the folder names (batches.meta.txt, or a clae
 * file's "classes" metadata) is refused, naming the file and the record;
 * without names any byte is a label. */
START_TEST(test_data_load_rejects_unnamed_labels)
{
    static uint8_t rec[4 * CLAE_CIFAR_RECORD];
    for (int k = 0; k < 4; k++) rec[k * CLAE_CIFAR_RECORD] = (uint8_t)(k % 2);
    for (int i = 1; i <= 5; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "bin/data_batch_%d.bin", i);
        if (i == 4) rec[2 * CLAE_CIFAR_RECORD] = 200; /* record 3 of data_batch_4.bin */
        write_bytes(rel, rec, sizeof rec);
        rec[2 * CLAE_CIFAR_RECORD] = 0;
    }
    clae_dataset d;
    ck_assert_int_eq(clae_cifar_load(at("bin"), CLAE_CIFAR_TRAIN, &d), CLAE_OK); /* no names */
    ck_assert_int_eq(clae_dataset_label(&d, 14), 200);
    clae_dataset_free(&d);
    write_bytes("bin/batches.meta.txt", "ant\nbee\n\n", 9); /* 2 names, a blank line after */
    capture_begin();
    clae_status st = clae_cifar_load(at("bin"), CLAE_CIFAR_TRAIN, &d);
    const char *err = capture_end();
    ck_assert_int_eq(st, CLAE_ERR_FORMAT);
    ck_assert_ptr_null(d.records);
    char want[1200];
    snprintf(want, sizeof want, "clae: %s: record 3 of 4 has label 200, but %s names 2 classes "
             "(labels 0 to 1)\n", at("bin/data_batch_4.bin"), at("bin/batches.meta.txt"));
    ck_assert_str_eq(err, want);
    rec[2 * CLAE_CIFAR_RECORD] = 1;
    write_bytes("bin/data_batch_4.bin", rec, sizeof rec);
    ck_assert_int_eq(clae_cifar_load(at("bin"), CLAE_CIFAR_TRAIN, &d), CLAE_OK);
    ck_assert_uint_eq(d.n, 20);
    clae_dataset_free(&d);

    /* clae's layout: labels 0, 1, 2; its metadata names 3 classes (and wins
     * over batches.meta.txt), a file without it takes batches.meta.txt's 2 */
    write_bytes("st/batches.meta.txt", "ant\nbee\n", 8);
    write_st("st/train.safetensors", 5, 4, 4, 1, 6);
    ck_assert_int_eq(clae_cifar_load(at("st"), CLAE_CIFAR_TRAIN, &d), CLAE_OK);
    clae_dataset_free(&d);
    write_st("st/test.safetensors", 5, 4, 4, 1, 0);
    capture_begin();
    st = clae_cifar_load(at("st"), CLAE_CIFAR_TEST, &d);
    err = capture_end();
    ck_assert_int_eq(st, CLAE_ERR_FORMAT);
    snprintf(want, sizeof want, "clae: %s: record 3 of 5 has label 2, but %s names 2 classes "
             "(labels 0 to 1)\n", at("st/test.safetensors"), at("st/batches.meta.txt"));
    ck_assert_str_eq(err, want);
    ck_assert_int_eq(clae_class_names_count("a\n \nb\r\n\n\n", 10), 3);
    ck_assert_int_eq(clae_class_names_count("", 0), 0);
}
END_TEST

START_TEST(test_data_load_clae_layout)
{
    write_st("st/train.safetensors", 5, 48, 64, 3, 6);
    write_st("st/test.safetensors", 2, 48, 64, 3, 0); /* no metadata: numpy's save_file */
    clae_dataset d;
    ck_assert_int_eq(clae_cifar_load(at("st"), CLAE_CIFAR_TRAIN, &d), CLAE_OK);
    ck_assert_uint_eq(d.n, 5);
    ck_assert(d.H == 48 && d.W == 64 && d.C == 3);
    ck_assert_uint_eq(clae_dataset_record_bytes(&d), 1 + 3 * 48 * 64);
    for (size_t k = 0; k < 5; k++) {
        ck_assert_int_eq(clae_dataset_label(&d, k), (int)(k % 3));
        const uint8_t *px = clae_dataset_pixels(&d, k);
        for (size_t i = 0; i < 3 * 48 * 64; i++)
            ck_assert_msg(px[i] == (uint8_t)(k * 31 + i * 7), "image %zu byte %zu", k, i);
    }
    clae_dataset_free(&d);
    ck_assert_int_eq(clae_dataset_load(at("st"), CLAE_CIFAR_TEST, 48, 64, 3, &d), CLAE_OK);
    ck_assert_uint_eq(d.n, 2);
    clae_dataset_free(&d);
    ck_assert_int_eq(clae_dataset_is_clae_layout(at("st"), CLAE_CIFAR_TRAIN), 1);
    ck_assert_int_eq(clae_dataset_is_clae_layout(at("nope"), CLAE_CIFAR_TRAIN), 0);
    printf("  clae layout: 5 + 2 images of 48x64x3 loaded, bytes and labels exact\n");

    /* the model's input differs: one line naming the folder and both shapes */
    capture_begin();
    clae_status st = clae_dataset_load(at("st"), CLAE_CIFAR_TRAIN, 32, 32, 3, &d);
    const char *err = capture_end();
    ck_assert_int_eq(st, CLAE_ERR_ARG);
    ck_assert_ptr_null(d.records);
    char want[600];
    snprintf(want, sizeof want, "clae: %s: the training images are 48x64x3 (HxWxC), the "
             "model's input is 32,32,3\n", at("st"));
    ck_assert_str_eq(err, want);
    /* CIFAR-10's files load as 32x32x3 */
    static uint8_t rec[2 * CLAE_CIFAR_RECORD];
    write_bytes("bin/test_batch.bin", rec, sizeof rec);
    ck_assert_int_eq(clae_dataset_load(at("bin"), CLAE_CIFAR_TEST, 32, 32, 3, &d), CLAE_OK);
    ck_assert(d.n == 2 && d.H == 32 && d.W == 32 && d.C == 3);
    clae_dataset_free(&d);
}
END_TEST

/* Every rejection: one line naming the file, nothing loaded, no crash. */
static void expect_load_fails(const char *dir_rel, int split, const char *named, const char *what)
{
    clae_dataset d = {(uint8_t *)1, 7, 1, 1, 1};
    capture_begin();
    clae_status st = clae_cifar_load(at(dir_rel), split, &d);
    const char *err = capture_end();
    ck_assert_int_ne(st, CLAE_OK);
    ck_assert_ptr_null(d.records);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_int_eq(count_lines(err), 1);
    char want[600];
    snprintf(want, sizeof want, "clae: %s: ", at(named));
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0 && strstr(err, what),
                  "got '%s', want '%s...%s'", err, want, what);
}

START_TEST(test_data_load_clae_layout_rejects)
{
    write_st("st/train.safetensors", 4, 6, 10, 1, 6);
    size_t len;
    {
        FILE *f = fopen(at("st/train.safetensors"), "rb");
        ck_assert_ptr_nonnull(f);
        fseek(f, 0, SEEK_END);
        len = (size_t)ftell(f);
        fclose(f);
    }
    /* truncated anywhere: in the length, the header or the images */
    static uint8_t full[4096];
    ck_assert_uint_le(len, sizeof full);
    FILE *f = fopen(at("st/train.safetensors"), "rb");
    ck_assert_uint_eq(fread(full, 1, len, f), len);
    fclose(f);
    const size_t cuts[] = {0, 5, 8, 40, len - 200, len - 1};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        write_bytes("cut/train.safetensors", full, cuts[c]);
        expect_load_fails("cut", CLAE_CIFAR_TRAIN, "cut/train.safetensors", "");
    }
    /* every byte of the header flipped in turn: never a crash, never a bad load */
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | full[i];
    fflush(stderr);
    int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    int loaded = 0;
    for (size_t i = 0; i < 8 + hlen; i++) {
        full[i] ^= 0x5a;
        write_bytes("flip/train.safetensors", full, len);
        clae_dataset d;
        if (clae_cifar_load(at("flip"), CLAE_CIFAR_TRAIN, &d) == CLAE_OK) {
            loaded++;
            ck_assert_uint_eq(d.n * clae_dataset_record_bytes(&d), 4 * 61);
            clae_dataset_free(&d);
        }
        full[i] ^= 0x5a;
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved), close(devnull);
    printf("  %llu header bytes flipped one at a time: %d still loaded (metadata text), no crash\n",
           (unsigned long long)(8 + hlen), loaded);

    /* well-formed safetensors that are not a dataset */
    float x[4] = {0};
    uint8_t u[64] = {0};
    clae_st_tensor t[3] = {{"images", 4, {1, 1, 2, 2}, x, CLAE_ST_F32},
                           {"labels", 1, {1}, u, CLAE_ST_U8},
                           {"extra", 1, {1}, u, CLAE_ST_U8}};
    mkparents("b1/train.safetensors");
    ck_assert_int_eq(clae_st_write(at("b1/train.safetensors"), t, 2, NULL, NULL, 0), CLAE_OK);
    expect_load_fails("b1", CLAE_CIFAR_TRAIN, "b1/train.safetensors",
                      "expected two U8 tensors, images (N,C,H,W) and labels (N)\n");
    t[0] = (clae_st_tensor){"images", 4, {1, 1, 2, 2}, u, CLAE_ST_U8};
    ck_assert_int_eq(clae_st_write(at("b1/train.safetensors"), t, 3, NULL, NULL, 0), CLAE_OK);
    expect_load_fails("b1", CLAE_CIFAR_TRAIN, "b1/train.safetensors", "expected two U8 tensors");
    ck_assert_int_eq(clae_st_write(at("b1/train.safetensors"), t + 1, 1, NULL, NULL, 0), CLAE_OK);
    expect_load_fails("b1", CLAE_CIFAR_TRAIN, "b1/train.safetensors", "tensor images is missing\n");
    /* the labels' entry gone from the header, their byte still there */
    ck_assert_int_eq(clae_st_write(at("b1/train.safetensors"), t, 1, NULL, NULL, 0), CLAE_OK);
    FILE *fp = fopen(at("b1/train.safetensors"), "ab");
    ck_assert(fp && fputc(7, fp) == 7 && fclose(fp) == 0);
    expect_load_fails("b1", CLAE_CIFAR_TRAIN, "b1/train.safetensors", "tensor labels is missing\n");
    t[1].shape[0] = 2; /* 2 labels, 1 image */
    ck_assert_int_eq(clae_st_write(at("b1/train.safetensors"), t, 2, NULL, NULL, 0), CLAE_OK);
    expect_load_fails("b1", CLAE_CIFAR_TRAIN, "b1/train.safetensors", "2 labels for 1 images\n");
    t[0].shape[0] = t[1].shape[0] = 0;
    ck_assert_int_eq(clae_st_write(at("b1/train.safetensors"), t, 2, NULL, NULL, 0), CLAE_OK);
    expect_load_fails("b1", CLAE_CIFAR_TRAIN, "b1/train.safetensors", "no records in the train split");
    t[0] = (clae_st_tensor){"images", 4, {1, 5, 2, 2}, u, CLAE_ST_U8}; /* 5 channels */
    t[1].shape[0] = 1;
    ck_assert_int_eq(clae_st_write(at("b1/train.safetensors"), t, 2, NULL, NULL, 0), CLAE_OK);
    expect_load_fails("b1", CLAE_CIFAR_TRAIN, "b1/train.safetensors", "images of 2x2x5 (HxWxC)");
    t[0].shape[1] = 1;
    const char *k1[1] = {"height"}, *v1[1] = {"3"};
    ck_assert_int_eq(clae_st_write(at("b1/train.safetensors"), t, 2, k1, v1, 1), CLAE_OK);
    expect_load_fails("b1", CLAE_CIFAR_TRAIN, "b1/train.safetensors",
                      "metadata height = '3' does not match the images' shape (2)\n");
    const char *k2[1] = {"format"}, *v2[1] = {"something-else"};
    ck_assert_int_eq(clae_st_write(at("b1/train.safetensors"), t, 2, k2, v2, 1), CLAE_OK);
    expect_load_fails("b1", CLAE_CIFAR_TRAIN, "b1/train.safetensors", "format 'something-else'");
    /* both layouts of a split in one folder */
    write_st("both/test.safetensors", 1, 2, 2, 1, 0);
    static uint8_t rec[CLAE_CIFAR_RECORD];
    write_bytes("both/test_batch.bin", rec, sizeof rec);
    expect_load_fails("both", CLAE_CIFAR_TEST, "both",
                      "holds both test.safetensors and test_batch.bin");
}
END_TEST

/* Class sets: "all", lists, bad text; keeping a dataset's classes in place. */
START_TEST(test_data_classes)
{
    clae_classes c;
    ck_assert(clae_classes_parse("all", &c) && clae_classes_empty(&c));
    ck_assert(clae_classes_has(&c, 7));
    ck_assert(clae_classes_parse("3", &c) && !clae_classes_empty(&c));
    ck_assert(clae_classes_has(&c, 3) && !clae_classes_has(&c, 2));
    ck_assert(clae_classes_parse(" 9, 0,200", &c));
    char buf[64];
    clae_classes_format(&c, buf, sizeof buf);
    ck_assert_str_eq(buf, "0,9,200");
    static const char *const BAD[] = {"", ",", "1,", ",1", "256", "-1", "a", "1;2", "1 2",
                                      "000000001", "All"};
    clae_classes keep = c;
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        ck_assert_msg(!clae_classes_parse(BAD[i], &c), "'%s' accepted", BAD[i]);
        ck_assert_mem_eq(&c, &keep, sizeof c); /* untouched */
    }
    clae_dataset d = {.n = 6, .H = 32, .W = 32, .C = 3};
    d.records = calloc(6, CLAE_CIFAR_RECORD);
    ck_assert_ptr_nonnull(d.records);
    for (size_t i = 0; i < 6; i++) {
        d.records[i * CLAE_CIFAR_RECORD] = (uint8_t)(i % 3); /* labels 0 1 2 0 1 2 */
        d.records[i * CLAE_CIFAR_RECORD + 1] = (uint8_t)(10 + i); /* a pixel to follow */
    }
    ck_assert(clae_classes_parse("2,0", &c));
    ck_assert_uint_eq(clae_dataset_keep_classes(&d, &c), 4);
    static const int want_label[4] = {0, 2, 0, 2}, want_px[4] = {10, 12, 13, 15};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(clae_dataset_label(&d, i), want_label[i]);
        ck_assert_int_eq(clae_dataset_pixels(&d, i)[0], want_px[i]);
    }
    ck_assert(clae_classes_parse("all", &c));
    ck_assert_uint_eq(clae_dataset_keep_classes(&d, &c), 4);
    clae_dataset_free(&d);
}
END_TEST

static Suite *data_suite(void)
{
    Suite *s = suite_create("data");
    TCase *tc = tcase_create("cifar");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_data_import_load_roundtrip);
    tcase_add_test(tc, test_data_import_equal_files);
    tcase_add_test(tc, test_data_load_rejects_truncated);
    tcase_add_test(tc, test_data_load_rejects_too_many_records);
    tcase_add_test(tc, test_data_import_rejects_size);
    tcase_add_test(tc, test_data_import_rejects_channels);
    tcase_add_test(tc, test_data_import_rejects_garbage);
    tcase_add_test(tc, test_data_import_rejects_garbage_first);
    tcase_add_test(tc, test_data_import_any_size);
    tcase_add_test(tc, test_data_import_size);
    tcase_add_test(tc, test_data_import_channels);
    tcase_add_test(tc, test_data_import_skips);
    tcase_add_test(tc, test_data_import_rejects_layout);
    tcase_add_test(tc, test_data_classes);
    tcase_add_test(tc, test_data_load_clae_layout);
    tcase_add_test(tc, test_data_load_rejects_unnamed_labels);
    tcase_add_test(tc, test_data_load_clae_layout_rejects);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(data_suite());
}
