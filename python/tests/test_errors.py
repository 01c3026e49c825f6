"""Bad inputs raise (TypeError, ValueError or ClaeError with clae's one-line message) and
never crash: wrong dtypes, shapes, non-contiguous arrays, closed models, bad files."""
import pytest

from conftest import CONFIG, np


@pytest.fixture
def model(clae):
    with clae.Model.from_config(CONFIG, device="ref") as m:
        yield m


@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.uint16, np.bool_])
def test_wrong_dtype(model, images, dtype):
    x = images[1].astype(dtype)
    for call in (model.predict, model.encode, model.fit, model.score, model.corrupt):
        with pytest.raises(TypeError, match="expected uint8"):
            call(x)


@pytest.mark.parametrize("shape", [(8, 8, 3), (2, 8, 8), (2, 8, 8, 1), (2, 4, 8, 3),
                                   (0, 8, 8, 3), (1, 2, 8, 8, 3)])
def test_wrong_shape(model, shape):
    x = np.zeros(shape, dtype=np.uint8)
    for call in (model.predict, model.fit, model.score):
        with pytest.raises(ValueError, match="expected \\(N, 8, 8, 3\\)"):
            call(x)


def test_not_an_array(model):
    with pytest.raises(TypeError):
        model.predict([[1, 2, 3]])


def test_non_contiguous(model, images):
    x = np.zeros((4, 8, 8, 6), dtype=np.uint8)[..., ::2]
    assert x.shape == (4, 8, 8, 3) and not x.flags.c_contiguous
    with pytest.raises(ValueError, match="ascontiguousarray"):
        model.predict(x)
    with pytest.raises(ValueError, match="ascontiguousarray"):
        model.fit(np.asfortranarray(images[0]))
    model.predict(np.ascontiguousarray(x))  # the way out works


def test_closed_model(clae, images):
    m = clae.Model.from_config(CONFIG, device="ref")
    m.close()
    m.close()  # twice is fine
    assert m.closed
    for call in (m.predict, m.fit, m.score, lambda x: m.save("x.safetensors"),
                 lambda x: m.layers, lambda x: m.history):
        with pytest.raises(clae.ClaeError, match="closed"):
            call(images[1])


def test_bad_config(clae, tmp_path):
    with pytest.raises(clae.ClaeError, match="missing.cfg") as e:
        clae.Model.from_config(tmp_path / "missing.cfg", device="ref")
    assert "\n" not in str(e.value)
    bad = tmp_path / "bad.cfg"
    bad.write_text(CONFIG.read_text().replace("filters = 6", "filtrs = 6"))
    with pytest.raises(clae.ClaeError, match="bad.cfg:.*filtrs"):
        clae.Model.from_config(bad, device="ref")
    with pytest.raises(clae.ClaeError, match="net.nosuchkey"):
        clae.Model.from_config(CONFIG, device="ref", set=["net.nosuchkey=1"])


def test_bad_checkpoint(clae, tmp_path):
    p = tmp_path / "junk.safetensors"
    p.write_bytes(b"not a checkpoint at all")
    with pytest.raises(clae.ClaeError, match="junk.safetensors"):
        clae.load(p, device="ref")


def test_bad_device(clae):
    with pytest.raises(clae.ClaeError, match="no device 99"):
        clae.device(99)


def test_bad_layer(clae, model, images):
    with pytest.raises(clae.ClaeError, match="no layer of that name.*named: code"):
        model.encode(images[1], layer="nosuch")
    with pytest.raises(clae.ClaeError, match="layers 0 to 4"):
        model.encode(images[1], layer=5)


def test_bad_fit_arguments(clae, model, images):
    with pytest.raises(ValueError):
        model.fit(images[0], epochs=0)
    with pytest.raises(ValueError):
        model.fit(images[0], validation_split=1.0)
    x = images[0].astype(np.float32) / 255.0
    x[3, 2, 1, 0] = 1.5
    with pytest.raises(clae.ClaeError, match="image 3 holds 1.5 at \\(2, 1, 0\\).*\\[0, 1\\]"):
        model.fit(x)
    with pytest.raises(clae.ClaeError, match="no training images"):
        model.fit(images[0][:1], validation_split=0.5)
    # the model is fine after all of that
    assert model.predict(images[1]).shape == images[1].shape


def test_error_is_per_thread_and_cleared(clae, model, images):
    with pytest.raises(clae.ClaeError):
        model.encode(images[1], layer="nosuch")
    model.predict(images[1])
    assert clae._lib.lib.clae_api_last_error() == b""


def test_callback_exception_propagates(model, images):
    def boom(epoch, logs):
        raise RuntimeError("from the callback")
    with pytest.raises(RuntimeError, match="from the callback"):
        model.fit(images[0], epochs=3, callbacks=[boom])
    assert len(model.history.epoch) == 1  # stopped after the epoch that raised
