// Times kernels of a built module in Node; prints JSON medians (ms).
// Usage: node scripts/bench.mjs OUT/NAME.js REPEATS
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { xorshift } from "../tests/js/cases.mjs";

const [modPath, repeatsArg] = process.argv.slice(2);
const repeats = Number(repeatsArg ?? 50);
const { load } = await import(pathToFileURL(resolve(modPath)).href);
const m = await load();

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn) {
  for (let i = 0; i < 5; i++) fn(); // warm-up (tier-up of the wasm code)
  const ts = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

// The same 1M int32 in [-100, 100] as the fixture case np_sum_1m.
const x = xorshift(1_000_000, 12345, -100, 100, "int32");
const w = m.empty("int32", [x.length]);
w.data.set(x);
let check = 0n;
const result = {
  np_sum_copy_ms: time(() => { check = m.np_sum(x); }),
  np_sum_zero_copy_ms: time(() => { check = m.np_sum(w); }),
  np_sum_plain_js_ms: time(() => { let s = 0; for (let i = 0; i < x.length; i++) s += x[i]; check = BigInt(s); }),
  np_sum_value: String(check),
};
w.free();
console.log(JSON.stringify(result));
