"""The shim's libm against native Numba (glibc) and mpmath, on a small grid
(scripts/libm_accuracy.py; the full table is docs/libm.md): for every
`math`, `cmath` and NumPy ufunc function, float64 and float32,
1. special values (nan, ±inf, ±0 results) are native's, bit for bit;
2. the max ulp error of the wasm build is no larger than native's, except by
   the amounts `libm_accuracy.TOLERANCE` states and justifies."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("mpmath")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import libm_accuracy as la  # noqa: E402

GRID = 300
KEYS = [(f.name, d) for f in la.FUNCS for d in f.dtypes]


@pytest.fixture(scope="module")
def rows() -> dict[tuple[str, str], la.Row]:
    return {(r.name, r.dtype): r for r in la.evaluate(la.FUNCS, GRID, progress=False)}


@pytest.mark.parametrize("key", KEYS, ids=[f"{n}-{d}" for n, d in KEYS])
def test_special_values_as_native(rows, key):
    r = rows[key]
    assert not r.special_mismatch, "\n".join(r.special_mismatch[:10])


@pytest.mark.parametrize("key", KEYS, ids=[f"{n}-{d}" for n, d in KEYS])
def test_max_error_no_worse_than_native(rows, key):
    r = rows[key]
    assert r.n > GRID // 3, f"only {r.n} points scored"
    tol = la.TOLERANCE.get(key, 0.0)
    assert r.wasm_max <= r.native_max + tol, (
        f"{key}: wasm {r.wasm_max:.4g} ulp > native {r.native_max:.4g} + {tol} at {r.worst}")


# glibc's own algorithms, with the operations its x86-64 build fuses.
BIT_EXACT = [(n, "float64") for n in (
    "math.exp", "math.exp2", "math.expm1", "math.log", "math.log2", "math.log10", "math.log1p",
    "math.pow", "math.sinh", "math.cosh", "math.tanh", "math.asinh", "math.acosh", "math.atanh",
    "np.power", "np.exp", "np.log", "np.expm1", "np.log1p", "np.arcsinh", "np.arccosh",
    "np.arctanh")] + [(n, "float32") for n in (
    "math.exp", "math.exp2", "math.log", "math.log2", "np.exp", "np.log")]


@pytest.mark.parametrize("key", BIT_EXACT, ids=[f"{n}-{d}" for n, d in BIT_EXACT])
def test_glibc_algorithms_bit_exact(rows, key):
    # musl's weak definitions (still in the archive) differ from these on
    # 0.1-10% of inputs, so this also shows the shim's strong symbols are
    # the ones linked.
    r = rows[key]
    assert r.differ == 0, f"{key}: {r.differ} of the grid's results differ from native"


def test_tolerances_name_real_functions():
    assert set(la.TOLERANCE) <= set(KEYS)


def test_committed_table_covers_every_function():
    text = la.DOC.read_text()
    for name, dtype in KEYS:
        assert f"| `{name}` | {dtype} |" in text, (name, dtype)


def test_glibc_derived_functions_equal_the_hosts_glibc(tmp_path):
    """shims/glibc-diff compares the shim's glibc-derived float64 functions
    with the host's libm on random arguments and random bit patterns: the
    same code native Numba calls, so any difference is a bug in the port."""
    import platform
    import shutil
    import subprocess

    if (platform.system(), platform.machine(), platform.libc_ver()[0]) != \
            ("Linux", "x86_64", "glibc"):
        pytest.skip("the ports reproduce glibc on x86-64 Linux")
    cargo = shutil.which("cargo")
    assert cargo, "cargo is needed to build shims/glibc-diff"
    tool = ROOT / "shims" / "glibc-diff"
    target = "x86_64-unknown-linux-gnu"
    subprocess.run([cargo, "build", "--release", "--quiet", "--target", target],
                   cwd=tool, check=True, timeout=600)
    proc = subprocess.run([str(tool / "target" / target / "release" / "glibc-diff"), "300000"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.count(" 0 of ") == 18, proc.stdout
