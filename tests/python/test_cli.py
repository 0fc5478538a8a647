"""`python -m numba_wasm build file.py:f1,f2 -o out/` from a shell."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numba_wasm
import numpy as np

KERNELS = textwrap.dedent('''
    import numpy as np
    from numba import njit, types

    _getpid = types.ExternalFunction("getpid", types.int32())

    @njit("float64(float64[::1])")
    def total(x):
        return x.sum()

    @njit("int64[::1](int64[::1], int64)")
    def shift(a, k):
        return a + k

    @njit("int64(int64)")
    def rnd(n):
        return n + _getpid()

    @njit
    def lazy(x):
        return x
''')


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    # make the package importable in the child even when it is not installed
    pkg_parent = str(Path(numba_wasm.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [pkg_parent, env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "numba_wasm", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def test_build_two_functions(tmp_path):
    src = tmp_path / "mykernels.py"
    src.write_text(KERNELS)
    proc = run_cli("build", f"{src}:total,shift", "-o", str(tmp_path / "out"),
                   "--name", "mk", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    paths = [Path(p) for p in proc.stdout.split()]
    assert paths == [out / "mk.wasm", out / "mk.js", out / "mk.d.ts"]
    assert all(p.is_file() for p in paths)

    from numba_wasm._ir import load_module
    native = load_module(src)
    mod = numba_wasm.load(out / "mk.wasm")
    x = np.arange(12.0) * 0.1
    assert mod.total(x) == native.total(x)
    a = np.arange(5)
    np.testing.assert_array_equal(mod.shift(a, 7), native.shift(a, 7))


def test_no_simd_flag(tmp_path):
    src = tmp_path / "simdkernels.py"
    src.write_text(KERNELS)
    proc = run_cli("build", f"{src}:shift", "-o", str(tmp_path / "out"), "--no-simd",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b'"simd":"none"' in (tmp_path / "out" / "kernels.wasm").read_bytes()
    both = run_cli("build", f"{src}:shift", "-o", "out", "--no-simd", "--relaxed-simd",
                   cwd=tmp_path)
    assert both.returncode == 2 and "not allowed with" in both.stderr


def test_unsupported_function_error(tmp_path):
    src = tmp_path / "badkernels.py"
    src.write_text(KERNELS)
    proc = run_cli("build", f"{src}:total,rnd", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ")
    assert "`badkernels.rnd`" in proc.stderr and "getpid" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "kernels.wasm").exists()


def test_no_signature_error(tmp_path):
    src = tmp_path / "lazykernels.py"
    src.write_text(KERNELS)
    proc = run_cli("build", f"{src}:lazy", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 1
    assert "error: `lazykernels.lazy` has no compiled overloads" in proc.stderr
    assert "explicit signature" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_function_and_file(tmp_path):
    src = tmp_path / "k.py"
    src.write_text(KERNELS)
    proc = run_cli("build", f"{src}:nope", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 1 and "no function `nope`" in proc.stderr
    proc = run_cli("build", "missing.py:f", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 1 and "missing.py: no such file" in proc.stderr
    assert "Traceback" not in proc.stderr
