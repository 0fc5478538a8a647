// Usage: node [--experimental-wasm-relaxed-simd] bench/levels.mjs CALLS.json LEVEL=DIR...
// Times each call's zero-copy path (bench/runner.mjs's method) in the builds
// of every SIMD level, the levels one after the other for each kernel and in
// ROUNDS rounds (each level's time: the median of its rounds), so that a
// machine whose load drifts during the run slows every level alike. Prints
// {id: {LEVEL: {zero_copy_ms | copy_ms}}} as JSON.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { toArg } from "../tests/js/cases.mjs";
import { timeIt } from "./runner.mjs";

const ROUNDS = 3;
const [callsPath, ...levelArgs] = process.argv.slice(2);
const levels = levelArgs.map((a) => a.split("="));
const { calls } = JSON.parse(await readFile(callsPath, "utf8"));
const isArray = (a) => ArrayBuffer.isView(a) || (a && typeof a === "object" && a.data);
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

const out = {};
for (const c of calls) {
  const runs = {};
  for (const [level, dir] of levels) {
    const js = pathToFileURL(resolve(join(dir, c.id, `${c.id}.js`))).href;
    const m = await (await import(js)).load();
    const f = m.kernels[c.func];
    const args = c.args.map(toArg);
    if (args.some(isArray)) {
      const wargs = args.map((a) => (isArray(a) ? m.fromArray(a) : a));
      const release = (x) => (Array.isArray(x) ? x.forEach(release) : x?.free?.());
      runs[level] = { key: "zero_copy_ms", fn: () => release(f.noCopy(...wargs)), times: [] };
    } else {
      runs[level] = { key: "copy_ms", fn: () => f(...args), times: [] };
    }
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const [level] of levels) runs[level].times.push(timeIt(runs[level].fn));
  }
  out[c.id] = Object.fromEntries(levels.map(([level]) => [level, { [runs[level].key]: median(runs[level].times) }]));
  console.error(`  levels ${c.id}: ${JSON.stringify(out[c.id])}`);
}
console.log(JSON.stringify(out));
