/* libFuzzer: the tuning file clae tune writes beside the kernel cache
 * (src/host/device/tune_file.c, cJSON): read for a made-up device whose
 * platform, device and driver strings the seeds carry, so that inputs get
 * past the device check to the entries. A bad file is a warning and the
 * defaults, never a crash. */
#include "clae/device.h"
#include "clae/tune.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static clae_device d;
    snprintf(d.platform_name, sizeof d.platform_name, "fuzz-platform");
    snprintf(d.name, sizeof d.name, "fuzz-device");
    snprintf(d.driver, sizeof d.driver, "1.0");
    const char *p = fuzz_file("tune.json", data, size);
    clae_tune_table *t = NULL;
    if (clae_tune_read(&d, p, &t) == CLAE_OK && t) {
        volatile int sink = t->n ? t->e[t->n - 1].p.vw : 0;
        (void)sink;
    }
    clae_tune_free(t);
    return 0;
}
