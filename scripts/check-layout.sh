#!/usr/bin/env bash
# The code-layout rules README's "Code layout" states, checked: no .c file
# under src/ over 700 lines, no function over 150 lines (a function is a
# line "{" in column 0 to the next "}" in column 0, the house style), and
# the dependency direction: reference twins (src/host/ref/) use no engine
# code, layer kinds do not see the model, the model does not see data/.
#   scripts/check-layout.sh        (ctest layout)
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
while read -r n f; do
  [ "$f" = total ] && continue
  if [ "$n" -gt 700 ]; then echo "layout: $f: $n lines (at most 700)"; fail=1; fi
done < <(find src -name '*.c' -print0 | xargs -0 wc -l)
long=$(find src -name '*.c' -print0 | xargs -0 awk '
  /^\{/ { start = FNR; name = prev }
  /^\}/ && start { if (FNR - start + 1 > 150) printf "layout: %s:%d: %s: %d lines (at most 150)\n", FILENAME, start, name, FNR - start + 1; start = 0 }
  /^[a-zA-Z].*\(/ { prev = $0 }')
if [ -n "$long" ]; then echo "$long"; fail=1; fi
upward() { # upward FOLDER HEADER WHY
  local hits
  hits=$(grep -ln "#include \"$2\"" "$1"/*.c "$1"/*.h 2>/dev/null)
  if [ -n "$hits" ]; then echo "layout: $(echo $hits) include $2 ($3)"; fail=1; fi
}
upward src/host/ref clae/model.h "reference twins are test oracles: they see ops.h's shapes only"
upward src/host/ref clae/device.h "reference twins run on host memory only"
upward src/host/layers clae/model.h "a layer kind sees clae/layer.h, not the model"
grep -q '#include "clae/cifar.h"' include/clae/model.h &&
  { echo "layout: include/clae/model.h includes clae/cifar.h (the model does not see data/)"; fail=1; }
[ $fail = 0 ] && echo "layout: ok ($(find src -name '*.c' | wc -l) files)"
exit $fail
