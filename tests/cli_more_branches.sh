# shellcheck shell=bash
# CLI checks for models with branches (sourced by tests/cli.sh: uses $clae,
# $tmp, expect_ok, expect_fail): summary draws the trunk and each branch;
# train takes turns between the branches' own data, reports each branch's
# losses and resumes exactly; swap and show apply the model across; the
# commands that run one path say so in one line.
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
two=tests/models/two-branches.cfg
expect_ok "branches: summary draws each branch with its parameters" \
  '|- branch cats: 2 layers, 2,755 params' "$clae" summary "$two"
expect_ok "branches: summary's last branch and the shared trunk" \
  'Shared trunk (layers.0 to layers.2): 1,392 params' "$clae" summary "$two"
expect_fail "branches: one [branch] alone" "one \[branch\]" \
  "$clae" summary tests/configs/branch_one.cfg

# two folders of random records, one per branch (its [branch] data)
br=$tmp/branches
for d in a b; do
  mkdir -p "$br/$d"
  for i in 1 2 3 4 5; do head -c $((60 * 3073)) /dev/urandom >"$br/$d/data_batch_$i.bin"; done
  head -c $((40 * 3073)) /dev/urandom >"$br/$d/test_batch.bin"
done
sed -e "s|^classes = 3$|data = $br/a|" -e "s|^classes = 5$|data = $br/b|" \
  -e '/^data = data\/cifar-10-batches-bin$/d' -e 's/^batch = .*/batch = 64/' "$two" >"$br/two.cfg"
br_train() { # br_train NAME ARGS...: stdout in $br/NAME.out
  local name=$1; shift
  "$clae" train "$br/two.cfg" --device ref --no-progress "$@" >"$br/$name.out" 2>"$br/$name.err"
}
br_train full --epochs 2 --out "$br/full"
rc=$?
grep -q "^branch cats: 240 training, 60 validation, 40 test images ($br/a" "$br/full.out" &&
  grep -q "^branch dogs: 240 training, 60 validation, 40 test images ($br/b" "$br/full.out"
ok=$?
if [ "$rc" -eq 0 ] && [ "$ok" -eq 0 ]; then
  echo "ok   branches: train reads each branch's own data"; pass=$((pass + 1))
else
  echo "FAIL branches: train (rc $rc):"; cat "$br/full.out" "$br/full.err"; fail=$((fail + 1))
fi
# 4 + 4 steps of 64 an epoch, the branches in turns
expect_ok "branches: the steps of both branches" "480 train / 120 validation images, batch 64, 8 steps per epoch" \
  cat "$br/full.out"
expect_ok "branches: each branch's validation loss" "^  val loss by branch: cats [0-9.]*, dogs [0-9.]*$" \
  cat "$br/full.out"
expect_ok "branches: each branch's test MSE" "^  test MSE by branch: cats [0-9.]*, dogs [0-9.]*$" \
  cat "$br/full.out"
# a run stopped after 3 steps (mid-branch turn) and resumed: the same numbers
br_train part --epochs 2 --out "$br/part" --max-steps 3
"$clae" train --resume "$br/part/last.safetensors" --device ref --no-progress >"$br/resumed.out" 2>&1
want=$(grep -E "^(epoch 2|  val|test|  test)" "$br/full.out" | sed 's/ [0-9]* img\/s.*//')
if grep -q "^  test MSE by branch" "$br/resumed.out" &&
   [ "$want" = "$(grep -E "^(epoch 2|  val|test|  test)" "$br/resumed.out" | sed 's/ [0-9]* img\/s.*//')" ]; then
  echo "ok   branches: a resume inside an epoch gives the uninterrupted run's losses"; pass=$((pass + 1))
else
  echo "FAIL branches: resumed run differs:"; diff "$br/full.out" "$br/resumed.out"; fail=$((fail + 1))
