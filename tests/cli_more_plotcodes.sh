# shellcheck shell=bash
# CLI checks for 'clae plot-codes' on freshly initialised checkpoints (a sparse autoencoder
# with a 16 x 8 x 8 layer named code, a tiny dense one with a 2-value code, the denoiser)
# and a random CIFAR-style test split of 10 classes with their names: the PNG's size, a
# colour for every class, the PCA line, the 2-value code drawn as it is, and the errors'
# one line and exit code (sourced by tests/cli.sh: uses $clae, $tmp, expect_ok, pass, fail).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
pc=$tmp/plotcodes
mkdir -p "$pc/cifar"
# 30 test records, labels 0..9 in turn, random pixels; a train split for the data checks
for i in $(seq 0 29); do
  printf "\\$(printf '%03o' $((i % 10)))"; head -c 3072 /dev/urandom
done >"$pc/cifar/test_batch.bin"
for i in 1 2 3 4 5; do head -c 3073 "$pc/cifar/test_batch.bin" >"$pc/cifar/data_batch_$i.bin"; done
printf 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n' \
  >"$pc/cifar/batches.meta.txt"
"$clae" init configs/sparse-ae.cfg "$pc/sparse.safetensors" >/dev/null
"$clae" init configs/denoiser.cfg "$pc/denoiser.safetensors" >/dev/null
cat >"$pc/two.cfg" <<'CFG'
[net]
input = 32,32,3
batch = 8
loss = mse
[train]
corrupt = none
[flatten]
[dense]
name = code
units = 2
activation = linear
[dense]
name = one
units = 1
[dense]
units = 3072
activation = sigmoid
[reshape]
target_shape = 32,32,3
CFG
"$clae" init "$pc/two.cfg" "$pc/two.safetensors" >/dev/null
sp=$pc/sparse.safetensors

