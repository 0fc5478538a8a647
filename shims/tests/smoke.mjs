// Smoke test of the runtime shim. Run after `cargo build --release`:
//
//   cd shims && cargo build --release && node tests/smoke.mjs
//
// Links the staticlib twice with wasm-ld (LLVM 22, or $WASM_LD / $LLC):
//  1. alone, --whole-archive --export-dynamic: every symbol, no duplicates;
//  2. with tests/sigcheck.ll (calls each runtime symbol with the exact LLVM
//     type Numba declares) and --fatal-warnings: signatures match.
// Then instantiates them in Node and checks the allocator, the NRT and math.
import { execFileSync } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
// $SHIM_LIB: another build of the archive (scripts/test.sh: the --no-simd one).
const lib = process.env.SHIM_LIB ?? join(root, "target/wasm32-unknown-unknown/release/libnumba_wasm_shim.a");
const llvm = "/usr/lib/llvm-22/bin";
const WASM_LD = process.env.WASM_LD ?? `${llvm}/wasm-ld`;
const LLC = process.env.LLC ?? `${llvm}/llc`;
const tmp = mkdtempSync(join(tmpdir(), "nw-shim-"));

let passed = 0;
let failed = 0;
function check(name, cond, detail = "") {
  if (cond) {
    passed++;
  } else {
    failed++;
    console.log(`FAIL ${name} ${detail}`);
  }
}
function section(name, fn) {
  try {
    fn();
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
  }
}
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });

// --- link -----------------------------------------------------------------
const shimWasm = join(tmp, "shim.wasm");
run(WASM_LD, ["--no-entry", "--export-dynamic", "--fatal-warnings",
  "--whole-archive", lib, "-o", shimWasm]);
const sigObj = join(tmp, "sigcheck.o");
const sigWasm = join(tmp, "sigcheck.wasm");
run(LLC, ["-O2", "-mtriple=wasm32-unknown-unknown", "-filetype=obj",
  join(here, "sigcheck.ll"), "-o", sigObj]);
run(WASM_LD, ["--no-entry", "--export-dynamic", "--fatal-warnings", sigObj, lib, "-o", sigWasm]);

const instantiate = (path) =>
  new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {}).exports;

let X = instantiate(shimWasm);
const u8 = () => new Uint8Array(X.memory.buffer);
const u32 = (p) => new DataView(X.memory.buffer).getUint32(p, true);
const i32 = (p) => new DataView(X.memory.buffer).getInt32(p, true);
const u64 = (p) => new DataView(X.memory.buffer).getBigUint64(p, true);
const setU64 = (p, v) => new DataView(X.memory.buffer).setBigUint64(p, v, true);
let statsBuf = 0;
function stats() {
  if (!statsBuf) statsBuf = X.nw_alloc(32, 8);
  X.nw_stats(statsBuf);
  // The stats buffer itself is one live allocation of 32 bytes: hide it.
  const s = [0, 8, 16, 24].map((o) => Number(u64(statsBuf + o)));
  return { live: s[0] - 1, bytes: s[1] - 32, allocs: s[2] - 1, frees: s[3] };
}

