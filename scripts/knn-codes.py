#!/usr/bin/env python3
"""Similar-image search on `clae encode` codes: each test image's nearest
training image (Euclidean), and how often it has the same class; the same on
raw pixels when --data is given. Needs numpy.

  scripts/knn-codes.py TRAIN.npy TEST.npy [--data DIR]

TRAIN.npy and TEST.npy come from `clae encode CKPT X.npy --split train|test`
(their labels from X-labels.npy beside them). With --data DIR (the CIFAR-10
binary folder the codes were made from) it also searches the first images of
the same splits by their pixels."""
import argparse
import os
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("knn-codes.py: needs numpy (pip install numpy)")


def labels_of(path):
    return np.load(path[:-4] + "-labels.npy")


def nearest(train, test):
    """Index of the nearest training row for every test row, in blocks."""
    tn = (train * train).sum(1)
    out = np.empty(len(test), dtype=np.int64)
    for s in range(0, len(test), 512):
        b = test[s:s + 512]
        d = tn[None, :] - 2.0 * b @ train.T
        out[s:s + 512] = d.argmin(1)
    return out


def pixels(data, files, n):
    recs = [np.fromfile(os.path.join(data, f), dtype=np.uint8).reshape(-1, 3073) for f in files]
    recs = np.concatenate(recs)[:n]
    return recs[:, 1:].astype(np.float32) / 255.0, recs[:, 0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("--data")
    a = ap.parse_args()
    tr, te = np.load(a.train), np.load(a.test)
    ytr, yte = labels_of(a.train), labels_of(a.test)
    tr, te = tr.reshape(len(tr), -1), te.reshape(len(te), -1)
    acc = (ytr[nearest(tr, te)] == yte).mean()
    print("codes:  %d values an image, nearest training image of the same class %.1f%%"
          % (tr.shape[1], 100 * acc))
    if a.data:
        px, py = pixels(a.data, ["data_batch_%d.bin" % i for i in range(1, 6)], len(tr))
        qx, qy = pixels(a.data, ["test_batch.bin"], len(te))
        if not ((py == ytr).all() and (qy == yte).all()):
            sys.exit("knn-codes.py: the codes' labels are not those of %s's first images" % a.data)
        acc = (py[nearest(px, qx)] == qy).mean()
        print("pixels: %d values an image, nearest training image of the same class %.1f%%"
              % (px.shape[1], 100 * acc))


if __name__ == "__main__":
    main()
