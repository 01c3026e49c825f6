"""A training run's OUT/tb/ read back with TensorBoard's own reader
(tensorboard.backend.event_processing.event_accumulator, with its purge of
what a resumed run replaced) against OUT/history.jsonl: every scalar at
every epoch, the same epochs once each, and the --samples images.

    python tests/tensorboard_check.py OUT [--images | --images=E1,E2,...]

Each image "samples" must be the PNG of OUT/samples/epoch-NNNN.png byte
for byte; --images: every epoch has one; --images=LIST: these epochs do. Prints what differs; exit 1 then.
Needs the tensorboard package (scripts/check-venv.sh makes .venv-check/).
"""
import json
import math
import os
import sys

from tensorboard.backend.event_processing import event_accumulator as ea

# history.jsonl key -> tag; the history writes -1 for what was not measured
SCALARS = {
    "train_loss": "train/loss",
    "val_loss": "val/loss",
    "val_psnr": "val/psnr",
    "val_accuracy": "val/accuracy",
    "lr": "train/lr",
    "images_per_s": "train/images_per_s",
}


def expected(history):
    """{tag: {epoch: value}} from the history's lines."""
    want = {}
    for line in history:
        ep = line["epoch"]
        for key, tag in SCALARS.items():
            if line[key] != -1:
                want.setdefault(tag, {})[ep] = line[key]
        for key, prefix in (("terms", "train/"), ("val_terms", "val/")):
            for name, v in line.get(key, {}).items():
                want.setdefault(prefix + name, {})[ep] = v
    return want


def close(tag, a, b):
    # float32 in the event file (6e-8); the history prints the losses and
    # terms to 9 significant digits, the rest to 6 (lr 7): half a unit of the
    # last is 5e-6 of the value at most
    tol = 1e-6 if tag.endswith("loss") or tag not in SCALARS.values() else 6e-6
    return math.isclose(a, b, rel_tol=tol, abs_tol=1e-30)


def main(argv):
    out = argv[1]
    images = None  # the epochs that must have an image
    for a in argv[2:]:
        if a == "--images":
            images = "all"
        elif a.startswith("--images="):
            images = [int(x) for x in a[9:].split(",")]
    with open(os.path.join(out, "history.jsonl")) as f:
        history = [json.loads(line) for line in f if line.strip()]
    acc = ea.EventAccumulator(os.path.join(out, "tb"),
                              size_guidance={ea.SCALARS: 0, ea.IMAGES: 0},
                              purge_orphaned_data=True)
    acc.Reload()
    tags = acc.Tags()
    bad = []
    want = expected(history)
    epochs = [line["epoch"] for line in history]
    for tag in sorted(set(want) | set(tags["scalars"])):
        if tag not in tags["scalars"]:
            bad.append(f"{tag}: not in the event files")
            continue
        got = [(e.step, e.value) for e in acc.Scalars(tag)]
        steps = [s for s, _ in got]
        if tag not in want:
            bad.append(f"{tag}: in the event files, not in history.jsonl")
        elif steps != sorted(want[tag]):
            bad.append(f"{tag}: steps {steps}, history.jsonl has {sorted(want[tag])}")
        else:
            for s, v in got:
                if not close(tag, v, want[tag][s]):
                    bad.append(f"{tag} at {s}: {v}, history.jsonl {want[tag][s]}")
    ims = acc.Images("samples") if "samples" in tags["images"] else []
    if images == "all":
        images = epochs
    if images is not None and [e.step for e in ims] != images:
        bad.append(f"samples: steps {[e.step for e in ims]}, expected {images}")
    for e in ims:  # each image is its epoch's figure
        path = os.path.join(out, "samples", "epoch-%04d.png" % e.step)
        try:
            with open(path, "rb") as f:
                png = f.read()
        except OSError as err:
            bad.append(f"samples at {e.step}: {err}")
            continue
        if e.encoded_image_string != png:
            bad.append(f"samples at {e.step}: not the bytes of {path}")
        w = int.from_bytes(png[16:20], "big")
        h = int.from_bytes(png[20:24], "big")
        if (e.width, e.height) != (w, h):
            bad.append(f"samples at {e.step}: {e.width}x{e.height}, the PNG {w}x{h}")
    if set(tags["images"]) - {"samples"}:
        bad.append(f"images {tags['images']}: expected samples alone")
    for b in bad:
        print("tensorboard_check:", b)
    n = sum(len(v) for v in want.values())
    if not bad:
        print(f"tensorboard_check: {out}: {len(want)} scalar tags, {n} values over epochs "
              f"{epochs[0]}..{epochs[-1]} match history.jsonl"
              + (", and the samples images" if images else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
