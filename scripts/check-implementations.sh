#!/usr/bin/env bash
# Every OpenCL implementation this machine offers, side by side: PoCL,
# Mesa's rusticl (its llvmpipe software device), the Oclgrind simulator, and
# Intel's CPU runtime where .intel-ocl/ holds it (--intel-setup fetches it
# from PyPI; never part of clae's build). Each runs, on its own (an ICD
# folder with only its file):
#   - the Check suites (Oclgrind: their "sim" selection, the rest is too slow
#     there), the convolution and whole-step suites again on the GEMM path;
#   - clae selftest (--quick with --quick);
#   - 3 Adam steps of `clae train` on the denoiser against `clae train
#     --device ref` from the same weights and batches: every tensor within
#     10% of how far the reference moved it (scripts/compare-checkpoints.py);
#   - tests/impl_defects.c, the reproducers of implementation defects clae
#     works around (informational: "known defects").
# Then one table: a row per suite, a column per implementation, with the
# versions. Exit 0 when every suite passed everywhere.
#   scripts/check-implementations.sh [--quick] [--only LIST] [--intel-setup] [--no-build]
#   --quick        the cases that catch the most (CI, about 5 minutes on 2 cores):
#                  conv2d, conv2d_transpose, convert, device, selftest --quick and the
#                  3-step training, on PoCL and rusticl (the simulator runs in
#                  ctest's kernels_sim)
#   --only LIST    comma-separated among pocl,rusticl,oclgrind,intel
#   --intel-setup  download Intel's CPU runtime (intel-opencl-rt, tbb,
#                  intel-cmplr-lib-rt from PyPI) into .intel-ocl/ first
#   --no-build     use build/ as it is
# Needs: mesa-opencl-icd and libclc-15 (rusticl), oclgrind (scripts/setup.sh
# installs all three); an implementation that is missing is listed as such.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
quick=0 only="" intel_setup=0 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --only) only=${2:-}; shift 2 ;;
    --intel-setup) intel_setup=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-implementations: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$build" -eq 1 ]; then
  scripts/build.sh >/dev/null || { echo "check-implementations: build failed" >&2; exit 1; }
fi
if [ "$intel_setup" -eq 1 ]; then
  scripts/intel-ocl-setup.sh .intel-ocl || exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset CLAE_DEVICE CLAE_CONV CLAE_DENSE CK_INCLUDE_TAGS CK_EXCLUDE_TAGS RUSTICL_ENABLE
t_start=$(date +%s)

# ---- the implementations: NAME, its environment, a command prefix ---------
declare -a impls=()
declare -A envs=() prefix=() label=()
wanted() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
vendor_dir() { # vendor_dir NAME ICD-FILE: a folder holding only that ICD file
  mkdir -p "$tmp/vendors-$1" && cp "$2" "$tmp/vendors-$1/" && echo "$tmp/vendors-$1"
}
add_impl() { impls+=("$1"); label[$1]=$2; envs[$1]=$3; prefix[$1]=${4:-}; }
if wanted pocl && [ -f /etc/OpenCL/vendors/pocl.icd ]; then
  add_impl pocl PoCL "OCL_ICD_VENDORS=$(vendor_dir pocl /etc/OpenCL/vendors/pocl.icd)"
fi
if wanted rusticl && [ -f /etc/OpenCL/vendors/rusticl.icd ]; then
  add_impl rusticl "rusticl llvmpipe" \
    "OCL_ICD_VENDORS=$(vendor_dir rusticl /etc/OpenCL/vendors/rusticl.icd) RUSTICL_ENABLE=llvmpipe"
fi
if wanted oclgrind && [ "$quick" -eq 0 ] && command -v oclgrind >/dev/null; then
  add_impl oclgrind Oclgrind "CK_INCLUDE_TAGS=sim" "oclgrind --data-races --check-api"
fi
if wanted intel && [ -f .intel-ocl/vendors/intel-cpu.icd ]; then
  add_impl intel "Intel CPU" \
    "OCL_ICD_VENDORS=$PWD/.intel-ocl/vendors LD_LIBRARY_PATH=$PWD/.intel-ocl/deps"
fi
[ "${#impls[@]}" -gt 0 ] || { echo "check-implementations: no implementation found" >&2; exit 1; }

if [ "$quick" -eq 1 ]; then
  suites=(device convert conv2d conv2d_transpose)
  gemm_suites=()
else
  suites=(act adam add batch_norm bias blur classify conv2d conv2d_direct conv2d_transpose convert
          dense device dropout fused loss mse net normalize penalty pool sgd train unpool upsample)
  gemm_suites=(conv2d conv2d_transpose net)
fi

# ---- running one thing on one implementation ------------------------------
declare -A cell=() version=()
# run IMPL KEY LOG [VAR=VALUE ...] -- COMMAND...: cell[IMPL,KEY] = pass/FAIL and seconds
run() {
  local impl=$1 key=$2 log=$3 extra=() t0 rc=0 glog=""
  shift 3
  while [ "$1" != "--" ]; do extra+=("$1"); shift; done
  shift
  local pre=()
  if [ -n "${prefix[$impl]}" ]; then
    glog="$log.oclgrind"
    read -r -a pre <<<"${prefix[$impl]}"
    pre+=(--log "$glog")
  fi
  t0=$(date +%s)
  # shellcheck disable=SC2086  # envs[] is a word list
  env ${envs[$impl]} "${extra[@]}" "${pre[@]}" "$@" >"$log" 2>&1 || rc=$?
  local secs=$(($(date +%s) - t0))
  if [ "$rc" -eq 0 ] && { [ -z "$glog" ] || [ ! -s "$glog" ]; }; then
    cell[$impl,$key]="pass ${secs}s"
  else
    cell[$impl,$key]="FAIL ${secs}s"
    echo "  FAIL $impl $key (exit $rc; $log)"
    grep -E ':[FE]:|FAIL|clae:' "$log" | head -n 5 | sed 's/^/    /'
    [ -n "$glog" ] && [ -s "$glog" ] && head -n 5 "$glog" | sed 's/^/    oclgrind: /'
  fi
}

