#!/usr/bin/env bash
# Data-parallel training on MPI (issue 16): from the same initial weights with
# --no-shuffle, `mpirun -np 2 clae train` and one process with the same global
# batch agree after 20 steps (every tensor within 10% of its movement, the
# held-out loss within 1%); rank 0 alone writes the run; --resume works under
# mpirun; a rank that fails stops the whole run with a line naming it.
#   tests/mpi.sh CLAE_BIN        exit 77 (skipped) without mpirun or an MPI build
set -euo pipefail
clae=$1
command -v mpirun >/dev/null || { echo "skipped: no mpirun (apt-get install openmpi-bin)"; exit 77; }
"$clae" --version | grep -q "MPI" || { echo "skipped: $clae was built without MPI"; exit 77; }
# CI runs as root; 2 ranks on a 2-core machine are not too many
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# 5 x 40 training records (160 train / 40 validation), 40 test: batch 16 is
# 10 steps an epoch, 20 steps two epochs.
mkdir -p "$tmp/cifar"
for i in 1 2 3 4 5; do head -c $((40 * 3073)) /dev/urandom >"$tmp/cifar/data_batch_$i.bin"; done
head -c $((40 * 3073)) /dev/urandom >"$tmp/cifar/test_batch.bin"
"$clae" init configs/denoiser.cfg "$tmp/init.safetensors" >/dev/null
run=(train configs/denoiser.cfg --data "$tmp/cifar" --weights "$tmp/init.safetensors" --batch 16
     --no-shuffle --epochs 2 --quiet)

"$clae" "${run[@]}" --out "$tmp/one" >"$tmp/one.log" 2>&1 || { cat "$tmp/one.log"; exit 1; }
if mpirun -np 2 "$clae" "${run[@]}" --out "$tmp/two" >"$tmp/two.log" 2>&1; then
  ok "mpirun -np 2 clae train: 20 steps"
else
  bad "mpirun -np 2 clae train:"; cat "$tmp/two.log"
fi
grep "communication:" "$tmp/two.log" || true
if [ "$(grep -c '"epoch"' "$tmp/two/history.jsonl" 2>/dev/null)" = 2 ] &&
   [ "$(grep -c "^checkpoint:" "$tmp/two.log")" = 1 ]; then
  ok "rank 0 alone wrote the history (2 epochs) and printed the run"
else
  bad "history or output of the 2-rank run:"; cat "$tmp/two.log" "$tmp/two/history.jsonl"
fi
tbn=$(find "$tmp/two/tb" -name 'events.out.tfevents.*' 2>/dev/null | wc -l)
if [ "$tbn" = 1 ]; then
  ok "rank 0 alone wrote the TensorBoard log (one file in OUT/tb)"
else
  bad "OUT/tb of the 2-rank run holds $tbn event files, expected 1"
fi

# Every tensor within 10% of its movement from the initial weights.
if python3 - "$tmp/init.safetensors" "$tmp/one/last.safetensors" "$tmp/two/last.safetensors" <<'PY'
import json, math, struct, sys
def load(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        head = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in head.items():
        if k == "__metadata__" or k.endswith((".adam_m", ".adam_v")):
            continue
        a, b = v["data_offsets"]
        out[k] = struct.unpack("<%df" % ((b - a) // 4), data[a:b])
    return out
init, one, two = (load(p) for p in sys.argv[1:4])
worst = 0.0
for k in init:
    moved = math.sqrt(sum((x - y) ** 2 for x, y in zip(one[k], init[k])))
    diff = math.sqrt(sum((x - y) ** 2 for x, y in zip(one[k], two[k])))
    r = diff / moved if moved > 0 else (0.0 if diff == 0 else math.inf)
    worst = max(worst, r)
    print(f"  {k:20s} moved {moved:.3e}  1 vs 2 ranks {diff:.3e}  ({100 * r:.3f}% of the movement)")
sys.exit(0 if worst <= 0.10 else 1)
PY
then
  ok "every tensor within 10% of its movement"
else
  bad "tensors differ"
fi

mse() { "$clae" eval "$1" --data "$tmp/cifar" | awk '/^model/ {print $2}'; }
m1=$(mse "$tmp/one/last.safetensors"); m2=$(mse "$tmp/two/last.safetensors")
if awk -v a="$m1" -v b="$m2" 'BEGIN {d = a - b; if (d < 0) d = -d; exit !(a > 0 && d <= 0.01 * a)}'; then
  ok "held-out MSE within 1%: one process $m1, 2 ranks $m2"
else
  bad "held-out MSE: one process $m1, 2 ranks $m2"
fi

# --resume works unchanged: one epoch, then on to two, under mpirun.
mpirun -np 2 "$clae" "${run[@]}" --epochs 1 --out "$tmp/res" >/dev/null 2>&1
if mpirun -np 2 "$clae" train --resume "$tmp/res/last.safetensors" --epochs 2 >"$tmp/res.log" 2>&1 &&
   [ "$(grep -c '"epoch"' "$tmp/res/history.jsonl")" = 2 ] &&
   python3 - "$tmp/res/history.jsonl" "$tmp/two/history.jsonl" <<'PY'
import json, sys
a, b = ([json.loads(l) for l in open(p)] for p in sys.argv[1:3])
keys = ("epoch", "train_loss", "val_loss", "steps")
sys.exit(0 if [[r[k] for k in keys] for r in a] == [[r[k] for k in keys] for r in b] else 1)
PY
then
  ok "mpirun --resume: the history of an uninterrupted 2-rank run"
else
  bad "mpirun --resume:"; cat "$tmp/res.log" "$tmp/res/history.jsonl" "$tmp/two/history.jsonl"
fi

# A rank that fails stops the whole run, with a line naming it.
rc=0
mpirun -np 2 "$clae" "${run[@]}" --out "$tmp/fail" --device 0,99 >"$tmp/fail.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] && grep -q "clae: rank 1 of 2 failed; stopping the run" "$tmp/fail.log" &&
   grep -q "no device 99" "$tmp/fail.log"; then
  ok "a failing rank stops the run (exit $rc): $(grep 'rank 1 of 2' "$tmp/fail.log")"
else
  bad "a failing rank (exit $rc):"; cat "$tmp/fail.log"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
