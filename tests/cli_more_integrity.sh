# shellcheck shell=bash
# CLI checks for what a checkpoint load refuses (sourced by tests/cli.sh: uses $clae, $tmp,
# expect_fail, expect_ok): non-finite values, a damaged file (checksum), a tensor left out of
# the header; and the atomic write's leftovers of a killed writer (issue 25: 4, 5, 11, 14).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
ig="$tmp/integrity"
mkdir -p "$ig"
"$clae" init configs/denoiser.cfg "$ig/good.safetensors" >/dev/null
expect_ok "integrity: a good checkpoint exports" "^wrote " \
  "$clae" export "$ig/good.safetensors" "$ig/e.safetensors"
if command -v python3 >/dev/null 2>&1; then
  # damage.py MODE IN OUT: a checkpoint changed as MODE says; the checksum recomputed
  # (so only the change itself is refused) unless MODE is flip or tanh
  cat >"$ig/damage.py" <<'PY'
import json, struct, sys
mode, src, dst = sys.argv[1:4]
b = bytearray(open(src, 'rb').read())
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
data = 8 + n
def crc32c(buf):
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
        t.append(c)
    c = 0xFFFFFFFF
    for x in buf:
        c = (c >> 8) ^ t[(c ^ x) & 0xFF]
    return c ^ 0xFFFFFFFF
def rewrite(h, tail):
    js = json.dumps(h, separators=(',', ':')).encode()
    js += b' ' * (-len(js) % 8)
    return struct.pack('<Q', len(js)) + js + tail
if mode in ('nan-all', 'nan-one'):
    a, e = h['layers.0.weight']['data_offsets']
    ends = [v['data_offsets'][1] for k, v in h.items() if k != '__metadata__' and 'adam' not in k]
    stop = max(ends) if mode == 'nan-all' else a + 4
    start = a + 4 * 5 if mode == 'nan-one' else 0
    stop = start + 4 if mode == 'nan-one' else stop
    for o in range(start, stop, 4):
        b[data + o:data + o + 4] = struct.pack('<f', float('nan'))
    h['__metadata__']['data_crc32c'] = '%08x' % crc32c(b[data:])
    out = rewrite(h, bytes(b[data:]))
elif mode == 'flip':  # one exponent bit of a weight
    a, _ = h['layers.0.weight']['data_offsets']
    b[data + a + 4 * 3 + 3] ^= 0x40
    out = bytes(b)
elif mode == 'tanh':  # the stored config's first relu, same length
    i = b.index(b'relu', 8)
    b[i:i + 4] = b'tanh'
    out = bytes(b)
elif mode == 'drop':  # layers.4.bias's entry gone, its bytes still there
    del h['layers.4.bias']
    out = rewrite(h, bytes(b[data:]))
elif mode == 'old':  # as clae wrote it before the checksums
    del h['__metadata__']['data_crc32c'], h['__metadata__']['config_crc32c']
    out = rewrite(h, bytes(b[data:]))
