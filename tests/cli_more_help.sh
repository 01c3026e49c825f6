# shellcheck shell=bash
# CLI checks: --help and -h on every command (sourced by tests/cli.sh: uses $clae, $tmp,
# expect_fail, expect_ok), and the getopt_long parsing they share.
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
cmds=$("$clae" --help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
if [ "$(echo "$cmds" | wc -w)" -ge 10 ]; then
  echo "ok   clae --help lists $(echo "$cmds" | wc -w) commands"; pass=$((pass + 1))
else
  echo "FAIL clae --help lists too few commands: $cmds"; fail=$((fail + 1))
fi
for cmd in $cmds; do
  expect_ok "$cmd --help" "^usage: clae $cmd" "$clae" "$cmd" --help
  expect_ok "$cmd -h" "^usage: clae $cmd" "$clae" "$cmd" -h
done
for sub in import info; do
  expect_ok "data $sub --help" "clae data $sub DIR" "$clae" data "$sub" --help
done
expect_fail "no abbreviated options" "unknown option '--epoch'" \
  "$clae" train configs/denoiser.cfg --epoch 3
expect_fail "--name=value" "bad value '0' for --limit" "$clae" eval x.safetensors --limit=0
expect_fail "-h in a cluster" "unknown option '-hx'" "$clae" plot -hx
expect_fail "no -- marker" "unknown option '--'" "$clae" show -- x.safetensors x.png
expect_fail "errors name the first bad argument" "unexpected argument 'b.cfg'" \
  "$clae" summary a.cfg b.cfg --frob
# Errors that say what to do
expect_fail "a misspelt option: the nearest one" "unknown option '--epoch'; did you mean --epochs?" \
  "$clae" train configs/denoiser.cfg --epoch 3
expect_fail "a misspelt option with a value" "did you mean --corrupt?" \
  "$clae" eval x.safetensors --corupt=noise
expect_fail "a config given for a checkpoint" \
  "configs/denoiser.cfg: a text file (a config?), not a checkpoint" \
  "$clae" eval configs/denoiser.cfg
mkdir -p "$tmp/a-run"
expect_fail "a folder given for a history" "a folder, not a history (a run's is .*a-run/history.jsonl)" \
  "$clae" plot "$tmp/a-run" "$tmp/x.png"
expect_ok "clae help CMD: the command's --help" "^usage: clae score CKPT OUT.csv" "$clae" help score
expect_fail "clae help of an unknown command" "clae help: unknown command 'nope'" "$clae" help nope
# Exit codes, everywhere: 2 for bad usage (an unknown option, a stray
# argument), 1 for an error at run time (a file that is not there).
for cmd in $cmds; do
  rc=0; "$clae" "$cmd" --frob >/dev/null 2>&1 || rc=$?
  rc2=0; "$clae" "$cmd" a b c d e f >/dev/null 2>&1 || rc2=$?
  # compile and rate-distortion take several CONFIGs / CKPTs: "a" is a missing file (exit 1)
  if { [ "$cmd" = compile ] || [ "$cmd" = rate-distortion ]; } && [ "$rc2" -eq 1 ]; then rc2=2; fi
  if [ "$rc" -eq 2 ] && [ "$rc2" -eq 2 ]; then
    echo "ok   $cmd: bad usage exits 2"; pass=$((pass + 1))
  else
    echo "FAIL $cmd: bad usage exits $rc (unknown option) and $rc2 (stray arguments), not 2"
    fail=$((fail + 1))
  fi
done
nx=$tmp/no-such
for args in "summary $nx.cfg" "compile $nx.cfg" "init $nx.cfg $tmp/i.safetensors" "train $nx.cfg" \
            "train --resume $nx.safetensors" "bench $nx.cfg" "eval $nx.safetensors" \
            "show $nx.safetensors $tmp/x.png" "denoise $nx.safetensors $nx.png $tmp/x.png" \
            "inpaint $nx.safetensors $nx.png $tmp/x.png --mask 1,1,2,2" \
            "plot $nx.jsonl $tmp/x.png" "export $nx.safetensors $tmp/e.safetensors" \
            "score $nx.safetensors $tmp/x.csv" "sample $nx.safetensors 4 $tmp/x.png" \
            "swap $nx.safetensors $nx.png $tmp/x.png --to a" "interpolate $nx.safetensors 1 2 $tmp/x.png" "encode $nx.safetensors $tmp/x.npy" \
            "plot-codes $nx.safetensors $tmp/x.png" "compress $nx.safetensors $nx.png $tmp/x.clz" \
            "decompress $nx.safetensors $nx.clz $tmp/x.png" "rate-distortion $nx.safetensors" \
            "data import $nx $tmp/imp" "data info $nx"; do
  read -r -a argv <<<"$args"
  rc=0; "$clae" "${argv[@]}" >/dev/null 2>"$tmp/err" || rc=$?
  if [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "no-such" "$tmp/err"; then
    echo "ok   ${argv[0]} ${argv[1]}: a missing file exits 1, one line naming it"; pass=$((pass + 1))
  else
    echo "FAIL clae $args: exit $rc:"; cat "$tmp/err"; fail=$((fail + 1))
  fi
done
