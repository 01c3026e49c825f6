"""Packaging (pyproject.toml has the rest): pure Python, nothing compiled. Where this checkout
has built libclae (../build/libclae.so), a copy goes into the package, so that
`pip install ./python` after the build is the whole installation; without one the package
finds the library at $CLAE_LIB or on the system (cmake --install) when imported."""
import pathlib
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPy(build_py):
    def run(self):
        super().run()
        built = pathlib.Path(__file__).resolve().parent.parent / "build" / "libclae.so"
        if built.exists():
            dest = pathlib.Path(self.build_lib) / "clae" / "libclae.so"
            shutil.copy2(built.resolve(), dest)
            print("clae: bundled %s" % built.resolve())


setup(cmdclass={"build_py": BuildPy})
