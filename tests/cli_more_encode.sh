# shellcheck shell=bash
# CLI checks for 'clae encode' on freshly initialised checkpoints (a sparse
# autoencoder with a layer named code, the tiny VAE, the denoiser) and random
# CIFAR data: the .npy files' layout and shapes, the labels, the statistics
# line, device against reference, and the error paths (sourced by tests/cli.sh:
# uses $clae, $tmp, expect_fail, expect_ok, pass, fail).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
e=$tmp/encode
mkdir -p "$e/cifar"
# A tiny random dataset in the official layout: 5 x 8 train records, 8 test records.
for i in 1 2 3 4 5; do head -c $((8 * 3073)) /dev/urandom >"$e/cifar/data_batch_$i.bin"; done
head -c $((8 * 3073)) /dev/urandom >"$e/cifar/test_batch.bin"
"$clae" init configs/sparse-ae.cfg "$e/sparse.safetensors" >/dev/null
"$clae" init tests/models/vae-tiny.cfg "$e/vae.safetensors" >/dev/null
"$clae" init configs/denoiser.cfg "$e/denoiser.safetensors" >/dev/null
sp=$e/sparse.safetensors

# enc_fail RC NAME PATTERN CMD...: exit code RC exactly, one stderr line matching PATTERN
enc_fail() {
  local want=$1 name=$2 pat=$3; shift 3
  local rc=0
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [ "$rc" -eq "$want" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$pat" "$tmp/err"; then
    echo "ok   $name: exit $rc, $(cat "$tmp/err")"; pass=$((pass + 1))
  else
    echo "FAIL $name: rc=$rc (want $want), stderr:"; cat "$tmp/err"; fail=$((fail + 1))
  fi
}

if ! command -v python3 >/dev/null 2>&1; then
  echo "ok   encode: python3 missing, the .npy checks are left out"; pass=$((pass + 1))
fi
# enc_py CHECK ARGS...: prints what the check found (python3; numpy when there is one)
#   shape FILE                    "DESCR (SHAPE)" after checking the layout
#   labels FILE LIMIT DATA...     "same" when the labels are the records' first bytes
#   close A B TOL                 "close" when every value of A is within TOL of B's
#   moves A B TOL                 "moves" when some value of A is further than TOL from B's
#   stats FILE LINE               "same" when LINE's statistics are those of FILE's values
enc_py() {
  python3 - "$@" <<'EOF'
import array, ast, math, re, sys
try:
    import numpy
except ImportError:
    numpy = None
def load(path):
    d = open(path, 'rb').read()
    assert d[:8] == b'\x93NUMPY\x01\x00', 'magic and version 1.0'
    hl = d[8] | d[9] << 8
    assert (10 + hl) % 64 == 0, 'data not 64-aligned'
    head = d[10:10 + hl].decode('ascii')
    assert head.endswith('\n'), 'header does not end in a newline'
    h = ast.literal_eval(head)
    assert set(h) == {'descr', 'fortran_order', 'shape'} and h['fortran_order'] is False
    item = {'<f4': 4, '|u1': 1, '<u1': 1}[h['descr']]
    count = math.prod(h['shape'])
    assert len(d) == 10 + hl + count * item, 'data length %d, want %d' % (len(d) - 10 - hl, count * item)
    vals = array.array('f' if item == 4 else 'B', d[10 + hl:])
    if numpy is not None:  # numpy.load reads it the same
        a = numpy.load(path)
        assert a.shape == h['shape'] and a.dtype == numpy.dtype(h['descr'])
        assert list(a.ravel()) == list(vals)
    return h, vals
what, args = sys.argv[1], sys.argv[2:]
if what == 'shape':
    h, _ = load(args[0])
    print(h['descr'], h['shape'])
elif what == 'labels':
    _, got = load(args[0])
    data = b''.join(open(p, 'rb').read() for p in args[2:])
    want = [data[i * 3073] for i in range(min(int(args[1]), len(data) // 3073))]
    print('same' if list(got) == want else 'labels %s, records %s' % (list(got), want))
elif what == 'close':
    (_, a), (_, b) = load(args[0]), load(args[1])
    diff = max(abs(x - y) for x, y in zip(a, b))
    print('close' if len(a) == len(b) and diff <= float(args[2]) else 'differ by %g' % diff)
elif what == 'moves':
    (_, a), (_, b) = load(args[0]), load(args[1])
    diff = max(abs(x - y) for x, y in zip(a, b))
    print('moves' if len(a) == len(b) and diff > float(args[2]) else 'stays within %g' % diff)
elif what == 'stats':
    h, v = load(args[0])
    n, count = h['shape'][0], len(v)
    mx = max(abs(x) for x in v)
    zeros = sum(1 for x in v if abs(x) < 1e-6)
    want = [sum(v) / count, sum(abs(x) for x in v) / count, mx, 100 * zeros / count,
            100 * sum(1 for x in v if abs(x) < 0.01 * mx) / count, (count - zeros) / n, count // n]
    m = re.fullmatch(r'codes: mean (\S+), mean \|v\| (\S+), max \|v\| (\S+); exactly zero '
                     r'\(\|v\| < 1e-6\) (\S+)%; below 0\.01 x max \|v\| (\S+)%; non-zero '
                     r'\(\|v\| >= 1e-6\) per image (\S+) of (\d+)', args[1])
    assert m, 'no statistics in %r' % args[1]
    got = [float(g) for g in m.groups()]
    tols = [1e-5, 1e-5, 1e-5, 0.006, 0.006, 0.006, 0]
    bad = [(g, w) for g, w, t in zip(got, want, tols) if abs(g - w) > t + 1e-5 * abs(w)]
    print('same' if not bad else 'printed vs computed: %s' % bad)
EOF
}
# enc_check NAME WANT CHECK ARGS...: enc_py prints WANT
enc_check() {
  local name=$1 want=$2 got; shift 2
  command -v python3 >/dev/null 2>&1 || return 0
  got=$(enc_py "$@" 2>&1 | tail -n 1)
  if [ "$got" = "$want" ]; then
    echo "ok   $name: $want"; pass=$((pass + 1))
  else
    echo "FAIL $name: '$got', expected '$want'"; fail=$((fail + 1))
  fi
}

# ---- the default layer, by name, by index ----
expect_ok "encode: the layer named code by default" \
  "^wrote .*/sp.npy: 8 x 16 x 8 x 8 float32 (layer 3 'code', maxpool; test split, corrupt = none), labels in .*/sp-labels.npy$" \
  "$clae" encode "$sp" "$e/sp.npy" --data "$e/cifar"
sp_stats=$(sed -n 2p "$tmp/out")
enc_check "encode: codes file" "<f4 (8, 16, 8, 8)" shape "$e/sp.npy"
enc_check "encode: labels file" "|u1 (8,)" shape "$e/sp-labels.npy"
enc_check "encode: labels are the test records'" same labels "$e/sp-labels.npy" 8 \
  "$e/cifar/test_batch.bin"
enc_check "encode: the statistics line" same stats "$e/sp.npy" "$sp_stats"
expect_ok "encode --layer code on ref, 3 batches" "(layer 3 'code', maxpool" \
  "$clae" encode "$sp" "$e/sp-ref.npy" --layer code --data "$e/cifar" --device ref --batch 3
enc_check "encode: device codes are the reference's" close close "$e/sp.npy" "$e/sp-ref.npy" 1e-4
expect_ok "encode --layer 0 (by index)" \
  "^wrote .*: 5 x 8 x 32 x 32 float32 (layer 0, conv2d; test split" \
  "$clae" encode "$sp" "$e/sp0.npy" --layer 0 --data "$e/cifar" --limit 5
enc_check "encode: a conv layer's shape" "<f4 (5, 8, 32, 32)" shape "$e/sp0.npy"
enc_check "encode --limit: the first labels" same labels "$e/sp0-labels.npy" 5 \
  "$e/cifar/test_batch.bin"
# --corrupt: another corruption than the checkpoint's, checked before any loading
expect_ok "encode --corrupt noise:0.05" "corrupt = noise (sigma 0.05)" \
  "$clae" encode "$sp" "$e/sp-noisy.npy" --data "$e/cifar" --corrupt noise:0.05
enc_check "encode --corrupt: the codes move" moves moves "$e/sp.npy" "$e/sp-noisy.npy" 1e-4
expect_fail "encode --corrupt bogus" "clae: --corrupt 'bogus': expected blur" \
  "$clae" encode no-such.safetensors "$e/x.npy" --corrupt bogus
expect_fail "eval --corrupt noise:x" "clae: --corrupt: noise_sigma 'x': expected a number" \
  "$clae" eval no-such.safetensors --corrupt noise:x
expect_ok "eval --corrupt noise:0.05" "corrupt = noise (sigma 0.05)" \
  "$clae" eval "$sp" --data "$e/cifar" --corrupt noise:0.05
# the denoiser: blurred inputs, and no default layer
expect_ok "encode a denoiser's layer 3: blurred inputs" \
  "8 x 16 x 8 x 8 float32 (layer 3, maxpool; test split, corrupt = blur (size 5, sigma 1.1))" \
  "$clae" encode "$e/denoiser.safetensors" "$e/dn.npy" --layer 3 --data "$e/cifar"
enc_fail 2 "encode without a code or --layer" \
  "^clae encode: .*denoiser.safetensors has no layer named code and no \[sampling\] layer: choose one with --layer NAME|INDEX (layers 0 to 6, none named)$" \
  "$clae" encode "$e/denoiser.safetensors" "$e/x.npy" --data "$e/cifar"

# ---- vectors: (N, C) ----
expect_ok "encode a VAE: the [sampling] layer by default, train split" \
  "^wrote .*/vae.npy: 13 x 8 float32 (layer 3, sampling; train split, corrupt = none)" \
  "$clae" encode "$e/vae.safetensors" "$e/vae.npy" --data "$e/cifar" --split train --limit 13 \
  --batch 5
enc_check "encode: a sampling layer's shape" "<f4 (13, 8)" shape "$e/vae.npy"
enc_check "encode --split train: labels across batch files" same labels "$e/vae-labels.npy" 13 \
  "$e/cifar/data_batch_1.bin" "$e/cifar/data_batch_2.bin"
expect_ok "encode a dense layer" "^wrote .*: 40 x 16 float32 (layer 2, dense; train split" \
  "$clae" encode "$e/vae.safetensors" "$e/dense.npy" --layer 2 --data "$e/cifar" --split train
enc_check "encode: a dense layer's shape" "<f4 (40, 16)" shape "$e/dense.npy"
expect_ok "encode a dense layer on ref" "(layer 2, dense" "$clae" encode "$e/vae.safetensors" \
  "$e/dense-ref.npy" --layer 2 --data "$e/cifar" --split train --device ref
enc_check "encode: device dense codes are the reference's" close \
  close "$e/dense.npy" "$e/dense-ref.npy" 1e-4

# ---- errors ----
enc_fail 2 "encode unknown layer name" \
  "^clae encode: --layer foo: .*sparse.safetensors has no layer of that name (named: code; or an index 0 to 6)$" \
  "$clae" encode "$sp" "$e/x.npy" --layer foo --data "$e/cifar"
enc_fail 2 "encode layer index past the end" \
  "^clae encode: --layer 7: .*sparse.safetensors has layers 0 to 6 (named: code)$" \
  "$clae" encode "$sp" "$e/x.npy" --layer 7 --data "$e/cifar"
enc_fail 2 "encode negative layer index" "^clae encode: --layer -1: .* has layers 0 to 6" \
  "$clae" encode "$sp" "$e/x.npy" --layer -1 --data "$e/cifar"
enc_fail 2 "encode OUT not .npy" \
  "^clae encode: OUT '.*x.bin' must be a file name ending in .npy (the labels go to OUT-labels.npy)$" \
  "$clae" encode "$sp" "$e/x.bin" --data "$e/cifar"
enc_fail 2 "encode OUT only .npy" "must be a file name ending in .npy" \
  "$clae" encode "$sp" "$e/.npy" --data "$e/cifar"
enc_fail 1 "encode missing checkpoint" "nope.safetensors" \
  "$clae" encode "$e/nope.safetensors" "$e/x.npy" --data "$e/cifar"
enc_fail 2 "encode unknown option" "^clae encode: unknown option '--frob' (see --help)$" \
  "$clae" encode "$sp" "$e/x.npy" --frob
enc_fail 2 "encode bad --split" "^clae encode: --split 'val': expected test or train$" \
  "$clae" encode "$sp" "$e/x.npy" --split val
enc_fail 2 "encode --limit 0" "bad value '0' for --limit" "$clae" encode "$sp" "$e/x.npy" --limit 0
enc_fail 2 "encode --batch 0" "bad value '0' for --batch" "$clae" encode "$sp" "$e/x.npy" --batch 0
enc_fail 2 "encode missing OUT" "^clae encode: missing OUT.npy (usage: clae encode CKPT OUT.npy)$" \
  "$clae" encode "$sp"
enc_fail 2 "encode extra argument" "unexpected argument 'y'" "$clae" encode "$sp" "$e/x.npy" y
enc_fail 1 "encode missing data" "no/such/dir" \
  "$clae" encode "$sp" "$e/x.npy" --data no/such/dir --device ref
# 40 images of a 16384-channel 32x32 layer: 2.5 GiB of codes
sed 's/^filters = 8$/filters = 16384/; s/^batch = 128$/batch = 1/' configs/sparse-ae.cfg >"$e/wide.cfg"
"$clae" init "$e/wide.cfg" "$e/wide.safetensors" >/dev/null
enc_fail 1 "encode over the memory cap" \
  "^clae encode: 40 images x 16777216 floats of layer 0 is 2.5 GiB, over the 2 GiB limit: take fewer with --limit$" \
  "$clae" encode "$e/wide.safetensors" "$e/x.npy" --layer 0 --split train --data "$e/cifar"
# the labels cannot be written (a folder in their place): no codes are left without them
mkdir -p "$e/y-labels.npy"
enc_fail 1 "encode labels unwritable" "y-labels.npy: cannot write (rename)" \
  "$clae" encode "$sp" "$e/y.npy" --data "$e/cifar" --device ref
left=$(ls -d "$e"/x.npy "$e"/x-labels.npy "$e"/y.npy "$e"/*.tmp.* 2>/dev/null)
if [ -n "$left" ]; then
  echo "FAIL encode: failed runs left: $left"; fail=$((fail + 1))
else
  echo "ok   encode: failed runs leave no files"; pass=$((pass + 1))
fi
