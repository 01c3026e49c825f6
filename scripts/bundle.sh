#!/usr/bin/env bash
# A release bundle for a machine that has only a vendor's OpenCL driver:
# dist/clae-<version>-linux-x86_64.tar.gz holds clae, configs/, and lib/ with
# libclae (the engine and the command line; its kernels are built in) and every
# shared library it needs beyond glibc (CLBlast, inih, cJSON, stb, the OpenCL
# ICD loader, and the C++ runtime CLBlast needs), found through an $ORIGIN run
# path. The ICD loader reads the machine's /etc/OpenCL/vendors (or
# $OCL_ICD_VENDORS) as usual and loads the vendor's driver from the system.
# Built without MPI.
#   scripts/bundle.sh [--out DIR]     (default DIR: dist)
# Prints the tarball's path. The bundle's libstdc++ is Debian 12's (GCC 12):
# a vendor driver built against a newer one (GLIBCXX past 3.4.30) cannot load
# beside it; run the system's clae there instead.
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist
case "${1:-}" in
  "") ;;
  --out) out=${2:?--out needs a folder} ;;
  -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "bundle: unknown option '$1' (see --help)" >&2; exit 2 ;;
esac
# DT_RPATH (not RUNPATH), in clae and libclae alike: it also finds the
# libraries' own dependencies (CLBlast's libstdc++) in lib/, before the
# system's. $ORIGIN is literal.
# shellcheck disable=SC2016
cmake -S . -B build-bundle -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLAE_MPI=OFF -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON '-DCMAKE_INSTALL_RPATH=$ORIGIN/lib' \
  -DCMAKE_EXE_LINKER_FLAGS=-Wl,--disable-new-dtags \
  -DCMAKE_SHARED_LINKER_FLAGS=-Wl,--disable-new-dtags >/dev/null
cmake --build build-bundle -j"$(nproc)" --target clae >/dev/null
version=$(LD_LIBRARY_PATH=build-bundle build-bundle/clae --version | awk '{print $2}')
name=clae-$version-linux-x86_64
stage=$out/$name
rm -rf "$stage" "$out/$name.tar.gz"
mkdir -p "$stage/lib"
cp build-bundle/clae "$stage/clae"
cp -L build-bundle/libclae.so.0 "$stage/lib/libclae.so.0"
strip --strip-debug "$stage/clae" "$stage/lib/libclae.so.0"
cp -r configs "$stage/configs"

# glibc's own libraries stay the system's; the rest, as the staged clae finds them
glibc='^(linux-vdso|libc|libm|libpthread|libdl|librt|libresolv|libutil|ld-linux-x86-64)\.so'
ldd "$stage/clae" | awk -v lib="$(cd "$stage/lib" && pwd)" \
    '$2 == "=>" && $3 ~ /^\// && index($3, lib "/") != 1 {print $1, $3}' |
  while read -r soname path; do
    [[ $soname =~ $glibc ]] && continue
    cp -L "$path" "$stage/lib/$soname"
  done
# Every library found, from the bundle: anything else outside it is glibc's.
if ldd "$stage/clae" | awk -v lib="$(cd "$stage/lib" && pwd)" \
     '$2 == "=>" && index($3, lib "/") != 1 {print $1}' | grep -Ev "$glibc"; then
  echo "bundle: the libraries above resolve outside $stage/lib" >&2
  exit 1
fi
cat >"$stage/README.txt" <<EOF
clae $version for Linux x86-64, with the libraries it needs beyond glibc in lib/.
It uses the machine's OpenCL driver (its ICD file in /etc/OpenCL/vendors, or
a folder of them in \$OCL_ICD_VENDORS).

  ./clae devices                 the OpenCL devices the drivers offer
  ./clae selftest --quick        every op and a training step on the device
                                 against the built-in C reference: run it first
  ./clae train configs/denoiser.cfg --data DIR --out runs/denoiser

DIR holds CIFAR-10 in its official binary layout. See the project's README.
EOF
tar -czf "$out/$name.tar.gz" -C "$out" "$name"
echo "$out/$name.tar.gz"
