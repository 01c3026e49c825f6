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
