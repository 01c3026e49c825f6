#define _GNU_SOURCE /* fopencookie */
/* libclae's errors: the thread's last error line, and the tee that catches the lines the
 * engine prints on stderr during an API call (the engine reports every error as one line
 * there and returns a status; the command line prints it, the library keeps it for
 * clae_api_last_error). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api_int.h"
#include "clae/status.h"

#define LINE_MAX_BYTES 1024

static _Thread_local char t_last[LINE_MAX_BYTES]; /* the error of the last failed call */
static _Thread_local char t_seen[LINE_MAX_BYTES]; /* the last complete line the engine printed */
static _Thread_local char t_part[LINE_MAX_BYTES]; /* the line it is printing */
static _Thread_local size_t t_part_len;
static _Thread_local int t_set;                    /* api_fail set t_last in this call */

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static int g_depth;       /* API calls inside the tee, every thread together */
static FILE *g_saved;     /* stderr before the first of them */
static FILE *g_tee;
static volatile int g_echo = 1;

/* The tee's write: on to fd 2 (echo), and the thread's lines kept. */
static ssize_t tee_write(void *cookie, const char *buf, size_t n)
{
    for (size_t off = 0; g_echo && off < n;) {
        ssize_t w = write(STDERR_FILENO, buf + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    for (size_t i = 0; i < n; i++) {
        if (buf[i] != '\n') {
            if (t_part_len + 1 < sizeof t_part) t_part[t_part_len++] = buf[i];
            continue;
        }
        if (t_part_len == 0) continue;
        t_part[t_part_len] = '\0';
        memcpy(t_seen, t_part, t_part_len + 1);
        t_part_len = 0;
    }
    return (ssize_t)n;
}

void api_enter(void)
{
    t_last[0] = t_seen[0] = '\0';
    t_part_len = 0;
    t_set = 0;
    pthread_mutex_lock(&g_mu);
    if (g_depth == 0) {
        if (!g_tee) {
            cookie_io_functions_t io = {.write = tee_write};
            g_tee = fopencookie(NULL, "w", io);
            if (g_tee) setvbuf(g_tee, NULL, _IONBF, 0); /* a write per fprintf */
        }
        if (g_tee) {
            g_saved = stderr;
            stderr = g_tee; /* glibc's stderr is a variable: the engine's lines come here */
        }
    }
    g_depth++;
    pthread_mutex_unlock(&g_mu);
}

clae_api_status api_leave(clae_api_status st)
{
    pthread_mutex_lock(&g_mu);
    if (--g_depth == 0 && g_saved) {
        stderr = g_saved;
        g_saved = NULL;
    }
    pthread_mutex_unlock(&g_mu);
    if (st != CLAE_API_OK && !t_set) {
        if (t_part_len > 0) { /* a line without its newline yet */
            t_part[t_part_len] = '\0';
            memcpy(t_seen, t_part, t_part_len + 1);
        }
        if (t_seen[0])
            snprintf(t_last, sizeof t_last, "%s", t_seen);
        else
            snprintf(t_last, sizeof t_last, "clae: %s", clae_api_status_name(st));
    }
    return st;
}

clae_api_status api_fail(clae_api_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int at = snprintf(t_last, sizeof t_last, "clae: ");
    vsnprintf(t_last + at, sizeof t_last - (size_t)at, fmt, ap);
    va_end(ap);
    t_set = 1;
    return st;
}

clae_api_status api_status(clae_status st)
{
    _Static_assert((int)CLAE_ERR_NUMERIC == (int)CLAE_API_ERR_NUMERIC &&
                   (int)CLAE_ERR_CL == (int)CLAE_API_ERR_DEVICE,
                   "the API's status numbers are the engine's");
    return (clae_api_status)st;
}

const char *clae_api_last_error(void) { return t_last; }

void clae_api_set_echo(int on) { g_echo = on != 0; }

const char *clae_api_status_name(clae_api_status s)
{
    if (s == CLAE_API_ERR_STATE) return "bad handle or busy model";
    return clae_status_str((clae_status)s);
}
