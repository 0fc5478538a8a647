"""numba_wasm.image_view: a self-contained HTML view driven in headless Chromium.

The page saved by ImageView.save() is opened from a file:// URL by
tests/js/widget_chromium.mjs, which moves a slider and returns the canvas
pixels before and after; both must equal ImageView.render() (native Numba and
the same colour mapping) byte for byte.
"""
import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from numba import njit

ROOT = Path(__file__).resolve().parents[2]
try:
    import numba_wasm  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT / "python"))
from numba_wasm.widget import Slider, _lut, colorize, image_view  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
NODE = shutil.which("node")
SCRIPT = ROOT / "tests" / "js" / "widget_chromium.mjs"


@njit(cache=False)
def mandel(width, height, max_iter):
    out = np.zeros((height, width), np.int64)
    for j in range(height):
        for i in range(width):
            cr = -2.2 + 3.0 * i / width
            ci = -1.2 + 2.4 * j / height
            zr = 0.0
            zi = 0.0
            n = 0
            while n < max_iter and zr * zr + zi * zi < 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                n += 1
            out[j, i] = n
    return out


@njit(cache=False)
def waves(width, height, freq, phase):
    out = np.empty((height, width), np.float32)
    for j in range(height):
        for i in range(width):
            out[j, i] = np.sin(freq * i / width + phase) * np.cos(freq * j / height)
    out[0, 0] = np.nan  # NaN maps to colour index 0 and is ignored by the auto range
    return out


@pytest.fixture(scope="module")
def mandel_view():
    return image_view(mandel, args=(48, 32, Slider("max_iter", 1, 100, value=5)),
                      colormap="viridis", title="Mandelbrot <test>")


def run_page(tmp_path, view, slider, value):
    if NODE is None or not Path(CHROMIUM).exists():
        pytest.skip("needs node and /usr/bin/chromium")
    if not (ROOT / "node_modules" / "playwright-core").is_dir():
        pytest.skip("needs playwright-core in node_modules (npm ci)")
    page = view.save(tmp_path / "view.html")
    p = subprocess.run([NODE, str(SCRIPT), str(page), slider, str(value)], cwd=ROOT,
                       capture_output=True, text=True, timeout=180)
    assert p.returncode == 0, f"widget_chromium.mjs failed:\n{p.stdout}\n{p.stderr}"
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["errors"] == []
    px = lambda b64: np.frombuffer(base64.b64decode(b64), np.uint8).reshape(r["height"], r["width"], 4)  # noqa: E731
    return px(r["before"]), px(r["after"])


def test_slider_redraws_as_native_numba(tmp_path, mandel_view):
    before, after = run_page(tmp_path, mandel_view, "max_iter", 60)
    np.testing.assert_array_equal(before, mandel_view.render(max_iter=5))
    np.testing.assert_array_equal(after, mandel_view.render(max_iter=60))
    assert (before != after).any()


def test_float_kernel_float_slider(tmp_path):
    view = image_view(waves, args=(40, 30, Slider("freq", 1.0, 20.0, value=3.0, step=0.5), 0.25),
                      colormap="gray")
    before, after = run_page(tmp_path, view, "freq", 11.5)
    np.testing.assert_array_equal(before, view.render())
    np.testing.assert_array_equal(after, view.render(freq=11.5))
    assert (before != after).any()


def test_html_is_self_contained(mandel_view):
    html = mandel_view._repr_html_()
    assert base64.b64encode(mandel_view.wasm).decode() in html
    assert not re.search(r"https?:", html, re.I)  # ':' is not in the base64 alphabet
    markup = re.sub(r"<script>.*</script>", "", html, flags=re.S)
    assert not re.search(r"""\s(src|href)\s*=""", markup, re.I)
    assert "<test>" not in html and "&lt;test&gt;" in html  # title is escaped
    assert html.count("</script>") == 1  # the embedded wrapper cannot close the script early
    assert 'type="range"' in html and "image-rendering:pixelated" in html


def test_views_have_distinct_ids(mandel_view):
    other = image_view(mandel, args=(16, 16, Slider("max_iter", 1, 9, value=3)))
    ids = lambda h: set(re.findall(r'id="([^"]+)"', h))  # noqa: E731
    a, b, a2 = ids(mandel_view.html()), ids(other.html()), ids(mandel_view.html())
    assert a and b and not (a & b) and not (a & a2)


def test_colour_mapping():
    gray = _lut("gray")
    assert gray.shape == (256, 3) and gray[0].tolist() == [0, 0, 0] and gray[255].tolist() == [255] * 3
    img = np.array([[0.0, 1.0, 2.0, np.nan], [-1.0, 3.0, np.inf, 1.999]])
    idx = colorize(img, gray, vmin=0.0, vmax=2.0)[..., 0]
    assert idx.tolist() == [[0, 127, 255, 0], [0, 255, 255, 254]]
    assert (colorize(np.full((2, 2), 7, np.uint16), gray)[..., :3] == 0).all()  # vmax == vmin
    rgba = colorize(np.arange(6, dtype=np.uint8).reshape(1, 2, 3), gray)
    assert rgba.tolist() == [[[0, 1, 2, 255], [3, 4, 5, 255]]]


def test_argument_checks():
    with pytest.raises(TypeError):
        Slider("n", 0, 10, value=3, step=0.5)
    with pytest.raises(ValueError):
        Slider("n", 0, 10, value=11)
    with pytest.raises(ValueError):
        Slider("x", 0.0, 1.0, value=0.55, step=0.1)
    assert isinstance(Slider("x", 0, 1, value=0.5).coerce(1), float)
    with pytest.raises(TypeError):
        Slider("n", 0, 10, value=3).coerce(2.5)
    with pytest.raises(ValueError):
        _lut("no-such-map")
