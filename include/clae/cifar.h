/* Image datasets: CIFAR-10's official binary release (cifar-10-batches-bin/),
 * clae's own layout for images of any H x W x C, and an importer that turns
 * folders of images into one or the other.
 *
 * In memory every image is one record, CIFAR-10's layout generalised: 1 label
 * byte, then C planes of H x W bytes, row-major (CIFAR-10: 1024 R, 1024 G,
 * 1024 B bytes, 32x32 each). A dataset keeps every record in ONE host
 * allocation, so the trainer can upload batches as they are and convert on
 * the device.
 *
 * On disk (a folder DIR; the loader picks the layout by the files present):
 *  - CIFAR-10 binary: DIR/data_batch_1..5.bin (train) and DIR/test_batch.bin
 *    (test), headerless records of 3073 bytes; always 32x32x3. DIR may also
 *    be the parent of cifar-10-batches-bin/.
 *  - clae's layout: DIR/train.safetensors and DIR/test.safetensors, each a
 *    safetensors file (clae/safetensors.h) holding exactly two tensors,
 *    "images" U8 (N,C,H,W) (planar channels, rows top to bottom) and
 *    "labels" U8 (N), and optional metadata (what clae data import writes):
 *    "format" = "clae-images-1", "height", "width", "channels", "count"
 *    (decimal, equal to the tensors' shape when present) and "classes" (the
 *    class names, one a line, label 0 first). numpy writes one with
 *    safetensors.numpy.save_file({"images": x, "labels": y}, path).
 * Either layout may carry batches.meta.txt (class names, one a line). */
#ifndef CLAE_CIFAR_H
#define CLAE_CIFAR_H

#include <stddef.h>
#include <stdint.h>

#include "clae/classes.h"
#include "clae/status.h"

#define CLAE_CIFAR_SIDE 32
#define CLAE_CIFAR_CHANNELS 3
#define CLAE_CIFAR_PIXELS (CLAE_CIFAR_CHANNELS * CLAE_CIFAR_SIDE * CLAE_CIFAR_SIDE) /* 3072 */
#define CLAE_CIFAR_RECORD (1 + CLAE_CIFAR_PIXELS)                                  /* 3073 */
#define CLAE_CIFAR_TRAIN_FILES 5 /* data_batch_1.bin .. data_batch_5.bin */
/* Records in one split, all files together (307 GB of records; the batch
 * order indexes them with 32-bit integers). */
#define CLAE_CIFAR_MAX_RECORDS 100000000
/* clae's layout: at most this many channels and bytes an image (a side may
 * be as long as an image file's, CLAE_IMAGE_MAX_SIDE) */
#define CLAE_DATA_MAX_CHANNELS 4
#define CLAE_DATA_MAX_SIDE 16384
#define CLAE_DATA_MAX_PIXELS (64L * 1024 * 1024)
#define CLAE_DATA_FORMAT "clae-images-1"

enum { CLAE_CIFAR_TRAIN = 0, CLAE_CIFAR_TEST = 1 };

typedef struct clae_dataset {
    uint8_t *records; /* n * clae_dataset_record_bytes() bytes, one malloc */
    size_t n;         /* number of records (images) */
    int H, W, C;      /* one image's shape (CIFAR-10: 32, 32, 3) */
} clae_dataset;

/* Load one split of dir, in either layout (above). The CIFAR-10 layout:
 * CLAE_CIFAR_TRAIN reads data_batch_1..5.bin in order, CLAE_CIFAR_TEST
 * test_batch.bin; files may hold any whole number of records but none (the
 * official ones hold 10,000; an empty file is refused as a lost batch). clae's layout: train.safetensors or test.safetensors.
 * At least one record is required. A folder with both layouts of a split is
 * refused. Labels must be below the number of class names the folder gives
 * (src/host/data/labels.h), when it gives them. On error prints one line naming the file to stderr, leaves *out
 * empty ({NULL, 0}) and returns CLAE_ERR_IO / CLAE_ERR_FORMAT /
 * CLAE_ERR_NOMEM / CLAE_ERR_ARG. */
clae_status clae_cifar_load(const char *dir, int split, clae_dataset *out);
/* The same, for a model whose input is H x W x C: images of another shape
 * are refused in one line naming dir and both shapes (out left empty). */
clae_status clae_dataset_load(const char *dir, int split, int H, int W, int C, clae_dataset *out);
/* Which layout dir holds for split: 1 clae's, 0 CIFAR-10's (or none). */
int clae_dataset_is_clae_layout(const char *dir, int split);

