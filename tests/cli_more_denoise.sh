# shellcheck shell=bash
# CLI checks for 'clae denoise' on images of any channel layout and its
# --corrupt demonstration, and for the validation PSNR of 'clae plot' (sourced by tests/cli.sh: uses $clae, $tmp,
# expect_fail, expect_ok, pass, fail). Pixels are read from PNG files with
# python3's standard library; without python3 only the commands' lines are
# checked.
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
dn=$tmp/denoise
mkdir -p "$dn"
dn_py=0
command -v python3 >/dev/null 2>&1 && dn_py=1

# Three untrained models (the config is what matters here): the RGB blur
# denoiser, a noise model (sigma 0.2) and a grey (1-channel) one.
"$clae" init configs/denoiser.cfg "$dn/rgb.safetensors" >/dev/null
sed -e 's/^corrupt *=.*/corrupt = noise/' -e 's/^\[train\]/[train]\nnoise_sigma = 0.2/' \
  configs/denoiser.cfg >"$dn/noise.cfg"
"$clae" init "$dn/noise.cfg" "$dn/noise.safetensors" >/dev/null
sed -e 's/^input = 32,32,3/input = 32,32,1/' -e 's/^filters = 3$/filters = 1/' \
  configs/denoiser.cfg >"$dn/grey.cfg"
"$clae" init "$dn/grey.cfg" "$dn/grey.safetensors" >/dev/null

# dn_png FILE W H CHANNELS: a PNG of 1 (grey), 2 (grey + alpha), 3 (RGB) or
# 4 (RGBA) channels: a colour gradient, the alpha a pattern with 0 and 255
dn_png() {
  python3 - "$@" <<'PY'
import struct, sys, zlib
path, w, h, ch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ct = {1: 0, 2: 4, 3: 2, 4: 6}[ch]
def px(x, y):
    col = [(x * 7 + y * 13) % 256, (x * 3 + 100) % 256, (y * 11 + 50) % 256][:1 if ch < 3 else 3]
    if ch in (2, 4):
        col.append(0 if (x + y) % 5 == 0 else 255 if (x + y) % 5 == 1 else (x * 37 + y * 17) % 256)
    return bytes(col)
raw = b"".join(b"\x00" + b"".join(px(x, y) for x in range(w)) for y in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, ct, 0, 0, 0))
                       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
}
# dn_cmp WHAT A [B]: one line about 8-bit PNGs A and B:
#   layout A            "channels N"
#   alpha A B           "alpha same" or "alpha differs N"
#   colours A B         "colours same" or "colours differ N" (alpha left out)
#   grey-equal A        "rgb equal" when every pixel of A has R = G = B
#   luma A B            "luma ok" when A's first channel is B's BT.601 luma (+-1)
#   teal A              "teal N": pixels of clae plot's PSNR colour (0,128,128)
dn_cmp() {
  python3 - "$@" <<'PY'
import struct, sys, zlib
def load(p):
    d = open(p, "rb").read()
    assert d[:8] == b"\x89PNG\r\n\x1a\n", p
    i, idat = 8, b""
    while i < len(d):
        n, t = struct.unpack(">I4s", d[i:i + 8])
        body = d[i + 8:i + 8 + n]
        if t == b"IHDR":
            w, h, depth, ct = struct.unpack(">IIBB", body[:10])
        elif t == b"IDAT":
            idat += body
        i += 12 + n
    assert depth == 8, depth
    ch = {0: 1, 4: 2, 2: 3, 6: 4}[ct]
    raw, stride, rows, prev = zlib.decompress(idat), w * ch, [], bytearray(w * ch)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - ch] if x >= ch else 0
            b, c = prev[x], prev[x - ch] if x >= ch else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, ch, [[tuple(r[x * ch:(x + 1) * ch]) for x in range(w)] for r in rows]
what, a = sys.argv[1], load(sys.argv[2])
b = load(sys.argv[3]) if len(sys.argv) > 3 else None
pix = lambda im: [p for row in im[3] for p in row]
if what == "layout":
    print("channels %d" % a[2])
