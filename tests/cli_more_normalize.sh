# shellcheck shell=bash
# CLI checks for [train] normalize = gcn_l1_minmax: the pair a run computes is kept in its
# checkpoints, score and eval apply it (another pair gives other numbers), the commands that
# feed images run with it, a checkpoint without it is refused in one line, resume keeps it
# (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok, random_records, pass, fail).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
nz=$tmp/normalize
mkdir -p "$nz/cifar"
# Random records in the official layout whose labels cycle 0..9: 5 x 20 train, 20 test.
for i in 1 2 3 4 5; do random_records "$nz/cifar/data_batch_$i.bin" 20; done
random_records "$nz/cifar/test_batch.bin" 20
cat >"$nz/ae.cfg" <<'CFG'
[net]
input = 32,32,3
batch = 4
[train]
corrupt = none
normalize = gcn_l1_minmax
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
# the pair a checkpoint's metadata holds ("" when none)
nz_pair() { grep -ao '"normalize_minmax":"[^"]*"' "$1" | head -n 1 | cut -d'"' -f4; }
# a copy of checkpoint $1 at $2 with metadata text $3 replaced by $4 (the same length: the
# header's size stays; the metadata is in no checksum)
nz_edit() { LC_ALL=C sed "s/$3/$4/" "$1" >"$2"; }

expect_ok "normalize: train --classes 0,1 on the device" "^classes 0,1: 20 of 100" \
  "$clae" train "$nz/ae.cfg" --classes 0,1 --epochs 1 --out "$nz/run" --data "$nz/cifar"
pair=$(nz_pair "$nz/run/last.safetensors")
if [[ $pair =~ ^-[0-9.]+,[0-9.]+$ ]] && [ "$(nz_pair "$nz/run/best.safetensors")" = "$pair" ]; then
  echo "ok   normalize: the pair in the checkpoints ($pair)"; pass=$((pass + 1))
else
  echo "FAIL normalize: no pair in the checkpoint: '$pair'"; fail=$((fail + 1))
fi
"$clae" train "$nz/ae.cfg" --classes 0,1 --epochs 1 --out "$nz/run-ref" --data "$nz/cifar" \
  --device ref >/dev/null 2>&1
if [ "$(nz_pair "$nz/run-ref/last.safetensors")" = "$pair" ]; then
  echo "ok   normalize: the same pair on the reference path"; pass=$((pass + 1))
else
  echo "FAIL normalize: ref pair '$(nz_pair "$nz/run-ref/last.safetensors")', device '$pair'"
  fail=$((fail + 1))
fi
# another pair of the same length: lo's first digit made 1 (or 2 where it is 1)
other="-1${pair:2}"
[ "$other" = "$pair" ] && other="-2${pair:2}"
nz_edit "$nz/run/last.safetensors" "$nz/other.safetensors" "$pair" "$other"
expect_ok "normalize: score applies the pair" "^ROC-AUC, normal = classes 0,1" \
  "$clae" score "$nz/run/last.safetensors" "$nz/a.csv" --data "$nz/cifar"
expect_ok "normalize: score with another pair" "^ROC-AUC" \
  "$clae" score "$nz/other.safetensors" "$nz/b.csv" --data "$nz/cifar"
if [ -s "$nz/a.csv" ] && [ -s "$nz/b.csv" ] && ! cmp -s "$nz/a.csv" "$nz/b.csv"; then
  echo "ok   normalize: another pair, other scores"; pass=$((pass + 1))
else
  echo "FAIL normalize: the scores do not depend on the pair"; fail=$((fail + 1))
fi
"$clae" eval "$nz/run/last.safetensors" --data "$nz/cifar" --json "$nz/a.json" >/dev/null 2>&1
"$clae" eval "$nz/other.safetensors" --data "$nz/cifar" --json "$nz/b.json" >/dev/null 2>&1
if grep -q '"mse"' "$nz/a.json" 2>/dev/null && ! cmp -s <(grep -v checkpoint "$nz/a.json") \
  <(grep -v checkpoint "$nz/b.json"); then
  echo "ok   normalize: eval applies the pair"; pass=$((pass + 1))
else
  echo "FAIL normalize: eval's metrics do not depend on the pair"; fail=$((fail + 1))
