/* Activations; twins of src/host/ref/act.c. act: 0 none, 1 relu, 2 sigmoid, 3 tanh. */

__kernel void act_forward(__global float *out, __global const float *in, const int n,
                          const int act)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float x = in[i];
    float y = x;
    if (act == 1) y = x > 0.0f ? x : 0.0f;
    else if (act == 2) y = 1.0f / (1.0f + exp(-x));
    else if (act == 3) y = tanh(x);
    out[i] = y;
}

__kernel void act_backward(__global float *din, __global const float *dout,
                           __global const float *out, const int n, const int act)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float y = out[i], dy = dout[i];
    float g = dy;
    if (act == 1) g = y > 0.0f ? dy : 0.0f;
    else if (act == 2) g = dy * y * (1.0f - y);
    else if (act == 3) g = dy * (1.0f - y * y);
    din[i] = g;
}
