#!/usr/bin/env bash
# ctest python: pytest over python/tests with the library and the CLI just built
# (CLAE_LIB, CLAE_BIN). Skipped (77) without a Python that has numpy and pytest
# ($CLAE_PYTHON, python3, Debian's /usr/bin/python3: python3-numpy, python3-pytest),
# and in a sanitizer build (a Python process cannot load ASan's runtime late).
#   tests/python.sh build/libclae.so build/clae [pytest options]
set -uo pipefail
cd "$(dirname "$0")/.."
lib=$(realpath "$1") bin=$(realpath "$2")
shift 2
# (grep reads all of ldd's output: with grep -q, pipefail would count ldd's SIGPIPE)
if ldd "$lib" 2>/dev/null | grep 'libasan\|libubsan' >/dev/null; then
  echo "python: skipped: $lib is a sanitizer build"
  exit 77
fi
for py in ${CLAE_PYTHON:-} python3 /usr/bin/python3; do
  command -v "$py" >/dev/null 2>&1 || continue
  "$py" -c 'import numpy, pytest' 2>/dev/null || continue
  CLAE_LIB=$lib CLAE_BIN=$bin exec "$py" -m pytest -q -p no:cacheprovider python/tests "$@"
done
echo "python: skipped: no Python with numpy and pytest (apt-get install python3-numpy python3-pytest)"
exit 77
