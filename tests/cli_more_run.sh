# shellcheck shell=bash
# CLI checks for a run's settings: --set/--lr/--batch, resume taking the
# run's settings from its checkpoint, the recorded data folder (sourced by
# tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok, pass, fail).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
run_data="$tmp/run-cifar" # a tiny random dataset: 5 x 8 train records, 8 test records
mkdir -p "$run_data"
for i in 1 2 3 4 5; do head -c $((8 * 3073)) /dev/urandom >"$run_data/data_batch_$i.bin"; done
head -c $((8 * 3073)) /dev/urandom >"$run_data/test_batch.bin"
clae_abs=$(cd "$(dirname "$clae")" && pwd)/$(basename "$clae") # for commands run elsewhere
run_train=("$clae" train configs/denoiser.cfg --data "$run_data" --device ref --quiet)

# expect_usage NAME PATTERN CMD...: as expect_fail, and the exit code is 2 (bad usage)
expect_usage() {
  local name=$1
  expect_fail "$@"
  local rc=0
  "${@:3}" >/dev/null 2>&1 || rc=$?
  if [ "$rc" -eq 2 ]; then
    echo "ok   $name: exit 2"; pass=$((pass + 1))
  else
    echo "FAIL $name: exit $rc, not 2"; fail=$((fail + 1))
  fi
}

# --set and its shortcuts: the run uses them and its checkpoint keeps them.
expect_usage "train --set bad syntax" "clae: --set enc_missing_ok=1: expected SECTION.KEY=VALUE, like net.lr=0.01" \
  "${run_train[@]}" --out "$tmp/set" --set enc_missing_ok=1
expect_ok "train --set, --lr, --batch" "batch 4, 8 steps per epoch" \
  "$clae" train configs/denoiser.cfg --data "$run_data" --device ref --out "$tmp/set" \
  --max-steps 1 --lr 0.01 --batch 4 --set train.corrupt=noise --set layers.0.filters=6
expect_ok "train resume keeps --set" "batch 4, 8 steps per epoch" \
  "$clae" train --resume "$tmp/set/last.safetensors" --device ref --max-steps 1
python3 - "$tmp/set/last.safetensors" >"$tmp/set.cfg" <<'EOF'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    print(json.loads(f.read(n))["__metadata__"]["config"])
EOF
if grep -qx "lr = 0.01" "$tmp/set.cfg" && grep -qx "batch = 4" "$tmp/set.cfg" &&
   grep -qx "corrupt = noise" "$tmp/set.cfg" && grep -qx "filters = 6" "$tmp/set.cfg"; then
  echo "ok   train --set: the stored config carries every change"; pass=$((pass + 1))
else
  echo "FAIL train --set: stored config:"; cat "$tmp/set.cfg"; fail=$((fail + 1))
fi
expect_usage "train --set unknown key" "\[conv2d\] has no key 'filterz'; did you mean layers.0.filters?" \
  "${run_train[@]}" --out "$tmp/set2" --set layers.0.filterz=4
expect_usage "train --set key of the other section" "lr is a key of \[net\]: --set net.lr=0.1" \
  "${run_train[@]}" --out "$tmp/set2" --set train.lr=0.1
expect_usage "train --set unknown section" "has no section 'enc' (net, train, a layer's or branch's name or layers.0 to layers.6)" \
  "${run_train[@]}" --out "$tmp/set2" --set enc.filters=4
# a bad value is the flag's, not a line of the config the user never wrote
expect_usage "train --lr bad value" "^clae: --lr abc: bad value 'abc': expected a number" \
  "${run_train[@]}" --out "$tmp/set2" --lr abc
expect_usage "train --set bad value" "^clae: --set net.lr=-1: bad value '-1': expected a number" \
  "${run_train[@]}" --out "$tmp/set2" --set net.lr=-1
expect_usage "train --batch bad value" "^clae: --batch 0: bad value '0': expected an integer" \
  "${run_train[@]}" --out "$tmp/set2" --batch 0
expect_usage "train --set layer index out of range" "no section 'layers.7'" \
  "${run_train[@]}" --out "$tmp/set2" --set layers.7.filters=4
if [ ! -e "$tmp/set2" ]; then
  echo "ok   train --set errors create no folder"; pass=$((pass + 1))
else
  echo "FAIL train --set errors created $tmp/set2"; fail=$((fail + 1))
