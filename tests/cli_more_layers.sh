# shellcheck shell=bash
# CLI checks for 'clae layers', the config reference in README.md and layer
# names (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok, pass, fail).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
expect_ok "layers lists every kind" "^\[maxpool\]  max pooling" "$clae" layers
expect_ok "layers --all has [train]" "^  blur_size  *5 " "$clae" layers --all
expect_fail "layers extra argument" "unexpected argument 'x'" "$clae" layers x
# README's reference is the parser's own table, word for word.
"$clae" layers --markdown >"$tmp/ref.md"
awk '/^<!-- config-reference:/ { on = 1; next } /^<!-- end config-reference -->/ { on = 0 } on' \
  README.md >"$tmp/readme-ref.md"
if [ -s "$tmp/ref.md" ] && cmp -s "$tmp/ref.md" "$tmp/readme-ref.md"; then
  echo "ok   README's config reference is 'clae layers --markdown'"; pass=$((pass + 1))
else
  echo "FAIL README's config reference differs from 'clae layers --markdown' (run scripts/config-reference.sh):"
  diff "$tmp/readme-ref.md" "$tmp/ref.md" | head -n 10; fail=$((fail + 1))
fi
# Layer names: any layer may have one; bad or repeated ones are refused by line.
sed '0,/^\[maxpool\]$/s//[maxpool]\nname = pool1/' configs/denoiser.cfg >"$tmp/named.cfg"
expect_ok "layer with a name" "Total params: 6,467" "$clae" summary "$tmp/named.cfg"
sed 's/^\[maxpool\]$/[maxpool]\nname = pool1/' configs/denoiser.cfg >"$tmp/dupname.cfg"
expect_fail "layer name used twice" "layer name 'pool1' is already layer 1's (line 3[0-9]) (key 'name')" \
  "$clae" summary "$tmp/dupname.cfg"
sed 's/^\[maxpool\]$/[maxpool]\nname = 1pool/' configs/denoiser.cfg >"$tmp/badname.cfg"
expect_fail "layer name starting with a digit" "bad value '1pool'.*(key 'name')" \
  "$clae" summary "$tmp/badname.cfg"
# [max_unpooling2d] refers to a [maxpool] by name; what that pool must be.
u=configs/unpool-ae.cfg
expect_ok "max_unpooling model" "layers.6 (max_unpooling2d) *(None, 32, 32, 8) .*from pool1 (2x2)" \
  "$clae" summary "$u"
sed 's/^pool = pool2$/pool = nope/' "$u" >"$tmp/u-none.cfg"
expect_fail "max_unpooling of an unknown name" ":40: no earlier layer is named 'nope' (key 'pool')" \
  "$clae" summary "$tmp/u-none.cfg"
sed -e '0,/^\[conv2d\]$/s//[conv2d]\nname = c1/' -e 's/^pool = pool2$/pool = c1/' "$u" >"$tmp/u-conv.cfg"
expect_fail "max_unpooling of a conv2d" "pool 'c1' is a conv2d, not a maxpool (key 'pool')" \
  "$clae" summary "$tmp/u-conv.cfg"
sed 's/^name = pool2$/name = pool2\nstride = 1\npadding = same/' "$u" >"$tmp/u-overlap.cfg"
expect_fail "max_unpooling of overlapping windows" "pool 'pool2' has overlapping windows (2x2, stride 1,1)" \
  "$clae" summary "$tmp/u-overlap.cfg"
sed 's/^pool = pool1$/pool = pool2/' "$u" >"$tmp/u-shape.cfg"
expect_fail "max_unpooling of the wrong pool" "its input is 16x16x8 but pool 'pool2' gives 8x8x16" \
  "$clae" summary "$tmp/u-shape.cfg"
expect_ok "max_unpooling model trains on ref" "epoch 1/1 " \
  "$clae" train "$u" --data "$tmp/apps/cifar" --device ref --epochs 1 --out "$tmp/unpool-run"
# Fixed upsampling: nearest / bilinear (Keras UpSampling2D) and bed of nails.
expect_ok "upsampling2d model" "Total params: 4,963" "$clae" summary configs/conv-ae-upsampling.cfg
expect_ok "bilinear and bed of nails" "layers.4 (bed_of_nails) .*x2,2" \
  "$clae" summary tests/models/upsample.cfg
sed 's/^interpolation = bilinear$/interpolation = bicubic/' tests/models/upsample.cfg >"$tmp/bicubic.cfg"
expect_fail "upsampling2d bicubic" "bad value 'bicubic': expected nearest or bilinear (key 'interpolation')" \
  "$clae" summary "$tmp/bicubic.cfg"
sed 's/^\[bed_of_nails\]$/[bed_of_nails]\ninterpolation = bilinear/' tests/models/upsample.cfg >"$tmp/nails.cfg"
expect_fail "bed_of_nails takes no interpolation" "unknown key in \[bed_of_nails\] (key 'interpolation')" \
  "$clae" summary "$tmp/nails.cfg"
sed '/^\[upsampling2d\]$/,/^$/s/^size = 2$/size = 40000/' tests/models/upsample.cfg >"$tmp/huge-up.cfg"
expect_fail "upsampling2d too large" "output would be larger than 65536x65536 (key 'size')" \
  "$clae" summary "$tmp/huge-up.cfg"
