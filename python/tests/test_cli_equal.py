"""The Python package against the `clae` command on the same images and seed: training,
checkpoints, codes and outputs equal bit for bit."""
import json

import pytest

from conftest import CONFIG, np, read_safetensors, run_cli

TRAIN_FLAGS = ("--quiet", "--no-progress", "--no-tensorboard")


def train_cli(clae_bin, data_dir, out, device="ref", seed=11, epochs=2):
    run_cli(clae_bin, "train", CONFIG, "--data", data_dir, "--out", out, "--device", device,
            "--seed", seed, "--epochs", epochs, *TRAIN_FLAGS)
    return out / "last.safetensors"


def assert_same_checkpoint(a, b):
    ta, ma = read_safetensors(a)
    tb, mb = read_safetensors(b)
    assert sorted(ta) == sorted(tb)
    for name in ta:
        assert ta[name] == tb[name], "tensor %s differs" % name
    for key in ("epoch", "step", "seed", "rng", "train_loss", "val_loss", "best_val_loss",
                "config"):
        assert ma[key] == mb[key], "metadata %s: %r against %r" % (key, ma[key], mb[key])
    return ma


def has_device(clae, device):
    return device == "ref" or any(str(d["index"]) == device for d in clae.devices())


@pytest.mark.parametrize("device", ["ref", "0"])
def test_fit_equals_clae_train(clae, clae_bin, data_dir, images, tmp_path, device):
    if not has_device(clae, device):
        pytest.skip("no OpenCL device")
    ckpt = train_cli(clae_bin, data_dir, tmp_path / "cli", device=device)
    with clae.Model.from_config(CONFIG, device=device, seed=11) as m:
        hist = m.fit(images[0], epochs=2)
        m.save(tmp_path / "py.safetensors")
    meta = assert_same_checkpoint(ckpt, tmp_path / "py.safetensors")
    assert hist.epoch == [0, 1]
    assert hist.history["loss"][-1] == float(meta["train_loss"])
    assert hist.history["val_loss"][-1] == float(meta["val_loss"])
    lines = [json.loads(l) for l in (tmp_path / "cli" / "history.jsonl").read_text().split("\n")
             if l.strip()]
    for line, loss, val in zip(lines, hist.history["loss"], hist.history["val_loss"]):
        assert line["train_loss"] == float("%.9g" % loss)
        assert line["val_loss"] == float("%.9g" % val)


def test_other_seed_differs(clae, clae_bin, data_dir, images, tmp_path):
    """The comparison can fail: another seed gives other weights."""
    ckpt = train_cli(clae_bin, data_dir, tmp_path / "cli", epochs=1)
    with clae.Model.from_config(CONFIG, device="ref", seed=12) as m:
        m.fit(images[0], epochs=1)
        m.save(tmp_path / "py.safetensors")
    with pytest.raises(AssertionError, match="differs"):
        assert_same_checkpoint(ckpt, tmp_path / "py.safetensors")


def test_two_fits_equal_one(clae, images, tmp_path):
    """fit goes on from where the model's run is: 1 + 1 epochs = 2 epochs."""
    with clae.Model.from_config(CONFIG, device="ref") as a, \
            clae.Model.from_config(CONFIG, device="ref") as b:
        a.fit(images[0], epochs=2)
        b.fit(images[0], epochs=1)
        b.fit(images[0], epochs=1)
        a.save(tmp_path / "a.safetensors")
        b.save(tmp_path / "b.safetensors")
        assert b.history.epoch == [0, 1]
    assert_same_checkpoint(tmp_path / "a.safetensors", tmp_path / "b.safetensors")


