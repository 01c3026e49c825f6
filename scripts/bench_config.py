"""A clae config as scripts/bench_keras.py and scripts/bench_torch.py read it.

One parser for both engines: the layers come from scripts/clae2torch.py's
layer_specs (clae's INI dialect, shapes as src/host/ops/shape.c computes
them), the training settings from [net] with clae's defaults
(src/host/model/sections.c). Needs no numpy, torch or TensorFlow.

    cfg = load("configs/denoiser.cfg")
    cfg.in_shape, cfg.out_shape   # (C, H, W) of the input and the last layer
    cfg.specs                     # one dict per layer (clae2torch.layer_specs)
    cfg.batch, cfg.lr, cfg.beta1, cfg.beta2, cfg.eps, cfg.loss

As a command, `bench_config.py CONFIG...` checks that both builders take each config
(scripts/bench-vs.sh runs it before its rounds): nothing printed, exit 0; else one line
'CONFIG: problem' on stderr, exit 1.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clae2torch  # noqa: E402  (scripts/ is not a package)

Bad = clae2torch.Bad
# [net] keys the benchmark uses, with clae's defaults.
NET = {"batch": "32", "optimizer": "adam", "lr": "0.001", "beta1": "0.9", "beta2": "0.999",
       "eps": "1e-7", "loss": "mse", "weight_decay": "0", "global_clipnorm": "0"}
LOSSES = ("mse", "mae", "binary_crossentropy")


class Config:
    """The parts of a clae config the benchmarks need."""

    def __init__(self, path, text):
        self.path, self.text = path, text
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.in_shape, self.specs = clae2torch.layer_specs(text)
        self.out_shape = self.specs[-1]["out"]
        net = dict(NET)
        for sec, kv, _ in clae2torch.parse_config(text):
            if sec == "net":
                net.update((k, v) for k, v in kv.items() if k in NET)
        if net["optimizer"] != "adam":
            raise Bad(f"[net] optimizer = {net['optimizer']}: the benchmark runs Adam only")
        if net["loss"] not in LOSSES:
            raise Bad(f"[net] loss = {net['loss']}: the benchmark knows {', '.join(LOSSES)}")
        if float(net["weight_decay"]) or float(net["global_clipnorm"]):
            raise Bad("[net] weight_decay or global_clipnorm set: the benchmark runs plain Adam")
        try:
            self.batch = int(net["batch"])
            self.lr, self.beta1, self.beta2, self.eps = (
                float(net[k]) for k in ("lr", "beta1", "beta2", "eps"))
        except ValueError as e:
            raise Bad(f"[net]: {e}")
        self.loss = net["loss"]
        self.kinds = sorted({s["kind"] for s in self.specs})


def load(path):
    """-> Config of the file at path; Bad (one line naming the file) when it is unusable."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as e:
        raise Bad(f"{path}: {e.strerror or e}")
    try:
        return Config(path, text)
    except Bad as e:
        raise Bad(f"{path}: {e}")


def add_args(ap):
    """The options both bench scripts take."""
    ap.add_argument("--config", default="configs/denoiser.cfg",
                    help="clae model config (default configs/denoiser.cfg)")
    ap.add_argument("--images", type=int, default=20480)
    ap.add_argument("--batch", type=int, default=None,
                    help="images per step (default: the config's)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--params", type=int, default=0,
                    help="the parameter count the model must have (`clae summary CONFIG`'s)")


def bad_numbers(a, *more):
    """True when --images, --threads, the given others or a given --batch is under 1."""
    return min([a.images, a.threads] + list(more)) < 1 or (a.batch is not None and a.batch < 1)


def check_params(cfg, got, want):
    """Bad unless the engine's model has the parameters clae's has."""
    if want and got != want:
        raise Bad(f"{cfg.path}: the model has {got:,} parameters, clae's {want:,}")


def main(paths):
    import clae_keras
    for path in paths:
        try:
            clae_keras.check(load(path))
        except Bad as e:
            print(e, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
