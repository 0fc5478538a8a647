// The demo page's logic: loads kernels.wasm (built from page_kernels.py by
// scripts/demo.py), allocates every array once in wasm memory and drives the
// kernels from pointer events and requestAnimationFrame.
//
// For tests and curious readers, `window.demoState` holds the view and
// simulation parameters actually used for what is on screen, and
// `window.demo` the WasmArrays and pause()/resume().
import { load } from "./kernels.js";

const $ = (id) => document.getElementById(id);

// An ImageData over a WasmArray's bytes, made again only when wasm memory grew
// (growing detaches the old buffer, so `.data` must be read after each call).
function imageOf(arr, cache) {
  const d = arr.data;
  if (cache.image === null || cache.buffer !== d.buffer) {
    const px = new Uint8ClampedArray(d.buffer, d.byteOffset, d.length);
    cache.image = new ImageData(px, arr.shape[1], arr.shape[0]);
    cache.buffer = d.buffer;
  }
  return cache.image;
}

// Exponential moving average of a time, for a readable display.
const smooth = (old, x) => (old === null ? x : 0.8 * old + 0.2 * x);

const state = {
  ready: false,
  fractal: {
    width: 0, height: 0, renders: 0, kernelMs: null,
    // What the current picture was computed with.
    view: null,
  },
  heat: {
    width: 0, height: 0, alpha: 0.2, step: 0, frames: 0, kernelMs: null, running: true,
    stepsPerFrame: 8, radius: 6, amount: 2.0,
    // Heat poured in by clicks: applied before step `step`, in order.
    events: [],
  },
};
window.demoState = state;

