#!/usr/bin/env python3
"""Train the denoiser in PyTorch 2 on the CPU the way clae does, and print images/s.

The model is the Keras one in PyTorch layers: Conv2d(3,8,3,padding=1)+ReLU, MaxPool2d(2),
Conv2d(8,16,3,padding=1)+ReLU, MaxPool2d(2), ConvTranspose2d(16,16,3,stride=2,padding=1,
output_padding=1)+ReLU (x2; same size and work as Keras 'same', cropping the other side),
Conv2d(16,3,3,padding=1)+Sigmoid: 6,467 parameters (asserted); MSE loss, Adam (lr 1e-3,
eps 1e-7). Data: random tensors in memory, a fresh shuffle per pass (batches gathered by a
random permutation, as Keras's shuffle=True and clae do).

Three variants, each from the same initial weights: eager NCHW; eager channels_last (model
and inputs .to(memory_format=torch.channels_last)); torch.compile of the channels_last model
(the optimizer step stays eager). Warm-up steps are excluded (2 eager, 3 compiled, plus one of
a last, smaller batch if --images is not a multiple of --batch), then one pass over the images
is timed. If torch.compile fails (no working C++ compiler, ...) it prints
"torch.compile: failed (reason)" and the others still count.

Prints a human line and a tab-separated '@result<TAB>engine<TAB>version<TAB>images/s' line
per variant (read by scripts/bench-vs.sh).

usage: bench_torch.py [--images 20480] [--batch 512] [--threads nproc] [--no-compile]
"""
import argparse
import os
import shutil
import sys
import time


def build(torch, nn):
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.Conv2d(16, 3, 3, padding=1), nn.Sigmoid())


def run(torch, nn, a, channels_last, compile_):
    """Seconds for one shuffled pass over a.images images, after warm-up."""
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = build(torch, nn).to(memory_format=fmt)
    nparams = sum(p.numel() for p in model.parameters())
    assert nparams == 6467, f"model has {nparams} parameters, not 6,467"
    fwd = torch.compile(model) if compile_ else model
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.MSELoss()
    g = torch.Generator().manual_seed(0)
    x = torch.rand(a.images, 3, 32, 32, generator=g).contiguous(memory_format=fmt)
    y = torch.rand(a.images, 3, 32, 32, generator=g).contiguous(memory_format=fmt)

    def step(idx):
        xb = x[idx].contiguous(memory_format=fmt)
        yb = y[idx].contiguous(memory_format=fmt)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(fwd(xb), yb)
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
    float(loss)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description="PyTorch training throughput, three variants")
    ap.add_argument("--images", type=int, default=20480)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile variant")
    a = ap.parse_args()
    if min(a.images, a.batch, a.threads) < 1:
        print("bench_torch: --images, --batch and --threads must be >= 1", file=sys.stderr)
        return 2
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
                dt = run(torch, nn, a, cl, comp)
            except Exception as e:  # noqa: BLE001 - any failure of the compiler stack
                reason = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
                print(f"torch.compile: failed ({type(e).__name__}: {reason})")
                continue
        else:
            dt = run(torch, nn, a, cl, comp)
        ips = a.images / dt
        print(f"{name} ({version}): {a.images} images, batch {a.batch}, {a.threads} threads: "
              f"{dt:.2f} s, {ips:.1f} images/s")
        print(f"@result\t{name}\t{version}\t{ips:.1f}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
