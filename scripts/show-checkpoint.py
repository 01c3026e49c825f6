#!/usr/bin/env python3
"""Show a safetensors checkpoint: its metadata and, for each tensor, name,
dtype, shape and min/max/mean.

Usage: scripts/show-checkpoint.py FILE

Standard library only. The file is validated like clae's reader does (header
length, JSON object, entries, sizes, tensors tiling the data section); a
malformed file gives one line 'show-checkpoint: FILE: problem' on stderr and
exit status 1 (2 for a usage error). If numpy is importable, the statistics
are cross-checked against numpy.frombuffer.
"""
import array
import json
import math
import struct
import sys

MAX_HEADER = 100_000_000
META_WIDTH = 60  # metadata values are shown truncated to this many characters

# dtype -> (bytes per element, struct code) ; None: no statistics
DTYPES = {
    "F64": (8, "d"), "F32": (4, "f"), "F16": (2, "e"), "BF16": (2, None),
    "I64": (8, "q"), "I32": (4, "i"), "I16": (2, "h"), "I8": (1, "b"),
    "U64": (8, "Q"), "U32": (4, "I"), "U16": (2, "H"), "U8": (1, "B"),
    "BOOL": (1, "B"), "F8_E4M3": (1, None), "F8_E5M2": (1, None),
}


class Bad(Exception):
    pass


