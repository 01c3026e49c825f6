/* clae swap CKPT IN OUT --to NAME: a model with branches (one encoder, two
 * decoders) applied across: IN encoded by the shared trunk and decoded by
 * branch NAME's layers, at any image size (as clae denoise: reflect-padded
 * to the model's downsampling, cropped back, IN's channel layout kept). */
#include <stdio.h>
#include <string.h>

#include "clae/app.h"
#include "clae/denoise.h"
#include "clae/output.h"
#include "cli.h"

static const clae_cmdline SWAP_CMDLINE = {
    .cmd = "clae swap", .width = 14, .about = CLAE_ABOUT_SWAP};

/* The branch called name, or -1 after a one-line error listing them. */
static int branch_named(const clae_model *m, const char *ckpt, const char *name)
{
    for (int k = 0; k < m->nbranches; k++)
        if (strcmp(m->branches[k].name, name) == 0) return k;
    char names[CLAE_MAX_BRANCHES * (CLAE_BRANCH_NAME_MAX + 2)] = "";
    for (int k = 0; k < m->nbranches; k++) {
        if (k) strcat(names, ", ");
        strcat(names, m->branches[k].name);
    }
    fprintf(stderr, "clae swap: --to %s: %s has no such branch (it has %s)\n", name, ckpt, names);
    return -1;
}

int cmd_swap(int argc, char **argv)
{
    const char *ckpt = NULL, *in = NULL, *out = NULL, *to = NULL, *device = NULL;
    const clae_opt OPTS[] = {
        CLAE_ARG("CKPT", &ckpt), CLAE_ARG("IN", &in), CLAE_ARG("OUT", &out),
        {.name = "to", .meta = "NAME", .kind = CLAE_OPT_STR, .to = &to,
         .help = "the branch whose layers decode IN's code (required)"},
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        {0}};
    int code = clae_cmdline_parse(&SWAP_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (!to) {
        fprintf(stderr, "clae swap: --to NAME is required: the branch that decodes IN\n");
        return 2;
    }
    if (!clae_output_check_image("clae swap", out)) return 2;
    clae_model m;
    if (!clae_app_load_any(ckpt, &m)) return 1;
    int rc = 1, k = -1;
    clae_denoise_image t = {0};
    if (m.nbranches == 0) {
        fprintf(stderr, "clae swap: %s has no branches ([branch] sections): clae denoise "
                "applies it\n", ckpt);
        goto done;
    }
    if ((k = branch_named(&m, ckpt, to)) < 0) {
        rc = 2;
        goto done;
    }
    clae_app_run run;
    if (!clae_denoise_read(&t, m.net.C, in) ||
        !clae_app_run_image_branch(ckpt, &m, in, t.x, t.H, t.W, device, k, &run) ||
        !clae_denoise_write(&t, out))
        goto done;
    printf("wrote %s (%dx%d: %s encoded by the shared trunk, decoded by branch %s; model run "
           "at %dx%d on %s)\n", out, t.W, t.H, in, to, run.W, run.H, run.device);
    rc = 0;
done:
    clae_denoise_free(&t);
    clae_model_free(&m);
    return rc;
}
