// numba-wasm JS runtime: loads a numba-wasm module and wraps its entry exports
// as plain JS functions. See docs/ABI.md for the wasm side.
//
// This file is a template. The CLI (src/glue/mod.rs) writes OUTDIR/NAME.js by
// keeping the `//#if FEATURE` sections the module's kernels need
// (src/glue/features.rs: arrays, records, strings, tuples, raises,
// overloads, general, simd, random) and replacing the tokens, each of which
// appears exactly once below: the .wasm file name (a JSON string, quotes
// included, in `load`'s default URL), then, in the `const` lines that
// follow, the fingerprint of the module's metadata (the `numba_wasm`
// section, which `load` reads from the module), the section format this
// runtime reads, the member names a kernel cannot shadow, the TypedArray of
// each dtype the module's hosts use, and, if the module holds SIMD
// instructions, their level (the metadata's `simd`: "simd128" or
// "relaxed"; `load` needs it before the module compiles). All
// layouts, offsets and status codes come from the metadata's `abi` (src/abi
// in the CLI); this file derives none of them.
//
// Value rules: 64-bit integers (int64/uint64) are BigInt in both directions
// (a Number is accepted as an argument only if it is a safe integer); arrays
// come back as {data, shape, strides} copies; complex as {re, im}; tuples as
// JS arrays; str as JS strings (built in wasm memory for the call as
// Numba's unicode struct, with a meminfo the kernel may share); named
// tuples as objects with their fields (as arguments also Arrays); None as
// undefined. An omitted argument (Numba's Omitted: the overload was
// compiled for a call that left it out) is not a parameter.

const FINGERPRINT = 365603581;
const FORMAT = 5;
const RESERVED = new Set(["memory","metadata","exports","empty","fromArray","stats","kernels"]);
const TYPED_ARRAYS = {"bool":"Uint8Array","complex128":"Float64Array","complex64":"Float32Array","int32":"Int32Array"};

// The section's format must be the one this runtime reads.
function checkFormat(metadata) {
  if (metadata?.format !== FORMAT) {
    throw new Error(`numba-wasm: the module's metadata has format ${metadata?.format}, this runtime reads format ${FORMAT}; rebuild the module and its .js with one numba-wasm`);
  }
}

// Each dtype: its TypedArray, its layout and kind (the metadata's
// abi.dtypes), the DataView getter and setter of one lane (named like the
// TypedArray) and, for integers, the range of values an argument may take.
// Set by the first load().
let DTYPES;
function dtypeTable(dtypes) {
  const out = {};
  for (const [name, abi] of Object.entries(dtypes)) {
    const d = { name, Arr: globalThis[TYPED_ARRAYS[name]], ...abi };
    if (abi.kind === "int" || abi.kind === "uint") {
      const bits = BigInt(8 * abi.size);
      const [min, max] = abi.kind === "int" ? [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n] : [0n, 2n ** bits - 1n];
      [d.min, d.max] = abi.size === 8 ? [min, max] : [Number(min), Number(max)];
    }
    // Every dtype needs a TypedArray of its element size.
    if (typeof d.Arr !== "function" || d.size !== d.Arr.BYTES_PER_ELEMENT * d.lanes) {
      throw new Error(`numba-wasm: dtype ${name} has no TypedArray of its size in this runtime`);
    }
    d.get = `get${d.Arr.name.slice(0, -5)}`; // Float64Array -> getFloat64
    d.set = `set${d.Arr.name.slice(0, -5)}`;
    out[name] = d;
  }
  return out;
}


function dtypeInfo(dtype) {
  const d = Object.hasOwn(DTYPES, dtype) ? DTYPES[dtype] : undefined;
  if (!d) throw new TypeError(`numba-wasm: dtype ${JSON.stringify(dtype)} is not one this module's kernels take or return (${Object.keys(DTYPES).join(", ")})`);
  return d;
}


// ---------------------------------------------------------------- loading

const isNode = typeof globalThis.process?.versions?.node === "string";

