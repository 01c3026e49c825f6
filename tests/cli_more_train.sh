# shellcheck shell=bash
# CLI checks for 'clae train' (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
# A tiny random dataset in the official layout: 5 x 8 train records, 8 test records.
mkdir -p "$tmp/cifar"
for i in 1 2 3 4 5; do head -c $((8 * 3073)) /dev/urandom >"$tmp/cifar/data_batch_$i.bin"; done
head -c $((8 * 3073)) /dev/urandom >"$tmp/cifar/test_batch.bin"

expect_fail "train missing config" "missing CONFIG" "$clae" train
expect_fail "train unknown flag" "unknown option '--frob'" "$clae" train configs/denoiser.cfg --frob
expect_fail "train bad epochs" "bad value 'x' for --epochs" "$clae" train configs/denoiser.cfg --epochs x
expect_fail "train too many epochs" "clae train: --epochs 1000000001: at most 1000000000" \
  "$clae" train configs/denoiser.cfg --epochs 1000000001
expect_fail "train negative max-steps" "bad value '-1' for --max-steps" \
  "$clae" train configs/denoiser.cfg --max-steps -1
expect_fail "train missing data" "no/such/dir" \
  "$clae" train configs/denoiser.cfg --data no/such/dir --device ref --out "$tmp/missing-data"
head -c 3000 /dev/urandom >"$tmp/trunc.bin"
mkdir -p "$tmp/cifar-bad" && cp "$tmp"/cifar/*.bin "$tmp/cifar-bad/" && cp "$tmp/trunc.bin" "$tmp/cifar-bad/data_batch_3.bin"
expect_fail "train truncated data" "data_batch_3.bin: size 3000 is not a whole number" \
  "$clae" train configs/denoiser.cfg --data "$tmp/cifar-bad" --device ref --out "$tmp/bad-data"
long_out="$tmp/$(printf 'd%.0s' $(seq 1 1000))"
expect_fail "train out path too long" "output folder path of 10[0-9][0-9] characters: expected 1 to 960" \
  "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --out "$long_out"
# an --out that cannot be made: the system's reason (a file where a folder
# must be: root too; a read-only parent: only where permissions hold)
: >"$tmp/out-file"
expect_fail "train --out under a file" "out-file/run: cannot create output folder: Not a directory" \
  "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --out "$tmp/out-file/run"
if [ "$(id -u)" -ne 0 ]; then
  mkdir -p "$tmp/out-ro" && chmod 555 "$tmp/out-ro"
  expect_fail "train --out in a read-only folder" "out-ro/a/run: cannot create output folder: Permission denied" \
    "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --out "$tmp/out-ro/a/run"
  chmod 755 "$tmp/out-ro"
else
  echo "skip train --out in a read-only folder: running as root, which ignores permissions"
fi
# the reference path checks a model's memory up front as the OpenCL path
# does: 12 layers of 1024 channels (3.2 GB for a batch of 32) under a 2 GB
# address-space limit is one line at once, not an allocation until malloc fails
{ sed -n '/^\[net\]/,/^\[train\]/p' configs/denoiser.cfg | sed '$d'
  for _ in $(seq 1 12); do printf '[conv2d]\nfilters = 1024\nsize = 1\n\n'; done
  printf '[conv2d]\nfilters = 3\nsize = 1\n'; } >"$tmp/wide.cfg"
if asan_build; then
  echo "skip train --device ref: memory checked up front (under ulimit -v): an ASan build"
else
  expect_fail "train --device ref: memory checked up front" "a batch of 32 needs [0-9]* MiB of device memory .*reference (plain C) has [0-9]* MiB.*use a smaller batch" \
    bash -c 'ulimit -v 2000000 && exec timeout 20 "$0" "$@"' "$clae" train "$tmp/wide.cfg" \
    --data "$tmp/cifar" --device ref --out "$tmp/wide"
fi
expect_fail "train missing resume" "nope.safetensors" \
  "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --resume "$tmp/nope.safetensors"
expect_ok "train 1 epoch on ref" "epoch 1/1 .*img/s" \
  "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --epochs 1 --out "$tmp/run"
if [ -s "$tmp/run/last.safetensors" ] && [ -s "$tmp/run/best.safetensors" ]; then
  echo "ok   train wrote last.safetensors and best.safetensors"; pass=$((pass + 1))
else
  echo "FAIL train: last/best checkpoints missing"; fail=$((fail + 1))
fi
cp "$tmp/run/last.safetensors" "$tmp/epoch1.safetensors"
expect_ok "train resume to epoch 2" "epoch 2/2" \
  "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --epochs 2 --out "$tmp/run" \
  --resume "$tmp/run/last.safetensors"
# Resuming from the epoch-1 checkpoint again trains epoch 2 again: the
# history keeps one line per epoch (1, 2), not the old epoch 2 as well.
expect_ok "train resume from an earlier checkpoint" "epoch 2/2" \
  "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --epochs 2 --out "$tmp/run" \
  --resume "$tmp/epoch1.safetensors"
if [ "$(grep -c '"epoch"' "$tmp/run/history.jsonl")" -eq 2 ]; then
  echo "ok   train history has one line per epoch after a resume"; pass=$((pass + 1))
else
  echo "FAIL train history after a resume:"; cat "$tmp/run/history.jsonl"; fail=$((fail + 1))
fi
# A resume of a finished run has nothing to train: it says so and exits 0.
expect_ok "train resume of a finished run" "already trained for 2 epochs (asked for 2): nothing to do" \
  "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --epochs 2 --out "$tmp/run" \
  --resume "$tmp/run/last.safetensors"
# A fresh run into a folder that holds a run is refused, naming what is
# there and the ways out; nothing there changes.
cp "$tmp/run/history.jsonl" "$tmp/history.before"
expect_fail "train fresh run into a used folder" \
  "run already holds a run (last.safetensors, best.safetensors, history.jsonl, history.csv): continue it with --resume .*/run/last.safetensors, choose another --out, or replace it with --overwrite" \
  "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --epochs 1 --out "$tmp/run"
