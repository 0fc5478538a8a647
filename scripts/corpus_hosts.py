#!/usr/bin/env python3
"""Run the runtime corpora (fixtures/corpus/*.py) in every host and record
the outcome of every case: the evidence behind the feature table.

    .venv/bin/python scripts/corpus_hosts.py [--corpus arrays blas ...]
        [--hosts python node chromium] [--out build/corpus]

Numba's optimized IR by default; with NUMBA_OPT=0 in the environment, the
unoptimized form (results in build/corpus-noopt).

For each corpus module (a plain module of @njit kernels with `cases()`):
  1. every case runs natively (the oracle): result, or Numba's exception
     class and message, and the arguments after the call (a corpus's
     `ORACLES` may name, per kernel, the dispatcher native Numba runs in
     its place, where native Numba's own outcome is not usable);
  2. all its kernels are built into one module, `build/corpus/<name>/<name>.*`;
  3. the cases run in the Python runtime (wasmtime), in Node and in headless
     Chromium (tests/js/cases.mjs), each compared with the native outcome:
     bit for bit, or within the elementwise bound the corpus states for the
     case (`bounds()`: float results whose last bits legitimately differ);
  4. `build/corpus/results.json` records, per case, its feature (the
     corpus's `FEATURES`), its tolerance and each host's outcome.

`scripts/feature_table.py` turns results.json into the feature table of
README.md and docs/features.md. Exit status 1 if any case failed anywhere.
"""
from __future__ import annotations

import argparse
import base64
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "fixtures" / "corpus"
sys.path[:0] = [str(ROOT / "python"), str(ROOT / "scripts"), str(CORPUS)]

import dump_fixtures as dump  # noqa: E402
from numba_wasm.build import BuildError, build_overloads, overload_for_args  # noqa: E402
from numba_wasm.runtime import load  # noqa: E402
from numba_wasm.verify import _Comparer, clone  # noqa: E402

HOSTS = ("python", "node", "chromium")


def corpus_names() -> list[str]:
    return sorted(p.stem for p in CORPUS.glob("*.py")
                  if ("def cases(" in (t := p.read_text(encoding="utf-8")) or "\nREFUSED = " in t)
                  and "\nHOSTS_HARNESS = False" not in t)


def progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- native side

def native_cases(mod: Any) -> tuple[list[dict], dict[str, str], list[tuple[Any, Any]]]:
    """(encoded cases, {case id: skip reason}, [(dispatcher, signature key)])."""
    bounds = corpus_bounds(mod)
    ulps = getattr(mod, "ULPS", {})
    oracles = getattr(mod, "ORACLES", {})
    cases, skipped, overloads = [], {}, []
    raw = host_cases(mod)
    for i, (cid, func, args) in enumerate(raw):
        if i % 25 == 0:
            progress(f"  native {i}/{len(raw)}")
        try:
            case = dump.run_case(cid, oracles.get(func, func), [clone(a) for a in args])
            case["func"] = func.__name__
        except dump.Skipped as e:
            skipped[cid] = str(e)
            continue
        except TypeError as e:  # a result kind the case format cannot hold
            skipped[cid] = f"{cid}: result not encodable: {e}"
            continue
        if cid in ulps and "result" in case:
            native = np.asarray(func(*[clone(a) for a in args]))
            bounds[cid] = ulps[cid] * np.spacing(np.abs(native).astype(
                native.real.dtype if native.dtype.kind == "c" else native.dtype)).astype(np.float64)
        if cid in bounds:
            case["bound"] = dump.enc_array(np.asarray(bounds[cid], dtype=np.float64),
                                           contiguous=True)
        cases.append(case)
        key = overload_for_args(func, tuple(args), compile=func in oracles)
        if (func, key) not in overloads:
            overloads.append((func, key))
    return cases, skipped, overloads


def host_cases(mod: Any) -> list[tuple[str, Any, list]]:
    """The corpus's cases; `host_cases()` when it has more than `cases()`;
    under NUMBA_OPT=0, `noopt_cases()` when native Numba cannot run them all
    from unoptimized IR (it crashes on some)."""
    if os.environ.get("NUMBA_OPT") == "0" and hasattr(mod, "noopt_cases"):
        return mod.noopt_cases()
    return mod.host_cases() if hasattr(mod, "host_cases") else mod.cases()


def corpus_bounds(mod: Any) -> dict[str, Any]:
    """{case id: elementwise absolute bound} the corpus states (`bounds()`)."""
    return dict(mod.bounds()) if hasattr(mod, "bounds") else {}


# ---------------------------------------------------------------- Python host

