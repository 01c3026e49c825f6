# shellcheck shell=bash
# CLI checks for what a user's file may be and cost (sourced by tests/cli.sh: uses $clae, $tmp,
# expect_fail, expect_ok, pass, fail): a FIFO, device or folder where a config, checkpoint,
# image, dataset file or history is read is refused in one line, never waited on (each command
# runs under `timeout -k 5 10`, so a hang fails the check instead of hanging the suite); an
# unreadable image header gets its real reason; 16-bit samples a note; an image too large for
# the model's memory a refusal before it is allocated.
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
fs=$tmp/files
mkdir -p "$fs/data"
"$clae" init configs/denoiser.cfg "$fs/ckpt.safetensors" >/dev/null
mkfifo "$fs/fifo.cfg" "$fs/fifo.safetensors" "$fs/fifo.png" "$fs/fifo.jsonl" \
  "$fs/data/data_batch_1.bin" "$fs/data/test_batch.bin"
printf '\x89PNG\r\n\x1a\n' >"$fs/tiny.png"

# (a config may be a pipe, the shell's <(...): a named one nobody writes to reads as empty)
expect_fail "FIFO as a config (summary)" "fifo.cfg" timeout -k 5 10 "$clae" summary "$fs/fifo.cfg"
expect_fail "FIFO as a config (init)" "fifo.cfg" \
  timeout -k 5 10 "$clae" init "$fs/fifo.cfg" "$fs/x.safetensors"
expect_fail "device as a config" "/dev/null: cannot read: is not a regular file" \
  timeout -k 5 10 "$clae" summary /dev/null
expect_fail "FIFO as a checkpoint (eval)" "fifo.safetensors: is not a regular file" \
  timeout -k 5 10 "$clae" eval "$fs/fifo.safetensors" --data "$fs/data"
expect_fail "FIFO as a checkpoint (denoise)" "fifo.safetensors: is not a regular file" \
  timeout -k 5 10 "$clae" denoise "$fs/fifo.safetensors" "$fs/tiny.png" "$fs/o.png"
expect_fail "FIFO as an image (denoise)" "fifo.png: is not a regular file" \
  timeout -k 5 10 "$clae" denoise "$fs/ckpt.safetensors" "$fs/fifo.png" "$fs/o.png" --device ref
expect_fail "FIFO as an image (inpaint)" "fifo.png: is not a regular file" \
  timeout -k 5 10 "$clae" inpaint "$fs/ckpt.safetensors" "$fs/fifo.png" "$fs/o.png" --mask 0,0,4,4 \
  --device ref
expect_fail "FIFO as a dataset file (data info)" "data_batch_1.bin: is not a regular file" \
  timeout -k 5 10 "$clae" data info "$fs/data"
rm "$fs/data/data_batch_1.bin"
expect_fail "FIFO as the test batch (eval)" "test_batch.bin: is not a regular file" \
  timeout -k 5 10 "$clae" eval "$fs/ckpt.safetensors" --data "$fs/data" --device ref
expect_fail "FIFO as a history (plot)" "fifo.jsonl: is not a regular file" \
  timeout -k 5 10 "$clae" plot "$fs/fifo.jsonl" "$fs/p.png"
mkdir -p "$fs/dir.png"
expect_fail "a folder as the image" "dir.png: is a directory" \
  timeout -k 5 10 "$clae" denoise "$fs/ckpt.safetensors" "$fs/dir.png" "$fs/o.png" --device ref

# Crafted headers: the real reason, not stb_image's "unknown image type".
if command -v python3 >/dev/null 2>&1; then
  python3 - "$fs" <<'PY'
import struct, sys, zlib
d = sys.argv[1]
def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
def png(name, w, h, depth=8, raw=b""):
    open(f"{d}/{name}", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, 2, 0, 0, 0))
                                    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
def jpg(name, w, h):
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, h, w, 3) + b"\x01\x11\x00\x02\x11\x00\x03\x11\x00"
    open(f"{d}/{name}", "wb").write(b"\xff\xd8" + sof + b"\xff\xd9")
png("huge.png", 100000, 100000, raw=bytes(10))
png("w0.png", 0, 4)
png("h0.png", 4, 0)
jpg("h0.jpg", 4, 0)
jpg("w0.jpg", 0, 4)
png("deep.png", 4, 4, depth=16, raw=b"".join(b"\x00" + bytes(range(24)) for _ in range(4)))
PY
  for bad in "huge.png:100000x100000 image: a side over 16384 pixels" "w0.png:0x4 image: zero width" \
    "h0.png:4x0 image: zero height" "h0.jpg:not a readable image: zero height" \
    "w0.jpg:not a readable image: zero width"; do
    expect_fail "image ${bad%%:*}: the reason" "${bad%%:*}: ${bad#*:}\$" \
      timeout -k 5 10 "$clae" denoise "$fs/ckpt.safetensors" "$fs/${bad%%:*}" "$fs/o.png" --device ref
  done
  mkdir -p "$fs/imp/train/a" "$fs/imp/test/a"
  cp "$fs/w0.png" "$fs/imp/train/a/"
  cp "$fs/w0.png" "$fs/imp/test/a/"
  expect_fail "import: a crafted header's reason" "w0.png: cannot decode: 0x4 image: zero width" \
    timeout -k 5 10 "$clae" data import "$fs/imp" "$fs/imp-out"
  expect_fail "import --size: a crafted header's reason" \
    "w0.png: cannot decode: 0x4 image: zero width" \
    timeout -k 5 10 "$clae" data import "$fs/imp" "$fs/imp-out" --size 4,4
  # 16-bit samples: read as 8-bit, with one note on stderr
  if timeout -k 5 10 "$clae" denoise "$fs/ckpt.safetensors" "$fs/deep.png" "$fs/o.png" --device ref \
    >"$tmp/out" 2>"$tmp/err" && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q "^note: .*deep.png: 16-bit samples read as 8-bit$" "$tmp/err"; then
    echo "ok   a 16-bit PNG: one note"; pass=$((pass + 1))
  else
    echo "FAIL a 16-bit PNG: one note:"; cat "$tmp/out" "$tmp/err"; fail=$((fail + 1))
  fi
  # ... and data import says so once, with the count and the first one
  mkdir -p "$fs/imp16/train/a" "$fs/imp16/test/a"
  cp "$fs/deep.png" "$fs/imp16/train/a/1.png"
  cp "$fs/deep.png" "$fs/imp16/train/a/2.png"
  cp "$fs/deep.png" "$fs/imp16/test/a/1.png"
  expect_ok "import: 16-bit images get one note" \
    "^note: 3 images had 16-bit samples, reduced to 8 bits (the first: .*imp16/train/a/1.png)$" \
    timeout -k 5 10 "$clae" data import "$fs/imp16" "$fs/imp16-out"