fi
printf '[net]\ninput = 32,32,3\nbatchh = 4\n[conv2d]\nfilters = 3\nsize = 3\n' >"$tmp/typo.cfg"
expect_fail "config unknown key: did you mean" "typo.cfg:3: unknown key in \[net\]; did you mean batch? (key 'batchh')" \
  "$clae" summary "$tmp/typo.cfg"

# Resume takes the run's settings: folder, data, --limit, epochs, from any
# working folder, with no CONFIG.
"${run_train[@]}" --out "$tmp/rr" --limit 20 --epochs 3 --max-steps 1 >/dev/null 2>&1
expect_ok "train resume remembers --out, --data, --limit, --epochs" \
  "training .*: 16 train / 4 validation images, batch 16, 1 step per epoch" \
  sh -c "cd / && '$clae_abs' train --resume '$tmp/rr/last.safetensors' --device ref --max-steps 1"
if [ "$(grep -c '"epoch"' "$tmp/rr/history.jsonl")" -eq 2 ]; then
  echo "ok   train resume wrote into the run's own folder"; pass=$((pass + 1))
else
  echo "FAIL train resume: history:"; cat "$tmp/rr/history.jsonl"; fail=$((fail + 1))
fi
expect_ok "train resume: epochs from the run" "epoch 3/3" \
  "$clae" train --resume "$tmp/rr/last.safetensors" --device ref
expect_ok "train resume: --epochs raises them" "epoch 4/4" \
  "$clae" train --resume "$tmp/rr/last.safetensors" --device ref --epochs 4
expect_ok "train resume: the same settings again are fine" "already trained for 4 epochs" \
  "$clae" train configs/denoiser.cfg --resume "$tmp/rr/last.safetensors" --device ref --limit 20 \
  --seed 42 --data "$run_data" --out "$tmp/rr"
expect_usage "train resume refuses another --limit" \
  "clae train: --limit would change the run of .*rr/last.safetensors (it has --limit 20)" \
  "$clae" train --resume "$tmp/rr/last.safetensors" --limit 8
expect_usage "train resume refuses another --seed" "--seed would change the run .*(it has seed 42)" \
  "$clae" train --resume "$tmp/rr/last.safetensors" --seed 7
expect_usage "train resume refuses --no-shuffle" "--no-shuffle would change the run" \
  "$clae" train --resume "$tmp/rr/last.safetensors" --no-shuffle
expect_usage "train resume refuses --classes" "--classes would change the run .*(it has classes all)" \
  "$clae" train --resume "$tmp/rr/last.safetensors" --classes 1
expect_usage "train resume refuses --lr" "--lr with --resume: a resumed run keeps the settings stored in" \
  "$clae" train --resume "$tmp/rr/last.safetensors" --lr 0.1
expect_usage "train resume refuses --set" "--set with --resume" \
  "$clae" train --resume "$tmp/rr/last.safetensors" --set net.batch=2
sed 's/^lr = 0.001$/lr = 0.002/' configs/denoiser.cfg >"$tmp/lr2.cfg"
expect_usage "train resume refuses another config" "lr2.cfg is not the config stored in" \
  "$clae" train "$tmp/lr2.cfg" --resume "$tmp/rr/last.safetensors"
mkdir -p "$tmp/other-data" && cp "$run_data"/data_batch_*.bin "$tmp/other-data/" &&
  head -c $((4 * 3073)) /dev/urandom >"$tmp/other-data/test_batch.bin"
expect_usage "train resume refuses other data" \
  "other-data holds 40 training and 4 test images, the run of .* was trained on 40 and 8" \
  "$clae" train --resume "$tmp/rr/last.safetensors" --data "$tmp/other-data" --epochs 5
expect_usage "train resume into another run's folder" "set already holds a run" \
  "$clae" train --resume "$tmp/rr/last.safetensors" --out "$tmp/set" --epochs 5

# The checkpoint records its data (absolute): eval from another folder finds it.
expect_ok "eval defaults to the data the run was trained on" "model " \
  sh -c "cd / && '$clae_abs' eval '$tmp/rr/last.safetensors' --device ref"
expect_fail "missing data names --data and the fetch script" \
  "nowhere/data_batch_1.bin: cannot open: .*(choose the folder with --data, or fetch CIFAR-10 with scripts/fetch-cifar10.sh)" \
  "$clae" train configs/denoiser.cfg --data "$tmp/nowhere" --device ref --out "$tmp/nowhere-run"