def test_load_fit_equals_clae_train_resume(clae, clae_bin, data_dir, images, tmp_path):
    """A checkpoint of clae train, loaded and fitted on into its own folder, goes on as
    `clae train --resume` does: the same weights and the same history.jsonl."""
    import shutil
    ckpt = train_cli(clae_bin, data_dir, tmp_path / "a", epochs=1)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    run_cli(clae_bin, "train", "--resume", tmp_path / "b" / "last.safetensors", "--epochs", 2,
            "--device", "ref", *TRAIN_FLAGS)
    with clae.load(ckpt, device="ref") as m:
        h = m.fit(images[0], epochs=1, out_dir=tmp_path / "a")
        assert h.epoch == [1]
    assert_same_checkpoint(tmp_path / "a" / "last.safetensors",
                           tmp_path / "b" / "last.safetensors")
    a = [json.loads(l) for l in (tmp_path / "a" / "history.jsonl").read_text().splitlines()]
    b = [json.loads(l) for l in (tmp_path / "b" / "history.jsonl").read_text().splitlines()]
    drop = ("seconds", "images_per_s")
    assert [{k: v for k, v in l.items() if k not in drop} for l in a] == \
        [{k: v for k, v in l.items() if k not in drop} for l in b]


def cli_encode(clae_bin, ckpt, data_dir, out, layer, device="ref"):
    run_cli(clae_bin, "encode", ckpt, out, "--layer", layer, "--split", "test", "--data",
            data_dir, "--corrupt", "none", "--device", device)
    return np.load(out)


@pytest.mark.parametrize("device", ["ref", "0"])
def test_encode_predict_equal_clae_encode(clae, clae_bin, data_dir, images, tmp_path, device):
    if not has_device(clae, device):
        pytest.skip("no OpenCL device")
    ckpt = train_cli(clae_bin, data_dir, tmp_path / "cli", epochs=1)
    code = cli_encode(clae_bin, ckpt, data_dir, tmp_path / "code.npy", "code", device)
    out = cli_encode(clae_bin, ckpt, data_dir, tmp_path / "out.npy", "4", device)
    with clae.load(ckpt, device=device) as m:
        got_code = m.encode(images[1], layer="code")
        got_out = m.predict(images[1])
        assert m.encode(images[1], layer=4).tobytes() == got_out.tobytes()
    assert got_code.dtype == np.float32 and got_code.shape == (len(images[1]), 4, 4, 6)
    assert got_code.tobytes() == code.transpose(0, 2, 3, 1).tobytes()
    assert got_out.tobytes() == out.transpose(0, 2, 3, 1).tobytes()


def test_score_equals_clae_score(clae, clae_bin, data_dir, images, tmp_path):
    ckpt = train_cli(clae_bin, data_dir, tmp_path / "cli", epochs=1)
    run_cli(clae_bin, "score", ckpt, tmp_path / "s.csv", "--data", data_dir, "--device", "ref")
    rows = [l.split(",") for l in (tmp_path / "s.csv").read_text().split("\n")[1:] if l]
    with clae.load(ckpt, device="ref") as m:
        s = m.score(images[1])
    assert ["%.9g" % v for v in s["mse"]] == [r[2] for r in rows]
    assert ["%.9g" % v for v in s["ssim"]] == [r[3] for r in rows]


def test_save_load_round_trip(clae, images, tmp_path):
    with clae.Model.from_config(CONFIG, device="ref") as m:
        m.fit(images[0], epochs=1)
        m.save(tmp_path / "a.safetensors")
        out = m.predict(images[1])
    with clae.load(tmp_path / "a.safetensors", device="ref") as m2:
        m2.save(tmp_path / "b.safetensors")
        assert m2.predict(images[1]).tobytes() == out.tobytes()
    assert_same_checkpoint(tmp_path / "a.safetensors", tmp_path / "b.safetensors")


def test_float32_fit_equals_uint8(clae, images, tmp_path):
    """float32 images are quantised as the engine's 8-bit records: x / 255 trains as x."""
    x = images[0]
    with clae.Model.from_config(CONFIG, device="ref") as a, \
            clae.Model.from_config(CONFIG, device="ref") as b:
        a.fit(x, epochs=1)
        b.fit(x.astype(np.float32) / 255.0, epochs=1)
        assert a.predict(images[1]).tobytes() == b.predict(images[1]).tobytes()
        assert a.predict(images[1]).tobytes() == \
            a.predict(images[1].astype(np.float32) / np.float32(255)).tobytes()
