#!/usr/bin/env python3
"""A clae checkpoint as a PyTorch module, and through it as ONNX.

Usage: scripts/clae2torch.py CKPT [--onnx OUT.onnx] [--opset N]
                             [--check DATA_DIR [--clae BIN] [--device N|ref] [--tol T]
                              | --expect OUT.npy] [--batch N] [--quiet]

Builds the torch.nn.Module of the model in CKPT from the config stored in its
metadata, loads its float32 weights (the checkpoint's `layers.<i>.weight` and
`.bias` are the module's state_dict names; Adam moments are skipped), puts it
in eval mode (dropout drops nothing, [sampling] gives its mean, as clae does
outside training) and prints a summary: each layer, its torch form and output
shape. Tensors are NCHW as in clae; the module takes a float (N, C, H, W)
batch and returns (N, C, H, W), or (N, C) where the last layer is 1x1 (a
[dense] head), the shapes `clae encode` writes.

  --onnx OUT.onnx   also export through torch.onnx (dynamic batch axis, opset
                    --opset, default 18), checked with onnx.checker
  --check DIR       run the module on the first --batch (default 8) test images
                    of a CIFAR-10 binary folder (pixels / 255, no corruption) and
                    compare with clae's output on the same images: `BIN encode CKPT
                    TMP.npy --layer LAST --corrupt none --limit N --data DIR` (BIN:
                    --clae, else $CLAE_BIN, else build/clae); with --onnx and
                    onnxruntime installed, the exported file too. Exit 1 when a
                    largest absolute difference is over --tol (default 1e-4)
  --expect OUT.npy  compare with a `clae encode CKPT OUT.npy --layer LAST
                    --corrupt none --limit N` output of your own (same images:
                    --check DIR gives the folder, default data/cifar-10-batches-bin)
  --batch N         images compared (default 8); without --check and --expect,
                    N random inputs run through the module (and onnxruntime)
  --device N|ref    clae's device for --check (default: clae's own choice)
  --quiet           no summary

As a module: `from clae2torch import load; net = load("last.safetensors")`
(scripts/ on sys.path); `build(config_text)` gives a fresh one, which
scripts/bench_torch.py trains in train mode: dropout drops, [sampling] draws
and `net(x, with_terms=True)` returns (output, its KL term). Needs torch
and numpy (onnx, onnxscript for --onnx, onnxruntime to run the export):
`.venv-bench/bin/python` has them after `scripts/bench-vs.sh --torch` and
`.venv-bench/bin/pip install onnx onnxscript onnxruntime`. A layer kind or
key this script does not know is refused in one line naming the layer.
Errors: one line 'clae2torch: ...' on stderr, exit 1 (2: usage).
"""
import importlib.util
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CIFAR_RECORD = 3073
CIFAR_TEST = "test_batch.bin"
DEFAULT_TOL = 1e-4
DEFAULT_OPSET = 18


class Bad(Exception):
    """A one-line problem with the checkpoint, its config or the options."""


