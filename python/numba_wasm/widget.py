"""Self-contained interactive image views of Numba kernels for notebooks.

    from numba_wasm import image_view, Slider
    view = image_view(mandelbrot, args=(320, 240, Slider("max_iter", 1, 200, value=40)),
                      colormap="viridis", title="Mandelbrot")
    view                       # Jupyter renders view._repr_html_()
    view.save("mandel.html")   # standalone page; view.html() is the snippet

The kernel is compiled to wasm for the example arguments (slider initial
values). The snippet embeds the wasm (base64) and the generated JS wrapper
(imported from a Blob URL), so it stays interactive in a static export with no
Python kernel and no network. The kernel returns a 2-D array drawn one pixel per
element through a 256-entry colour table, or a uint8 (H, W, 3|4) RGB(A) image
drawn as is; `view.render(**slider_values)` computes the same RGBA pixels with
native Numba.

Why plain HTML and not a widget framework (anywidget, ipywidgets): the view
must keep working in a notebook exported to static HTML, opened with no kernel
and no network. A widget's exported form is its saved state plus
@jupyter-widgets/html-manager, which nbconvert's templates load (with each
widget's front-end module) from a CDN at view time, so offline it shows
nothing. A `text/html` output with an inline script is copied as is into
nbconvert's HTML and runs there from file://; in JupyterLab it runs because
outputs produced in the session are trusted. (A notebook reopened with saved
outputs is untrusted until its cells are re-run or `jupyter trust` is used; the
inline script does not run and the view stays inert.) tests/python/test_notebook.py
drives examples/notebook/numba_wasm_view.ipynb in a real JupyterLab and in its
`jupyter nbconvert --to html --execute` export and compares the pixels with
native Numba.
"""
import base64
import html as _html
import json
import math
import tempfile
import uuid
from pathlib import Path

import numpy as np

__all__ = ["Slider", "ImageView", "image_view", "COLORMAPS"]

# Colour stops (evenly spaced) of the built-in maps, interpolated linearly to 256 entries.
_STOPS = {
    "viridis": ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c",
                "#28ae80", "#5ec962", "#addc30", "#fde725"],
    "magma": ["#000004", "#1c1044", "#4f127b", "#812581", "#b5367a",
              "#e55064", "#fb8861", "#fec287", "#fcfdbf"],
    "inferno": ["#000004", "#1f0c48", "#550f6d", "#88226a", "#ba3655",
                "#e35933", "#f98e09", "#f9cb35", "#fcffa4"],
    "gray": ["#000000", "#ffffff"],
}
COLORMAPS = tuple(_STOPS)


def _lut(colormap):
    """A (256, 3) uint8 table from a map name, a list of '#rrggbb' stops or a (256, 3) array."""
    if isinstance(colormap, str):
        if colormap not in _STOPS:
            raise ValueError(f"unknown colormap {colormap!r}; built-in: {', '.join(COLORMAPS)}")
        colormap = _STOPS[colormap]
    if isinstance(colormap, (list, tuple)) and colormap and all(isinstance(c, str) for c in colormap):
        rgb = np.array([[int(c.lstrip("#")[k:k + 2], 16) for k in (0, 2, 4)] for c in colormap], float)
        pos = np.linspace(0.0, 1.0, len(rgb))
        t = np.linspace(0.0, 1.0, 256)
        return np.stack([np.round(np.interp(t, pos, rgb[:, c])) for c in range(3)], 1).astype(np.uint8)
    lut = np.asarray(colormap)
    if lut.shape != (256, 3):
        raise ValueError("colormap must be a name, a list of '#rrggbb' stops or a (256, 3) array")
    return lut.astype(np.uint8)


