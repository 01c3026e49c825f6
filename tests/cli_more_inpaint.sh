# shellcheck shell=bash
# CLI checks for 'clae inpaint' (sourced by tests/cli.sh: uses $clae, $tmp,
# expect_fail, expect_ok, pass, fail). Pixels are compared in BMP files (24-bit,
# uncompressed), which python3 reads without modules; without python3 only
# the commands' lines are checked.
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
ip=$tmp/inpaint
mkdir -p "$ip"
"$clae" init configs/inpaint.cfg "$ip/m.safetensors" >/dev/null
ip_py=0
command -v python3 >/dev/null 2>&1 && ip_py=1
# ip_bmp OUT W H [mask|black]: a W x H test image (a gradient), a mask image
# with the rectangle 4,5,6,3 white on black, or all black
ip_bmp() {
  python3 - "$@" <<'PY'
import struct, sys
out, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
mode = sys.argv[4] if len(sys.argv) > 4 else ''
mask = mode != ''
row = (w * 3 + 3) & ~3
px = bytearray()
for y in reversed(range(h)):
    line = bytearray()
    for x in range(w):
        if mask:
            v = 255 if mode == 'mask' and 4 <= x < 10 and 5 <= y < 8 else 0
            line += bytes([v, v, v])
        else:
            line += bytes([(7 * x) % 256, (11 * y) % 256, (3 * x + 5 * y) % 256])
    px += line + bytes(row - len(line))
head = struct.pack('<2sIHHI', b'BM', 54 + len(px), 0, 0, 54)
info = struct.pack('<IiiHHIIiiII', 40, w, h, 1, 24, 0, len(px), 2835, 2835, 0, 0)
open(out, 'wb').write(head + info + px)
PY
}
# ip_cmp A B X,Y,W,H: "inside N outside M": how many pixels of the rectangle
# differ between the two BMPs, and how many outside it
ip_cmp() {
  python3 - "$@" <<'PY'
import struct, sys
def load(p):
    d = open(p, 'rb').read()
    off, w, h, bpp = struct.unpack('<I', d[10:14])[0], *struct.unpack('<iiHH', d[18:30])[:2], struct.unpack('<H', d[28:30])[0]
    ch = bpp // 8
    row = (w * ch + 3) & ~3
    return w, abs(h), [[tuple(d[off + (abs(h) - 1 - y) * row + x * ch:off + (abs(h) - 1 - y) * row + x * ch + 3]) for x in range(w)] for y in range(abs(h))]
wa, ha, a = load(sys.argv[1])
wb, hb, b = load(sys.argv[2])
x0, y0, rw, rh = map(int, sys.argv[3].split(','))
if (wa, ha) != (wb, hb):
    sys.exit('sizes %dx%d and %dx%d' % (wa, ha, wb, hb))
inside = outside = 0
for y in range(ha):
    for x in range(wa):
        if a[y][x] != b[y][x]:
            if x0 <= x < x0 + rw and y0 <= y < y0 + rh:
                inside += 1
            else:
                outside += 1
print('inside %d outside %d' % (inside, outside))
PY
}
ip_check() { # NAME WANT-PATTERN CMP-ARGS...
  local name=$1 want=$2 got; shift 2
  [ "$ip_py" -eq 1 ] || return 0
  got=$(ip_cmp "$@" 2>&1 | tail -n 1)
  if [[ "$got" =~ $want ]]; then
    echo "ok   $name: $got"; pass=$((pass + 1))
  else
    echo "FAIL $name: '$got', expected /$want/"; fail=$((fail + 1))
  fi
}

