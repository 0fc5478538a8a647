// Usage: node tests/js/widget_chromium.mjs PAGE SLIDER-NAME NEW-VALUE [--run-notebook] [--offline-assets]
// Opens PAGE in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core): a file (a page saved by numba_wasm's ImageView.save(), or a
// notebook exported by nbconvert) or an http(s) URL (a notebook in JupyterLab).
// Waits for the first render of the first view (root attribute data-ready),
// reads the canvas RGBA pixels, sets the named slider to NEW-VALUE and
// dispatches `input`, waits for the next render and reads the pixels again.
// Prints
//   {"before": base64, "after": base64, "width", "height", "redraws", "blocked": [...], "errors": [...]}
// to stdout. Exit code 1 on a timeout, a page error, a console error or an
// error shown by the view. The browser is always closed.
//   --run-notebook: PAGE is a notebook in JupyterLab: run all its cells first
//     (Run menu > Run All Cells), so the view is the output of a live kernel.
//   --offline-assets: the page itself links third-party assets (nbconvert's
//     template loads require.js and MathJax from a CDN); they are still
//     blocked, but listed in "blocked" instead of failing the run.
// Only file:, blob:, data: and PAGE's own origin are ever fetched.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith("--")));
const [pagePath, sliderName, newValue] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
if (!pagePath || !sliderName || newValue === undefined) {
  console.error("usage: widget_chromium.mjs PAGE SLIDER-NAME NEW-VALUE [--run-notebook] [--offline-assets]");
  process.exit(2);
}
const pageUrl = /^https?:/.test(pagePath) ? new URL(pagePath) : pathToFileURL(resolve(pagePath));
const origin = pageUrl.protocol === "file:" ? null : pageUrl.origin;
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const TIMEOUT = Number(process.env.WIDGET_TIMEOUT_MS ?? 60_000);

const errors = [];
const blocked = [];
const result = { before: null, after: null, width: 0, height: 0, redraws: 0, blocked, errors };
let browser, page;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    // The failed load of an asset blocked below is reported there, not as an error.
    if (flags.has("--offline-assets") && blocked.length && m.text().startsWith("Failed to load resource")) return;
    errors.push(`console: ${m.text()}`);
  });
  // Self-contained means no network at all: fail any request that is not the page itself
  // (or, for a notebook in JupyterLab, its local server).
  await page.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith("file:") || u.startsWith("blob:") || u.startsWith("data:")) return route.continue();
    if (origin && new URL(u).origin === origin) return route.continue();
    (flags.has("--offline-assets") ? blocked : errors).push(`network request: ${u}`);
    return route.abort();
  });
  await page.goto(pageUrl.href);
  if (flags.has("--run-notebook")) {
    // JupyterLab: once the notebook is shown and its kernel idle, Run > Run All Cells.
    await page.locator(".jp-Notebook .jp-Cell").first().waitFor();
    // Until `done`, accept JupyterLab's kernel choice if it asks for one (it does when cells
    // are run before the session is up).
    const settle = async (done, what) => {
      const deadline = Date.now() + TIMEOUT;
      for (;;) {
        const dialog = page.locator(".jp-Dialog");
        if (await dialog.isVisible()) await dialog.locator(".jp-mod-accept").click();
        else if (await done()) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await page.waitForTimeout(250);
      }
    };
    await settle(() => page.getByText(/ \| Idle$/).first().isVisible(), "the notebook's kernel to be idle");
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
    await settle(async () => (await page.locator(".nwv[data-ready], .nwv[data-error]").count()) > 0,
      "the cell's view to be drawn");
  }

  // Resolves with the redraw count once the view has drawn more than `after` times; throws on a view error.
  const waitRedraw = async (after) => {
    const h = await page.waitForFunction((n) => {
      const root = document.querySelector(".nwv");
      if (!root) return null;
      if (root.hasAttribute("data-error")) return { error: root.getAttribute("data-error") };
      const k = Number(root.getAttribute("data-ready") ?? 0);
      return k > n ? { redraws: k } : null;
    }, after);
    const r = await h.jsonValue();
    if (r.error) throw new Error(`the view shows an error: ${r.error}`);
    return r.redraws;
  };
  const pixels = () => page.evaluate(() => {
    const c = document.querySelector(".nwv canvas");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let s = "";
    for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode(...d.subarray(i, i + 0x8000));
    return { b64: btoa(s), width: c.width, height: c.height };
  });

  let n = await waitRedraw(0);
  const before = await pixels();
  const found = await page.evaluate(([name, value]) => {
    const el = [...document.querySelectorAll(".nwv input[type=range]")].find((e) => e.dataset.arg === name);
    if (!el) return false;
    el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    return true;
  }, [sliderName, newValue]);
  if (!found) throw new Error(`no slider named ${sliderName}`);
  n = await waitRedraw(n);
  const after = await pixels();
  Object.assign(result, { before: before.b64, after: after.b64, width: after.width, height: after.height, redraws: n });
  if (before.width !== after.width || before.height !== after.height) {
    result.beforeSize = [before.width, before.height];
  }
} catch (e) {
  errors.push(`FAIL: ${e?.message ?? e}`);
  // What the page showed instead, to tell a stuck kernel from a view that failed.
  const shown = await page?.evaluate(() => document.body?.innerText.slice(0, 2000)).catch(() => null);
  if (shown) errors.push(`page text: ${shown}`);
  if (process.env.WIDGET_SCREENSHOT) await page?.screenshot({ path: process.env.WIDGET_SCREENSHOT }).catch(() => {});
} finally {
  await browser?.close().catch(() => {});
}
console.log(JSON.stringify(result));
process.exitCode = errors.length ? 1 : 0;
