"""Locate the `numba-wasm` executable."""
from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

from .errors import NumbaWasmError

EXE = "numba-wasm" + (".exe" if os.name == "nt" else "")
ENV = "NUMBA_WASM_BIN"


def _is_exe(p: Path) -> bool:
    return p.is_file() and os.access(p, os.X_OK)


def _installed_candidates() -> list[Path]:
    """Where the wheel (maturin `bindings = "bin"`) puts the executable."""
    dirs = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    if _installed_in_user_site():
        dirs.append(sysconfig.get_path(
            "scripts", sysconfig.get_preferred_scheme("user")))
    return [Path(d) / EXE for d in dict.fromkeys(dirs) if d]


def _installed_in_user_site() -> bool:
    import site
    user_site = site.getusersitepackages()
    return bool(user_site) and Path(__file__).resolve().is_relative_to(
        Path(user_site).resolve())


def _checkout_candidate() -> Path | None:
    """`<repo>/target/release/numba-wasm` when running from a source checkout."""
    repo = Path(__file__).resolve().parents[2]
    if (repo / "Cargo.toml").is_file() and (repo / "python" / "numba_wasm").is_dir():
        return repo / "target" / "release" / EXE
    return None


def find_binary() -> Path:
    """Return the path of the `numba-wasm` executable.

    Search order:
      1. the executable installed with this package (the environment's
         scripts dir, `sysconfig.get_path("scripts")`, or the dir of
         `sys.executable`, or the user scripts dir);
      2. `$NUMBA_WASM_BIN`;
      3. `numba-wasm` on `PATH`;
      4. in a source checkout (package not installed), `target/release/numba-wasm`.
    Raises NumbaWasmError if none exists.
    """
    for p in _installed_candidates():
        if _is_exe(p):
            return p
    env = os.environ.get(ENV)
    if env:
        p = Path(env)
        if not _is_exe(p):
            raise NumbaWasmError(f"{ENV}={env} is not an executable file")
        return p
    found = shutil.which("numba-wasm")
    if found:
        return Path(found)
    p = _checkout_candidate()
    if p is not None and _is_exe(p):
        return p
    raise NumbaWasmError(
        "cannot find the numba-wasm executable: install the package with "
        "`pip install .` from the numba-wasm repository (it ships the binary), "
        f"set {ENV}=/path/to/numba-wasm, put numba-wasm on PATH, or run "
        "`cargo build --release` in the checkout")