fi
nz_edit "$nz/run/last.safetensors" "$nz/nopair.safetensors" normalize_minmax normalize_minmaX
expect_fail "normalize: score refuses a checkpoint without the pair" \
  "nopair.safetensors: .train. normalize = gcn_l1_minmax, but the checkpoint holds no min-max pair (metadata 'normalize_minmax', which clae train writes)$" \
  "$clae" score "$nz/nopair.safetensors" "$nz/c.csv" --data "$nz/cifar"
expect_fail "normalize: eval refuses it too" "nopair.safetensors: .train. normalize = gcn_l1_minmax, but the checkpoint holds no min-max pair" \
  "$clae" eval "$nz/nopair.safetensors" --data "$nz/cifar"
"$clae" init "$nz/ae.cfg" "$nz/init.safetensors" >/dev/null
expect_fail "normalize: clae init's checkpoint has no pair to score with" \
  "init.safetensors: .train. normalize = gcn_l1_minmax, but the checkpoint holds no min-max pair" \
  "$clae" score "$nz/init.safetensors" "$nz/c.csv" --data "$nz/cifar"
expect_ok "normalize: --transfer takes its tensors all the same" "layers.0.weight from" \
  "$clae" train "$nz/ae.cfg" --transfer "$nz/init.safetensors" --epochs 1 --out "$nz/run-tr" \
  --data "$nz/cifar" --device ref
expect_ok "normalize: a run from clae init's checkpoint computes its pair" "^epoch 1/1" \
  "$clae" train --resume "$nz/init.safetensors" --epochs 1 --out "$nz/run-init" \
  --data "$nz/cifar" --device ref
if [[ $(nz_pair "$nz/run-init/last.safetensors") =~ ^-[0-9.]+,[0-9.]+$ ]]; then
  echo "ok   normalize: its pair in the checkpoint"; pass=$((pass + 1))
else
  echo "FAIL normalize: no pair after a run from clae init's checkpoint"; fail=$((fail + 1))
fi
nz_edit "$nz/run/last.safetensors" "$nz/badpair.safetensors" "$pair" "$(echo "$pair" | tr 0-9 x)"
expect_fail "normalize: a malformed pair" "metadata 'normalize_minmax' is not two numbers" \
  "$clae" score "$nz/badpair.safetensors" "$nz/c.csv" --data "$nz/cifar"
expect_ok "normalize: resume keeps the pair" "^epoch 2/2" \
  "$clae" train --resume "$nz/run/last.safetensors" --epochs 2 --data "$nz/cifar"
if [ "$(nz_pair "$nz/run/last.safetensors")" = "$pair" ]; then
  echo "ok   normalize: the resumed run's pair"; pass=$((pass + 1))
else
  echo "FAIL normalize: resumed pair '$(nz_pair "$nz/run/last.safetensors")', was '$pair'"
  fail=$((fail + 1))
fi
expect_ok "normalize: show" "" "$clae" show "$nz/run/last.safetensors" "$nz/show.png" \
  --data "$nz/cifar"
expect_ok "normalize: encode" "" "$clae" encode "$nz/run/last.safetensors" "$nz/codes.npy" \
  --data "$nz/cifar" --layer 0
expect_ok "normalize: denoise" "" "$clae" denoise "$nz/run/last.safetensors" "$nz/show.png" \
  "$nz/denoised.png"
expect_ok "normalize: inpaint" "" "$clae" inpaint "$nz/run/last.safetensors" "$nz/show.png" \
  "$nz/inpainted.png" --mask 4,4,16,16
for f in show denoised inpainted; do
  if [ -s "$nz/$f.png" ]; then
    echo "ok   normalize: $f.png written"; pass=$((pass + 1))
  else
    echo "FAIL normalize: no $f.png"; fail=$((fail + 1))
  fi
done
expect_fail "normalize: a bad value" "bad value 'zca': expected none or gcn_l1_minmax (key 'normalize')" \
  "$clae" summary <(sed 's/^normalize = .*/normalize = zca/' "$nz/ae.cfg")
"$clae" train tests/models/vae-tiny.cfg --set train.normalize=gcn_l1_minmax --epochs 1 \
  --out "$nz/vae" --data "$nz/cifar" --device ref >/dev/null 2>&1
expect_fail "normalize: sample refuses it" \
  "clae sample: .*vae/last.safetensors: .train. normalize = gcn_l1_minmax: a decoded code" \
  "$clae" sample "$nz/vae/last.safetensors" 2 "$nz/s.png" --device ref
expect_ok "normalize: compile's warm-up" "" "$clae" compile "$nz/ae.cfg"
