# shellcheck shell=bash
# CLI checks for 'clae compress', 'clae decompress' and 'clae rate-distortion' on freshly
# initialised configs/compress-8x8x4.cfg checkpoints and random CIFAR data: a round trip,
# the rate-distortion CSV (16 bits next to the unquantised code, JPEG's rows, the figure),
# and every refusal in one line with its exit code: another model's file, a truncated or
# foreign file, bad --bits, a missing or unreadable image, an image of another size
# (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok, pass, fail).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
z=$tmp/compress
mkdir -p "$z/cifar"
for i in 1 2 3 4 5; do head -c $((8 * 3073)) /dev/urandom >"$z/cifar/data_batch_$i.bin"; done
head -c $((8 * 3073)) /dev/urandom >"$z/cifar/test_batch.bin"
"$clae" init configs/compress-8x8x4.cfg "$z/a.safetensors" >/dev/null
"$clae" init configs/compress-8x8x4.cfg "$z/b.safetensors" --seed 7 >/dev/null

# cz_fail RC NAME PATTERN CMD...: exit code RC exactly, one stderr line matching PATTERN
cz_fail() {
  local want=$1 name=$2 pat=$3; shift 3
  local rc=0
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [ "$rc" -eq "$want" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$pat" "$tmp/err"; then
    echo "ok   $name: exit $rc, $(cat "$tmp/err")"; pass=$((pass + 1))
  else
    echo "FAIL $name: rc=$rc (want $want), stderr:"; cat "$tmp/err"; fail=$((fail + 1))
  fi
}

# cz_png OUT W H C: a PNG of random pixels (python3's zlib; no imaging library needed)
cz_png() {
  python3 - "$@" <<'EOF'
import random, struct, sys, zlib
out, w, h, c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
random.seed(w * h * c)
px = bytes(random.randrange(256) for _ in range(w * h * c))
raw = b''.join(b'\0' + px[y * w * c:(y + 1) * w * c] for y in range(h))
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
hdr = struct.pack('>IIBBBBB', w, h, 8, {1: 0, 2: 4, 3: 2, 4: 6}[c], 0, 0, 0)
open(out, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', hdr) + chunk(b'IDAT', zlib.compress(raw))
                      + chunk(b'IEND', b''))
EOF
}

if command -v python3 >/dev/null 2>&1; then
  cz_png "$z/in.png" 32 32 3
  cz_png "$z/grey.png" 32 32 1
  cz_png "$z/small.png" 16 16 3
  expect_ok "compress writes a .clz" "wrote .*a.clz: [0-9]* bytes, .* bits per pixel .*at 6 bits" \
    "$clae" compress "$z/a.safetensors" "$z/in.png" "$z/a.clz" --bits 6
  expect_ok "decompress writes the image" "wrote .*back.png (32x32, 3 channels) .* at 6 bits" \
    "$clae" decompress "$z/a.safetensors" "$z/a.clz" "$z/back.png"
  expect_ok "compress: a grey image goes in as R = G = B" "wrote" \
    "$clae" compress "$z/a.safetensors" "$z/grey.png" "$z/grey.clz"
  # the same image again: the same bytes; the file of the device decodes on the reference
  # path too (the code's float rounding may differ in the last bits between the two paths)
  "$clae" compress "$z/a.safetensors" "$z/in.png" "$z/again.clz" --bits 6 >/dev/null
  if cmp -s "$z/a.clz" "$z/again.clz"; then
    echo "ok   compress: the same image, the same file"; pass=$((pass + 1))
  else
    echo "FAIL compress: the same image gave another file"; fail=$((fail + 1))
  fi
  expect_ok "decompress on the reference path" "wrote" \
    "$clae" decompress "$z/a.safetensors" "$z/a.clz" "$z/back-ref.png" --device ref
  cz_fail 1 "decompress: another checkpoint" "a.clz: made with another model" \
    "$clae" decompress "$z/b.safetensors" "$z/a.clz" "$z/x.png"
  head -c 40 "$z/a.clz" >"$z/trunc.clz"
  cz_fail 1 "decompress: a truncated payload" "trunc.clz: truncated payload" \
    "$clae" decompress "$z/a.safetensors" "$z/trunc.clz" "$z/x.png"
  head -c 20 "$z/a.clz" >"$z/short.clz"
  cz_fail 1 "decompress: a truncated header" "short.clz: truncated: 20 bytes" \
    "$clae" decompress "$z/a.safetensors" "$z/short.clz" "$z/x.png"
  { head -c 4 "$z/a.clz"; printf '\x11'; tail -c +6 "$z/a.clz"; } >"$z/bits.clz"
  cz_fail 1 "decompress: bits out of range in the file" "bits.clz: bits 17 out of range" \
    "$clae" decompress "$z/a.safetensors" "$z/bits.clz" "$z/x.png"
  cz_fail 1 "compress: an image of another size" "small.png: a 16x16 image; the model compresses 32x32" \
    "$clae" compress "$z/a.safetensors" "$z/small.png" "$z/small.clz"
  if [ ! -e "$z/small.clz" ] && [ ! -e "$z/x.png" ]; then
    echo "ok   compress/decompress: nothing written on an error"; pass=$((pass + 1))
  else
    echo "FAIL compress/decompress: an output was left after an error"; fail=$((fail + 1))
  fi
else
  echo "ok   compress: python3 missing, the image round trips are left out"; pass=$((pass + 1))
fi
cz_fail 1 "decompress: not a .clz file" "denoiser.cfg: wrong magic" \
  "$clae" decompress "$z/a.safetensors" configs/denoiser.cfg "$z/x.png"
cz_fail 1 "compress: a missing image" "no-such.png: No such file" \
  "$clae" compress "$z/a.safetensors" "$z/no-such.png" "$z/x.clz"
cz_fail 1 "compress: an unreadable image" "denoiser.cfg: " \
  "$clae" compress "$z/a.safetensors" configs/denoiser.cfg "$z/x.clz"
cz_fail 1 "decompress: a missing file" "no-such.clz: No such file" \
  "$clae" decompress "$z/a.safetensors" "$z/no-such.clz" "$z/x.png"
cz_fail 2 "compress: --bits 0" "--bits needs a whole number from 1 to 16, not '0'" \
  "$clae" compress "$z/a.safetensors" "$z/in.png" "$z/x.clz" --bits 0
cz_fail 2 "compress: --bits 17" "--bits needs a whole number from 1 to 16, not '17'" \
  "$clae" compress "$z/a.safetensors" "$z/in.png" "$z/x.clz" --bits 17
cz_fail 2 "compress: no such layer" "--layer nope: .* has no layer of that name" \
  "$clae" compress "$z/a.safetensors" "$z/in.png" "$z/x.clz" --layer nope
cz_fail 2 "compress: the output layer is no code" "layer 7 is the model's output" \
  "$clae" compress "$z/a.safetensors" "$z/in.png" "$z/x.clz" --layer 7
cz_fail 2 "decompress: OUT not an image name" "x.txt" \
  "$clae" decompress "$z/a.safetensors" "$z/a.clz" "$z/x.txt"
cz_fail 2 "compress: OUT's folder missing" "no-dir/x.clz" \
  "$clae" compress "$z/a.safetensors" "$z/in.png" "$z/no-dir/x.clz"

# rate-distortion: 8 random test images, in one process
rd=$z/rd.csv
expect_ok "rate-distortion writes its CSV and figure" "wrote .*rd.csv and .*rd.png" \
  "$clae" rate-distortion "$z/a.safetensors" --data "$z/cifar" --bits 4,16 --jpeg 20,90 \
  --csv "$rd" --plot "$z/rd.png"
if [ "$(head -n 1 "$rd")" = "codec,model,code,setting,images,bpp,payload_bpp,psnr,ssim" ] &&
   [ "$(grep -c '^clae,.*,8x8x4,' "$rd")" -eq 3 ] && [ "$(grep -c '^jpeg,,,q=' "$rd")" -eq 2 ] &&
   awk -F, '$4 == "bits=16" {p16 = $8} $4 == "float32" {pf = $8; bf = $6}
            $4 == "bits=4" {b4 = $6; pb4 = $7}
            END {d = p16 - pf; if (d < 0) d = -d; exit !(d < 0.01 && bf == 8 && pb4 < b4)}' "$rd"; then
  echo "ok   rate-distortion: 16 bits within 0.01 dB of the unquantised code, JPEG's rows"
  pass=$((pass + 1))
else
  echo "FAIL rate-distortion's CSV:"; cat "$rd"; fail=$((fail + 1))
fi
expect_ok "rate-distortion: the CSV on stdout" "^jpeg,,,q=50,8," \
  "$clae" rate-distortion "$z/a.safetensors" --data "$z/cifar" --bits none --jpeg 50
cz_fail 2 "rate-distortion: --bits 0" "--bits 0: needs whole numbers" \
  "$clae" rate-distortion "$z/a.safetensors" --bits 0
cz_fail 2 "rate-distortion: --jpeg 101" "--jpeg 50,101: needs whole numbers" \
  "$clae" rate-distortion "$z/a.safetensors" --jpeg 50,101
cz_fail 1 "rate-distortion: a missing checkpoint" "no-such.safetensors" \
  "$clae" rate-distortion "$z/no-such.safetensors" --data "$z/cifar"
