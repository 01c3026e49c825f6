/* Probes of a device's own defects, run once when it opens
 * (src/host/device/probe.c). Twin: the same loop in C (tests/test_device.c).
 *
 * device_loop_probe: one work-item steps a 32-bit linear congruential
 * generator n times in one loop and writes the state, from which the host
 * finds how many steps ran. Every OpenCL implementation runs all n; Mesa's
 * llvmpipe (rusticl's software device, Mesa 22.3) ends every loop of a
 * work-item, silently, once 65,535 loop iterations have run in all
 * (gallivm's LP_MAX_TGSI_LOOP_ITERATIONS). The generator's step keeps a
 * compiler from replacing the loop by a closed form. */
__kernel void device_loop_probe(__global uint *out, const int n)
{
    if (get_global_id(0) != 0) return;
    uint x = 0;
    for (int i = 0; i < n; i++) x = x * 1664525u + 1013904223u;
    out[0] = x;
}