// --- exports ----------------------------------------------------------------
section("exports", () => {
  const want = ["memory", "nw_alloc", "nw_free", "nw_stats", "nw_scratch", "nw_memory_pages",
    "NRT_MemInfo_alloc", "NRT_MemInfo_alloc_aligned", "NRT_MemInfo_alloc_safe_aligned",
    "NRT_MemInfo_alloc_dtor", "NRT_MemInfo_new", "NRT_MemInfo_call_dtor",
    "NRT_MemInfo_release", "NRT_MemInfo_acquire", "NRT_Allocate", "NRT_Allocate_External",
    "NRT_Free", "NRT_Reallocate", "NRT_MemInfo_data", "NRT_MemInfo_size",
    "NRT_MemInfo_varsize_alloc", "NRT_MemInfo_varsize_realloc", "NRT_MemInfo_varsize_free",
    "NRT_MemInfo_new_varsize", "NRT_MemInfo_new_varsize_dtor", "NRT_incref", "NRT_decref",
    "nrt_atomic_add", "nrt_atomic_sub", "nrt_atomic_cas", "NRT_MemInfo_data_fast",
    "nrt_unresolved_abort", "NRT_get_api", "numba_fatal_error", "numba_gamma",
    "numba_gammaf", "numba_lgamma", "numba_lgammaf", "numba_erf", "numba_erff",
    "numba_erfc", "numba_erfcf", "numba_cpow", "numba_frexp", "numba_ldexp",
    "acosh", "asinh", "atanh", "lgamma", "frexp", "nextafter", "sincos",
    "numba_get_np_random_state", "numba_get_py_random_state", "numba_get_internal_random_state",
    "numba_rnd_shuffle", "numba_rnd_init", "numba_poisson_ptrs", "nw_random_init"];
  for (const name of want) check(`export ${name}`, name in X);
  // wasm signatures as the ABI table states them (arity is visible from JS).
  check("nw_alloc arity", X.nw_alloc.length === 2);
  check("NRT_MemInfo_alloc_aligned arity", X.NRT_MemInfo_alloc_aligned.length === 2);
  check("nw_stats arity", X.nw_stats.length === 1);
});

// --- allocator ----------------------------------------------------------------
section("alignment", () => {
  const blocks = [];
  for (let align = 1; align <= 4096; align *= 2) {
    for (const size of [0, 1, 13, 1000, 70000]) {
      const p = X.nw_alloc(size, align);
      check(`nw_alloc(${size}, ${align}) non-null`, p !== 0);
      check(`nw_alloc(${size}, ${align}) aligned`, p % Math.max(align, 8) === 0, `ptr=${p}`);
      blocks.push([p, size, blocks.length & 0xff]);
    }
  }
  for (const [p, size, tag] of blocks) u8().fill(tag, p, p + size);
  let intact = true;
  for (const [p, size, tag] of blocks) {
    const view = u8().subarray(p, p + size);
    if (!view.every((b) => b === tag)) intact = false;
  }
  check("payloads do not overlap", intact);
  for (const [p] of blocks) X.nw_free(p);
  check("all freed", stats().live === 0, JSON.stringify(stats()));
});

section("invalid requests", () => {
  check("align 3 rejected", X.nw_alloc(16, 3) === 0);
  check("align 8192 rejected", X.nw_alloc(16, 8192) === 0);
  check("3 GiB rejected", X.nw_alloc(3 * 2 ** 30, 8) === 0);
  check("NRT_Allocate 2^40 rejected", X.NRT_Allocate(2n ** 40n) === 0);
  X.nw_free(0);
  X.NRT_Free(0);
  check("null frees are no-ops", stats().live === 0);
});

section("reuse", () => {
  const pattern = [[24, 8], [4000, 64], [100000, 32], [7, 1], [1 << 20, 4096]];
  const before = stats();
  const round = () => {
    const ps = pattern.map(([s, a]) => X.nw_alloc(s, a));
    for (const p of [...ps].reverse()) X.nw_free(p);
    return ps.every((p) => p !== 0);
  };
  check("first round allocates", round());
  const high = X.memory.buffer.byteLength;
  let ok = true;
  for (let i = 0; i < 10000; i++) {
    if (!round()) ok = false;
  }
  check("10,000 rounds allocate", ok);
  check("memory did not grow after the first round", X.memory.buffer.byteLength === high,
    `${high} -> ${X.memory.buffer.byteLength}`);
  check("nw_memory_pages matches", X.nw_memory_pages() * 65536 === X.memory.buffer.byteLength);
  const after = stats();
  check("stats: allocs counted", after.allocs - before.allocs === 10001 * pattern.length);
  check("stats: frees counted", after.frees - before.frees === 10001 * pattern.length);
  check("stats: nothing live", after.live === 0 && after.bytes === 0, JSON.stringify(after));

  // A big block is reused too.
  const big = X.nw_alloc(100 << 20, 64);
  X.nw_free(big);
  const size = X.memory.buffer.byteLength;
  const again = X.nw_alloc(100 << 20, 64);
  check("100 MiB block reused", again === big && X.memory.buffer.byteLength === size);
  X.nw_free(again);
});