open(dst, 'wb').write(out)
PY
  for m in nan-all nan-one flip tanh drop old; do
    python3 "$ig/damage.py" "$m" "$ig/good.safetensors" "$ig/$m.safetensors"
  done
  expect_fail "integrity: all-NaN checkpoint refused by eval" \
    "^clae: $ig/nan-all.safetensors: tensor layers.0.weight holds nan at index 0 (not a finite" \
    "$clae" eval "$ig/nan-all.safetensors" --device ref --data "$tmp/cifar"
  expect_fail "integrity: one NaN weight refused by denoise" \
    "^clae: $ig/nan-one.safetensors: tensor layers.0.weight holds nan at index 5" \
    "$clae" denoise "$ig/nan-one.safetensors" docs/deblur-loss.png "$ig/out.png" --device ref
  expect_fail "integrity: NaN checkpoint refused by export" "holds nan at index 0" \
    "$clae" export "$ig/nan-all.safetensors" "$ig/e2.safetensors"
  expect_fail "integrity: NaN checkpoint refused by train --weights" \
    "nan-one.safetensors: tensor layers.0.weight holds nan" \
    "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --epochs 1 \
    --weights "$ig/nan-one.safetensors" --out "$ig/run-w"
  expect_fail "integrity: NaN checkpoint refused by train --resume" \
    "nan-one.safetensors: tensor layers.0.weight holds nan" \
    "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --epochs 1 \
    --resume "$ig/nan-one.safetensors" --out "$ig/run-r"
  expect_fail "integrity: NaN checkpoint refused by train --transfer" \
    "nan-all.safetensors: tensor layers.0.weight holds nan" \
    "$clae" train configs/denoiser.cfg --data "$tmp/cifar" --device ref --epochs 1 \
    --transfer "$ig/nan-all.safetensors" --out "$ig/run-t"
  expect_fail "integrity: a flipped bit is a checksum mismatch" \
    "^clae: $ig/flip.safetensors: checksum mismatch in the tensor data (stored [0-9a-f]*, \
computed [0-9a-f]*): the file is damaged$" \
    "$clae" export "$ig/flip.safetensors" "$ig/e3.safetensors"
  expect_fail "integrity: relu -> tanh in the stored config is a checksum mismatch" \
    "checksum mismatch in the stored config" \
    "$clae" denoise "$ig/tanh.safetensors" docs/deblur-loss.png "$ig/out.png" --device ref
  expect_fail "integrity: a tensor left out of the header is named" \
    "^clae: $ig/drop.safetensors: tensor layers.4.bias is missing$" \
    "$clae" export "$ig/drop.safetensors" "$ig/e4.safetensors"
  # a checkpoint from before the checksum: loads, with one note
  "$clae" export "$ig/old.safetensors" "$ig/e5.safetensors" >/dev/null 2>"$ig/err"
  if [ "$(wc -l <"$ig/err")" -eq 1 ] && grep -q "note: no checksum stored" "$ig/err"; then
    echo "ok   integrity: an older checkpoint loads with a note"; pass=$((pass + 1))
  else
    echo "FAIL integrity: an older checkpoint:"; cat "$ig/err"; fail=$((fail + 1))
  fi
fi
# the checkpoints in models/ carry their checksums: they load without a word
for m in models/*.safetensors; do
  if "$clae" export "$m" "$ig/m.safetensors" >/dev/null 2>"$ig/err" && [ ! -s "$ig/err" ]; then
    echo "ok   integrity: $m loads without a note"; pass=$((pass + 1))
  else
    echo "FAIL integrity: $m:"; cat "$ig/err"; fail=$((fail + 1))
  fi
done
# export killed mid-write leaves OUT.tmp.PID.XXXXXX; the next export to OUT removes it
CLAE_FAULT_SLOW_WRITE_MS=3000 "$clae" export "$ig/good.safetensors" "$ig/k.safetensors" \
  >/dev/null 2>&1 &
kpid=$!
for _ in $(seq 1 50); do
  compgen -G "$ig/k.safetensors.tmp.$kpid.*" >/dev/null && break
  sleep 0.1
done
kill -9 "$kpid" 2>/dev/null
wait "$kpid" 2>/dev/null
left=$(compgen -G "$ig/k.safetensors.tmp.$kpid.*" | wc -l)
"$clae" export "$ig/good.safetensors" "$ig/k.safetensors" >/dev/null 2>&1
if [ "$left" -eq 1 ] && ! compgen -G "$ig/k.safetensors.tmp.*" >/dev/null &&
  [ -s "$ig/k.safetensors" ]; then
  echo "ok   integrity: a killed export's temp file is removed by the next export"
  pass=$((pass + 1))
else
  echo "FAIL integrity: killed export left $left temp files; after the next: $(ls "$ig" | grep tmp)"
  fail=$((fail + 1))
fi