def run_python(module_path: Path, mod: Any, cases: list[dict]) -> dict[str, str]:
    """{case id: "pass" or what differed}, in the Python runtime."""
    by_id = {cid: (func, args) for cid, func, args in host_cases(mod)}
    oracles = getattr(mod, "ORACLES", {})
    wasm = load(module_path.read_bytes())
    out = {}
    for case in cases:
        cid = case["id"]
        func, args = by_id[cid]
        native_args = [clone(a) for a in args]
        wasm_args = [clone(a) for a in args]
        try:
            native, native_exc = oracles.get(func, func)(*native_args), None
        except Exception as e:  # noqa: BLE001 - the oracle's outcome
            native, native_exc = None, e
        try:
            got, exc = getattr(wasm, func.__name__)(*wasm_args), None
        except Exception as e:  # noqa: BLE001 - compared below
            got, exc = None, e
        bound = None
        if "bound" in case:
            raw = base64.b64decode(case["bound"]["buffer_b64"])
            bound = np.frombuffer(raw, dtype=np.float64).reshape(case["bound"]["shape"])
        out[cid] = _python_outcome(native, native_exc, got, exc, bound,
                                   native_args, wasm_args)
    return out


def _python_outcome(native: Any, native_exc: BaseException | None, got: Any,
                    exc: BaseException | None, bound: Any, native_args: list,
                    wasm_args: list) -> str:
    cmp = _Comparer(0, None)
    if native_exc is not None or exc is not None:
        if (native_exc is not None and exc is not None and type(native_exc) is type(exc)
                and str(native_exc) == str(exc)):
            # Lists, dicts and records keep the changes made before the raise.
            for i, (a, b) in enumerate(zip(native_args, wasm_args)):
                if isinstance(a, (list, np.void)) or type(a).__module__.startswith("numba.typed"):
                    cmp.compare(a, b, f"args_after[{i}]")
            return "pass" if not cmp.diffs else "; ".join(cmp.diffs)
        return (f"native {type(native_exc).__name__ if native_exc else 'returned'}"
                f"({native_exc or ''}), wasm {type(exc).__name__ if exc else 'returned'}"
                f"({exc or ''})")
    if bound is None:
        cmp.compare(native, got, "result")
    else:
        n, w = np.asarray(native), np.asarray(got)
        if n.shape != w.shape or n.dtype != w.dtype:
            return f"result: native {n.dtype}{n.shape}, wasm {w.dtype}{w.shape}"
        err = np.maximum(np.abs(np.real(w) - np.real(n)), np.abs(np.imag(w) - np.imag(n)))
        same = (n == w) | (np.isnan(n) & np.isnan(w))
        if not np.all(same | (err <= np.asarray(bound))):
            return f"result: max error {float(np.max(err))!r} above the bound"
    for i, (a, b) in enumerate(zip(native_args, wasm_args)):
        if isinstance(a, (np.ndarray, list, np.void)) or type(a).__module__.startswith("numba.typed"):
            cmp.compare(a, b, f"args_after[{i}]")
    return "pass" if not cmp.diffs else "; ".join(cmp.diffs)


# ---------------------------------------------------------------- JS hosts