def _is_int(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


class Slider:
    """A kernel argument bound to an <input type=range>.

    The slider is integer-valued if `value` (default `min`) is an integer, and
    the kernel is compiled for the type of `value` (e.g. Python int -> int64,
    np.int32(5) -> int32, float -> float64). `step` defaults to 1 for integer
    sliders and (max - min) / 100 otherwise.
    """

    def __init__(self, name, min, max, value=None, step=None):
        value = min if value is None else value
        self.name, self.min, self.max, self.value = str(name), min, max, value
        self.is_int = _is_int(value)
        if self.is_int and not (_is_int(min) and _is_int(max) and (step is None or _is_int(step))):
            raise TypeError(f"Slider {name!r}: an integer value needs integer min, max and step")
        self.step = step if step is not None else (1 if self.is_int else (max - min) / 100)
        k = (value - min) / self.step if self.step > 0 else -1.0
        if not (min <= value <= max) or abs(k - round(k)) > 1e-9:  # browsers snap to min + k * step
            raise ValueError(f"Slider {name!r}: need min <= value <= max, step > 0, value = min + k * step")

    def coerce(self, v):
        """`v` converted to the type the kernel was compiled for."""
        if self.is_int and not _is_int(v) and v != int(v):
            raise TypeError(f"Slider {self.name!r} takes integers, got {v!r}")
        return type(self.value)(int(v) if self.is_int else v)

    def __repr__(self):
        return f"Slider({self.name!r}, {self.min!r}, {self.max!r}, value={self.value!r}, step={self.step!r})"


def _js_value(v):
    """JSON for a constant argument: numbers, booleans or small numpy arrays."""
    if isinstance(v, (bool, np.bool_)):
        return {"v": bool(v)}
    if _is_int(v):
        return {"v": int(v)} if abs(int(v)) <= 2**53 - 1 else {"big": str(int(v))}
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return {"v": v} if math.isfinite(v) else {"num": repr(v)}  # "nan", "inf", "-inf"
    if isinstance(v, np.ndarray) and v.dtype.kind in "biuf":
        a = np.ascontiguousarray(v)
        return {"array": a.dtype.name, "shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode()}
    raise TypeError(f"image_view: unsupported constant argument {type(v).__name__}; use numbers or numpy arrays")


def colorize(img, lut, vmin=None, vmax=None):
    """RGBA (H, W, 4) uint8 pixels of a kernel result, exactly as the browser draws them."""
    img = np.asarray(img)
    if img.ndim == 3 and img.dtype == np.uint8 and img.shape[2] in (3, 4):
        out = np.full(img.shape[:2] + (4,), 255, np.uint8)
        out[..., :img.shape[2]] = img
        return out
    if img.ndim != 2 or img.dtype.kind not in "biuf":
        raise TypeError(f"the kernel must return a 2-D numeric array or a uint8 (H, W, 3|4) image, "
                        f"got {img.dtype} with shape {img.shape}")
    x = img.astype(np.float64)
    finite = x[np.isfinite(x)]
    lo = float(vmin) if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = float(vmax) if vmax is not None else (float(finite.max()) if finite.size else 0.0)
    span = hi - lo
    if span == 0 or math.isnan(span):
        idx = np.zeros(x.shape, np.intp)
    else:
        with np.errstate(all="ignore"):
            t = np.floor((x - lo) / span * 255.0)
        idx = np.where(t >= 0, np.minimum(t, 255.0), 0.0).astype(np.intp)  # NaN -> 0
    out = np.full(x.shape + (4,), 255, np.uint8)
    out[..., :3] = np.asarray(lut, np.uint8)[idx]
    return out


def _compile(kernel, example_args, name):
    """(wasm bytes, wrapper JS text) of `kernel` compiled for `example_args`."""
    from .build import build
    with tempfile.TemporaryDirectory(prefix="numba_wasm_view_") as tmp:
        res = build({kernel: [tuple(example_args)]}, tmp, name=name, minify=True)
        return Path(res.wasm).read_bytes(), Path(res.js).read_text(encoding="utf-8")


class ImageView:
    """An interactive, self-contained HTML view of a kernel returning an image."""

    def __init__(self, kernel, args=(), colormap="viridis", vmin=None, vmax=None, title=None, scale=None):
        self.kernel, self.args = kernel, tuple(args)
        self.sliders = {a.name: a for a in self.args if isinstance(a, Slider)}
        if len(self.sliders) != sum(isinstance(a, Slider) for a in self.args):
            raise ValueError("image_view: slider names must be unique")
        self.name = getattr(kernel, "__name__", "kernel")
        self.lut, self.vmin, self.vmax = _lut(colormap), vmin, vmax
        self.title, self.scale = title, scale
        self.consts = [None if isinstance(a, Slider) else _js_value(a) for a in self.args]
        first = self.render()  # runs natively once: catches bad return types before building
        self.shape = first.shape[:2]
        self.wasm, self.js = _compile(kernel, self.example_args(), self.name)

    def example_args(self, **slider_values):
        unknown = set(slider_values) - set(self.sliders)
        if unknown:
            raise TypeError(f"no slider named {', '.join(sorted(unknown))}; sliders: {', '.join(self.sliders)}")
        return tuple(a.coerce(slider_values.get(a.name, a.value)) if isinstance(a, Slider) else a
                     for a in self.args)

    def render(self, **slider_values):
        """The (H, W, 4) uint8 RGBA pixels the browser shows for these slider values."""
        return colorize(self.kernel(*self.example_args(**slider_values)), self.lut, self.vmin, self.vmax)

    def html(self):
        """A self-contained HTML snippet (fresh element ids on every call)."""
        uid = "nwv-" + uuid.uuid4().hex[:12]
        h, w = self.shape
        scale = self.scale or max(1, min(8, 400 // max(w, 1)))
        esc = _html.escape
        rows = []
        for i, a in enumerate(self.args):
            if isinstance(a, Slider):
                sid = f"{uid}-a{i}"
                rows.append(
                    f'<div class="nwv-row"><label for="{sid}">{esc(a.name)}</label> '
                    f'<input type="range" id="{sid}" data-arg="{esc(a.name)}" min="{a.min}" max="{a.max}" '
                    f'step="{a.step}" value="{a.value}"> <output for="{sid}">{a.value}</output></div>')
        config = {
            "id": uid, "kernel": self.name, "wasm": base64.b64encode(self.wasm).decode("ascii"),
            "js": self.js, "lut": self.lut.tolist(), "vmin": self.vmin, "vmax": self.vmax, "scale": scale,
            "args": [{"slider": a.name, "int": a.is_int} if isinstance(a, Slider) else c
                     for a, c in zip(self.args, self.consts)],
        }
        # "<" escaped so that no "</script>" in the wrapper text can end the script element.
        cfg = json.dumps(config, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")
        title = f'<div class="nwv-title" style="font-weight:bold">{esc(self.title)}</div>' if self.title else ""
        return (_TEMPLATE.replace("__UID__", uid).replace("__TITLE__", title)
                .replace("__LABEL__", esc(self.title or self.name)).replace("__ROWS__", "\n".join(rows))
                .replace("__W__", str(w)).replace("__H__", str(h)).replace("__CSSW__", str(w * scale))
                .replace("__CONFIG__", cfg))

    def _repr_html_(self):
        return self.html()

    def save(self, path):
        """Write a standalone HTML page; returns its Path."""
        title = _html.escape(self.title or self.name)
        page = (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n"
                f"<body>\n{self.html()}\n</body></html>\n")
        path = Path(path)
        path.write_text(page, encoding="utf-8")
        return path

    def __repr__(self):
        return f"<ImageView {self.name} {self.shape[1]}x{self.shape[0]} sliders={list(self.sliders)}>"


def image_view(kernel, args=(), *, colormap="viridis", vmin=None, vmax=None, title=None, scale=None):
    """An interactive view of `kernel(*args)` (a 2-D array) for notebooks and static HTML.

    args: the kernel's arguments; constants (numbers, numpy arrays) are passed
    as given, each `Slider` becomes a range input whose value is passed instead.
    colormap: a name in COLORMAPS, a list of '#rrggbb' stops or a (256, 3) array.
    vmin/vmax: colour range (default: finite min/max of the current image).
    scale: CSS pixels per array element (default: chosen from the width).
    """
    return ImageView(kernel, args, colormap=colormap, vmin=vmin, vmax=vmax, title=title, scale=scale)


_TEMPLATE = """<div id="__UID__" class="nwv" style="font:13px sans-serif;display:inline-block;vertical-align:top;margin:4px;max-width:100%">
__TITLE__<canvas width="__W__" height="__H__" role="img" aria-label="__LABEL__"
 style="display:block;width:__CSSW__px;max-width:100%;height:auto;image-rendering:pixelated;background:#eee"></canvas>
__ROWS__
<div class="nwv-status" aria-live="polite" style="color:#666">loading…</div>
<div class="nwv-error" role="alert" style="color:#c00;white-space:pre-wrap"></div>
<script>
(async () => {
  const cfg = __CONFIG__;
  const root = document.currentScript?.closest(".nwv") ?? document.getElementById(cfg.id);
  const canvas = root.querySelector("canvas"), status = root.querySelector(".nwv-status");
  const fail = (e) => {
    const msg = String(e && e.stack ? (e.name || "Error") + ": " + e.message : e);
    root.querySelector(".nwv-error").textContent = "numba-wasm: " + msg;
    root.setAttribute("data-error", msg);
    console.error("numba-wasm view " + cfg.id + ":", e);
  };
  try {
    const TA = { bool: Uint8Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
      int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
      float32: Float32Array, float64: Float64Array };
    const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const constant = (c) => {
      if ("v" in c) return c.v;
      if ("big" in c) return BigInt(c.big);
      if ("num" in c) return { nan: NaN, inf: Infinity, "-inf": -Infinity }[c.num];
      const b = bytes(c.b64), T = TA[c.array];
      return { data: new T(b.buffer, 0, b.byteLength / T.BYTES_PER_ELEMENT), shape: c.shape };
    };
    const url = URL.createObjectURL(new Blob([cfg.js], { type: "text/javascript" }));
    let mod;
    try { mod = await import(url); } finally { URL.revokeObjectURL(url); }
    const m = await mod.load(bytes(cfg.wasm));
    const kernel = m.kernels[cfg.kernel];
    if (typeof kernel !== "function") throw new Error(`the module exports no kernel ${cfg.kernel}`);
    const inputs = {};
    for (const el of root.querySelectorAll("input[data-arg]")) inputs[el.dataset.arg] = el;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    let redraws = 0;
    const redraw = () => {
      try {
        const t0 = performance.now();
        const args = cfg.args.map((a) => {
          if (!("slider" in a)) return constant(a);
          const el = inputs[a.slider];
          el.nextElementSibling.value = el.value;
          return a.int ? parseInt(el.value, 10) : parseFloat(el.value);
        });
        const r = kernel(...args);
        const [h, w, ch] = r.shape, px = new Uint8ClampedArray(h * w * 4), d = r.data;
        if (r.shape.length === 3 && d instanceof Uint8Array && (ch === 3 || ch === 4)) {
          for (let i = 0; i < h * w; i++) {
            for (let c = 0; c < ch; c++) px[4 * i + c] = d[ch * i + c];
            if (ch === 3) px[4 * i + 3] = 255;
          }
        } else if (r.shape.length === 2) {
          const x = typeof d[0] === "bigint" ? Float64Array.from(d, Number) : Float64Array.from(d);
          let lo = Infinity, hi = -Infinity;
          for (const v of x) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
          if (lo > hi) lo = hi = 0;  // no finite values
          if (cfg.vmin != null) lo = cfg.vmin;
          if (cfg.vmax != null) hi = cfg.vmax;
          const span = hi - lo;
          for (let i = 0; i < x.length; i++) {
            let k = 0;
            if (span !== 0 && span === span) {
              const t = Math.floor((x[i] - lo) / span * 255);
              k = t > 255 ? 255 : t >= 0 ? t : 0;  // NaN -> 0
            }
            const rgb = cfg.lut[k];
            px[4 * i] = rgb[0]; px[4 * i + 1] = rgb[1]; px[4 * i + 2] = rgb[2]; px[4 * i + 3] = 255;
          }
        } else throw new TypeError(`${cfg.kernel} returned shape [${r.shape}]; a 2-D array or a uint8 (H, W, 3|4) image is needed`);
        if (canvas.width !== w || canvas.height !== h) {
          canvas.width = w; canvas.height = h; canvas.style.width = w * cfg.scale + "px";
        }
        ctx.putImageData(new ImageData(px, w, h), 0, 0);
        status.textContent = `${w}×${h} in ${(performance.now() - t0).toFixed(1)} ms`;
        root.querySelector(".nwv-error").textContent = "";
        root.removeAttribute("data-error");
        root.setAttribute("data-redraws", String(++redraws));
        root.setAttribute("data-ready", String(redraws));
      } catch (e) { fail(e); }
    };
    for (const el of Object.values(inputs)) el.addEventListener("input", redraw);
    redraw();
  } catch (e) { status.textContent = ""; fail(e); }
})();
</script>
</div>"""
