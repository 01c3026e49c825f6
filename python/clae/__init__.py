"""clae from Python: convolutional autoencoders on OpenCL with NumPy in and out.

    import clae
    m = clae.Model.from_config("configs/denoiser.cfg", device="ref")
    hist = m.fit(x_train, epochs=1)          # x: (N, 32, 32, 3) uint8 or float32
    restored = m.predict(m.corrupt(x_test))
    codes = m.encode(x_test, layer=3)
    m.save("denoiser.safetensors"); m2 = clae.load("denoiser.safetensors")

A thin layer over libclae (include/clae/clae.h) through ctypes."""
from ._lib import ClaeError, lib as _cdll
from .model import History, Model, device, devices, load

__all__ = ["ClaeError", "History", "Model", "device", "devices", "load", "__version__"]
__version__ = _cdll.clae_api_version().decode()