# Early stopping and reduce on plateau (Keras's callbacks on val_loss): with
# a learning rate too small to move a weight, the validation loss never gets
# lower after epoch 1, so lr_patience = 1 lowers lr every epoch and
# patience = 2 stops after epoch 3; a resume in between carries both.
plateau=(--set net.lr=1e-20 --set train.patience=2 --set train.lr_patience=1 --set train.lr_factor=0.5)
expect_ok "train patience: early stop after 2 epochs without a lower val loss" \
  "stopping early: no lower val loss for 2 epochs" \
  "$clae" train configs/denoiser.cfg --data "$run_data" --device ref --out "$tmp/pat" --epochs 10 \
  "${plateau[@]}" --samples 3
if grep -q "lr 1e-20 -> 5e-21" "$tmp/out" && [ "$(grep -c '"epoch"' "$tmp/pat/history.jsonl")" -eq 3 ] &&
   grep -q '"epoch": 3, .*"lr": 5e-21' "$tmp/pat/history.jsonl" &&
   grep -q "^test MSE" "$tmp/out"; then
  echo "ok   train patience: 3 epochs, lr halved each plateau epoch, the test set still scored"
  pass=$((pass + 1))
else
  echo "FAIL train patience:"; cat "$tmp/out" "$tmp/pat/history.jsonl"; fail=$((fail + 1))
fi
"$clae" train configs/denoiser.cfg --data "$run_data" --device ref --out "$tmp/pat2" --epochs 2 \
  "${plateau[@]}" --quiet >/dev/null 2>&1
expect_ok "train patience: a resume carries the epochs without improvement and the lr" \
  "epoch 3/10 .*stopping early: no lower val loss for 2 epochs" \
  sh -c "'$clae' train --resume '$tmp/pat2/last.safetensors' --device ref --epochs 10 | tr '\n' ' '"
if cmp -s <(cut -d, -f1-4,8- "$tmp/pat/history.csv") <(cut -d, -f1-4,8- "$tmp/pat2/history.csv"); then
  echo "ok   train patience: the resumed run's history equals the uninterrupted one's"; pass=$((pass + 1))
else
  echo "FAIL train patience: histories differ"; cat "$tmp/pat/history.csv" "$tmp/pat2/history.csv"
  fail=$((fail + 1))
fi
# --samples: a figure per epoch; history.csv: the history for spreadsheets.
if [ "$(find "$tmp/pat/samples" -name 'epoch-000[123].png' | wc -l)" -eq 3 ] &&
   "$clae" plot "$tmp/pat/history.jsonl" "$tmp/pat-plot.png" >/dev/null &&
   head -1 "$tmp/pat/history.csv" | grep -q "^epoch,train_loss,val_loss,val_psnr,val_accuracy,images_per_s,seconds,steps,lr$" &&
   [ "$(wc -l <"$tmp/pat/history.csv")" -eq 4 ]; then
  echo "ok   train --samples 3: a figure per epoch; history.csv: header and 3 rows"; pass=$((pass + 1))
else
  echo "FAIL train --samples / history.csv:"; ls "$tmp/pat" "$tmp/pat/samples"; cat "$tmp/pat/history.csv"
  fail=$((fail + 1))
fi
expect_usage "train --samples too many" "clae train: --samples 65: at most 64" \
  "${run_train[@]}" --out "$tmp/s65" --samples 65
expect_usage "train --samples more than the images" "--samples 20: only 8 validation and 8 test images" \
  "${run_train[@]}" --out "$tmp/s20" --samples 20

# A checkpoint whose recorded data folder is gone (moved, or trained on
# another machine) falls back to its config's [train] data.
mkdir -p "$tmp/fb-train" "$tmp/fb-config"
cp "$run_data"/*.bin "$tmp/fb-train/"
head -c $((5 * 3073)) /dev/urandom >"$tmp/fb-config/test_batch.bin"
sed "s|^data = .*|data = $tmp/fb-config|" configs/denoiser.cfg >"$tmp/fb.cfg"
"$clae" train "$tmp/fb.cfg" --data "$tmp/fb-train" --device ref --out "$tmp/fb" --max-steps 1 \
  --quiet >/dev/null 2>&1
expect_ok "eval: the recorded data folder while it is there" "test images: 8 of 32x32x3 (.*fb-train)" \
  "$clae" eval "$tmp/fb/last.safetensors" --device ref
rm -rf "$tmp/fb-train"
expect_ok "eval: the config's [train] data once the recorded folder is gone" "test images: 5 of 32x32x3 (.*fb-config)" \
  "$clae" eval "$tmp/fb/last.safetensors" --device ref
