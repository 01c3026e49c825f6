#!/usr/bin/env python3
"""Train the denoiser in PyTorch the way clae does, and print images/s.

The model is the Keras one in PyTorch layers: Conv2d(3,8,3,padding=1)+ReLU, MaxPool2d(2),
Conv2d(8,16,3,padding=1)+ReLU, MaxPool2d(2), ConvTranspose2d(16,16,3,stride=2,padding=1,
output_padding=1)+ReLU (x2; same size and work as Keras 'same', cropping the other side),
Conv2d(16,3,3,padding=1)+Sigmoid; MSE loss, Adam (lr 1e-3, eps 1e-7), batch 512.
Data: random tensors in memory (no loading cost), inputs blurred like clae's would be is
irrelevant to speed, so inputs are random too.

usage: bench_pytorch.py [--images 40000] [--batch 512] [--threads 2]
"""
import argparse
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=40000)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    try:
        import torch
        from torch import nn
    except ImportError:
        print("pytorch: missing (apt-get install python3-torch)", file=sys.stderr)
        return 3
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.Conv2d(16, 3, 3, padding=1), nn.Sigmoid())
    nparams = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.MSELoss()
    x = torch.rand(a.images, 3, 32, 32)
    y = torch.rand(a.images, 3, 32, 32)

    def step(i0):
        xb, yb = x[i0:i0 + a.batch], y[i0:i0 + a.batch]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    step(0)  # warm-up
    t0 = time.perf_counter()
    for i0 in range(0, a.images, a.batch):
        loss = step(i0)
    float(loss)
    dt = time.perf_counter() - t0
    print(f"pytorch {torch.__version__}: {nparams} parameters, {a.images} images, batch {a.batch}, "
          f"{a.threads} threads: {dt:.2f} s, {a.images / dt:.1f} images/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
