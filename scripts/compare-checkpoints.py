#!/usr/bin/env python3
"""Compare two training runs that started from the same weights.

Usage: scripts/compare-checkpoints.py BASE REF OTHER [--max FRACTION]

BASE is the checkpoint both runs started from (e.g. from `clae init`), REF
and OTHER where they ended (e.g. `--device ref` and an OpenCL device, same
batches). For every parameter tensor (`layers.*`, Adam moments skipped) it
prints how far REF moved it from BASE (largest absolute change) and how far
OTHER is from REF, as a fraction of that movement. Exit 0 when every
fraction is at most FRACTION (default 0.1), 1 when one is over it or a
tensor did not move, 2 for a usage error or an unreadable file.

Standard library only; reads files with show-checkpoint.py's validating
parser.
"""
import importlib.util
import os
import sys


def _show():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "show-checkpoint.py")
    spec = importlib.util.spec_from_file_location("show_checkpoint", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load(show, path):
    """-> {name: (shape, floats)} of the F32 parameter tensors."""
    with open(path, "rb") as fh:
        blob = fh.read()
    _, _, tensors = show.parse(blob)
    out = {}
    for name, dtype, shape, buf in tensors:
        if name.startswith("layers.") and dtype == "F32" and not name.endswith(("adam_m", "adam_v")):
            out[name] = (shape, show.values(dtype, buf))
    return out


def main(argv):
    args = argv[1:]
    limit = 0.1
    if "--max" in args:
        i = args.index("--max")
        try:
            limit = float(args[i + 1])
        except (IndexError, ValueError):
            print("compare-checkpoints: --max needs a number", file=sys.stderr)
            return 2
        del args[i:i + 2]
    if len(args) != 3 or any(a.startswith("-") for a in args):
        print("usage: compare-checkpoints.py BASE REF OTHER [--max FRACTION]", file=sys.stderr)
        return 2
    show = _show()
    runs = []
    for path in args:
        try:
            runs.append(load(show, path))
        except (show.Bad, OSError) as e:
            msg = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            print(f"compare-checkpoints: {path}: {msg}", file=sys.stderr)
            return 2
    base, ref, other = runs
    if not (base.keys() == ref.keys() == other.keys()) or not base:
        print("compare-checkpoints: the three checkpoints hold different tensors", file=sys.stderr)
        return 2
    worst, bad = 0.0, []
    for name in sorted(base):
        shapes = {tuple(r[name][0]) for r in runs}
        if len(shapes) != 1:
            print(f"compare-checkpoints: {name}: shapes differ: {sorted(shapes)}", file=sys.stderr)
            return 2
        b, r, o = base[name][1], ref[name][1], other[name][1]
        moved = max(abs(x - y) for x, y in zip(r, b))
        off = max(abs(x - y) for x, y in zip(o, r))
        frac = off / moved if moved > 0 else float("inf")
        if not frac <= limit:  # also catches NaN
            bad.append(name)
        worst = max(worst, frac) if frac == frac else float("inf")
        print(f"  {name:<20} moved {moved:.3g}; off by {off:.3g} = {100 * frac:.1f}% of it")
    verdict = "ok" if not bad else "FAIL (" + ", ".join(bad) + ")"
    print(f"largest difference {100 * worst:.1f}% of the movement (limit {100 * limit:.0f}%): {verdict}")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