fi
ck=$br/full/last.safetensors
# swap: any image size, the input's layout kept
if python3 -c "import zlib,struct,sys
def chunk(t,d): return struct.pack('>I',len(d))+t+d+struct.pack('>I',zlib.crc32(t+d)&0xffffffff)
w,h=40,28; raw=b''.join(b'\0'+bytes((x*6+y*3+c*40)%256 for x in range(w) for c in range(3)) for y in range(h))
open(sys.argv[1],'wb').write(b'\x89PNG\r\n\x1a\n'+chunk(b'IHDR',struct.pack('>IIBBBBB',w,h,8,2,0,0,0))+chunk(b'IDAT',zlib.compress(raw))+chunk(b'IEND',b''))" "$br/in.png"; then
  expect_ok "branches: swap decodes with the other branch" \
    "wrote $br/sw.png (40x28: .* decoded by branch dogs" "$clae" swap "$ck" "$br/in.png" "$br/sw.png" --to dogs --device ref
  got=$(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); print('%dx%d' % struct.unpack('>II', d[16:24]))" "$br/sw.png")
  if [ "$got" = 40x28 ]; then echo "ok   branches: swap keeps the image's size"; pass=$((pass + 1));
  else echo "FAIL branches: swap wrote $got, not 40x28"; fail=$((fail + 1)); fi
  if "$clae" swap "$ck" "$br/in.png" "$br/own.png" --to cats --device ref >/dev/null &&
     [ -s "$br/sw.png" ] && ! cmp -s "$br/sw.png" "$br/own.png"; then
    echo "ok   branches: each branch decodes differently"; pass=$((pass + 1))
  else
    echo "FAIL branches: --to cats and --to dogs give the same image (or none)"; fail=$((fail + 1))
  fi
fi
expect_fail "branches: swap to a branch that is not there" "--to dogz: .* has no such branch (it has cats, dogs)" \
  "$clae" swap "$ck" "$br/in.png" "$br/x.png" --to dogz --device ref
expect_fail "branches: swap needs --to" "--to NAME is required" \
  "$clae" swap "$ck" "$br/in.png" "$br/x.png"
expect_fail "branches: eval runs one path: it points to swap" "a model with branches (cats, dogs): clae swap applies it" \
  "$clae" eval "$ck" --device ref
expect_fail "branches: --classes is each branch's" "takes each branch's images from its \[branch\] section" \
  "$clae" train "$br/two.cfg" --classes 3 --out "$br/cls" --device ref
expect_ok "branches: show draws each branch's images, reconstructions and swaps" \
  "wrote $br/show.png (.*): each branch's test images 0..3" "$clae" show "$ck" "$br/show.png" --n 4 --device ref
# --data NAME=DIR: a branch's folder from the command line, kept in the checkpoint's config
"$clae" train "$two" --data cats="$br/a" --data dogs="$br/b" --epochs 1 --max-steps 1 \
  --set cats.classes=all --set dogs.classes=all \
  --set net.batch=64 --device ref --no-progress --out "$br/dd" >"$br/dd.out" 2>&1
grep -q "^branch cats: 240 training, 60 validation, 40 test images ($br/a" "$br/dd.out" &&
  grep -q "^branch dogs: 240 training, 60 validation, 40 test images ($br/b" "$br/dd.out"
ok=$?
"$clae" train --resume "$br/dd/last.safetensors" --device ref --no-progress >"$br/dd2.out" 2>&1
if [ "$ok" -eq 0 ] && grep -q "^branch dogs: 240 training, .*($br/b" "$br/dd2.out"; then
  echo "ok   branches: --data NAME=DIR sets a branch's folder, and a resume keeps it"; pass=$((pass + 1))
else
  echo "FAIL branches: --data NAME=DIR:"; cat "$br/dd.out" "$br/dd2.out"; fail=$((fail + 1))
fi
expect_fail "branches: --data of a branch that is not there" "has no section 'birds'" \
  "$clae" train "$two" --data birds="$br/a" --out "$br/birds" --device ref