if [ "$ip_py" -eq 1 ]; then
  ip_bmp "$ip/in.bmp" 37 29
  ip_bmp "$ip/mask.bmp" 37 29 mask
  ip_bmp "$ip/mask-small.bmp" 20 29 mask
  ip_bmp "$ip/black.bmp" 37 29 black
  expect_ok "inpaint a 37x29 image, one rectangle" \
    "^wrote .*out.bmp (37x29; 18 pixels filled, 1.7%; model run at 40x32" \
    "$clae" inpaint "$ip/m.safetensors" "$ip/in.bmp" "$ip/out.bmp" --mask 4,5,6,3 \
    --masked "$ip/masked.bmp"
  ip_check "inpaint: IN's pixels outside the hole" "^inside [0-9]+ outside 0$" \
    "$ip/in.bmp" "$ip/out.bmp" 4,5,6,3
  ip_check "inpaint --masked: the hole is black, the rest IN" "^inside 18 outside 0$" \
    "$ip/in.bmp" "$ip/masked.bmp" 4,5,6,3
  expect_ok "inpaint --mask-png: the same hole" "18 pixels filled" \
    "$clae" inpaint "$ip/m.safetensors" "$ip/in.bmp" "$ip/out-png.bmp" --mask-png "$ip/mask.bmp" \
    --device ref
  ip_check "inpaint: a mask image and its rectangle agree (device vs ref)" \
    "^inside [0-9]+ outside 0$" "$ip/out.bmp" "$ip/out-png.bmp" 4,5,6,3
  expect_ok "inpaint --raw" "18 pixels filled" \
    "$clae" inpaint "$ip/m.safetensors" "$ip/in.bmp" "$ip/raw.bmp" --mask 4,5,6,3 --raw
  ip_check "inpaint --raw: the model's output everywhere" "^inside [0-9]+ outside [1-9][0-9]*$" \
    "$ip/in.bmp" "$ip/raw.bmp" 4,5,6,3
  expect_ok "inpaint: rectangles clipped to the image" "36 pixels filled" \
    "$clae" inpaint "$ip/m.safetensors" "$ip/in.bmp" "$ip/clip.bmp" --mask 31,23,100,100
  expect_fail "inpaint: a rectangle outside the image" "the --mask rectangles are all outside" \
    "$clae" inpaint "$ip/m.safetensors" "$ip/in.bmp" "$ip/x.bmp" --mask 40,0,5,5
  expect_fail "inpaint: a mask image of another size" "the mask is 20x29, the image 37x29" \
    "$clae" inpaint "$ip/m.safetensors" "$ip/in.bmp" "$ip/x.bmp" --mask-png "$ip/mask-small.bmp"
  expect_fail "inpaint: a mask image without a hole" "no pixel brighter than 127" \
    "$clae" inpaint "$ip/m.safetensors" "$ip/in.bmp" "$ip/x.bmp" --mask-png "$ip/black.bmp"
fi
expect_fail "inpaint: no holes given" "one of the two" \
  "$clae" inpaint "$ip/m.safetensors" in.png out.png
expect_fail "inpaint: both kinds of holes" "one of the two" \
  "$clae" inpaint "$ip/m.safetensors" in.png out.png --mask 1,1,2,2 --mask-png m.png
expect_fail "inpaint: bad --mask" "bad --mask '1,2,3'" \
  "$clae" inpaint "$ip/m.safetensors" in.png out.png --mask 1,2,3
expect_fail "inpaint: a zero-width --mask" "bad --mask '1,2,0,3'" \
  "$clae" inpaint "$ip/m.safetensors" in.png out.png --mask 1,2,0,3
expect_fail "inpaint: OUT of an unknown type" "unknown image type" \
  "$clae" inpaint "$ip/m.safetensors" in.png out.tiff --mask 1,1,2,2
expect_fail "inpaint: missing OUT" "missing OUT" "$clae" inpaint "$ip/m.safetensors" in.png
expect_fail "inpaint: a missing image" "no-such.png" \
  "$clae" inpaint "$ip/m.safetensors" "$ip/no-such.png" "$ip/x.png" --mask 1,1,2,2

# Grey, RGBA and GIF input: converted to the model's RGB and back to the file's layout, as
# denoise does (the PNG's colour type: 0 grey, 6 RGBA); the holes filled, the rest kept.
if [ "$ip_py" -eq 1 ]; then
  python3 - "$ip" <<'PY'
import struct, sys, zlib
d = sys.argv[1]
def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
for name, ct, ch in (("grey", 0, 1), ("rgba", 6, 4)):
    raw = b"".join(b"\x00" + bytes((x * 9 + y * 5 + k * 40) % 256 for x in range(12) for k in range(ch))
                   for y in range(10))
    open(f"{d}/{name}.png", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 12, 10, 8, ct, 0, 0, 0))
                                        + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
# a 1x1 GIF (stb_image reads GIFs as RGBA)
open(f"{d}/one.gif", "wb").write(b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00"
                                 b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
PY
  for lay in "grey.png:grey run as RGB:0" "rgba.png:RGB, alpha kept:6" "one.gif:RGB, alpha kept:6"; do
    f=${lay%%:*} rest=${lay#*:}
    expect_ok "inpaint $f: converted" "${rest%:*}; 1 pixel filled" \
      "$clae" inpaint "$ip/m.safetensors" "$ip/$f" "$ip/out-$f.png" --mask 0,0,1,1 --device ref
    if [ "$(od -An -tu1 -j25 -N1 "$ip/out-$f.png" 2>/dev/null | tr -d ' ')" = "${rest##*:}" ]; then
      echo "ok   inpaint $f: OUT in IN's layout"; pass=$((pass + 1))
    else
      echo "FAIL inpaint $f: OUT's PNG colour type is not ${rest##*:}"; fail=$((fail + 1))
    fi
  done
fi
