# shellcheck shell=bash
# CLI checks for 'clae sample' and 'clae interpolate' on a tiny variational
# autoencoder (tests/models/vae-tiny.cfg) trained for one epoch on random data
# (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok, pass, fail).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
v=$tmp/vae
mkdir -p "$v/cifar"
# A tiny random dataset in the official layout: 5 x 8 train records, 8 test records.
for i in 1 2 3 4 5; do head -c $((8 * 3073)) /dev/urandom >"$v/cifar/data_batch_$i.bin"; done
head -c $((8 * 3073)) /dev/urandom >"$v/cifar/test_batch.bin"
"$clae" init configs/denoiser.cfg "$v/plain.safetensors" >/dev/null

vae_py=0
command -v python3 >/dev/null 2>&1 && vae_py=1
# vae_size NAME FILE WxH: the PNG header's width and height
vae_size() {
  local got
  if [ "$vae_py" -eq 1 ]; then
    got=$(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); assert d[:8]==b'\x89PNG\r\n\x1a\n'; print('%dx%d' % struct.unpack('>II', d[16:24]))" "$2" 2>/dev/null)
  else
    got=$(file "$2" | sed -n 's/.*PNG image data, \([0-9]*\) x \([0-9]*\),.*/\1x\2/p')
  fi
  if [ "$got" = "$3" ]; then
    echo "ok   $1: $2 is $got"; pass=$((pass + 1))
  else
    echo "FAIL $1: $2 is '$got', expected $3"; fail=$((fail + 1))
  fi
}
# vae_tiles "A:X,Y,SCALE B:X,Y,SCALE ...": prints "same" when every pair of 32x32
# tiles (FILE at X,Y enlarged xSCALE) differs by at most 1 in every byte (python3)
vae_tiles() {
  python3 - "$@" <<'EOF'
import struct, sys, zlib
def read_png(path):
    d = open(path, 'rb').read()
    i, idat = 8, b''
    while i < len(d):
        n, t = struct.unpack('>I4s', d[i:i + 8])
        body = d[i + 8:i + 8 + n]
        i += 12 + n
        if t == b'IHDR':
            w, h, _, ct = struct.unpack('>IIBB', body[:10])
        elif t == b'IDAT':
            idat += body
    ch = {0: 1, 2: 3, 4: 2, 6: 4}[ct]
    raw, s, rows, prev, p = zlib.decompress(idat), w * ch, [], bytearray(w * ch), 0
    for _ in range(h):
        f, line = raw[p], bytearray(raw[p + 1:p + 1 + s])
        p += 1 + s
        for x in range(s):
            a, b = line[x - ch] if x >= ch else 0, prev[x]
            c = prev[x - ch] if x >= ch else 0
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            pred = [0, a, b, (a + b) // 2, a if pa <= pb and pa <= pc else (b if pb <= pc else c)][f]
            line[x] = (line[x] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return ch, rows
cache = {}
def tile(spec):
    path, xys = spec.rsplit(':', 1)
    x, y, k = map(int, xys.split(','))
    ch, rows = cache.setdefault(path, read_png(path))
    return [rows[y + k * py][(x + k * px) * ch + c] for py in range(32) for px in range(32) for c in range(3)]
for pair in sys.argv[1:]:
    a, b = pair.split('=')
    diff = max(abs(p - q) for p, q in zip(tile(a), tile(b)))
    if diff > 1:
        sys.exit('%s and %s differ by %d' % (a, b, diff))
print('same')
EOF
}

expect_ok "vae: train 1 epoch on ref" "^checkpoint: .*last.safetensors" \
  "$clae" train tests/models/vae-tiny.cfg --data "$v/cifar" --device ref --limit 40 --quiet \
  --out "$v/run"
ck=$v/run/last.safetensors

# ---- sample ----
# 10 images in 8 columns of 64x64 tiles 4 apart: (4 + 8 * 68) x (4 + 2 * 68)
expect_ok "sample 10 on ref (batch 4: three passes)" "wrote .*s10.png (548x140): 10 samples" \
  "$clae" sample "$ck" 10 "$v/s10.png" --device ref
vae_size "sample PNG size" "$v/s10.png" 548x140
expect_ok "sample 3 --cols 1 --seed 7" "wrote .*s3.png (72x208): 3 samples .* seed 7" \
  "$clae" sample "$ck" 3 "$v/s3.png" --cols 1 --seed 7 --device ref
vae_size "sample one column" "$v/s3.png" 72x208
expect_ok "sample --cols past N" "(208x72)" "$clae" sample "$ck" 3 "$v/s3w.png" --cols 50 --device ref
expect_ok "sample 1024 on the default device" "(548x8708): 1024 samples" \
  "$clae" sample "$ck" 1024 "$v/s1024.png"
vae_size "sample 1024 size" "$v/s1024.png" 548x8708
if [ "$vae_py" -eq 1 ]; then
  # the first images of a seed do not depend on N; the device decodes as the reference does
  expect_ok "sample: the same seed starts the same" "same" vae_tiles \
    "$v/s3w.png:4,4,2=$v/s10.png:4,4,2" "$v/s3w.png:140,4,2=$v/s10.png:140,4,2" \
    "$v/s10.png:72,72,2=$v/s1024.png:72,72,2"
  if vae_tiles "$v/s3w.png:4,4,2=$v/s3.png:4,4,2" >/dev/null 2>&1; then
    echo "FAIL sample: --seed 7 drew the same first image as seed 1"; fail=$((fail + 1))
  else
    echo "ok   sample: --seed changes the codes"; pass=$((pass + 1))
  fi
fi
expect_fail "sample a checkpoint without [sampling]" \
  "^clae sample: .*plain.safetensors has no \[sampling\] layer: sample needs a variational autoencoder$" \
  "$clae" sample "$v/plain.safetensors" 4 "$v/x.png" --device ref
expect_fail "sample N 0" "bad value '0' for N" "$clae" sample "$ck" 0 "$v/x.png"
expect_fail "sample N 1025" "clae sample: N 1025: at most 1024 images" "$clae" sample "$ck" 1025 "$v/x.png"
expect_fail "sample N not a number" "bad value 'x' for N" "$clae" sample "$ck" x "$v/x.png"
expect_fail "sample missing OUT" "missing OUT.png" "$clae" sample "$ck" 4
expect_fail "sample missing N" "missing N" "$clae" sample "$ck"
expect_fail "sample bad --seed" "--seed needs a non-negative integer, got '-1'" \
  "$clae" sample "$ck" 4 "$v/x.png" --seed -1
expect_fail "sample bad --cols" "bad value '0' for --cols" "$clae" sample "$ck" 4 "$v/x.png" --cols 0
expect_fail "sample extra argument" "unexpected argument 'y'" "$clae" sample "$ck" 4 "$v/x.png" y
expect_fail "sample missing checkpoint" "nope.safetensors" \
  "$clae" sample "$v/nope.safetensors" 4 "$v/x.png" --device ref
expect_fail "sample unknown image type" "unknown image type" \
  "$clae" sample "$ck" 4 "$v/x.tiff" --device ref
if [ -e "$v/x.png" ]; then
  echo "FAIL sample: a failed run left $v/x.png"; fail=$((fail + 1))
fi

# ---- interpolate ----
# A, 10 decodes, B: 12 tiles of 64x64 in one row
expect_ok "interpolate 2 to 5 on ref" "wrote .*i.png (820x72): test image 2, 10 decodes" \
  "$clae" interpolate "$ck" 2 5 "$v/i.png" --data "$v/cifar" --device ref
vae_size "interpolate PNG size" "$v/i.png" 820x72
expect_ok "interpolate --steps 2 on the default device" "(276x72)" \
  "$clae" interpolate "$ck" 2 5 "$v/i2.png" --data "$v/cifar" --steps 2
expect_ok "interpolate --steps 64" "(4492x72)" \
  "$clae" interpolate "$ck" 7 0 "$v/i64.png" --data "$v/cifar" --steps 64 --device ref
if [ "$vae_py" -eq 1 ]; then
  # the ends: the images themselves, and their decodes at t = 0 and t = 1 are the
  # model's output at inference (z = mu), what show's restored row holds
  "$clae" show "$ck" "$v/show2.png" --data "$v/cifar" --n 1 --offset 2 --device ref >/dev/null
  "$clae" show "$ck" "$v/show5.png" --data "$v/cifar" --n 1 --offset 5 --device ref >/dev/null
  expect_ok "interpolate: ends are the images and their reconstructions" "same" vae_tiles \
    "$v/i.png:4,4,2=$v/show2.png:116,4,4" "$v/i.png:752,4,2=$v/show5.png:116,4,4" \
    "$v/i.png:72,4,2=$v/show2.png:116,268,4" "$v/i.png:684,4,2=$v/show5.png:116,268,4" \
    "$v/i2.png:72,4,2=$v/i.png:72,4,2" "$v/i2.png:140,4,2=$v/i.png:684,4,2"
fi
expect_fail "interpolate a checkpoint without [sampling]" \
  "^clae interpolate: .*plain.safetensors has no \[sampling\] layer: interpolate needs a variational autoencoder$" \
  "$clae" interpolate "$v/plain.safetensors" 0 1 "$v/x.png" --data "$v/cifar" --device ref
rc=0
"$clae" interpolate "$ck" 0 8 "$v/x.png" --data "$v/cifar" --device ref >/dev/null 2>"$tmp/err" || rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
  grep -q "clae interpolate: B = 8: the test set in .* has images 0 to 7$" "$tmp/err"; then
  echo "ok   interpolate index past the test set: exit 2, $(cat "$tmp/err")"; pass=$((pass + 1))
else
  echo "FAIL interpolate index past the test set: rc=$rc"; cat "$tmp/err"; fail=$((fail + 1))
fi
expect_fail "interpolate index not a number" "bad value 'x' for A" \
  "$clae" interpolate "$ck" x 2 "$v/x.png" --data "$v/cifar"
expect_fail "interpolate --steps 1" "bad value '1' for --steps: expected an integer >= 2" \
  "$clae" interpolate "$ck" 0 1 "$v/x.png" --steps 1
expect_fail "interpolate --steps 65" "clae interpolate: --steps 65: at most 64" \
  "$clae" interpolate "$ck" 0 1 "$v/x.png" --steps 65
expect_fail "interpolate missing B" "missing B" "$clae" interpolate "$ck" 0
expect_fail "interpolate missing OUT" "missing OUT.png" "$clae" interpolate "$ck" 0 1
expect_fail "interpolate missing data" "no/such/dir" \
  "$clae" interpolate "$ck" 0 1 "$v/x.png" --data no/such/dir --device ref
expect_fail "interpolate unknown option" "unknown option '--frob'" \
  "$clae" interpolate "$ck" 0 1 "$v/x.png" --frob
