#!/usr/bin/env python3
"""Regenerate fixtures/parallel/numba-<V>.ll: the IR of a few
`@njit(parallel=True)` kernels of fixtures/corpus/parallel.py, with their
native results (Numba on one thread, so float reductions add up in the
order wasm uses) in numba-<V>.cases.json, and
fixtures/parallel/numba-<V>-refused.ll: a parallel kernel that calls
`numba.set_parallel_chunksize` (a ctypes function at a Numba-process
address), which numba-wasm must refuse. tests/parallel.rs reads them
offline; tests/python/test_corpus_parallel.py checks the whole corpus
against native Numba.

    /path/to/venv/bin/python scripts/dump_parallel_fixtures.py
"""
import io
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(FIXTURES, "corpus"))

import numpy as np  # noqa: E402

import numba  # noqa: E402
from numba import prange  # noqa: E402


@numba.njit(parallel=True)
def par_chunked_sum(a):
    old = numba.set_parallel_chunksize(4)
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i]
    numba.set_parallel_chunksize(old)
    return s


def main() -> None:
    import numba_dump
    import parallel
    from dump_fixtures import run_case, without_host_addresses

    numba.set_num_threads(1)
    kernels = [parallel.par_sum_float, parallel.par_nested_2d, parallel.par_rows_2d]
    cases = [run_case(*c) for c in parallel.cases() if c[1] in kernels]
    par_chunked_sum(np.arange(5.0))
    out = os.path.join(FIXTURES, "parallel")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, f"numba-{numba.__version__}.cases.json"), "w") as f:
        json.dump({"numba": numba.__version__, "numpy": np.__version__, "cases": cases},
                  f, indent=1)
        f.write("\n")
    for name, kernels in [
            (f"numba-{numba.__version__}.ll",
             kernels),
            (f"numba-{numba.__version__}-refused.ll", [par_chunked_sum])]:
        buf = io.StringIO()
        for k in kernels:
            numba_dump.dump_dispatcher(k, buf)
        with open(os.path.join(out, name), "w") as f:
            f.write(without_host_addresses(buf.getvalue()))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
