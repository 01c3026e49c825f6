#!/usr/bin/env bash
# The venv of the Python checks that need PyPI packages: .venv-check/ in the
# source tree (ignored by git), with tensorboard (its event-file reader reads
# back the OUT/tb/ files of `clae train`: tests/cli_more_tensorboard.sh).
# Tests that need it are skipped while it is absent. Made once; run again to
# add what is missing.
#   scripts/check-venv.sh            ($PYTHON: the python3 that makes it)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-check
if [ ! -x "$venv/bin/python" ]; then
  echo "check-venv: making $venv (${PYTHON:-python3} -m venv)" >&2
  "${PYTHON:-python3}" -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import tensorboard.backend.event_processing.event_accumulator" \
    2>/dev/null; then
  echo "check-venv: pip install tensorboard into $venv" >&2
  "$venv/bin/pip" install --quiet tensorboard
fi
"$venv/bin/python" -c "import tensorboard; print('check-venv: $venv has tensorboard', tensorboard.__version__)"
