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
# The kernels of every shipped config are compiled ahead (clae compile) while
# the data is fetched, so that no first training step waits for the compiler.
build/clae compile >build/compile.log 2>&1 &
compile_pid=$!
trap 'kill "$compile_pid" 2>/dev/null || true' EXIT
scripts/fetch-cifar10.sh data/cifar-10-batches-bin
if wait "$compile_pid"; then cat build/compile.log; else
  echo "quickstart: clae compile failed (build/compile.log); clae train compiles as it goes" >&2
fi
trap - EXIT
build/clae devices
build/clae summary configs/denoiser.cfg
if [ "$#" -eq 0 ]; then set -- --epochs 2; fi
build/clae train configs/denoiser.cfg --data data/cifar-10-batches-bin --out runs/denoiser "$@"