export async function load(source) {
  const module = await compileFrom(source);
  // Modules normally import nothing; stub every declared function import so a
  // stray call fails loudly with its name instead of failing to instantiate.
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== "function") continue;
    (imports[imp.module] ??= {})[imp.name] = () => {
      throw new Error(`numba-wasm: the module called missing import ${imp.module}.${imp.name}`);
    };
  }
  const secs = WebAssembly.Module.customSections(module, "numba_wasm");
  if (!secs.length) throw new Error("numba-wasm: no metadata (numba_wasm section missing)");
  const bytes = new Uint8Array(secs[0]);
  const metadata = JSON.parse(new TextDecoder().decode(bytes));
  checkFormat(metadata);
  if (fingerprint(bytes) !== FINGERPRINT) {
    throw new Error("numba-wasm: this .wasm is not the module this .js was generated for; regenerate the .js with `numba-wasm wrap`");
  }
  DTYPES ??= dtypeTable(metadata.abi.dtypes);
  const instance = await WebAssembly.instantiate(module, imports);
  return new Runtime(instance, metadata).api;
}

// FNV-1a (32 bits) of the metadata section, as src/glue/mod.rs computes it.
function fingerprint(bytes) {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}


async function compileFrom(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  if (source && typeof source.then === "function") return compileFrom(await source);
  if (source && typeof source.arrayBuffer === "function") return compileResponse(source);
  let url;
  // A literal `new URL("./x.wasm", import.meta.url)`: bundlers (Vite, webpack,
  // Parcel) recognise it and emit the .wasm as an asset beside the bundle.
  if (source == null) url = new URL("./scalars.wasm", import.meta.url);
  else if (source instanceof URL) url = source;
  else if (typeof source === "string") {
    // "C:\..." parses as a URL with scheme "c:", hence the length check.
    if (/^[a-z][a-z0-9+.-]+:/i.test(source)) url = new URL(source);
    else if (isNode) return WebAssembly.compile(await readNodeFile(source));
    else url = new URL(source, globalThis.document?.baseURI ?? import.meta.url);
  } else throw new TypeError("numba-wasm: load() takes a URL, string, ArrayBuffer, Uint8Array, Response or WebAssembly.Module");
  if (isNode && url.protocol === "file:") {
    return WebAssembly.compile(await readNodeFile(url));
  }
  return compileResponse(await fetch(url));
}

// The specifier sits in a variable so that bundlers targeting browsers
// (esbuild, Vite, webpack) leave this Node-only import alone.
const NODE_FS = "node:fs/promises";
async function readNodeFile(path) {
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS)).readFile(path);
}

async function compileResponse(resp) {
  if (resp.ok === false) throw new Error(`numba-wasm: fetching ${resp.url} failed: HTTP ${resp.status}`);
  if (typeof WebAssembly.compileStreaming === "function" && typeof resp.clone === "function") {
    try {
      return await WebAssembly.compileStreaming(resp.clone());
    } catch {
      // Typically a server without the application/wasm MIME type; retry from bytes.
    }
  }
  return WebAssembly.compile(await resp.arrayBuffer());
}

// ---------------------------------------------------------------- runtime


class Runtime {
  constructor(instance, metadata) {
    this.ex = instance.exports;
    this.memory = this.ex.memory;
    this.metadata = metadata;
    this.abi = metadata.abi;
    this.viewBuf = null;
    // One block for the life of the instance (metadata `call_block`): the
    // stats counters, so that stats() itself never changes the stats, and
    // every call's argument slots, result (retptr) and excinfo pointer.
    // The shim's static block where the module exports it, else allocated.
    const b = metadata.call_block;
    this.scratch = this.ex.nw_scratch ? this.ex.nw_scratch() >>> 0 : this.alloc(b.size, 8);
    this.argp = this.scratch + b.argp;
    this.retp = this.scratch + b.retp;
    this.excp = this.scratch + b.excp;

    const api = {
      memory: this.memory,
      metadata,
      exports: this.ex,
      stats: () => this.stats(),
      kernels: Object.create(null), // no prototype: a kernel may be called __proto__
    };
    const groups = new Map();
    for (const e of metadata.exports) {
      if (!groups.has(e.name)) groups.set(e.name, []);
      groups.get(e.name).push(e);
    }
    for (const [name, entries] of groups) {
      const overloads = entries.map((e) => this.makeOverload(e));
      const fn = overloads.length === 1 ? overloads[0] : this.makeDispatcher(name, overloads);
      const method = function (...args) { return fn(...args); };
      Object.defineProperty(method, "name", { value: name });
      method.overloads = overloads;
      method.signatures = entries.map((e) => e.signature);
      Object.defineProperty(api.kernels, name, { value: method, enumerable: true });
      // Runtime members win over a kernel of the same name; m.kernels[name] always works.
      if (!RESERVED.has(name)) Object.defineProperty(api, name, { value: method, enumerable: true });
    }
    this.api = api;
  }