fi


# Images too large for the model's memory in one piece run in overlapping tiles, with the
# output of the whole run; a PNG bomb (8000x8000 zeros in 186 KB) is sized before anything is
# allocated: under ulimit -v 4 GB (half of it the budget) it is refused in one line when even
# its tiles would not fit (CLAE_TILE=16384: one tile), and a 1600x1200 image whose whole run
# needs more than the budget runs in tiles (a regression fails here rather than eats the machine).
if command -v python3 >/dev/null 2>&1; then
  python3 - "$fs" <<'PY'
import struct, sys, zlib
def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
def png(path, w, h, px):
    z = zlib.compressobj(9)
    data = b"".join(z.compress(b"\x00" + px(y)) for y in range(h)) + z.flush()
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                           + chunk(b"IDAT", data) + chunk(b"IEND", b""))
d = sys.argv[1]
png(f"{d}/bomb.png", 8000, 8000, lambda y: bytes(3 * 8000))
png(f"{d}/big.png", 1600, 1200, lambda y: bytes((x * 7 + y * 3) % 256 for x in range(3 * 1600)))
for w, h in ((203, 301), (410, 250)):
    png(f"{d}/t{w}x{h}.png", w, h, lambda y: bytes(((x * 7 + y * 3) ^ (x * y)) % 256 for x in range(3 * w)))
PY
  "$clae" init configs/inpaint.cfg "$fs/inpaint.safetensors" >/dev/null
  if asan_build; then
    echo "skip the PNG bomb and the run in tiles under ulimit -v: an ASan build"
  else
    expect_fail "denoise: a PNG bomb is sized and refused" \
      "bomb.png: running .* on a 8000x8000 image, even in 8000x8000 tiles, needs [0-9]* MiB of memory; .*use a smaller image" \
      env CLAE_TILE=16384 bash -c 'ulimit -v 4000000 && exec timeout -k 5 60 "$@"' - \
      "$clae" denoise "$fs/ckpt.safetensors" "$fs/bomb.png" "$fs/o.png" --device ref
    expect_fail "inpaint: a PNG bomb is sized and refused" \
      "bomb.png: running .* on a 8000x8000 image, even in 8000x8000 tiles, needs [0-9]* MiB of memory" \
      env CLAE_TILE=16384 bash -c 'ulimit -v 4000000 && exec timeout -k 5 60 "$@"' - \
      "$clae" inpaint "$fs/inpaint.safetensors" "$fs/bomb.png" "$fs/o.png" --mask 0,0,9,9 --device ref
    expect_ok "denoise: too large for one piece, run in tiles" "^wrote .*big-out.png (1600x1200" \
      bash -c 'ulimit -v 1200000 && exec timeout -k 5 120 "$@"' - \
      "$clae" denoise "$fs/ckpt.safetensors" "$fs/big.png" "$fs/big-out.png" --device ref
    if grep -q "^note: running the model on the 1600x1200 image in [0-9]* tiles" "$tmp/out"; then
      echo "ok   the tiles are noted"; pass=$((pass + 1))
    else
      echo "FAIL no note of the tiles:"; cat "$tmp/out"; fail=$((fail + 1))
    fi
  fi
  for t in t203x301 t410x250; do # tiles keeping 24 and 100 pixels a side: the whole run's bytes
    for core in 24 100; do
      "$clae" denoise "$fs/ckpt.safetensors" "$fs/$t.png" "$fs/$t-whole.png" --device ref >/dev/null &&
        CLAE_TILE=$core "$clae" denoise "$fs/ckpt.safetensors" "$fs/$t.png" "$fs/$t-tiles.png" \
          --device ref >/dev/null &&
        "$clae" inpaint "$fs/inpaint.safetensors" "$fs/$t.png" "$fs/$t-iwhole.png" --mask 3,5,30,20 \
          --device ref >/dev/null &&
        CLAE_TILE=$core "$clae" inpaint "$fs/inpaint.safetensors" "$fs/$t.png" "$fs/$t-itiles.png" \
          --mask 3,5,30,20 --device ref >/dev/null
      if cmp -s "$fs/$t-whole.png" "$fs/$t-tiles.png" && cmp -s "$fs/$t-iwhole.png" "$fs/$t-itiles.png"; then
        echo "ok   $t in tiles of $core: the whole run's output"; pass=$((pass + 1))
      else
        echo "FAIL $t in tiles of $core: not the whole run's output"; fail=$((fail + 1))
      fi
    done
  done
fi
