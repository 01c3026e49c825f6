/* TensorBoard event files (src/host/io/tensorboard.c) and a run's log
 * (src/host/train/tensorboard_log.c), read back here in C: the TFRecord
 * framing and its masked CRC-32C against known answers, whole records
 * byte for byte against what TensorBoard's own protobuf classes encode
 * (tensorboard.compat.proto.event_pb2, framed with its masked_crc32c; the
 * bytes below were made by that code, not by clae), a failed write cut off
 * again, and the scalars and image of an epoch. tests/cli_more_tensorboard.sh
 * reads a training run's files with the tensorboard package itself. */
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clae/tensorboard.h"
#include "clae/tensorboard_log.h"
#include "testutil.h"

static char g_dir[64];

/* ---- reading records back ------------------------------------------------- */

typedef struct file_buf {
    uint8_t *p;
    size_t n;
} file_buf;

static file_buf slurp(const char *path)
{
    file_buf b = {0};
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s: cannot open", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long len = ftell(f);
    ck_assert(len >= 0);
    b.p = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(b.p);
    rewind(f);
    ck_assert_uint_eq(fread(b.p, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    b.n = (size_t)len;
    return b;
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* The records of b, each checked (length, both CRCs): their count; the k-th's
 * offset and length into at[k], len[k] (k < 16). */
static int records(const file_buf *b, size_t *at, size_t *len)
{
    size_t off = 0;
    int k = 0;
    while (off < b->n) {
        ck_assert_msg(b->n - off >= 16, "a torn record at byte %zu", off);
        uint64_t n = get_le(b->p + off, 8);
        ck_assert_msg(n <= b->n - off - 16, "record %d: length %llu past the end", k,
                      (unsigned long long)n);
        ck_assert_uint_eq(get_le(b->p + off + 8, 4), clae_tb_masked_crc(b->p + off, 8));
        ck_assert_uint_eq(get_le(b->p + off + 12 + n, 4),
                          clae_tb_masked_crc(b->p + off + 12, (size_t)n));
        if (k < 16) {
            at[k] = off + 12;
            len[k] = (size_t)n;
        }
        off += 16 + (size_t)n;
        k++;
    }
    return k;
}

/* The one event file in dir: its path into path. */
static void only_event_file(const char *dir, char *path, size_t len)
{
    DIR *dh = opendir(dir);
    ck_assert_msg(dh != NULL, "%s: no folder", dir);
    struct dirent *e;
    int found = 0;
    while ((e = readdir(dh)) != NULL) {
        if (strncmp(e->d_name, "events.out.tfevents.", 20) != 0) continue;
        snprintf(path, len, "%s/%s", dir, e->d_name);
        found++;
    }
    closedir(dh);
    ck_assert_int_eq(found, 1);
}

static int contains(const uint8_t *p, size_t n, const void *s, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(p + i, s, m) == 0) return 1;
    return 0;
}

/* ---- known answers --------------------------------------------------------- */

START_TEST(test_masked_crc_known)
{
    /* CRC-32C masked as TFRecord does; tensorboard.compat.tensorflow_stub.
     * pywrap_tensorflow.masked_crc32c gives the same */
    ck_assert_uint_eq(clae_tb_masked_crc("", 0), 0xa282ead8u);
    ck_assert_uint_eq(clae_tb_masked_crc("a", 1), 0x28e46e78u);
    ck_assert_uint_eq(clae_tb_masked_crc("123456789", 9), 0xc78ab0e5u);
    ck_assert_uint_eq(clae_tb_masked_crc("brain.Event:2", 13), 0x7c0601eeu);
    static const uint8_t len9[8] = {9};
    ck_assert_uint_eq(clae_tb_masked_crc(len9, 8), 0x3971f937u);
    /* the record of "a": length 1, its CRC, 'a', its CRC (little-endian) */
    static const uint8_t want[17] = {0x01, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x75, 0xde, 0x41,
                                     'a',  0x78, 0x6e, 0xe4, 0x28};
    uint8_t rec[17];
    clae_tb_frame("a", 1, rec);
    ck_assert_mem_eq(rec, want, sizeof want);
}
END_TEST

/* Event(wall_time=1.5, step=3, summary: Value(tag="x", simple_value=2.0)) */
static const uint8_t SCALAR_REC[] = {
    0x17, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe7, 0xce, 0xf8, 0x1e, 0x09,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x3f, 0x10, 0x03, 0x2a, 0x0a, 0x0a,
    0x08, 0x0a, 0x01, 0x78, 0x15, 0x00, 0x00, 0x00, 0x40, 0x3c, 0x97, 0x4a, 0x1f};
/* Event(wall_time=2.0, step=300, session_log: SessionLog(status=START)) */
static const uint8_t START_REC[] = {
    0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x95, 0xfb, 0xfe, 0x18, 0x09, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x10, 0xac, 0x02, 0x3a, 0x02, 0x08, 0x01, 0x12, 0x92,
    0xda, 0x01};
/* Event(wall_time=1.0, step=1, summary: Value(tag="im", image: Image(height=2,
 * width=3, colorspace=3, encoded_image_string=b"PNG"))) */
static const uint8_t IMAGE_REC[] = {
    0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x29, 0xed, 0xa9, 0x50, 0x09, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f, 0x10, 0x01, 0x2a, 0x13, 0x0a, 0x11, 0x0a, 0x02, 0x69,
    0x6d, 0x22, 0x0b, 0x08, 0x02, 0x10, 0x03, 0x18, 0x03, 0x22, 0x03, 0x50, 0x4e, 0x47, 0x0f,
    0x79, 0x4d, 0x6b};

START_TEST(test_records_as_tensorboard_encodes_them)
{
    char dir[128], path[1300];
    snprintf(dir, sizeof dir, "%s/known/tb", g_dir); /* parents made */
    clae_tb_writer w;
    ck_assert_int_eq(clae_tb_open(&w, dir), CLAE_OK);
    ck_assert(strstr(w.path, "/events.out.tfevents.") != NULL);
    clae_tb_value x = {.tag = "x", .scalar = 2.0f};
    ck_assert_int_eq(clae_tb_write_summary(&w, 1.5, 3, &x, 1), CLAE_OK);
    ck_assert_int_eq(clae_tb_write_session_start(&w, 2.0, 300), CLAE_OK);
    clae_tb_value im = {.tag = "im", .png = (const uint8_t *)"PNG", .png_len = 3, .height = 2,
                        .width = 3, .channels = 3};
    ck_assert_int_eq(clae_tb_write_summary(&w, 1.0, 1, &im, 1), CLAE_OK);
    ck_assert_int_eq(clae_tb_flush(&w), CLAE_OK);
    snprintf(path, sizeof path, "%s", w.path);
    clae_tb_close(&w);

    file_buf b = slurp(path);
    size_t at[16], len[16];
    ck_assert_int_eq(records(&b, at, len), 4);
    /* first: wall_time (field 1, a double), step 0, file_version "brain.Event:2" */
    ck_assert_uint_eq(b.p[at[0]], 0x09);
    ck_assert(contains(b.p + at[0], len[0], "\x1a\x0d" "brain.Event:2", 15));
    double wall;
    memcpy(&wall, b.p + at[0] + 1, 8);
    ck_assert(wall > 1.5e9 && wall < 1e10); /* Unix seconds */
    size_t off = at[1] - 12;
    ck_assert_mem_eq(b.p + off, SCALAR_REC, sizeof SCALAR_REC);
    off += sizeof SCALAR_REC;
    ck_assert_mem_eq(b.p + off, START_REC, sizeof START_REC);
    off += sizeof START_REC;
    ck_assert_mem_eq(b.p + off, IMAGE_REC, sizeof IMAGE_REC);
    ck_assert_uint_eq(off + sizeof IMAGE_REC, b.n);
    free(b.p);
}
END_TEST

/* A write that fails half-way (the file-size limit, as a full disk would)
 * is cut off again: the file ends on its last whole record. */
START_TEST(test_failed_write_leaves_whole_records)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/torn", g_dir);
    pid_t c = fork();
    ck_assert(c >= 0);
    if (c == 0) {
        clae_tb_writer w;
        if (clae_tb_open(&w, dir) != CLAE_OK) _exit(10);
        clae_tb_value x = {.tag = "x", .scalar = 1.0f};
        if (clae_tb_write_summary(&w, 1.0, 1, &x, 1) != CLAE_OK) _exit(11);
        struct stat st;
        if (fstat(w.fd, &st) != 0) _exit(12);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {.rlim_cur = (rlim_t)st.st_size + 100,
                            .rlim_max = (rlim_t)st.st_size + 100};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(13);
        static uint8_t big[5000];
        clae_tb_value im = {.tag = "im", .png = big, .png_len = sizeof big, .height = 1,
                            .width = 1, .channels = 1};
        if (clae_tb_write_summary(&w, 2.0, 2, &im, 1) == CLAE_OK) _exit(14);
        /* a small one still fits after the cut */
        if (clae_tb_write_summary(&w, 3.0, 3, &x, 1) != CLAE_OK) _exit(15);
        clae_tb_close(&w);
        _exit(0);
    }
    int status;
    ck_assert_int_eq(waitpid(c, &status, 0), c);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: status %d", status);
    char path[1300];
    only_event_file(dir, path, sizeof path);
    file_buf b = slurp(path);
    size_t at[16], len[16];
    ck_assert_int_eq(records(&b, at, len), 3); /* version, x at 1, x at 3 */
    ck_assert_uint_eq(b.p[at[2] + 10], 3);     /* step 3: after wall_time, key 0x10 */
    free(b.p);
}
END_TEST

/* ---- a run's log ------------------------------------------------------------ */

static clae_train_event epoch_event(long epoch, double val, unsigned mask, const double *tt,
                                    const double *vt)
{
    return (clae_train_event){.kind = CLAE_TRAIN_EPOCH, .epoch = epoch, .epochs = 9,
                              .train_loss = 0.5, .val_loss = val, .val_psnr = NAN,
                              .val_accuracy = NAN, .images_per_s = 1000.0, .lr = 0.001,
                              .next_lr = 0.001, .term_mask = mask, .train_terms = tt,
                              .val_terms = vt};
}

START_TEST(test_log_epochs)
{
    char out[128], tb[160], path[1300], png[160];
    snprintf(out, sizeof out, "%s/run", g_dir);
    snprintf(tb, sizeof tb, "%s/tb", out);
    snprintf(png, sizeof png, "%s/x.png", g_dir);
    /* a 1x1 grey PNG (Python's zlib made it) */
    static const uint8_t PNG1[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
        0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00,
        0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78,
        0x9c, 0x63, 0x68, 0x00, 0x00, 0x00, 0x82, 0x00, 0x81, 0x77, 0xcd, 0x72, 0xb6, 0x00,
        0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    FILE *f = fopen(png, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(PNG1, 1, sizeof PNG1, f), sizeof PNG1);
    ck_assert_int_eq(fclose(f), 0);

    clae_tb_log l;
    clae_tb_log_init(&l, out);
    const double tt[CLAE_NTERMS] = {0.25, 0.125}, vt[CLAE_NTERMS] = {0.375, 0.0625};
    clae_train_event start = {.kind = CLAE_TRAIN_START, .epochs = 9};
    clae_tb_log_event(&l, &start, NULL); /* a new run: nothing yet */
    ck_assert_int_eq(l.w.fd, -1);
    clae_train_event e = epoch_event(3, NAN, 0x3u, tt, NULL); /* no validation */
    clae_train_event saved = {.kind = CLAE_TRAIN_SAVED, .epoch = 3, .epochs = 9};
    clae_tb_log_event(&l, &e, NULL);
    clae_tb_log_event(&l, &saved, png);
    e = epoch_event(4, 0.75, 0x3u, tt, vt);
    saved.epoch = 4;
    clae_tb_log_event(&l, &e, NULL);
    clae_tb_log_event(&l, &saved, NULL);
    clae_tb_log_event(&l, &saved, NULL); /* a second SAVED writes nothing */
    ck_assert_int_eq(l.failed, 0);
    clae_tb_log_close(&l);

    only_event_file(tb, path, sizeof path);
    file_buf b = slurp(path);
    size_t at[16], len[16];
    ck_assert_int_eq(records(&b, at, len), 4); /* version, START at 3, epochs 3 and 4 */
    ck_assert(contains(b.p + at[1], len[1], "\x10\x03\x3a\x02\x08\x01", 6));
    ck_assert(contains(b.p + at[2], len[2], "\x10\x03\x2a", 3)); /* step 3, a summary */
    ck_assert(contains(b.p + at[3], len[3], "\x10\x04\x2a", 3));
    /* epoch 3: no val/loss (NAN), the terms of train only, the image */
    const char *in3[] = {"train/loss", "train/lr", "train/images_per_s", "train/reconstruction",
                         "train/kl", "samples"};
    for (size_t i = 0; i < sizeof in3 / sizeof in3[0]; i++)
        ck_assert_msg(contains(b.p + at[2], len[2], in3[i], strlen(in3[i])), "%s", in3[i]);
    ck_assert(!contains(b.p + at[2], len[2], "val/", 4));
    ck_assert(!contains(b.p + at[2], len[2], "psnr", 4));
    ck_assert(contains(b.p + at[2], len[2], PNG1, sizeof PNG1));
    /* epoch 4: val/loss = 0.75 (a float), val/kl; no image */
    const float v75 = 0.75f;
    uint8_t val_loss[16] = {0x0a, 0x08};
    memcpy(val_loss + 2, "val/loss", 8);
    val_loss[10] = 0x15;
    memcpy(val_loss + 11, &v75, 4);
    ck_assert(contains(b.p + at[3], len[3], val_loss, 15));
    ck_assert(contains(b.p + at[3], len[3], "val/kl", 6));
    ck_assert(!contains(b.p + at[3], len[3], "samples", 7));
    free(b.p);

    /* --overwrite's removal */
    clae_tb_log_remove(out);
    DIR *dh = opendir(tb);
    ck_assert_ptr_nonnull(dh);
    struct dirent *d;
    while ((d = readdir(dh)) != NULL) ck_assert_msg(d->d_name[0] == '.', "%s left", d->d_name);
    closedir(dh);
}
END_TEST

/* A resumed run's file starts at the epoch it resumes, written again from
 * the checkpoint's history line (-1: left out), then goes on. */
START_TEST(test_log_resume_writes_its_epoch_again)
{
    char out[128], tb[160], path[1300];
    snprintf(out, sizeof out, "%s/resumed", g_dir);
    snprintf(tb, sizeof tb, "%s/tb", out);
    clae_tb_log l;
    clae_tb_log_init(&l, out);
    clae_tb_log_resume(&l, 2,
                       "{\"epoch\": 2, \"train_loss\": 0.5, \"val_loss\": 0.75, "
                       "\"val_psnr\": -1, \"val_accuracy\": 0.25, \"images_per_s\": 100, "
                       "\"seconds\": 1, \"steps\": 8, \"lr\": 0.001, \"terms\": "
                       "{\"reconstruction\": 0.4, \"kl\": 0.1}, \"val_terms\": "
                       "{\"reconstruction\": 0.6, \"kl\": 0.15}}");
    const double tt[CLAE_NTERMS] = {0.25, 0.125}, vt[CLAE_NTERMS] = {0.375, 0.0625};
    clae_train_event start = {.kind = CLAE_TRAIN_START, .epochs = 9};
    clae_tb_log_event(&l, &start, NULL);
    /* written at once (a run killed before its first epoch ends keeps it) */
    only_event_file(tb, path, sizeof path);
    file_buf b = slurp(path);
    size_t at[16], len[16];
    ck_assert_int_eq(records(&b, at, len), 3);
    free(b.p);
    clae_train_event e = epoch_event(3, 0.5, 0x3u, tt, vt);
    clae_train_event saved = {.kind = CLAE_TRAIN_SAVED, .epoch = 3, .epochs = 9};
    clae_tb_log_event(&l, &e, NULL);
    clae_tb_log_event(&l, &saved, NULL);
    ck_assert_int_eq(l.failed, 0);
    clae_tb_log_close(&l);

    only_event_file(tb, path, sizeof path);
    b = slurp(path);
    ck_assert_int_eq(records(&b, at, len), 4); /* version, START at 2, epochs 2 and 3 */
    ck_assert(contains(b.p + at[1], len[1], "\x10\x02\x3a\x02\x08\x01", 6));
    ck_assert(contains(b.p + at[2], len[2], "\x10\x02\x2a", 3));
    ck_assert(contains(b.p + at[3], len[3], "\x10\x03\x2a", 3));
    const char *in2[] = {"train/loss", "val/loss", "val/accuracy", "train/lr",
                         "train/images_per_s", "train/reconstruction", "train/kl",
                         "val/reconstruction", "val/kl"};
    for (size_t i = 0; i < sizeof in2 / sizeof in2[0]; i++)
        ck_assert_msg(contains(b.p + at[2], len[2], in2[i], strlen(in2[i])), "%s", in2[i]);
    ck_assert(!contains(b.p + at[2], len[2], "psnr", 4)); /* -1: not measured */
    const float v15 = 0.15f;
    uint8_t val_kl[14] = {0x0a, 0x06};
    memcpy(val_kl + 2, "val/kl", 6);
    val_kl[8] = 0x15;
    memcpy(val_kl + 9, &v15, 4);
    ck_assert(contains(b.p + at[2], len[2], val_kl, 13));
    free(b.p);
}
END_TEST

/* A log that cannot write (OUT/tb is a file): one warning, then off. */
START_TEST(test_log_failure_is_a_warning)
{
    char out[128], tb[160];
    snprintf(out, sizeof out, "%s/blocked", g_dir);
    snprintf(tb, sizeof tb, "%s/tb", out);
    ck_assert_int_eq(mkdir(out, 0755), 0);
    FILE *f = fopen(tb, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    clae_tb_log l;
    clae_tb_log_init(&l, out);
    clae_train_event e = epoch_event(1, 0.5, 1u, NULL, NULL);
    clae_train_event saved = {.kind = CLAE_TRAIN_SAVED, .epoch = 1, .epochs = 9};
    clae_tb_log_event(&l, &e, NULL);
    clae_tb_log_event(&l, &saved, NULL);
    ck_assert_int_eq(l.failed, 1);
    clae_tb_log_close(&l);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("tensorboard");
    TCase *tc = tcase_create("tensorboard");
    tcase_add_test(tc, test_masked_crc_known);
    tcase_add_test(tc, test_records_as_tensorboard_encodes_them);
    tcase_add_test(tc, test_failed_write_leaves_whole_records);
    tcase_add_test(tc, test_log_epochs);
    tcase_add_test(tc, test_log_resume_writes_its_epoch_again);
    tcase_add_test(tc, test_log_failure_is_a_warning);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/clae-tb-XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = tu_run(suite());
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
    return rc;
}