section("stats bytes", () => {
  const a = X.nw_alloc(100, 8);
  const b = X.NRT_Allocate(28n);
  const s = stats();
  check("live count", s.live === 2);
  check("live bytes", s.bytes === 128, `${s.bytes}`);
  const c = X.NRT_Reallocate(b, 5000n);
  check("realloc keeps data pointer valid", c !== 0);
  check("live bytes after realloc", stats().bytes === 5100, `${stats().bytes}`);
  X.nw_free(a);
  X.NRT_Free(c);
  check("stats back to zero", stats().live === 0 && stats().bytes === 0);
});

// --- NRT ----------------------------------------------------------------------
section("MemInfo aligned", () => {
  const base = stats();
  const mi = X.NRT_MemInfo_alloc_aligned(1000n, 64);
  check("meminfo non-null", mi !== 0);
  check("meminfo 8-aligned", mi % 8 === 0);
  const data = u32(mi + 24);
  check("data 64-aligned", data % 64 === 0, `data=${data}`);
  check("data after the MemInfo", data >= mi + 48);
  check("refct 1", u64(mi) === 1n);
  check("dtor null", u32(mi + 8) === 0 && u32(mi + 16) === 0);
  check("size 1000", u64(mi + 32) === 1000n);
  check("external_allocator null", u32(mi + 40) === 0);
  check("one live allocation", stats().live === base.live + 1);
  check("NRT_MemInfo_data", X.NRT_MemInfo_data(mi) === data);
  check("NRT_MemInfo_data_fast", X.NRT_MemInfo_data_fast(mi) === data);
  check("NRT_MemInfo_size", X.NRT_MemInfo_size(mi) === 1000n);
  u8().fill(7, data, data + 1000);
  X.NRT_incref(mi);
  check("incref -> 2", u64(mi) === 2n);
  X.NRT_decref(mi);
  check("decref -> 1", u64(mi) === 1n && stats().live === base.live + 1);
  X.NRT_decref(mi);
  check("decref to 0 frees", stats().live === base.live, JSON.stringify(stats()));
  X.NRT_incref(0);
  X.NRT_decref(0);
  for (const align of [1, 8, 16, 32, 64, 128, 4096, 24, 48]) {
    const m = X.NRT_MemInfo_alloc_aligned(77n, align);
    check(`alloc_aligned(77, ${align})`, m !== 0 && u32(m + 24) % align === 0);
    X.NRT_MemInfo_release(m);
  }
  const m = X.NRT_MemInfo_alloc(10n);
  check("NRT_MemInfo_alloc data after header", u32(m + 24) === m + 48);
  X.NRT_MemInfo_acquire(m);
  X.NRT_MemInfo_release(m);
  X.NRT_MemInfo_release(m);
  check("all MemInfos freed", stats().live === 0, JSON.stringify(stats()));
});

section("MemInfo safe (dtor through the table)", () => {
  const mi = X.NRT_MemInfo_alloc_safe_aligned(64n, 32);
  const data = u32(mi + 24);
  check("filled with 0xCB", u8().subarray(data, data + 64).every((b) => b === 0xcb));
  check("dtor set", u32(mi + 8) !== 0);
  X.NRT_decref(mi);
  check("dtor poisoned with 0xDE", u8().subarray(data, data + 64).every((b) => b === 0xde));
  check("freed", stats().live === 0);
});