elif what == "alpha":
    assert a[2] in (2, 4) and b[2] == a[2], (a[2], b[2])
    n = sum(p[-1] != q[-1] for p, q in zip(pix(a), pix(b)))
    print("alpha same" if n == 0 else "alpha differs %d" % n)
elif what == "colours":
    k = 1 if a[2] < 3 else 3
    n = sum(p[:k] != q[:k] for p, q in zip(pix(a), pix(b)))
    print("colours same" if n == 0 else "colours differ %d" % n)
elif what == "grey-equal":
    print("rgb equal" if all(p[0] == p[1] == p[2] for p in pix(a)) else "rgb differ")
elif what == "luma":
    bad = sum(abs(p[0] - (0.299 * q[0] + 0.587 * q[1] + 0.114 * q[2])) > 1 for p, q in zip(pix(a), pix(b)))
    print("luma ok" if bad == 0 else "luma off at %d pixels" % bad)
elif what == "teal":
    print("teal %d" % sum(p[:3] == (0, 128, 128) for p in pix(a)))
PY
}
dn_check() { # NAME WANT-PATTERN CMP-ARGS...
  local name=$1 want=$2 got; shift 2
  [ "$dn_py" -eq 1 ] || return 0
  got=$(dn_cmp "$@" 2>&1 | tail -n 1)
  if [[ "$got" =~ $want ]]; then
    echo "ok   $name: $got"; pass=$((pass + 1))
  else
    echo "FAIL $name: '$got', expected /$want/"; fail=$((fail + 1))
  fi
}
# dn_rc NAME RC CMD...: the command exits with exactly RC and one stderr line
dn_rc() {
  local name=$1 want=$2 rc lines; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ]; then
    echo "ok   $name: exit $rc: $(cat "$tmp/err")"; pass=$((pass + 1))
  else
    echo "FAIL $name: exit $rc (want $want), $lines stderr lines:"; cat "$tmp/err"; fail=$((fail + 1))
  fi
}

