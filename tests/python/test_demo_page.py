"""The interactive demo page (examples/web/) in headless Chromium.

tests/js/demo_chromium.mjs serves the page built by examples/web/build_page.py,
pans and zooms the fractal with the mouse, switches to the Julia set, lets the
heat simulation run and clicks into it. Everything it reads back is checked
against native Numba running the same kernels on the view parameters and the
click log the page reports: iteration counts, canvas pixels and the simulation
state bit for bit.
"""
from __future__ import annotations

import base64
import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "web"))
import page_kernels as kernels  # noqa: E402
from build_page import build_page  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
NODE = shutil.which("node")
SCRIPT = ROOT / "tests" / "js" / "demo_chromium.mjs"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if NODE is None or not Path(CHROMIUM).exists():
        pytest.skip("needs node and /usr/bin/chromium")
    if not (ROOT / "node_modules" / "playwright-core").is_dir():
        pytest.skip("needs playwright-core in node_modules (npm ci)")
    web = build_page(tmp_path_factory.mktemp("demo") / "web").parent
    p = subprocess.run([NODE, str(SCRIPT), str(web)], cwd=ROOT, check=False,
                       capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, f"demo_chromium.mjs failed:\n{p.stdout[-4000:]}\n{p.stderr}"
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["errors"] == []
    return r


def decode(b64: str, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype).reshape(shape)


def native_fractal(view: dict[str, Any], h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    iters = np.zeros((h, w), np.int32)
    # JSON writes 0.0 as 0: float() keeps the float64 overload the page calls.
    kernels.escape_time(iters, float(view["cx"]), float(view["cy"]), float(view["scale"]),
                        bool(view["julia"]), float(view["jr"]), float(view["ji"]),
                        int(view["maxIter"]))
    rgba = np.zeros((h, w, 4), np.uint8)
    kernels.color_iters(iters, int(view["maxIter"]), rgba)
    return iters, rgba


def test_fractal_views_match_native(run: dict[str, Any]) -> None:
    h, w = 320, 480
    phases = {p["name"]: p for p in run["phases"]}
    assert list(phases) == ["initial", "pan", "zoom", "julia"]
    for name, p in phases.items():
        iters, rgba = native_fractal(p["view"], h, w)
        got = decode(p["iters"], np.int32, (h, w))
        assert np.array_equal(got, iters), f"{name}: {np.sum(got != iters)} iteration counts differ"
        px = decode(p["pixels"], np.uint8, (h, w, 4))
        assert np.array_equal(px, rgba), f"{name}: {np.sum(np.any(px != rgba, axis=2))} pixels differ"
        assert len(np.unique(iters)) > 20, f"{name}: a flat picture proves little"
    assert [p["renders"] for p in run["phases"]] == sorted({p["renders"] for p in run["phases"]})

    v0, vp, vz, vj = (phases[n]["view"] for n in ["initial", "pan", "zoom", "julia"])
    # The drag moved the picture with the mouse: 70 px right, 35 px down.
    assert math.isclose(vp["cx"], v0["cx"] - 70 * v0["scale"], rel_tol=1e-12)
    assert math.isclose(vp["cy"], v0["cy"] - 35 * v0["scale"], rel_tol=1e-12)
    # Two wheel notches up zoomed in, keeping the point under the cursor.
    assert vz["scale"] < vp["scale"] * 0.6
    cursor = (0.3 * w - w // 2, 0.4 * h - h // 2)
    for c, d in (("cx", cursor[0]), ("cy", cursor[1])):
        assert math.isclose(vz[c] + d * vz["scale"], vp[c] + d * vp["scale"], abs_tol=2 * vp["scale"])
    assert vj["julia"] is True and vj["jr"] == -0.7 and v0["julia"] is False


def test_heat_simulation_matches_native(run: dict[str, Any]) -> None:
    st = run["heat"]["state"]
    h, w = st["height"], st["width"]
    assert st["frames"] >= 13 and st["step"] >= 8 * 10 and not st["running"]
    assert len(st["events"]) == 1, "the click poured heat in once"
    assert run["text"]["heatStep"] == str(st["step"])

    u = np.zeros((h, w))
    nxt = np.zeros((h, w))
    kernels.heat_init(u)
    events = sorted(st["events"], key=lambda e: e["step"])
    for s in range(st["step"] + 1):
        for e in (e for e in events if e["step"] == s):
            kernels.heat_add(u, e["x"], e["y"], e["radius"], float(e["amount"]))
        if s < st["step"]:
            kernels.heat_step(u, nxt, float(st["alpha"]), s)
            u, nxt = nxt, u
    got = decode(run["heat"]["u"], np.float64, (h, w))
    assert np.array_equal(got.view(np.uint64), u.view(np.uint64)), \
        f"{np.sum(got != u)} cells differ after {st['step']} steps"
    rgba = np.zeros((h, w, 4), np.uint8)
    kernels.color_heat(u, rgba)
    assert np.array_equal(decode(run["heat"]["pixels"], np.uint8, (h, w, 4)), rgba)


def test_frame_time_shown_and_frames_keep_memory(run: dict[str, Any]) -> None:
    for key in ("fractalMs", "heatMs"):
        assert re.fullmatch(r"\d+\.\d\d ms", run["text"][key]), run["text"]
    before, after = run["stats"]
    assert after["heatFrames"] >= before["heatFrames"] + 10, "frames ran kernels"
    # Frames reuse the arrays allocated at start and the wrapper's call
    # scratch: a frame allocates nothing, and memory does not grow.
    for k in ("totalAllocations", "liveAllocations", "liveBytes", "memoryBytes"):
        assert after[k] == before[k], (k, before, after)
