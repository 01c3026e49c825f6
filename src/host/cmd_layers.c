/* clae layers: every layer kind with its keys, defaults and allowed values
 * (from the layer table, src/host/layers/table.c). */
#include <stdio.h>
#include <string.h>

#include "clae/layer.h"
#include "cli.h"

static const clae_cmdline LAYERS_CMDLINE = {
    .cmd = "clae layers", .width = 12, .about = CLAE_ABOUT_LAYERS};

/* --all and --markdown: the last one given counts */
static int parse_mode(const clae_opt *opt, const char *v)
{
    (void)v;
    *(int *)opt->to = strcmp(opt->name, "all") == 0 ? 1 : 2;
    return 1;
}

int cmd_layers(int argc, char **argv)
{
    int mode = 0;
    const clae_opt OPTS[] = {
        {.name = "all", .kind = CLAE_OPT_FLAG, .to = &mode, .parse = parse_mode,
         .help = "the [net] and [train] sections too: the whole config reference"},
        {.name = "markdown", .kind = CLAE_OPT_FLAG, .to = &mode, .parse = parse_mode,
         .help = "the whole reference as Markdown tables (README's is this output)"},
        {0}};
    int code = clae_cmdline_parse(&LAYERS_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (mode == 0)
        clae_layers_describe(stdout);
    else
        clae_config_describe(stdout, mode == 2);
    return 0;
}
