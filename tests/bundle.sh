#!/usr/bin/env bash
# The release bundle (scripts/bundle.sh) on a machine that has only an
# OpenCL driver: unpacked in a temporary folder and run with an empty
# environment (env -i) but for an ICD folder holding only PoCL's file, a
# fresh HOME, and PATH (PoCL runs the system's linker on its kernels):
#  - ldd resolves every library of clae but glibc's inside the bundle;
#  - at run time (LD_DEBUG=files) every library clae brings is loaded from
#    the bundle, none from the system;
#  - `clae devices`, `clae selftest --quick` and 3 training steps of the
#    denoiser (random data) work, and the run writes its checkpoint.
# Label "bundle" (ctest); about a minute on 2 cores (the bundle's build).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

if [ ! -f /etc/OpenCL/vendors/pocl.icd ]; then
  echo "bundle: no PoCL ICD file to run the bundle with (skipped)"
  exit 77
fi
tarball=$(scripts/bundle.sh --out "$tmp/dist") || { echo "FAIL scripts/bundle.sh"; exit 1; }
ok "scripts/bundle.sh wrote $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
mkdir -p "$tmp/root" "$tmp/vendors" "$tmp/home"
tar -xzf "$tarball" -C "$tmp/root"
b=$(echo "$tmp"/root/clae-*)
cp /etc/OpenCL/vendors/pocl.icd "$tmp/vendors/"
run() { env -i PATH=/usr/bin:/bin HOME="$tmp/home" OCL_ICD_VENDORS="$tmp/vendors" "$@"; }
glibc='^(linux-vdso|libc|libm|libpthread|libdl|librt|libresolv|libutil|ld-linux-x86-64)\.so'

outside=$(ldd "$b/clae" | awk -v lib="$b/lib/" '$2 == "=>" && index($3, lib) != 1 {print $1}' |
          grep -Ev "$glibc")
if [ -z "$outside" ]; then ok "ldd: nothing outside the bundle but glibc"
else bad "ldd resolves outside the bundle: $outside"; fi

run LD_DEBUG=files "$b/clae" devices >"$tmp/devices.txt" 2>"$tmp/ld.txt"
ours=$(cd "$b/lib" && ls)
loaded_outside=""
for so in $ours; do
  path=$(grep "calling init: .*/$so\$" "$tmp/ld.txt" | awk '{print $NF}' | head -n 1)
  [ "$path" = "$b/lib/$so" ] || loaded_outside="$loaded_outside $so:${path:-not loaded}"
done
if [ -z "$loaded_outside" ]; then ok "run time: $(echo "$ours" | wc -w) libraries from the bundle"
else bad "run time: loaded from elsewhere:$loaded_outside"; fi
if grep -q '^\* 0 ' "$tmp/devices.txt"; then ok "clae devices: $(sed -n 's/^\* 0  //p' "$tmp/devices.txt")"
else bad "clae devices:"; cat "$tmp/devices.txt"; fi

if run "$b/clae" selftest --quick >"$tmp/selftest.txt" 2>&1; then ok "$(tail -n 1 "$tmp/selftest.txt")"
else bad "clae selftest --quick:"; grep -E 'FAIL|clae' "$tmp/selftest.txt" | head; fi

mkdir -p "$tmp/data"
for f in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
  head -c $((64 * 3073)) /dev/urandom >"$tmp/data/$f.bin"
done
if run "$b/clae" train "$b/configs/denoiser.cfg" --data "$tmp/data" --batch 16 --max-steps 3 \
     --out "$tmp/run" --quiet >"$tmp/train.txt" 2>&1 && [ -f "$tmp/run/last.safetensors" ]; then
  ok "clae train: 3 steps, $(basename "$tmp/run/last.safetensors") written"
else bad "clae train:"; tail -n 5 "$tmp/train.txt"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
