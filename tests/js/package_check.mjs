// Usage: node tests/js/package_check.mjs PKGDIR WORKDIR INPUT.json
//
// Takes an npm package written by `numba-wasm build --package PKGDIR` (with
// kernels `saxpy(a, x, y)` and `tri(n)`, see tests/python/test_npm_package.py)
// and uses it as a consumer would, offline: `npm publish --dry-run`, `npm
// pack`, `npm install --offline` of the tarball into a scratch project under
// WORKDIR, then
//  - node:    import it and call the kernels (`load()` with no argument);
//  - esbuild: bundle a page that imports the .wasm's URL through the package's
//             exports map (`file` loader) and loads it six ways (URL string,
//             URL object, fetch promise, Response, ArrayBuffer, Module);
//  - vite:    bundle a page calling `load()` with no argument, and a module
//             Web Worker doing the same and posting its results back; the
//             same page also from Vite's dev server (dependency pre-bundling);
//  - tsc:     a strict TypeScript file using the kernels type-checks against
//             the installed package (moduleResolution nodenext and bundler);
// both pages run in headless Chromium. Prints one JSON line: every
// environment's kernel results (the caller compares them with native Numba),
// the tsc outcomes and the tarball's size and file list. Exit code 1 on a
// setup failure.
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build as esbuild } from "esbuild";
import { build as viteBuild, createServer as viteServer } from "vite";

const [pkgDir, workDir, inputPath] = process.argv.slice(2).map((p) => p && resolve(p));
if (!pkgDir || !workDir || !inputPath) {
  console.error("usage: package_check.mjs PKGDIR WORKDIR INPUT.json");
  process.exit(2);
}
const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const PKG = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8")).name;
const INPUT = JSON.parse(await readFile(inputPath, "utf8"));