if [ "$dn_py" -eq 1 ]; then
  for c in 1 2 3 4; do dn_png "$dn/in$c.png" 37 29 "$c"; done

  # ---- channel layouts ----
  expect_ok "denoise RGBA in, RGBA out" "(37x29, 4 channels: RGB, alpha kept; model run at 40x32" \
    "$clae" denoise "$dn/rgb.safetensors" "$dn/in4.png" "$dn/out4.png" --device ref
  dn_check "denoise RGBA: 4 channels out" "^channels 4$" layout "$dn/out4.png"
  dn_check "denoise RGBA: alpha byte-identical" "^alpha same$" alpha "$dn/in4.png" "$dn/out4.png"
  expect_ok "denoise grey in, RGB model" "(37x29, 1 channel: grey run as RGB; model run at" \
    "$clae" denoise "$dn/rgb.safetensors" "$dn/in1.png" "$dn/out1.png" --device ref
  dn_check "denoise grey in, grey out" "^channels 1$" layout "$dn/out1.png"
  expect_ok "denoise grey + alpha in, RGB model" "(37x29, 2 channels: grey run as RGB, alpha kept;" \
    "$clae" denoise "$dn/rgb.safetensors" "$dn/in2.png" "$dn/out2.png" --device ref
  dn_check "denoise grey + alpha: 2 channels out" "^channels 2$" layout "$dn/out2.png"
  dn_check "denoise grey + alpha: alpha byte-identical" "^alpha same$" alpha "$dn/in2.png" "$dn/out2.png"
  expect_ok "denoise RGB in, grey model" "(37x29, 3 channels: RGB run as grey (BT.601 luma); model" \
    "$clae" denoise "$dn/grey.safetensors" "$dn/in3.png" "$dn/out3g.png" --device ref \
    --corrupt none --corrupted "$dn/in3g.png"
  dn_check "denoise RGB through a grey model: RGB out" "^channels 3$" layout "$dn/out3g.png"
  dn_check "denoise RGB through a grey model: R = G = B" "^rgb equal$" grey-equal "$dn/out3g.png"
  dn_check "denoise: the grey model's input is the BT.601 luma" "^luma ok$" \
    luma "$dn/in3g.png" "$dn/in3.png"
  expect_ok "denoise RGBA in, grey model" "(37x29, 4 channels: RGB run as grey (BT.601 luma), alpha kept" \
    "$clae" denoise "$dn/grey.safetensors" "$dn/in4.png" "$dn/out4g.png" --device ref \
    --corrupt saltpepper:0.2 --corrupted "$dn/cin4g.png"
  dn_check "denoise RGBA through a grey model, salt and pepper: R = G = B" "^rgb equal$" \
    grey-equal "$dn/cin4g.png"
  dn_check "denoise RGBA through a grey model, salt and pepper: alpha untouched" "^alpha same$" \
    alpha "$dn/in4.png" "$dn/cin4g.png"
  dn_check "denoise RGBA through a grey model: alpha byte-identical" "^alpha same$" \
    alpha "$dn/in4.png" "$dn/out4g.png"
  expect_ok "denoise grey in, grey model" "(37x29, 1 channel; model run at" \
    "$clae" denoise "$dn/grey.safetensors" "$dn/in1.png" "$dn/out1g.png" --device ref
  expect_ok "denoise RGBA to JPEG: alpha dropped, said so" "alpha dropped (JPEG has none)" \
    "$clae" denoise "$dn/rgb.safetensors" "$dn/in4.png" "$dn/out4.jpg" --device ref
  expect_ok "denoise grey + alpha to BMP: alpha dropped, said so" "alpha dropped (a BMP keeps only" \
    "$clae" denoise "$dn/rgb.safetensors" "$dn/in2.png" "$dn/out2.bmp" --device ref
  expect_ok "denoise RGBA to BMP: alpha kept" "alpha kept" \
    "$clae" denoise "$dn/rgb.safetensors" "$dn/in4.png" "$dn/out4.bmp" --device ref
  expect_ok "denoise reads its RGBA BMP back" "(37x29, 4 channels" \
    "$clae" denoise "$dn/rgb.safetensors" "$dn/out4.bmp" "$dn/out4b.png" --device ref
  dn_check "denoise RGBA BMP round trip: alpha byte-identical" "^alpha same$" \
    alpha "$dn/in4.png" "$dn/out4b.png"

  # ---- --corrupt: each kind, seeded, the model's own settings ----
  for k in blur noise saltpepper mask; do
    expect_ok "denoise --corrupt $k" "^corrupted .*in3.png: $k" \
      "$clae" denoise "$dn/rgb.safetensors" "$dn/in3.png" "$dn/c-$k.png" --device ref \
      --corrupt "$k" --corrupted "$dn/cin-$k.png"
    dn_check "denoise --corrupt $k: the corrupted input differs from IN" "^colours differ [1-9]" \
      colours "$dn/in3.png" "$dn/cin-$k.png"
  done
  expect_ok "denoise --corrupt none: no corruption" "^wrote .*cin-none.png (the corrupted input)" \
    "$clae" denoise "$dn/rgb.safetensors" "$dn/in3.png" "$dn/c-none.png" --device ref \
    --corrupt none --corrupted "$dn/cin-none.png"
  dn_check "denoise --corrupt none: the 'corrupted' input is IN" "^colours same$" \
    colours "$dn/in3.png" "$dn/cin-none.png"
  expect_ok "denoise --corrupt mask on RGBA" "mask (2 rectangles, sides 4 to 6)" \
    "$clae" denoise "$dn/rgb.safetensors" "$dn/in4.png" "$dn/c-mask4.png" --device ref \
    --corrupt mask:2,4,6 --corrupted "$dn/cin-mask4.png"
  dn_check "denoise --corrupt mask: alpha of the corrupted input untouched" "^alpha same$" \
    alpha "$dn/in4.png" "$dn/cin-mask4.png"
  dn_check "denoise --corrupt mask: alpha of OUT untouched" "^alpha same$" \
    alpha "$dn/in4.png" "$dn/c-mask4.png"
  # the same seed, the same corruption; another seed, another
  for s in 7 7b 8; do
    "$clae" denoise "$dn/rgb.safetensors" "$dn/in3.png" "$dn/s.png" --device ref \
      --corrupt saltpepper:0.3 --seed "${s%b}" --corrupted "$dn/seed-$s.png" >/dev/null
  done
  dn_check "denoise --seed 7 twice: the same corruption" "^colours same$" \
    colours "$dn/seed-7.png" "$dn/seed-7b.png"
  dn_check "denoise --seed 7 and 8: different corruptions" "^colours differ [1-9]" \
    colours "$dn/seed-7.png" "$dn/seed-8.png"