async function main() {
  const m = await load();

  // --- Fractal explorer -----------------------------------------------------
  const fc = $("fractal");
  const fctx = fc.getContext("2d");
  const W = fc.width, H = fc.height;
  const iters = m.empty("int32", [H, W]);
  const frgba = m.empty("uint8", [H, W, 4]);
  const fcache = { image: null, buffer: null };
  const home = { cx: -0.6, cy: 0.0, scale: 3.2 / W };
  const view = { ...home, julia: false, jr: -0.8, ji: 0.156, maxIter: 200 };
  state.fractal.width = W;
  state.fractal.height = H;

  let pending = false;
  const render = () => {
    pending = false;
    const v = { ...view };
    const t0 = performance.now();
    m.escape_time(iters, v.cx, v.cy, v.scale, v.julia, v.jr, v.ji, v.maxIter);
    m.color_iters(iters, v.maxIter, frgba);
    const ms = performance.now() - t0;
    fctx.putImageData(imageOf(frgba, fcache), 0, 0);
    state.fractal.view = v;
    state.fractal.kernelMs = ms;
    state.fractal.renders += 1;
    fmsAvg = smooth(fmsAvg, ms);
    $("fractal-ms").textContent = `${fmsAvg.toFixed(2)} ms`;
  };
  let fmsAvg = null;
  const requestRender = () => {
    if (!pending) { pending = true; requestAnimationFrame(render); }
  };

  let drag = null;
  fc.addEventListener("pointerdown", (e) => {
    drag = { x: e.offsetX, y: e.offsetY };
    fc.setPointerCapture(e.pointerId);
    fc.classList.add("dragging");
  });
  fc.addEventListener("pointermove", (e) => {
    if (!drag) return;
    view.cx -= (e.offsetX - drag.x) * view.scale;
    view.cy -= (e.offsetY - drag.y) * view.scale;
    drag = { x: e.offsetX, y: e.offsetY };
    requestRender();
  });
  const endDrag = () => { drag = null; fc.classList.remove("dragging"); };
  fc.addEventListener("pointerup", endDrag);
  fc.addEventListener("pointercancel", endDrag);
  fc.addEventListener("wheel", (e) => {
    e.preventDefault();
    // Zoom about the point under the cursor (the kernel puts pixel W/2 at cx).
    const f = Math.exp(e.deltaY * 0.0015);
    const dx = e.offsetX - Math.floor(W / 2), dy = e.offsetY - Math.floor(H / 2);
    const px = view.cx + dx * view.scale, py = view.cy + dy * view.scale;
    view.scale *= f;
    view.cx = px - dx * view.scale;
    view.cy = py - dy * view.scale;
    requestRender();
  }, { passive: false });

  const bindRange = (id, fmt, set) => {
    const el = $(id), out = $(`${id}-out`);
    const apply = () => { set(Number(el.value)); out.textContent = fmt(Number(el.value)); };
    el.addEventListener("input", () => { apply(); requestRender(); });
    apply();
  };
  bindRange("jr", (x) => x.toFixed(3), (x) => { view.jr = x; });
  bindRange("ji", (x) => x.toFixed(3), (x) => { view.ji = x; });
  bindRange("max-iter", String, (x) => { view.maxIter = x; });
  $("mode").addEventListener("change", (e) => {
    view.julia = e.target.value === "julia";
    Object.assign(view, view.julia ? { cx: 0, cy: 0, scale: 3.2 / W } : home);
    requestRender();
  });
  $("reset").addEventListener("click", () => {
    Object.assign(view, view.julia ? { cx: 0, cy: 0, scale: 3.2 / W } : home);
    requestRender();
  });
  render();

  // --- Heat diffusion -------------------------------------------------------
  const hc = $("heat");
  const hctx = hc.getContext("2d");
  const HW = hc.width, HH = hc.height;
  let u = m.empty("float64", [HH, HW]);
  let next = m.empty("float64", [HH, HW]);
  const hrgba = m.empty("uint8", [HH, HW, 4]);
  const hcache = { image: null, buffer: null };
  const hs = state.heat;
  hs.width = HW;
  hs.height = HH;
  m.heat_init(u);

  const clicks = [];
  hc.addEventListener("pointerdown", (e) => {
    // The canvas is shown at a larger size than its grid.
    const x = Math.floor(e.offsetX * HW / hc.clientWidth);
    const y = Math.floor(e.offsetY * HH / hc.clientHeight);
    clicks.push({ x, y });
    if (!hs.running) frame(false);
  });
  bindRange("steps", String, (x) => { hs.stepsPerFrame = x; });
  let hmsAvg = null;

  // One frame: pending clicks, `stepsPerFrame` steps (none when paused), draw.
  function frame(advance) {
    const t0 = performance.now();
    for (const c of clicks.splice(0)) {
      m.heat_add(u, c.x, c.y, hs.radius, hs.amount);
      hs.events.push({ step: hs.step, x: c.x, y: c.y, radius: hs.radius, amount: hs.amount });
    }
    const n = advance ? hs.stepsPerFrame : 0;
    for (let k = 0; k < n; k++) {
      m.heat_step(u, next, hs.alpha, hs.step);
      [u, next] = [next, u];
      hs.step += 1;
    }
    m.color_heat(u, hrgba);
    const ms = performance.now() - t0;
    hctx.putImageData(imageOf(hrgba, hcache), 0, 0);
    hs.kernelMs = ms;
    hs.frames += 1;
    hmsAvg = smooth(hmsAvg, ms);
    $("heat-ms").textContent = `${hmsAvg.toFixed(2)} ms`;
    $("heat-step").textContent = String(hs.step);
  }
  const loop = () => {
    if (!hs.running) return;
    frame(true);
    requestAnimationFrame(loop);
  };
  const pause = () => { hs.running = false; $("play").textContent = "play"; };
  const resume = () => {
    if (hs.running) return;
    hs.running = true;
    $("play").textContent = "pause";
    requestAnimationFrame(loop);
  };
  $("play").addEventListener("click", () => (hs.running ? pause() : resume()));
  requestAnimationFrame(loop);

  window.demo = {
    module: m,
    arrays: () => ({ iters, fractalRgba: frgba, heat: u, heatRgba: hrgba }),
    pause,
    resume,
  };
  state.ready = true;
}

main().catch((e) => {
  $("error").textContent = `The demo failed: ${e && e.stack ? e.stack : e}`;
  state.error = String(e);
  console.error(e);
});
