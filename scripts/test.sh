#!/usr/bin/env bash
# Build and run every test (Check suites per op family, CLI checks and, with
# oclgrind installed, the simulated-GPU check) under ctest.
#   scripts/test.sh [ctest options]              e.g. -LE sim (without the simulator check)
#   scripts/test.sh --sanitize [ctest options]   the same suite built with AddressSanitizer
#       (leaks included) and UndefinedBehaviorSanitizer (-fno-sanitize-recover) in
#       build-asan/; the simulated-GPU check is left out (oclgrind's runtime and
#       ASan's cannot share a process), and so is the MPI check (Open MPI's own
#       allocations at exit are not ours to answer for); so are the checks that
#       run other builds (the release bundle) or other OpenCL implementations
#       (rusticl's llvmpipe: its own allocations again).
#       Run it after the plain suite (CI does): PoCL 3.1's worker thread leaks
#       an LLVM pass manager when it compiles a work-group function (a kernel's
#       first launch with a cold kernel cache), a leak LeakSanitizer names only
#       from full stacks (tests/lsan.supp); with PoCL's cache warm from the
#       same kernels there is no such compile. When a compile does fall to the
#       worker thread depends on timing, so a cold cache makes it flaky.
# Tests run CLAE_TEST_JOBS at a time (default: the processor count; each
# test keeps its files in a folder of its own, and much of their time is
# the OpenCL compiler's, one core each).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${CLAE_TEST_JOBS:-$(nproc)}
if [ "${1:-}" = "--sanitize" ]; then
  shift
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1 -g" \
    >/dev/null
  cmake --build build-asan -j"$(nproc)" >/dev/null
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
  # PoCL alone: Mesa's Clover, loaded for its (empty) platform where
  # mesa-opencl-icd is installed, keeps memory at exit from code LSan cannot
  # name (tests/lsan.supp covers rusticl, which the CLI checks load)
  mkdir -p build-asan/vendors
  cp /etc/OpenCL/vendors/pocl.icd build-asan/vendors/ 2>/dev/null &&
    export OCL_ICD_VENDORS=$PWD/build-asan/vendors
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE "sim|mpi|impl|bundle" "$@"
  exit
fi
scripts/build.sh >/dev/null
ctest --test-dir build --output-on-failure -j"$jobs" "$@"
