"""`numba-wasm build --package`: the npm package, used as a consumer would.

Two @njit kernels are built into a package (scoped name, given version);
tests/js/package_check.mjs packs it, installs the tarball offline into a
scratch project, calls the kernels from Node, from an esbuild bundle (six
ways of calling `load`), from a Vite page and a module Web Worker inside it
(built, and served by Vite's dev server; all pages in headless Chromium),
and type-checks a strict TypeScript file against it. Every result is compared with native Numba on
the same inputs: floats bit for bit (`a * x + y` is one rounding per
operation on both sides: no fast-math, no contraction), int64 exactly.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numba_wasm.build import dump_ir, resolve_targets, signature_str

from numba import njit

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
NODE = shutil.which("node")
SCRIPT = ROOT / "tests" / "js" / "package_check.mjs"
PACKAGE = "@numba-wasm-test/kernels"
VERSION = "1.2.3-rc.1"


@njit("float64[:](float64, float64[:], float64[:])")
def saxpy(a: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return a * x + y


@njit("int64(int64)")
def tri(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i * i
    return total


def inputs() -> dict[str, Any]:
    rng = np.random.default_rng(7)
    return {"a": 2.5, "x": rng.standard_normal(33).tolist(), "y": rng.standard_normal(33).tolist(),
            "n": 100_000}


@pytest.fixture(scope="module")
def package(numba_wasm_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("npm") / "pkg"
    proc = subprocess.run(
        [str(numba_wasm_bin), "build", "-", "--package", str(out), "--name", "kernels",
         "--package-name", PACKAGE, "--package-version", VERSION],
        input=dump_ir(resolve_targets([saxpy, tri])).encode(), capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    return out


@pytest.fixture(scope="module")
def consumer(package: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if NODE is None or not Path(CHROMIUM).exists():
        pytest.skip("needs node and /usr/bin/chromium")
    for dep in ("playwright-core", "esbuild", "vite", "typescript"):
        if not (ROOT / "node_modules" / dep).is_dir():
            pytest.skip(f"needs {dep} in node_modules (npm ci)")
    work = tmp_path_factory.mktemp("consumer")
    (work / "input.json").write_text(json.dumps(inputs()))
    p = subprocess.run([NODE, str(SCRIPT), str(package), str(work / "scratch"), str(work / "input.json")],
                       cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert p.returncode == 0, f"package_check.mjs failed:\n{p.stdout[-4000:]}\n{p.stderr[-4000:]}"
    return json.loads(p.stdout.strip().splitlines()[-1])


def native() -> dict[str, Any]:
    i = inputs()
    out = saxpy(i["a"], np.array(i["x"]), np.array(i["y"]))
    return {"saxpy": out, "shape": list(out.shape), "tri": tri(i["n"])}


def check(where: str, got: dict[str, Any]) -> None:
    assert "error" not in got, f"{where}: {got['error']}"
    want = native()
    assert got["shape"] == want["shape"], where
    # Bit for bit: the same float64 values (JSON round-trips doubles exactly).
    np.testing.assert_array_equal(np.array(got["saxpy"], np.float64).view(np.int64),
                                  want["saxpy"].view(np.int64), err_msg=where)
    assert int(got["tri"]) == want["tri"], where


def test_package_files(package: Path) -> None:
    manifest = json.loads((package / "package.json").read_text())
    assert manifest["name"] == PACKAGE and manifest["version"] == VERSION
    assert sorted(p.name for p in package.iterdir()) == sorted(
        ["package.json", "README.md", "kernels.js", "kernels.d.ts", "kernels.wasm"])
    readme = (package / "README.md").read_text()
    for kernel in (saxpy, tri):
        for cres in kernel.overloads.values():
            assert f"`{signature_str(cres)}`" in readme


def test_packed_tarball_holds_the_module(consumer: dict[str, Any]) -> None:
    pack = consumer["pack"]
    assert pack["files"] == sorted(["README.md", "kernels.d.ts", "kernels.js", "kernels.wasm",
                                    "package.json"])
    print(f"\n{pack['filename']}: {pack['size']} bytes packed, {pack['unpackedSize']} unpacked")


def test_publish_dry_run_needs_no_correction(consumer: dict[str, Any]) -> None:
    publish = consumer["publishDryRun"]
    assert publish["status"] == 0, publish["output"]
    assert "auto-corrected" not in publish["output"], publish["output"]
    assert f"{PACKAGE}@{VERSION}" in publish["output"]


def test_node_import(consumer: dict[str, Any]) -> None:
    check("node", consumer["node"])


@pytest.mark.parametrize("how", ["urlString", "urlObject", "fetchPromise", "response",
                                 "arrayBuffer", "module"])
def test_esbuild_page(consumer: dict[str, Any], how: str) -> None:
    page = consumer["esbuild"]
    assert "error" not in page, page["error"]
    assert not page.get("pageErrors"), page["pageErrors"]
    check(f"esbuild/{how}", page[how])


@pytest.mark.parametrize("where", ["default", "worker"])
@pytest.mark.parametrize("server", ["vite", "viteDev"])
def test_vite_page_and_worker(consumer: dict[str, Any], server: str, where: str) -> None:
    page = consumer[server]
    assert "error" not in page, page["error"]
    assert not page.get("pageErrors"), page["pageErrors"]
    check(f"{server}/{where}", page[where])


@pytest.mark.parametrize("resolution", ["nodenext", "bundler"])
def test_typescript(consumer: dict[str, Any], resolution: str) -> None:
    tsc = consumer["tsc"][resolution]
    assert tsc["ok"], tsc["output"]


@pytest.mark.parametrize("name, why", [
    ("Kernels", "capital letters"),
    ("_kernels", "starts with `.` or `_`"),
    ("my kernels", "may only contain"),
    ("fs", "Node built-in"),
    ("@scope", "@scope/name"),
])
def test_bad_package_names_are_refused(numba_wasm_bin: Path, tmp_path: Path, name: str,
                                       why: str) -> None:
    proc = subprocess.run(
        [str(numba_wasm_bin), "build", "-", "--package", str(tmp_path / "pkg"),
         "--package-name", name], input="", capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    assert f"`{name}` is not a valid npm package name" in proc.stderr and why in proc.stderr
    assert not (tmp_path / "pkg").exists()


def test_bad_version_is_refused(numba_wasm_bin: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(numba_wasm_bin), "build", "-", "--package", str(tmp_path / "pkg"),
         "--package-version", "1.0"], input="", capture_output=True, text=True, check=False)
    assert proc.returncode != 0 and "`1.0` is not a valid package version" in proc.stderr