section("varsize", () => {
  const mi = X.NRT_MemInfo_new_varsize(100n);
  check("two allocations (MemInfo + data)", stats().live === 2);
  let data = u32(mi + 24);
  u8().fill(9, data, data + 100);
  data = X.NRT_MemInfo_varsize_realloc(mi, 10000n);
  check("realloc updates MemInfo", data === u32(mi + 24) && u64(mi + 32) === 10000n);
  check("realloc keeps content", u8().subarray(data, data + 100).every((b) => b === 9));
  const fresh = X.NRT_MemInfo_varsize_alloc(mi, 50n);
  check("varsize_alloc sets data", fresh === u32(mi + 24) && u64(mi + 32) === 50n);
  X.NRT_MemInfo_varsize_free(mi, data);
  check("old area freed", stats().live === 2);
  X.NRT_decref(mi);
  check("decref frees MemInfo and data", stats().live === 0, JSON.stringify(stats()));
  const m2 = X.NRT_MemInfo_new_varsize_dtor(8n, 0);
  X.NRT_MemInfo_varsize_free(m2, u32(m2 + 24));
  check("varsize_free clears data", u32(m2 + 24) === 0);
  X.NRT_decref(m2);
  check("null data freed fine", stats().live === 0);
});

section("MemInfo_new", () => {
  const buf = X.nw_alloc(16, 8);
  const mi = X.NRT_MemInfo_new(buf, 16n, 0, 0);
  check("new: fields", u32(mi + 24) === buf && u64(mi + 32) === 16n && u64(mi) === 1n);
  X.NRT_MemInfo_call_dtor(mi);
  X.nw_free(buf);
  check("freed", stats().live === 0);
  const api = X.NRT_get_api();
  check("NRT_get_api table filled", api !== 0 && [0, 8, 16, 24, 32, 40].every((o) => u32(api + o) !== 0));
});

section("atomics", () => {
  const p = X.nw_alloc(16, 8);
  setU64(p, 5n);
  check("atomic_add returns new", X.nrt_atomic_add(p) === 6n && u64(p) === 6n);
  check("atomic_sub returns new", X.nrt_atomic_sub(p) === 5n && u64(p) === 5n);
  check("cas fail", X.nrt_atomic_cas(p, 4n, 9n, p + 8) === 0 && u64(p) === 5n && u64(p + 8) === 5n);
  check("cas ok", X.nrt_atomic_cas(p, 5n, 9n, p + 8) === 1 && u64(p) === 9n && u64(p + 8) === 5n);
  X.nw_free(p);
});

section("nrt_unresolved_abort", () => {
  const slot = X.nw_alloc(8, 8);
  const status = X.nrt_unresolved_abort(0, slot);
  check("status RETCODE_USEREXC", status === 1);
  const exc = u32(slot);
  const buf = u32(exc);
  const len = i32(exc + 8);
  check("bufsz 102", len === 102);
  const text = Buffer.from(u8().subarray(buf, buf + len)).toString("latin1");
  check("pickle protocol 4", text.charCodeAt(0) === 0x80 && text.charCodeAt(1) === 4);
  check("pickle names RuntimeError", text.includes("RuntimeError") && text.includes("unresolved symbol"));
  check("sha1 present", u8()[u32(exc + 16)] === 0x97);
  check("unwrap_fn null, alloc_flag 0", u32(exc + 24) === 0 && i32(exc + 32) === 0);
  X.nw_free(slot);
});

section("traps", () => {
  const p = X.nw_alloc(8, 8);
  X.nw_free(p);
  let trapped = false;
  try {
    X.nw_free(p);
  } catch (e) {
    trapped = e instanceof WebAssembly.RuntimeError;
  }
  check("double free traps", trapped);
  trapped = false;
  try {
    X.numba_fatal_error();
  } catch (e) {
    trapped = e instanceof WebAssembly.RuntimeError;
  }
  check("numba_fatal_error traps", trapped);
});