def run_js(host: str, out_dir: Path, name: str, cases_path: Path,
           case_ids: list[str]) -> dict[str, str]:
    if host == "node":
        cmd = ["node", "tests/js/run_node.mjs", str(out_dir / f"{name}.js"), str(cases_path)]
    else:
        cmd = ["node", "tests/js/run_chromium.mjs", str(out_dir), name, str(cases_path)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    out = dict.fromkeys(case_ids, "pass")
    setup = []
    for line in proc.stdout.splitlines():
        if line.startswith("FAIL "):
            cid, _, msg = line[5:].partition(": ")
            if cid in out:
                out[cid] = msg
            else:
                setup.append(line)
        elif line.startswith("page error"):
            setup.append(line)
    if setup or (proc.returncode != 0 and all(v == "pass" for v in out.values())):
        why = "; ".join(setup) or (proc.stderr.strip()[-500:] or f"exit {proc.returncode}")
        out = {cid: f"{host} run failed: {why}" for cid in case_ids}
    return out


# ---------------------------------------------------------------- driver

def feature_of(mod: Any) -> dict[str, str]:
    """{kernel __name__: feature label} from the corpus's FEATURES."""
    out = {}
    for label, kernels in getattr(mod, "FEATURES", {}).items():
        for k in kernels:
            out[k.py_func.__name__] = label
    return out


def tolerance_of(mod: Any, case: dict) -> str:
    """How the case is compared: "exact", or the corpus's words for its bound
    (`BOUND`: one string, or {kernel: words})."""
    if "bound" not in case:
        return "exact"
    if case["id"] in getattr(mod, "ULPS", {}):
        return f"within {mod.ULPS[case['id']]} ulps"
    words = getattr(mod, "BOUND", "within a stated bound")
    if isinstance(words, dict):  # per kernel: {dispatcher: words}
        words = {k.py_func.__name__: w for k, w in words.items()}.get(
            case["func"], "within a stated bound")
    return words


def run_refused(name: str, mod: Any, out_root: Path) -> dict[str, Any]:
    """Build each REFUSED kernel alone: the build must fail, naming the
    Python function and the construct (the expected words)."""
    from numba import typeof
    rows = []
    for label, func, args, words in mod.REFUSED:
        key = tuple(typeof(a) for a in args)
        func.compile(key)
        try:
            build_overloads([(func, key)], out_root / name / func.__name__, name="refused")
            message, ok = "built without an error", False
        except BuildError as e:
            message = str(e).splitlines()[0]
            ok = func.py_func.__qualname__ in message and words in message
        rows.append({"feature": label, "func": func.__name__, "message": message, "ok": ok})
        progress(f"[{name}] {func.__name__}: {'refused as expected' if ok else 'UNEXPECTED'}")
    return {"refused": rows, "title": (mod.__doc__ or name).strip().splitlines()[0]}


def run_corpus(name: str, out_root: Path, hosts: list[str]) -> dict[str, Any]:
    mod = importlib.import_module(name)
    if hasattr(mod, "REFUSED"):
        return run_refused(name, mod, out_root)
    import numba
    threads = numba.get_num_threads()
    # parallel=True reductions combine per-thread partial results: a corpus
    # may pin native Numba to the one thread wasm runs on.
    numba.set_num_threads(getattr(mod, "NATIVE_THREADS", threads))
    try:
        return _run_cases(name, mod, out_root, hosts)
    finally:
        numba.set_num_threads(threads)


def _run_cases(name: str, mod: Any, out_root: Path, hosts: list[str]) -> dict[str, Any]:
    t0 = time.monotonic()
    progress(f"[{name}] native Numba")
    cases, skipped, overloads = native_cases(mod)
    out_dir = out_root / name
    out_dir.mkdir(parents=True, exist_ok=True)
    cases_path = out_dir / "cases.json"
    cases_path.write_text(json.dumps({"cases": cases}, indent=1), encoding="utf-8")
    ids = [c["id"] for c in cases]
    progress(f"[{name}] build {len(overloads)} overloads")
    outcomes: dict[str, dict[str, str]] = {cid: {} for cid in ids}
    try:
        res = build_overloads(overloads, out_dir, name=name)
    except BuildError as e:
        for cid in ids:
            outcomes[cid] = dict.fromkeys(hosts, f"build failed: {e}")
    else:
        for host in hosts:
            progress(f"[{name}] {len(ids)} cases in {host}")
            got = (run_python(res.wasm, mod, cases) if host == "python"
                   else run_js(host, out_dir, name, cases_path, ids))
            for cid in ids:
                outcomes[cid][host] = got[cid]
    features = feature_of(mod)
    record = {
        "cases": {c["id"]: {"func": c["func"], "feature": features.get(c["func"], name),
                            "tolerance": tolerance_of(mod, c), **outcomes[c["id"]]}
                  for c in cases},
        "skipped": skipped,
        "features": list(getattr(mod, "FEATURES", {})),
        "title": (mod.__doc__ or name).strip().splitlines()[0],
    }
    bad = sum(1 for o in outcomes.values() for v in o.values() if v != "pass")
    progress(f"[{name}] {len(ids)} cases x {len(hosts)} hosts, {bad} failed, "
             f"{len(skipped)} skipped, {time.monotonic() - t0:.0f} s")
    return record


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", nargs="*", default=None, help="default: every corpus")
    ap.add_argument("--hosts", nargs="*", default=list(HOSTS), choices=HOSTS)
    ap.add_argument("--out", type=Path, default=None,
                    help="default: build/corpus (build/corpus-noopt under NUMBA_OPT=0)")
    args = ap.parse_args()
    import numba
    # The IR form Numba produces in this process: NUMBA_OPT=0 gives "noopt".
    form = "noopt" if os.environ.get("NUMBA_OPT") == "0" else "opt"
    args.out = args.out or ROOT / "build" / ("corpus" if form == "opt" else "corpus-noopt")
    results = {"numba": numba.__version__, "form": form, "hosts": args.hosts, "corpora": {}}
    for name in args.corpus or corpus_names():
        results["corpora"][name] = run_corpus(name, args.out, args.hosts)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    failed = [(n, cid, h, v) for n, r in results["corpora"].items()
              for cid, o in r.get("cases", {}).items() for h, v in o.items()
              if h in HOSTS and v != "pass"]
    failed += [(n, row["func"], "build", f"expected a refusal naming the function and "
                f"the construct, got: {row['message']}")
               for n, r in results["corpora"].items() for row in r.get("refused", [])
               if not row["ok"]]
    for n, cid, h, v in failed:
        print(f"FAIL {n}/{cid} [{h}]: {v}")
    total = sum(len(r.get("cases", {})) for r in results["corpora"].values())
    print(f"corpus_hosts ({form} IR): {total} cases x {len(args.hosts)} hosts, "
          f"{len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
