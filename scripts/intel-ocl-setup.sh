#!/usr/bin/env bash
# Intel's OpenCL CPU runtime from PyPI, unpacked into DIR (default
# .intel-ocl, ignored by git) with an ICD folder of its own, for
# scripts/check-implementations.sh: a third CPU implementation to compare
# clae against. A check tool only: never part of clae's build or bundle.
#   scripts/intel-ocl-setup.sh [DIR]
# Then: OCL_ICD_VENDORS=DIR/vendors LD_LIBRARY_PATH=DIR/deps build/clae devices
# Needs python3 with pip and a package index (about 270 MB of wheels).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-.intel-ocl}
pins=(intel-opencl-rt==2026.2.0 tbb==2023.2.0 intel-cmplr-lib-rt==2026.2.0)
if [ -f "$dir/vendors/intel-cpu.icd" ]; then
  echo "intel-ocl-setup: $dir holds it already"
  exit 0
fi
mkdir -p "$dir/wheels"
python3 -m pip download -q --no-deps --only-binary=:all: -d "$dir/wheels" "${pins[@]}"
python3 - "$dir" <<'PY'
import glob, os, sys, zipfile
d = sys.argv[1]
for whl in glob.glob(os.path.join(d, "wheels", "*.whl")):
    zipfile.ZipFile(whl).extractall(os.path.join(d, "x"))
PY
dir=$(cd "$dir" && pwd)
rt=$(echo "$dir"/x/intel_opencl_rt-*.data/data/lib)
mkdir -p "$dir/deps" "$dir/vendors"
for lib in "$dir"/x/tbb-*.data/data/lib/libtbb.so.12* \
           "$dir"/x/intel_cmplr_lib_rt-*.data/data/lib/{libsvml.so,libimf.so,libirng.so,libintlc.so.5,libirc.so}; do
  ln -sf "$lib" "$dir/deps/"
done
echo "$rt/libintelocl.so" >"$dir/vendors/intel-cpu.icd"
echo "intel-ocl-setup: OCL_ICD_VENDORS=$dir/vendors LD_LIBRARY_PATH=$dir/deps"
