# shellcheck shell=bash
# CLI checks for one-class training ('clae train --classes') and 'clae score'
# (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok, random_records, pass, fail).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
s=$tmp/score
mkdir -p "$s/cifar"
# Random records in the official layout whose labels cycle 0..9: 5 x 20 train, 20 test.
for i in 1 2 3 4 5; do random_records "$s/cifar/data_batch_$i.bin" 20; done
random_records "$s/cifar/test_batch.bin" 20
cat >"$s/ae.cfg" <<'CFG'
[net]
input = 32,32,3
batch = 4
[train]
corrupt = none
[conv2d]
filters = 2
size = 3
stride = 2
padding = same
activation = relu
[conv2d_transpose]
filters = 3
size = 3
stride = 2
padding = same
activation = sigmoid
CFG

expect_ok "train --classes 0,1: the others left out" \
  "^classes 0,1: 20 of 100 training images, 4 of 20 test images$" \
  "$clae" train "$s/ae.cfg" --classes 0,1 --epochs 1 --device ref --out "$s/run" --data "$s/cifar"
expect_ok "score: every test image, the AUC of the other classes" \
  "^ROC-AUC, normal = classes 0,1, anomalies = the rest: MSE 0\.[0-9]*, 1 - SSIM 0\.[0-9]*$" \
  "$clae" score "$s/run/last.safetensors" "$s/scores.csv" --data "$s/cifar" --device ref
if [ "$(wc -l <"$s/scores.csv")" -eq 21 ] && [ "$(head -n 1 "$s/scores.csv")" = "index,label,mse,ssim" ] &&
  [ "$(sed -n 12p "$s/scores.csv" | cut -d, -f1,2)" = "10,0" ]; then
  echo "ok   score: a CSV line per test image"; pass=$((pass + 1))
else
  echo "FAIL score: CSV"; head -n 3 "$s/scores.csv"; fail=$((fail + 1))
fi
expect_ok "score on the device: the same classes" "trained on classes 0,1; 16 of them" \
  "$clae" score "$s/run/last.safetensors" "$s/scores-dev.csv" --data "$s/cifar" --limit 20
"$clae" init "$s/ae.cfg" "$s/all.safetensors" >/dev/null
expect_ok "score: a model of every class has no anomalies to rank" \
  "trained on classes all; 0 of them from other classes" \
  "$clae" score "$s/all.safetensors" "$s/all.csv" --data "$s/cifar" --device ref
if grep -q "ROC-AUC" "$tmp/out"; then
  echo "FAIL score: an AUC without anomalies"; fail=$((fail + 1))
else
  echo "ok   score: no AUC without anomalies"; pass=$((pass + 1))
fi
expect_ok "resume keeps the checkpoint's classes" "^classes 0,1: 20 of 100 training images" \
  "$clae" train "$s/ae.cfg" --resume "$s/run/last.safetensors" --epochs 2 --device ref \
  --out "$s/run" --data "$s/cifar"
expect_ok "[train] classes in the config" "^classes 5: 10 of 100 training images" \
  "$clae" train <(sed 's/^corrupt = none/corrupt = none\nclasses = 5/' "$s/ae.cfg") --epochs 1 \
  --device ref --out "$s/run5" --data "$s/cifar"
expect_fail "train --classes bad" "bad --classes '1,x'" "$clae" train "$s/ae.cfg" --classes 1,x
expect_fail "train --classes without images" "no training image has a label in classes 77" \
  "$clae" train "$s/ae.cfg" --classes 77 --device ref --out "$s/run77" --data "$s/cifar"
expect_fail "config classes bad" "key 'classes'" \
  "$clae" summary <(sed 's/^corrupt = none/classes = 256/' "$s/ae.cfg")
expect_fail "score: missing OUT" "missing OUT.csv" "$clae" score "$s/all.safetensors"
expect_fail "score: bad --limit" "bad value '0' for --limit" \
  "$clae" score "$s/all.safetensors" "$s/y.csv" --limit 0
expect_fail "score: unwritable OUT" "no-dir/y.csv" \
  "$clae" score "$s/all.safetensors" "$s/no-dir/y.csv" --data "$s/cifar" --device ref
# [train] freeze (tests/test_net.c checks what it does)
expect_fail "config freeze of an unknown layer" "no layer is named 'nope' (key 'freeze')" \
  "$clae" summary <(sed 's/^corrupt = none/freeze = nope/' "$s/ae.cfg")
expect_fail "config freeze of the last layer" "is the last layer: nothing would train" \
  "$clae" summary <(sed -e 's/^corrupt = none/freeze = out/' -e '$a name = out' "$s/ae.cfg")
# --transfer: a trained layer under a new head, frozen
cat >"$s/head.cfg" <<'CFG'
[net]
input = 32,32,3
batch = 4
[train]
corrupt = none
freeze = enc
[conv2d]
name = enc
filters = 2
size = 3
stride = 2
padding = same
activation = relu
[conv2d_transpose]
filters = 3
size = 3
stride = 2
padding = same
activation = relu
[conv2d]
filters = 3
size = 1
activation = sigmoid
CFG
expect_ok "train --transfer: the tensors the two models share" \
  "^took 4 of this model's 6 tensors from .*last.safetensors (0 of its 4 unused)" \
  "$clae" train "$s/head.cfg" --transfer "$s/run/last.safetensors" --epochs 1 --device ref \
  --out "$s/head" --data "$s/cifar"