function run(cmd, args, cwd) {
  const p = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (p.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${p.status}):\n${p.stdout}\n${p.stderr}`);
  return p.stdout;
}

// ------------------------------------------------ pack and install, offline
await rm(workDir, { recursive: true, force: true });
const app = join(workDir, "app");
await mkdir(app, { recursive: true });
// A private cache: nothing is fetched, nothing shared is written.
const npmFlags = ["--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--cache", join(workDir, "npm-cache")];
const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", workDir, ...npmFlags], pkgDir));
const tarball = join(workDir, packed.filename);
// npm rewrites a package.json it finds wrong on publish ("auto-corrected");
// the dry run shows whether it would. (A prerelease version needs a tag.)
const publish = spawnSync("npm", ["publish", "--dry-run", "--tag", "next", ...npmFlags], { cwd: pkgDir, encoding: "utf8" });
await writeFile(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
run("npm", ["install", ...npmFlags, tarball], app);

// The calls every environment makes, with the inputs inlined.
await writeFile(join(app, "calls.js"), `export const INPUT = ${JSON.stringify(INPUT)};
export function runKernels(kernels, input) {
  const out = kernels.saxpy(input.a, Float64Array.from(input.x), Float64Array.from(input.y));
  return { saxpy: Array.from(out.data), shape: out.shape, tri: String(kernels.tri(BigInt(input.n))) };
}
`);
const results = {
  pack: { filename: packed.filename, size: packed.size, unpackedSize: packed.unpackedSize, files: packed.files.map((f) => f.path).sort() },
  publishDryRun: { status: publish.status, output: publish.stdout + publish.stderr },
};

// ------------------------------------------------ node
const nodeOut = run(process.execPath, ["--input-type=module", "-e", `
  import { load } from ${JSON.stringify(PKG)};
  import { runKernels, INPUT } from "./calls.js";
  console.log(JSON.stringify(runKernels(await load(), INPUT)));
`], app);
results.node = JSON.parse(nodeOut);

// ------------------------------------------------ TypeScript
await writeFile(join(app, "check.ts"), `import { load, type Module, type NdArray } from ${JSON.stringify(PKG)};

const kernels: Module = await load();
const fromFetch: Promise<Module> = load(fetch(new URL("./x.wasm", import.meta.url)));
const out: NdArray<Float64Array> = kernels.saxpy(2.5, new Float64Array(4), new Float64Array(4));
const total: bigint = kernels.tri(10n);
// @ts-expect-error int64 results are bigint, not number: the types are real.
const wrong: number = kernels.tri(10n);
// @ts-expect-error saxpy takes three arguments.
kernels.saxpy(2.5);
console.log(out.data[0], total, fromFetch, wrong);
`);
results.tsc = {};
for (const [mode, module] of [["nodenext", "nodenext"], ["bundler", "esnext"]]) {
  const config = `tsconfig.${mode}.json`;
  await writeFile(join(app, config), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: "es2022", module, moduleResolution: mode,
      lib: ["es2022", "dom"], types: [], skipLibCheck: false,
    },
    files: ["check.ts"],
  }));
  const p = spawnSync(process.execPath, [TSC, "-p", config], { cwd: app, encoding: "utf8" });
  results.tsc[mode] = { ok: p.status === 0, output: (p.stdout + p.stderr).trim() };
}

// ------------------------------------------------ bundles
const PAGE = (script) => `<!doctype html><meta charset=utf-8><title>package check</title>
<script type="module" src="${script}"></script>`;
// Each page stores its results (or its error) in globalThis.__results.
const report = (body) => `try {
  const results = {};
${body}
  globalThis.__results = results;
} catch (e) {
  globalThis.__results = { error: String(e?.stack ?? e) };
}
`;

const esb = join(app, "esbuild");
await mkdir(esb);
await writeFile(join(esb, "main.js"), `import { load } from ${JSON.stringify(PKG)};
import wasmUrl from ${JSON.stringify(`${PKG}/${packed.files.find((f) => f.path.endsWith(".wasm")).path}`)};
import { runKernels, INPUT } from "../calls.js";
${report(`  results.urlString = runKernels(await load(wasmUrl), INPUT);
  results.urlObject = runKernels(await load(new URL(wasmUrl, location.href)), INPUT);
  results.fetchPromise = runKernels(await load(fetch(wasmUrl)), INPUT);
  results.response = runKernels(await load(await fetch(wasmUrl)), INPUT);
  const bytes = await (await fetch(wasmUrl)).arrayBuffer();
  results.arrayBuffer = runKernels(await load(bytes), INPUT);
  results.module = runKernels(await load(await WebAssembly.compile(bytes)), INPUT);`)}`);
await esbuild({
  entryPoints: [join(esb, "main.js")], bundle: true, format: "esm", platform: "browser",
  target: "es2022", outdir: join(esb, "dist"), loader: { ".wasm": "file" }, logLevel: "error",
});
await writeFile(join(esb, "dist", "index.html"), PAGE("./main.js"));

const vite = join(app, "vite");
await mkdir(vite);
await writeFile(join(vite, "index.html"), PAGE("./main.js"));
await writeFile(join(vite, "main.js"), `import { load } from ${JSON.stringify(PKG)};
import { runKernels, INPUT } from "../calls.js";
${report(`  results.default = runKernels(await load(), INPUT);
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  results.worker = await new Promise((ok, fail) => {
    worker.onmessage = (e) => (e.data.error ? fail(new Error("worker: " + e.data.error)) : ok(e.data));
    worker.onerror = (e) => fail(new Error("worker: " + e.message));
  });`)}`);
await writeFile(join(vite, "worker.js"), `import { load } from ${JSON.stringify(PKG)};
import { runKernels, INPUT } from "../calls.js";
try {
  self.postMessage(runKernels(await load(), INPUT));
} catch (e) {
  self.postMessage({ error: String(e?.stack ?? e) });
}
`);
await viteBuild({
  root: vite, configFile: false, logLevel: "error", base: "./",
  build: { outDir: join(vite, "dist"), target: "es2022", emptyOutDir: true },
  worker: { format: "es" },
});

// ------------------------------------------------ Chromium
const MIME = { ".wasm": "application/wasm", ".js": "text/javascript", ".html": "text/html" };
async function handle(req, res) {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  const file = resolve(app, "." + sep + path);
  try {
    if (!file.startsWith(app + sep) || !(await stat(file)).isFile()) throw new Error("no file");
    res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
    res.end(await readFile(file));
  } catch {
    res.writeHead(404);
    res.end();
  }
}

let server, browser, dev;
try {
  server = createServer((req, res) => { handle(req, res); });
  await new Promise((ok, err) => server.once("error", err).listen(0, "127.0.0.1", ok));
  const base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  dev = await viteServer({
    root: vite, configFile: false, logLevel: "error", worker: { format: "es" },
    server: { host: "127.0.0.1", port: 0, strictPort: false, hmr: false },
    cacheDir: join(workDir, "vite-cache"),
  });
  await dev.listen();
  const pages = [["esbuild", `${base}/esbuild/dist/index.html`], ["vite", `${base}/vite/dist/index.html`],
    ["viteDev", dev.resolvedUrls.local[0]]];
  for (const [name, url] of pages) {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => globalThis.__results !== undefined, null, { timeout: 60_000 });
    results[name] = await page.evaluate(() => globalThis.__results);
    if (errors.length) results[name].pageErrors = errors;
    await page.close();
  }
} finally {
  await browser?.close().catch(() => {});
  await dev?.close();
  server?.closeAllConnections?.();
  await new Promise((ok) => (server?.listening ? server.close(ok) : ok()));
}
console.log(JSON.stringify(results));
