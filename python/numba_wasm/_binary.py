"""Locate the `numba-wasm` executable.

The one search order, used by the package and by its test suite
(tests/python/conftest.py):

  1. `$NUMBA_WASM_BIN`: an explicit choice wins; it must be an executable.
  2. The executable installed with this package (maturin `bindings = "bin"`
     puts it in the environment's scripts directory: `sysconfig`'s
     "scripts" path, the directory of `sys.executable`, or the user scripts
     directory for a `--user` install).
  3. In a source checkout (this file under `<repo>/python/numba_wasm`),
     `<repo>/target/release/numba-wasm`: the build that matches this source.
  4. `numba-wasm` on `PATH`.

When none exists, the error lists every place searched.
"""
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
    """Where the wheel puts the executable (step 2)."""
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
    """`<repo>/target/release/numba-wasm` when running from a source checkout (step 3)."""
    repo = Path(__file__).resolve().parents[2]
    if (repo / "Cargo.toml").is_file() and (repo / "python" / "numba_wasm").is_dir():
        return repo / "target" / "release" / EXE
    return None


def find_binary() -> Path:
    """Return the path of the `numba-wasm` executable (search order above).

    Raises NumbaWasmError naming every place searched if there is none.
    """
    env = os.environ.get(ENV)
    if env:
        p = Path(env)
        if not _is_exe(p):
            raise NumbaWasmError(f"{ENV}={env} is not an executable file")
        return p
    searched: list[str] = [f"${ENV} (not set)"]
    for p in _installed_candidates():
        if _is_exe(p):
            return p
        searched.append(str(p))
    checkout = _checkout_candidate()
    if checkout is not None:
        if _is_exe(checkout):
            return checkout
        searched.append(f"{checkout} (source checkout)")
    found = shutil.which(EXE)
    if found:
        return Path(found)
    searched.append(f"{EXE} on PATH")
    raise NumbaWasmError(
        "cannot find the numba-wasm executable; searched:\n  " + "\n  ".join(searched) +
        "\ninstall the package with `pip install .` from the numba-wasm repository (it ships "
        f"the binary), set {ENV}=/path/to/numba-wasm, or run `cargo build --release` in the "
        "checkout")
