// Usage: node tests/js/hostile.mjs OUTDIR/NAME.js [SEED]
// Adversarial arguments against the generated wrapper, on a module built
// from the fixture corpus (kernels sum1d, axpy, weighted_sum2d, laplace_2d).
// Each case is surrounded by canary arrays in wasm memory; after it, the
// canaries, the allocation count and a plain call must be as before. The
// named attacks come first (arguments read twice, a getter freeing a
// validated WasmArray, a WasmArray of another instance, forged or proxied
// WasmArrays, stale views into wasm memory), then SEED-driven random
// mutations of valid arguments. Last line: the outcome classes counted.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [modPath, seedArg] = process.argv.slice(2);
if (!modPath) {
  console.error("usage: hostile.mjs OUTDIR/NAME.js [SEED]");
  process.exit(2);
}
const seed = Number(seedArg ?? 20261129) >>> 0;
console.log(`hostile.mjs: seed ${seed} (rerun: node tests/js/hostile.mjs ${modPath} ${seed})`);

const { load, WasmArray } = await import(pathToFileURL(resolve(modPath)).href);
const m = await load();
const other = await load(); // a second instance of the same module

const counts = { rejected: 0, ran: 0, wrong: 0, corrupted: 0, leaked: 0, crashed: 0 };
const failures = [];

// Canaries: arrays in wasm memory that no case may touch.
const CANARY = 0x5a;
const canaries = [];
function plantCanaries() {
  for (let i = 0; i < 4; i++) {
    const c = m.empty("uint8", [4096]);
    c.data.fill(CANARY);
    canaries.push(c);
  }
}
function canariesIntact() {
  return canaries.every((c) => !c.freed && c.data.every((b) => b === CANARY));
}

