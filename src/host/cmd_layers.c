/* clae layers: every layer kind with its keys, defaults and allowed values
 * (from the layer table, src/host/layers/table.c). */
#include <stdio.h>

#include "clae/layer.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: clae layers [--all | --markdown]\n"
               "  lists every layer kind a config may use, with its keys, defaults and values\n"
               "  --all        the [net] and [train] sections too: the whole config reference\n"
               "  --markdown   the whole reference as Markdown tables (README's is this output)\n");
}

int cmd_layers(int argc, char **argv)
{
    static const struct option LONGOPTS[] = {{"help", no_argument, NULL, 'h'},
                                             {"all", no_argument, NULL, 'a'},
                                             {"markdown", no_argument, NULL, 'm'},
                                             {0}};
    clae_opts cli = {.cmd = "clae layers", .hint = "see --help", .longopts = LONGOPTS};
    int mode = 0;
    optind = 0;
    for (int c; (c = clae_getopt(&cli, argc, argv)) != -1;) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'a': mode = 1; break;
        case 'm': mode = 2; break;
        case 1:
            fprintf(stderr, "clae layers: unexpected argument '%s' (see --help)\n", cli.arg);
            return 2;
        default: return clae_opt_error(&cli, c);
        }
    }
    if (mode == 0)
        clae_layers_describe(stdout);
    else
        clae_config_describe(stdout, mode == 2);
    return 0;
}
