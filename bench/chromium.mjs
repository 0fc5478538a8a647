// Usage: node bench/chromium.mjs BUILD_DIR CALLS.json
// Times every call inside headless Chromium (Debian's /usr/bin/chromium via
// playwright-core), zero-copy and copying paths; prints the results as JSON.
// Serves the repository root and BUILD_DIR (under /__out/) on 127.0.0.1.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const [dir, callsPath] = process.argv.slice(2);
const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const OUT = resolve(dir);
const MIME = { ".wasm": "application/wasm", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json" };

function under(base, rel) {
  const p = resolve(base, "." + sep + decodeURIComponent(rel));
  return p === base || p.startsWith(base + sep) ? p : null;
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (path === "/") {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><meta charset=utf-8><title>bench</title>");
    return;
  }
  const file = path === "/__calls.json" ? resolve(callsPath)
    : path.startsWith("/__out/") ? under(OUT, path.slice(7)) : under(ROOT, path.slice(1));
  try {
    if (!file || !(await stat(file)).isFile()) throw new Error();
    res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
    res.end(await readFile(file));
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(1_800_000);
  page.on("console", (m) => console.error(`  chromium ${m.text()}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const results = await page.evaluate(async () => {
    const { runBench } = await import("/bench/runner.mjs");
    const { calls } = await (await fetch("/__calls.json")).json();
    const loadModule = async (id) => (await import(`/__out/${id}/${id}.js`)).load();
    return runBench({ calls, loadModule, handwritten: {}, log: (l) => console.log(l) });
  });
  console.log(JSON.stringify(results));
} finally {
  await browser.close();
  server.close();
}
