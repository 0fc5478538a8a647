#!/usr/bin/env python3
"""Regenerate fixtures/simd/: the BLAS corpus (fixtures/corpus/blas.py) as one
IR dump and its native results (a subset: one case or a few per
vector kernel of shims/src/blas.rs), for tests/simd.rs (`--no-simd` and
`--relaxed-simd` builds run without Python).

    .venv/bin/python scripts/dump_simd_fixtures.py

Writes fixtures/simd/kernels.ll (optimized IR of every overload the cases use)
and fixtures/simd/cases.json: exact cases (small integer values, identical
in any summation order, with or without fused multiply-add) and
random-valued cases up to 64 x 64 x 64, each with the corpus's elementwise
bound 2·k·eps·(|a|@|b|), which also holds for fused products; and the
fastmath kernels of fixtures/simd_kernels.py, whose multiply-adds LLVM may
fuse (natively, and in wasm with relaxed SIMD), within their bounds.
"""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "python"), str(ROOT / "scripts"), str(ROOT / "fixtures"),
                str(ROOT / "fixtures" / "corpus")]

import blas  # noqa: E402
import corpus_hosts  # noqa: E402
import dump_fixtures as dump  # noqa: E402
import numpy as np  # noqa: E402
import simd_kernels  # noqa: E402
from numba_wasm import _ir  # noqa: E402

import numba  # noqa: E402

OUT = ROOT / "fixtures" / "simd"

#: Exact cases kept: each vector kernel of blas.rs (dot, gemv both ways,
#: gemm of every kind, nrm2) once, C-contiguous operands.
EXACT = {f"{c}_{s}" for s in ("f32", "f64") for c in ("dot_vv", "dot_mv", "dot_vm", "norm_1d")} | {
    f"matmul_mm_{s}" for s in ("f32", "f64", "c64", "c128")} | {
    "matmul_big_exact_f64", "matmul_big_exact_f32", "matmul_big_exact_c128",
    "norm_huge_f64", "norm_tiny_f64", "norm_inf_f64", "norm_nan_f64", "norm_huge_f32"}
#: Random-valued cases kept (the fixture stays near 1 MB).
APPROX = {f"mm_{shape}_{s}" for s in ("f32", "f64", "c128")
          for shape in ("3x5x2", "17x33x9", "64x64x64")} | {
    f"{c}_{s}" for s in ("f32", "f64") for c in ("mv_17x33", "vm_33x9", "vv_33")}


class Subset:
    """blas.py's cases, limited to EXACT and APPROX, then simd_kernels.py's."""

    @staticmethod
    def host_cases() -> list[tuple[str, Any, list]]:
        exact = [c for c in blas.cases() if c[0] in EXACT]
        approx = [(cid, f, args) for cid, f, args, _k, _mag in blas.approx_cases()
                  if cid in APPROX]
        return exact + approx + simd_kernels.cases()

    @staticmethod
    def bounds() -> dict[str, Any]:
        kept = {cid: b for cid, b in blas.bounds().items() if cid in APPROX}
        return kept | simd_kernels.bounds()


def main() -> None:
    cases, skipped, overloads = corpus_hosts.native_cases(Subset)
    OUT.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    _ir.dump_overloads(overloads, buf)
    (OUT / "kernels.ll").write_text(dump.without_host_addresses(buf.getvalue()))
    doc = {"numba": numba.__version__, "numpy": np.__version__,
           "cases": cases, "skipped": skipped}
    (OUT / "cases.json").write_text(json.dumps(doc, indent=None) + "\n")
    print(f"{len(cases)} cases, {len(skipped)} skipped, {len(overloads)} overloads -> {OUT}")


if __name__ == "__main__":
    main()
