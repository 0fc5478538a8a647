#!/usr/bin/env node
// Usage: node scripts/serve_demo.mjs [DIR] [--port N]
// Serves the demo page built by scripts/demo.py (default DIR: build/demo/web)
// on http://127.0.0.1:N/ (default 8000; 0 picks a free port). Static files
// only, nothing outside DIR. Stop with Ctrl-C.
// Also imported by tests/js/demo_chromium.mjs (`serveDir`).
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const MIME = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
  ".wasm": "application/wasm", ".json": "application/json", ".ts": "text/plain",
  ".css": "text/css", ".png": "image/png", ".md": "text/plain; charset=utf-8",
};

/** Starts a static server for `dir`; resolves with {server, url}. */
export async function serveDir(dir, port = 0, host = "127.0.0.1") {
  const base = resolve(dir);
  const server = createServer(async (req, res) => {
    let rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (rel.endsWith("/")) rel += "index.html";
    const file = resolve(base, "." + sep + rel);
    try {
      if (!(file === base || file.startsWith(base + sep))) throw new Error("outside");
      if (!(await stat(file)).isFile()) throw new Error("not a file");
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": MIME[extname(file)] ?? "application/octet-stream",
        "cache-control": "no-store",
      });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((ok, err) => server.once("error", err).listen(port, host, ok));
  return { server, url: `http://${host}:${server.address().port}/` };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let port = 8000, dir = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--port") port = Number(args[++i]);
    else if (dir === null) dir = args[i];
    else { console.error("usage: serve_demo.mjs [DIR] [--port N]"); process.exit(2); }
  }
  dir ??= fileURLToPath(new URL("../build/demo/web", import.meta.url));
  try {
    await stat(resolve(dir, "index.html"));
  } catch {
    console.error(`${dir}/index.html not found: build the page first with scripts/demo.sh`);
    process.exit(1);
  }
  const { url } = await serveDir(dir, port);
  console.log(`serving ${resolve(dir)} at ${url} (Ctrl-C to stop)`);
}