// --- math, called the way Numba's IR calls it -----------------------------------
section("math", () => {
  const M = instantiate(sigWasm);
  const close = (a, b, tol = 1e-12) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
  const cases = [
    ["llvm.sin", M.use_llvm_sin_f64(1.0), Math.sin(1.0)],
    ["llvm.cos", M.use_llvm_cos_f64(1.0), Math.cos(1.0)],
    ["llvm.exp", M.use_llvm_exp_f64(1.5), Math.exp(1.5)],
    ["llvm.log", M.use_llvm_log_f64(3.0), Math.log(3.0)],
    ["llvm.pow", M.use_llvm_pow_f64(2.0, 0.5), Math.SQRT2],
    ["llvm.exp2", M.use_llvm_exp2_f64(3.0), 8.0],
    ["llvm.log10", M.use_llvm_log10_f64(1000.0), 3.0],
    ["llvm.round", M.use_llvm_round_f64(2.5), 3.0],
    ["llvm.sin f32", M.use_llvm_sin_f32(1.0), Math.fround(Math.sin(1.0)), 1e-6],
    ["tan", M.use_tan(0.5), Math.tan(0.5)],
    ["atan2", M.use_atan2(1.0, 2.0), Math.atan2(1.0, 2.0)],
    ["hypot", M.use_hypot(3.0, 4.0), 5.0],
    ["acosh", M.use_acosh(2.0), 1.3169578969248166],
    ["asinhf", M.use_asinhf(1.0), Math.asinh(1.0), 1e-6],
    ["erf", M.use_erf(0.3), 0.3286267594591274],
    ["lgamma", M.use_lgamma(0.5), 0.5723649429247004],
    ["expm1", M.use_expm1(1e-10), 1.00000000005e-10],
    ["frem -> fmod", M.use_frem_double(7.5, 2.0), 1.5],
    ["numba_gamma", M.use_numba_gamma(5.0), 24.0],
    ["numba_gammaf", M.use_numba_gammaf(5.0), 24.0, 1e-6],
    ["numba_ldexp", M.use_numba_ldexp(0.75, 6), 48.0],
    ["numba_nextafter", M.use_numba_nextafter(1.0, 2.0), 1.0000000000000002],
    ["nextafterf", M.use_nextafterf(1.0, 2.0), 1.00000011920928955078125, 0],
    ["sqrt", M.use_sqrt(2.0), Math.SQRT2],
  ];
  for (const [name, got, want, tol] of cases) check(`math ${name}`, close(got, want, tol), `${got} != ${want}`);

  const mem = () => new DataView(M.memory.buffer);
  const base = M.nw_alloc(64, 8);
  check("numba_frexp mantissa", M.use_numba_frexp(48.0, base) === 0.75);
  check("numba_frexp exponent", mem().getInt32(base, true) === 6);
  mem().setInt32(base, 99, true);
  check("numba_frexp(inf)", M.use_numba_frexp(Infinity, base) === Infinity && mem().getInt32(base, true) === 0);
  // (1+2j) ** (0.5+1j)
  [1, 2, 0.5, 1].forEach((v, i) => mem().setFloat64(base + 8 * i, v, true));
  M.use_numba_cpow(base, base + 16, base + 32);
  check("numba_cpow re", close(mem().getFloat64(base + 32, true), 0.1042330549168707));
  check("numba_cpow im", close(mem().getFloat64(base + 40, true), 0.48309593926990946));
  [0, 0, -1, 0].forEach((v, i) => mem().setFloat64(base + 8 * i, v, true));
  M.use_numba_cpow(base, base + 16, base + 32);
  check("numba_cpow 0**-1 is nan", Number.isNaN(mem().getFloat64(base + 32, true)));
  M.nw_free(base);
});

