# shellcheck shell=bash
# CLI checks for 'clae eval', 'clae show', 'clae denoise' and 'clae plot'
# (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok, pass, fail).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
a=$tmp/apps
mkdir -p "$a/cifar"
# A tiny random dataset in the official layout: 8 test records (train files for completeness).
for i in 1 2 3 4 5; do head -c $((4 * 3073)) /dev/urandom >"$a/cifar/data_batch_$i.bin"; done
head -c $((8 * 3073)) /dev/urandom >"$a/cifar/test_batch.bin"
"$clae" init configs/denoiser.cfg "$a/m.safetensors" >/dev/null
sed 's/^input = 32,32,3.*/input = 16,16,3/' configs/denoiser.cfg >"$a/small.cfg"
"$clae" init "$a/small.cfg" "$a/small.safetensors" >/dev/null

have_py=0
command -v python3 >/dev/null 2>&1 && have_py=1
# png_size FILE: "WxH" from the PNG header
png_size() {
  if [ "$have_py" -eq 1 ]; then
    python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); assert d[:8]==b'\x89PNG\r\n\x1a\n'; print('%dx%d' % struct.unpack('>II', d[16:24]))" "$1" 2>/dev/null
  else
    file "$1" | sed -n 's/.*PNG image data, \([0-9]*\) x \([0-9]*\),.*/\1x\2/p'
  fi
}
# check_size NAME FILE WxH
check_size() {
  local got
  got=$(png_size "$2")
  if [ "$got" = "$3" ]; then
    echo "ok   $1: $2 is $got"; pass=$((pass + 1))
  else
    echo "FAIL $1: $2 is '$got', expected $3"; fail=$((fail + 1))
  fi
}
# mkpng FILE W H COLOR_TYPE (0 grey, 2 RGB, 6 RGBA): a gradient PNG (needs python3)
mkpng() {
  python3 - "$@" <<'EOF'
import struct, sys, zlib
path, w, h, ct = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ch = {0: 1, 2: 3, 6: 4}[ct]
raw = b"".join(b"\x00" + bytes((x * 7 + y * 13 + c * 50) % 256 for x in range(w) for c in range(ch))
               for y in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, ct, 0, 0, 0))
                       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
EOF
}

# ---- eval ----
expect_ok "eval on ref: blurred-input row" "^blurred input (do nothing) .*[0-9]" \
  "$clae" eval "$a/m.safetensors" --data "$a/cifar" --device ref --json "$a/ref.json"
if grep -q "^model  *[0-9.]*  *[0-9.]*  *[0-9.]*  *[0-9.]*$" "$tmp/out" &&
  grep -q "test images: 8 " "$tmp/out"; then
  echo "ok   eval on ref: model row, 8 images"; pass=$((pass + 1))
else
  echo "FAIL eval on ref: no model row or image count"; cat "$tmp/out"; fail=$((fail + 1))
fi
# eval corrupts the test images as the checkpoint's config says, every setting
# (noise_sigma, sp_rate, mask_*), not only the kind
sed -e 's/^corrupt *=.*/corrupt = mask/' -e 's/^\[train\]/[train]\nmask_count = 3\nmask_min = 5\nmask_max = 7/' \
  configs/denoiser.cfg >"$a/mask.cfg"
"$clae" init "$a/mask.cfg" "$a/mask.safetensors" >/dev/null
expect_ok "eval uses the config's corruption settings" "corrupt = mask (3 rectangles, sides 5 to 7)" \
  "$clae" eval "$a/mask.safetensors" --data "$a/cifar" --device ref
# noise_sigma = 0.3: the do-nothing baseline is about 11 dB, not the 20 dB of
# the default sigma 0.1 (eval once ignored the setting)
sed -e 's/^corrupt *=.*/corrupt = noise/' -e 's/^\[train\]/[train]\nnoise_sigma = 0.3/' \
  configs/denoiser.cfg >"$a/noise.cfg"
"$clae" init "$a/noise.cfg" "$a/noise.safetensors" >/dev/null
expect_ok "eval noise_sigma 0.3" "corrupt = noise (sigma 0.3)" \
  "$clae" eval "$a/noise.safetensors" --data "$a/cifar" --device ref
base_psnr=$(awk '/^corrupted input/ {print $(NF-2)}' "$tmp/out")
if awk -v p="$base_psnr" 'BEGIN { exit !(p > 8 && p < 14) }'; then
  echo "ok   eval noise_sigma 0.3: baseline PSNR $base_psnr dB"; pass=$((pass + 1))
else
  echo "FAIL eval noise_sigma 0.3: baseline PSNR '$base_psnr' dB, want about 11"; cat "$tmp/out"; fail=$((fail + 1))
fi
expect_ok "eval on the default device, batches of 3" "^model  *[0-9]" \
  "$clae" eval "$a/m.safetensors" --data "$a/cifar" --batch 3 --json "$a/dev.json"
