"""clae models from Python: Model.from_config / load, fit (a Keras-like History), predict,
encode, corrupt, score, save. Arrays are NumPy (N, H, W, C), uint8 (0..255) or float32
(0..1), C-contiguous: they are handed to the library as they are, never copied here; an
array of another dtype raises TypeError, one of another shape or a non-contiguous one
ValueError (np.ascontiguousarray(x) makes one that is not). Errors of clae raise
ClaeError with its one-line message."""
import ctypes
import os
import threading

import numpy as np

from . import _lib
from ._lib import ClaeError, check, lib

__all__ = ["Model", "History", "load", "devices", "device"]

_DTYPES = {np.dtype(np.uint8): 0, np.dtype(np.float32): 1}
_devices = {}  # spec -> _Device: a device is opened once (its kernels built once)
_devices_lock = threading.Lock()


class _Device:
    """An open device (libclae's handle); closed when no Model uses it any more."""

    def __init__(self, spec):
        handle = ctypes.c_void_p()
        check(lib.clae_api_device_open(None if spec is None else str(spec).encode(),
                                       ctypes.byref(handle)))
        self.handle = handle
        self.spec = spec
        self.name = lib.clae_api_device_name(handle).decode("utf-8", "replace")

    def __del__(self):
        if getattr(self, "handle", None) is not None and lib is not None:
            lib.clae_api_device_close(self.handle)  # models keep their own reference
            self.handle = None


def device(spec=None):
    """The device `spec` names: an index (0, "1"), "ref" (the host's reference path), or
    None (CLAE_DEVICE, else the default). Opened once per process and shared."""
    key = None if spec is None else str(spec)
    with _devices_lock:
        if key not in _devices:
            _devices[key] = _Device(key)
        return _devices[key]


def devices():
    """Every OpenCL device (as `clae devices` lists them) and the reference path: a list of
    dicts with index, name, type and default."""
    out = []
    for i in range(lib.clae_api_device_count()):
        name = ctypes.create_string_buffer(256)
        kind = ctypes.create_string_buffer(32)
        default = ctypes.c_int()
        check(lib.clae_api_device_info(i, name, 256, kind, 32, ctypes.byref(default)))
        out.append({"index": i, "name": name.value.decode("utf-8", "replace"),
                    "type": kind.value.decode(), "default": bool(default.value)})
    out.append({"index": "ref", "name": "reference path (host)", "type": "host",
                "default": not out or os.environ.get("CLAE_DEVICE") == "ref"})
    return out


class History:
    """What fit returns, as Keras's: .history (a dict of lists per epoch: loss, val_loss,
    val_psnr, lr, seconds, images_per_s), .epoch (the epochs' numbers, from 0, every fit
    of the model counted), .stopped (0 all epochs, 1 a callback, 2 interrupted, 3 [train]
    patience, 4 [train] max_steps)."""

    KEYS = ("loss", "val_loss", "val_psnr", "lr", "seconds", "images_per_s")

    def __init__(self):
        self.history = {k: [] for k in self.KEYS}
        self.epoch = []
        self.stopped = 0

    def _add(self, e):
        logs = {"loss": e.train_loss, "val_loss": e.val_loss, "val_psnr": e.val_psnr,
                "lr": e.lr, "seconds": e.seconds, "images_per_s": e.images_per_s}
        self.epoch.append(int(e.epoch) - 1)
        for k in self.KEYS:
            self.history[k].append(float(logs[k]))
        return logs

    def __repr__(self):
        return "History(epochs=%d, loss=%r)" % (len(self.epoch), self.history["loss"][-3:])


def _call_callback(cb, epoch, logs, model):
    if hasattr(cb, "on_epoch_end"):
        if hasattr(cb, "set_model") and getattr(cb, "model", None) is not model:
            cb.set_model(model)
        return cb.on_epoch_end(epoch, logs)
    return cb(epoch, logs)


