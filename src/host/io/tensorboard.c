/* TensorBoard event files; see include/clae/tensorboard.h.
 *
 * The protobuf messages (tensorflow.Event, Summary, Summary.Value,
 * Summary.Image, SessionLog; tensorboard/compat/proto/event.proto and
 * summary.proto) are encoded here by hand: this is a writer of a handful of
 * fixed fields (varints, a double, a float, strings), not a parser, and
 * computing each message's size first lets a whole record be built in one
 * buffer and appended with one write. A protobuf library (libprotobuf-c)
 * would bring generated code and a build step for these dozen lines. */
#include "clae/tensorboard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clae/crc32c.h"
#include "clae/fs.h"

uint32_t clae_tb_masked_crc(const void *data, size_t n)
{
    uint32_t c = clae_crc32c(0, data, n);
    return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) p[i] = (uint8_t)(v >> (8 * i));
}

void clae_tb_frame(const void *data, size_t n, uint8_t *out)
{
    memmove(out + 12, data, n);
    put_le(out, (uint64_t)n, 8);
    put_le(out + 8, clae_tb_masked_crc(out, 8), 4);
    put_le(out + 12 + n, clae_tb_masked_crc(out + 12, n), 4);
}

double clae_tb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- protobuf, the few fields used --------------------------------------- */

enum { WIRE_VARINT = 0, WIRE_64 = 1, WIRE_LEN = 2, WIRE_32 = 5 };

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static uint8_t *put_key(uint8_t *p, int field, int wire)
{
    return put_varint(p, (uint64_t)(field << 3 | wire));
}

/* a length-delimited field's key and length (its n bytes follow) */
static uint8_t *put_len(uint8_t *p, int field, size_t n)
{
    return put_varint(put_key(p, field, WIRE_LEN), n);
}

static size_t len_field(size_t n) { return 1 + varint_len(n) + n; } /* fields 1 to 15 */

static uint8_t *put_bytes(uint8_t *p, int field, const void *data, size_t n)
{
    p = put_len(p, field, n);
    memcpy(p, data, n);
    return p + n;
}

/* Summary.Image { height 1, width 2, colorspace 3, encoded_image_string 4 } */
static size_t image_size(const clae_tb_value *v)
{
    return 1 + varint_len((uint64_t)v->height) + 1 + varint_len((uint64_t)v->width) + 1 +
           varint_len((uint64_t)v->channels) + len_field(v->png_len);
}

/* Summary.Value { tag 1, simple_value 2 (float) | image 4 } */
static size_t value_size(const clae_tb_value *v)
{
    return len_field(strlen(v->tag)) + (v->png ? len_field(image_size(v)) : 1 + 4);
}

static uint8_t *put_value(uint8_t *p, const clae_tb_value *v)
{
    p = put_len(p, 1, value_size(v));
    p = put_bytes(p, 1, v->tag, strlen(v->tag));
    if (!v->png) {
        uint32_t bits;
        memcpy(&bits, &v->scalar, 4);
        p = put_key(p, 2, WIRE_32);
        put_le(p, bits, 4);
        return p + 4;
    }
    p = put_len(p, 4, image_size(v));
    p = put_varint(put_key(p, 1, WIRE_VARINT), (uint64_t)v->height);
    p = put_varint(put_key(p, 2, WIRE_VARINT), (uint64_t)v->width);
    p = put_varint(put_key(p, 3, WIRE_VARINT), (uint64_t)v->channels);
    return put_bytes(p, 4, v->png, v->png_len);
}

/* Event { wall_time 1 (double), step 2 (int64) } and the rest after it */
static uint8_t *put_event_head(uint8_t *p, double wall, long step)
{
    uint64_t bits;
    memcpy(&bits, &wall, 8);
    p = put_key(p, 1, WIRE_64);
    put_le(p, bits, 8);
    p += 8;
    return put_varint(put_key(p, 2, WIRE_VARINT), (uint64_t)step);
}

static size_t event_head_size(long step) { return 1 + 8 + 1 + varint_len((uint64_t)step); }

/* ---- the file ------------------------------------------------------------- */

