#!/usr/bin/env bash
# The GPU path on a real GPU (NVIDIA, AMD or Intel through their OpenCL
# drivers), in one command: build, list the devices, run every op suite and
# the whole-step test on the GPU (the default path, then the forced
# im2col + CLBlast GEMM path), `clae selftest`, `clae bench`, and one epoch
# of the denoiser on CIFAR-10; then one summary: pass/fail per suite,
# images/s per step and per epoch, kernels launched per step.
#   scripts/gpu-check.sh [--device N] [--no-build] [--bundle FILE|DIR] [--data DIR] [--out DIR]
#   --device N   the OpenCL device to check (default: the first GPU that
#                `clae devices` lists)
#   --no-build   use build/ as it is (a machine without the build tools)
#   --bundle B   a release bundle (scripts/bundle.sh: the tarball, or the
#                folder it unpacks to) instead of build/: for a machine with
#                only a vendor's OpenCL driver and no package registry. The
#                Check suites are not in it; `clae selftest` checks every op.
#   --data DIR   CIFAR-10 binary folder (default data/cifar-10-batches-bin;
#                fetched with scripts/fetch-cifar10.sh when missing)
#   --out DIR    where the logs, bench JSON and checkpoint go
#                (default runs/gpu-check)
# Exit 0 when every suite passed and the bench and the epoch ran.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
dev="" build=1 data=data/cifar-10-batches-bin out=runs/gpu-check bundle=""
clae=build/clae
while [ $# -gt 0 ]; do
  case "$1" in
    --device) dev=${2:-}; shift 2 ;;
    --no-build) build=0; shift ;;
    --bundle) bundle=${2:-}; build=0; shift 2 ;;
    --data) data=${2:-}; shift 2 ;;
    --out) out=${2:-}; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-check: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
t_start=$(date +%s)
mkdir -p "$out" || exit 2
if [ "$build" -eq 1 ]; then
  scripts/build.sh >"$out/build.log" 2>&1 || { echo "gpu-check: build failed, see $out/build.log" >&2; exit 1; }
fi
if [ -n "$bundle" ]; then
  if [ -f "$bundle" ]; then
    mkdir -p "$out/bundle" && tar -xzf "$bundle" -C "$out/bundle" || exit 2
    bundle=$(echo "$out"/bundle/clae-*)
  fi
  clae=$bundle/clae
  export CLAE_BIN=$clae # fetch-cifar10.sh imports JPEG archives with it
fi
[ -x "$clae" ] || { echo "gpu-check: $clae missing (drop --no-build, or see --bundle)" >&2; exit 2; }

