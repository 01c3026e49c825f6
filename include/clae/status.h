/* clae status codes. Library code returns one of these and never exits;
 * the command line decides what to print and which exit code to use. */
#ifndef CLAE_STATUS_H
#define CLAE_STATUS_H

typedef enum clae_status {
    CLAE_OK = 0,
    CLAE_ERR_ARG,     /* bad argument or flag */
    CLAE_ERR_IO,      /* file missing, unreadable, short, unwritable */
    CLAE_ERR_FORMAT,  /* file readable but malformed (config, dataset, checkpoint) */
    CLAE_ERR_NOMEM,   /* host allocation failed */
    CLAE_ERR_CL,      /* an OpenCL or CLBlast call failed (already reported) */
    CLAE_ERR_SHAPE,   /* impossible shapes */
    CLAE_ERR_INTERRUPTED,
    CLAE_ERR_NUMERIC  /* training diverged: a loss or parameter is not finite */
} clae_status;

const char *clae_status_str(clae_status s);

#endif
