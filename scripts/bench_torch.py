"""Train a clae config's model in PyTorch 2 on the CPU the way clae does, and print images/s.

The model is the config's (--config, default configs/denoiser.cfg) as scripts/clae2torch.py
builds it (clae2torch.build, in train mode: dropout drops, [sampling] draws and its KL term
is added to the loss); for the denoiser: Conv2d(3,8,3,padding=1)+ReLU, MaxPool2d(2),
Conv2d(8,16,3,padding=1)+ReLU, MaxPool2d(2), ConvTranspose2d(16,16,3,stride=2,padding=1,
output_padding=1)+ReLU (x2; torch_same below: the size and work of Keras's 'same', cropping
the other side), Conv2d(16,3,3,padding=1)+Sigmoid: 6,467 parameters. --params N
asserts the count (scripts/bench-vs.sh passes `clae summary`'s). The config's loss (MSELoss,
L1Loss or BCELoss) and Adam (its lr, betas and eps), its batch unless --batch. Data: random
tensors in memory, of the model's input and output shapes, a fresh shuffle per pass (batches
gathered by a random permutation, as Keras's shuffle=True and clae do).

Three variants, each from the same initial weights: eager NCHW; eager channels_last (model
and inputs .to(memory_format=torch.channels_last)); torch.compile of the channels_last model
(the optimizer step stays eager). Warm-up steps are excluded (2 eager, 3 compiled, plus one of
a last, smaller batch if --images is not a multiple of --batch), then one pass over the images
is timed. If torch.compile fails (no working C++ compiler, ...) it prints
"torch.compile: failed (reason)" and the others still count.

Prints a human line and a tab-separated '@result<TAB>engine<TAB>version<TAB>images/s' line
per variant (read by scripts/bench-vs.sh).

usage: bench_torch.py [--config configs/denoiser.cfg] [--images 20480] [--batch N]
                      [--threads nproc] [--no-compile] [--params N]
Errors: one line 'pytorch: CONFIG: ...' on stderr, exit 1 (2: usage; 3: no PyTorch).
"""
import argparse
import os
import shutil
import sys
import time

import bench_config


LOSS = {"mse": "MSELoss", "mae": "L1Loss", "binary_crossentropy": "BCELoss"}


def torch_same(nn, model):
    """Each transposed convolution that clae2torch crops after the fact (Keras's 'same' drops
    the odd row and column last) computes its output size with torch's own padding and
    output_padding instead, as a PyTorch user writes it: the same work and shapes, the values
    shifted by a row and column, without the crop's copy. -> how many were changed."""
    n = 0
    for layer in model.layers:
        if not isinstance(layer, nn.ConvTranspose2d) or not layer.cut:
            continue
        s = layer.s
        (_, H, W), (_, P, Q) = s["in"], s["out"]
        eh, ew = (H - 1) * s["sh"] + s["R"] - P, (W - 1) * s["sw"] + s["S"] - Q
        if 0 <= eh < s["sh"] and 0 <= ew < s["sw"]:
            layer.padding, layer.output_padding, layer.cut = (eh, ew), (eh, ew), None
            n += 1
    return n


def run(torch, nn, a, cfg, channels_last, compile_):
    """Seconds for one shuffled pass over a.images images, after warm-up."""
    import clae2torch
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    torch.manual_seed(0)
    model = clae2torch.build(cfg.text).train()
    torch_same(nn, model)
    model = model.to(memory_format=fmt)
    nparams = sum(p.numel() for p in model.parameters())
    bench_config.check_params(cfg, nparams, a.params)
    fwd = torch.compile(model) if compile_ else model
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=(cfg.beta1, cfg.beta2),
                           eps=cfg.eps)
    loss_fn = getattr(nn, LOSS[cfg.loss])()
    g = torch.Generator().manual_seed(0)
    x = torch.rand((a.images,) + cfg.in_shape, generator=g).contiguous(memory_format=fmt)
    C, H, W = cfg.out_shape
    y = torch.rand((a.images,) + ((C,) if H == W == 1 else (C, H, W)), generator=g)
    y = y.contiguous(memory_format=fmt) if y.dim() == 4 else y

    def step(idx):
        xb = x[idx].contiguous(memory_format=fmt)
        yb = y[idx]
        yb = yb.contiguous(memory_format=fmt) if yb.dim() == 4 else yb
        opt.zero_grad(set_to_none=True)
        out, terms = fwd(xb, with_terms=True)
        loss = loss_fn(out, yb) + terms
        loss.backward()
        opt.step()
        return loss

    warm = torch.arange(min(a.batch, a.images))
    for _ in range(3 if compile_ else 2):
        step(warm)
    rest = a.images % a.batch
    if rest and a.images > a.batch:
        step(torch.arange(rest))  # the last batch's shape, compiled or not
    perm = torch.randperm(a.images, generator=g)
    t0 = time.perf_counter()
    for i0 in range(0, a.images, a.batch):
        loss = step(perm[i0:i0 + a.batch])
    float(loss.detach())
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description="PyTorch training throughput, three variants")
    bench_config.add_args(ap)
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile variant")
    a = ap.parse_args()
    if bench_config.bad_numbers(a):
        print("bench_torch: --images, --batch and --threads must be >= 1", file=sys.stderr)
        return 2
    try:
        cfg = bench_config.load(a.config)
    except bench_config.Bad as e:
        print(f"pytorch: {e}", file=sys.stderr)
        return 1
    a.batch = a.batch or cfg.batch
    os.environ.setdefault("OMP_NUM_THREADS", str(a.threads))
    try:
        import torch
        from torch import nn
    except ImportError as e:
        print(f"pytorch: missing ({e}; scripts/bench-vs.sh --torch installs it into "
              ".venv-bench)", file=sys.stderr)
        return 3
    torch.set_num_threads(a.threads)
    version = f"PyTorch {torch.__version__}"
    variants = [("PyTorch eager, NCHW", False, False),
                ("PyTorch eager, channels_last", True, False)]
    if not a.no_compile:
        variants.append(("PyTorch torch.compile, channels_last", True, True))
    for name, cl, comp in variants:
        if comp:
            cxx = os.environ.get("CXX") or shutil.which("g++") or shutil.which("c++")
            if not cxx:
                print("torch.compile: failed (no C++ compiler: g++, c++ or $CXX)")
                continue
            try:
                dt = run(torch, nn, a, cfg, cl, comp)
            except Exception as e:  # noqa: BLE001 - any failure of the compiler stack
                reason = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
                print(f"torch.compile: failed ({type(e).__name__}: {reason})")
                continue
        else:
            try:
                dt = run(torch, nn, a, cfg, cl, comp)
            except bench_config.Bad as e:
                print(f"pytorch: {e}", file=sys.stderr)
                return 1
        ips = a.images / dt
        print(f"{name} ({version}): {cfg.name}, {a.images} images, batch {a.batch}, "
              f"{a.threads} threads: {dt:.2f} s, {ips:.1f} images/s")
        print(f"@result\t{name}\t{version}\t{ips:.1f}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