fi

# the model's own corruption and settings (no python3 needed)
dn_img=$dn/in3.png
if [ "$dn_py" -eq 0 ]; then # without python3: an image clae itself writes
  printf '{"epoch": 1, "train_loss": 0.1}\n' >"$dn/h.jsonl"
  "$clae" plot "$dn/h.jsonl" "$dn_img" >/dev/null
fi
expect_ok "denoise --corrupt model: a noise model's own noise" \
  "^corrupted .*: noise (sigma 0.2), seed 42$" \
  "$clae" denoise "$dn/noise.safetensors" "$dn_img" "$dn/n.png" --device ref --corrupt model
expect_ok "denoise --corrupt noise: the model's sigma" "^corrupted .*: noise (sigma 0.2), seed 5$" \
  "$clae" denoise "$dn/noise.safetensors" "$dn_img" "$dn/n.png" --device ref --corrupt noise --seed 5
expect_ok "denoise --corrupt noise:0.05: a sigma of one's own" "^corrupted .*: noise (sigma 0.05)" \
  "$clae" denoise "$dn/noise.safetensors" "$dn_img" "$dn/n.png" --device ref --corrupt noise:0.05
expect_ok "denoise --corrupt model: the blur model's blur" "^corrupted .*: blur (size 5, sigma 1.1)$" \
  "$clae" denoise "$dn/rgb.safetensors" "$dn_img" "$dn/n.png" --device ref --corrupt model
expect_ok "denoise --blur on a noise model: blur, as before" "^corrupted .*: blur (size 5" \
  "$clae" denoise "$dn/noise.safetensors" "$dn_img" "$dn/n.png" --device ref --blur
expect_ok "denoise --blurred is --corrupted" "^wrote .*nb.png (the corrupted input)" \
  "$clae" denoise "$dn/noise.safetensors" "$dn_img" "$dn/n.png" --device ref --corrupt model \
  --blurred "$dn/nb.png"
sed 's/^corrupt *=.*/corrupt = none/' configs/denoiser.cfg >"$dn/plain.cfg"
"$clae" init "$dn/plain.cfg" "$dn/plain.safetensors" >/dev/null
expect_ok "denoise --corrupt model of a model trained without corruption" \
  "^note: .*plain.safetensors was trained on uncorrupted inputs (corrupt = none)" \
  "$clae" denoise "$dn/plain.safetensors" "$dn_img" "$dn/n.png" --device ref --corrupt model
expect_ok "denoise without --corrupt: no corruption line" "^wrote .*n.png (" \
  "$clae" denoise "$dn/noise.safetensors" "$dn_img" "$dn/n.png" --device ref
if grep -q "^corrupted" "$tmp/out"; then
  echo "FAIL denoise without --corrupt corrupted:"; cat "$tmp/out"; fail=$((fail + 1))
else
  echo "ok   denoise without --corrupt: IN as it is"; pass=$((pass + 1))
fi

