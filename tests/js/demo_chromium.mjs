// Usage: node tests/js/demo_chromium.mjs WEB_DIR [SCREENSHOT.png]
// Serves WEB_DIR (the demo page built by examples/web/build_page.py) with
// scripts/serve_demo.mjs, opens it in headless Chromium (Debian's
// /usr/bin/chromium via playwright-core) and uses it like a reader: drags and
// wheel-zooms the fractal, switches to the Julia set and moves its slider,
// lets the heat simulation run and clicks into it. Prints one JSON object:
//   {"phases": [{name, view, iters, pixels}], "heat": {state, u, pixels},
//    "text": {...}, "stats": [before, after], "errors": [...]}
// (arrays as base64 of their bytes) for tests/python/test_demo_page.py to
// compare with native Numba. Exit code 1 on a timeout or page error; the
// browser and server are always closed.
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { serveDir } from "../../scripts/serve_demo.mjs";

const [webDir, screenshot] = process.argv.slice(2);
if (!webDir) {
  console.error("usage: demo_chromium.mjs WEB_DIR [SCREENSHOT.png]");
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const TIMEOUT = Number(process.env.DEMO_TIMEOUT_MS ?? 60_000);

const errors = [];
const out = { phases: [], heat: null, text: {}, stats: [], errors };
let browser, server;
try {
  const s = await serveDir(resolve(webDir));
  server = s.server;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
  page.setDefaultTimeout(TIMEOUT);
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
  // No network beyond the local server.
  await page.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith(s.url)) return route.continue();
    errors.push(`network request: ${u}`);
    return route.abort();
  });
  await page.goto(s.url);
  await page.waitForFunction(() => window.demoState?.error
    || (window.demoState?.ready && window.demoState.fractal.renders >= 1 && window.demoState.heat.frames >= 3));
  const failed = await page.evaluate(() => window.demoState.error ?? null);
  if (failed) throw new Error(`the page failed: ${failed}`);

  // Two animation frames: any render requested by the last event has run.
  const settle = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const b64 = (name) => `(() => {
    const a = ${name};
    const u8 = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    let s = "";
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
    return btoa(s);
  })()`;
  const canvasPixels = (id) => b64(`(() => { const c = document.getElementById("${id}");
    return c.getContext("2d").getImageData(0, 0, c.width, c.height).data; })()`);
  const phase = async (name) => {
    await settle();
    out.phases.push(await page.evaluate(`({
      name: ${JSON.stringify(name)},
      view: window.demoState.fractal.view,
      renders: window.demoState.fractal.renders,
      iters: ${b64("window.demo.arrays().iters.data")},
      pixels: ${canvasPixels("fractal")},
    })`));
  };
  const box = await page.locator("#fractal").boundingBox();

  await phase("initial");
  // Pan: drag from the middle to the lower right.
  const x0 = box.x + box.width / 2, y0 = box.y + box.height / 2;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x0 + 70, y0 + 35, { steps: 7 });
  await page.mouse.up();
  await phase("pan");
  // Zoom in twice about a point off centre.
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
  await page.mouse.wheel(0, -300);
  await settle();
  await page.mouse.wheel(0, -200);
  await phase("zoom");
  // The Julia set, with a new parameter from its slider, then a drag.
  await page.selectOption("#mode", "julia");
  await page.evaluate(() => {
    const el = document.getElementById("jr");
    el.value = "-0.7";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x0 - 40, y0 + 20, { steps: 4 });
  await page.mouse.up();
  await phase("julia");

  // Heat: wait some frames, click into it, run on, pause, read the state.
  const frames = () => page.evaluate(() => window.demoState.heat.frames);
  out.stats.push(await page.evaluate(() => ({ ...window.demo.module.stats(), heatFrames: window.demoState.heat.frames })));
  const hbox = await page.locator("#heat").boundingBox();
  await page.mouse.click(hbox.x + hbox.width * 0.25, hbox.y + hbox.height * 0.3);
  const f1 = await frames();
  await page.waitForFunction((n) => window.demoState.heat.frames >= n, f1 + 10);
  out.heat = await page.evaluate(`(() => {
    window.demo.pause();
    return {
      state: window.demoState.heat,
      u: ${b64("window.demo.arrays().heat.data")},
      pixels: ${canvasPixels("heat")},
    };
  })()`);
  out.stats.push(await page.evaluate(() => ({ ...window.demo.module.stats(), heatFrames: window.demoState.heat.frames })));
  out.text = await page.evaluate(() => ({
    fractalMs: document.getElementById("fractal-ms").textContent,
    heatMs: document.getElementById("heat-ms").textContent,
    heatStep: document.getElementById("heat-step").textContent,
  }));
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
} catch (e) {
  errors.push(`driver: ${e.message}`);
} finally {
  await browser?.close();
  server?.close();
}
// exitCode, not exit(): a large write to a pipe must be flushed first.
console.log(JSON.stringify(out));
process.exitCode = errors.length ? 1 : 0;
