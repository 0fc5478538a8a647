#!/usr/bin/env python3
"""Regenerate the fixtures of every supported Numba version, or check the
corpus against the Numba installed here.

    python3 scripts/gen_fixtures.py                 # every version in fixtures/numba-versions.txt
    python3 scripts/gen_fixtures.py 0.61.2 0.68.1   # some of them
    python3 scripts/gen_fixtures.py --live          # the current interpreter's Numba, nothing written

For each version it creates or reuses `.venv-numba-<minor>` (the pinned
`requirements/numba-<minor>.txt`, written on first use from what pip
resolves for `numba==<version>`; the newest version uses `.venv` and
`requirements.txt`), then runs scripts/dump_fixtures.py (the corpus, both IR
forms, native results) and scripts/dump_extra_fixtures.py (captures, error
inputs) in it. Deterministic: the same version gives the same files, except
host addresses Numba embeds in some names (see fixtures/README.md).

`--live` dumps the corpus with the installed Numba into a temporary
directory, builds it with target/release/numba-wasm in both forms and runs
it in Node against that Numba's native results: the one-command check for a
new Numba release.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSIONS_FILE = ROOT / "fixtures" / "numba-versions.txt"
TOOLS = ["wasmtime==50.0.1", "pytest==9.2.0"]


def supported_versions() -> list[str]:
    lines = VERSIONS_FILE.read_text().splitlines()
    return [ln.split()[0] for ln in lines if ln.strip() and not ln.startswith("#")]


def minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def venv_for(version: str) -> tuple[Path, Path]:
    """(venv, requirements file) of a Numba version."""
    if version == supported_versions()[-1]:
        return ROOT / ".venv", ROOT / "requirements.txt"
    return ROOT / f".venv-numba-{minor(version)}", ROOT / "requirements" / f"numba-{minor(version)}.txt"


def log(msg: str) -> None:
    print(f"[gen_fixtures {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kw)


def ensure_venv(version: str) -> Path:
    venv, req = venv_for(version)
    py = venv / "bin" / "python"
    stamp = venv / ".requirements"
    if req.is_file() and py.is_file() and stamp.is_file() and stamp.read_text() == req.read_text():
        return py
    if not py.is_file():
        log(f"creating {venv.name}")
        run([sys.executable, "-m", "venv", str(venv)])
    pip = [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    if req.is_file():
        log(f"installing {req.relative_to(ROOT)} into {venv.name}")
        run([*pip, "-r", str(req)])
    else:
        # First use: let pip pick the llvmlite and the newest NumPy this Numba
        # accepts, then pin exactly that.
        log(f"resolving numba=={version} into {venv.name}")
        run([*pip, f"numba=={version}", *TOOLS])
        got = subprocess.run(
            [str(py), "-c", "from importlib.metadata import version as v;"
             "print('\\n'.join(f'{p}=={v(p)}' for p in ('numba', 'llvmlite', 'numpy')))"],
            check=True, capture_output=True, text=True).stdout
        req.write_text(f"# Numba {version} (scripts/gen_fixtures.py pinned what pip resolved).\n"
                       + got + "\n".join(TOOLS) + "\n")
    shutil.copyfile(req, stamp)
    return py


def generate(version: str) -> None:
    py = ensure_venv(version)
    env = dict(os.environ)
    env.pop("NUMBA_OPT", None)
    log(f"numba {version}: dumping the corpus (both forms) and native results")
    run([str(py), str(ROOT / "scripts" / "dump_fixtures.py")], env=env)
    log(f"numba {version}: captures and error inputs")
    run([str(py), str(ROOT / "scripts" / "dump_extra_fixtures.py")], env=env)


def live() -> int:
    """The corpus against the Numba of this interpreter, nothing written."""
    import numba
    binary = ROOT / "target" / "release" / "numba-wasm"
    if not binary.is_file():
        log("building the CLI (cargo build --release)")
        run(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
    listed = numba.__version__ in supported_versions()
    log(f"live check with Numba {numba.__version__} ({'listed' if listed else 'NOT in fixtures/numba-versions.txt'})")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="nw-live-") as tmp:
        out = Path(tmp) / f"numba-{numba.__version__}"
        env = dict(os.environ, NUMBA_WASM_FIXTURES_OUT=str(out))
        env.pop("NUMBA_OPT", None)
        run([sys.executable, str(ROOT / "scripts" / "dump_fixtures.py")], env=env)
        for form in ("opt", "noopt"):
            build = Path(tmp) / f"build-{form}"
            inputs = sorted(str(p) for p in (out / form).glob("*.ll"))
            res = subprocess.run([str(binary), "build", *inputs, "-o", str(build), "--name", "kernels"],
                                 capture_output=True, text=True)
            if res.returncode != 0:
                failed += 1
                print(f"FAIL {numba.__version__} {form}: build: {res.stderr.strip()}")
                continue
            res = subprocess.run(["node", str(ROOT / "tests" / "js" / "run_node.mjs"),
                                  str(build / "kernels.js"), str(out / "cases.json")],
                                 capture_output=True, text=True)
            print("\n".join(f"{numba.__version__} {form}: {ln}" for ln in res.stdout.splitlines()))
            failed += res.returncode != 0
    log("live check " + ("passed" if not failed else f"failed ({failed} form(s))"))
    return 1 if failed else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("versions", nargs="*", help="Numba versions (default: all listed)")
    ap.add_argument("--live", action="store_true", help="check the installed Numba, write nothing")
    a = ap.parse_args()
    if a.live:
        return live()
    versions = a.versions or supported_versions()
    unknown = [v for v in versions if v not in supported_versions()]
    if unknown:
        ap.error(f"not in {VERSIONS_FILE.relative_to(ROOT)}: {', '.join(unknown)}")
    for i, v in enumerate(versions, 1):
        log(f"[{i}/{len(versions)}] numba {v}")
        generate(v)
    log(f"done: {len(versions)} version(s); fixtures size "
        f"{sum(f.stat().st_size for f in (ROOT / 'fixtures').rglob('*') if f.is_file()) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
