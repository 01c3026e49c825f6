# shellcheck shell=bash
# CLI checks: platforms without devices (sourced by tests/cli.sh: uses $clae, $tmp,
# expect_fail, expect_ok), and clae selftest.
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"

# clae selftest on the device under test, and its bad usage
expect_ok "selftest --quick passes" "^selftest: all [0-9]* checks passed" "$clae" selftest --quick
expect_fail "selftest --device ref" "compares an OpenCL device with the reference path" \
  "$clae" selftest --device ref
expect_fail "selftest on no such device" "no device 99" "$clae" selftest --quick --device 99
expect_fail "selftest --seed x" "--seed needs a non-negative integer" "$clae" selftest --seed x

# A fake ICD folder: platforms with no devices (Mesa's Clover without an AMD
# GPU, rusticl without RUSTICL_ENABLE), an NVIDIA ICD whose driver is not
# installed, a library that is no ICD at all, and PoCL. The empty ones add
# no device: PoCL's is device 0 and the default, and there is no device 1.
icd=$tmp/vendors
mkdir -p "$icd"
echo libnvidia-opencl.so.1 >"$icd/nvidia.icd"
echo libm.so.6 >"$icd/not-an-icd.icd"
for f in mesa rusticl pocl; do
  # not Clover under AddressSanitizer: it keeps memory at exit from code LSan cannot name
  [ "$f" = mesa ] && ldd "$clae" | grep -q libasan && continue
  [ -f "/etc/OpenCL/vendors/$f.icd" ] && cp "/etc/OpenCL/vendors/$f.icd" "$icd/$f.icd"
done
if [ -f "$icd/pocl.icd" ]; then
  fake() { env -u RUSTICL_ENABLE -u CLAE_DEVICE OCL_ICD_VENDORS="$icd" "$@"; }
  expect_ok "empty platforms: PoCL is device 0 and the default" "^\* 0  .*" fake "$clae" devices
  if [ "$(fake "$clae" devices | grep -c '^[* ] [0-9]')" -eq 1 ]; then
    echo "ok   empty platforms: one device listed"; pass=$((pass + 1))
  else
    echo "FAIL empty platforms: not one device listed:"; fake "$clae" devices; fail=$((fail + 1))
  fi
  expect_ok "empty platforms: --device 0 runs" "^selftest: all" \
    fake "$clae" selftest --quick --device 0
  expect_fail "empty platforms: no device 1" "no device 1: 1 device found" \
    fake "$clae" selftest --quick --device 1
  if [ -f "$icd/rusticl.icd" ]; then
    # rusticl's software device behind PoCL's (and Clover's empty platform)
    expect_ok "rusticl enabled: device 1 beside an empty platform" "^  1  llvmpipe" \
      env RUSTICL_ENABLE=llvmpipe OCL_ICD_VENDORS="$icd" "$clae" devices
  fi
  # only platforms without devices: the listing says so, the default is the
  # reference path (one warning), a named device and selftest fail
  rm "$icd/pocl.icd"
  expect_ok "no device at all: devices says so" "no OpenCL platform or device found" \
    fake "$clae" devices
  expect_fail "no device at all: --device 0" "no device 0: 0 devices found" \
    fake "$clae" selftest --device 0
  expect_fail "no device at all: selftest" "no OpenCL device to check" fake "$clae" selftest
fi