# pc_fail RC NAME PATTERN CMD...: exit code RC exactly, one stderr line matching PATTERN, no OUT
pc_fail() {
  local want=$1 name=$2 pat=$3; shift 3
  local rc=0
  rm -f "$pc/x.png"
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [ "$rc" -eq "$want" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$pat" "$tmp/err" &&
    [ ! -e "$pc/x.png" ]; then
    echo "ok   $name: exit $rc, $(cat "$tmp/err")"; pass=$((pass + 1))
  else
    echo "FAIL $name: rc=$rc (want $want), stderr:"; cat "$tmp/err"; fail=$((fail + 1))
  fi
}
# pc_check NAME WANT GOT: GOT is WANT
pc_check() {
  if [ "$3" = "$2" ]; then
    echo "ok   $1: $2"; pass=$((pass + 1))
  else
    echo "FAIL $1: '$3', expected '$2'"; fail=$((fail + 1))
  fi
}
# png_size FILE: "W H" from the PNG's header
png_size() {
  local b
  b=$(od -An -tu1 -j16 -N8 "$1" 2>/dev/null) || return
  set -- $b
  [ $# -eq 8 ] && echo "$(($1 << 24 | $2 << 16 | $3 << 8 | $4)) $(($5 << 24 | $6 << 16 | $7 << 8 | $8))"
}
# png_colours FILE: "DOTS / LEGEND", the classes whose tab10 colour the axes' box has and those
# the legend right of it has (all but grey, class 7; python3's zlib decodes the PNG)
png_colours() {
  python3 - "$1" <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat, w = 8, b'', 0
while pos < len(d):
    n, kind = struct.unpack('>I4s', d[pos:pos + 8])
    body = d[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        assert depth == 8 and ctype == 2, 'an 8-bit RGB PNG'
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw, bpp, stride = zlib.decompress(idat), 3, 3 * w
prev, rows, at = bytearray(stride), [], 0
for y in range(h):  # undo the PNG row filters
    f, line = raw[at], bytearray(raw[at + 1:at + 1 + stride]); at += 1 + stride
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); prev = line
tab10 = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
         (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
def seen(x0, x1, y0, y1):  # tab10's colours there but grey (anti-aliased text makes it too)
    got = set(tuple(r[i:i + 3]) for r in rows[y0:y1] for i in range(3 * x0, 3 * x1, 3))
    return ' '.join(str(k) for k, c in enumerate(tab10) if k != 7 and c in got)
print('%s / %s' % (seen(93, 730, 57, 570), seen(740, w, 0, h)))
PY
}

# ---- PCA of a wide layer ----
expect_ok "plot-codes: PCA of the layer named code" \
  "^wrote .*/sp.png (900x640): 30 test images, layer 3 'code' (maxpool, 16 x 8 x 8 = 1024 values) by PCA: PC1 [0-9.]*%, PC2 [0-9.]*% of the variance" \
  "$clae" plot-codes "$sp" "$pc/sp.png" --data "$pc/cifar"
pc_check "plot-codes: the PNG's size" "900 640" "$(png_size "$pc/sp.png")"
fracs=$(sed -n 's/.*PC1 \([0-9.]*\)%, PC2 \([0-9.]*\)%.*/\1 \2/p' "$tmp/out")
pc_check "plot-codes: PC1 holds at least PC2's share, together at most all" yes \
  "$(echo "$fracs" | awk '{ print ($1 >= $2 && $2 > 0 && $1 + $2 <= 100.001) ? "yes" : "no: " $0 }')"
if command -v python3 >/dev/null 2>&1; then
  pc_check "plot-codes: dots and legend of each class's colour" "0 1 2 3 4 5 6 8 9 / 0 1 2 3 4 5 6 8 9" \
    "$(png_colours "$pc/sp.png")"
  "$clae" plot-codes "$sp" "$pc/sp3.png" --data "$pc/cifar" --limit 3 >/dev/null 2>&1
  pc_check "plot-codes --limit 3: the three classes' colours only" "0 1 2 / 0 1 2" \
    "$(png_colours "$pc/sp3.png")"
fi
expect_ok "plot-codes --layer 0 on ref, 4 batches" \
  "^wrote .*: 30 test images, layer 0 (conv2d, 8 x 32 x 32 = 8192 values) by PCA" \
  "$clae" plot-codes "$sp" "$pc/sp0.png" --layer 0 --data "$pc/cifar" --device ref --batch 8
expect_ok "plot-codes a denoiser's layer 3 (blurred inputs), .PNG" "layer 3 (maxpool" \
  "$clae" plot-codes "$pc/denoiser.safetensors" "$pc/dn.PNG" --layer 3 --data "$pc/cifar"
# ---- a 2-value code: drawn as it is ----
expect_ok "plot-codes: a 2-value code drawn as it is" \
  "^wrote .*/two.png (900x640): 30 test images, layer 1 'code' (dense, 2 values), drawn as they are$" \
  "$clae" plot-codes "$pc/two.safetensors" "$pc/two.png" --data "$pc/cifar"
expect_ok "plot-codes --dims 2" "drawn as they are" \
  "$clae" plot-codes "$pc/two.safetensors" "$pc/two2.png" --dims 2 --data "$pc/cifar"
pc_check "plot-codes --dims 2: the same figure" same \
  "$(cmp -s "$pc/two.png" "$pc/two2.png" && echo same || echo differs)"
expect_ok "plot-codes --method pca on a 2-value code" "by PCA: PC1 .* (100.00% together" \
  "$clae" plot-codes "$pc/two.safetensors" "$pc/two-pca.png" --method pca --data "$pc/cifar"

# ---- errors ----
pc_fail 2 "plot-codes --dims 2 on a wide layer" \
  "^clae plot-codes: --dims 2: layer 3 (maxpool) of .*sparse.safetensors gives 1024 values an image (16 x 8 x 8), not 2: leave out --dims to project them by PCA$" \
  "$clae" plot-codes "$sp" "$pc/x.png" --dims 2 --data "$pc/cifar"
pc_fail 2 "plot-codes a 1-value layer" "^clae plot-codes: layer 2 (dense) of .* gives 1 value an image: nothing to draw in 2-D" \
  "$clae" plot-codes "$pc/two.safetensors" "$pc/x.png" --layer one --data "$pc/cifar"
pc_fail 2 "plot-codes --method tsne" \
  "^clae plot-codes: --method tsne: not available: no maintained C library of t-SNE" \
  "$clae" plot-codes "$sp" "$pc/x.png" --method tsne
pc_fail 2 "plot-codes --method umap" "^clae plot-codes: --method 'umap': expected pca" \
  "$clae" plot-codes "$sp" "$pc/x.png" --method umap
pc_fail 2 "plot-codes --dims 3" "^clae plot-codes: --dims '3': expected 2" \
  "$clae" plot-codes "$sp" "$pc/x.png" --dims 3
pc_fail 2 "plot-codes --dims 2 with --method" "leave out --method" \
  "$clae" plot-codes "$pc/two.safetensors" "$pc/x.png" --dims 2 --method pca
pc_fail 2 "plot-codes OUT not .png" \
  "^clae plot-codes: OUT '.*x.jpg' must be a file name ending in .png$" \
  "$clae" plot-codes "$sp" "$pc/x.jpg" --data "$pc/cifar"
pc_fail 2 "plot-codes OUT only .png" "must be a file name ending in .png" \
  "$clae" plot-codes "$sp" "$pc/.png"
pc_fail 2 "plot-codes OUT in a missing folder" "^clae plot-codes: .*no/such/x.png" \
  "$clae" plot-codes "$sp" "$pc/no/such/x.png"
pc_fail 1 "plot-codes missing checkpoint" "nope.safetensors" \
  "$clae" plot-codes "$pc/nope.safetensors" "$pc/x.png" --data "$pc/cifar"
pc_fail 2 "plot-codes missing OUT" "^clae plot-codes: missing OUT.png" "$clae" plot-codes "$sp"
pc_fail 2 "plot-codes unknown layer" "^clae plot-codes: --layer foo: .* has no layer of that name" \
  "$clae" plot-codes "$sp" "$pc/x.png" --layer foo --data "$pc/cifar"
pc_fail 2 "plot-codes without a code or --layer" \
  "^clae plot-codes: .*denoiser.safetensors has no layer named code and no \[sampling\] layer" \
  "$clae" plot-codes "$pc/denoiser.safetensors" "$pc/x.png" --data "$pc/cifar"
pc_fail 2 "plot-codes --limit 0" "bad value '0' for --limit" "$clae" plot-codes "$sp" "$pc/x.png" --limit 0
pc_fail 1 "plot-codes missing data" "no/such/dir" \
  "$clae" plot-codes "$sp" "$pc/x.png" --data no/such/dir --device ref