# A small dataset in the official binary layout (only the batches matter)
# and the denoiser at a small batch, trained 3 steps on the reference path.
mkdir -p "$tmp/data"
for f in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
  head -c $((64 * 3073)) /dev/urandom >"$tmp/data/$f.bin"
done
train_ref() { # train_ref BATCH: the reference run at that batch, once
  [ -f "$tmp/ref-$1/last.safetensors" ] && return
  sed "s/^batch *=.*/batch = $1/" configs/denoiser.cfg >"$tmp/b$1.cfg"
  build/clae train "$tmp/b$1.cfg" --data "$tmp/data" --weights "$tmp/init.safetensors" \
    --no-shuffle --max-steps 3 --quiet --device ref --out "$tmp/ref-$1" >/dev/null 2>&1
}
build/clae init configs/denoiser.cfg "$tmp/init.safetensors" --seed 3 >/dev/null

for impl in "${impls[@]}"; do
  out=$tmp/$impl
  mkdir -p "$out"
  # shellcheck disable=SC2086
  if ! env ${envs[$impl]} ${prefix[$impl]} build/clae devices >"$out/devices.txt" 2>&1 ||
     ! grep -q '^\* 0 ' "$out/devices.txt"; then
    version[$impl]="no device"
    cell[$impl,clae devices]="FAIL no device"
    echo "== $impl: no device"; sed 's/^/    /' "$out/devices.txt" | head -n 5
    continue
  fi
  drv=$(sed -n 's/^ *driver: *//p' "$out/devices.txt" | head -n 1)
  [ "$impl" = oclgrind ] && drv=$(oclgrind --version 2>&1 | sed -n 's/^Oclgrind \([0-9.]*\).*/\1/p')
  version[$impl]="${drv:-?}"
  cell[$impl,clae devices]="pass"
  echo "== $impl: $(sed -n 's/^\* 0  //p' "$out/devices.txt"), driver ${version[$impl]}"
  for s in "${suites[@]}"; do
    run "$impl" "test_$s" "$out/$s.log" -- "build/test_$s"
  done
  for s in "${gemm_suites[@]}"; do
    run "$impl" "test_$s (gemm)" "$out/$s-gemm.log" CLAE_CONV=gemm CLAE_DENSE=gemm -- "build/test_$s"
  done
  st_args=(selftest --device 0)
  [ "$quick" -eq 1 ] || [ "$impl" = oclgrind ] && st_args+=(--quick)
  run "$impl" "clae selftest" "$out/selftest.log" -- build/clae "${st_args[@]}"
  n=$(grep -Eo 'all [0-9]+ checks passed|[0-9]+ of [0-9]+ checks FAILED' "$out/selftest.log")
  cell[$impl,clae selftest]="${cell[$impl,clae selftest]%% *} ${n//checks /}"
  batch=16
  [ "$impl" = oclgrind ] && batch=2
  train_ref "$batch"
  run "$impl" "clae train 3 steps" "$out/train.log" -- build/clae train "$tmp/b$batch.cfg" \
    --data "$tmp/data" --weights "$tmp/init.safetensors" --no-shuffle --max-steps 3 --quiet \
    --device 0 --out "$out/run"
  if [ -f "$out/run/last.safetensors" ] &&
     scripts/compare-checkpoints.py "$tmp/init.safetensors" "$tmp/ref-$batch/last.safetensors" \
       "$out/run/last.safetensors" >"$out/cmp.txt" 2>&1; then
    worst=$(sed -n 's/^largest difference \([0-9.]*%\).*/\1/p' "$out/cmp.txt")
    cell[$impl,clae train vs ref]="pass $worst"
  else
    cell[$impl,clae train vs ref]="FAIL"
    echo "  FAIL $impl clae train vs ref:"; sed 's/^/    /' "$out/cmp.txt" 2>/dev/null | tail -n 3
  fi
  # shellcheck disable=SC2086
  env ${envs[$impl]} ${prefix[$impl]} build/impl_defects 0 >"$out/defects.txt" 2>&1
  d=$(sed -n 's/^DEFECT \([a-z_]*\):.*/\1/p' "$out/defects.txt" | paste -sd, -)
  cell[$impl,known defects]=${d:-none}
done

# ---- the table --------------------------------------------------------------
rows=("clae devices")
for s in "${suites[@]}"; do rows+=("test_$s"); done
for s in "${gemm_suites[@]}"; do rows+=("test_$s (gemm)"); done
rows+=("clae selftest" "clae train 3 steps" "clae train vs ref" "known defects")
echo
printf '%-30s' "implementation"
for impl in "${impls[@]}"; do printf ' %-27s' "${label[$impl]}"; done
echo
printf '%-30s' "version"
for impl in "${impls[@]}"; do printf ' %-27s' "${version[$impl]}"; done
echo
pass=0 fail=0
for row in "${rows[@]}"; do
  printf '%-30s' "$row"
  for impl in "${impls[@]}"; do
    v=${cell[$impl,$row]:--}
    printf ' %-27s' "$v"
    case "$v" in pass*) pass=$((pass + 1)) ;; FAIL*) fail=$((fail + 1)) ;; esac
  done
  echo
done
echo "check-implementations: $pass passed, $fail failed ($(($(date +%s) - t_start)) s)"
[ "$fail" -eq 0 ]