if cmp -s "$tmp/history.before" "$tmp/run/history.jsonl"; then
  echo "ok   train refused run left the folder as it was"; pass=$((pass + 1))
else
  echo "FAIL train refused run changed the history"; fail=$((fail + 1))
fi
# --overwrite replaces it: the history starts afresh (as last.safetensors
# does), one line, not the old run's two before it.
expect_ok "train fresh run into a used folder, --overwrite" "epoch 1/1" \
  "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --epochs 1 --out "$tmp/run" \
  --overwrite
if [ "$(grep -c '"epoch"' "$tmp/run/history.jsonl")" -eq 1 ]; then
  echo "ok   train fresh run: the history has its own epoch only"; pass=$((pass + 1))
else
  echo "FAIL train fresh run kept the old history:"; cat "$tmp/run/history.jsonl"; fail=$((fail + 1))
fi
# A learning rate that blows the weights up: the first non-finite loss stops
# the run with one line, exit 1, and no checkpoint or history of NaN.
sed 's/^lr *=.*/lr = 1e30/' configs/denoiser.cfg >"$tmp/diverge.cfg"
expect_fail "train stops on a NaN loss" "training diverged: the loss is .*nan at epoch [0-9]*, step" \
  "$clae" train "$tmp/diverge.cfg" --data "$tmp/cifar" --device ref --epochs 5 --out "$tmp/nan"
if ! grep -qi nan "$tmp/nan/history.jsonl" 2>/dev/null &&
   { [ ! -e "$tmp/nan/last.safetensors" ] ||
     ! python3 scripts/show-checkpoint.py "$tmp/nan/last.safetensors" | grep -q non-finite; }; then
  echo "ok   train left no NaN checkpoint or history line"; pass=$((pass + 1))
else
  echo "FAIL train: a diverged run left NaN in its checkpoint or history"; fail=$((fail + 1))
fi
# A checkpoint of another model is refused: on resume as not its config,
# as weights by shape.
sed 's/^filters = 8$/filters = 4/' configs/denoiser.cfg >"$tmp/other.cfg"
expect_fail "train resume other model" "other.cfg is not the config stored in .*/run/last.safetensors: resume without CONFIG" \
  "$clae" train "$tmp/other.cfg" --data "$tmp/cifar" --device ref --resume "$tmp/run/last.safetensors"
expect_fail "train weights of another model" "tensor layers.0.weight has shape \[8,3,3,3\], expected \[4,3,3,3\]" \
  "$clae" train "$tmp/other.cfg" --data "$tmp/cifar" --device ref --weights "$tmp/run/last.safetensors" \
  --out "$tmp/other"

# SIGINT: finish the step, write last.safetensors, exit non-zero; never a truncated file.
"$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --epochs 1000 \
  --out "$tmp/int" >"$tmp/int.out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do [ -s "$tmp/int/last.safetensors" ] && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
rc=$?
if [ "$rc" -eq 130 ] && grep -q "interrupted after step" "$tmp/int.out" &&
  "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --epochs 1000 --max-steps 1 \
    --out "$tmp/int" --resume "$tmp/int/last.safetensors" >/dev/null 2>&1; then
  echo "ok   train SIGINT: exit 130, checkpoint written and resumable"; pass=$((pass + 1))
else
  echo "FAIL train SIGINT: rc=$rc"; cat "$tmp/int.out"; fail=$((fail + 1))
fi
# --max-steps 0 means no limit, as [train] max_steps = 0 does, and wins over the config's
expect_ok "train --max-steps 0 over a config's max_steps" "^test MSE" \
  "$clae" train <(sed 's/^max_steps = 0 .*/max_steps = 1/' configs/denoiser.cfg) --max-steps 0 \
  --epochs 1 --limit 40 --device ref --data "$tmp/cifar" --out "$tmp/ms0"
if grep -q "stopped after" "$tmp/out"; then
  echo "FAIL --max-steps 0: stopped early"; fail=$((fail + 1))
else
  echo "ok   --max-steps 0: no limit"; pass=$((pass + 1))
fi
