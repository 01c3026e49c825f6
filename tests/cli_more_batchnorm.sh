# shellcheck shell=bash
# CLI checks for [batch_norm], use_bias and configs/dcae-cifar10.cfg
# (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok, random_records, pass, fail).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
b=$tmp/bn
mkdir -p "$b/cifar"
for i in 1 2 3 4 5; do random_records "$b/cifar/data_batch_$i.bin" 20; done
random_records "$b/cifar/test_batch.bin" 20

# The DCAE: PyTorch's parameter count (no biases), the moving statistics non-trainable.
expect_ok "dcae: PyTorch's 804,544 weights" "^ Trainable params: 804,544 " \
  "$clae" summary configs/dcae-cifar10.cfg
expect_ok "dcae: the moving statistics are non-trainable" "^ Non-trainable params: 1,152 " \
  "$clae" summary configs/dcae-cifar10.cfg
expect_ok "dcae: a batch_norm layer's line" \
  "layers.1 (batch_norm) *(None, 32, 32, 32) *64 *momentum 0.9 eps 0.0001 no affine leaky_relu" \
  "$clae" summary configs/dcae-cifar10.cfg
sed '0,/^momentum = 0.9$/s//momentum = 2/' configs/dcae-cifar10.cfg >"$b/momentum.cfg"
expect_fail "batch_norm momentum out of range" "momentum.cfg:[0-9]*: .*'2'.*(key 'momentum')" \
  "$clae" summary "$b/momentum.cfg"
sed '0,/^use_bias = false$/s//use_bias = maybe/' configs/dcae-cifar10.cfg >"$b/bias.cfg"
expect_fail "use_bias not a boolean" "bias.cfg:[0-9]*: .*'maybe'.*(key 'use_bias')" \
  "$clae" summary "$b/bias.cfg"
sed -e '0,/^center = false$/s//center = true/' -e '0,/^scale = false$/s//scale = true/' \
  configs/dcae-cifar10.cfg >"$b/affine.cfg"
expect_ok "batch_norm with gamma and beta" "^ Trainable params: 804,608 " "$clae" summary "$b/affine.cfg"

cat >"$b/bn.cfg" <<'CFG'
[net]
input = 32,32,3
batch = 10
[train]
corrupt = none
validation_split = 0
[conv2d]
filters = 4
size = 3
stride = 2
padding = same
use_bias = false
[batch_norm]
activation = relu
[conv2d_transpose]
filters = 3
size = 3
stride = 2
padding = same
activation = sigmoid
CFG
expect_ok "train a batch_norm model without a validation split" "^epoch 1/2 " \
  "$clae" train "$b/bn.cfg" --epochs 2 --out "$b/run" --data "$b/cifar" --no-progress
# inference normalises with the moving statistics: the same MSE each time,
# and the same on the reference path
"$clae" eval "$b/run/last.safetensors" --data "$b/cifar" >"$b/e1" 2>&1
"$clae" eval "$b/run/last.safetensors" --data "$b/cifar" >"$b/e2" 2>&1
"$clae" eval "$b/run/last.safetensors" --data "$b/cifar" --device ref >"$b/e3" 2>&1
m1=$(awk '$1 == "model" { print $2 }' "$b/e1")
m2=$(awk '$1 == "model" { print $2 }' "$b/e2")
m3=$(awk '$1 == "model" { print $2 }' "$b/e3")
if [ -n "$m1" ] && [ "$m1" = "$m2" ] && awk -v a="$m1" -v b="$m3" 'BEGIN { d = a - b; exit !(d < 1e-4 && d > -1e-4) }'; then
  echo "ok   batch_norm eval: the same MSE twice ($m1) and on the reference path ($m3)"; pass=$((pass + 1))
else
  echo "FAIL batch_norm eval: MSE '$m1', '$m2', reference '$m3'"; cat "$b/e1" "$b/e3"; fail=$((fail + 1))
fi
# the checkpoint holds the moving statistics (PyTorch's names) beside the weights
if grep -aq '"layers.1.running_mean"' "$b/run/last.safetensors" &&
   grep -aq '"layers.1.running_var"' "$b/run/last.safetensors"; then
  echo "ok   batch_norm checkpoint: running_mean and running_var saved"; pass=$((pass + 1))
else
  echo "FAIL batch_norm checkpoint: no running_mean / running_var tensors"; fail=$((fail + 1))
fi
# the DCAE itself, one class, a few images: trains and scores
expect_ok "dcae: one class trains" "^classes 3: 10 of 100 training images" \
  "$clae" train configs/dcae-cifar10.cfg --classes 3 --epochs 1 --set net.batch=5 \
  --out "$b/dcae" --data "$b/cifar" --no-progress
# (2 normal images among 20 random ones: an AUC of exactly 1 happens, 0 too)
expect_ok "dcae: score gives the ROC-AUC" "^ROC-AUC, normal = classes 3, anomalies = the rest: MSE [01]\.[0-9]*," \
  "$clae" score "$b/dcae/last.safetensors" "$b/dcae.csv" --data "$b/cifar"
