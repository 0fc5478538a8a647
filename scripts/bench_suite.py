#!/usr/bin/env python3
"""The benchmark suite (a measurement, not a test): bench/bench_kernels.py natively
with Numba, compiled by numba-wasm and run in Node (copying and zero-copy
calls) and in headless Chromium, next to hand-written JavaScript
(bench/handwritten.mjs) and, for three kernels, pure CPython. All in one run
on one machine.

    .venv/bin/python scripts/bench_suite.py [--only dot sort ...] [--out bench/results]

Writes OUT/latest.json, OUT/latest.md and OUT/latest.png (ratios to native,
log scale); with the default OUT, the README's "Speed" section too. Times are medians of 9 samples
of repeated calls (each sample >= 25 ms), after warm-up, in every host.
Before timing, every wasm build is checked against native Numba's result on
the same arguments (exact; black_scholes and matmul_blas within 1e-6 relative).
Native BLAS runs with OPENBLAS_NUM_THREADS=1 (set here, before NumPy loads).

Each kernel is also built with `--no-simd` and `--relaxed-simd` (unless
--skip-simd-levels), checked the same way, and timed zero-copy in Node with
the default build, the three levels in turn for each kernel
(bench/levels.mjs; Node gets --experimental-wasm-relaxed-simd where it needs
it): a second table.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "python"), str(ROOT / "scripts"), str(ROOT / "bench")]

import bench_kernels as bk  # noqa: E402
from dump_fixtures import enc_arg  # noqa: E402
from numba_wasm import _ir  # noqa: E402
from numba_wasm.build import SimdLevel, dump_ir, run_binary  # noqa: E402

SAMPLES, MIN_S = 9, 0.025
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"  # README's copy of the table
# Results compared within a relative bound, not bit for bit (the check only
# guards against timing a wrong build; the corpora test accuracy): erf is
# not glibc's bit for bit and the price cancels; BLAS sums in another order.
REL_BOUND = {"black_scholes": 1e-6, "matmul_blas": 1e-6}


def progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def time_it(fn: Callable[[], Any]) -> float:
    """Median per-call seconds, the method of bench/runner.mjs."""
    fn()
    fn()
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        dt = time.perf_counter() - t0
        if dt >= MIN_S:
            break
        reps = max(reps + 1, math.ceil(reps * MIN_S * 1.2 / dt)) if dt > 0 else reps * 10
    per = []
    for _ in range(SAMPLES):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        per.append((time.perf_counter() - t0) / reps)
    return statistics.median(per)


def build(bid: str, func: Any, args: tuple, out: Path) -> dict:
    """Build the kernel alone; IR->wasm time (the CLI only) and sizes."""
    from numba import typeof
    key = tuple(typeof(a) for a in args)
    ir = dump_ir([(func, key)])
    d = out / bid
    d.mkdir(parents=True, exist_ok=True)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        run_binary(ir, d, bid, {_ir.full_name(func): func.py_func.__qualname__})
        times.append(time.perf_counter() - t0)
    sizes = {}
    for ext in ("wasm", "js"):
        raw = (d / f"{bid}.{ext}").read_bytes()
        sizes[ext] = len(raw)
        sizes[f"{ext}_gz"] = len(gzip.compress(raw, 9))
    # The files as shipped to readers: --minify.
    run_binary(ir, d / "min", bid, {_ir.full_name(func): func.py_func.__qualname__}, minify=True)
    for ext in ("wasm", "js"):
        raw = (d / "min" / f"{bid}.{ext}").read_bytes()
        sizes[f"{ext}_min"], sizes[f"{ext}_min_gz"] = len(raw), len(gzip.compress(raw, 9))
    return {"compile_s": statistics.median(times), **sizes}


#: The other SIMD levels timed (the table's columns), beside the default simd128.
LEVELS: tuple[SimdLevel, ...] = ("none", "relaxed")
LEVEL_LABEL = {"none": "--no-simd", "relaxed": "--relaxed-simd"}


def build_level(bid: str, func: Any, args: tuple, out: Path, simd: SimdLevel) -> dict:
    """Build the kernel alone at another SIMD level into out/bid/; its sizes."""
    from numba import typeof
    key = tuple(typeof(a) for a in args)
    d = out / bid
    d.mkdir(parents=True, exist_ok=True)
    run_binary(dump_ir([(func, key)]), d, bid, {_ir.full_name(func): func.py_func.__qualname__},
               simd=simd)
    raw = (d / f"{bid}.wasm").read_bytes()
    return {"wasm": len(raw), "wasm_gz": len(gzip.compress(raw, 9))}


def node_flags(simd: SimdLevel) -> list[str]:
    """Node's flags to run modules of this level (relaxed SIMD is behind a
    flag in Node 20)."""
    if simd != "relaxed":
        return []
    v8 = subprocess.run(["node", "--v8-options"], capture_output=True, text=True,
                        check=False).stdout
    major = int(subprocess.check_output(["node", "--version"], text=True).strip()
                .lstrip("v").split(".")[0])
    flag = "--experimental-wasm-relaxed-simd"
    return [flag] if major < 22 and flag in v8 else []


def check(bid: str, func: Any, fargs: tuple, wasm_path: Path) -> str | None:
    """None if the wasm build gives native Numba's result (and arguments
    after the call) on these arguments, else what differs."""
    from numba_wasm.runtime import load
    from numba_wasm.verify import _Comparer
    na = [a.copy() if isinstance(a, np.ndarray) else a for a in fargs]
    wa = [a.copy() if isinstance(a, np.ndarray) else a for a in fargs]
    native = func(*na)
    got = getattr(load(wasm_path.read_bytes()), func.__name__)(*wa)
    cmp = _Comparer(0, REL_BOUND.get(bid))
    cmp.compare(native, got, "result")
    for i, (x, y) in enumerate(zip(na, wa)):
        if isinstance(x, np.ndarray):
            cmp.compare(x, y, f"args_after[{i}]")
    return "; ".join(cmp.diffs) or None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--no-chromium", action="store_true")
    ap.add_argument("--skip-simd-levels", action="store_true",
                    help="time only the default (simd128) builds")
    args = ap.parse_args()
    levels: tuple[SimdLevel, ...] = () if args.skip_simd_levels else LEVELS
    import numba

    work = ROOT / "build" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    entries = [(bid, f, make(), cp) for bid, f, make, cp in bk.BENCH
               if args.only is None or bid in args.only]
    entries += [(bid, f, make(), False) for bid, f, make in bk.OVERHEAD
                if args.only is None or bid in args.only]

    rows: dict[str, dict] = {}
    calls, bad = [], []
    for i, (bid, func, fargs, cpython) in enumerate(entries, 1):
        progress(f"[{i}/{len(entries)}] {bid}: native Numba, build, check")

        def fresh(fargs: tuple = fargs) -> list:
            return [a.copy() if isinstance(a, np.ndarray) else a for a in fargs]
        a = fresh()
        row = {"native_s": time_it(lambda: func(*a))}
        if cpython:
            pa = fresh()
            t0 = time.perf_counter()
            func.py_func(*pa)
            row["cpython_s"] = time.perf_counter() - t0
        row.update(build(bid, func, tuple(fargs), work))
        if (why := check(bid, func, tuple(fargs), work / bid / f"{bid}.wasm")) is not None:
            bad.append(f"{bid}: {why}")
        if not bid.startswith("call_"):
            row["levels"] = {}
            for simd in levels:
                row["levels"][simd] = build_level(bid, func, tuple(fargs), work / simd, simd)
                path = work / simd / bid / f"{bid}.wasm"
                if (why := check(bid, func, tuple(fargs), path)) is not None:
                    bad.append(f"{bid} ({LEVEL_LABEL[simd]}): {why}")
        rows[bid] = row
        calls.append({"id": bid, "func": func.__name__, "args": [enc_arg(x) for x in fresh()],
                      "handwritten": any(b == bid for b, *_ in bk.BENCH)})
    if bad:
        print("wasm results differ from native Numba:\n" + "\n".join(bad), file=sys.stderr)
        return 1

    calls_path = work / "calls.json"
    calls_path.write_text(json.dumps({"calls": calls}))
    progress("timing in Node")
    node = json.loads(subprocess.run(["node", "bench/node.mjs", str(work), str(calls_path)],
                                     cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    chrome = {}
    if not args.no_chromium:
        progress("timing in headless Chromium")
        chrome = json.loads(subprocess.run(["node", "bench/chromium.mjs", str(work), str(calls_path)],
                                           cwd=ROOT, check=True, capture_output=True,
                                           text=True).stdout)
    for bid, row in rows.items():
        row["node"] = node.get(bid, {})
        row["chromium"] = chrome.get(bid, {})
    if levels:
        progress("timing the SIMD levels in Node (zero-copy)")
        bench_calls = work / "calls_levels.json"
        bench_calls.write_text(json.dumps({"calls": [c for c in calls if "levels" in rows[c["id"]]]}))
        dirs = [f"simd128={work}", *(f"{lv}={work / lv}" for lv in levels)]
        flags = sorted({f for lv in levels for f in node_flags(lv)})
        timed = json.loads(subprocess.run(
            ["node", *flags, "bench/levels.mjs", str(bench_calls), *dirs],
            cwd=ROOT, check=True, capture_output=True, text=True).stdout)
        for bid, by_level in timed.items():
            rows[bid]["levels"].setdefault("simd128", {})
            for lv, t in by_level.items():
                rows[bid]["levels"][lv]["node"] = t

    meta = {"date": date.today().isoformat(), "numba": numba.__version__,
            "node": subprocess.check_output(["node", "--version"], text=True).strip(),
            "node_relaxed_flags": node_flags("relaxed"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "python": platform.python_version()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    md = markdown(meta, rows)
    (args.out / "latest.md").write_text(md)
    chart(rows, args.out / "latest.png")
    if args.out.resolve() == (ROOT / "bench" / "results").resolve():
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        readme.write_text(text[:start] + "\n" + md + "\n![benchmark chart](bench/results/latest.png)\n"
                          + text[end:], encoding="utf-8")
    print(md)
    return 0


def _ms(s: float | None) -> str:
    if s is None:
        return "–"
    ms = s * 1000 if s > 1e-3 else s * 1000
    return f"{ms:.3g}"


def _ratio(x: float | None, native: float) -> str:
    return "–" if x is None else f"{x / native:.2f}x"


def geomean(xs: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def markdown(meta: dict, rows: dict) -> str:
    bench = {k: v for k, v in rows.items() if not k.startswith("call_")}
    lines = [
        f"Measured {meta['date']} on {meta['machine']}: Numba {meta['numba']}, Node {meta['node']}, "
        f"headless Chromium; median per-call times. Ratios are to native Numba "
        f"(lower is better; JS/wasm: hand-written JS time over wasm zero-copy time).", "",
        "| kernel | native ms | wasm zero-copy | wasm copying | Chromium zero-copy | "
        "hand-written JS | JS/wasm | CPython | .wasm B (gz) | .js B (gz) | --minify .wasm + .js B (gz) | IR→wasm s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    zc, cp, ch, jsw = [], [], [], []
    for bid, r in bench.items():
        n = r["native_s"]
        node, chrome = r["node"], r["chromium"]
        z = node.get("zero_copy_ms", node.get("copy_ms"))
        z_s = None if z is None else z / 1000
        c_s = node.get("copy_ms", 0) / 1000 or None
        chz = chrome.get("zero_copy_ms", chrome.get("copy_ms"))
        ch_s = None if chz is None else chz / 1000
        js_s = node.get("js_ms", 0) / 1000 or None
        if z_s:
            zc.append(z_s / n)
        if c_s:
            cp.append(c_s / n)
        if ch_s:
            ch.append(ch_s / n)
        if js_s and z_s:
            jsw.append(js_s / z_s)
        lines.append(
            f"| {bid} | {n * 1000:.3g} | {_ratio(z_s, n)} | {_ratio(c_s, n)} | {_ratio(ch_s, n)} | "
            f"{_ratio(js_s, n)} | {'–' if not (js_s and z_s) else f'{js_s / z_s:.2f}'} | "
            f"{_ratio(r.get('cpython_s'), n)} | {r['wasm']} ({r['wasm_gz']}) | "
            f"{r['js']} ({r['js_gz']}) | {r['wasm_min'] + r['js_min']} ({r['wasm_min_gz'] + r['js_min_gz']}) | "
            f"{r['compile_s']:.2f} |")
    lines.append(f"| **geometric mean** | | **{geomean(zc):.2f}x** | **{geomean(cp):.2f}x** | "
                 f"**{geomean(ch):.2f}x** | | **{geomean(jsw):.2f}** | | | | | |")
    lines += levels_markdown(meta, bench)
    calls = {k: v for k, v in rows.items() if k.startswith("call_")}
    if calls:
        lines += ["", "Fixed cost of one call through the wrapper (Node): " + ", ".join(
            f"{bid} {1000 / r['node'].get('zero_copy_ms', r['node']['copy_ms']):,.0f} calls/s "
            f"zero-copy, {1000 / r['node']['copy_ms']:,.0f} copying (native Numba: "
            f"{1 / r['native_s']:,.0f})" for bid, r in calls.items())]
    return "\n".join(lines) + "\n"


def _zero_copy_s(node: dict) -> float | None:
    z = node.get("zero_copy_ms", node.get("copy_ms"))
    return None if z is None else z / 1000


def levels_markdown(meta: dict, bench: dict) -> list[str]:
    """The second table: zero-copy ratios in Node of the builds at each SIMD
    level (empty when the run skipped them)."""
    levels = [lv for lv in LEVELS if any(lv in r.get("levels", {}) for r in bench.values())]
    if not levels:
        return []
    flags = " ".join(meta.get("node_relaxed_flags") or [])
    lines = ["", "SIMD levels (Node, zero-copy, ratio to native Numba; the three builds of a "
             "kernel timed in turn, three rounds, in one Node process"
             f"{' run with `node ' + flags + '`' if flags else ''}; results checked against "
             "native like the default build's):", "",
             "| kernel | simd128 (default) | " + " | ".join(LEVEL_LABEL[lv] for lv in levels)
             + " | .wasm B " + " | .wasm B ".join(LEVEL_LABEL[lv] for lv in levels) + " |",
             "|---" * (2 + 2 * len(levels)) + "|"]
    means: dict[str, list[float]] = {"simd128": [], **{lv: [] for lv in levels}}
    for bid, r in bench.items():
        n = r["native_s"]
        cells, sizes = [], []
        z = _zero_copy_s(r.get("levels", {}).get("simd128", {}).get("node", {}))
        if z:
            means["simd128"].append(z / n)
        for lv in levels:
            got = r.get("levels", {}).get(lv, {})
            zl = _zero_copy_s(got.get("node", {}))
            if zl:
                means[lv].append(zl / n)
            cells.append(_ratio(zl, n))
            sizes.append(f"{got['wasm']} ({got['wasm_gz']})" if "wasm" in got else "–")
        lines.append(f"| {bid} | {_ratio(z, n)} | " + " | ".join(cells) + " | "
                     + " | ".join(sizes) + " |")
    lines.append("| **geometric mean** | " + " | ".join(
        f"**{geomean(means[k]):.2f}x**" for k in ("simd128", *levels)) + " |" + " |" * len(levels))
    return lines


def chart(rows: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    bench = {k: v for k, v in rows.items() if not k.startswith("call_")}
    names = list(bench)
    series = [
        ("wasm zero-copy (Node)", lambda r: r["node"].get("zero_copy_ms", r["node"].get("copy_ms"))),
        ("wasm copying (Node)", lambda r: r["node"].get("copy_ms")),
        ("wasm zero-copy (Chromium)", lambda r: r["chromium"].get("zero_copy_ms",
                                                                  r["chromium"].get("copy_ms"))),
        ("hand-written JS (Node)", lambda r: r["node"].get("js_ms")),
    ]
    fig, ax = plt.subplots(figsize=(12, 5))
    width = 0.2
    for k, (label, get) in enumerate(series):
        vals = [(get(bench[n]) or float("nan")) / 1000 / bench[n]["native_s"] for n in names]
        ax.bar([i + (k - 1.5) * width for i in range(len(names))], vals, width, label=label)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_ylabel("time / native Numba time")
    ax.set_xticks(range(len(names)), names, rotation=35, ha="right")
    ax.legend()
    ax.set_title("numba-wasm vs native Numba (lower is better)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


if __name__ == "__main__":
    sys.exit(main())
