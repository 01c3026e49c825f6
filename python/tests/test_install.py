"""`pip install ./python` as the README gives it: into a fresh virtual environment (Debian's
own Python is externally managed), with the system's numpy and setuptools and no network.
The installed package, imported from another folder with no CLAE_LIB, loads the copy of
libclae it carries and trains a step."""
import os
import subprocess
import sys

import pytest

from conftest import CONFIG, ROOT

PROGRAM = """
import numpy as np, clae
m = clae.Model.from_config(%r, device='ref', seed=3)
h = m.fit(np.full((32, 8, 8, 3), 128, np.uint8), epochs=1, validation_split=0.25)
print(clae.__file__)
print([l.split()[-1] for l in open('/proc/self/maps') if 'libclae' in l][0])
print(len(h.history['loss']))
"""


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


def test_pip_install_into_a_venv(tmp_path):
    if not (ROOT / "build" / "libclae.so").exists():
        pytest.skip("no build/libclae.so to bundle (cmake --build build)")
    venv = tmp_path / "venv"
    r = run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    if r.returncode != 0:
        pytest.skip("no venv with pip (apt-get install python3-venv): %s" % r.stderr.strip())
    py = str(venv / "bin" / "python")
    if run([py, "-c", "import setuptools"]).returncode != 0:
        pytest.skip("no setuptools to build the package offline "
                    "(apt-get install python3-setuptools)")
    r = run([py, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-index",
             str(ROOT / "python")])
    assert r.returncode == 0, r.stdout + r.stderr
    env = {k: v for k, v in os.environ.items() if k != "CLAE_LIB"}
    r = run([py, "-c", PROGRAM % str(CONFIG)], cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    package, library, epochs = r.stdout.split()
    assert package.startswith(str(venv)), package
    assert library.startswith(str(venv)) and library.endswith("/clae/libclae.so"), library
    assert epochs == "1"