void clae_dataset_free(clae_dataset *d);

/* Keep only the records whose label is in c (all of them for the empty set),
 * in their order, in place; returns how many are left. */
size_t clae_dataset_keep_classes(clae_dataset *d, const clae_classes *c);

/* C*H*W: the pixel bytes of one image; a record is 1 more (the label). */
static inline size_t clae_dataset_pixel_bytes(const clae_dataset *d)
{
    return (size_t)d->C * (size_t)d->H * (size_t)d->W;
}
static inline size_t clae_dataset_record_bytes(const clae_dataset *d)
{
    return 1 + clae_dataset_pixel_bytes(d);
}
/* Records (N, 1 + C*H*W) uint8, label byte first -> out (N,C,H,W) =
 * pixel / 255: the network's input and target from the stored bytes. */
void clae_records_to_float(float *out, const uint8_t *records, int N, int C, int H, int W);

static inline const uint8_t *clae_dataset_record(const clae_dataset *d, size_t i)
{
    return d->records + i * clae_dataset_record_bytes(d);
}
static inline int clae_dataset_label(const clae_dataset *d, size_t i)
{
    return clae_dataset_record(d, i)[0];
}
/* The C*H*W pixel bytes (planar channels) of record i. */
static inline const uint8_t *clae_dataset_pixels(const clae_dataset *d, size_t i)
{
    return clae_dataset_record(d, i) + 1;
}

/* Import <src>/train/<class>/<image> and <src>/test/<class>/<image> into
 * out_dir, in CIFAR-10's binary layout when the images come out 32x32x3
 * (data_batch_1..5.bin, test_batch.bin: what CIFAR-10 users expect) and the
 * train split has a record for each of the 5 batch files, else in clae's
 * layout (train.safetensors, test.safetensors); both with batches.meta.txt
 * (class names, one a line). A folder holds one layout:
 * the other one's files, left by an earlier import, are removed.
 *
 * Images: .png .jpg .jpeg .bmp .gif .tga .ppm .pgm .pnm (any letter case).
 * Names starting with '.' are ignored; any other entry of a class folder
 * that is not a regular file of those types (and any entry of train/ or
 * test/ that is not a folder) is skipped and counted. A file of an image
 * type that does not decode is an error (one line naming it), as is one of
 * another size (without --size) or channel count (without --channels).
 *
 * Classes are the subfolders of <src>/train sorted by strcmp -> labels 0, 1, ...;
 * <src>/test/<class> must name one of them. Images within a class are sorted by
 * strcmp. Records of each split are ordered round-robin over classes, i.e. by
 * (index within class, label): any prefix is class-balanced (for a split of the
 * last 20% for validation, for example) and no batch file is sorted by class.
 * CIFAR-10's layout puts the train split into 5 files of n/5 records each in
 * that order; the last one also takes the remainder.
 *
 * Output files are written as temporaries in out_dir (created if missing,
 * parent must exist) and renamed at the end; on any error nothing is left
 * behind. Prints one line to stderr naming the problem and returns
 * CLAE_ERR_IO / CLAE_ERR_FORMAT / CLAE_ERR_NOMEM / CLAE_ERR_ARG. */
typedef struct clae_import_opts {
    int threads; /* decoding threads (>= 1) */
    /* --size: every image becomes H x W: the centred window of its own with
     * H:W's aspect ratio, scaled (stb_image_resize: Mitchell when shrinking,
     * Catmull-Rom when enlarging); an H x W image is taken as it is. 0, 0:
     * every image must be the size of the first training image. */
    int H, W;
    /* --channels 1 or 3: every image converted (grey repeated into RGB, RGB
     * to its luma, alpha dropped); 0: every image must have 3 channels. */
    int C;
} clae_import_opts;

typedef struct clae_import_result {
    size_t n_train, n_test;
    int n_classes;
    int H, W, C;            /* the images' shape as written */
    int cifar;              /* 1: CIFAR-10's layout, 0: clae's */
    size_t skipped;         /* entries passed over (not image files) */
    char first_skipped[512]; /* the first one's path */
    size_t sixteen_bit;      /* images with 16-bit samples, reduced to 8 bits */
    char first_sixteen[512]; /* the first one's path */
} clae_import_result;

clae_status clae_data_import(const char *src, const char *out_dir, const clae_import_opts *o,
                             clae_import_result *res);

#endif
