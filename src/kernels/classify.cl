/* A classification head: softmax over each row, categorical cross-entropy
 * and one-hot targets; twins in src/host/ref/classify.c. */

#define CCE_EPS 1e-7f

/* one work-item a row of K values (a head's K is small: 10 for CIFAR-10) */
__kernel void softmax_rows(__global float *out, __global const float *in, const int rows,
                           const int K)
{
    int r = get_global_id(0);
    if (r >= rows) return;
    __global const float *x = in + r * K;
    __global float *y = out + r * K;
    float mx = x[0], sum = 0.0f;
    for (int k = 1; k < K; k++) mx = fmax(mx, x[k]);
    for (int k = 0; k < K; k++) {
        float e = exp(x[k] - mx);
        y[k] = e;
        sum += e;
    }
    for (int k = 0; k < K; k++) y[k] /= sum;
}

/* per element: term[i] = -t log(clip(p)) (summed by penalty_final into the
 * loss), dz[i] = (p - t) / rows (written when want_dz) */
__kernel void cce_elems(__global float *term, __global float *dz, __global const float *p,
                        __global const float *t, const int n, const int rows, const int want_dz)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float c = clamp(p[i], CCE_EPS, 1.0f - CCE_EPS);
    term[i] = -t[i] * log(c);
    if (want_dz) dz[i] = (p[i] - t[i]) / (float)rows;
}

/* records (N, 1 + P): a label byte, then P = C*H*W pixel bytes */
__kernel void labels_onehot(__global float *t, __global const uchar *records, const int N,
                            const int K, const int P)
{
    int i = get_global_id(0);
    if (i >= N * K) return;
    int n = i / K, k = i - n * K;
    t[i] = records[(long)n * (P + 1)] == k ? 1.0f : 0.0f;
}
