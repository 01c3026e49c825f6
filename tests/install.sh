#!/usr/bin/env bash
# ctest install: `cmake --install` into a temporary prefix, then examples/fit_predict.c
# built against what was installed (pkg-config clae: the header, libclae.so) and run on
# the reference path: the library, its header and clae.pc work outside the build tree.
#   tests/install.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "$1")
# (grep reads all of ldd's output: with grep -q, pipefail would count ldd's SIGPIPE)
if ldd "$build/libclae.so" 2>/dev/null | grep 'libasan\|libubsan' >/dev/null; then
  echo "install: skipped: a sanitizer build (the example would need its runtime first)"
  exit 77
fi
command -v pkg-config >/dev/null && command -v cc >/dev/null ||
  { echo "install: skipped: no cc or pkg-config"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name clae.pc)
[ -n "$pc" ] || { echo "install: no clae.pc installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
lib=$(pkg-config --variable=libdir clae)
[ -e "$lib/libclae.so" ] && [ -e "$lib/libclae.so.0" ] ||
  { echo "install: libclae.so(.0) missing in $lib"; exit 1; }
# only the API is exported, and (in a private version node) the clae program's entry point
if nm -D --defined-only "$lib/libclae.so" | awk '{print $3}' |
     grep -v '^clae_api_.*@@CLAE_0$\|^CLAE_0$\|^CLAE_PRIVATE_0$' |
     grep -v '^clae_cli_main@@CLAE_PRIVATE_0$' | grep . >/dev/null; then
  echo "install: libclae.so exports more than clae_api_* and clae_cli_main:"
  nm -D --defined-only "$lib/libclae.so" | awk '{print $3}' | grep -v '^clae_api_' | head
  exit 1
fi
# the installed clae program runs on the installed libclae (its run path), not the build's
bin=$tmp/prefix/bin/clae
loaded=$(ldd "$bin" | awk '$1 == "libclae.so.0" {print $3}')
[ -n "$loaded" ] && [ "$(realpath "$loaded")" = "$(realpath "$lib/libclae.so.0")" ] ||
  { echo "install: $bin does not load $lib/libclae.so.0:"; ldd "$bin" | grep clae; exit 1; }
"$bin" --version | grep -q '^clae ' || { echo "install: $bin --version failed"; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror examples/fit_predict.c $(pkg-config --cflags --libs clae) \
   -Wl,-rpath,"$lib" -o "$tmp/fit_predict"
"$tmp/fit_predict" python/tests/tiny.cfg ref "$tmp/out.safetensors" | tee "$tmp/log"
grep -q '^epoch 1: loss' "$tmp/log" && [ -s "$tmp/out.safetensors" ] ||
  { echo "install: the example did not train and save"; exit 1; }
"$bin" export "$tmp/out.safetensors" "$tmp/weights.safetensors" >/dev/null ||
  { echo "install: clae cannot read the example's checkpoint"; exit 1; }
echo "install: ok (prefix, clae.pc, header, libclae.so.0, the clae program on it," \
     "example built and run)"
