"""Exceptions raised by numba_wasm."""
from __future__ import annotations

from typing import TypedDict


class Diagnostic(TypedDict):
    """One problem the binary reported (a `--message-format json` line).

    `message` is the human text; `function` the Python `module.qualname` at
    fault, `symbol` the mangled or runtime symbol, `input` the input file,
    `hint` how to fix it (each None when it does not apply).
    """

    level: str
    message: str
    function: str | None
    symbol: str | None
    input: str | None
    hint: str | None


class NumbaWasmError(Exception):
    """Base class of numba_wasm's own errors."""


class BuildError(NumbaWasmError):
    """`numba-wasm build` (or preparing its input) failed.

    `str(err)` is the binary's message, one line per diagnostic;
    `.functions` the Python qualnames of the functions they are about;
    `.diagnostics` the binary's diagnostics (empty for errors found before it
    ran); `.stderr` its error output as text: each diagnostic as
    `numba-wasm: error: <message>`, then anything else it wrote to stderr.
    """

    def __init__(self, message: str, functions: list[str] | None = None,
                 stderr: str = "", diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.functions = list(functions or [])
        self.stderr = stderr
        self.diagnostics = list(diagnostics or [])


class VerificationError(NumbaWasmError, AssertionError):
    """Native Numba and the wasm module disagree (see the message's diff)."""


class UntestedNumbaWarning(UserWarning):
    """The installed Numba is not one numba-wasm's fixtures cover."""
