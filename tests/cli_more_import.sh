# shellcheck shell=bash
# CLI checks for 'clae data import' of your own images, of any size, and
# training on them end to end (sourced by tests/cli.sh: uses $clae, $tmp,
# expect_fail, expect_ok, pass, fail).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
im=$tmp/import

# pnm FILE W H SEED [CHANNELS]: a binary PPM (3 channels, default) or PGM (1)
# of W x H smooth gradients, different for every SEED (no tools beyond awk)
pnm() {
  mkdir -p "$(dirname "$1")"
  LC_ALL=C awk -v w="$2" -v h="$3" -v s="$4" -v ch="${5:-3}" 'BEGIN {
    printf "P%d\n%d %d\n255\n", (ch == 1 ? 5 : 6), w, h
    for (y = 0; y < h; y++) for (x = 0; x < w; x++) for (c = 0; c < ch; c++)
      printf "%c", int(128 + 100 * sin((x + 2 * s) / (5 + c) + (y + s) / (7 + s % 5)))
  }' >"$1"
}
# out_has NAME PATTERN: the last expect_ok's stdout holds a line matching PATTERN
out_has() {
  if grep -q -- "$2" "$tmp/out"; then
    echo "ok   $1"; pass=$((pass + 1))
  else
    echo "FAIL $1: no line matching '$2' in:"; cat "$tmp/out"; fail=$((fail + 1))
  fi
}

# ---- a folder of 64x48 images (64 wide, 48 high), two classes -------------
for k in 0 1 2 3 4 5 6 7; do
  pnm "$im/src/train/waves/$k.ppm" 64 48 "$k"
  pnm "$im/src/train/ripples/$k.ppm" 64 48 $((k + 20))
done
pnm "$im/src/test/waves/0.ppm" 64 48 40
pnm "$im/src/test/waves/1.ppm" 64 48 41
pnm "$im/src/test/ripples/0.ppm" 64 48 42
pnm "$im/src/test/ripples/1.ppm" 64 48 43
echo "taken on a sunny day" >"$im/src/train/waves/notes.txt"
echo "CC-BY" >"$im/src/train/LICENSE"
touch "$im/src/test/ripples/.DS_Store" # hidden: ignored, not counted

expect_ok "import 64x48 images" \
  "imported 16 train + 4 test images of 48x64x3 (HxWxC), 2 classes, into $im/data (train.safetensors, test.safetensors" \
  "$clae" data import "$im/src" "$im/data" --threads 2
out_has "import counts the non-image files it skipped" \
  "^skipped 2 non-image files (the first: $im/src/train/LICENSE)"
out_has "import says which input to train with" "input = 48,64,3 and \[train\] data = $im/data"
expect_ok "data info of the import" \
  "^train 16 records of 48x64x3 images (HxWxC, clae layout); per label: 0:8 1:8" \
  "$clae" data info "$im/data"
if [ -s "$im/data/batches.meta.txt" ] && [ "$(cat "$im/data/batches.meta.txt")" = "$(printf 'ripples\nwaves')" ] &&
   [ ! -e "$im/data/data_batch_1.bin" ]; then
  echo "ok   import: class names in batches.meta.txt, no CIFAR-10 files"; pass=$((pass + 1))
else
  echo "FAIL import: files in $im/data:"; ls -la "$im/data"; fail=$((fail + 1))
fi

# ---- train on them end to end: 16 images, 12 to train (batch 8: 2 steps), 4 to validate
sed -e 's/^input = 32,32,3.*/input = 48,64,3/' -e 's/^batch = .*/batch = 8/' \
  configs/denoiser.cfg >"$im/in48x64.cfg"
expect_ok "train on 48x64x3 images" "epoch 1/1 .*img/s" \
  "$clae" train "$im/in48x64.cfg" --data "$im/data" --epochs 1 --out "$im/run"
out_has "train on 48x64x3 images: 12 + 4 images, 2 steps" \
  ": 12 train / 4 validation images, batch 8, 2 steps per epoch"
out_has "train on 48x64x3 images: then the test set" "^test MSE [0-9.]* (4 images)"
expect_ok "eval on 48x64x3 images" "test images: 4 of 48x64x3 ($im/data)" \
  "$clae" eval "$im/run/last.safetensors" --data "$im/data" --device ref
out_has "eval on 48x64x3 images: the model's row" "^model .*[0-9]"
expect_ok "show 48x64x3 images" "wrote $im/show.png (380x304)" \
  "$clae" show "$im/run/last.safetensors" "$im/show.png" --data "$im/data" --n 2 --device ref
expect_ok "score 48x64x3 images" "wrote" \
  "$clae" score "$im/run/last.safetensors" "$im/scores.csv" --data "$im/data" --device ref