  // Views are re-created whenever memory.buffer changed (memory.grow detaches it).
  views() {
    // memory.grow detaches the old buffer (its byteLength becomes 0):
    // checking that is cheaper than reading memory.buffer on every call.
    if (this.viewBuf === null || this.viewBuf.byteLength === 0) {
      const buf = this.memory.buffer;
      this.viewBuf = buf;
      this.u8 = new Uint8Array(buf);
      this.dv = new DataView(buf);
    }
    return this;
  }

  alloc(size, align) {
    const p = this.ex.nw_alloc(Math.max(size, 8), align) >>> 0;
    if (p === 0) throw new RangeError(`numba-wasm: out of wasm memory (allocating ${size} bytes)`);
    return p;
  }


  stats() {
    this.ex.nw_stats(this.scratch);
    const dv = this.views().dv;
    const out = {};
    this.abi.stats.forEach((name, i) => { // live_allocations -> liveAllocations
      out[name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())] = Number(dv.getBigUint64(this.scratch + 8 * i, true));
    });
    out.memoryBytes = this.memory.buffer.byteLength;
    return out;
  }


  // ------------------------------------------------------------ calling

  makeOverload(entry) {
    const direct = this.directCall(entry);
    const call = direct ? (...args) => direct.call(args) : (...args) => this.invoke(entry, snapArgs(args));
    call.accepts = (args) => (direct ? typeof direct.read(args) !== "string" : this.checkArgs(entry, snapArgs(args)) === null);
    Object.defineProperty(call, "name", { value: entry.name });
    call.signature = entry.signature;
    call.argTypes = entry.args;
    call.retType = entry.ret;
    call.wasmExport = entry.wasm_export;
    call.entry = entry;
    return call;
  }

  makeDispatcher(name, overloads, keep = false) {
    return (...args) => {
      // Read the arguments once; every overload is judged on that snapshot.
      const snaps = snapArgs(args);
      const o = overloads.find((o) => this.checkArgs(o.entry, snaps) === null);
      if (o) return this.invoke(o.entry, snaps, keep);
      const why = overloads.map((o) => `  ${o.signature}: ${this.checkArgs(o.entry, snaps)}`).join("\n");
      throw new TypeError(`numba-wasm: no overload of ${name} accepts these arguments; signatures:\n${why}`);
    };
  }

  // The call of a kernel whose arguments are scalars, None or arrays and
  // whose result is a scalar, None or an array: each argument read once and
  // checked with the general path's messages, the slots written from a plan
  // made once per overload; for primitives no snapshot is made. Null for
  // other kernels. `read(args)`: the checked snapshots, or the reason.
  directCall(entry) {
    const passed = entry.args.flatMap((t, i) => (t.kind === "omitted" ? [] : [{ t, i, name: entry.arg_names?.[i] ?? `arg${i}` }]));
    const kinds = ["scalar", "none"];
    if (!passed.every((a) => kinds.includes(a.t.kind)) || !kinds.includes(entry.ret.kind)) return null;
    const slots = entry.params.map((p, k) => ({ at: this.abi.pointer_slot * k, ty: p.ty, part: p.part, dim: p.dim, arg: passed.findIndex((a) => a.i === p.arg) }));
    const ret = entry.ret.kind === "scalar" ? dtypeInfo(entry.ret.dtype) : null;
    const { ok, none } = this.abi.status;
    const read = (args) => {
      if (args.length !== passed.length) return `expected ${passed.length} arguments, got ${args.length}`;
      // Every argument is read before any is checked: a getter of a later
      // one cannot change an earlier one after its check (free a WasmArray).
      const snaps = new Array(args.length); // a loop: Array.from's callback costs more than the call
      for (let k = 0; k < args.length; k++) {
        const v = args[k];
        snaps[k] = (typeof v === "object" && v !== null) || typeof v === "function" ? snap(v) : { kind: "prim", v };
      }
      const arrays = new Array(args.length);
      for (let k = 0; k < args.length; k++) {
        const s = snaps[k], t = passed[k].t;
        let e;
        if (t.kind === "scalar") e = checkScalar(t.dtype, s);
        else if (t.kind === "none") e = s.kind === "prim" && s.v == null ? null : `expected undefined or null, got ${describe(s)}`;
        if (e) return `argument ${k + 1} (${passed[k].name}): ${e}`;
      }
      return { snaps, arrays };
    };
    const call = (args, keep = false) => {
      const r = read(args);
      if (typeof r === "string") throw new TypeError(`${entry.name}: ${r} (${entry.signature})`);
      const { snaps, arrays } = r;
      try {
        const dv = this.views().dv;
        for (const { at, ty, part, dim, arg } of slots) {
          const s = snaps[arg];
          const v = part === "value" ? (typeof s.v === "boolean" ? +s.v : s.v)
            : part === "re" ? (s.kind === "prim" ? s.v : s.re.v)
            : part === "im" ? (s.kind === "prim" ? 0 : s.im.v)
            : part === "none" ? 0
            : undefined;
          writeSlot(dv, this.argp + at, ty, v);
        }
        dv.setUint32(this.excp, 0, true);
        const status = this.ex[entry.wasm_export](this.argp, this.retp, this.excp);
        if (status === ok) return ret ? readScalar(this.views().dv, this.retp, ret) : undefined;
        if (status === none) return undefined;
        throw this.exception(entry.name, status, this.excp);
      } finally {
      }
    };
    return { call, read };
  }

  // `snaps`: the arguments as read once by snapArgs. Everything below works
  // on that snapshot; no user code runs between the checks and the call.
  // `keep`: returned arrays become WasmArrays instead of copies.
  invoke(entry, snaps, keep = false) {
    const fname = entry.name;
    // Validate everything first: a TypeError must come before any wasm code runs.
    const err = this.checkArgs(entry, snaps);
    if (err) throw new TypeError(`${fname}: ${err} (${entry.signature})`);
    const strs = new Map(); // "arg/path" -> str argument in wasm memory
    const arrays = new Map(); // "arg/path" -> array argument
    const lists = new Map(); // "arg/path" -> reflected list argument
    const recs = new Map(); // "arg/path" -> record argument
    try {
      snaps = placed(entry, snaps);
      const slot = this.abi.pointer_slot;
      const { argp, retp, excp } = this; // excp receives an excinfo*
      const dv = this.views().dv;
      entry.params.forEach((p, i) => writeSlot(dv, argp + slot * i, p.ty, slotValue(p, snaps, arrays, strs, lists, recs)));
      dv.setUint32(excp, 0, true);
      const status = this.ex[entry.wasm_export](argp, retp, excp);
      if (status === this.abi.status.ok) return this.readReturn(entry, retp, keep);
      if (status === this.abi.status.none) return undefined;
      throw this.exception(fname, status, excp);
    } finally {
    }
  }




  // Null if the snapshot fits the entry's argument types, else the reason.
  checkArgs(entry, snaps) {
    const full = placed(entry, snaps);
    if (!full) return `expected ${passedCount(entry)} arguments, got ${snaps.length}`;
    for (let i = 0, k = 0; i < full.length; i++) {
      if (entry.args[i].kind === "omitted") continue;
      const e = this.checkArg(entry.args[i], full[i]);
      k++;
      if (e) return `argument ${k} (${entry.arg_names?.[i] ?? `arg${i}`}): ${e}`;
    }
    return null;
  }

  checkArg(t, s) {
    switch (t.kind) {
      case "scalar": return checkScalar(t.dtype, s);
      case "none": return s.kind === "prim" && s.v == null ? null : `expected undefined or null, got ${describe(s)}`;
      default: return `unsupported argument kind ${t.kind}`;
    }
  }




  // The result: each scalar or array at its offset behind retp (metadata
  // `ret_leaves`), placed into the tuple structure of `entry.ret`.
  readReturn(entry, retp, keep = false) {
    const decrefs = [];
    try {
      if (entry.ret.kind === "none") return undefined;
      return this.readLeaf(entry.ret_leaves[0].type, retp + entry.ret_leaves[0].offset, decrefs, keep);
    } finally {
      for (const mi of decrefs) this.ex.NRT_decref(mi);
    }
  }

  readLeaf(t, p, decrefs, keep = false) {
    const dv = this.views().dv;
    if (t.kind === "scalar") return readScalar(dv, p, dtypeInfo(t.dtype));
    if (t.kind !== "array" && t.kind !== "records") throw new Error(`numba-wasm: unsupported return kind ${t.kind}`);
  }



  exception(fname, status, excp) {
    return new Error(`${fname} raised an exception (status ${status})`);
  }
}


