"""Shared fixtures for the numba_wasm Python tests.

- `repo_root`: the checkout (Path)
- `numba_wasm_bin`: the CLI, found the way the package finds it
  (`numba_wasm._binary.find_binary`); the tests fail when there is none
- `corpus_builds`: {"opt": Path, "noopt": Path} of kernels.wasm built from
  fixtures/numba-<V>/{opt,noopt}/*.ll into a session tmp dir
- `cases`: the parsed case list of fixtures/numba-<V>/cases.json
- a test taking an argument named `case` is parametrized over every case, with
  the case id as test id
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# Run from a checkout when the package is not installed.
if importlib.util.find_spec("numba_wasm") is None:
    sys.path.insert(0, str(REPO_ROOT / "python"))


def fixtures_dir() -> Path:
    """fixtures/numba-<installed Numba version>, else the newest one present."""
    try:
        wanted = REPO_ROOT / "fixtures" / f"numba-{metadata.version('numba')}"
        if wanted.is_dir():
            return wanted
    except metadata.PackageNotFoundError:
        pass
    dirs = sorted((REPO_ROOT / "fixtures").glob("numba-*/cases.json"))
    if not dirs:
        raise FileNotFoundError("no fixtures/numba-*/cases.json in the checkout")
    return dirs[-1].parent


def load_cases() -> list[dict]:
    return json.loads((fixtures_dir() / "cases.json").read_text())["cases"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        cases = load_cases()
        metafunc.parametrize("case", cases, ids=[c["id"] for c in cases])


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def numba_wasm_bin() -> Path:
    # One search order for the package and its tests; a missing binary is a
    # failure, never a skip (CI would pass without testing anything).
    from numba_wasm._binary import find_binary
    from numba_wasm.errors import NumbaWasmError
    try:
        return find_binary()
    except NumbaWasmError as e:
        pytest.fail(str(e))


@pytest.fixture(scope="session")
def cases() -> list[dict]:
    return load_cases()


@pytest.fixture(scope="session")
def corpus_builds(numba_wasm_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out_root = tmp_path_factory.mktemp("corpus")
    builds = {}
    for form in ("opt", "noopt"):
        inputs = sorted(str(p) for p in (fixtures_dir() / form).glob("*.ll"))
        out = out_root / form
        proc = subprocess.run([str(numba_wasm_bin), "build", *inputs, "-o", str(out), "--name", "kernels"],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.fail(f"numba-wasm build ({form}) failed:\n{proc.stderr}")
        builds[form] = out / "kernels.wasm"
    return builds
