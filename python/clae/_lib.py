"""libclae through ctypes: finding and loading the library, its structures and prototypes,
and its errors as Python exceptions (ClaeError carries clae's one-line message)."""
import ctypes
import ctypes.util
import os
import pathlib

__all__ = ["lib", "ClaeError", "check", "Images", "Epoch", "FitOpts", "FitResult", "PROGRESS"]


class ClaeError(RuntimeError):
    """An error of clae: its message is the one line clae printed (file and problem);
    .status is the library's status code (1 bad argument, 2 I/O, 3 malformed file, ...)."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


def _candidates():
    env = os.environ.get("CLAE_LIB")
    if env:
        return [pathlib.Path(env)]
    here = pathlib.Path(__file__).resolve().parent
    found = [here / "libclae.so",                          # a copy next to the package
             here.parent.parent / "build" / "libclae.so",  # python/clae in a checkout
             pathlib.Path.cwd() / "build" / "libclae.so"]  # run from a checkout
    return [p for p in found if p.exists()]


def _load():
    for p in _candidates():  # CLAE_LIB, or the first that exists: its own error if bad
        return ctypes.CDLL(str(p))
    tried = []
    for name in (ctypes.util.find_library("clae"), "libclae.so.0"):
        if not name:
            continue
        tried.append(name)
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    raise ImportError("clae: libclae not found (tried %s): build it (cmake --build build), "
                      "install it (cmake --install build), or set CLAE_LIB to its path"
                      % (", ".join(tried) or "nothing"))


class Images(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int), ("n", ctypes.c_size_t),
                ("h", ctypes.c_int), ("w", ctypes.c_int), ("c", ctypes.c_int)]


class Epoch(ctypes.Structure):
    _fields_ = [("epoch", ctypes.c_long), ("train_loss", ctypes.c_double),
                ("val_loss", ctypes.c_double), ("val_psnr", ctypes.c_double),
                ("lr", ctypes.c_double), ("seconds", ctypes.c_double),
                ("images_per_s", ctypes.c_double), ("steps", ctypes.c_long)]


PROGRESS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(Epoch), ctypes.c_void_p)


class FitOpts(ctypes.Structure):
    _fields_ = [("epochs", ctypes.c_long), ("validation_split", ctypes.c_double),
                ("seed", ctypes.c_longlong), ("shuffle", ctypes.c_int),
                ("out_dir", ctypes.c_char_p), ("overwrite", ctypes.c_int),
                ("progress", PROGRESS), ("user", ctypes.c_void_p)]


class FitResult(ctypes.Structure):
    _fields_ = [("epochs_done", ctypes.c_long), ("steps", ctypes.c_long),
                ("train_loss", ctypes.c_double), ("val_loss", ctypes.c_double),
                ("stopped", ctypes.c_int)]


lib = _load()

_P = ctypes.c_void_p
_S = ctypes.c_char_p
_I = ctypes.c_int
_Z = ctypes.c_size_t
_F = ctypes.POINTER(ctypes.c_float)
_D = ctypes.POINTER(ctypes.c_double)
_PI = ctypes.POINTER(ctypes.c_int)
_IMG = ctypes.POINTER(Images)
_PROTOTYPES = {
    "clae_api_last_error": (_S, []),
    "clae_api_status_name": (_S, [_I]),
    "clae_api_version": (_S, []),
    "clae_api_set_echo": (None, [_I]),
    "clae_api_device_count": (_I, []),
    "clae_api_device_info": (_I, [_I, _S, _Z, _S, _Z, _PI]),
    "clae_api_device_open": (_I, [_S, ctypes.POINTER(_P)]),
    "clae_api_device_name": (_S, [_P]),
    "clae_api_device_close": (None, [_P]),
    "clae_api_model_from_config": (_I, [_P, _S, ctypes.POINTER(_S), _I, ctypes.c_longlong,
                                        ctypes.POINTER(_P)]),
    "clae_api_model_load": (_I, [_P, _S, ctypes.POINTER(_P)]),
    "clae_api_model_free": (None, [_P]),
    "clae_api_model_save": (_I, [_P, _S]),
    "clae_api_model_input_shape": (None, [_P, _PI, _PI, _PI]),
    "clae_api_model_layer_count": (_I, [_P]),
    "clae_api_model_find_layer": (_I, [_P, _S]),
    "clae_api_model_layer_info": (_I, [_P, _I, _S, _Z, _S, _Z, _PI, _PI, _PI]),
    "clae_api_model_predict": (_I, [_P, _IMG, _F, _Z, _I]),
    "clae_api_model_encode": (_I, [_P, _I, _IMG, _F, _Z, _I]),
    "clae_api_model_corrupt": (_I, [_P, _IMG, _F, _Z]),
    "clae_api_model_score": (_I, [_P, _IMG, _D, _D, _I]),
    "clae_api_fit_opts_init": (None, [ctypes.POINTER(FitOpts)]),
    "clae_api_model_fit": (_I, [_P, _IMG, ctypes.POINTER(FitOpts), ctypes.POINTER(FitResult)]),
    "clae_api_model_stop": (None, [_P]),
    "clae_api_model_history_len": (_Z, [_P]),
    "clae_api_model_history_get": (_I, [_P, _Z, ctypes.POINTER(Epoch)]),
}
for _name, (_res, _args) in _PROTOTYPES.items():
    _fn = getattr(lib, _name)
    _fn.restype = _res
    _fn.argtypes = _args


def last_error(status):
    msg = lib.clae_api_last_error()
    msg = msg.decode("utf-8", "replace") if msg else ""
    return msg or "clae: " + lib.clae_api_status_name(status).decode()


def check(status):
    """Raise ClaeError with the calling thread's last error line unless status is 0."""
    if status != 0:
        raise ClaeError(last_error(status), status)