// ---------------------------------------------------------------- snapshots


// The TypedArray accessors of the realm, taken once: a caller cannot
// redefine them on an instance to run code in the middle of a call.
const TA_PROTO = Object.getPrototypeOf(Uint8Array.prototype);
const taGetter = (key) => Object.getOwnPropertyDescriptor(TA_PROTO, key).get;
const TA_TAG = taGetter(Symbol.toStringTag);
const TA_BUFFER = taGetter("buffer");
const TA_OFFSET = taGetter("byteOffset");
const TA_BYTES = taGetter("byteLength");
const TA_LENGTH = taGetter("length");

// Class name of a TypedArray of this realm, else undefined.
function typedArrayName(x) {
  return ArrayBuffer.isView(x) ? TA_TAG.call(x) : undefined;
}

const MAX_DEPTH = 32;
const MAX_ITEMS = 1 << 16;

// A plain record of one argument, reading each property exactly once.
// Kinds: prim {v}, typed {name, buffer, offset, bytes, length}, wasm {state},
// list {items}, object {data, shape, strides, re, im}, other {what}.
function snap(v, depth = 0) {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return { kind: "prim", v };
  if (depth > MAX_DEPTH) return { kind: "other", what: "a value nested too deeply" };
  const name = typedArrayName(v);
  if (name) {
    return { kind: "typed", name, buffer: TA_BUFFER.call(v), offset: TA_OFFSET.call(v),
      bytes: TA_BYTES.call(v), length: TA_LENGTH.call(v) };
  }
  if (ArrayBuffer.isView(v)) return { kind: "other", what: "DataView" };
  if (typeof v === "function") return { kind: "other", what: "function" };
  if (Array.isArray(v)) {
    const n = v.length;
    if (!Number.isSafeInteger(n) || n > MAX_ITEMS) return { kind: "other", what: `Array of ${n} items` };
    const items = [];
    for (let i = 0; i < n; i++) items.push(snap(v[i], depth + 1));
    return { kind: "list", items, ref: v }; // ref: for writing back a list argument
  }
  // Array-likes and complex by their known keys; named tuples by their own
  // enumerable keys (`fields`).
  const out = { kind: "object", fields: Object.create(null), ref: v }; // ref: for writing back a record argument
  for (const k of KNOWN_KEYS) {
    const x = v[k];
    if (x !== undefined) out[k] = snap(x, depth + 1);
  }
  const keys = Object.keys(v);
  if (keys.length > MAX_ITEMS) return { kind: "other", what: `object of ${keys.length} keys` };
  for (const k of keys) out.fields[k] = KNOWN_KEYS.includes(k) ? out[k] : snap(v[k], depth + 1);
  return out;
}

