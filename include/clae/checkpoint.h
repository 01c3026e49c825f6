/* Model checkpoints: a clae_model's parameters (and optionally Adam's
 * moments) and the training state, in one safetensors file.
 *
 * Tensors (F32, PyTorch names and shapes from m->tensors, in tensor order):
 *   layers.<i>.weight, layers.<i>.bias                 the parameters
 *   layers.<i>.weight.adam_m, layers.<i>.weight.adam_v  Adam's moments (with_adam),
 *   layers.<i>.bias.adam_m,   layers.<i>.bias.adam_v    after all the parameters
 * __metadata__ (every value a string):
 *   format         "clae-checkpoint-1"
 *   config         the model's whole config text (m->text)
 *   epoch, step    completed epochs, global Adam step t (decimal)
 *   seed, rng      the run's seed and the clae_rng state (decimal uint64)
 *   best_val_loss, val_loss, train_loss   ("%.17g": exact; "inf"/"nan" allowed)
 *   data_crc32c    CRC-32C of the whole data section (8 hex digits)
 *   config_crc32c  CRC-32C of the config text; both written by every save,
 *                  checked by every load (a file without them, from before
 *                  they were, loads with a one-line note)
 *   plus up to CLAE_CKPT_MAX_EXTRA free-form keys: a training run's (written
 *   and read by clae/run.h alone).
 *
 * Errors: one line on stderr, `clae: <path>: <problem>`, and a clae_status
 * (CLAE_ERR_IO: cannot read/write; CLAE_ERR_FORMAT: malformed file or a
 * checkpoint that does not fit the model; CLAE_ERR_ARG; CLAE_ERR_NOMEM). */
#ifndef CLAE_CHECKPOINT_H
#define CLAE_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "clae/model.h"
#include "clae/status.h"

#define CLAE_CKPT_FORMAT "clae-checkpoint-1"
#define CLAE_CKPT_MAX_EXTRA 16
/* Largest epoch and step a checkpoint may hold: beyond any real run, and
 * far enough below LONG_MAX that counting on from it cannot overflow. */
#define CLAE_CKPT_MAX_COUNT 1000000000000000L

/* clae_ckpt_load flags */
#define CLAE_CKPT_WEIGHTS_ONLY 1 /* parameters only: Adam moments (if any) ignored, zeroed in m */

typedef struct clae_ckpt_meta {
    long epoch;             /* completed epochs */
    long step;              /* global Adam step t */
    uint64_t seed;          /* the run's seed */
    uint64_t rng;           /* clae_rng state (clae_rng.s) */
    double best_val_loss;   /* stored with %.17g: a resume compares with it exactly */
    double val_loss;
    double train_loss;
    int nextra;             /* extra key/value pairs, at most CLAE_CKPT_MAX_EXTRA */
    char *extra_keys[CLAE_CKPT_MAX_EXTRA];
    char *extra_vals[CLAE_CKPT_MAX_EXTRA];
} clae_ckpt_meta;

/* Zero everything; best_val_loss = INFINITY, val_loss = train_loss = NAN
 * (not measured yet). */
void clae_ckpt_meta_init(clae_ckpt_meta *meta);
/* Set (copy) an extra key/value, replacing the key's value if present.
 * CLAE_ERR_ARG for a reserved key (format, config, epoch, ...), an empty
 * key or a full table; CLAE_ERR_NOMEM. Prints one line on error. */
clae_status clae_ckpt_meta_set(clae_ckpt_meta *meta, const char *key, const char *val);
/* An extra value by key, or NULL. */
const char *clae_ckpt_meta_get(const clae_ckpt_meta *meta, const char *key);
/* Free the extras (from clae_ckpt_meta_set or clae_ckpt_load) and re-init. */
void clae_ckpt_meta_free(clae_ckpt_meta *meta);

/* Write m's parameters (and with_adam: m->adam_m, m->adam_v) and meta
 * (required) to path atomically (temp file, fsync, rename). m must have its
 * blocks allocated (clae_model_alloc / clae_model_init). Extras may also be
 * filled in by hand (pointers to caller strings) as long as such a meta is
 * not passed to clae_ckpt_meta_free. */
clae_status clae_ckpt_save(const char *path, const clae_model *m, const clae_ckpt_meta *meta,
                           int with_adam);

/* For readers of metadata values (the run's, src/host/run.c): a value
 * quoted for a one-line error (at most 40 characters, control characters as
 * '?'); decimal digits only into a uint64 (no sign, no spaces, no
 * overflow); a whole strtod number ("inf", "nan" included, no spaces). The
 * parsers return 1, or 0 with *out untouched. */
const char *clae_ckpt_quote(const char *v, char *buf, size_t size);
int clae_ckpt_parse_u64(const char *s, uint64_t *out);
int clae_ckpt_parse_double(const char *s, double *out);

/* Read a checkpoint into m.
 *  - m empty (zeroed, e.g. `clae_model m = {0};`): the model is built from
 *    the config text stored in the checkpoint (errors name "<path>:config"),
 *    allocated and filled.
 *  - m already parsed (from the user's config): every model tensor must be
 *    in the file with m's shape, and the file may hold no other tensors
 *    (Adam ones aside with CLAE_CKPT_WEIGHTS_ONLY); m's blocks are allocated
 *    if they are not yet.
 * flags 0 (full resume): every Adam moment must be present and is loaded.
 * CLAE_CKPT_WEIGHTS_ONLY: moments are ignored and m->adam_m/v zeroed.
 * In both cases m->grads is zeroed. A file without clae metadata (a plain
 * safetensors weights file, e.g. saved from PyTorch) is accepted only with a
 * parsed m and CLAE_CKPT_WEIGHTS_ONLY; meta is then clae_ckpt_meta_init's.
 * meta may be NULL; otherwise it is overwritten (free it later with
 * clae_ckpt_meta_free); unknown metadata keys become its extras.
 * Every load refuses (CLAE_ERR_FORMAT, one line naming the file and what is
 * wrong) a checksum that does not match ("... checksum mismatch ...: the
 * file is damaged"), a model tensor missing from the file ("tensor X is
 * missing", also when its bytes are still there), and a loaded value that is
 * not finite or an Adam second moment below 0 ("tensor X holds nan at index
 * I"); moments ignored by CLAE_CKPT_WEIGHTS_ONLY are not judged.
 * On any error neither m nor meta is changed. */
clae_status clae_ckpt_load(const char *path, clae_model *m, clae_ckpt_meta *meta, int flags);

#endif
