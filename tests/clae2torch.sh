#!/usr/bin/env bash
# scripts/clae2torch.py against clae: for several small architectures trained
# for 3 steps here (conv/pool/transposed conv with odd 'same' pads and
# non-square kernels; bilinear, nearest, bed-of-nails upsampling with dropout;
# max-unpooling with an asymmetric 'same' pool; dense with flatten/reshape; a
# VAE in eval mode; residual adds with a per-position [sampling]; a softmax
# classifier), the torch module's output on a batch must be within 1e-4 of
# `clae encode --layer LAST --corrupt none` on the same images (reference path;
# the first model also on clae's default device), and so must the ONNX export's
# when onnx/onnxscript (export) and onnxruntime (run) are installed.
# Also: an exported checkpoint (no Adam moments) loads, a layer kind the script
# does not know is refused in one line, and a wrong expectation fails.
#   tests/clae2torch.sh CLAE_BIN
# Python: $CLAE_PYTHON, else .venv-bench/bin/python in the source tree (made by
# scripts/bench-vs.sh --torch), else Debian's /usr/bin/python3 with
# python3-torch and python3-onnx (scripts/setup.sh installs them, so CI runs
# this check). Exit 77 (skipped) without one that imports torch and numpy.
set -euo pipefail
clae=${1:?usage: tests/clae2torch.sh CLAE_BIN}
src=$(cd "$(dirname "$0")/.." && pwd)
script=$src/scripts/clae2torch.py
tol=1e-4

if [ -n "${CLAE_PYTHON:-}" ]; then
  py=$CLAE_PYTHON
  command -v "$py" >/dev/null 2>&1 || { echo "clae2torch: CLAE_PYTHON=$py is not a program" >&2; exit 1; }
elif [ -x "$src/.venv-bench/bin/python" ]; then
  py=$src/.venv-bench/bin/python
else
  py=/usr/bin/python3
  [ -x "$py" ] || { echo "skipped: no python (scripts/setup.sh installs Debian's python3-torch; or set CLAE_PYTHON)"; exit 77; }
fi
has() { "$py" -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in sys.argv[1:]))" "$@" 2>/dev/null; }
has torch numpy || { echo "skipped: $py cannot import torch and numpy"; exit 77; }
onnx=0
if has onnx; then onnx=1; fi  # onnxscript too for the dynamo exporter, else TorchScript's
echo "python: $py ($("$py" -c 'import torch; print("torch", torch.__version__)'))"
if [ "$onnx" = 1 ]; then
  if has onnxruntime; then echo "onnx: export and run (onnxruntime)"; else echo "onnx: export only (no onnxruntime)"; fi
else
  echo "onnx: not checked (pip install onnx onnxscript onnxruntime into that python)"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# A CIFAR-10 folder of 5 x 16 training and 16 test records: half the images
# piecewise constant (4x4 blocks, some saturated), so pools meet ties.
"$py" - "$tmp/cifar" <<'EOF'
import os, sys
import numpy as np
out = sys.argv[1]
os.makedirs(out)
rng = np.random.default_rng(7)
def records(n):
    px = rng.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8)
    blocks = rng.choice(np.array([0, 37, 128, 255], np.uint8), (n, 3, 8, 8))
    px[::2] = np.kron(blocks, np.ones((1, 1, 4, 4), np.uint8))[::2]
    labels = (np.arange(n) % 10).astype(np.uint8)[:, None]
    return np.concatenate([labels, px.reshape(n, -1)], axis=1).tobytes()
for i in range(1, 6):
    open(os.path.join(out, f"data_batch_{i}.bin"), "wb").write(records(16))
open(os.path.join(out, "test_batch.bin"), "wb").write(records(16))
EOF

# cfg NAME [LOSS] [CORRUPT] [TRAIN_LINE]: the [net] and [train] head of a model, layers on stdin
cfg() {
  printf '[net]\ninput = 32,32,3\nbatch = 8\nlr = 0.01\nloss = %s\n\n[train]\ncorrupt = %s\nvalidation_split = 0.25\n%s\n\n' \
    "${2:-mse}" "${3:-none}" "${4:-}" >"$tmp/$1.cfg"
  cat >>"$tmp/$1.cfg"
}
layer() {  # KIND KEY=VALUE...: one section
  printf '[%s]\n' "$1"; shift
  local kv
  for kv in "$@"; do printf '%s\n' "${kv/=/ = }"; done
  printf '\n'
}

