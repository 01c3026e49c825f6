/* libFuzzer: clae's dataset layout (train.safetensors: U8 images (N,C,H,W)
 * and labels (N), metadata), read through the header-only safetensors open
 * and ranged reads, then every record touched. */
#include "clae/cifar.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file("train.safetensors", data, size);
    clae_dataset ds;
    if (clae_cifar_load(fuzz_dir(), CLAE_CIFAR_TRAIN, &ds) == CLAE_OK) {
        volatile unsigned sink = 0;
        for (size_t i = 0; i < ds.n; i++)
            sink += (unsigned)clae_dataset_label(&ds, i) +
                    clae_dataset_pixels(&ds, i)[clae_dataset_pixel_bytes(&ds) - 1];
        (void)sink;
        clae_dataset_free(&ds);
    }
    return 0;
}
