#!/usr/bin/env bash
# Configure and build clae into build/ (Release-like, warnings on, no fast-math).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
