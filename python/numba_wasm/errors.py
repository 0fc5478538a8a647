"""Exceptions raised by numba_wasm."""
from __future__ import annotations


class NumbaWasmError(Exception):
    """Base class of numba_wasm's own errors."""


class BuildError(NumbaWasmError):
    """`numba-wasm build` (or preparing its input) failed.

    `str(err)` is the binary's message; `.functions` the Python qualnames of
    the functions it names; `.stderr` the binary's full error output.
    """

    def __init__(self, message: str, functions: list[str] | None = None,
                 stderr: str = ""):
        super().__init__(message)
        self.functions = list(functions or [])
        self.stderr = stderr


class VerificationError(NumbaWasmError, AssertionError):
    """Native Numba and the wasm module disagree (see the message's diff)."""