const KNOWN_KEYS = ["data", "shape", "strides", "dtype", "re", "im"];


// Placeholder for an omitted argument (it has no slot).
const OMITTED = Object.freeze({ kind: "omitted" });

function passedCount(entry) {
  return entry.args.filter((t) => t.kind !== "omitted").length;
}

// The passed arguments at their positions in entry.args (omitted ones
// skipped), or null if their number is wrong.
function placed(entry, snaps) {
  if (snaps.length !== passedCount(entry)) return null;
  let k = 0;
  return entry.args.map((t) => (t.kind === "omitted" ? OMITTED : snaps[k++]));
}


function snapArgs(args) {
  const out = new Array(args.length);
  for (let k = 0; k < args.length; k++) out[k] = snap(args[k]);
  return out;
}


// The value of one argument slot (metadata `params`: which part of which argument).
function slotValue(p, snaps, arrays, strs, lists, recs) {
  const path = p.path ?? [];
  let s = snaps[p.arg];
  for (const i of path) s = s.items[i];
  switch (p.part) {
    case "value": return typeof s.v === "boolean" ? (s.v ? 1 : 0) : s.v;
    case "re": return s.kind === "prim" ? s.v : s.re.v;
    case "im": return s.kind === "prim" ? 0 : s.im.v;
    case "none": return 0;
    default: {
      throw new Error(`numba-wasm: unknown argument part ${p.part}`);
    }
  }
}

