#!/usr/bin/env python3
"""The models scripts/bench-vs.sh times against clae have clae's parameter count: for every
config in configs/ that the builders take, the Keras model (scripts/clae_keras.py) and the
PyTorch module (scripts/clae2torch.py, as scripts/bench_torch.py trains it) each have the
parameters `clae summary CONFIG` counts. A config a builder refuses (a layer kind it has no
form for, [branch] sections) is skipped for that builder and named.

  python3 -m pytest tests/test_bench_models.py   # python3-pytest; $CLAE_BIN or build/clae
  tests/test_bench_models.py [CLAE_BIN]          # without pytest (ctest -R bench_models)

Without pytest the script runs under $CLAE_PYTHON, else .venv-bench/bin/python (made by
scripts/bench-vs.sh), else the python it was started with, and exits 77 (skipped) when that
python has neither Keras (with TensorFlow) nor torch, or clae is not built; under pytest those
cases are skips. Exit 1 when a count differs.
"""
import glob
import importlib.util
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench_config  # noqa: E402

CONFIGS = sorted(glob.glob(os.path.join(ROOT, "configs", "*.cfg")))


def clae_bin():
    return os.environ.get("CLAE_BIN") or os.path.join(ROOT, "build", "clae")


def clae_params(binary, path):
    """`clae summary PATH`'s total parameter count."""
    r = subprocess.run([binary, "summary", path], capture_output=True, text=True)
    m = re.search(r"^ *Total params: ([0-9,]+)", r.stdout, re.M)
    if r.returncode != 0 or not m:
        raise AssertionError(f"{path}: clae summary failed: {(r.stderr or r.stdout).strip()}")
    return int(m.group(1).replace(",", ""))


def keras_params(cfg):
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import clae_keras
    return clae_keras.build(cfg).count_params()


def torch_params(cfg):
    import clae2torch
    from torch import nn
    import bench_torch
    net = clae2torch.build(cfg.text).train()
    bench_torch.torch_same(nn, net)
    return sum(p.numel() for p in net.parameters())


ENGINES = {"keras": (("keras", "tensorflow"), keras_params),
           "torch": (("torch", "numpy"), torch_params)}


def has(modules):
    return all(importlib.util.find_spec(m) is not None for m in modules)


def check(engine, path, binary):
    """-> None when the builder's count is clae's, 'skip: why' when it does not take the
    config; AssertionError when the counts differ."""
    try:
        cfg = bench_config.load(path)
        if engine == "keras":
            import clae_keras
            clae_keras.check(cfg)
    except bench_config.Bad as e:
        return f"skip: {e}"
    got, want = ENGINES[engine][1](cfg), clae_params(binary, path)
    assert got == want, f"{path}: {engine} builds {got:,} parameters, clae {want:,}"
    return None


# ---- pytest -----------------------------------------------------------------

def test_parameter_counts(engine, config):
    import pytest
    if not has(ENGINES[engine][0]):
        pytest.skip(f"no {' and '.join(ENGINES[engine][0])} in {sys.executable}")
    if not os.access(clae_bin(), os.X_OK):
        pytest.skip(f"{clae_bin()} not built")
    why = check(engine, config, clae_bin())
    if why:
        pytest.skip(why[len("skip: "):])


def pytest_generate_tests(metafunc):
    if {"engine", "config"} <= set(metafunc.fixturenames):
        metafunc.parametrize("engine", sorted(ENGINES))
        metafunc.parametrize("config", CONFIGS, ids=[os.path.basename(c) for c in CONFIGS])


# ---- without pytest ---------------------------------------------------------

def main(argv):
    binary = argv[1] if len(argv) > 1 else clae_bin()
    venv = os.path.join(ROOT, ".venv-bench", "bin", "python")
    want_py = os.environ.get("CLAE_PYTHON") or (venv if os.access(venv, os.X_OK) else None)
    if want_py and os.path.abspath(want_py) != os.path.abspath(sys.executable) \
            and not os.environ.get("BENCH_MODELS_REEXEC"):
        os.environ["BENCH_MODELS_REEXEC"] = "1"
        os.execv(want_py, [want_py, os.path.abspath(__file__), binary])
    if not os.access(binary, os.X_OK):
        print(f"skipped: {binary} not built")
        return 77
    engines = [e for e in sorted(ENGINES) if has(ENGINES[e][0])]
    if not engines:
        print(f"skipped: {sys.executable} has neither keras with tensorflow nor torch")
        return 77
    print(f"python: {sys.executable}; builders: {', '.join(engines)}")
    fail = 0
    for path in CONFIGS:
        for engine in engines:
            name = f"{engine} {os.path.relpath(path, ROOT)}"
            try:
                why = check(engine, path, binary)
            except AssertionError as e:
                print(f"FAIL {name}: {e}")
                fail += 1
                continue
            print(f"{'ok  ' if why is None else 'skip'} {name}{'' if why is None else why[4:]}")
    print(f"{'FAIL' if fail else 'ok'}: {fail} count(s) differ")
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
