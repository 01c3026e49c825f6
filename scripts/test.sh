#!/usr/bin/env bash
# Build and run every test (Check suites per op family + CLI checks) under ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
ctest --test-dir build --output-on-failure -j1 "$@"
