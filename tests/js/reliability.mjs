// Usage: node tests/js/reliability.mjs OUTDIR/NAME.js [CASES.json]
// Runtime reliability checks on a module built from the fixture corpus:
// (a) no leak over 10,000 allocating calls, (b) views stay valid across
// memory.grow, (c) zero-copy WasmArray arguments and free(), (d) TypeErrors
// before any wasm code runs, (e) exception decoding (pickle reader and real
// Numba raises), (f) API surface.
// Numerical expectations come from the fixtures' cases.json (default: the
// newest fixtures/numba-*/cases.json). Prints "N passed, M failed".
import { readFile, readdir } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compare, toArg } from "./cases.mjs";

const [modPath, casesArg] = process.argv.slice(2);
if (!modPath) {
  console.error("usage: reliability.mjs OUTDIR/NAME.js [CASES.json]");
  process.exit(2);
}

async function defaultCases() {
  const fx = fileURLToPath(new URL("../../fixtures/", import.meta.url));
  const dirs = (await readdir(fx)).filter((d) => d.startsWith("numba-"))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  if (!dirs.length) throw new Error("no fixtures/numba-*/cases.json");
  return resolve(fx, dirs[dirs.length - 1], "cases.json");
}

let passed = 0, failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++;
  else {
    failed++;
    console.log(`FAIL ${name}${detail ? `: ${detail}` : ""}`);
  }
}
async function section(name, fn) {
  try {
    await fn();
  } catch (e) {
    check(name, false, `threw ${e?.stack ?? e}`);
  }
}
function expectTypeError(name, fn) {
  try {
    fn();
    check(name, false, "no error thrown");
  } catch (e) {
    check(name, e instanceof TypeError, `threw ${e?.name}: ${e?.message}`);
  }
}
const spec = (a) => ({ data: a.data, shape: a.shape, strides: a.strides });
function sameBitsFast(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

const casesPath = casesArg ?? await defaultCases();
const cases = JSON.parse(await readFile(casesPath, "utf8")).cases;
const byId = (id) => {
  const c = cases.find((c) => c.id === id);
  if (!c) throw new Error(`case ${id} missing from ${casesPath}`);
  return c;
};

const mod = await import(pathToFileURL(resolve(modPath)).href);
const m = await mod.load();
let first; // arange_half(1000) from (a), re-checked in (b)
let firstSnapshot;

await section("(a) leak", () => {
  const half10 = byId("arange_half_10");
  const n = 1000;
  first = m.arange_half(n);
  firstSnapshot = first.data.slice();
  const afterFirst = m.stats();
  // arange_half(1000) starts with arange_half(10), whose result the fixtures hold.
  check("(a) first call prefix matches arange_half_10",
    compare(half10.result, { data: first.data.subarray(0, 10), shape: [10], strides: [8] }) === null,
    compare(half10.result, { data: first.data.subarray(0, 10), shape: [10], strides: [8] }));
  check("(a) arange_half_10 itself", compare(half10.result, m.arange_half(toArg(half10.args[0]))) === null);
  let mismatch = -1;
  for (let i = 0; i < 10_000; i++) {
    const r = m.arange_half(n);
    if (mismatch < 0 && !sameBitsFast(r.data, first.data)) mismatch = i;
  }
  check("(a) 10,000 calls give identical results", mismatch < 0, `call ${mismatch} differs`);
  const afterLoop = m.stats();
  check("(a) memoryBytes unchanged after 10,000 calls", afterLoop.memoryBytes === afterFirst.memoryBytes,
    `${afterFirst.memoryBytes} -> ${afterLoop.memoryBytes}`);
  check("(a) liveAllocations back to value after first call",
    afterLoop.liveAllocations === afterFirst.liveAllocations,
    `${afterFirst.liveAllocations} -> ${afterLoop.liveAllocations}`);
  check("(a) liveBytes back to value after first call", afterLoop.liveBytes === afterFirst.liveBytes,
    `${afterFirst.liveBytes} -> ${afterLoop.liveBytes}`);
  check("(a) allocations counted", afterLoop.totalAllocations >= afterFirst.totalAllocations + 10_000,
    JSON.stringify(afterLoop));
});

await section("(b) memory.grow", () => {
  const liveBefore = m.stats().liveAllocations;
  const w = m.empty("float64", [1000]);
  check("(b) empty() shape/strides/dtype", w.dtype === "float64" &&
    JSON.stringify(w.shape) === "[1000]" && JSON.stringify(w.strides) === "[8]");
  w.data.set(firstSnapshot);
  const half10 = byId("arange_half_10");
  const keep = m.arange_half(toArg(half10.args[0]));
  const zeros = byId("zeros2d_3x4");
  const zero = new Float64Array(Uint8Array.from(atob(zeros.result.buffer_b64), (c) => c.charCodeAt(0)).buffer)[0];
  const before = m.stats().memoryBytes;
  const bufBefore = m.memory.buffer;
  let z = m.zeros2d(4000, 4000);
  const after = m.stats().memoryBytes;
  check("(b) zeros2d(4000, 4000) grew memory", after > before && m.memory.buffer !== bufBefore,
    `${before} -> ${after}`);
  check("(b) zeros2d shape", JSON.stringify(z.shape) === "[4000,4000]" && z.data.length === 16e6,
    JSON.stringify(z.shape));
  let allZero = true;
  for (let i = 0; i < z.data.length; i++) if (!Object.is(z.data[i], zero)) { allZero = false; break; }
  check("(b) zeros2d values match zeros2d_3x4's", allZero);
  z = null;
  check("(b) WasmArray .data is over the current buffer", w.data.buffer === m.memory.buffer);
  check("(b) WasmArray keeps its values across memory.grow", sameBitsFast(w.data, firstSnapshot));
  check("(b) earlier returned copy intact (arange_half_10)", compare(half10.result, keep) === null);
  check("(b) earlier returned copy intact (arange_half(1000))", sameBitsFast(first.data, firstSnapshot));
  w.free();
  check("(b) free() releases the WasmArray", m.stats().liveAllocations === liveBefore,
    `${liveBefore} -> ${m.stats().liveAllocations}`);
  let threw = false;
  try { void w.data; } catch { threw = true; }
  check("(b) .data after free() throws", threw);
});

await section("(c) zero-copy", () => {
  const c = byId("axpy_f64");
  const [a, x, y] = c.args.map(toArg);
  const liveBefore = m.stats().liveAllocations;
  const xw = m.fromArray(x);
  const yw = m.fromArray(y);
  const ptrs = [xw.ptr, yw.ptr];
  const base = m.stats();
  const r = m.axpy(a, xw, yw);
  check("(c) axpy result", compare(c.result, r) === null, compare(c.result, r));
  check("(c) yWasm updated in place", compare(c.args_after[2], spec(yw)) === null, compare(c.args_after[2], spec(yw)));
  check("(c) xWasm unchanged", compare(c.args[1], spec(xw)) === null);
  check("(c) caller's y untouched (no copy-back for WasmArrays)", compare(c.args[2], { data: y, shape: [y.length] }, "y") === null);
  check("(c) same wasm pointers", xw.ptr === ptrs[0] && yw.ptr === ptrs[1]);
  const st = m.stats();
  check("(c) call leaves no live allocation", st.liveAllocations === base.liveAllocations,
    `${base.liveAllocations} -> ${st.liveAllocations}`);
  xw.free(); xw.free();
  yw.free(); yw.free();
  const freed = m.stats();
  check("(c) free() twice is harmless, both arrays freed", freed.liveAllocations === liveBefore,
    `${liveBefore} -> ${st.liveAllocations} -> ${freed.liveAllocations}`);
  check("(c) liveBytes dropped by at least the data", st.liveBytes - freed.liveBytes >= 2 * 11 * 8,
    `${st.liveBytes} -> ${freed.liveBytes}`);
  check("(c) freed WasmArray rejected", (() => {
    try { m.axpy(a, xw, yw); return false; } catch (e) { return e instanceof TypeError; }
  })());
});

await section("(c) noCopy results stay in wasm memory", () => {
  const base = m.stats();
  for (const id of ["arange_half_10", "arange_half_0", "centered_diff_2d_5x6"]) {
    const c = byId(id);
    const w = m[c.func].noCopy(...c.args.map(toArg));
    check(`(c) ${id}: a WasmArray`, w instanceof mod.WasmArray, String(w));
    check(`(c) ${id}: native result`, compare(c.result, spec(w)) === null, compare(c.result, spec(w)));
    if (id === "arange_half_10") {
      // Passed on to another kernel without a copy, it gives what a copy gives.
      check("(c) noCopy result as an argument", m.sum1d(w) === m.sum1d(Float64Array.from(w.data)));
    }
    w.free();
  }
  // A returned WasmArray owns its memory until free(): many calls, nothing left.
  const c = byId("centered_diff_2d_5x6");
  const args = c.args.map(toArg);
  for (let i = 0; i < 1000; i++) m[c.func].noCopy(...args).free();
  const st = m.stats();
  check("(c) 1000 noCopy calls freed: no live allocation left", st.liveAllocations === base.liveAllocations,
    `${base.liveAllocations} -> ${st.liveAllocations}`);
  const kept = m[c.func].noCopy(...args);
  check("(c) an unfreed noCopy result stays allocated", m.stats().liveAllocations === base.liveAllocations + 1);
  kept.free();
});

await section("(d) TypeError before wasm", () => {
  const f32w = m.empty("float32", [4]);
  const t0 = m.stats();
  expectTypeError("(d) Float32Array to a float64 kernel", () => m.sum1d(new Float32Array(4)));
  expectTypeError("(d) float32 WasmArray to a float64 kernel", () => m.sum1d(f32w));
  expectTypeError("(d) wrong ndim (1-d to 2-d)", () => m.weighted_sum2d(new Float64Array(4)));
  expectTypeError("(d) wrong ndim (spec)", () => m.sum1d({ data: new Float64Array(4), shape: [2, 2] }));
  expectTypeError("(d) dtype named in the spec differs", () => m.sum1d({ data: new Float64Array(4), shape: [4], dtype: "complex128" }));
  expectTypeError("(d) number for an array", () => m.sum1d(42));
  expectTypeError("(d) string for an array", () => m.sum1d("abc"));
  expectTypeError("(d) plain Array for an array", () => m.sum1d([1, 2, 3]));
  expectTypeError("(d) shape beyond data", () => m.sum1d({ data: new Float64Array(4), shape: [5] }));
  expectTypeError("(d) strides beyond data", () => m.sum1d({ data: new Float64Array(4), shape: [3], strides: [16] }));
  expectTypeError("(d) negative strides", () => m.sum1d({ data: new Float64Array(4), shape: [2], strides: [-8] }));
  expectTypeError("(d) layout C required", () => m.np_sum({ data: new Int32Array(8), shape: [4], strides: [8] }));
  expectTypeError("(d) int32 out of range", () => m.add_i32(2 ** 31, 0));
  expectTypeError("(d) int32 not an integer", () => m.add_i32(1.5, 0));
  expectTypeError("(d) int64 unsafe Number", () => m.lcg_hash(2 ** 53, 1));
  expectTypeError("(d) uint64 negative", () => m.lcg_hash_u64(-1n, 1));
  expectTypeError("(d) bool given a string", () => m.scalar_xor("yes", false));
  expectTypeError("(d) wrong argument count", () => m.sum1d());
  expectTypeError("(d) no overload matches", () => m.scalar_mix("a", "b"));
  const t1 = m.stats();
  check("(d) no allocation happened", t1.totalAllocations === t0.totalAllocations &&
    t1.liveAllocations === t0.liveAllocations, `${JSON.stringify(t0)} -> ${JSON.stringify(t1)}`);
  f32w.free();
});

await section("(e) exceptions", () => {
  // Static exceptions are decoded at build time; the pickle decoder ships
  // only with modules whose exceptions are made at run time.
  const msg = "Allocation failed (probably too large).";
  const table = Object.values(m.metadata.exceptions ?? {});
  check("(e) static MemoryError decoded at build time", table.some((x) => x.class.name === "MemoryError" &&
    x.class.module === "builtins" && (x.message ?? x.args[0]) === msg && x.args.length === 1 && x.args[0] === msg), JSON.stringify(table));
  check("(e) decodePickle exported iff runtime pickles",
    typeof mod.decodePickle === (m.metadata.runtime_pickles ? "function" : "undefined"));
  if (typeof mod.decodePickle !== "function") return;
  // Numba's pickle of (MemoryError, ("Allocation failed (probably too large).",), None).
  const bytes = Uint8Array.from([
    0x80, 0x04, 0x95, 0x4b, 0, 0, 0, 0, 0, 0, 0, 0x8c, 0x08, ...new TextEncoder().encode("builtins"),
    0x94, 0x8c, 0x0b, ...new TextEncoder().encode("MemoryError"), 0x94, 0x93, 0x94,
    0x8c, msg.length, ...new TextEncoder().encode(msg), 0x94, 0x85, 0x94, 0x4e, 0x87, 0x94, 0x2e]);
  const r = mod.decodePickle(bytes);
  check("(e) pickle class", r.value?.[0]?.name === "MemoryError" && r.value[0].module === "builtins", JSON.stringify(r));
  check("(e) pickle args", r.value?.[1]?.[0] === msg, JSON.stringify(r));
  const bad = mod.decodePickle(bytes.subarray(0, bytes.length - 20));
  check("(e) truncated pickle gives up but keeps the class", bad.value === undefined && bad.firstGlobal?.name === "MemoryError");
});

await section("(e) Numba exceptions", () => {
  // zeros2d's IR raises ValueError for a negative dimension and MemoryError
  // when NRT allocation fails; the JS error carries the Python class and message.
  const s0 = m.stats();
  for (const [args, cls] of [[[-1, 4], "ValueError"], [[100000, 100000], "MemoryError"]]) {
    try {
      m.zeros2d(...args);
      check(`(e) zeros2d(${args}) raises ${cls}`, false, "no error");
    } catch (e) {
      check(`(e) zeros2d(${args}) raises ${cls}`, e.name === cls && e.pythonName === cls &&
        typeof e.message === "string" && e.message.length > 0 && !/raised an exception/.test(e.message),
      `${e.name}: ${e.message}`);
    }
  }
  const s1 = m.stats();
  check("(e) raising leaks nothing", s1.liveAllocations === s0.liveAllocations && s1.liveBytes === s0.liveBytes,
    `${JSON.stringify(s0)} -> ${JSON.stringify(s1)}`);
});

await section("(f) api", () => {
  const s = m.stats();
  check("(f) stats fields", ["liveAllocations", "liveBytes", "totalAllocations", "totalFrees", "memoryBytes"]
    .every((k) => Number.isSafeInteger(s[k])), JSON.stringify(s));
  check("(f) memory/metadata/exports", m.memory === m.exports.memory && Number.isInteger(m.metadata.format) && m.metadata.abi.status.ok === 0 &&
    m.memory.buffer.byteLength === s.memoryBytes);
  check("(f) overloads listed", m.scalar_mix.overloads.length === m.metadata.exports.filter((e) => e.name === "scalar_mix").length);
});

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
