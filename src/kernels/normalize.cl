/* Per-image normalisation (Ruff et al. 2018's CIFAR-10 preprocessing);
 * twin of src/host/ref/normalize.c. x (N, P) in place, P = C*H*W:
 *   y = (x - mean(x)) / mean(|x - mean(x)|)    global contrast normalisation,
 *                                              l1 scale, over the whole image
 *   x = (y - lo) / (hi - lo)                   min-max scaling with one pair
 * (a constant image: scale 0, taken as 1, so y = 0).
 *
 * One work-group per image, of any size L >= 1 (the host picks it; nothing
 * here assumes a power of two or a minimum). Both sums run in a fixed order
 * that does not depend on L, so every work-group size (and the reference
 * twin) gives the same bits: element j belongs to chunk j % NCHUNK, each
 * chunk is summed in increasing j by one work-item (work-item l takes the
 * chunks l, l + L, ...), then the NCHUNK chunk sums are added in a fixed
 * tree (offsets 32, 16, ..., 1). Every work-item reaches every barrier
 * (the loops around them are uniform: their bounds are NCHUNK and the
 * offsets, not the local id). */
#define NCHUNK 64 /* a power of two: the tree halves it */

/* The sum over x[0..P) of f(x[j] - shift) (f: |.| when absval, else the
 * identity), in the fixed order above; every work-item gets the result. */
static float image_sum(__global const float *x, const int P, const float shift, const int absval,
                       __local float *part)
{
    const int l = (int)get_local_id(0), L = (int)get_local_size(0);
    for (int c = l; c < NCHUNK; c += L) {
        float s = 0.0f;
        for (int j = c; j < P; j += NCHUNK) {
            const float v = x[j] - shift;
            s += absval ? fabs(v) : v;
        }
        part[c] = s;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int off = NCHUNK / 2; off > 0; off >>= 1) {
        for (int c = l; c < off; c += L) part[c] = part[c] + part[c + off];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float total = part[0];
    /* part is written again by the next sum, and x by the last loop: every
     * work-item's reads of both are done (a local fence alone would not order
     * the global reads before another work-item's writes) */
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    return total;
}

/* part: NCHUNK floats of local memory, a kernel argument (as bias.cl's):
 * with a kernel-scope __local array instead, PoCL 3.1 gave an image the
 * wrong mean now and then (1 run of tests/test_normalize in 16 with two
 * running at once; none in 44 with the argument; oclgrind saw no race). */
__kernel void gcn_minmax(__global float *x, const int P, const float lo, const float hi,
                         __local float *part)
{
    __global float *img = x + (long)get_group_id(0) * P;
    const int l = (int)get_local_id(0), L = (int)get_local_size(0);
    const float mean = image_sum(img, P, 0.0f, 0, part) / (float)P;
    float scale = image_sum(img, P, mean, 1, part) / (float)P;
    if (scale == 0.0f) scale = 1.0f;
    const float range = hi - lo;
    for (int j = l; j < P; j += L) img[j] = ((img[j] - mean) / scale - lo) / range;
}