sed 's/^alpha = 0.2$/alpha = 1.5/' tests/models/upsample.cfg >"$tmp/alpha.cfg"
expect_fail "leaky_relu alpha out of range" "bad value '1.5': expected a number from 0 to 1 (key 'alpha')" \
  "$clae" summary "$tmp/alpha.cfg"
# Losses: mae and binary_crossentropy train (Keras's definitions; tests/test_loss.c).
for l in mae binary_crossentropy; do
  sed "s/^loss = mse$/loss = $l/" configs/denoiser.cfg >"$tmp/loss-$l.cfg"
  expect_ok "train with loss = $l" "epoch 1/1 " \
    "$clae" train "$tmp/loss-$l.cfg" --data "$tmp/apps/cifar" --device ref --epochs 1 --out "$tmp/loss-$l"
done
sed 's/^loss = mse$/loss = hinge/' configs/denoiser.cfg >"$tmp/loss-bad.cfg"
expect_fail "unknown loss" "bad value 'hinge': expected mse, mae, binary_crossentropy or categorical_crossentropy (key 'loss')" \
  "$clae" summary "$tmp/loss-bad.cfg"
# Optimizer: Keras SGD with momentum and Nesterov (tests/test_sgd.c).
expect_ok "summary of an sgd model" "optimizer sgd (lr 1, momentum 0.9, nesterov)" \
  "$clae" summary tests/models/sgd.cfg
expect_ok "train with sgd" "epoch 1/1 " \
  "$clae" train tests/models/sgd.cfg --data "$tmp/apps/cifar" --device ref --epochs 1 --out "$tmp/sgd"
sed 's/^momentum = 0.9$/momentum = 1/' tests/models/sgd.cfg >"$tmp/sgd-bad.cfg"
expect_fail "sgd momentum 1" "bad value '1': expected a number in \[0, 1) (key 'momentum')" \
  "$clae" summary "$tmp/sgd-bad.cfg"
# Dropout: required rate below 1; trains on ref.
expect_ok "dropout model" "layers.1 (dropout) .*rate 0.25" "$clae" summary tests/models/dropout.cfg
sed 's/^rate = 0.25$/rate = 1/' tests/models/dropout.cfg >"$tmp/drop1.cfg"
expect_fail "dropout rate 1" "bad value '1': expected a number from 0 to 0.99 (key 'rate')" \
  "$clae" summary "$tmp/drop1.cfg"
sed '/^rate = 0.25$/d' tests/models/dropout.cfg >"$tmp/drop0.cfg"
expect_fail "dropout without a rate" "\[dropout\] needs rate (key 'rate')" "$clae" summary "$tmp/drop0.cfg"
expect_ok "train with dropout" "epoch 1/1 " \
  "$clae" train tests/models/dropout.cfg --data "$tmp/apps/cifar" --device ref --epochs 1 --out "$tmp/drop"
# Residual connections: [add] from an earlier layer or the input; shapes must match.
expect_ok "residual model" "layers.4 (add) .*+ input" "$clae" summary tests/models/residual.cfg
sed 's/^from = c1$/from = input/' tests/models/residual.cfg >"$tmp/res-bad.cfg"
expect_fail "add of a different shape" "layer 2 (add): its input is 32x32x8 but 'input' gives 32x32x3 (key 'from')" \
  "$clae" summary "$tmp/res-bad.cfg"
sed 's/^name = c1$/name = input/' tests/models/residual.cfg >"$tmp/res-name.cfg"
expect_fail "a layer named input" "bad value 'input'.*not 'input'.*(key 'name')" \
  "$clae" summary "$tmp/res-name.cfg"
expect_ok "train a residual model" "epoch 1/1 " \
  "$clae" train tests/models/residual.cfg --data "$tmp/apps/cifar" --device ref --epochs 1 --out "$tmp/res"
# Dense autoencoders: flatten (C,H,W order), dense (PyTorch nn.Linear layout), reshape.
expect_ok "dense autoencoder: Keras's parameter count" "Total params: 3,215,424" \
  "$clae" summary configs/dense-ae.cfg
sed '/^\[flatten\]$/d' configs/dense-ae.cfg >"$tmp/noflat.cfg"
expect_fail "dense on an image" "its input is 32x32x3, not flat: add a \[flatten\] before it" \
  "$clae" summary "$tmp/noflat.cfg"
sed 's/^target_shape = 32,32,3$/target_shape = 32,32,4/' configs/dense-ae.cfg >"$tmp/reshape.cfg"
expect_fail "reshape to another size" "target_shape 32,32,4 holds 4096 values, its input 1x1x3072 holds 3072" \
  "$clae" summary "$tmp/reshape.cfg"
"$clae" init tests/models/dense.cfg "$tmp/dense.safetensors" >/dev/null
python3 -c "
import struct, sys, zlib
w, h = 9, 8
raw = b''.join(b'\x00' + bytes((x * 7 + y * 13 + c * 50) % 256 for x in range(w) for c in range(3)) for y in range(h))
ch = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + ch(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
                              + ch(b'IDAT', zlib.compress(raw)) + ch(b'IEND', b''))" "$tmp/nine.png" 2>/dev/null &&
expect_fail "denoise with a dense model at another size" "the model takes 8x8 images only (layer 1 is dense); .*nine.png is 9x8" \
  "$clae" denoise "$tmp/dense.safetensors" "$tmp/nine.png" "$tmp/nine-out.png"