// ---------------------------------------------------------------- checking


function describe(s) {
  switch (s.kind) {
    case "prim": return s.v === null ? "null" : `${typeof s.v} ${typeof s.v === "symbol" ? "symbol" : String(s.v)}`;
    case "typed": return s.name;
    case "list": return `Array of ${s.items.length}`;
    case "object": return "object";
    default: return s.what;
  }
}


function checkScalar(dtype, s) {
  const d = dtypeInfo(dtype);
  const v = s.v;
  if (d.kind === "complex") {
    if (s.kind === "prim" && typeof v === "number") return null;
    return s.kind === "object" && typeof s.re?.v === "number" && typeof s.im?.v === "number"
      ? null : `expected {re, im} or a number, got ${describe(s)}`;
  }
  if (s.kind !== "prim") return `expected a ${dtype} scalar, got ${describe(s)}`;
  if (d.kind === "bool") return typeof v === "boolean" || v === 0 || v === 1 ? null : `expected a boolean, got ${describe(s)}`;
  if (d.kind === "float") return typeof v === "number" ? null : `expected a number, got ${describe(s)}`;
  if (d.size === 8) {
    if (typeof v === "bigint") return v >= d.min && v <= d.max ? null : `${v} is out of range for ${dtype}`;
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) return `${v} is not a safe integer; pass a BigInt for ${dtype}`;
      return d.kind === "uint" && v < 0 ? `${v} is out of range for ${dtype}` : null;
    }
    return `expected a BigInt or safe integer for ${dtype}, got ${describe(s)}`;
  }
  if (typeof v !== "number" || !Number.isInteger(v)) return `expected an integer Number for ${dtype}, got ${describe(s)}`;
  return v >= d.min && v <= d.max ? null : `${v} is out of range for ${dtype}`;
}

// ---------------------------------------------------------------- memory helpers


function toNumber(v) { return typeof v === "bigint" ? Number(BigInt.asIntN(64, v)) : Number(v); }

function writeSlot(dv, p, ty, v) {
  switch (ty) {
    case "i1": case "i8": dv.setInt8(p, toNumber(v)); break;
    case "i16": dv.setInt16(p, toNumber(v), true); break;
    case "i32": dv.setInt32(p, toNumber(v), true); break;
    case "i64":
      if (typeof v === "bigint") dv.setBigInt64(p, v, true); // ToBigInt64 wraps uint64 values
      else { // a safe integer, as two words: no BigInt on the way
        const hi = Math.floor(v / 4294967296);
        dv.setUint32(p, v - hi * 4294967296, true);
        dv.setInt32(p + 4, hi, true);
      }
      break;
    case "f32": dv.setFloat32(p, v, true); break;
    case "f64": dv.setFloat64(p, v, true); break;
    case "ptr": dv.setUint32(p, toNumber(v), true); break;
    default: throw new Error(`numba-wasm: unsupported LLVM param type ${ty}`);
  }
}



// One element of dtype d at p; complex as {re, im} (lanes of size / lanes bytes).
function readScalar(dv, p, d) {
  const v = dv[d.get](p, true);
  if (d.lanes === 2) return { re: v, im: dv[d.get](p + d.size / 2, true) };
  return d.kind === "bool" ? v !== 0 : v;
}

