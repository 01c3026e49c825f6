#!/usr/bin/env bash
# One encoder, two decoders against one decoder (issue 27's demonstration):
# configs/two-decoders.cfg (the denoiser's encoder shared by a cats decoder
# and a dogs decoder, CIFAR-10 labels 3 and 5) beside the same layers with
# one decoder trained on both classes (configs/denoiser.cfg, corrupt = none,
# --classes 3,5, the same batch and epochs); the test MSE of each class for
# both; docs/two-decoders.png (clae show: each branch's test images, their
# reconstructions and their swaps).
#   scripts/two-decoders.sh [--epochs N] [--data DIR]   (default 60 epochs)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=60 data=data/cifar-10-batches-bin
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    *) echo "two-decoders: unknown option '$1' (--epochs N, --data DIR)" >&2; exit 2 ;;
  esac
done
clae=build/clae
[ -x "$clae" ] || scripts/build.sh >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$clae" train configs/two-decoders.cfg --data "$data" --epochs "$epochs" \
  --out runs/two-decoders --overwrite --no-progress | tee "$out/two.log"
"$clae" train configs/denoiser.cfg --data "$data" --epochs "$epochs" --classes 3,5 \
  --set train.corrupt=none --set net.batch=256 --out runs/one-decoder --overwrite \
  --no-progress | tee "$out/one.log"
line=$(grep "test MSE by branch:" "$out/two.log")
two_cats=$(echo "$line" | sed 's/.*cats \([0-9.]*\).*/\1/')
two_dogs=$(echo "$line" | sed 's/.*dogs \([0-9.]*\).*/\1/')
for c in 3 5; do
  "$clae" eval runs/one-decoder/last.safetensors --data "$data" --classes "$c" \
    --json "$out/one-$c.json" >/dev/null
done
one() { python3 -c "import json,sys; print('%.6f' % json.load(open(sys.argv[1]))['model']['mse'])" "$1"; }
"$clae" show runs/two-decoders/last.safetensors docs/two-decoders.png --data "$data" --n 8
echo
echo "| test images | two decoders (its own branch) | one decoder for both |"
echo "|---|---|---|"
echo "| cats (label 3) | $two_cats | $(one "$out/one-3.json") |"
echo "| dogs (label 5) | $two_dogs | $(one "$out/one-5.json") |"
