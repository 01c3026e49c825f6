"""examples/denoise.py runs: a short epoch on CIFAR-10 (skipped without the data), and where
this Python has matplotlib (Debian's python3-matplotlib; scripts/setup.sh installs it) its
figure is drawn and written."""
import importlib.util
import subprocess
import sys

import pytest

from conftest import ROOT


def test_denoise_example(clae, tmp_path):
    data = ROOT / "data" / "cifar-10-batches-bin"
    if not (data / "test_batch.bin").exists():
        pytest.skip("no CIFAR-10 in %s (scripts/fetch-cifar10.sh)" % data)
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "denoise.py"), "--limit", "256",
                        "--device", "ref", "--out", str(tmp_path / "d.png")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "epoch 1: loss" in r.stdout and "codes: (1000, 8, 8, 16) float32" in r.stdout
    if importlib.util.find_spec("matplotlib") is None:
        assert "matplotlib is not installed" in r.stdout
        return
    png = (tmp_path / "d.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10000, len(png)
