"""Shared fixtures of the Python tests: numpy (else every test skips), the library
($CLAE_LIB or the build tree), the CLI ($CLAE_BIN or build/clae), a tiny config, and
its data written as clae's own dataset layout (train.safetensors, test.safetensors)
so that `clae train`, `clae encode` and the Python package see the same images."""
import json
import os
import pathlib
import struct
import subprocess

import pytest

np = pytest.importorskip("numpy")

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CONFIG = HERE / "tiny.cfg"
N_TRAIN, N_TEST = 96, 40


def write_safetensors(path, tensors, metadata=None):
    """tensors: name -> numpy array (uint8 or float32), written in order."""
    header, blobs, at = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        dtype = {np.dtype(np.uint8): "U8", np.dtype(np.float32): "F32"}[a.dtype]
        header[name] = {"dtype": dtype, "shape": list(a.shape),
                        "data_offsets": [at, at + a.nbytes]}
        blobs.append(a.tobytes())
        at += a.nbytes
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    """name -> (dtype string, shape, raw bytes), and the metadata."""
    data = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {k: (v["dtype"], tuple(v["shape"]),
               data[base + v["data_offsets"][0]:base + v["data_offsets"][1]])
           for k, v in header.items()}
    return out, meta


@pytest.fixture(scope="session")
def clae():
    import sys
    sys.path.insert(0, str(ROOT / "python"))
    import clae as module
    return module


@pytest.fixture(scope="session")
def clae_bin():
    path = os.environ.get("CLAE_BIN", str(ROOT / "build" / "clae"))
    if not os.path.exists(path):
        pytest.skip("no clae binary at %s (set CLAE_BIN)" % path)
    return path


@pytest.fixture(scope="session")
def images():
    """(train, test) uint8 NHWC images: smooth random fields (something to learn)."""
    rng = np.random.default_rng(0)
    base = rng.random((N_TRAIN + N_TEST, 4, 4, 3))
    big = base.repeat(2, axis=1).repeat(2, axis=2) + 0.15 * rng.random((N_TRAIN + N_TEST, 8, 8, 3))
    x = np.clip(big / 1.15 * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return x[:N_TRAIN].copy(), x[N_TRAIN:].copy()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory, images):
    """The images in clae's dataset layout: (N, C, H, W) planes and labels."""
    d = tmp_path_factory.mktemp("data")
    for split, x in zip(("train", "test"), images):
        write_safetensors(d / ("%s.safetensors" % split),
                          {"images": x.transpose(0, 3, 1, 2),
                           "labels": np.zeros(len(x), dtype=np.uint8)})
    return d


def run_cli(clae_bin, *args):
    r = subprocess.run([clae_bin, *map(str, args)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, "clae %s: %s%s" % (" ".join(map(str, args)), r.stdout, r.stderr)
    return r
