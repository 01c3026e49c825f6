/* Shape inference shared by conv2d, conv2d_transpose and pooling (Keras rules). */
#include "clae/ops.h"

static int same_pad_total(int out, int stride, int k, int in)
{
    int t = (out - 1) * stride + k - in;
    return t > 0 ? t : 0;
}

clae_status clae_conv2d_shape(clae_conv_shape *g, int N, int C, int H, int W, int K, int R, int S,
                              int sh, int sw, clae_padding pad)
{
    if (N < 1 || C < 1 || H < 1 || W < 1 || K < 1 || R < 1 || S < 1 || sh < 1 || sw < 1)
        return CLAE_ERR_SHAPE;
    *g = (clae_conv_shape){.N = N, .C = C, .H = H, .W = W, .K = K, .R = R, .S = S, .sh = sh,
                           .sw = sw};
    if (pad == CLAE_PAD_SAME) {
        g->P = (H + sh - 1) / sh;
        g->Q = (W + sw - 1) / sw;
        g->pt = same_pad_total(g->P, sh, R, H) / 2;
        g->pl = same_pad_total(g->Q, sw, S, W) / 2;
    } else {
        if (H < R || W < S) return CLAE_ERR_SHAPE;
        g->P = (H - R) / sh + 1;
        g->Q = (W - S) / sw + 1;
    }
    return g->P >= 1 && g->Q >= 1 ? CLAE_OK : CLAE_ERR_SHAPE;
}

clae_status clae_conv2d_transpose_shape(clae_conv_shape *g, int N, int C, int H, int W, int K,
                                        int R, int S, int sh, int sw, clae_padding pad)
{
    if (N < 1 || C < 1 || H < 1 || W < 1 || K < 1 || R < 1 || S < 1 || sh < 1 || sw < 1)
        return CLAE_ERR_SHAPE;
    *g = (clae_conv_shape){.N = N, .C = C, .H = H, .W = W, .K = K, .R = R, .S = S, .sh = sh,
                           .sw = sw};
    if (pad == CLAE_PAD_SAME) {
        g->P = H * sh;
        g->Q = W * sw;
    } else {
        g->P = H * sh + (R > sh ? R - sh : 0);
        g->Q = W * sw + (S > sw ? S - sw : 0);
    }
    /* Rows of the uncropped output that 'same' drops; the odd one goes last. */
    g->pt = same_pad_total(H, sh, R, g->P) / 2;
    g->pl = same_pad_total(W, sw, S, g->Q) / 2;
    return CLAE_OK;
}
