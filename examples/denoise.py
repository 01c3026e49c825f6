#!/usr/bin/env python3
"""The denoiser from Python: one epoch on CIFAR-10, then originals / blurred / restored
test images and the codes of the bottleneck (8 x 8 x 16 per image) projected on their
first two principal components, coloured by class, in one figure (matplotlib; without it
the numbers are printed and the figure is left out).

    python3 examples/denoise.py                      # the whole training set, one epoch
    python3 examples/denoise.py --limit 2000 --device ref --out denoise.png

configs/denoiser.cfg with batches of 64 (--batch): one epoch of CIFAR-10's 40,000 training
images is then 625 steps, which restores something (about 11 s on PoCL with 2 cores).

The images come from data/cifar-10-batches-bin (scripts/fetch-cifar10.sh), read with
NumPy alone; the package from python/ (pip install ./python, or run from the checkout)."""
import argparse
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
try:
    import clae
except ImportError:  # run from a checkout without pip install
    sys.path.insert(0, str(ROOT / "python"))
    import clae

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck"]


def load_cifar(folder, names, limit):
    """uint8 images (N, 32, 32, 3) and labels (N,) of CIFAR-10's binary files."""
    rec = np.concatenate([np.fromfile(folder / n, dtype=np.uint8).reshape(-1, 3073)
                          for n in names])
    if limit:
        rec = rec[:limit]
    x = np.ascontiguousarray(rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    return x, rec[:, 0].copy()


def pca2(codes):
    flat = codes.reshape(len(codes), -1).astype(np.float64)
    flat -= flat.mean(axis=0)
    _, _, vt = np.linalg.svd(flat, full_matrices=False)
    return flat @ vt[:2].T


def figure(path, x, blurred, restored, xy, labels, hist):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no figure (pip install matplotlib)")
        return
    n = len(x)
    fig = plt.figure(figsize=(2 * n, 10))
    rows = [("original", x / 255.0), ("blurred", blurred), ("restored", restored)]
    for r, (name, imgs) in enumerate(rows):
        for k in range(n):
            ax = fig.add_subplot(5, n, r * n + k + 1)
            ax.imshow(np.clip(imgs[k], 0, 1))
            ax.set_xticks([]), ax.set_yticks([])
            if k == 0:
                ax.set_ylabel(name)
    ax = fig.add_subplot(5, 1, (4, 5))
    for c in range(10):
        sel = labels == c
        ax.scatter(xy[sel, 0], xy[sel, 1], s=4, label=CLASSES[c])
    ax.set_title("codes (layer 3, 8x8x16), first two principal components; "
                 "train loss %.5f, val loss %.5f" % (hist.history["loss"][-1],
                                                     hist.history["val_loss"][-1]))
    ax.legend(markerscale=3, fontsize=8, ncol=5)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    print("wrote", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(ROOT / "data" / "cifar-10-batches-bin"))
    ap.add_argument("--config", default=str(ROOT / "configs" / "denoiser.cfg"))
    ap.add_argument("--device", default=None, help="ref or an index (default: clae's)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N training images")
    ap.add_argument("--batch", type=int, default=64,
                    help="images per step (the config's 512 takes 78 steps an epoch, too few "
                         "to restore anything in one; 64 takes 625)")
    ap.add_argument("--out", default="denoise.png")
    a = ap.parse_args()
    data = pathlib.Path(a.data)
    x_train, _ = load_cifar(data, ["data_batch_%d.bin" % i for i in range(1, 6)], a.limit)
    x_test, y_test = load_cifar(data, ["test_batch.bin"], 1000)
    m = clae.Model.from_config(a.config, device=a.device, set=["net.batch=%d" % a.batch])
    print("training on %s: %d images, one epoch" % (m.device, len(x_train)))
    hist = m.fit(x_train, epochs=1, callbacks=[
        lambda e, logs: print("epoch %d: loss %.6f, val loss %.6f, %.0f images/s"
                              % (e + 1, logs["loss"], logs["val_loss"],
                                 logs["images_per_s"]))])
    show = x_test[:8]
    blurred = m.corrupt(show)
    restored = m.predict(blurred)
    mse_blur = float(np.mean((blurred - show / 255.0) ** 2))
    mse_restored = float(np.mean((restored - show / 255.0) ** 2))
    print("MSE against the originals: blurred %.6f, restored %.6f" % (mse_blur, mse_restored))
    codes = m.encode(x_test, layer=3)
    print("codes:", codes.shape, codes.dtype)
    figure(a.out, show, blurred, restored, pca2(codes), y_test, hist)
    m.close()


if __name__ == "__main__":
    main()
