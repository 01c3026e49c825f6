/* The clae program. The command line itself (cli_main.c, cmd_*.c) and the engine live in
 * libclae, so the program and the library can never be two different builds. */
#include "cli.h"

int main(int argc, char **argv)
{
    return clae_cli_main(argc, argv);
}