# ---- errors ----
dn_rc "denoise --corrupt frob: bad usage" 2 \
  "$clae" denoise "$dn/rgb.safetensors" "$dn_img" "$dn/x.png" --corrupt frob
expect_fail "denoise --corrupt frob: says what it takes" "expected blur, noise, saltpepper, mask or none" \
  "$clae" denoise "$dn/rgb.safetensors" "$dn_img" "$dn/x.png" --corrupt frob
dn_rc "denoise --corrupt noise:x" 2 \
  "$clae" denoise "$dn/rgb.safetensors" "$dn_img" "$dn/x.png" --corrupt noise:x
dn_rc "denoise --corrupt blur:4 (even size)" 2 \
  "$clae" denoise "$dn/rgb.safetensors" "$dn_img" "$dn/x.png" --corrupt blur:4
dn_rc "denoise --corrupt with no value" 2 \
  "$clae" denoise "$dn/rgb.safetensors" "$dn_img" "$dn/x.png" --corrupt
dn_rc "denoise --blur and --corrupt noise" 2 \
  "$clae" denoise "$dn/rgb.safetensors" "$dn_img" "$dn/x.png" --blur --corrupt noise
dn_rc "denoise --corrupted without a corruption" 2 \
  "$clae" denoise "$dn/rgb.safetensors" "$dn_img" "$dn/x.png" --corrupted "$dn/y.png"
dn_rc "denoise bad --seed" 2 \
  "$clae" denoise "$dn/rgb.safetensors" "$dn_img" "$dn/x.png" --corrupt noise --seed -3
head -c 100 /dev/urandom >"$dn/junk.png"
dn_rc "denoise an unreadable image" 1 \
  "$clae" denoise "$dn/rgb.safetensors" "$dn/junk.png" "$dn/x.png" --corrupt model
expect_fail "denoise an unreadable image: names it" "junk.png: not a readable image" \
  "$clae" denoise "$dn/rgb.safetensors" "$dn/junk.png" "$dn/x.png"
dn_rc "denoise a missing image" 1 \
  "$clae" denoise "$dn/rgb.safetensors" "$dn/missing.png" "$dn/x.png"

# ---- plot: validation PSNR on a right-hand axis ----
cat >"$dn/psnr.jsonl" <<'EOF'
{"epoch": 1, "train_loss": 0.0629, "val_loss": 0.0619, "val_psnr": 12.08, "steps": 2}
{"epoch": 2, "train_loss": 0.0410, "val_loss": 0.0402, "val_psnr": -1, "steps": 4}
{"epoch": 3, "train_loss": 0.0300, "val_loss": 0.0311, "val_psnr": 15.07, "steps": 6}
{"epoch": 4, "train_loss": 0.0250, "val_loss": 0.0270, "val_psnr": 15.90, "steps": 8}
EOF
expect_ok "plot a history with val_psnr" "wrote .*psnr.png (800x500): 4 epochs" \
  "$clae" plot "$dn/psnr.jsonl" "$dn/psnr.png"
dn_check "plot draws the validation PSNR" "^teal [1-9][0-9][0-9]+$" teal "$dn/psnr.png"
sed 's/"val_psnr": [-0-9.]*/"val_psnr": -1/' "$dn/psnr.jsonl" >"$dn/nopsnr.jsonl"
expect_ok "plot a history without a measured PSNR" "wrote .*nopsnr.png (800x500): 4 epochs" \
  "$clae" plot "$dn/nopsnr.jsonl" "$dn/nopsnr.png"
dn_check "plot: no PSNR axis when no epoch has one" "^teal 0$" teal "$dn/nopsnr.png"
printf '{"epoch": 1, "train_loss": 0.1, "val_psnr": "high"}\n' >"$dn/badpsnr.jsonl"
expect_fail "plot a val_psnr that is not a number" "badpsnr.jsonl:1: 'val_psnr' is not a number" \
  "$clae" plot "$dn/badpsnr.jsonl" "$dn/x.png"