def _show_checkpoint():
    """scripts/show-checkpoint.py as a module: its validating safetensors parser."""
    path = os.path.join(HERE, "show-checkpoint.py")
    spec = importlib.util.spec_from_file_location("show_checkpoint", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---- the config: clae's INI dialect (src/host/model.c reader + inih) -------

def parse_config(text):
    """-> [(section, {key: value}, line)] in file order; a repeated section is a new one."""
    sections = []
    for lineno, raw in enumerate(text.split("\n"), 1):
        line = raw
        if lineno == 1 and line.startswith("\ufeff"):
            line = line[1:]
        line = line.lstrip(" \t")
        for i in range(1, len(line)):  # '#' after a blank (clae's reader), ';' after one (inih)
            if line[i] in "#;" and line[i - 1] in " \t":
                line = line[:i]
                break
        line = line.rstrip(" \t\r")
        if not line or line[0] in "#;":
            continue
        if line[0] == "[":
            end = line.find("]")
            if end < 0:
                raise Bad(f"config line {lineno}: section header without ']'")
            sections.append((line[1:end].strip(), {}, lineno))
            continue
        cut = min((i for i in (line.find("="), line.find(":")) if i >= 0), default=-1)
        if cut < 0:
            raise Bad(f"config line {lineno}: expected key=value or [section]")
        if not sections:
            raise Bad(f"config line {lineno}: key outside any section")
        sections[-1][1][line[:cut].strip()] = line[cut + 1:].strip()
    return sections


def _ints(v, n_min, n_max, what):
    try:
        xs = [int(p.strip(), 10) for p in v.split(",")]
    except ValueError:
        raise Bad(f"{what}: '{v}' is not {n_min} to {n_max} integers")
    if not n_min <= len(xs) <= n_max:
        raise Bad(f"{what}: '{v}' is not {n_min} to {n_max} integers")
    return xs


def _pair(v, what):
    xs = _ints(v, 1, 2, what)
    return (xs[0], xs[-1])


def _f32(v, what):
    import numpy as np
    try:
        return float(np.float32(float(v)))
    except ValueError:
        raise Bad(f"{what}: '{v}' is not a number")


ACTS = ("linear", "relu", "sigmoid", "tanh", "leaky_relu", "softmax")
COMMON = {"name": None, "activity_l1": "0"}  # activity_l1: a loss term only
CONV = {"filters": None, "size": None, "stride": "1", "padding": "valid",
        "activation": "linear", "alpha": "0.3"}
POOL = {"size": "2", "stride": "=size", "padding": "valid"}
# kind -> {key: default}; None: required (or no default), "=k": key k's value
KINDS = {
    "conv2d": CONV,
    "conv2d_transpose": CONV,
    "maxpool": POOL,
    "avgpool": POOL,
    "upsampling2d": {"size": "2", "interpolation": "nearest"},
    "bed_of_nails": {"size": "2"},
    "max_unpooling2d": {"pool": None},
    "dropout": {"rate": None},
    "add": {"from": None},
    "flatten": {},
    "dense": {"units": None, "activation": "linear", "alpha": "0.3", "contractive": "0"},
    "reshape": {"target_shape": None},
    "sampling": {"latent": None, "kl_weight": "1"},
}
REQUIRED_OPTIONAL = {"name"}  # None defaults that may stay unset


def layer_specs(text):
    """-> (input (C, H, W), [dict per layer]) from a config's text: each dict has
    kind, the keys with defaults applied, and the shapes in/out as (C, H, W)."""
    sections = parse_config(text)
    net = next((kv for s, kv, _ in sections if s == "net"), None)
    if net is None or "input" not in net:
        raise Bad("the stored config has no [net] input = H,W,C")
    H, W, C = _ints(net["input"], 3, 3, "[net] input")
    layers = []
    names = {}
    shape = (C, H, W)
    for sec, kv, line in sections:
        if sec in ("net", "train"):
            continue
        i = len(layers)
        where = f"layer {i} ([{sec}], config line {line})"
        if sec == "branch":
            raise Bad(f"config line {line}: a model with branches ([branch] sections: one encoder, "
                      "several decoders) is not exported by clae2torch yet")
        if sec not in KINDS:
            raise Bad(f"{where}: layer kind '{sec}' is not supported by clae2torch "
                      f"(it knows {', '.join(KINDS)})")
        table = dict(KINDS[sec], **COMMON)
        for k in kv:
            if k not in table:
                raise Bad(f"{where}: key '{k}' is not supported by clae2torch")
        spec = {"kind": sec, "index": i, "where": where, "in": shape}
        for k, d in table.items():
            v = kv.get(k, d)
            if v is not None and v.startswith("="):
                v = kv.get(v[1:], table[v[1:]])
            if v is None and k not in REQUIRED_OPTIONAL:
                raise Bad(f"{where}: needs {k}")
            spec[k] = v
        shape = _layer_shape(spec, shape, layers, names)
        spec["out"] = shape
        if spec["name"]:
            names[spec["name"]] = i
        layers.append(spec)
    if not layers:
        raise Bad("the stored config has no layers")
    return (C, H, W), layers


def _same_pads(out, stride, k, n):
    total = max((out - 1) * stride + k - n, 0)
    return total // 2, total - total // 2


def _layer_shape(s, shape, layers, names):
    """Fill s with what its torch form needs; -> its output (C, H, W) (src/host/ops/shape.c)."""
    C, H, W = shape
    kind, where = s["kind"], s["where"]
    if kind in ("conv2d", "conv2d_transpose", "maxpool", "avgpool"):
        R, S = _pair(s["size"], f"{where}: size")
        sh, sw = _pair(s["stride"], f"{where}: stride")
        if s["padding"] not in ("valid", "same"):
            raise Bad(f"{where}: padding '{s['padding']}' is not valid or same")
        same = s["padding"] == "same"
        K = int(s["filters"]) if kind.startswith("conv") else C
        s.update(R=R, S=S, sh=sh, sw=sw, K=K)
        if kind == "conv2d_transpose":
            if same:
                P, Q = H * sh, W * sw
            else:
                P, Q = H * sh + max(R - sh, 0), W * sw + max(S - sw, 0)
            # rows of the uncropped output dropped at the top/left ('same': the odd one last)
            s["crop"] = (_same_pads(H, sh, R, P)[0], _same_pads(W, sw, S, Q)[0])
        else:
            if same:
                P, Q = -(-H // sh), -(-W // sw)
                s["pads"] = _same_pads(P, sh, R, H) + _same_pads(Q, sw, S, W)  # t, b, l, r
            else:
                if H < R or W < S:
                    raise Bad(f"{where}: a {R}x{S} window does not fit its {H}x{W} input")
                P, Q = (H - R) // sh + 1, (W - S) // sw + 1
                s["pads"] = (0, 0, 0, 0)
        if kind.startswith("conv"):
            _activation(s)
        return (K, P, Q)
    if kind in ("upsampling2d", "bed_of_nails"):
        sh, sw = _pair(s["size"], f"{where}: size")
        if s.get("interpolation", "nearest") not in ("nearest", "bilinear"):
            raise Bad(f"{where}: interpolation '{s['interpolation']}' is not nearest or bilinear")
        s.update(sh=sh, sw=sw)
        return (C, H * sh, W * sw)
    if kind == "max_unpooling2d":
        src = names.get(s["pool"])
        if src is None or layers[src]["kind"] != "maxpool":
            raise Bad(f"{where}: pool '{s['pool']}' is not an earlier [maxpool]")
        p = layers[src]
        if p["sh"] < p["R"] or p["sw"] < p["S"] or p["out"] != shape:
            raise Bad(f"{where}: pool '{s['pool']}' overlaps or does not give its input")
        s["src"] = src
        p["indices"] = True
        return p["in"]
    if kind == "add":
        if s["from"] == "input":
            s["src"] = -1
        elif s["from"] in names:
            s["src"] = names[s["from"]]
        else:
            raise Bad(f"{where}: from '{s['from']}' is not an earlier layer or input")
        return shape
    if kind == "dropout":
        return shape
    if kind == "flatten":
        return (C * H * W, 1, 1)
    if kind == "dense":
        if H != 1 or W != 1:
            raise Bad(f"{where}: its input {C}x{H}x{W} is not flat")
        s["units"] = int(s["units"])
        _activation(s)
        return (s["units"], 1, 1)
    if kind == "reshape":
        th, tw, tc = _ints(s["target_shape"], 3, 3, f"{where}: target_shape")
        if th * tw * tc != C * H * W:
            raise Bad(f"{where}: target_shape {th},{tw},{tc} does not hold its {C * H * W} values")
        return (tc, th, tw)
    if kind == "sampling":
        s["latent"] = int(s["latent"])
        if C != 2 * s["latent"]:
            raise Bad(f"{where}: its input has {C} channels, not 2 x latent")
        return (s["latent"], H, W)
    raise Bad(f"{where}: layer kind '{kind}' is not supported by clae2torch")  # not reached


def _activation(s):
    if s["activation"] not in ACTS:
        raise Bad(f"{s['where']}: activation '{s['activation']}' is not supported by clae2torch")
    s["alpha"] = _f32(s["alpha"], f"{s['where']}: alpha")


# ---- the torch modules ------------------------------------------------------

def _modules():
    """The layer classes, made once torch is imported (the parser above needs no torch)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    def act(x, s):
        a = s["activation"]
        if a == "relu":
            return torch.relu(x)
        if a == "sigmoid":
            return torch.sigmoid(x)
        if a == "tanh":
            return torch.tanh(x)
        if a == "leaky_relu":
            return F.leaky_relu(x, s["alpha"])
        if a == "softmax":  # one sample's values (a [dense] head)
            return torch.softmax(x, dim=1)
        return x

    def act_text(s):
        a = s["activation"]
        return f"leaky_relu({s['alpha']:g})" if a == "leaky_relu" else a

    class Conv2d(nn.Conv2d):
        """Keras Conv2D: 'same' pads the odd row/column at the bottom/right."""

        def __init__(self, s):
            t, b, l, r = s["pads"]
            sym = t == b and l == r
            super().__init__(s["in"][0], s["K"], (s["R"], s["S"]), (s["sh"], s["sw"]),
                             padding=(t, l) if sym else 0)
            self.s, self.pad = s, None if sym else (l, r, t, b)

        def forward(self, x):
            if self.pad:
                x = F.pad(x, self.pad)
            return act(super().forward(x), self.s)

        def text(self):
            return (f"Conv2d {self.s['R']}x{self.s['S']} stride {self.s['sh']},{self.s['sw']} "
                    f"pad t,b,l,r {','.join(map(str, self.s['pads']))}, {act_text(self.s)}")

    class ConvTranspose2d(nn.ConvTranspose2d):
        """Keras Conv2DTranspose: the full transposed convolution (output_padding
        where the kernel is smaller than the stride), cropped to (P, Q) from the
        top/left by crop ('same' drops the odd row/column last)."""

        def __init__(self, s):
            (C, H, W), (K, P, Q) = s["in"], s["out"]
            pt, pl = s["crop"]
            full_h, full_w = (H - 1) * s["sh"] + s["R"], (W - 1) * s["sw"] + s["S"]
            op = (max(P + pt - full_h, 0), max(Q + pl - full_w, 0))
            super().__init__(C, K, (s["R"], s["S"]), (s["sh"], s["sw"]), output_padding=op)
            self.s, self.op = s, op
            self.cut = None if (pt, pl) == (0, 0) and (full_h + op[0], full_w + op[1]) == (P, Q) \
                else (pt, pt + P, pl, pl + Q)

        def forward(self, x):
            y = super().forward(x)
            if self.cut:
                t, b, l, r = self.cut
                y = y[:, :, t:b, l:r]
            return act(y, self.s)

        def text(self):
            return (f"ConvTranspose2d {self.s['R']}x{self.s['S']} stride "
                    f"{self.s['sh']},{self.s['sw']} output_padding {self.op[0]},{self.op[1]} "
                    f"crop from {self.s['crop'][0]},{self.s['crop'][1]}, {act_text(self.s)}")

    class MaxPool(nn.Module):
        """Out-of-image elements never win (padded with -inf); indices are
        row*W+col in the unpadded plane, first maximum in row-major order."""

        def __init__(self, s):
            super().__init__()
            self.s = s
            t, b, l, r = s["pads"]
            self.pad = (l, r, t, b) if any(s["pads"]) else None

        def forward(self, x, indices=False):
            s = self.s
            if self.pad:
                x = F.pad(x, self.pad, value=-math.inf)
            if not indices:
                return F.max_pool2d(x, (s["R"], s["S"]), (s["sh"], s["sw"]))
            y, idx = F.max_pool2d(x, (s["R"], s["S"]), (s["sh"], s["sw"]), return_indices=True)
            if self.pad:  # back to the unpadded plane
                wp = x.shape[3]
                idx = (idx // wp - self.pad[2]) * s["in"][2] + (idx % wp - self.pad[0])
            return y, idx

        def text(self):
            return (f"max_pool2d {self.s['R']}x{self.s['S']} stride {self.s['sh']},{self.s['sw']}"
                    f" pad t,b,l,r {','.join(map(str, self.s['pads']))} (-inf)")

    class AvgPool(nn.Module):
        """The mean over the window's in-image elements."""

        def __init__(self, s):
            super().__init__()
            self.s = s
            t, b, l, r = s["pads"]
            self.pad = (l, r, t, b) if any(s["pads"]) else None
            if self.pad:  # R*S / (in-image elements) per output position
                import numpy as np
                C, P, Q = s["out"]
                H, W = s["in"][1:]
                rows = [min(p * s["sh"] - t + s["R"], H) - max(p * s["sh"] - t, 0)
                        for p in range(P)]
                cols = [min(q * s["sw"] - l + s["S"], W) - max(q * s["sw"] - l, 0)
                        for q in range(Q)]
                count = np.outer(rows, cols).astype(np.float32)
                scale = np.float32(s["R"] * s["S"]) / count
                self.register_buffer("scale", torch.from_numpy(scale)[None, None],
                                     persistent=False)

        def forward(self, x):
            s = self.s
            if not self.pad:
                return F.avg_pool2d(x, (s["R"], s["S"]), (s["sh"], s["sw"]))
            return F.avg_pool2d(F.pad(x, self.pad), (s["R"], s["S"]), (s["sh"], s["sw"])) \
                * self.scale

        def text(self):
            return (f"avg_pool2d {self.s['R']}x{self.s['S']} stride {self.s['sh']},{self.s['sw']}"
                    f" pad t,b,l,r {','.join(map(str, self.s['pads']))} (in-image mean)")

    class Upsample(nn.Module):
        """nearest (repeat), bilinear (half-pixel centres, edges clamped:
        align_corners=False) or bed of nails (the value top-left, zeros)."""

        def __init__(self, s):
            super().__init__()
            self.s = s
            self.mode = "nails" if s["kind"] == "bed_of_nails" else s["interpolation"]

        def forward(self, x):
            (C, H, W), (_, P, Q), sh, sw = self.s["in"], self.s["out"], self.s["sh"], self.s["sw"]
            if self.mode == "bilinear":
                return F.interpolate(x, size=(P, Q), mode="bilinear", align_corners=False)
            x = x.reshape(-1, C, H, 1, W, 1)
            if self.mode == "nearest":
                x = x.expand(-1, C, H, sh, W, sw)
            else:
                x = F.pad(x, (0, sw - 1, 0, 0, 0, sh - 1))
            return x.reshape(-1, C, P, Q)

        def text(self):
            return f"{self.mode} x{self.s['sh']},{self.s['sw']}"

    class Unpool(nn.Module):
        """Each value back where its pool found it (a scatter), zeros elsewhere."""

        def __init__(self, s):
            super().__init__()
            self.s = s

        def forward(self, x, idx):
            C, P, Q = self.s["out"]
            flat = x.reshape(x.shape[0], C, -1)
            out = torch.zeros(x.shape[0], C, P * Q, dtype=x.dtype, device=x.device)
            return out.scatter(2, idx.reshape(x.shape[0], C, -1), flat).reshape(-1, C, P, Q)

        def text(self):
            return f"max-unpool (scatter) with layer {self.s['src']}'s indices"

    class Linear(nn.Linear):
        """Keras Dense on a (N, C, 1, 1) input; weight (units, inputs)."""

        def __init__(self, s):
            super().__init__(s["in"][0], s["units"])
            self.s = s

        def forward(self, x):
            return act(super().forward(x.flatten(1)), self.s).reshape(-1, self.s["units"], 1, 1)

        def text(self):
            return f"Linear {self.in_features} -> {self.out_features}, {act_text(self.s)}"

    class Shape(nn.Module):
        """flatten, reshape, dropout (identity outside training), sampling (the
        mean: the first latent channels; in training mode a draw, mean +
        exp(log-variance / 2) * eps), add (the named output added)."""

        def __init__(self, s):
            super().__init__()
            self.s = s
            if s["kind"] == "sampling":
                self.kl_weight = _f32(s["kl_weight"], f"{s['where']}: kl_weight")

        def forward(self, x, other=None):
            s, (C, H, W) = self.s, self.s["out"]
            k = s["kind"]
            if k in ("flatten", "reshape"):
                return x.reshape(-1, C, H, W)
            if k == "sampling":
                if not self.training:
                    return x[:, :C]
                mu, log_var = x[:, :C], x[:, C:]
                return mu + torch.exp(log_var / 2) * torch.randn_like(mu)
            if k == "add":
                return x + other
            if k == "dropout" and self.training:
                return F.dropout(x, float(s["rate"]), True)
            return x

        def kl(self, x):
            """[sampling]'s loss term on its input x (src/host/layers/sampling.c):
            kl_weight * mean over the batch of the sum over latent units of
            -(1 + log-variance - mean^2 - variance) / 2."""
            C = self.s["out"][0]
            mu, log_var = x[:, :C], x[:, C:]
            per = -(1 + log_var - mu * mu - torch.exp(log_var)) / 2
            return self.kl_weight * per.flatten(1).sum(1).mean()

        def text(self):
            s, k = self.s, self.s["kind"]
            if k == "sampling":
                return f"the mean: channels 0..{s['latent'] - 1} of {2 * s['latent']}"
            if k == "add":
                return f"+ {'input' if s['src'] < 0 else 'layer %d' % s['src']}"
            if k == "dropout":
                return f"identity (rate {s['rate']} in training only)"
            return "view, C,H,W order"

    by_kind = {"conv2d": Conv2d, "conv2d_transpose": ConvTranspose2d, "maxpool": MaxPool,
               "avgpool": AvgPool, "upsampling2d": Upsample, "bed_of_nails": Upsample,
               "max_unpooling2d": Unpool, "dense": Linear}

    class ClaeNet(nn.Module):
        """A clae model: layers[i] holds checkpoint tensors layers.<i>.*."""

        def __init__(self, in_shape, specs, config=""):
            super().__init__()
            self.in_shape, self.specs, self.config = tuple(in_shape), specs, config
            self.layers = nn.ModuleList(by_kind.get(s["kind"], Shape)(s) for s in specs)

        @property
        def out_shape(self):
            return self.specs[-1]["out"]

        def forward(self, x, with_terms=False):
            """-> the output; with with_terms, (output, the layers' loss terms:
            [sampling]'s KL in training mode, else 0)."""
            outs, idx, inp, terms = [], {}, x, 0.0
            for i, (s, layer) in enumerate(zip(self.specs, self.layers)):
                k = s["kind"]
                if k == "sampling" and self.training and with_terms:
                    terms = terms + layer.kl(x)
                if k == "maxpool" and s.get("indices"):
                    x, idx[i] = layer(x, True)
                elif k == "max_unpooling2d":
                    x = layer(x, idx[s["src"]])
                elif k == "add":
                    x = layer(x, inp if s["src"] < 0 else outs[s["src"]])
                else:
                    x = layer(x)
                outs.append(x)
            C, H, W = self.out_shape
            y = x.reshape(-1, C) if H == 1 and W == 1 else x
            return (y, terms) if with_terms else y

    return ClaeNet


def build(config_text):
    """-> a ClaeNet (torch.nn.Module, eval mode, fresh weights) for a clae config's text."""
    in_shape, specs = layer_specs(config_text)
    return _modules()(in_shape, specs, config_text).eval()


def read_checkpoint(path):
    """-> (metadata dict, {name: float32 numpy array}) of the parameter tensors."""
    import numpy as np
    show = _show_checkpoint()
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
        _, meta, tensors = show.parse(blob)
    except show.Bad as e:
        raise Bad(f"{path}: {e}")
    except OSError as e:
        raise Bad(f"{path}: {e.strerror or e}")
    params = {}
    for name, dtype, shape, buf in tensors:
        if not name.startswith("layers.") or name.endswith((".adam_m", ".adam_v")):
            continue
        if dtype != "F32":
            raise Bad(f"{path}: tensor {name} is {dtype}, not F32")
        params[name] = np.frombuffer(buf, dtype="<f4").reshape(shape).copy()
    return meta, params


def load(path):
    """-> the checkpoint's model as a ClaeNet (torch.nn.Module) in eval mode, weights loaded."""
    import torch
    meta, params = read_checkpoint(path)
    if "config" not in meta:
        raise Bad(f"{path}: no 'config' in the metadata (not a clae checkpoint?)")
    net = build(meta["config"])
    want = net.state_dict()
    missing = [k for k in want if k not in params]
    extra = [k for k in params if k not in want]
    if missing or extra:
        raise Bad(f"{path}: tensors do not match the config: "
                  + "; ".join(x for x in (f"missing {', '.join(missing)}" if missing else "",
                                          f"unexpected {', '.join(extra)}" if extra else "") if x))
    for k, v in params.items():
        if tuple(v.shape) != tuple(want[k].shape):
            raise Bad(f"{path}: tensor {k} is {list(v.shape)}, the config makes it "
                      f"{list(want[k].shape)}")
    net.load_state_dict({k: torch.from_numpy(v) for k, v in params.items()}, strict=True)
    net.checkpoint, net.metadata = path, meta
    return net.eval()


# ---- the command ------------------------------------------------------------

def summary(net, out=sys.stdout):
    nparams = sum(p.numel() for p in net.parameters())
    C, H, W = net.in_shape
    print(f"{getattr(net, 'checkpoint', 'model')}: {len(net.specs)} layers, {nparams:,} "
          f"parameters; input (N, {C}, {H}, {W}) -> output (N, {', '.join(map(str, out_dims(net)))})",
          file=out)
    for s, layer in zip(net.specs, net.layers):
        name = f" '{s['name']}'" if s["name"] else ""
        shape = "x".join(map(str, s["out"]))
        print(f"  {s['index']:>3} {s['kind'] + name:<24} {shape:>12}  {layer.text()}", file=out)


def out_dims(net):
    C, H, W = net.out_shape
    return (C,) if H == 1 and W == 1 else (C, H, W)


def cifar_batch(folder, n):
    """The first n test images of a CIFAR-10 binary folder as float32 (n, 3, 32, 32) in [0, 1]."""
    import numpy as np
    path = os.path.join(folder, CIFAR_TEST)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(n * CIFAR_RECORD)
    except OSError as e:
        raise Bad(f"{path}: {e.strerror or e}")
    if len(raw) < n * CIFAR_RECORD:
        raise Bad(f"{path}: fewer than {n} records")
    px = np.frombuffer(raw, dtype=np.uint8).reshape(n, CIFAR_RECORD)[:, 1:]
    return (px.astype(np.float32) / np.float32(255)).reshape(n, 3, 32, 32)


def clae_encode(binary, ckpt, folder, n, last, device):
    """clae's own output of the last layer on the first n test images, uncorrupted."""
    import numpy as np
    with tempfile.TemporaryDirectory(prefix="clae2torch.") as tmp:
        out = os.path.join(tmp, "out.npy")
        cmd = [binary, "encode", ckpt, out, "--layer", str(last), "--corrupt", "none",
               "--limit", str(n), "--data", folder] + (["--device", device] if device else [])
        try:
            r = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as e:
            raise Bad(f"{binary}: {e.strerror or e}")
        if r.returncode != 0:
            lines = (r.stderr or r.stdout).strip().splitlines()
            raise Bad(f"{' '.join(cmd)} failed: {lines[-1] if lines else 'exit %d' % r.returncode}")
        return np.load(out)


def export_onnx(net, path, opset):
    """torch.onnx export with a dynamic batch axis; -> the exporter's name."""
    import logging
    import torch
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)  # "torchvision is not installed"
    import importlib.util
    C, H, W = net.in_shape
    x = torch.rand(2, C, H, W)
    # The dynamo exporter needs torch >= 2.5 with onnxscript; older torch
    # (Debian's 1.13) has only the TorchScript exporter, up to opset 17.
    dynamo = hasattr(torch, "export") and importlib.util.find_spec("onnxscript") is not None
    try:
        if dynamo:
            batch = torch.export.Dim("batch", min=1, max=1 << 20)
            prog = torch.onnx.export(net, (x,), dynamo=True, opset_version=opset,
                                     input_names=["input"], output_names=["output"],
                                     dynamic_shapes={"x": {0: batch}}, verbose=False)
            prog.save(path)
        else:
            opset = min(opset, 17)
            torch.onnx.export(net, (x,), path, opset_version=opset,
                              input_names=["input"], output_names=["output"],
                              dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    except Exception as e:  # the exporter raises many kinds; one line for each
        raise Bad(f"ONNX export failed: {type(e).__name__}: {str(e).strip().splitlines()[0]}")
    try:
        import onnx
        onnx.checker.check_model(onnx.load(path), full_check=True)
    except ImportError:
        pass
    return f"torch.onnx ({'dynamo' if dynamo else 'TorchScript'}), opset {opset}"


def run_onnx(path, x):
    """-> the ONNX file's output on x with onnxruntime, or None without onnxruntime."""
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return sess.run(None, {sess.get_inputs()[0].name: x})[0]


def compare(what, got, want, tol):
    import numpy as np
    if got.shape != want.shape:
        print(f"{what}: shape {got.shape} against clae's {want.shape}: FAIL")
        return False
    d = np.abs(got.astype(np.float64) - want.astype(np.float64))
    worst = float(d.max()) if d.size else 0.0
    ok = worst <= tol and bool(np.isfinite(got).all())
    print(f"{what}: max |diff| {worst:.3g}, mean |diff| {float(d.mean()):.3g} over "
          f"{want.size} values (tolerance {tol:g}): {'ok' if ok else 'FAIL'}")
    return ok


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="clae2torch.py", usage=argparse.SUPPRESS,
                                 description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    hide = argparse.SUPPRESS  # the docstring above says what each option does
    ap.add_argument("ckpt", help=hide)
    ap.add_argument("--onnx", help=hide)
    ap.add_argument("--opset", type=int, default=DEFAULT_OPSET, help=hide)
    ap.add_argument("--check", help=hide)
    ap.add_argument("--expect", help=hide)
    ap.add_argument("--batch", type=int, default=8, help=hide)
    ap.add_argument("--clae", help=hide)
    ap.add_argument("--device", help=hide)
    ap.add_argument("--tol", type=float, default=DEFAULT_TOL, help=hide)
    ap.add_argument("--quiet", action="store_true", help=hide)
    a = ap.parse_args(argv[1:])
    if a.batch < 1:
        ap.error("--batch needs a positive integer")
    try:
        import numpy as np
        import torch
    except ImportError as e:
        print(f"clae2torch: needs torch and numpy ({e}); try .venv-bench/bin/python",
              file=sys.stderr)
        return 1
    try:
        net = load(a.ckpt)
        if not a.quiet:
            summary(net)
        if a.onnx:
            how = export_onnx(net, a.onnx, a.opset)
            print(f"wrote {a.onnx}: {how}, dynamic batch axis")
        if not (a.check or a.expect):
            C, H, W = net.in_shape
            x = torch.rand(a.batch, C, H, W, generator=torch.Generator().manual_seed(0))
            with torch.no_grad():
                y = net(x).numpy()
            print(f"ran {a.batch} random inputs: output {y.shape}, in [{y.min():.4g}, {y.max():.4g}]")
            if a.onnx:
                z = run_onnx(a.onnx, x.numpy())
                if z is not None:
                    d = float(np.abs(z - y).max())
                    print(f"onnxruntime against torch: max |diff| {d:.3g}")
            return 0
        folder = a.check or os.path.join(ROOT, "data", "cifar-10-batches-bin")
        if tuple(net.in_shape) != (3, 32, 32):
            raise Bad(f"{a.ckpt}: the model's input is {net.in_shape}, CIFAR-10's (3, 32, 32)")
        x = cifar_batch(folder, a.batch)
        if a.expect:
            try:
                want = np.load(a.expect)
            except (OSError, ValueError) as e:
                raise Bad(f"{a.expect}: {e}")
            src = a.expect
        else:
            binary = a.clae or os.environ.get("CLAE_BIN") or os.path.join(ROOT, "build", "clae")
            want = clae_encode(binary, a.ckpt, folder, a.batch, len(net.specs) - 1, a.device)
            src = f"{binary} encode --device {a.device or 'default'}"
        print(f"compared with {src} on the first {a.batch} test images of {folder}")
        with torch.no_grad():
            y = net(torch.from_numpy(x)).numpy()
        ok = compare("torch", y, want, a.tol)
        if a.onnx:
            z = run_onnx(a.onnx, x)
            if z is None:
                print("onnxruntime: not installed, the ONNX file was not run")
            else:
                ok = compare("onnxruntime", z, want, a.tol) and ok
        return 0 if ok else 1
    except Bad as e:
        print(f"clae2torch: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