if grep -q '"images":[[:space:]]*8' "$a/ref.json" && grep -q '"model":' "$a/ref.json" &&
  grep -q '"psnr":' "$a/ref.json"; then
  echo "ok   eval --json wrote images, model, psnr"; pass=$((pass + 1))
else
  echo "FAIL eval --json:"; cat "$a/ref.json"; fail=$((fail + 1))
fi
if [ "$have_py" -eq 1 ]; then
  expect_ok "eval: device and reference agree" "agree" python3 -c "
import json, sys
r, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for row in ('input', 'model'):
    for k in ('mse', 'psnr', 'ssim'):
        assert abs(r[row][k] - d[row][k]) <= 1e-4 * max(1, abs(r[row][k])), (row, k, r[row][k], d[row][k])
assert r['input'] == {**d['input'], 'psnr_capped': r['input']['psnr_capped']}
print('agree')" "$a/ref.json" "$a/dev.json"
fi
expect_ok "eval --limit" "test images: 3 " \
  "$clae" eval "$a/m.safetensors" --data "$a/cifar" --device ref --limit 3
expect_fail "eval missing CKPT" "missing CKPT" "$clae" eval
expect_fail "eval missing checkpoint file" "nope.safetensors" \
  "$clae" eval "$a/nope.safetensors" --data "$a/cifar" --device ref
expect_fail "eval missing data" "no/such/dir" \
  "$clae" eval "$a/m.safetensors" --data no/such/dir --device ref
expect_fail "eval unknown flag" "unknown option '--frob'" "$clae" eval "$a/m.safetensors" --frob
expect_fail "eval bad limit" "bad value '0' for --limit" "$clae" eval "$a/m.safetensors" --limit 0
expect_fail "eval --json needs a value" "needs a value" "$clae" eval "$a/m.safetensors" --json
expect_fail "eval model of another input size" "the test images are 32x32x3 (HxWxC), the model.s input is 16,16,3" \
  "$clae" eval "$a/small.safetensors" --data "$a/cifar" --device ref
expect_fail "eval unwritable json" "cannot" \
  "$clae" eval "$a/m.safetensors" --data "$a/cifar" --device ref --json /nonexistent-dir/x.json

# ---- show ----
expect_ok "show 5 images from offset 2" "wrote .*show.png (776x400)" \
  "$clae" show "$a/m.safetensors" "$a/show.png" --data "$a/cifar" --n 5 --offset 2 --device ref
check_size "show PNG size" "$a/show.png" 776x400
expect_ok "show default 8 on the device" "(1172x400)" \
  "$clae" show "$a/m.safetensors" "$a/show8.png" --data "$a/cifar"
check_size "show PNG size (8 images)" "$a/show8.png" 1172x400
expect_fail "show past the end" "the test set has 8" \
  "$clae" show "$a/m.safetensors" "$a/x.png" --data "$a/cifar" --n 4 --offset 5 --device ref
expect_fail "show offset past any test set" "clae show: --offset 9223372036854775807: at most 99999999" \
  "$clae" show "$a/m.safetensors" "$a/x.png" --data "$a/cifar" --offset 9223372036854775807
expect_fail "show model of another input size" "the model.s input is 16,16,3" \
  "$clae" show "$a/small.safetensors" "$a/x.png" --data "$a/cifar" --device ref
expect_fail "show missing OUT" "missing OUT.png" "$clae" show "$a/m.safetensors"
expect_fail "show bad --n" "bad value 'x' for --n" "$clae" show "$a/m.safetensors" "$a/x.png" --n x
expect_fail "show unknown image type" "unknown image type" \
  "$clae" show "$a/m.safetensors" "$a/x.tiff" --data "$a/cifar" --device ref
expect_fail "show missing checkpoint" "nope.safetensors" \
  "$clae" show "$a/nope.safetensors" "$a/x.png" --data "$a/cifar"

# ---- denoise ----
expect_ok "denoise the show figure (776x400)" "wrote .*d1.png (776x400" \
  "$clae" denoise "$a/m.safetensors" "$a/show.png" "$a/d1.png" --device ref
