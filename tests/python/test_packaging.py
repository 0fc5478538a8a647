"""The wheel ships the numba-wasm binary and the numba_wasm package, and the
installed package finds the installed binary. Slow (builds the wheel): runs
only with NUMBA_WASM_TEST_WHEEL=1."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.environ.get("NUMBA_WASM_TEST_WHEEL") != "1",
                                reason="set NUMBA_WASM_TEST_WHEEL=1 to build and install the wheel")

REPO = Path(__file__).resolve().parents[2]
PKG_FILES = ["__init__.py", "_binary.py", "_ir.py", "build.py", "verify.py", "errors.py",
             "__main__.py", "runtime.py"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "-w", str(out), "--no-deps"],
                   check=True, capture_output=True, text=True)
    (whl,) = out.glob("numba_wasm-*.whl")
    return whl


def test_wheel_contents(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    scripts = [n for n in names if ".data/scripts/" in n]
    assert [Path(n).name for n in scripts] == ["numba-wasm"], names
    for f in PKG_FILES:
        assert f"numba_wasm/{f}" in names, names


def test_installed_package_finds_installed_binary(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    # numba, numpy and wasmtime come from the test environment (no downloads)
    site = subprocess.check_output(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True).strip()
    Path(site, "_test_env.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, text=True)
    installed = env_dir / "bin" / "numba-wasm"
    assert installed.is_file() and os.access(installed, os.X_OK)

    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_WASM_BIN", "PYTHONPATH")}
    code = ("import numba_wasm, numba_wasm._binary as b; "
            "print(numba_wasm.__file__); print(b.find_binary())")
    lines = subprocess.check_output([str(py), "-c", code], cwd=tmp_path, env=env,
                                    text=True).splitlines()
    assert Path(lines[0]).is_relative_to(env_dir), lines
    assert Path(lines[1]) == installed, lines

    # end to end with the installed pieces
    (tmp_path / "k.py").write_text(
        "from numba import njit\n"
        "@njit('int64(int64, int64)')\n"
        "def add(a, b):\n    return a + b\n")
    check = ("import numba_wasm; from numba_wasm._ir import load_module; "
             "m = load_module('k.py'); print(numba_wasm.verify(m.add, 2, 40))")
    out = subprocess.check_output([str(py), "-c", check], cwd=tmp_path, env=env, text=True)
    assert "native=42, wasm=42" in out
