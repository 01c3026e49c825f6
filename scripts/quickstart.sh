#!/usr/bin/env bash
# The main job on a fresh machine: install packages, build, fetch CIFAR-10,
# train the denoiser for a short run, and say where the checkpoint is.
#   scripts/quickstart.sh [extra `clae train` options, e.g. --epochs 5 --device ref]
# Without network, point CLAE_CIFAR_ARCHIVE at a local copy of CIFAR-10
# (the official tarball or an image-folder archive); CI uses the shared JPEG copy.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${CLAE_SKIP_SETUP:-0}" != 1 ]; then scripts/setup.sh; fi
scripts/build.sh
scripts/fetch-cifar10.sh data/cifar-10-batches-bin
build/clae devices
build/clae summary configs/denoiser.cfg
if [ "$#" -eq 0 ]; then set -- --epochs 2; fi
build/clae train configs/denoiser.cfg --data data/cifar-10-batches-bin --out runs/denoiser "$@"
