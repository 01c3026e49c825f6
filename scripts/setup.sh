#!/usr/bin/env bash
# Install the Debian packages clae needs to build, test and run on PoCL.
# Usage: scripts/setup.sh        (needs root or sudo)
# Everything marked "checks only" serves the tests, not the engine (about 150 MB
# of it is Debian's PyTorch for the export check).
set -euo pipefail
PACKAGES=(
  build-essential cmake pkg-config
  opencl-headers ocl-icd-opencl-dev pocl-opencl-icd clinfo
  libclblast-dev libstb-dev check libinih-dev libcjson-dev
  zlib1g-dev  # clae compress's entropy coder (deflate)
  fonts-dejavu-core  # the figures' text (clae plot, clae show); without it a bitmap font
  openmpi-bin libopenmpi-dev  # data-parallel training (mpirun -np N clae train); optional
  oclgrind  # checks only: a simulated GPU device (scripts/check-kernels-sim.sh)
  mesa-opencl-icd libclc-15  # checks only: rusticl, a second implementation (check-implementations.sh)
  python3-numpy python3-torch python3-onnx  # checks only: tests/clae2torch.sh (export to PyTorch/ONNX)
  python3-pytest  # checks only: ctest python (python/tests, the Python package over libclae)
  python3-venv python3-setuptools  # checks only: its test of `pip install ./python` in a venv
  python3-matplotlib  # checks only: examples/denoise.py's figure, drawn in that test
)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
