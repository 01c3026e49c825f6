#!/usr/bin/env bash
# Rewrite README's config reference (between the config-reference markers)
# from `clae layers --markdown`, the parser's own key tables.
#   scripts/config-reference.sh [CLAE]      (default build/clae)
set -euo pipefail
cd "$(dirname "$0")/.."
clae=${1:-build/clae}
ref=$(mktemp)
trap 'rm -f "$ref" README.md.new' EXIT
"$clae" layers --markdown >"$ref"
awk -v ref="$ref" '
  /^<!-- config-reference:/ { print; while ((getline line < ref) > 0) print line; skip = 1; next }
  /^<!-- end config-reference -->/ { skip = 0 }
  !skip { print }' README.md >README.md.new
mv README.md.new README.md
echo "README.md: config reference rewritten from $clae layers --markdown"
