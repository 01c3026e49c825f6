"""fit: Keras-like History and callbacks, the GIL released while it trains, Ctrl-C."""
import json
import os
import signal
import threading
import time

import pytest

from conftest import CONFIG, np


def test_devices_and_version(clae):
    ds = clae.devices()
    assert ds[-1]["index"] == "ref"
    assert all(set(d) == {"index", "name", "type", "default"} for d in ds)
    assert sum(d["default"] for d in ds) <= 1
    assert clae.__version__.count(".") == 2


def test_layers(clae):
    with clae.Model.from_config(CONFIG, device="ref") as m:
        assert m.input_shape == (8, 8, 3)
        ls = m.layers
        assert [l["kind"] for l in ls] == ["conv2d", "maxpool", "conv2d", "conv2d_transpose",
                                           "conv2d"]
        assert ls[2]["name"] == "code" and ls[2]["shape"] == (4, 4, 6)
        assert m.layer_index("code") == 2


def test_history_and_callbacks(clae, images, capsys):
    seen = []

    class Keras:
        def set_model(self, model):
            self.model = model

        def on_epoch_end(self, epoch, logs):
            if epoch == 2:
                self.model.stop_training = True

    with clae.Model.from_config(CONFIG, device="ref") as m:
        h = m.fit(images[0], epochs=5, validation_split=0.25,
                  callbacks=[lambda e, logs: seen.append((e, logs["loss"])), Keras()])
        assert h.epoch == [0, 1, 2] and h.stopped == 1
        assert [e for e, _ in seen] == [0, 1, 2]
        assert [l for _, l in seen] == h.history["loss"]
        assert all(np.isfinite(h.history["val_loss"]))
        h2 = m.fit(images[0], epochs=1, validation_split=0.0, verbose=1)
        assert h2.epoch == [3] and np.isnan(h2.history["val_loss"][0])
        assert capsys.readouterr().out.startswith("epoch 4: loss ")
        assert m.history.epoch == [0, 1, 2, 3]
        assert m.history.history["loss"][:3] == h.history["loss"]
        # a callback returning True stops too
        h3 = m.fit(images[0], epochs=4, callbacks=[lambda e, logs: True])
        assert h3.epoch == [4] and h3.stopped == 1


def test_fit_out_dir(clae, images, tmp_path):
    with clae.Model.from_config(CONFIG, device="ref") as m:
        m.fit(images[0], epochs=2, out_dir=tmp_path / "run")
        assert (tmp_path / "run" / "last.safetensors").exists()
        assert len((tmp_path / "run" / "history.jsonl").read_text().splitlines()) == 2
        m.fit(images[0], out_dir=tmp_path / "run")  # goes on there, as --resume
        lines = (tmp_path / "run" / "history.jsonl").read_text().splitlines()
        assert [json.loads(l)["epoch"] for l in lines] == [1, 2, 3]
        with clae.Model.from_config(CONFIG, device="ref") as other:
            with pytest.raises(clae.ClaeError, match="already holds a run"):
                other.fit(images[0], out_dir=tmp_path / "run")
            other.fit(images[0], out_dir=tmp_path / "run", overwrite=True)
        assert len((tmp_path / "run" / "history.jsonl").read_text().splitlines()) == 1


def test_gil_released_during_fit(clae, images):
    """ctypes (CDLL) releases the GIL for the call: another Python thread runs while an
    epoch trains (between two epochs' callbacks only C code runs)."""
    ticks = [0]
    running = [True]

    def count():
        while running[0]:
            ticks[0] += 1

    marks = []

    def mark(epoch, logs):
        marks.append(("start", ticks[0]))
        marks.append(("end", ticks[0]))

    x = np.concatenate([images[0]] * 10)
    t = threading.Thread(target=count)
    t.start()
    try:
        with clae.Model.from_config(CONFIG, device="ref") as m:
            m.fit(x, epochs=3, callbacks=[mark])
    finally:
        running[0] = False
        t.join()
    # from the end of one epoch's callback to the start of the next: C only
    gaps = [marks[i + 1][1] - marks[i][1] for i in range(1, len(marks) - 1, 2)]
    assert len(gaps) == 2 and all(g > 0 for g in gaps), gaps


def test_ctrl_c_stops_training(clae, images):
    def interrupt(epoch, logs):
        if epoch == 1:
            os.kill(os.getpid(), signal.SIGINT)

    with clae.Model.from_config(CONFIG, device="ref") as m:
        t0 = time.monotonic()
        with pytest.raises(KeyboardInterrupt, match="interrupted after step"):
            m.fit(images[0], epochs=10000, callbacks=[interrupt])
        assert time.monotonic() - t0 < 60
        done = len(m.history.epoch)
        assert 2 <= done < 100
        # the model is whole: it predicts, and a later fit goes on from where it stopped
        assert np.isfinite(m.predict(images[1])).all()
        h = m.fit(images[0], epochs=1)
        assert h.epoch == [m.history.epoch[-1]]
