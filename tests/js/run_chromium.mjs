// Usage: node tests/js/run_chromium.mjs OUTDIR NAME CASES.json
// Serves the repository root (and OUTDIR under /__out/) on 127.0.0.1, runs the
// same fixture cases inside headless Chromium (Debian's /usr/bin/chromium via
// playwright-core), prints one line per failure and "N passed, M failed";
// exit code 1 if any failed. Browser and server are always closed.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const [outDir, name, casesPath] = process.argv.slice(2);
if (!outDir || !name || !casesPath) {
  console.error("usage: run_chromium.mjs OUTDIR NAME CASES.json");
  process.exit(2);
}
const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const OUT = resolve(outDir);
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const MIME = {
  ".wasm": "application/wasm", ".js": "text/javascript", ".mjs": "text/javascript",
  ".json": "application/json", ".html": "text/html", ".ts": "text/plain",
};
const PAGE = "<!doctype html><meta charset=utf-8><title>numba-wasm cases</title>";

// Maps a URL path to a file under base, refusing anything that escapes it.
function under(base, rel) {
  const p = resolve(base, "." + sep + decodeURIComponent(rel));
  return p === base || p.startsWith(base + sep) ? p : null;
}

async function handle(req, res) {
  const path = new URL(req.url, "http://x").pathname;
  let file = null, body = null, type;
  if (path === "/favicon.ico") { res.writeHead(204); res.end(); return; }
  if (path === "/" || path === "/index.html") { body = PAGE; type = MIME[".html"]; }
  else if (path === "/__cases.json") file = resolve(casesPath);
  else if (path.startsWith("/__out/")) file = under(OUT, path.slice("/__out/".length));
  else file = under(ROOT, path.slice(1));
  try {
    if (file) {
      if (!(await stat(file)).isFile()) throw new Error("not a file");
      body = await readFile(file);
      type = MIME[extname(file)] ?? "application/octet-stream";
    }
    if (body == null) throw new Error("forbidden");
    res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
    res.end(body);
  } catch {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  }
}

let server, browser;
let passed = 0, failed = 0;
try {
  server = createServer((req, res) => { handle(req, res); });
  await new Promise((ok, err) => server.once("error", err).listen(0, "127.0.0.1", ok));
  const base = `http://127.0.0.1:${server.address().port}`;

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
  page.on("console", (msg) => { if (msg.type() === "error") console.log(`page console: ${msg.text()}`); });
  await page.goto(`${base}/`);
  page.setDefaultTimeout(600_000);
  const r = await page.evaluate(async (modUrl) => {
    const { load } = await import(modUrl);
    const { runCases } = await import("/tests/js/cases.mjs");
    const m = await load();
    const json = await (await fetch("/__cases.json")).text();
    return runCases(m, json);
  }, `/__out/${encodeURIComponent(name)}.js`);
  for (const f of r.failures) console.log(`FAIL ${f.id}: ${f.message}`);
  passed = r.passed;
  failed = r.failed;
} catch (e) {
  console.log(`FAIL setup: ${e?.stack ?? e}`);
  failed++;
} finally {
  await browser?.close().catch(() => {});
  server?.closeAllConnections?.();
  await new Promise((ok) => (server?.listening ? server.close(ok) : ok()));
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
