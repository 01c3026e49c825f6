/* libFuzzer: safetensors files and clae checkpoints: the raw reader (header
 * JSON, offsets, shapes), then a checkpoint load into an empty model (which
 * parses the config stored in its metadata) and the run's state in it. */
#include "clae/checkpoint.h"
#include "clae/run.h"
#include "clae/safetensors.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = fuzz_file("f.safetensors", data, size);
    clae_st_file f;
    if (clae_st_open(p, &f) == CLAE_OK) {
        volatile float sink = 0;
        for (int i = 0; i < f.n; i++)
            if (f.tensors[i].numel > 0)
                sink += f.tensors[i].data ? f.tensors[i].data[f.tensors[i].numel - 1]
                                          : f.tensors[i].bytes[f.tensors[i].numel - 1];
        (void)clae_st_meta(&f, "config");
        (void)sink;
        clae_st_close(&f);
    }
    clae_model m = {0};
    clae_ckpt_meta meta;
    if (clae_ckpt_load(p, &m, &meta, 0) == CLAE_OK) {
        clae_run run;
        clae_run_init(&run, &m);
        (void)clae_run_from_meta(&run, &meta, p);
        clae_ckpt_meta_free(&meta);
        clae_model_free(&m);
    }
    return 0;
}