function sumOf(a) {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

// Runs one case: `fn` gets fresh material and returns the kernel result.
// `expect(result)` says whether a result (when there is no error) is right.
function attempt(name, fn, expect = () => true) {
  const before = m.stats();
  let outcome;
  try {
    const r = fn();
    outcome = expect(r) ? "ran" : "wrong";
  } catch (e) {
    outcome = e instanceof TypeError || e instanceof RangeError ? "rejected" : "crashed";
    if (outcome === "crashed") failures.push(`${name}: ${e?.name}: ${e?.message}`);
  }
  if (outcome === "wrong") failures.push(`${name}: wrong result`);
  if (!canariesIntact()) {
    outcome = "corrupted";
    failures.push(`${name}: canary overwritten`);
    for (const c of canaries) if (!c.freed) c.data.fill(CANARY);
  }
  const after = m.stats();
  if (after.liveAllocations > before.liveAllocations) { // a case may free its own arrays
    failures.push(`${name}: live allocations ${before.liveAllocations} -> ${after.liveAllocations}`);
    counts.leaked++;
  }
  // The instance stays usable.
  if (m.sum1d(new Float64Array([1, 2, 3])) !== 6) failures.push(`${name}: instance unusable afterwards`);
  counts[outcome]++;
  return outcome;
}

function expectRejected(name, fn) {
  const o = attempt(name, fn, () => false);
  if (o !== "rejected") failures.push(`${name}: expected a TypeError/RangeError, got ${o}`);
}

plantCanaries();

// ---- arguments read twice: getters that answer differently the second time
{
  let reads = 0;
  const data = new Float64Array(1);
  const arg = {
    data,
    get shape() { reads++; return reads === 1 ? [1] : [4096]; },
    get strides() { return reads <= 1 ? [8] : [8]; },
  };
  const o = attempt("shape getter answers differently", () => m.sum1d(arg), (r) => r === 0);
  if (reads !== 1) failures.push(`shape getter read ${reads} times, want 1`);
  if (o !== "ran") failures.push(`shape getter: ${o}`);
}
{
  let reads = 0;
  const small = new Float64Array(1);
  const arg = { get data() { reads++; return reads === 1 ? small : new Float64Array(4096); }, shape: [1] };
  attempt("data getter answers differently", () => m.sum1d(arg), (r) => r === 0);
  if (reads !== 1) failures.push(`data getter read ${reads} times, want 1`);
}
{
  // Strides that pass the check once and point far away the second time.
  let n = 0;
  const arg = { data: new Float64Array(8), shape: [2], get strides() { return n++ === 0 ? [8] : [1 << 20]; } };
  attempt("strides getter answers differently", () => m.sum1d(arg), (r) => r === 0);
  if (n !== 1) failures.push(`strides getter read ${n} times, want 1`);
}
{
  // A Proxy over a shape array whose length changes between reads.
  let lenReads = 0;
  const shape = new Proxy([3], { get(t, k) { if (k === "length") return ++lenReads === 1 ? 1 : 3; return Reflect.get(t, k); } });
  attempt("shape Proxy with changing length", () => m.sum1d({ data: new Float64Array(3), shape }));
}

// ---- a getter frees a validated WasmArray during the call
{
  const x = m.fromArray(new Float64Array([1, 2, 3]));
  const y = new Float64Array(3);
  expectRejected("getter frees an earlier WasmArray argument", () =>
    m.axpy(2.0, x, { get data() { x.free(); return y; }, shape: [3] }));
  const z = m.empty("float64", [3]);
  expectRejected("getter frees a later WasmArray argument", () =>
    m.axpy(2.0, { get data() { z.free(); return new Float64Array(3); }, shape: [3] }, z));
  // A freed block handed out again must not be written through the old array.
  const reuse = m.empty("float64", [3]);
  reuse.data.set([7, 7, 7]);
  attempt("freed arrays stay freed", () => m.sum1d(reuse), (r) => r === 21);
  reuse.free();
}

// ---- WasmArrays of another instance, forged, proxied, subclassed
{
  const foreign = other.fromArray(new Float64Array([1, 2, 3]));
  expectRejected("WasmArray of another instance", () => m.sum1d(foreign));
  foreign.free();
  const w = m.fromArray(new Float64Array([1, 2, 3]));
  try { w.shape = [4096]; } catch { /* getters only */ }
  try { Object.defineProperty(w, "ptr", { value: 8 }); } catch { /* ignored either way */ }
  attempt("assigned shape/ptr are ignored", () => m.sum1d(w), (r) => r === 6);
  expectRejected("Object.create(WasmArray)", () => m.sum1d(Object.create(w)));
  expectRejected("Proxy of a WasmArray", () => m.sum1d(new Proxy(w, {})));
  expectRejected("look-alike object", () => m.sum1d({ dtype: "float64", shape: [4096], strides: [8], ptr: 8, meminfo: 0, data: w.data, freed: false }));
  expectRejected("new WasmArray() from outside", () => m.sum1d(new WasmArray({}, {})));
  // ---- views into wasm memory, current and stale
  expectRejected("view of a live WasmArray's .data", () => m.sum1d(w.data));
  const stale = w.data;
  w.free();
  expectRejected("stale view of a freed WasmArray", () => m.sum1d(stale));
  expectRejected("view into wasm memory as {data, shape}", () => m.sum1d({ data: new Float64Array(m.memory.buffer, 0, 16), shape: [16] }));
}

// ---- odd objects where arrays are expected
for (const [name, value] of [
  ["DataView", new DataView(new ArrayBuffer(8))],
  ["function", () => 1],
  ["Symbol", Symbol("x")],
  ["huge Array", new Proxy([], { get: (t, k) => (k === "length" ? 2 ** 40 : Reflect.get(t, k)) })],
  ["deep nesting", JSON.parse("[".repeat(500) + "]".repeat(500))],
  ["shape with NaN", { data: new Float64Array(4), shape: [NaN] }],
  ["shape with 2^53", { data: new Float64Array(4), shape: [2 ** 53] }],
  ["strides overflowing", { data: new Float64Array(4), shape: [2, 2], strides: [2 ** 52, 2 ** 52] }],
  ["detached buffer", (() => { const a = new Float64Array(4); structuredClone(a.buffer, { transfer: [a.buffer] }); return a; })()],
]) {
  expectRejected(`odd argument: ${name}`, () => m.sum1d(value));
}
expectRejected("empty() with a huge shape", () => m.empty("float64", [2 ** 31, 2 ** 31]));
expectRejected("empty() with a Proxy shape", () => m.empty("float64", new Proxy([1], { get: (t, k) => (k === "length" ? 2 ** 40 : t[k]) })));

// ---- random mutations of valid arguments (xorshift32, seeded)
let s = seed || 1;
const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const ints = [0, 1, 2, 3, 4, 7, 8, 16, -1, -8, 2 ** 31, 2 ** 32, 2 ** 53, NaN, 0.5];
function mutatedSpec() {
  const n = pick([0, 1, 3, 8]);
  const data = pick([new Float64Array(n), new Float32Array(n), new Int32Array(n), new Float64Array(n + 1)]);
  data.fill(1);
  const spec = { data, shape: [n] };
  const r = rnd();
  if (r < 0.2) spec.shape = [pick(ints)];
  else if (r < 0.4) spec.strides = [pick(ints)];
  else if (r < 0.5) spec.shape = [pick(ints), pick(ints)];
  else if (r < 0.6) { let k = 0; Object.defineProperty(spec, "shape", { get: () => (k++ ? [pick(ints)] : [n]) }); }
  else if (r < 0.7) { let k = 0; Object.defineProperty(spec, "strides", { get: () => (k++ ? [pick(ints)] : [data.BYTES_PER_ELEMENT]) }); }
  return spec;
}
const N = Number(process.env.NW_HOSTILE_CASES ?? 2000);
for (let i = 0; i < N; i++) {
  const which = rnd();
  if (which < 0.5) {
    const spec = mutatedSpec();
    attempt(`random ${i} sum1d`, () => m.sum1d(spec), (r) => Number.isNaN(r) || r === sumOf(new Float64Array(0)) || typeof r === "number");
  } else if (which < 0.8) {
    const x = mutatedSpec(), y = mutatedSpec();
    attempt(`random ${i} axpy`, () => m.axpy(pick([1, 2.5, NaN]), x, y), (r) => r === undefined);
  } else {
    const n = pick([0, 1, 3]), k = pick([0, 1, 4]);
    const u = { data: new Float64Array(n * k), shape: [n, k] };
    if (rnd() < 0.5) u.strides = [pick(ints), pick(ints)];
    attempt(`random ${i} laplace_2d`, () => m.laplace_2d(u, { data: new Float64Array(n * k), shape: [n, k] }), (r) => r === undefined);
  }
}

for (const f of failures.slice(0, 20)) console.log(`FAIL ${f}`);
const total = Object.values(counts).reduce((a, b) => a + b, 0) - counts.leaked;
console.log(`${total} cases: ${counts.rejected} rejected, ${counts.ran} ran, ${counts.wrong} wrong result, ` +
  `${counts.corrupted} out-of-bounds writes (canaries), ${counts.crashed} other errors, ${counts.leaked} leaks; ` +
  `${failures.length} failures`);
process.exitCode = failures.length ? 1 : 0;