class Model:
    """A clae model on a device. Make one with Model.from_config or clae.load; free its
    memory with close() (or a with block); a closed model raises ClaeError."""

    def __init__(self, handle, dev):
        self._h = handle
        self._dev = dev
        self.stop_training = False  # a Keras callback may set it: fit stops after the epoch
        h, w, c = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
        lib.clae_api_model_input_shape(handle, ctypes.byref(h), ctypes.byref(w),
                                       ctypes.byref(c))
        self.input_shape = (h.value, w.value, c.value)

    @classmethod
    def from_config(cls, path, *, device=None, seed=None, set=()):
        """A new model from a config file, `set` entries ("net.lr=0.01", ...) applied as
        `clae train --set`; its weights drawn as `clae train --seed seed` draws them (None:
        the config's [train] seed)."""
        dev = _device_of(device)
        sets = [str(s).encode() for s in set]
        arr = (ctypes.c_char_p * max(1, len(sets)))(*sets)
        handle = ctypes.c_void_p()
        check(lib.clae_api_model_from_config(dev.handle, os.fsencode(path), arr, len(sets),
                                             -1 if seed is None else int(seed),
                                             ctypes.byref(handle)))
        return cls(handle, dev)

    # ---- life ---------------------------------------------------------------------------

    def close(self):
        """Free the model (its device goes when no model uses it); idempotent."""
        if getattr(self, "_h", None) is not None:
            fitting = getattr(self, "_fit_finished", None)
            if fitting is not None and not fitting.is_set():  # a fit left running
                lib.clae_api_model_stop(self._h)
                fitting.wait()
            lib.clae_api_model_free(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if lib is not None:
            self.close()

    @property
    def closed(self):
        return self._h is None

    def _handle(self):
        if self._h is None:
            raise ClaeError("clae: the model is closed", 9)
        return self._h

    @property
    def device(self):
        return self._dev.name

    # ---- layers -------------------------------------------------------------------------

    @property
    def layers(self):
        """Each layer: dict(index, name, kind, shape), shape per image (H, W, C)."""
        h = self._handle()
        out = []
        for i in range(lib.clae_api_model_layer_count(h)):
            out.append(self._layer(i))
        return out

    def _layer(self, i):
        name, kind = ctypes.create_string_buffer(64), ctypes.create_string_buffer(64)
        dims = [ctypes.c_int() for _ in range(3)]
        check(lib.clae_api_model_layer_info(self._handle(), i, name, 64, kind, 64,
                                            *[ctypes.byref(d) for d in dims]))
        return {"index": i, "name": name.value.decode(), "kind": kind.value.decode(),
                "shape": tuple(d.value for d in dims)}

    def layer_index(self, layer):
        """The index of a layer given by name or index."""
        if isinstance(layer, (int, np.integer)) and not isinstance(layer, bool):
            spec = str(int(layer))
        elif isinstance(layer, str):
            spec = layer
        else:
            raise TypeError("layer: a name or an index, not %r" % type(layer).__name__)
        i = lib.clae_api_model_find_layer(self._handle(), spec.encode())
        if i < 0:
            raise ClaeError(_lib.last_error(1), 1)
        return i

    # ---- arrays -------------------------------------------------------------------------

    def _images(self, x, who):
        """x checked (before any C call) and described for the library, not copied."""
        self._handle()
        if not isinstance(x, np.ndarray):
            raise TypeError("%s: expected a NumPy array, not %s" % (who, type(x).__name__))
        if x.dtype not in _DTYPES:
            raise TypeError("%s: images of dtype %s: expected uint8 (0..255) or float32 "
                            "(0..1); x.astype(np.float32) converts" % (who, x.dtype))
        if x.ndim != 4 or tuple(x.shape[1:]) != self.input_shape or x.shape[0] == 0:
            raise ValueError("%s: images of shape %s: expected (N, %d, %d, %d) with N >= 1"
                             % ((who, x.shape) + self.input_shape))
        if not x.flags.c_contiguous:
            raise ValueError("%s: the array is not C-contiguous: pass np.ascontiguousarray(x)"
                             % who)
        return _lib.Images(x.ctypes.data, _DTYPES[x.dtype], x.shape[0], *self.input_shape)

    @staticmethod
    def _batch(batch_size):
        if batch_size is None:
            return 0
        if int(batch_size) < 1:
            raise ValueError("batch_size %r: expected 1 or more" % (batch_size,))
        return int(batch_size)

    def _run_layer(self, i, x, batch_size, who):
        img = self._images(x, who)
        shape = self._layer(i)["shape"]
        out = np.empty((img.n,) + shape, dtype=np.float32)
        ptr = out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        if who == "predict":
            check(lib.clae_api_model_predict(self._h, ctypes.byref(img), ptr, out.size,
                                             self._batch(batch_size)))
        else:
            check(lib.clae_api_model_encode(self._h, i, ctypes.byref(img), ptr, out.size,
                                            self._batch(batch_size)))
        return out

    # ---- inference ----------------------------------------------------------------------

    def predict(self, x, batch_size=None):
        """The model's outputs for x (N, H, W, C), float32 (N, H, W, C); no corruption."""
        return self._run_layer(lib.clae_api_model_layer_count(self._handle()) - 1, x,
                               batch_size, "predict")

    def encode(self, x, layer="code", batch_size=None):
        """The output of `layer` (a name or an index) for x: (N, H, W, C), or (N, C) for a
        layer of one value per channel (1 x 1), as `clae encode --corrupt none` gives."""
        i = self.layer_index(layer)
        out = self._run_layer(i, x, batch_size, "encode")
        return out.reshape(out.shape[0], -1) if out.shape[1:3] == (1, 1) else out

    def corrupt(self, x):
        """x corrupted as the config's [train] says (the blur, noise, ... of training), float32."""
        img = self._images(x, "corrupt")
        out = np.empty((img.n,) + self.input_shape, dtype=np.float32)
        check(lib.clae_api_model_corrupt(self._h, ctypes.byref(img),
                                         out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                                         out.size))
        return out

    def score(self, x, batch_size=None):
        """Per-image anomaly scores as `clae score`: {"mse": (N,), "ssim": (N,)} of each image
        corrupted, restored and compared with the clean one."""
        img = self._images(x, "score")
        mse = np.empty(img.n, dtype=np.float64)
        ssim = np.empty(img.n, dtype=np.float64)
        dp = ctypes.POINTER(ctypes.c_double)
        check(lib.clae_api_model_score(self._h, ctypes.byref(img), mse.ctypes.data_as(dp),
                                       ssim.ctypes.data_as(dp), self._batch(batch_size)))
        return {"mse": mse, "ssim": ssim}

    # ---- training -----------------------------------------------------------------------

    @property
    def history(self):
        """Every fit's epochs so far, as one History."""
        h = History()
        e = _lib.Epoch()
        for i in range(lib.clae_api_model_history_len(self._handle())):
            check(lib.clae_api_model_history_get(self._h, i, ctypes.byref(e)))
            h._add(e)
        return h

    def fit(self, x, epochs=1, validation_split=None, callbacks=None, seed=None, shuffle=None,
            out_dir=None, overwrite=False, verbose=0):
        """Train on x (N, H, W, C) with the config's corruption, loss and optimizer, going on
        from where the model is; validation on the last validation_split of x (None: the
        config's). callbacks: callables f(epoch, logs) or Keras-like objects with
        on_epoch_end(epoch, logs); one returning True (or setting model.stop_training)
        stops after the epoch. out_dir: keep the checkpoints and history.jsonl there, as
        `clae train --out` (the folder of the model's previous fit goes on, as --resume).
        verbose=1: a line per epoch. Runs in a thread of its own without the GIL (callbacks
        run in that thread; they may use other models, not this one); Ctrl-C stops it
        after the current step (the model keeps those weights; a later fit goes on from
        there) and raises KeyboardInterrupt. Returns this call's History."""
        h = self._handle()
        img = self._images(x, "fit")
        opts = _lib.FitOpts()
        lib.clae_api_fit_opts_init(ctypes.byref(opts))
        opts.epochs = int(epochs)
        if opts.epochs < 1:
            raise ValueError("epochs %r: expected 1 or more" % (epochs,))
        if validation_split is not None:
            if not 0.0 <= float(validation_split) < 1.0:
                raise ValueError("validation_split %r: expected 0 to below 1"
                                 % (validation_split,))
            opts.validation_split = float(validation_split)
        if seed is not None:
            opts.seed = int(seed)
        if shuffle is not None:
            opts.shuffle = int(bool(shuffle))
        if out_dir is not None:
            opts.out_dir = os.fsencode(out_dir)
        opts.overwrite = int(bool(overwrite))
        callbacks = list(callbacks or [])
        hist, errors = History(), []
        self.stop_training = False

        def progress(ep, user):
            try:
                logs = hist._add(ep.contents)
                if verbose:
                    print("epoch %d: loss %.6f, val_loss %.6f, %.0f images/s, %.1f s"
                          % (hist.epoch[-1] + 1, logs["loss"], logs["val_loss"],
                             logs["images_per_s"], logs["seconds"]), flush=True)
                stop = False
                for cb in callbacks:
                    stop = bool(_call_callback(cb, hist.epoch[-1], dict(logs), self)) or stop
                return 1 if stop or self.stop_training else 0
            except BaseException as exc:  # raised again in the caller's thread
                errors.append(exc)
                return 1

        opts.progress = _lib.PROGRESS(progress)
        res = _lib.FitResult()
        done = {}
        finished = threading.Event()

        def work(x=x):  # x: the array stays alive while the library reads it
            try:
                st = lib.clae_api_model_fit(h, ctypes.byref(img), ctypes.byref(opts),
                                            ctypes.byref(res))
                if st != 0:  # the error line is the training thread's own
                    done["error"] = ClaeError(_lib.last_error(st), st)
            finally:
                finished.set()

        self._fit_finished = finished  # close() waits for it
        t = threading.Thread(target=work, name="clae-fit", daemon=True)
        t.start()
        interrupted = False
        while not finished.is_set():
            try:  # not Thread.join: an interrupted join can leave is_alive() False too early
                finished.wait(0.1)
            except KeyboardInterrupt:
                lib.clae_api_model_stop(h)  # after the current step; waited for here
                interrupted = True
        t.join()
        if "error" in done:
            raise done["error"]
        if errors:
            raise errors[0]
        hist.stopped = res.stopped
        if interrupted:
            raise KeyboardInterrupt("clae: training interrupted after step %d (epoch %d done);"
                                    " the model holds that step's weights" %
                                    (res.steps, res.epochs_done))
        return hist

    # ---- checkpoints --------------------------------------------------------------------

    def save(self, path):
        """The checkpoint of the model as it is (weights, optimizer, run), written atomically;
        `clae` commands and clae.load read it."""
        check(lib.clae_api_model_save(self._handle(), os.fsencode(path)))


def _device_of(spec):
    return spec if isinstance(spec, _Device) else device(spec)


def load(path, *, device=None):
    """A model from a checkpoint (clae train's, clae init's or Model.save's), its optimizer
    and run included: fit goes on as `clae train --resume` would."""
    dev = _device_of(device)
    handle = ctypes.c_void_p()
    check(lib.clae_api_model_load(dev.handle, os.fsencode(path), ctypes.byref(handle)))
    return Model(handle, dev)