section("random states", () => {
  // A fresh instance: its states are unseeded.
  const R = instantiate(shimWasm);
  const dv = () => new DataView(R.memory.buffer);
  // rnd_state_t: index@0, mt@4 (624 x u32), has_gauss@2500, gauss@2504, is_initialized@2512.
  const np = R.numba_get_np_random_state();
  const py = R.numba_get_py_random_state();
  check("three distinct states", new Set([np, py, R.numba_get_internal_random_state()]).size === 3);
  check("unseeded index is MT_N", dv().getInt32(np, true) === 624);
  let trapped = false;
  try { R.numba_rnd_shuffle(np); } catch (e) { trapped = e instanceof WebAssembly.RuntimeError; }
  check("drawing from an unseeded state traps", trapped);
  // The first tempered output, as the IR computes it after the refill.
  const temper = (y) => {
    y ^= y >>> 11; y ^= (y << 7) & 0x9d2c5680; y ^= (y << 15) & 0xefc60000; y ^= y >>> 18;
    return y >>> 0;
  };
  const first = (st) => { R.numba_rnd_shuffle(st); return temper(dv().getUint32(st + 4, true)); };
  // MT19937 reference vectors (mt19937ar.c): init_genrand(5489) and
  // init_by_array({0x123, 0x234, 0x345, 0x456}).
  R.numba_rnd_init(np, 5489);
  check("rnd_init sets is_initialized", dv().getInt32(np + 2512, true) === 1);
  check("rnd_init(5489) first output", first(np) === 3499211612);
  const keys = [0x123, 0x234, 0x345, 0x456];
  const buf = R.nw_alloc(48, 8);
  for (let k = 0; k < 12; k++) dv().setUint32(buf + 4 * k, keys[k % 4], true);
  R.nw_random_init(buf, 48);
  check("nw_random_init seeds np", first(np) === 1067595299);
  check("nw_random_init seeds py", first(py) === 1067595299);
  check("seeded index is MT_N", dv().getInt32(np, true) === 624);
  R.nw_free(buf);
});

