/* Output files named on the command line (src/host/util/output.c), checked
 * before any work is done, so that a mistake in OUT costs nothing: every
 * command that writes a file the user names (eval --json, score's CSV,
 * denoise, inpaint, show, sample, interpolate, plot, plot-codes, encode,
 * export, init, bench --json, compress, decompress, rate-distortion) calls one of these right after reading its options and
 * exits 2 when it fails. The write itself stays clae_write_atomic's. */
#ifndef CLAE_OUTPUT_H
#define CLAE_OUTPUT_H

/* path may be written: it is not a folder or another non-regular file (a
 * FIFO, a device), and the folder it goes into exists and is writable. 1,
 * or 0 after one line "CMD: PATH: why" on stderr (cmd: "clae eval"). */
int clae_output_check(const char *cmd, const char *path);

/* clae_output_check, and the name ends in .png, .jpg, .jpeg or .bmp (any
 * case): the formats clae_image_write knows. */
int clae_output_check_image(const char *cmd, const char *path);

/* 1 when path ends in .png, .jpg, .jpeg or .bmp (any case). */
int clae_output_is_image_name(const char *path);

#endif
