/* TensorBoard event files (src/host/io/tensorboard.c): what `tensorboard
 * --logdir` reads. A file is a sequence of TFRecords, each
 *   uint64 length, uint32 masked CRC-32C of those 8 bytes,
 *   length bytes of data, uint32 masked CRC-32C of the data
 * (little-endian; mask: ((crc >> 15) | (crc << 17)) + 0xa282ead8), whose data
 * is a protobuf-encoded tensorflow.Event: the first record's file_version
 * "brain.Event:2", then summaries of scalars (simple_value) and PNG images,
 * and a SessionLog START where a resumed run takes up its steps again.
 * Records are appended whole with one write(2) each: a process killed
 * mid-record leaves every earlier record intact (readers stop at a torn
 * last one). */
#ifndef CLAE_TENSORBOARD_H
#define CLAE_TENSORBOARD_H

#include <stddef.h>
#include <stdint.h>

#include "clae/status.h"

/* The largest event record this writer makes (an image's PNG and the rest). */
#define CLAE_TB_MAX_RECORD (64u << 20)

/* The masked CRC-32C of data[0..n) that TFRecord framing stores:
 * of "" 0xa282ead8, of "a" 0x28e46e78 (tests/test_tensorboard.c). */
uint32_t clae_tb_masked_crc(const void *data, size_t n);

/* The TFRecord of data[0..n) into out (n + 16 bytes). */
void clae_tb_frame(const void *data, size_t n, uint8_t *out);

/* One value of a summary: a scalar (png NULL), or a PNG image (its bytes,
 * height, width and channels). */
typedef struct clae_tb_value {
    const char *tag;
    float scalar;
    const uint8_t *png;
    size_t png_len;
    int height, width, channels;
} clae_tb_value;

typedef struct clae_tb_writer {
    int fd;              /* -1: closed */
    char path[1200];     /* the event file */
} clae_tb_writer;

/* A new event file in dir (made, with its parents, if missing):
 * dir/events.out.tfevents.<unix time>.<host>.<pid>.clae (".N" after it if
 * that name is taken), its first record the file_version. CLAE_OK, or
 * CLAE_ERR_IO with errno set (nothing is printed; w->path names the file). */
clae_status clae_tb_open(clae_tb_writer *w, const char *dir);

/* An Event at wall time `wall` (Unix seconds) and step `step` with a summary
 * of values v[0..n): one record. CLAE_ERR_IO (errno set), CLAE_ERR_NOMEM. */
clae_status clae_tb_write_summary(clae_tb_writer *w, double wall, long step,
                                  const clae_tb_value *v, int n);

/* An Event with SessionLog START at step: TensorBoard drops what earlier
 * files hold at this step and later (a resumed run's steps replace them). */
clae_status clae_tb_write_session_start(clae_tb_writer *w, double wall, long step);

/* The data written so far to disk (fsync): a live `tensorboard` sees it and
 * a crash keeps it. */
clae_status clae_tb_flush(clae_tb_writer *w);

void clae_tb_close(clae_tb_writer *w);

/* The current Unix time in seconds (an Event's wall_time). */
double clae_tb_now(void);

#endif