// --- BLAS (blas.rs) -------------------------------------------------------------
// Every kind, transpose and padded leading dimension, with alpha and beta
// other than Numba's (1, 0), against a plain column-major reference in JS
// doubles. Tolerance: k * eps of the element type times the magnitude sum.
section("blas", () => {
  const M = instantiate(sigWasm);
  const KINDS = {
    s: { F: Float32Array, lanes: 1, eps: 2 ** -23 },
    d: { F: Float64Array, lanes: 1, eps: 2 ** -52 },
    c: { F: Float32Array, lanes: 2, eps: 2 ** -23 },
    z: { F: Float64Array, lanes: 2, eps: 2 ** -52 },
  };
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  const code = (ch) => ch.charCodeAt(0);
  // Complex helpers on [re, im] pairs.
  const cmul = (a, b) => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
  const cabsmul = (a, b) => Math.hypot(...a) * Math.hypot(...b);
  const conj = (a) => [a[0], -a[1]];
  for (const [kind, { F, lanes, eps }] of Object.entries(KINDS)) {
    const es = F.BYTES_PER_ELEMENT * lanes;
    // Writes random elements (stored as [re, im]) and returns them.
    const fill = (ptr, count) => {
      const v = new F(M.memory.buffer, ptr, count * lanes);
      const out = [];
      for (let i = 0; i < count; i++) {
        const e = [rnd(), lanes === 2 ? rnd() : 0];
        v[i * lanes] = e[0];
        if (lanes === 2) v[i * lanes + 1] = e[1];
        out.push([v[i * lanes], lanes === 2 ? v[i * lanes + 1] : 0]);
      }
      return out;
    };
    const read = (ptr, i) => {
      const v = new F(M.memory.buffer, ptr + i * es, lanes);
      return [v[0], lanes === 2 ? v[1] : 0];
    };
    const scalar = (ptr, e) => new F(M.memory.buffer, ptr, lanes).set(lanes === 2 ? e : [e[0]]);
    const near = (got, want, mag, k) =>
      [0, 1].every((q) => Math.abs(got[q] - want[q]) <= 4 * (k + 2) * eps * (mag + 1e-30));
    const alpha = [0.75, lanes === 2 ? -0.5 : 0], beta = [-1.25, lanes === 2 ? 0.25 : 0];
    const al = M.nw_alloc(16, 8), be = M.nw_alloc(16, 8);
    scalar(al, alpha);
    scalar(be, beta);
    const transes = lanes === 2 ? ["n", "t", "c"] : ["n", "t"];
    // gemm: shapes crossing the kernel tiles and the KC block (k = 300).
    for (const [m, n, k] of [[1, 1, 1], [5, 3, 7], [13, 9, 300], [4, 17, 2]]) {
      for (const ta of transes) {
        for (const tb of transes) {
          const [ra, ca] = ta === "n" ? [m, k] : [k, m];
          const [rb, cb] = tb === "n" ? [k, n] : [n, k];
          const lda = ra + 3, ldb = rb + 1, ldc = m + 2;
          const a = M.nw_alloc(lda * ca * es, 16), b = M.nw_alloc(ldb * cb * es, 16);
          const c = M.nw_alloc(ldc * n * es, 16);
          const A = fill(a, lda * ca), B = fill(b, ldb * cb), C0 = fill(c, ldc * n);
          const opA = (i, p) => (ta === "n" ? A[i + p * lda] : ta === "t" ? A[p + i * lda] : conj(A[p + i * lda]));
          const opB = (p, j) => (tb === "n" ? B[p + j * ldb] : tb === "t" ? B[j + p * ldb] : conj(B[j + p * ldb]));
          const st = M.use_numba_xxgemm(code(kind), code(ta), code(tb), BigInt(m), BigInt(n), BigInt(k),
            al, a, BigInt(lda), b, BigInt(ldb), be, c, BigInt(ldc));
          let ok = st === 0;
          for (let j = 0; j < n && ok; j++) {
            for (let i = 0; i < ldc; i++) {
              const got = read(c, i + j * ldc);
              if (i >= m) { // padding rows stay untouched
                ok &&= got[0] === C0[i + j * ldc][0] && got[1] === C0[i + j * ldc][1];
                continue;
              }
              let s = [0, 0], mag = 0;
              for (let p = 0; p < k; p++) {
                const t = cmul(opA(i, p), opB(p, j));
                s = [s[0] + t[0], s[1] + t[1]];
                mag += cabsmul(opA(i, p), opB(p, j));
              }
              const as = cmul(alpha, s), bc = cmul(beta, C0[i + j * ldc]);
              const want = [as[0] + bc[0], as[1] + bc[1]];
              ok &&= near(got, want, Math.hypot(...alpha) * mag + Math.hypot(...bc), k);
            }
          }
          check(`xxgemm ${kind} ${ta}${tb} ${m}x${n}x${k}`, ok);
          [a, b, c].forEach((p) => M.nw_free(p));
        }
      }
    }
    // beta = 0 must not read C (NaN there stays out of the result).
    {
      const a = M.nw_alloc(4 * es, 16), c = M.nw_alloc(4 * es, 16);
      fill(a, 4);
      new F(M.memory.buffer, c, 4 * lanes).fill(NaN);
      const zero = M.nw_alloc(16, 8);
      scalar(zero, [0, 0]);
      M.use_numba_xxgemm(code(kind), code("n"), code("n"), 2n, 2n, 2n, al, a, 2n, a, 2n, zero, c, 2n);
      check(`xxgemm ${kind} beta=0 ignores C`, [0, 1, 2, 3].every((i) => !Number.isNaN(read(c, i)[0])));
      [a, c, zero].forEach((p) => M.nw_free(p));
    }
    // gemv, both orientations, padded lda.
    for (const tr of transes) {
      for (const [m, n] of [[1, 1], [7, 5], [3, 19]]) {
        const lda = m + 2;
        const a = M.nw_alloc(lda * n * es, 16);
        const [lx, ly] = tr === "n" ? [n, m] : [m, n];
        const x = M.nw_alloc(lx * es, 16), y = M.nw_alloc(ly * es, 16);
        const A = fill(a, lda * n), X = fill(x, lx), Y0 = fill(y, ly);
        const st = M.use_numba_xxgemv(code(kind), code(tr), BigInt(m), BigInt(n), al, a, BigInt(lda), x, be, y);
        let ok = st === 0;
        for (let i = 0; i < ly; i++) {
          let s = [0, 0], mag = 0;
          for (let p = 0; p < lx; p++) {
            const e = tr === "n" ? A[i + p * lda] : tr === "t" ? A[p + i * lda] : conj(A[p + i * lda]);
            const t = cmul(e, X[p]);
            s = [s[0] + t[0], s[1] + t[1]];
            mag += cabsmul(e, X[p]);
          }
          const as = cmul(alpha, s), bc = cmul(beta, Y0[i]);
          ok &&= near(read(y, i), [as[0] + bc[0], as[1] + bc[1]], Math.hypot(...alpha) * mag + Math.hypot(...bc), lx);
        }
        check(`xxgemv ${kind} ${tr} ${m}x${n}`, ok);
        [a, x, y].forEach((p) => M.nw_free(p));
      }
    }
    // dot (conjugated for the complex kinds' vdot) and nrm2 with strides.
    for (const n of [0, 1, 3, 33]) {
      const x = M.nw_alloc(Math.max(1, 2 * n) * es, 16), y = M.nw_alloc(Math.max(1, n) * es, 16);
      const r = M.nw_alloc(16, 8);
      const Xs = fill(x, 2 * n), Y = fill(y, n);
      for (const cj of lanes === 2 ? [0, 1] : [0]) {
        M.use_numba_xxdot(code(kind), cj, BigInt(n), x, y, r);
        let s = [0, 0], mag = 0;
        for (let i = 0; i < n; i++) {
          const t = cmul(cj ? conj(Xs[i]) : Xs[i], Y[i]);
          s = [s[0] + t[0], s[1] + t[1]];
          mag += cabsmul(Xs[i], Y[i]);
        }
        check(`xxdot ${kind} conj=${cj} n=${n}`, near(read(r, 0), s, mag, n));
      }
      for (const inc of [1, 2, -1]) {
        // inc -1 walks down from the last element (the first of a reversed view).
        const start = inc < 0 ? x + (n - 1) * es : x;
        M.use_numba_xxnrm2(code(kind), BigInt(n), n ? start : x, BigInt(inc), r);
        let ss = 0;
        for (let i = 0; i < n; i++) ss += Xs[inc === 2 ? 2 * i : i].reduce((t, v) => t + v * v, 0);
        const got = new (lanes === 2 ? F : F)(M.memory.buffer, r, 1)[0];
        const want = F === Float32Array ? Math.fround(Math.sqrt(ss)) : Math.sqrt(ss);
        check(`xxnrm2 ${kind} n=${n} inc=${inc}`, Math.abs(got - want) <= 2 * eps * want, `${got} != ${want}`);
      }
      [x, y, r].forEach((p) => M.nw_free(p));
    }
    check(`xxgemm ${kind} bad trans`, M.use_numba_xxgemm(code(kind), code("x"), code("n"), 1n, 1n, 1n, al, al, 1n, al, 1n, be, al, 1n) === -1);
    check(`xxgemm ${kind} lda < m`, M.use_numba_xxgemm(code(kind), code("n"), code("n"), 4n, 1n, 1n, al, al, 3n, al, 1n, be, al, 4n) === -1);
    [al, be].forEach((p) => M.nw_free(p));
  }
  check("xxdot bad kind", M.use_numba_xxdot(code("q"), 0, 1n, 8, 8, 8) === -1);
  // numba_attempt_nocopy_reshape: (2, 3) C -> (3, 2): strides (16, 8);
  // a (2, 3) view with row stride 48 cannot become (6,).
  {
    const p = M.nw_alloc(8 * 16, 8);
    const v = new BigInt64Array(M.memory.buffer, p, 16);
    v.set([2n, 3n, 24n, 8n, 3n, 2n]);
    check("nocopy reshape C", M.use_numba_attempt_nocopy_reshape(2n, p, p + 16, 2n, p + 32, p + 48, 8n, 0) === 1
      && v[6] === 16n && v[7] === 8n);
    v.set([2n, 3n, 48n, 8n, 6n]);
    check("nocopy reshape refuses", M.use_numba_attempt_nocopy_reshape(2n, p, p + 16, 1n, p + 32, p + 48, 8n, 0) === 0);
    M.nw_free(p);
  }
});

rmSync(tmp, { recursive: true, force: true });
console.log(`smoke: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
