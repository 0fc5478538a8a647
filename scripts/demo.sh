#!/usr/bin/env bash
# The main job on the built-in example: Numba kernels -> wasm -> Node,
# printed next to native Numba's results. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python scripts/demo.py