expect_ok "encode 48x64x3 images" "wrote $im/codes.npy: 4 x 16 x 12 x 16 float32" \
  "$clae" encode "$im/run/last.safetensors" "$im/codes.npy" --layer 3 --data "$im/data" --device ref
sed 's/^\[train\]/[train]\naugment = recipe/' "$im/in48x64.cfg" >"$im/aug.cfg"
expect_ok "train on 48x64x3 images with the augmentation recipe" \
  "augmented 16 training images with 5 more" \
  "$clae" train "$im/aug.cfg" --data "$im/data" --epochs 1 --out "$im/run-aug" --device ref
# a model of another input size: one line naming the folder and both shapes
"$clae" init configs/denoiser.cfg "$im/m32.safetensors" >/dev/null
expect_fail "train a 32x32 config on 48x64 images" \
  "$im/data: the training images are 48x64x3 (HxWxC), the model's input is 32,32,3" \
  "$clae" train configs/denoiser.cfg --data "$im/data" --device ref --out "$im/run32"
expect_fail "eval a 32x32 model on 48x64 images" \
  "$im/data: the test images are 48x64x3 (HxWxC), the model's input is 32,32,3" \
  "$clae" eval "$im/m32.safetensors" --data "$im/data" --device ref

# ---- mixed sizes, a grey image: --size and --channels -----------------------
pnm "$im/mixed/train/a/0.ppm" 64 48 1   # decides the size without --size
pnm "$im/mixed/train/a/1.ppm" 128 96 2  # same aspect, twice the size
pnm "$im/mixed/train/a/2.ppm" 100 40 3  # wide: its sides are cut
pnm "$im/mixed/train/b/0.ppm" 30 60 4   # tall, small: top and bottom cut, enlarged
pnm "$im/mixed/train/b/1.pgm" 64 48 5 1 # grey
pnm "$im/mixed/test/b/0.ppm" 64 48 6
expect_fail "import mixed sizes without --size" \
  "$im/mixed/train/b/0.ppm: image is 60x30 (HxW), the first image $im/mixed/train/a/0.ppm is 48x64: --size H,W" \
  "$clae" data import "$im/mixed" "$im/mixed-data"
expect_fail "import a grey image without --channels" \
  "$im/mixed/train/b/1.pgm: image has 1 channel, expected 3 (--channels 3 converts" \
  "$clae" data import "$im/mixed" "$im/mixed-data" --size 48,64
if [ ! -e "$im/mixed-data" ]; then
  echo "ok   a failed import leaves no output folder"; pass=$((pass + 1))
else
  echo "FAIL a failed import left $im/mixed-data"; fail=$((fail + 1))
fi
expect_ok "import mixed sizes with --size 48,64 --channels 3" \
  "imported 5 train + 1 test image of 48x64x3 (HxWxC), 2 classes" \
  "$clae" data import "$im/mixed" "$im/mixed-data" --size 48,64 --channels 3
expect_ok "train on the mixed import" "epoch 1/1" \
  "$clae" train "$im/in48x64.cfg" --data "$im/mixed-data" --epochs 1 --out "$im/run-mixed" --device ref
expect_ok "import as 32x32 grey: clae's layout" "of 32x32x1 (HxWxC).*train.safetensors" \
  "$clae" data import "$im/mixed" "$im/grey-data" --size 32 --channels 1
expect_ok "import as 32x32 RGB: CIFAR-10's layout" "of 32x32x3 (HxWxC).*CIFAR-10 binary layout" \
  "$clae" data import "$im/mixed" "$im/rgb-data" --size 32,32 --channels 3
expect_ok "a 32x32 import trains with the stock config" "epoch 1/1" \
  "$clae" train configs/denoiser.cfg --data "$im/rgb-data" --epochs 1 --out "$im/run-rgb" --device ref
printf '\211PNG\r\n\032\n and then nothing' >"$im/mixed/train/a/3.png" # a broken image file
expect_fail "import a broken image file" "$im/mixed/train/a/3.png: cannot decode: " \
  "$clae" data import "$im/mixed" "$im/mixed-data2" --size 48,64 --channels 3

# ---- bad options ------------------------------------------------------------
expect_fail "import bad --size" "clae data import: --size '0,5': expected H,W (or one side), each from 1 to 16384" \
  "$clae" data import "$im/src" "$im/x" --size 0,5
expect_fail "import bad --size text" "--size '48x64': expected H,W" \
  "$clae" data import "$im/src" "$im/x" --size 48x64
expect_fail "import bad --channels" "--channels '4': expected 1 (grey) or 3 (RGB)" \
  "$clae" data import "$im/src" "$im/x" --channels 4
expect_fail "import --size needs a value" "--size needs a value" \
  "$clae" data import "$im/src" "$im/x" --size
