// Usage: node tests/js/same_results.mjs A.js B.js CASES.json [SKIP_PREFIX]
// Runs every case that returns (fixture format, tests/js/cases.mjs) in two
// builds of the same kernels and checks that they return the same bits:
// tests/simd.rs compares a --no-simd build with the default one this way.
// Cases whose id starts with SKIP_PREFIX are left out. Prints one line per
// difference and "N passed, M failed".
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { pickCallable, toArg } from "./cases.mjs";

const [aPath, bPath, casesPath, skip] = process.argv.slice(2);
const load = async (p) => (await import(pathToFileURL(resolve(p)).href)).load();
const [a, b] = [await load(aPath), await load(bPath)];
const { cases } = JSON.parse(await readFile(casesPath, "utf8"));

// Bytes of a result: numbers as float64 bits, bigints as text, arrays'
// elements, in order.
function bits(x, out = []) {
  if (ArrayBuffer.isView(x)) out.push(...new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  else if (typeof x === "number") out.push(...new Uint8Array(new Float64Array([x]).buffer));
  else if (typeof x === "bigint" || typeof x === "boolean" || x == null) out.push(String(x));
  else if (Array.isArray(x)) x.forEach((v) => bits(v, out));
  else for (const k of Object.keys(x).sort()) { out.push(k); bits(x[k], out); }
  return out;
}

let passed = 0, failed = 0;
for (const c of cases) {
  if (c.raises || (skip && c.id.startsWith(skip))) continue;
  const call = (m) => pickCallable(m.kernels[c.func], c.args)(...c.args.map(toArg));
  const [x, y] = [bits(call(a)), bits(call(b))];
  if (x.length === y.length && x.every((v, i) => v === y[i])) passed++;
  else {
    failed++;
    console.log(`FAIL ${c.id}: the builds return different bits`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