/* Append the record in rec (its event at rec + 12, n bytes): framed, one
 * write; a failed write is cut off again so the file ends on a whole record. */
static clae_status append_record(clae_tb_writer *w, uint8_t *rec, size_t n)
{
    if (w->fd < 0) {
        errno = EBADF;
        return CLAE_ERR_IO;
    }
    clae_tb_frame(rec + 12, n, rec);
    off_t end = lseek(w->fd, 0, SEEK_END);
    size_t done = 0, total = n + 16;
    while (done < total) {
        ssize_t k = write(w->fd, rec + done, total - done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            int e = k < 0 ? errno : EIO;
            if (end >= 0) (void)ftruncate(w->fd, end);
            errno = e;
            return CLAE_ERR_IO;
        }
        done += (size_t)k;
    }
    return CLAE_OK;
}

/* "host" with anything but letters, digits, '-' and '_' as '_' */
static void host_name(char *buf, size_t len)
{
    if (gethostname(buf, len) != 0) snprintf(buf, len, "localhost");
    buf[len - 1] = '\0';
    for (char *c = buf; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_'))
            *c = '_';
}

clae_status clae_tb_open(clae_tb_writer *w, const char *dir)
{
    w->fd = -1;
    snprintf(w->path, sizeof w->path, "%s", dir);
    if (clae_mkdir_p(dir, 0755) != 0) return CLAE_ERR_IO;
    char host[128];
    host_name(host, sizeof host);
    long when = (long)time(NULL);
    for (int k = 0; k < 100 && w->fd < 0; k++) {
        int len = snprintf(w->path, sizeof w->path, "%s/events.out.tfevents.%010ld.%s.%ld.clae",
                           dir, when, host, (long)getpid());
        if (k > 0) snprintf(w->path + len, sizeof w->path - (size_t)len, ".%d", k);
        w->fd = open(w->path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
        if (w->fd < 0 && errno != EEXIST) return CLAE_ERR_IO;
    }
    if (w->fd < 0) return CLAE_ERR_IO;
    static const char version[] = "brain.Event:2";
    size_t n = event_head_size(0) + len_field(sizeof version - 1);
    uint8_t rec[64];
    uint8_t *p = put_event_head(rec + 12, clae_tb_now(), 0);
    put_bytes(p, 3, version, sizeof version - 1);
    clae_status st = append_record(w, rec, n);
    if (st != CLAE_OK) {
        int e = errno;
        clae_tb_close(w);
        errno = e;
    }
    return st;
}

clae_status clae_tb_write_summary(clae_tb_writer *w, double wall, long step,
                                  const clae_tb_value *v, int n)
{
    size_t sum = 0;
    for (int i = 0; i < n; i++) sum += len_field(value_size(&v[i]));
    size_t ev = event_head_size(step) + len_field(sum);
    if (ev > CLAE_TB_MAX_RECORD) {
        errno = EFBIG;
        return CLAE_ERR_IO;
    }
    uint8_t *rec = malloc(ev + 16);
    if (!rec) return CLAE_ERR_NOMEM;
    uint8_t *p = put_event_head(rec + 12, wall, step);
    p = put_len(p, 5, sum);
    for (int i = 0; i < n; i++) p = put_value(p, &v[i]);
    clae_status st = append_record(w, rec, ev);
    free(rec);
    return st;
}

clae_status clae_tb_write_session_start(clae_tb_writer *w, double wall, long step)
{
    uint8_t rec[64];
    uint8_t *p = put_event_head(rec + 12, wall, step);
    p = put_len(p, 7, 2); /* session_log 7: SessionLog { status 1 = START (1) } */
    p = put_varint(put_key(p, 1, WIRE_VARINT), 1);
    return append_record(w, rec, (size_t)(p - (rec + 12)));
}

clae_status clae_tb_flush(clae_tb_writer *w)
{
    if (w->fd < 0) {
        errno = EBADF;
        return CLAE_ERR_IO;
    }
    return fsync(w->fd) == 0 ? CLAE_OK : CLAE_ERR_IO;
}

void clae_tb_close(clae_tb_writer *w)
{
    if (w->fd >= 0) close(w->fd);
    w->fd = -1;
}
