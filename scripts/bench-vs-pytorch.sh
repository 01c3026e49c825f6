#!/usr/bin/env bash
# Training throughput of the denoiser (batch 512, Adam, MSE): PyTorch on this
# machine's CPU, then clae on its default OpenCL device, one after the other,
# and their ratio. Installs nothing: PyTorch comes from Debian's python3-torch
# if present; without it clae's figure is printed alone.
#   scripts/bench-vs-pytorch.sh [--images N] [--threads T] [--device N|ref]
set -euo pipefail
cd "$(dirname "$0")/.."
images=40000 threads=$(nproc) device=""
while [ $# -gt 0 ]; do
  case "$1" in
    --images) images=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --device) device="--device $2"; shift 2 ;;
    *) echo "bench-vs-pytorch: unknown option $1" >&2; exit 2 ;;
  esac
done
clae=${CLAE_BIN:-build/clae}
[ -x "$clae" ] || { echo "bench-vs-pytorch: $clae not built (scripts/build.sh)" >&2; exit 1; }
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"

pt="" py=""
for cand in python3 /usr/bin/python3; do  # Debian's python3-torch lives with /usr/bin/python3
  if command -v "$cand" >/dev/null && "$cand" -c 'import torch' 2>/dev/null; then py=$cand; break; fi
done
if [ -n "$py" ]; then
  out=$("$py" scripts/bench_pytorch.py --images "$images" --threads "$threads")
  echo "$out"
  pt=$(echo "$out" | sed -n 's/.* \([0-9.]*\) images\/s$/\1/p')
else
  echo "pytorch: missing (Debian: apt-get install python3-torch); showing clae alone"
fi

# clae: the same number of images through the training step (clae bench's
# whole-step timing, median of repeats), and, when CIFAR-10 is present, a real
# epoch of `clae train` on that many images.
steps=$(( (images + 511) / 512 ))
# shellcheck disable=SC2086
bench=$("$clae" bench configs/denoiser.cfg --batch 512 --repeats "$(( steps < 20 ? steps : 20 ))" --warmup 2 $device)
ips=$(echo "$bench" | sed -n 's/^images\/s: \([0-9.]*\).*/\1/p')
dev=$(echo "$bench" | sed -n 's/^device: *//p' | head -1)
echo "clae ($dev): training step $ips images/s (clae bench, batch 512)"
if [ -f data/cifar-10-batches-bin/test_batch.bin ]; then
  limit=$(( images * 5 / 4 ))
  # shellcheck disable=SC2086
  line=$("$clae" train configs/denoiser.cfg --data data/cifar-10-batches-bin --epochs 1 \
    --limit "$limit" --out "$(mktemp -d)" $device | grep '^epoch 1/1' || true)
  [ -n "$line" ] && echo "clae train, one epoch of $images images: $line"
fi
if [ -n "$pt" ] && [ -n "$ips" ]; then
  awk -v c="$ips" -v p="$pt" 'BEGIN { printf "ratio clae / pytorch: %.1fx\n", c / p }'
fi
