"""Train a clae config's model in Keras 3 on TensorFlow 2 (CPU) with model.fit, and print images/s.

The model is the config's (--config, default configs/denoiser.cfg), built by
scripts/clae_keras.py from the layers scripts/clae2torch.py parses; for the denoiser:
Input(32,32,3), Conv2D(8,3,relu,same), MaxPooling2D(2), Conv2D(16,3,relu,same),
MaxPooling2D(2), Conv2DTranspose(16,3,strides=2,relu,same) (x2), Conv2D(3,3,sigmoid,same):
6,467 parameters. --params N asserts the count (scripts/bench-vs.sh passes `clae summary`'s).
The config's loss ([sampling]'s KL term added with add_loss) and Adam (its lr, beta1,
beta2 and eps; Keras's default epsilon, 1e-7, is clae's); its batch unless --batch. Data:
random float32 arrays in memory, of the model's input and output shapes, fed the way Keras
users do: model.fit(x, y, batch_size, shuffle=True, verbose=0), 2 epochs; the figure is the
second (steady-state) epoch's images/s: the data pipeline is included, tracing is not.
jit_compile is left at Keras's default ("auto": no XLA on a CPU-only machine).

Threads: TF_NUM_INTRAOP_THREADS / OMP_NUM_THREADS and
tf.config.threading.set_intra_op_parallelism_threads(T); inter-op 1 by default (--inter-op),
the faster on a 2-core AMD EPYC (4,096 images, 3 runs each, median: inter-op 1 5,525 images/s,
inter-op 2 5,120): this model's ops run one after another, so a second inter-op pool only
competes with the intra-op threads for the cores.

Prints a human line and a tab-separated '@result<TAB>engine<TAB>version<TAB>images/s' line
(read by scripts/bench-vs.sh).

usage: bench_keras.py [--config configs/denoiser.cfg] [--images 20480] [--batch N]
                      [--threads nproc] [--inter-op 1] [--params N]
Errors: one line 'keras: CONFIG: ...' on stderr, exit 1 (2: usage; 3: no Keras).
"""
import argparse
import os
import sys
import time

import bench_config

LOSS = {"mse": "mse", "mae": "mae", "binary_crossentropy": "binary_crossentropy"}


def main():
    ap = argparse.ArgumentParser(description="Keras 3 / TensorFlow training throughput")
    bench_config.add_args(ap)
    ap.add_argument("--inter-op", type=int, default=1, help="inter-op threads (default 1)")
    a = ap.parse_args()
    if bench_config.bad_numbers(a, a.inter_op):
        print("bench_keras: --images, --batch, --threads and --inter-op must be >= 1",
              file=sys.stderr)
        return 2
    try:
        cfg = bench_config.load(a.config)
    except bench_config.Bad as e:
        print(f"keras: {e}", file=sys.stderr)
        return 1
    a.batch = a.batch or cfg.batch
    # Before TensorFlow is imported: it reads these once, at start-up.
    os.environ["TF_NUM_INTRAOP_THREADS"] = str(a.threads)
    os.environ["TF_NUM_INTEROP_THREADS"] = str(a.inter_op)
    os.environ["OMP_NUM_THREADS"] = str(a.threads)
    os.environ["KERAS_BACKEND"] = "tensorflow"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no oneDNN / CUDA notices
    try:
        import numpy as np
        import tensorflow as tf
        import keras
    except ImportError as e:
        print(f"keras: missing ({e}; scripts/bench-vs.sh installs it into .venv-bench)",
              file=sys.stderr)
        return 3
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(a.inter_op)
    keras.utils.set_random_seed(0)

    import clae_keras
    try:
        model = clae_keras.build(cfg)
        nparams = model.count_params()
        bench_config.check_params(cfg, nparams, a.params)
    except bench_config.Bad as e:
        print(f"keras: {e}", file=sys.stderr)
        return 1
    opt = keras.optimizers.Adam(learning_rate=cfg.lr, beta_1=cfg.beta1, beta_2=cfg.beta2,
                                epsilon=cfg.eps)
    model.compile(optimizer=opt, loss=LOSS[cfg.loss])

    rng = np.random.default_rng(0)
    x = rng.random((a.images,) + tuple(model.input_shape[1:]), dtype=np.float32)
    y = rng.random((a.images,) + tuple(model.output_shape[1:]), dtype=np.float32)

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            float((logs or {}).get("loss", 0.0))  # the epoch's last step has finished
            self.seconds.append(time.perf_counter() - self.t0)

    timer = EpochTimer()
    model.fit(x, y, batch_size=a.batch, epochs=2, shuffle=True, verbose=0, callbacks=[timer])
    dt = timer.seconds[-1]
    ips = a.images / dt
    version = f"Keras {keras.__version__}, TensorFlow {tf.__version__}"
    jit = getattr(model, "jit_compile", "?")
    print(f"keras ({version}): {cfg.name}, {nparams} parameters, {a.images} images, "
          f"batch {a.batch}, {a.threads} threads (inter-op {a.inter_op}), jit_compile={jit}: "
          f"epoch 2 of model.fit {dt:.2f} s (epoch 1 {timer.seconds[0]:.2f} s), {ips:.1f} images/s")
    print(f"@result\tKeras 3 / TensorFlow (model.fit)\t{version}\t{ips:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
