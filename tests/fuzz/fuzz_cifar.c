/* libFuzzer: a CIFAR-10 binary folder (data_batch_1..5.bin, test_batch.bin):
 * the input is cut into the six files at points taken from its first bytes;
 * the last of those, when odd, also writes batches.meta.txt with up to 11
 * class names (the labels checked against them). */
#include "clae/cifar.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[6] = {"data_batch_1.bin", "data_batch_2.bin",
                                         "data_batch_3.bin", "data_batch_4.bin",
                                         "data_batch_5.bin", "test_batch.bin"};
    if (size < 6) return 0;
    const uint8_t *cut = data;
    data += 6;
    size -= 6;
    size_t at = 0;
    for (int i = 0; i < 6; i++) {
        size_t n = i == 5 ? size - at : (size - at) * cut[i] / 255;
        if (cut[i] == 0 && i < 5 && i % 2) { /* sometimes a missing file */
            char path[128];
            snprintf(path, sizeof path, "%s/%s", fuzz_dir(), names[i]);
            unlink(path);
            continue;
        }
        fuzz_file(names[i], data + at, n);
        at += n;
    }
    char meta[32];
    int classes = cut[5] & 1 ? (cut[5] >> 1) % 12 : -1;
    for (int k = 0; k < classes; k++) memcpy(meta + 2 * k, "c\n", 2);
    if (classes >= 0) {
        fuzz_file("batches.meta.txt", (const uint8_t *)meta, 2 * (size_t)classes);
    } else {
        char path[128];
        snprintf(path, sizeof path, "%s/batches.meta.txt", fuzz_dir());
        unlink(path);
    }
    for (int split = 0; split < 2; split++) {
        clae_dataset ds;
        if (clae_cifar_load(fuzz_dir(), split, &ds) == CLAE_OK) clae_dataset_free(&ds);
    }
    return 0;
}
