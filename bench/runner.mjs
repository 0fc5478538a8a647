// Times the benchmark kernels in a JS engine (Node or a browser page).
//
//   const results = await runBench({ calls, loadModule, handwritten, log });
//
// calls: [{id, func, args: [case values (tests/js/cases.mjs format)], handwritten: bool}]
// loadModule(id): the loaded numba-wasm module built for that kernel.
// Each timing is the median over SAMPLES samples of the per-call time, where a
// sample repeats the call until it lasts at least MIN_MS (timer resolution in
// browsers is coarse). Returns {id: {copy_ms, zero_copy_ms?, js_ms?}}.
import { toArg } from "../tests/js/cases.mjs";

const SAMPLES = 9;
const MIN_MS = 25;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function timeIt(fn) {
  fn(); fn(); // warm-up: lets the engine tier up
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= MIN_MS) break;
    reps = dt > 0 ? Math.max(reps + 1, Math.ceil(reps * MIN_MS * 1.2 / dt)) : reps * 10;
  }
  const per = [];
  for (let s = 0; s < SAMPLES; s++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    per.push((performance.now() - t0) / reps);
  }
  return median(per);
}

const isArray = (a) => ArrayBuffer.isView(a) || (a && typeof a === "object" && a.data);

export async function runBench({ calls, loadModule, handwritten, log = () => {} }) {
  const out = {};
  for (const c of calls) {
    const m = await loadModule(c.id);
    const f = m.kernels[c.func];
    const r = {};
    // Copying: TypedArrays in JS memory, copied in (and back, for arrays the
    // kernel may write) on every call.
    const args = c.args.map(toArg);
    r.copy_ms = timeIt(() => f(...args));
    if (args.some(isArray)) {
      // Zero-copy: the arrays were placed in wasm memory once (m.fromArray).
      // Returned arrays stay there too (noCopy), freed after each call.
      const wargs = args.map((a) => (isArray(a) ? m.fromArray(a) : a));
      const release = (x) => (Array.isArray(x) ? x.forEach(release) : x?.free?.());
      r.zero_copy_ms = timeIt(() => release(f.noCopy(...wargs)));
      wargs.forEach((a) => a?.free?.());
    }
    if (c.handwritten && handwritten[c.id]) {
      const hargs = c.args.map(toArg);
      r.js_ms = timeIt(() => handwritten[c.id](...hargs));
    }
    out[c.id] = r;
    log(`${c.id}: ${JSON.stringify(r)}`);
  }
  return out;
}
