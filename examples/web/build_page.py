"""Build the demo page: page_kernels.py -> kernels.{wasm,js,d.ts} plus the page's
static files, all in one directory that any static web server can serve.

    python examples/web/build_page.py [OUT_DIR]     (default build/demo/web)

`scripts/demo.py` calls `build_page`; so does tests/python/test_demo_page.py.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PAGE_FILES = ("index.html", "demo.mjs")

if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
try:
    import numba_wasm
except ImportError:  # a checkout without the package installed
    sys.path.insert(0, str(ROOT / "python"))
    import numba_wasm

import page_kernels as kernels  # noqa: E402


def build_page(out_dir: str | Path) -> Path:
    """Writes the page into `out_dir`; returns the path of its index.html."""
    out = Path(out_dir)
    numba_wasm.build(kernels.SIGNATURES, out, name="kernels")
    for name in PAGE_FILES:
        shutil.copyfile(HERE / name, out / name)
    return out / "index.html"


if __name__ == "__main__":
    page = build_page(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "demo" / "web")
    print(f"wrote {page}")
