// Times kernel calls in Node; prints JSON {id: {copy_ms, zero_copy_ms}} (medians).
// Usage: node scripts/bench.mjs OUT/NAME.js CALLS.json REPEATS
// CALLS.json: {"calls": [{"id", "func", "args": [case values]}]} (fixtures format).
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { toArg } from "../tests/js/cases.mjs";

const [modPath, callsPath, repeatsArg] = process.argv.slice(2);
const repeats = Number(repeatsArg ?? 30);
const { load } = await import(pathToFileURL(resolve(modPath)).href);
const m = await load();
const { calls } = JSON.parse(await readFile(callsPath, "utf8"));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn) {
  for (let i = 0; i < 3; i++) fn(); // warm-up: lets the engine tier up the wasm code
  const ts = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const out = {};
for (const c of calls) {
  const args = c.args.map(toArg);
  const f = m[c.func];
  const r = { copy_ms: time(() => f(...args)) };
  if (args.some((a) => ArrayBuffer.isView(a) || a?.data)) {
    // Zero-copy: the arrays live in wasm memory already.
    const wargs = args.map((a) => (ArrayBuffer.isView(a) || a?.data ? m.fromArray(a) : a));
    r.zero_copy_ms = time(() => f(...wargs));
    wargs.forEach((a) => a?.free?.());
  }
  out[c.id] = r;
}
console.log(JSON.stringify(out));
