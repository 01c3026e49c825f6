/* clae init CONFIG OUT.safetensors [--seed S]: a fresh checkpoint with
 * Glorot-uniform weights, zero biases and zero Adam moments (epoch 0, step 0). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "clae/checkpoint.h"
#include "clae/model.h"
#include "cli.h"

static void init_usage(FILE *f)
{
    fprintf(f,
            "usage: clae init CONFIG OUT.safetensors [--seed S]\n"
            "  writes a checkpoint for the model in CONFIG: Glorot-uniform weights, zero\n"
            "  biases, zero Adam moments, epoch 0, step 0\n"
            "  --seed  seed for the weights (a non-negative integer; default: [train] seed)\n");
}

/* Decimal digits only, no overflow. */
static int parse_seed(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s) return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return 0;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

int cmd_init(int argc, char **argv)
{
    const char *config = NULL, *out = NULL, *seed_arg = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            init_usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--seed") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "clae init: --seed needs a value (a non-negative integer)\n");
                return 2;
            }
            seed_arg = argv[++i];
        } else if (strncmp(argv[i], "--seed=", 7) == 0) {
            seed_arg = argv[i] + 7;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "clae init: unknown option '%s' (try 'clae init --help')\n", argv[i]);
            return 2;
        } else if (!config) {
            config = argv[i];
        } else if (!out) {
            out = argv[i];
        } else {
            fprintf(stderr, "clae init: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    uint64_t seed = 0;
    if (seed_arg && !parse_seed(seed_arg, &seed)) {
        fprintf(stderr, "clae init: --seed needs a non-negative integer, got '%s'\n", seed_arg);
        return 2;
    }
    if (!config || !out) {
        fprintf(stderr,
                "clae init: missing %s (usage: clae init CONFIG OUT.safetensors [--seed S])\n",
                !config ? "CONFIG and OUT" : "OUT");
        return 2;
    }

    clae_model m;
    if (clae_model_load(config, &m) != CLAE_OK) return 1;
    if (!seed_arg) seed = m.train.seed;
    clae_rng rng;
    clae_rng_seed(&rng, seed);
    clae_ckpt_meta meta;
    clae_ckpt_meta_init(&meta);
    int rc = 1;
    if (clae_model_init(&m, &rng) == CLAE_OK) { /* allocates; grads and moments stay zero */
        meta.seed = seed;
        meta.rng = rng.s;
        if (clae_ckpt_save(out, &m, &meta, 1) == CLAE_OK) {
            char buf[32];
            printf("%s: %s parameters (%d tensors), Glorot-uniform with seed %" PRIu64 "\n", out,
                   clae_thousands(m.nparams, buf, sizeof buf), m.ntensors, seed);
            rc = 0;
        }
    }
    clae_ckpt_meta_free(&meta);
    clae_model_free(&m);
    return rc;
}
