#!/usr/bin/env bash
# Every kernel on a simulated GPU. Runs, under oclgrind (Debian's OpenCL
# device simulator: a GPU-type device that checks every memory access, data
# race and barrier):
#  1. the Check suites' "sim" selection (CK_INCLUDE_TAGS=sim) of every
#     suite that has one (found in tests/test_*.c, none listed here): every op
#     family — direct convolution, im2col + CLBlast GEMM, pooling,
#     activations, bias, loss, Adam, blur, convert, the fill and copy kernels
#     of recorded steps — on the denoiser's layer
#     shapes at batch 1-2 and small edge cases, and one whole training step
#     and a two-step training run against the reference path;
#  2. the same convolution, whole-step and training checks on the forced
#     GEMM path (CLAE_CONV=gemm);
#  3. the device-dependent branches a GPU may take: weights in __global
#     instead of __constant memory (a 4 KiB constant buffer) and a small
#     work-group limit (--max-wgsize 64, below every GPU's: direct kernels
#     launched a row or a driver-chosen size at a time, smaller reductions);
#  4. `clae train` itself for 2 Adam steps on the default and the GEMM path,
#     compared tensor by tensor with `clae train --device ref` from the same
#     initial weights over the same batches (every tensor within 10% of how
#     far the reference run moved it).
# It fails on any test failure, crash, or message from oclgrind (invalid
# access, data race, barrier divergence, API error). About 6 minutes on the
# 2-core CI machine.
#   scripts/check-kernels-sim.sh [--quick]   (--quick: parts 1 and 4 only)
# Needs oclgrind (scripts/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
case "${1:-}" in
  "") ;;
  --quick) quick=1 ;;
  *) echo "usage: scripts/check-kernels-sim.sh [--quick]" >&2; exit 2 ;;
esac
if ! command -v oclgrind >/dev/null; then
  echo "check-kernels-sim: oclgrind not found (scripts/setup.sh installs it: apt-get install oclgrind)" >&2
  exit 2
fi
scripts/build.sh >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A fresh program-binary cache: the first suite builds every program from
# source, the later ones load the cached binaries, as clae does on a GPU.
export XDG_CACHE_HOME="$tmp/cache"
export CK_INCLUDE_TAGS=sim
unset CLAE_DEVICE CLAE_CONV CLAE_DENSE # oclgrind is the only platform a program sees
pass=0 fail=0 t_start=$(date +%s)

# check NAME "VAR=VALUE ..." "OCLGRIND OPTIONS" COMMAND...
check() {
  local name=$1 envs=$2 opts=$3
  shift 3
  local log="$tmp/$name.oclgrind" out="$tmp/$name.out" t0 rc=0
  t0=$(date +%s)
  # shellcheck disable=SC2086  # envs and opts are word lists
  env $envs oclgrind --data-races --check-api $opts --log "$log" "$@" >"$out" 2>&1 || rc=$?
  local secs=$(($(date +%s) - t0))
  local summary
  summary=$(grep -Eo '[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$out" | tail -n 1 || true)
  if [ "$rc" -eq 0 ] && [ ! -s "$log" ]; then
    echo "ok   $name (${secs}s) ${summary}"
    pass=$((pass + 1))
  else
    echo "FAIL $name (exit $rc, ${secs}s) ${summary}"
    grep -E 'FAIL|mismatch|:[FE]:|clae:|Assertion' "$out" | head -n 20 | sed 's/^/     /' || true
    [ -s "$log" ] && head -n 30 "$log" | sed 's/^/     oclgrind: /'
    [ "$rc" -ge 128 ] && tail -n 5 "$out" | sed 's/^/     /'
    fail=$((fail + 1))
  fi
}

# sed reads to the end: with head, oclgrind could get SIGPIPE and, under
# pipefail, end the script (a CI run once stopped here after 1 s)
oclgrind --version | sed -n '1,2p' | tr '\n' ' '
echo
# The simulator defect the direct convolution used to trip over (and the
# others tests/impl_defects.c reproduces); informational: clae's kernels
# avoid them.
oclgrind build/impl_defects 2>&1 | sed -n 's/^\(ok\|DEFECT\) /note: &/p' || true

echo "== 1. every op family, default path (auto: direct convolution for the denoiser)"
# Every Check suite with a test case tagged "sim" (tu_tcase(..., 1) in its
# tests/test_<name>.c): the others have nothing to run here (host-only
# suites: data, checkpoints, images, ...).
suites=$(grep -lE 'tu_tcase\([^;]*, *1\)' tests/test_*.c | sed 's|^tests/test_||; s|\.c$||')
if [ -z "$suites" ]; then
  echo "check-kernels-sim: no suite in tests/test_*.c has a sim-tagged case" >&2
  exit 2
fi
for t in $suites; do
  if [ ! -x "build/test_$t" ]; then
    echo "FAIL $t (build/test_$t was not built)"
    fail=$((fail + 1))
    continue
  fi
  check "$t" "" "" "build/test_$t"
done

if [ "$quick" -eq 0 ]; then
  echo "== 2. the im2col + CLBlast GEMM path"
  for t in conv2d conv2d_transpose net; do # (training on it: part 4)
    check "$t-gemm" "CLAE_CONV=gemm" "" "build/test_$t"
  done

  echo "== 3. GPU branches: __global weights, small work-group limits"
  check "conv2d_direct-global-weights" "" "--constant-mem-size 4096" build/test_conv2d_direct
  # the float16 kernels (VW 16), which an AVX-512 CPU runs by default
  check "conv2d_direct-vw16" "CLAE_VW=16" "" build/test_conv2d_direct
  check "dense-vw16" "CLAE_VW=16" "" build/test_dense
  for t in conv2d_direct bias mse net; do
    check "$t-wg64" "" "--max-wgsize 64" "build/test_$t"
  done
fi

echo "== 4. clae train: 2 Adam steps on the simulator vs the reference path"
# A small dataset in the official binary layout (the content does not matter,
# only that both runs see the same batches) and the denoiser at batch 2.
mkdir -p "$tmp/data"
for f in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
  head -c $((8 * 3073)) /dev/urandom >"$tmp/data/$f.bin"
done
sed 's/^batch *=.*/batch = 2/' configs/denoiser.cfg >"$tmp/b2.cfg"
build/clae init "$tmp/b2.cfg" "$tmp/init.safetensors" --seed 3 >/dev/null
train_args=("$tmp/b2.cfg" --data "$tmp/data" --weights "$tmp/init.safetensors" --no-shuffle
            --max-steps 2 --quiet)
build/clae train "${train_args[@]}" --device ref --out "$tmp/run-ref" >/dev/null
for path in auto gemm; do
  [ "$quick" -eq 1 ] && [ "$path" = gemm ] && continue
  check "clae-train-$path" "CLAE_CONV=$path" "" build/clae train "${train_args[@]}" --out "$tmp/run-$path"
  if [ -f "$tmp/run-$path/last.safetensors" ]; then
    if scripts/compare-checkpoints.py "$tmp/init.safetensors" "$tmp/run-ref/last.safetensors" \
        "$tmp/run-$path/last.safetensors" >"$tmp/cmp-$path.txt" 2>&1; then
      echo "ok   clae-train-$path vs ref: $(tail -n 1 "$tmp/cmp-$path.txt")"
      pass=$((pass + 1))
    else
      echo "FAIL clae-train-$path vs ref:"
      sed 's/^/     /' "$tmp/cmp-$path.txt"
      fail=$((fail + 1))
    fi
  fi
done

echo "check-kernels-sim: $(($(date +%s) - t_start))s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