if command -v python3 >/dev/null 2>&1; then
  same=$(python3 - "$s/run/last.safetensors" "$s/head/last.safetensors" <<'PY'
import json, struct, sys
def tensor(path, name):
    d = open(path, 'rb').read()
    n = struct.unpack('<Q', d[:8])[0]
    h = json.loads(d[8:8 + n])
    a, b = h[name]['data_offsets']
    return d[8 + n + a:8 + n + b]
print(all(tensor(sys.argv[1], t) == tensor(sys.argv[2], t) for t in ('layers.0.weight', 'layers.0.bias'))
      and tensor(sys.argv[1], 'layers.1.weight') != tensor(sys.argv[2], 'layers.1.weight'))
PY
)
  if [ "$same" = "True" ]; then
    echo "ok   --transfer + freeze: the frozen layer is the checkpoint's, the next one trained"
    pass=$((pass + 1))
  else
    echo "FAIL --transfer + freeze: '$same'"; fail=$((fail + 1))
  fi
fi
expect_ok "train --transfer: a shared name of another shape stays fresh" \
  "layers.1.weight is (2,3,3,3) in .* and (3,2,3,3) here: left fresh" \
  "$clae" train <(sed -e 's/^\[conv2d_transpose\]/[conv2d]/' -e 's/^stride = 2$/stride = 1/' \
  "$s/head.cfg") --transfer "$s/run/last.safetensors" --epochs 1 --device ref --out "$s/h2" \
  --data "$s/cifar"
expect_fail "train --transfer with --weights" "exclude each other" \
  "$clae" train "$s/head.cfg" --transfer a.safetensors --weights b.safetensors
# A classifier on the frozen layer: target = labels, a softmax head, categorical_crossentropy
cat >"$s/cls.cfg" <<'CFG'
[net]
input = 32,32,3
batch = 4
loss = categorical_crossentropy
[train]
corrupt = none
target = labels
freeze = enc
[conv2d]
name = enc
filters = 2
size = 3
stride = 2
padding = same
activation = relu
[flatten]
[dense]
units = 10
activation = softmax
CFG
expect_ok "train a classifier on a transferred, frozen layer: test accuracy" \
  "^test loss [0-9.]*, accuracy [0-9.]*% (20 images) with the last weights (epoch 2" \
  "$clae" train "$s/cls.cfg" --transfer "$s/run/last.safetensors" --epochs 2 --device ref \
  --out "$s/cls" --data "$s/cifar"
if grep -q "val PSNR" "$tmp/out" || ! grep -q "^epoch 2/2 .* acc [0-9.]*%" "$tmp/out"; then
  echo "FAIL classifier: epoch lines"; cat "$tmp/out"; fail=$((fail + 1))
else
  echo "ok   classifier: epoch lines with accuracy, no PSNR"; pass=$((pass + 1))
fi
expect_ok "train the classifier on the device" "^test loss [0-9.]*, accuracy" \
  "$clae" train "$s/cls.cfg" --epochs 1 --out "$s/cls-dev" --data "$s/cifar"
expect_ok "eval a classifier: accuracy and confusion matrix" "^test loss [0-9.]*, accuracy [0-9.]*% ([0-9]* of 20 images)$" \
  "$clae" eval "$s/cls/last.safetensors" --data "$s/cifar" --device ref
expect_fail "config: softmax not on the last layer" "softmax only on the last layer" \
  "$clae" summary <(sed 's/^activation = relu/activation = softmax/' "$s/cls.cfg")
expect_fail "config: categorical_crossentropy without softmax" \
  "categorical_crossentropy goes with a softmax last layer" \
  "$clae" summary <(sed 's/^activation = softmax/activation = sigmoid/' "$s/cls.cfg")
expect_fail "config: labels with an image-sized output" "must be (None, 1, 1, K)" \
  "$clae" summary <(sed -e 's/^loss = .*/loss = mse/' -e '/^\[flatten\]/,$d' "$s/cls.cfg")
expect_fail "config: labels with a corruption" "target = labels takes corrupt = none" \
  "$clae" summary <(sed 's/^corrupt = none/corrupt = blur/' "$s/cls.cfg")
# clae export: weights without the optimizer state
expect_ok "export: the weights alone" "^wrote .*w.safetensors: .* parameters in 4 tensors, no optimizer state" \
  "$clae" export "$s/run/last.safetensors" "$s/w.safetensors"
if [ "$(wc -c <"$s/w.safetensors")" -lt "$(wc -c <"$s/run/last.safetensors")" ]; then
  echo "ok   export: smaller than the checkpoint"; pass=$((pass + 1))
else
  echo "FAIL export: not smaller"; fail=$((fail + 1))
fi
expect_ok "score an exported model" "^wrote .*: 20 test images" \
  "$clae" score "$s/w.safetensors" "$s/w.csv" --data "$s/cifar" --device ref
"$clae" score "$s/run/last.safetensors" "$s/last.csv" --data "$s/cifar" --device ref >/dev/null
if cmp -s "$s/w.csv" "$s/last.csv"; then
  echo "ok   export: the same scores as the checkpoint"; pass=$((pass + 1))
else
  echo "FAIL export: other scores"; fail=$((fail + 1))
fi
expect_fail "resume an exported model" "no optimizer state" \
  "$clae" train "$s/ae.cfg" --resume "$s/w.safetensors" --epochs 5 --device ref --out "$s/wr" \
  --data "$s/cifar"
expect_fail "export onto itself" "OUT is CKPT itself" \
  "$clae" export "$s/w.safetensors" "$s/w.safetensors"
expect_fail "export: missing OUT" "missing OUT.safetensors" "$clae" export "$s/w.safetensors"
expect_fail "train a classifier with fewer outputs than labels" \
  "has label 5, but the classifier has 5 outputs (labels 0 to 4)" \
  "$clae" train <(sed 's/^units = 10/units = 5/' "$s/cls.cfg") --epochs 1 --device ref \
  --out "$s/cls5" --data "$s/cifar"