def _no_duplicates(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise Bad(f"duplicate key {k!r} in the header")
        seen[k] = v
    return seen


def _uint(x, what):
    if isinstance(x, bool) or not isinstance(x, int):
        raise Bad(f"{what} is not an integer: {x!r}")
    if x < 0:
        raise Bad(f"{what} is negative: {x}")
    return x


def parse(blob):
    """-> (header length, metadata dict, [(name, dtype, shape, bytes)]) or raise Bad."""
    if len(blob) < 8:
        raise Bad(f"file is {len(blob)} bytes, shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > MAX_HEADER:
        raise Bad(f"header length {n} is absurd (more than {MAX_HEADER} bytes)")
    if n > len(blob) - 8:
        raise Bad(f"header length {n} is larger than the file ({len(blob) - 8} bytes after the length)")
    if n == 0:
        raise Bad("header is empty (length 0)")
    try:
        text = blob[8:8 + n].decode("utf-8")
    except UnicodeDecodeError as e:
        raise Bad(f"header is not valid UTF-8 ({e.reason} at byte {e.start})")
    if "\0" in text:
        raise Bad("header contains a NUL byte")
    try:
        header = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as e:
        raise Bad(f"header JSON does not parse ({e.msg} at byte {e.pos})")
    if not isinstance(header, dict):
        raise Bad("header is not a JSON object")
    if not text.startswith("{"):
        raise Bad("header does not start with '{'")
    data = memoryview(blob)[8 + n:]

    meta = header.pop("__metadata__", {})
    if not isinstance(meta, dict):
        raise Bad("__metadata__ is not a JSON object")
    for k, v in meta.items():
        if not isinstance(v, str):
            raise Bad(f"metadata value for key {k!r} is not a string")

    tensors = []
    for name, e in header.items():
        if not isinstance(e, dict):
            raise Bad(f"tensor {name}: header entry is not a JSON object")
        for key in ("dtype", "shape", "data_offsets"):
            if key not in e:
                raise Bad(f"tensor {name}: missing {key}")
        dtype, shape, offs = e["dtype"], e["shape"], e["data_offsets"]
        if not isinstance(dtype, str):
            raise Bad(f"tensor {name}: dtype is not a string")
        if dtype not in DTYPES:
            raise Bad(f"tensor {name}: unknown dtype {dtype}")
        if not isinstance(shape, list):
            raise Bad(f"tensor {name}: shape is not an array")
        shape = [_uint(d, f"tensor {name}: shape dimension {i}") for i, d in enumerate(shape)]
        if not isinstance(offs, list) or len(offs) != 2:
            raise Bad(f"tensor {name}: data_offsets is not [begin, end]")
        begin, end = (_uint(o, f"tensor {name}: data_offsets value") for o in offs)
        if begin > end:
            raise Bad(f"tensor {name}: data_offsets [{begin}, {end}] has begin > end")
        need = math.prod(shape) * DTYPES[dtype][0]
        if end - begin != need:
            raise Bad(f"tensor {name}: data_offsets [{begin}, {end}] hold {end - begin} bytes, "
                      f"but shape {shape} needs {need} ({dtype})")
        if end > len(data):
            raise Bad(f"tensor {name}: data_offsets [{begin}, {end}] run past the end of the "
                      f"data section ({len(data)} bytes); truncated file?")
        tensors.append((name, dtype, shape, begin, end))

    at, prev = 0, None
    for t in sorted(tensors, key=lambda t: (t[3], t[4])):
        if t[3] < at:
            raise Bad(f"tensors {prev[0]} [{prev[3]}, {prev[4]}] and {t[0]} [{t[3]}, {t[4]}] "
                      "overlap in the data section")
        if t[3] > at:
            raise Bad(f"gap of {t[3] - at} bytes in the data section before tensor {t[0]}")
        at, prev = t[4], t
    if at != len(data):
        raise Bad(f"{len(data) - at} bytes in the data section after the last tensor")
    return n, meta, [(name, dt, sh, data[b:e]) for name, dt, sh, b, e in tensors]


def values(dtype, buf):
    code = DTYPES[dtype][1]
    if code is None:
        return None
    if code == "f":
        a = array.array("f")
        a.frombytes(buf)
        if sys.byteorder != "little":
            a.byteswap()
        return a
    return [v[0] for v in struct.iter_unpack("<" + code, buf)]


def stats(vals):
    """-> (min, max, mean, count of non-finite) over the finite values."""
    fin = [float(v) for v in vals if math.isfinite(v)]
    bad = len(vals) - len(fin)
    if not fin:
        return None, None, None, bad
    return min(fin), max(fin), math.fsum(fin) / len(fin), bad


def numpy_check(tensors, computed):
    try:
        import numpy as np
    except ImportError:
        return None
    npdt = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
            "I8": "i1", "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1", "BOOL": "u1"}
    checked = 0
    for (name, dtype, shape, buf), st in zip(tensors, computed):
        if dtype not in npdt or st is None:
            continue
        a = np.frombuffer(buf, dtype=npdt[dtype]).reshape(shape).astype(np.float64)
        fin = a[np.isfinite(a)]
        if fin.size == 0:
            ok = st[0] is None
        else:
            ok = (fin.min() == st[0] and fin.max() == st[1]
                  and math.isclose(float(fin.mean()), st[2], rel_tol=1e-9, abs_tol=1e-12))
        if not ok:
            raise Bad(f"numpy cross-check disagrees on tensor {name}")
        checked += 1
    return checked


def fmt(x):
    return "-" if x is None else f"{x:.6g}"


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print("usage: show-checkpoint.py FILE", file=sys.stderr)
        return 2
    path = argv[1]
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
        hlen, meta, tensors = parse(blob)
        computed = []
        for name, dtype, shape, buf in tensors:
            v = values(dtype, buf)
            computed.append(None if v is None else stats(v))
        np_checked = numpy_check(tensors, computed)
    except (Bad, OSError) as e:
        msg = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        print(f"show-checkpoint: {path}: {msg}", file=sys.stderr)
        return 1

    nparams = sum(math.prod(t[2]) for t in tensors)
    print(f"{path}: {len(tensors)} tensors, {nparams} values, header {hlen} bytes, "
          f"data {len(blob) - 8 - hlen} bytes")
    print(f"metadata ({len(meta)}):")
    for k, v in meta.items():
        s = json.dumps(v, ensure_ascii=False)
        if len(s) > META_WIDTH:
            s = s[:META_WIDTH - 3] + "..."
        print(f"  {k} = {s}")
    print("tensors:")
    rows = [("name", "dtype", "shape", "min", "max", "mean", "")]
    for (name, dtype, shape, _), st in zip(tensors, computed):
        shp = "[" + ",".join(map(str, shape)) + "]"
        if st is None:
            rows.append((name, dtype, shp, "-", "-", "-", "(no statistics for this dtype)"))
        else:
            note = f"({st[3]} non-finite)" if st[3] else ""
            rows.append((name, dtype, shp, fmt(st[0]), fmt(st[1]), fmt(st[2]), note))
    w = [max(len(r[i]) for r in rows) for i in range(6)]
    for r in rows:
        print("  " + "  ".join(c.ljust(w[i]) if i < 3 else c.rjust(w[i]) for i, c in enumerate(r[:6]))
              + ("  " + r[6] if r[6] else ""))
    if np_checked is not None:
        print(f"numpy cross-check: ok ({np_checked} tensors)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