"$clae" devices | tee "$out/devices.txt"
if [ -z "$dev" ]; then
  # The first device whose type line says GPU.
  dev=$(awk '/^[* ] *[0-9]+  /{i=$0; sub(/^[* ] */, "", i); sub(/ .*/, "", i)}
             /^ +type:/ && /GPU/ && i != "" {print i; exit}' "$out/devices.txt")
  if [ -z "$dev" ]; then
    echo "gpu-check: no GPU among the OpenCL devices above; is the driver's ICD file in" \
         "/etc/OpenCL/vendors? (--device N checks another device)" >&2
    exit 1
  fi
fi
export CLAE_DEVICE=$dev
unset CLAE_CONV CLAE_DENSE CK_INCLUDE_TAGS CK_EXCLUDE_TAGS
name=$(awk -v d="$dev" '/^[* ] *[0-9]+  /{i=$0; sub(/^[* ] */, "", i); split(i, f, "  ")
                          if (f[1] == d) {sub(/^[0-9]+ +/, "", i); print i; exit}}' "$out/devices.txt")
echo "== checking device $dev: $name"

declare -a rows
pass=0 fail=0
suite() { # suite LABEL BINARY [VAR=VALUE ...]
  local label=$1 bin=$2 t0 rc=0 secs line
  shift 2
  t0=$(date +%s)
  env "$@" timeout 600 "build/$bin" >"$out/$label.log" 2>&1 || rc=$?
  secs=$(($(date +%s) - t0))
  line=$(grep -Eo '[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$out/$label.log" | tail -n 1)
  if [ "$rc" -eq 0 ]; then
    rows+=("$(printf 'pass  %-24s %4ss  %s' "$label" "$secs" "$line")")
    pass=$((pass + 1))
  else
    rows+=("$(printf 'FAIL  %-24s %4ss  %s (exit %s; %s)' "$label" "$secs" "$line" "$rc" "$out/$label.log")")
    fail=$((fail + 1))
  fi
  echo "${rows[-1]}"
}
if [ -z "$bundle" ]; then
  for t in act adam bias blur convert mse pool conv2d conv2d_transpose conv2d_direct net train \
           selftest; do
    suite "$t" "test_$t"
  done
  for t in conv2d conv2d_transpose net; do
    suite "$t-gemm" "test_$t" CLAE_CONV=gemm
  done
fi

echo "== clae selftest"
if "$clae" selftest --device "$dev" >"$out/selftest.txt" 2>&1; then
  rows+=("$(printf 'pass  %-24s %s' "clae selftest" "$(tail -n 1 "$out/selftest.txt")")")
  pass=$((pass + 1))
else
  rows+=("$(printf 'FAIL  %-24s see %s' "clae selftest" "$out/selftest.txt")")
  fail=$((fail + 1))
fi
echo "${rows[-1]}"

echo "== clae bench"
step_ips="-" kernels="-"
if "$clae" bench configs/denoiser.cfg --json "$out/bench.json" >"$out/bench.txt" 2>&1; then
  tail -n 4 "$out/bench.txt"
  step_ips=$(sed -n 's/^images\/s: \([0-9.]*\).*/\1/p' "$out/bench.txt")
  kernels=$(sed -n 's/^kernels per step: \(.*\)/\1/p' "$out/bench.txt")
else
  echo "FAIL clae bench (see $out/bench.txt)"; tail -n 5 "$out/bench.txt"
  fail=$((fail + 1))
fi

echo "== one epoch of the denoiser"
epoch_ips="-" epoch_s="-" val="-"
if [ ! -f "$data/data_batch_1.bin" ] && [ ! -f "$data/cifar-10-batches-bin/data_batch_1.bin" ]; then
  scripts/fetch-cifar10.sh "$data" >"$out/fetch.log" 2>&1 ||
    echo "gpu-check: no CIFAR-10 in $data and fetching failed (see $out/fetch.log;" \
         "CLAE_CIFAR_ARCHIVE=FILE uses a local copy)" >&2
fi
rm -rf "$out/run"
if "$clae" train configs/denoiser.cfg --data "$data" --epochs 1 --out "$out/run" \
    >"$out/train.log" 2>&1; then
  tail -n 3 "$out/train.log"
  hist="$out/run/history.jsonl"
  epoch_ips=$(sed -n 's/.*"images_per_s": *\([0-9.]*\).*/\1/p' "$hist" | tail -n 1)
  epoch_s=$(sed -n 's/.*"seconds": *\([0-9.]*\).*/\1/p' "$hist" | tail -n 1)
  val=$(sed -n 's/.*"val_loss": *\([0-9.]*\).*/\1/p' "$hist" | tail -n 1)
else
  echo "FAIL clae train (see $out/train.log)"; tail -n 5 "$out/train.log"
  fail=$((fail + 1))
fi

echo
echo "==== gpu-check summary: device $dev, $name"
grep -m1 -A0 '^platform:' "$out/bench.txt" 2>/dev/null
printf '%s\n' "${rows[@]}"
echo "training step (clae bench, batch 512): ${step_ips} images/s"
echo "kernels per step:                       ${kernels}"
echo "one epoch of clae train (40,000 images): ${epoch_ips} images/s, ${epoch_s} s, val loss ${val}"
echo "logs and bench JSON: $out/; took $(($(date +%s) - t_start)) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
