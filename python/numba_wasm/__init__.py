"""Compile Numba @njit kernels to WebAssembly, run and verify them from Python.

    out = numba_wasm.build([total, other], "out/", name="kernels")
    mod = numba_wasm.load(out.wasm)
    mod.total(np.arange(10.0))
    numba_wasm.verify(total, np.arange(10.0))
    numba_wasm.image_view(kernel, args=(320, 240, numba_wasm.Slider("n", 1, 100)))

numba and wasmtime are imported on first use, not by `import numba_wasm`.
"""
from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from .build import BuildResult, SimdLevel, build
from .errors import BuildError, NumbaWasmError, UntestedNumbaWarning, VerificationError
from .verify import VerifyResult, verify

__all__ = [
    "build", "BuildResult", "SimdLevel", "load", "verify", "VerifyResult",
    "image_view", "ImageView", "Slider",
    "find_binary", "NumbaWasmError", "BuildError", "VerificationError", "UntestedNumbaWarning",
]

# Loaded on first access (wasmtime, the widget's dependencies).
_LAZY = {"load": ".runtime", "find_binary": "._binary",
         "image_view": ".widget", "ImageView": ".widget", "Slider": ".widget"}
# Functions named like their submodule: importing the submodule must not
# replace the function on the package.
_SHADOWED = {"build", "verify"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name], __name__)
        if hasattr(module, name):
            value = globals()[name] = getattr(module, name)
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
