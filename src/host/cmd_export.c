/* clae export CKPT OUT.safetensors: the weights of a checkpoint without its
 * optimizer state (Adam moments, SGD's velocity): a third of the size, for
 * sharing or for PyTorch (the tensors keep their PyTorch names and layouts).
 * The config and the run's metadata stay, so every command that applies a
 * model reads it; --resume does not (it needs the moments). */
#include <stdio.h>
#include <string.h>

#include "clae/checkpoint.h"
#include "clae/model.h"
#include "clae/output.h"
#include "clae/plural.h"
#include "cli.h"

static const clae_cmdline EXPORT_CMDLINE = {.cmd = "clae export", .about = CLAE_ABOUT_EXPORT};

/* OUT: CKPT's weights, config and metadata without its optimizer state: 0, or 1 after an
 * error. */
static int run_export(const char *ckpt, const char *out)
{
    clae_model m;
    memset(&m, 0, sizeof m);
    clae_ckpt_meta meta;
    clae_ckpt_meta_init(&meta);
    int ok = clae_ckpt_load(ckpt, &m, &meta, CLAE_CKPT_WEIGHTS_ONLY) == CLAE_OK &&
             clae_ckpt_save(out, &m, &meta, 0) == CLAE_OK;
    if (ok) {
        char buf[32];
        printf("wrote %s: %s %s in %d %s, no optimizer state\n", out,
               clae_thousands(m.nparams, buf, sizeof buf),
               clae_plural(m.nparams, "parameter", "parameters"), m.ntensors,
               clae_plural(m.ntensors, "tensor", "tensors"));
    }
    clae_ckpt_meta_free(&meta);
    clae_model_free(&m);
    return ok ? 0 : 1;
}

int cmd_export(int argc, char **argv)
{
    const char *ckpt = NULL, *out = NULL;
    const clae_opt OPTS[] = {CLAE_ARG("CKPT", &ckpt), CLAE_ARG("OUT.safetensors", &out), {0}};
    int code = clae_cmdline_parse(&EXPORT_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (strcmp(ckpt, out) == 0) {
        fprintf(stderr, "clae export: OUT is CKPT itself: give another file (the checkpoint "
                "stays as it is)\n");
        return 2;
    }
    if (!clae_output_check("clae export", out)) return 2;
    return run_export(ckpt, out);
}
