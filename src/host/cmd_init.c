/* clae init CONFIG OUT.safetensors [--seed S] [--overwrite]: a fresh checkpoint with
 * Glorot-uniform weights, zero biases and zero Adam moments (epoch 0, step 0). */
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "clae/checkpoint.h"
#include "clae/model.h"
#include "clae/output.h"
#include "clae/parse.h"
#include "clae/plural.h"
#include "cli.h"

static const clae_cmdline INIT_CMDLINE = {
    .cmd = "clae init", .hint = "try 'clae init --help'", .width = 12, .about = CLAE_ABOUT_INIT};

int cmd_init(int argc, char **argv)
{
    const char *config = NULL, *out = NULL, *seed_arg = NULL;
    int overwrite = 0;
    const clae_opt OPTS[] = {
        CLAE_ARG_OPTIONAL("CONFIG", &config), CLAE_ARG_OPTIONAL("OUT", &out),
        {.name = "seed", .kind = CLAE_OPT_STR, .to = &seed_arg, .need = "a non-negative integer",
         .help = "seed for the weights (a non-negative integer; default: [train] seed)"},
        {.name = "overwrite", .kind = CLAE_OPT_FLAG, .to = &overwrite,
         .help = "replace OUT when it exists (otherwise refused)"},
        {0}};
    int code = clae_cmdline_parse(&INIT_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    uint64_t seed = 0;
    if (seed_arg && !clae_str_to_u64(seed_arg, &seed)) {
        fprintf(stderr, "clae init: --seed needs a non-negative integer, got '%s'\n", seed_arg);
        return 2;
    }
    if (!config || !out) {
        fprintf(stderr,
                "clae init: missing %s (usage: clae init CONFIG OUT.safetensors [--seed S] "
                "[--overwrite])\n",
                !config ? "CONFIG and OUT" : "OUT");
        return 2;
    }
    if (!clae_output_check("clae init", out)) return 2;
    struct stat sb;
    if (!overwrite && stat(out, &sb) == 0) {
        fprintf(stderr, "clae init: %s exists: choose another OUT, or --overwrite to replace it\n",
                out);
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
            printf("%s: %s %s (%d %s), Glorot-uniform with seed %" PRIu64 "\n", out,
                   clae_thousands(m.nparams, buf, sizeof buf),
                   clae_plural(m.nparams, "parameter", "parameters"), m.ntensors,
                   clae_plural(m.ntensors, "tensor", "tensors"), seed);
            rc = 0;
        }
    }
    clae_ckpt_meta_free(&meta);
    clae_model_free(&m);
    return rc;
}