{ layer conv2d filters=6 size=3 padding=same activation=relu
  layer maxpool size=2
  layer conv2d filters=8 size=3 stride=2 padding=same activation=tanh   # pads 0 top, 1 bottom
  layer avgpool size=3 stride=2 padding=same                            # cut windows, odd pad last
  layer conv2d_transpose filters=8 size=3 stride=2 padding=same activation=relu
  layer conv2d_transpose filters=6 size=4 stride=2 padding=same activation=leaky_relu alpha=0.1
  layer conv2d_transpose filters=4 size=1,3 stride=2                    # 1 < stride: 32x33
  layer conv2d filters=3 size=1,2 activation=sigmoid
} | cfg conv
{ layer conv2d filters=6 size=3 padding=same activation=leaky_relu alpha=0.2
  layer dropout rate=0.3
  layer maxpool size=3 stride=1 padding=same
  layer avgpool size=2
  layer upsampling2d size=2 interpolation=bilinear
  layer conv2d filters=4 size=3 stride=2 padding=same activation=relu
  layer bed_of_nails size=2
  layer conv2d filters=4 size=3 stride=4
  layer upsampling2d size=4,2
  layer upsampling2d size=1,2 interpolation=bilinear
  layer conv2d filters=3 size=5 padding=same activation=sigmoid
} | cfg upsample
{ layer conv2d filters=4 size=3 activation=relu
  layer maxpool name=p1 size=2
  layer conv2d filters=6 size=3 padding=same activation=relu
  layer maxpool name=p2 size=2 padding=same                             # 15 -> 8: pad 0, 1
  layer conv2d filters=6 size=3 padding=same activation=relu
  layer max_unpooling2d pool=p2
  layer conv2d filters=4 size=3 padding=same activation=relu
  layer max_unpooling2d pool=p1
  layer conv2d_transpose filters=3 size=3 activation=sigmoid
} | cfg unpool
{ layer flatten
  layer dense units=32 activation=relu
  layer dropout rate=0.5
  layer dense name=code units=16 activation=sigmoid
  layer dense units=3072 activation=sigmoid
  layer reshape target_shape=32,32,3
} | cfg dense
{ layer conv2d filters=8 size=3 stride=2 padding=same activation=relu
  layer flatten
  layer dense name=heads units=16
  layer sampling latent=8 kl_weight=0.001
  layer dense units=768 activation=relu
  layer reshape target_shape=16,16,3
  layer upsampling2d size=2
  layer conv2d filters=3 size=3 padding=same activation=sigmoid
} | cfg vae
{ layer conv2d name=c1 filters=8 size=3 padding=same activation=relu
  layer conv2d filters=8 size=3 padding=same activation=relu
  layer add from=c1
  layer conv2d filters=6 size=1
  layer sampling latent=3 kl_weight=0.01                                # per position
  layer add from=input
} | cfg residual mse blur
{ layer conv2d filters=4 size=3 stride=2 padding=same activation=relu
  layer avgpool size=4
  layer flatten
  layer dense units=10 activation=softmax
} | cfg classify categorical_crossentropy none "target = labels"

models=(conv upsample unpool dense vae residual classify)
for m in "${models[@]}"; do
  if "$clae" train "$tmp/$m.cfg" --data "$tmp/cifar" --limit 64 --max-steps 3 --device ref \
      --out "$tmp/run-$m" --quiet >"$tmp/train.txt" 2>&1; then
    continue
  fi
  bad "train $m: $(tail -1 "$tmp/train.txt")"
done

# check NAME CKPT [--device D] [--onnx]: the script's comparison, every line 'ok'
check() {
  local name=$1 ckpt=$2; shift 2
  local args=(--check "$tmp/cifar" --batch 16 --clae "$clae" --tol "$tol")
  while [ $# -gt 0 ]; do
    case "$1" in
      --onnx) [ "$onnx" = 0 ] || args+=(--onnx "$tmp/$name.onnx"); shift ;;
      *) args+=("$1"); shift ;;
    esac
  done
  if "$py" "$script" "$ckpt" "${args[@]}" >"$tmp/out" 2>"$tmp/err"; then
    ok "$name: $(grep -E '^(torch|onnxruntime):' "$tmp/out" | sed 's/ over .*(/ (/' | paste -sd';' -)"
  else
    bad "$name:"; cat "$tmp/out" "$tmp/err"
  fi
}
for m in "${models[@]}"; do
  [ -f "$tmp/run-$m/last.safetensors" ] || continue
  check "$m" "$tmp/run-$m/last.safetensors" --device ref --onnx
done
check "conv on clae's default device" "$tmp/run-conv/last.safetensors"

# An exported checkpoint (no optimizer state) loads the same.
if "$clae" export "$tmp/run-vae/last.safetensors" "$tmp/vae-export.safetensors" >/dev/null 2>&1; then
  check "vae, exported" "$tmp/vae-export.safetensors" --device ref
else
  bad "clae export failed"
fi

# A wrong expectation fails: the upsample model's output against the conv model's.
"$clae" encode "$tmp/run-conv/last.safetensors" "$tmp/conv.npy" --layer 7 --corrupt none \
  --limit 16 --data "$tmp/cifar" --device ref >/dev/null
rc=0
"$py" "$script" "$tmp/run-upsample/last.safetensors" --quiet --check "$tmp/cifar" --batch 16 \
  --expect "$tmp/conv.npy" >"$tmp/out" 2>&1 || rc=$?
if [ "$rc" = 1 ] && grep -q '^torch: .*FAIL$' "$tmp/out"; then
  ok "another model's output is a failure: $(grep '^torch:' "$tmp/out" | sed 's/ over .*//')"
else
  bad "another model's output passed (rc $rc):"; cat "$tmp/out"
fi
# ... and the model's own clae output, given with --expect, passes.
if "$py" "$script" "$tmp/run-conv/last.safetensors" --quiet --check "$tmp/cifar" --batch 16 \
    --expect "$tmp/conv.npy" >"$tmp/out" 2>&1; then
  ok "--expect with clae encode's own file"
else
  bad "--expect:"; cat "$tmp/out"
fi

# A layer kind it does not know: one line, exit 1 (the stored config edited).
"$py" - "$tmp/run-residual/last.safetensors" "$tmp/unknown.safetensors" <<'EOF'
import json, struct, sys
blob = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", blob[:8])
head = json.loads(blob[8:8 + n])
head["__metadata__"]["config"] = head["__metadata__"]["config"].replace("[add]", "[concatenate]", 1)
text = json.dumps(head).encode()
open(sys.argv[2], "wb").write(struct.pack("<Q", len(text)) + text + blob[8 + n:])
EOF
rc=0
"$py" "$script" "$tmp/unknown.safetensors" >"$tmp/out" 2>"$tmp/err" || rc=$?
if [ "$rc" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "kind 'concatenate' is not supported" "$tmp/err"; then
  ok "unknown kind: $(cat "$tmp/err")"
else
  bad "unknown kind: rc $rc"; cat "$tmp/err"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
