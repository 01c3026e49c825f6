#!/usr/bin/env bash
# Proof that a change to clae changed no result: from the same initial weights,
# every config in configs/ trains 3 steps with OLD and with NEW, on the
# reference path and on OpenCL device 0, and the checkpoints must be
# byte-identical (weights, Adam moments and the run's metadata).
#   scripts/check-unchanged.sh [--ignore-meta KEY,...] OLD_CLAE NEW_CLAE [DATA] [DEVICES]
# OLD_CLAE: a clae built from the commit before the change (a git worktree of
# it built with scripts/build.sh); DATA: a CIFAR-10 binary folder (default
# data/cifar-10-batches-bin); DEVICES: default "ref 0". --ignore-meta: for a
# change that adds or changes those metadata keys on purpose (e.g.
# data_crc32c,config_crc32c): files that differ are compared again without
# those keys, every tensor byte for byte and the other metadata exactly
# ("same (but KEY)").
set -uo pipefail
cd "$(dirname "$0")/.."
ignore=""
if [ "${1:-}" = --ignore-meta ]; then ignore=$2; shift 2; fi
# same_but_keys A B: A and B equal but for the metadata keys in $ignore
same_but_keys() {
  python3 - "$1" "$2" "$ignore" <<'PY'
import json, struct, sys
def parts(path, drop):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    h = json.loads(b[8:8 + n])
    meta = {k: v for k, v in h.pop("__metadata__", {}).items() if k not in drop}
    return meta, h, b[8 + n:]
drop = set(filter(None, sys.argv[3].split(",")))
sys.exit(0 if parts(sys.argv[1], drop) == parts(sys.argv[2], drop) else 1)
PY
}
old=$(realpath "$1") new=$(realpath "$2")
data=${3:-data/cifar-10-batches-bin}
devices=${4:-ref 0}
work=$(mktemp -d /tmp/clae-unchanged.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail=0 n=0
for cfg in configs/*.cfg; do
  name=$(basename "$cfg" .cfg)
  "$old" init "$cfg" "$work/init.safetensors" --seed 7 --overwrite >/dev/null 2>&1 || {
    echo "FAIL $name: OLD init"; fail=1; continue; }
  for dev in $devices; do
    for which in old new; do
      bin=$old; [ "$which" = new ] && bin=$new
      rm -rf "$work/run"
      if ! "$bin" train "$cfg" --weights "$work/init.safetensors" --data "$data" \
          --limit 320 --batch 32 --max-steps 3 --seed 7 --device "$dev" \
          --out "$work/run" --quiet >"$work/$which.log" 2>&1; then
        echo "FAIL $name on $dev: $which train: $(tail -1 "$work/$which.log")"; fail=1
      fi
      cp "$work/run/last.safetensors" "$work/$which.safetensors" 2>/dev/null
    done
    n=$((n + 1))
    if cmp -s "$work/old.safetensors" "$work/new.safetensors"; then
      echo "same $name on $dev"
    elif [ -n "$ignore" ] && same_but_keys "$work/old.safetensors" "$work/new.safetensors"; then
      echo "same $name on $dev (but $ignore)"
    else
      echo "DIFFERENT $name on $dev"; fail=1
    fi
  done
done
echo "$n runs compared"
exit $fail
