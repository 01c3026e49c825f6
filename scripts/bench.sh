#!/usr/bin/env bash
# Run `clae bench` on the PoCL/OpenCL default device and on the reference path,
# keeping the tables and JSON under runs/bench/.
#   scripts/bench.sh [CONFIG] [extra clae bench flags...]   e.g. --batch 64
set -euo pipefail
cd "$(dirname "$0")/.."
clae=${CLAE:-build/clae}
config=${1:-configs/denoiser.cfg}
[ $# -gt 0 ] && shift
out=runs/bench
mkdir -p "$out"
stamp=$(date +%Y%m%d-%H%M%S)
"$clae" bench "$config" "$@" --json "$out/$stamp-device.json" | tee "$out/$stamp-device.txt"
"$clae" bench "$config" --device ref "$@" --json "$out/$stamp-ref.json" | tee "$out/$stamp-ref.txt"