check_size "denoise keeps the size" "$a/d1.png" 776x400
if [ "$have_py" -eq 1 ]; then
  mkpng "$a/odd.png" 37 29 2
  mkpng "$a/grey.png" 37 29 0
  mkpng "$a/rgba.png" 37 29 6
  expect_ok "denoise 37x29 on ref (run at 40x32)" "(37x29, 3 channels; model run at 40x32" \
    "$clae" denoise "$a/m.safetensors" "$a/odd.png" "$a/odd-out.png" --device ref
  check_size "denoise odd size" "$a/odd-out.png" 37x29
  expect_ok "denoise 37x29 --blur on the device, BMP out" "wrote .*odd-blur.png (the blurred" \
    "$clae" denoise "$a/m.safetensors" "$a/odd.png" "$a/odd-out.bmp" --blur --blurred "$a/odd-blur.png"
  check_size "denoise --blurred size" "$a/odd-blur.png" 37x29
  expect_ok "denoise reads its BMP back" "(37x29" \
    "$clae" denoise "$a/m.safetensors" "$a/odd-out.bmp" "$a/odd-out2.jpg"
  mkpng "$a/tiny.png" 3 2 2
  expect_ok "denoise 3x2 (smaller than the padding)" "(3x2, 3 channels; model run at 4x4" \
    "$clae" denoise "$a/m.safetensors" "$a/tiny.png" "$a/tiny-out.png" --device ref
  expect_ok "denoise a grey image: grey out" "(37x29, 1 channel: grey run as RGB;" \
    "$clae" denoise "$a/m.safetensors" "$a/grey.png" "$a/x.png"
  expect_ok "denoise an RGBA image: RGBA out" "(37x29, 4 channels: RGB, alpha kept;" \
    "$clae" denoise "$a/m.safetensors" "$a/rgba.png" "$a/x.png"
fi
head -c 100 /dev/urandom >"$a/junk.png"
expect_fail "denoise unreadable image" "junk.png: not a readable image" \
  "$clae" denoise "$a/m.safetensors" "$a/junk.png" "$a/x.png"
expect_fail "denoise missing image" "missing.png: No such file" \
  "$clae" denoise "$a/m.safetensors" "$a/missing.png" "$a/x.png"
expect_fail "denoise unknown output type" "x.gif: unknown image type" \
  "$clae" denoise "$a/m.safetensors" "$a/show.png" "$a/x.gif"
expect_fail "denoise missing OUT" "missing OUT" "$clae" denoise "$a/m.safetensors" "$a/show.png"
expect_fail "denoise missing checkpoint" "nope.safetensors" \
  "$clae" denoise "$a/nope.safetensors" "$a/show.png" "$a/x.png"
expect_fail "denoise --blurred without --blur" "needs --blur" \
  "$clae" denoise "$a/m.safetensors" "$a/show.png" "$a/x.png" --blurred "$a/y.png"

# ---- plot ----
cat >"$a/h.jsonl" <<'EOF'
{"epoch": 1, "train_loss": 0.0629, "val_loss": 0.0619, "val_psnr": 12.08, "images_per_s": 117.7, "seconds": 8.15, "steps": 2}
{"epoch": 2, "train_loss": 0.0410, "val_loss": 0.0402, "val_psnr": 13.96, "images_per_s": 120.2, "seconds": 8.01, "steps": 4}
{"epoch": 3, "train_loss": 0.0300, "val_loss": 0.0311, "val_psnr": 15.07, "images_per_s": 119.0, "seconds": 8.08, "steps": 6}
EOF
expect_ok "plot a 3-epoch history" "wrote .*plot.png (800x500): 3 epochs" \
  "$clae" plot "$a/h.jsonl" "$a/plot.png"
check_size "plot PNG size" "$a/plot.png" 800x500
printf '{"epoch": 1, "train_loss": 0.06}\n{"epoch": 2, "train_loss": \n' >"$a/bad.jsonl"
expect_fail "plot bad JSON line" "bad.jsonl:2: not a JSON object" "$clae" plot "$a/bad.jsonl" "$a/x.png"
printf '{"epoch": 1, "val_loss": 0.06}\n' >"$a/nokey.jsonl"
expect_fail "plot missing train_loss" "nokey.jsonl:1: missing number 'train_loss'" \
  "$clae" plot "$a/nokey.jsonl" "$a/x.png"
expect_fail "plot missing history" "nope.jsonl: No such file" "$clae" plot "$a/nope.jsonl" "$a/x.png"
# Histories that once hung the plot forever: refused at once (timeout: a hang fails).
printf '{"epoch":1,"train_loss":1e308}\n{"epoch":2,"train_loss":-1e308}\n' >"$a/huge.jsonl"
expect_fail "plot huge losses" "huge.jsonl:1: 'train_loss' is not a number within" \
  timeout 20 "$clae" plot "$a/huge.jsonl" "$a/x.png"
printf '{"epoch":1e17,"train_loss":0.1}\n' >"$a/far.jsonl"
expect_fail "plot far epoch" "far.jsonl:1: 'epoch' is not a whole number" \
  timeout 20 "$clae" plot "$a/far.jsonl" "$a/x.png"
printf '{"epoch":1,"train_loss":0.1} trailing\n' >"$a/trail.jsonl"
expect_fail "plot text after the object" "trail.jsonl:1: text after the JSON object" \
  "$clae" plot "$a/trail.jsonl" "$a/x.png"
expect_fail "plot missing OUT" "missing OUT.png" "$clae" plot "$a/h.jsonl"
