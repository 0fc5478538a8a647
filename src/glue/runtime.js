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

const FINGERPRINT = __NW_FINGERPRINT__;
const FORMAT = __NW_FORMAT__;
const RESERVED = new Set(__NW_RESERVED__);
const TYPED_ARRAYS = __NW_TYPED_ARRAYS__;
//#if simd
const SIMD = __NW_SIMD__;
//#endif

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

//#if arrays
// The element of an array type: its dtype's, or for an array of records
// (a structured dtype) its bytes, `record.size` of them, as a Uint8Array.
function elemInfo(t) {
  if (t.kind !== "records") return dtypeInfo(t.dtype);
  //#if records
  const size = t.record.size;
  const name = `record(${t.record.fields.map((f) => `${f.name}=${f.dtype}@${f.offset}`).join(", ")}; ${size})`;
  return { name, Arr: Uint8Array, kind: "record", size, align: 1, lanes: Math.max(size, 1) };
  //#endif
}
//#endif

function dtypeInfo(dtype) {
  const d = Object.hasOwn(DTYPES, dtype) ? DTYPES[dtype] : undefined;
  if (!d) throw new TypeError(`numba-wasm: dtype ${JSON.stringify(dtype)} is not one this module's kernels take or return (${Object.keys(DTYPES).join(", ")})`);
  return d;
}


// ---------------------------------------------------------------- loading

const isNode = typeof globalThis.process?.versions?.node === "string";

export async function load(source) {
  //#if simd
  const module = await compileFrom(source).catch(simdHint);
  //#endif
  //#if !simd
  const module = await compileFrom(source);
  //#endif
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

//#if simd
// An engine lacking the module's SIMD level refuses it whole: if it cannot
// validate a probe () -> v128 (v128.const 0, or relaxed_madd of three), name
// the build it needs.
function simdHint(e) {
  const relaxed = SIMD === "relaxed";
  if (!(e instanceof WebAssembly.CompileError)) throw e;
  const k = [0xfd, 12, ...Array(16).fill(0)], body = relaxed ? [...k, ...k, ...k, 0xfd, 0x85, 2] : k;
  const probe = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
    10, body.length + 4, 1, body.length + 2, 0, ...body, 11];
  if (WebAssembly.validate(new Uint8Array(probe))) throw e;
  throw new WebAssembly.CompileError(`${e.message} (numba-wasm: this engine lacks ${relaxed
    ? "relaxed SIMD: build without --relaxed-simd" : "SIMD: build with --no-simd"})`, { cause: e });
}
//#endif

async function compileFrom(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  if (source && typeof source.then === "function") return compileFrom(await source);
  if (source && typeof source.arrayBuffer === "function") return compileResponse(source);
  let url;
  // A literal `new URL("./x.wasm", import.meta.url)`: bundlers (Vite, webpack,
  // Parcel) recognise it and emit the .wasm as an asset beside the bundle.
  if (source == null) url = new URL("__NW_WASM_FILE__", import.meta.url);
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
    //#if random
    this.seedRandomStates();
    //#endif
    //#if arrays
    this.registry = typeof FinalizationRegistry === "function"
      ? new FinalizationRegistry((mi) => this.ex.NRT_decref(mi))
      : null;
    //#endif

    const api = {
      memory: this.memory,
      metadata,
      exports: this.ex,
      //#if arrays
      empty: (dtype, shape, order = "C") => this.empty(dtype, shape, order),
      fromArray: (src, dtype) => this.fromArray(src, dtype),
      //#endif
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
      //#if overloads
      const fn = overloads.length === 1 ? overloads[0] : this.makeDispatcher(name, overloads);
      //#endif
      //#if !overloads
      const fn = overloads[0];
      //#endif
      const method = function (...args) { return fn(...args); };
      Object.defineProperty(method, "name", { value: name });
      //#if arrays
      // Returned arrays stay in wasm memory as WasmArrays the caller frees.
      //#if overloads
      method.noCopy = overloads.length === 1 ? overloads[0].noCopy : this.makeDispatcher(name, overloads, true);
      //#endif
      //#if !overloads
      method.noCopy = overloads[0].noCopy;
      //#endif
      //#endif
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

  //#if random
  // Seed the random states from the platform's entropy, as native Numba does
  // at first use.
  seedRandomStates() {
    const entropy = new Uint8Array(this.abi.random_entropy_bytes);
    globalThis.crypto.getRandomValues(entropy);
    const p = this.alloc(entropy.length, 8);
    this.views().u8.set(entropy, p);
    this.ex.nw_random_init(p, entropy.length);
    this.ex.nw_free(p);
  }
  //#endif

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

  //#if arrays
  // ------------------------------------------------------------ zero-copy arrays

  empty(dtype, shape, order = "C") {
    const d = dtypeInfo(dtype);
    const dimsList = dims(snap(typeof shape === "number" ? [shape] : shape));
    if (!dimsList) throw new TypeError("numba-wasm: shape must be an array of non-negative integers");
    if (order !== "C" && order !== "F") throw new TypeError(`numba-wasm: order must be "C" or "F"`);
    const strides = contiguousStrides(dimsList, d.size, order);
    const bytes = dimsList.reduce((a, b) => a * b, 1) * d.size;
    if (!Number.isSafeInteger(bytes) || bytes >= 2 ** 32) {
      throw new RangeError(`numba-wasm: an array of shape [${dimsList}] does not fit in wasm memory`);
    }
    const mi = this.ex.NRT_MemInfo_alloc_aligned(BigInt(bytes), 64) >>> 0;
    if (mi === 0) throw new RangeError(`numba-wasm: out of wasm memory (allocating ${bytes} bytes)`);
    const v = this.views();
    const ptr = v.dv.getUint32(mi + this.abi.meminfo.data, true);
    v.u8.fill(0, ptr, ptr + bytes); // deterministic contents, unlike NumPy's empty
    return new WasmArray(CONSTRUCT, {
      rt: this, d, shape: Object.freeze(dimsList), strides: Object.freeze(strides),
      meminfo: mi, ptr, byteLength: bytes, live: true, view: null,
    });
  }

  fromArray(src, dtype) {
    let s = snap(src);
    if (s.kind === "list") { // plain JS array: 1-D, float64 unless told
      const d = dtypeInfo(dtype ?? "float64");
      const values = s.items.map((x) => (x.kind === "prim" ? x.v : NaN));
      s = snap(d.Arr.from(values, d.Arr.name.startsWith("Big") ? BigInt : Number));
    }
    dtype ??= s.kind === "wasm" ? s.state.d.name : defaultDtype(s.kind === "object" ? s.data : s);
    const a = this.arrayOf({ dtype }, s);
    if (typeof a === "string") throw new TypeError(`numba-wasm: fromArray: ${a}`);
    const arr = this.empty(dtype, a.shape, "C");
    const to = WasmArray.stateOf(arr);
    const u8 = this.views().u8;
    if (a.wasm) copyStrided(u8, a.wasm.ptr, a.shape, a.strides, u8, to.ptr, to.strides, a.d.size);
    else copyStrided(new Uint8Array(a.data.buffer), a.data.offset, a.shape, a.strides, u8, to.ptr, to.strides, a.d.size);
    return arr;
  }
  //#endif

  // ------------------------------------------------------------ calling

  makeOverload(entry) {
    const direct = this.directCall(entry);
    //#if general
    const call = direct ? (...args) => direct.call(args) : (...args) => this.invoke(entry, snapArgs(args));
    call.accepts = (args) => (direct ? typeof direct.read(args) !== "string" : this.checkArgs(entry, snapArgs(args)) === null);
    //#endif
    //#if !general
    const call = (...args) => direct.call(args);
    call.accepts = (args) => typeof direct.read(args) !== "string";
    //#endif
    Object.defineProperty(call, "name", { value: entry.name });
    //#if arrays
    //#if general
    call.noCopy = direct ? (...args) => direct.call(args, true) : (...args) => this.invoke(entry, snapArgs(args), true);
    //#endif
    //#if !general
    call.noCopy = (...args) => direct.call(args, true);
    //#endif
    //#endif
    call.signature = entry.signature;
    call.argTypes = entry.args;
    call.retType = entry.ret;
    call.wasmExport = entry.wasm_export;
    call.entry = entry;
    return call;
  }

  //#if overloads
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
  //#endif

  // The call of a kernel whose arguments are scalars, None or arrays and
  // whose result is a scalar, None or an array: each argument read once and
  // checked with the general path's messages, the slots written from a plan
  // made once per overload; for primitives no snapshot is made. Null for
  // other kernels. `read(args)`: the checked snapshots, or the reason.
  directCall(entry) {
    const passed = entry.args.flatMap((t, i) => (t.kind === "omitted" ? [] : [{ t, i, name: entry.arg_names?.[i] ?? `arg${i}` }]));
    const kinds = ["scalar", "none"];
    //#if arrays
    kinds.push("array", "records");
    //#endif
    if (!passed.every((a) => kinds.includes(a.t.kind)) || !kinds.includes(entry.ret.kind)) return null;
    const slots = entry.params.map((p, k) => ({ at: this.abi.pointer_slot * k, ty: p.ty, part: p.part, dim: p.dim, arg: passed.findIndex((a) => a.i === p.arg) }));
    //#if arrays
    // Arrays the kernel never writes to are not copied back.
    const readOnly = entry.read_only_args ?? [];
    //#endif
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
        //#if arrays
        else {
          const a = this.arrayOf(t, s);
          e = typeof a === "string" ? a : arrayProblem(t, a);
          if (!e) {
            a.readonly = !!t.readonly || readOnly.includes(passed[k].i); // a is arrayOf's fresh record
            arrays[k] = a;
          }
        }
        //#endif
        if (e) return `argument ${k + 1} (${passed[k].name}): ${e}`;
      }
      return { snaps, arrays };
    };
    const call = (args, keep = false) => {
      const r = read(args);
      if (typeof r === "string") throw new TypeError(`${entry.name}: ${r} (${entry.signature})`);
      const { snaps, arrays } = r;
      //#if arrays
      const bufs = [], copyBack = [];
      let called = false;
      //#endif
      try {
        //#if arrays
        const copies = [];
        for (const a of arrays) if (a && !a.wasm) copies.push(a);
        if (copies.length) this.copyIn(copies, bufs, copyBack);
        //#endif
        const dv = this.views().dv;
        for (const { at, ty, part, dim, arg } of slots) {
          const s = snaps[arg];
          const v = part === "value" ? (typeof s.v === "boolean" ? +s.v : s.v)
            : part === "re" ? (s.kind === "prim" ? s.v : s.re.v)
            : part === "im" ? (s.kind === "prim" ? 0 : s.im.v)
            : part === "none" ? 0
            //#if arrays
            : arrays[arg] ? arrayPart(arrays[arg], part, dim)
            //#endif
            : undefined;
          writeSlot(dv, this.argp + at, ty, v);
        }
        dv.setUint32(this.excp, 0, true);
        //#if arrays
        called = true;
        //#endif
        const status = this.ex[entry.wasm_export](this.argp, this.retp, this.excp);
        //#if arrays
        if (status === ok && !ret) return this.readReturn(entry, this.retp, keep);
        //#endif
        if (status === ok) return ret ? readScalar(this.views().dv, this.retp, ret) : undefined;
        if (status === none) return undefined;
        throw this.exception(entry.name, status, this.excp);
      //#if arrays
      } finally {
        // Copy back even after an exception: NumPy semantics keep partial in-place writes.
        if (called) {
          const u8 = this.views().u8;
          for (const { dst, ptr, len } of copyBack) dst.set(u8.subarray(ptr, ptr + len));
        }
        for (const p of bufs) this.ex.nw_free(p);
      //#endif
      //#if !arrays
      } finally {
      //#endif
      }
    };
    return { call, read };
  }

  //#if general
  // `snaps`: the arguments as read once by snapArgs. Everything below works
  // on that snapshot; no user code runs between the checks and the call.
  // `keep`: returned arrays become WasmArrays instead of copies.
  invoke(entry, snaps, keep = false) {
    const fname = entry.name;
    // Validate everything first: a TypeError must come before any wasm code runs.
    const err = this.checkArgs(entry, snaps);
    if (err) throw new TypeError(`${fname}: ${err} (${entry.signature})`);
    //#if arrays
    const bufs = [];
    const copyBack = [];
    //#endif
    //#if arrays|containers
    let called = false;
    //#endif
    const strs = new Map(); // "arg/path" -> str argument in wasm memory
    const arrays = new Map(); // "arg/path" -> array argument
    const lists = new Map(); // "arg/path" -> reflected list argument
    const recs = new Map(); // "arg/path" -> record argument
    try {
      //#if tuples
      // Arguments at their positions in entry.args, named tuples as lists.
      snaps = placed(entry, snaps).map((s, i) => asTuple(entry.args[i], s));
      //#endif
      //#if !tuples
      snaps = placed(entry, snaps);
      //#endif
      //#if arrays|strings|containers
      entry.args.forEach((t, i) => this.collectArrays(t, snaps[i], `${i}/`, arrays, strs, lists, recs));
      //#if arrays
      // Arrays the kernel never writes to are not copied back.
      for (const i of entry.read_only_args ?? []) if (arrays.has(`${i}/`)) arrays.get(`${i}/`).readonly = true;
      //#endif
      //#endif
      //#if arrays
      this.copyIn([...arrays.values()].filter((a) => !a.wasm), bufs, copyBack);
      //#endif
      //#if strings
      for (const [key, text] of strs) strs.set(key, this.newString(text));
      //#endif
      //#if containers
      for (const l of lists.values()) (l.dict ? this.newDict(l) : this.newList(l));
      //#endif
      //#if records
      for (const r of recs.values()) this.newRecord(r);
      //#endif
      const slot = this.abi.pointer_slot;
      const { argp, retp, excp } = this; // excp receives an excinfo*
      const dv = this.views().dv;
      entry.params.forEach((p, i) => writeSlot(dv, argp + slot * i, p.ty, slotValue(p, snaps, arrays, strs, lists, recs)));
      dv.setUint32(excp, 0, true);
      //#if arrays|containers
      called = true;
      //#endif
      const status = this.ex[entry.wasm_export](argp, retp, excp);
      if (status === this.abi.status.ok) return this.readReturn(entry, retp, keep);
      if (status === this.abi.status.none) return undefined;
      throw this.exception(fname, status, excp);
    } finally {
      //#if records
      // A record the kernel changed writes through, as into the array
      // element natively: the changed fields into the caller's object.
      for (const r of recs.values()) {
        if (!r.ptr) continue;
        try {
          if (called) this.reflectRecord(r);
        } finally {
          this.ex.nw_free(r.ptr);
        }
      }
      //#endif
      //#if arrays
      // Copy back even after an exception: NumPy semantics keep partial in-place writes.
      if (called) {
        const u8 = this.views().u8;
        for (const { dst, ptr, len } of copyBack) dst.set(u8.subarray(ptr, ptr + len));
      }
      for (const p of bufs) this.ex.nw_free(p);
      //#endif
      //#if strings
      // The host's reference to each str argument (the kernel may keep others).
      for (const s of strs.values()) if (s.meminfo) this.ex.NRT_decref(s.meminfo);
      //#endif
      //#if containers
      // A list the kernel changed is written back into the caller's Array,
      // after an exception too, as Numba reflects it into the Python list;
      // a dict (shared with the caller, as a typed.Dict is) into the Map.
      for (const l of lists.values()) {
        if (!l.meminfo) continue;
        try {
          if (called) (l.dict ? this.reflectDict(l) : this.reflectList(l));
        } finally {
          this.ex.NRT_decref(l.meminfo);
        }
      }
      //#endif
    }
  }
  //#endif

  //#if containers
  // A list argument in Numba's layout. Reflected: a meminfo whose data is
  // the payload {size, allocated, dirty, items}; typed: an NB_List (the
  // shim's nw_list_from), owned by a meminfo. Both are freed with it.
  newList(l) {
    const A = this.abi;
    const d = l.d;
    const n = l.items.length;
    if (l.typed) {
      const buf = this.alloc(Math.max(n, 1) * d.size, 8);
      try {
        const dv = this.views().dv;
        l.items.forEach((s, i) => writeElement(dv, buf + i * d.size, d, s.v));
        l.meminfo = this.ex.nw_list_from(BigInt(d.size), BigInt(n), buf) >>> 0;
      } finally {
        this.ex.nw_free(buf);
      }
      if (l.meminfo === 0) throw new RangeError(`numba-wasm: out of wasm memory (a list of ${n} items)`);
      l.data = this.views().dv.getUint32(this.views().dv.getUint32(l.meminfo + A.meminfo.data, true), true);
      return;
    }
    const at = Math.ceil(A.list_payload.dirty_end / d.align) * d.align;
    const bytes = at + Math.max(n, 1) * d.size;
    const meminfo = this.ex.NRT_MemInfo_new_varsize_dtor(BigInt(bytes), 0) >>> 0;
    if (meminfo === 0) throw new RangeError(`numba-wasm: out of wasm memory (allocating ${bytes} bytes)`);
    l.meminfo = meminfo;
    const dv = this.views().dv;
    const payload = dv.getUint32(meminfo + A.meminfo.data, true);
    dv.setBigInt64(payload + A.list_payload.size, BigInt(n), true);
    dv.setBigInt64(payload + A.list_payload.allocated, BigInt(n), true);
    dv.setUint8(payload + A.list_payload.dirty, 0);
    l.items.forEach((s, i) => writeElement(dv, payload + at + i * d.size, d, s.v));
  }

  // The caller's Array gets the list's items and length: for a reflected
  // list when the kernel changed it (its dirty flag), as Numba reflects it;
  // a typed list is shared with the caller, so always.
  reflectList(l) {
    const A = this.abi;
    const d = l.d;
    const dv = this.views().dv;
    let n, at, stride = d.size;
    if (l.typed) {
      n = Number(dv.getBigInt64(l.data + A.list.size, true));
      stride = Number(dv.getBigInt64(l.data + A.list.item_size, true));
      at = dv.getUint32(l.data + A.list.items, true);
    } else {
      const payload = dv.getUint32(l.meminfo + A.meminfo.data, true); // realloc may have moved it
      if (dv.getUint8(payload + A.list_payload.dirty) === 0) return;
      n = Number(dv.getBigInt64(payload + A.list_payload.size, true));
      at = payload + Math.ceil(A.list_payload.dirty_end / d.align) * d.align;
    }
    if (n < 0 || stride < d.size || at + n * stride > dv.byteLength) throw new Error(`numba-wasm: a list argument of ${n} items does not fit wasm memory`);
    const items = Array.from({ length: n }, (_, i) => readScalar(dv, at + i * stride, d));
    l.ref.length = n;
    items.forEach((v, i) => { l.ref[i] = v; });
  }

  // A typed.Dict argument built by the shim (nw_dict_from) from the Map's
  // checked entries, in their order: the keys and values laid out as the
  // dict stores them (str as Numba's unicode struct, each in a new
  // meminfo of which the dict takes a reference), hashed by the shim.
  newDict(l) {
    const A = this.abi, U = A.unicode, t = l.t;
    const n = l.entries.length;
    const size = (it) => (it.kind === "unicode" ? U.size_of : dtypeInfo(it.dtype).size);
    const ks = size(t.key), vs = size(t.value);
    const strs = [];
    const bufs = [];
    try {
      // Strings first: building them may grow memory.
      //#if strings
      const text = (it, s) => (it.kind === "unicode" ? (strs.push(this.newString(s.v)), strs.length - 1) : -1);
      //#endif
      //#if !strings
      const text = () => -1;
      //#endif
      const made = l.entries.map(([k, v]) => [text(t.key, k), text(t.value, v)]);
      const kbuf = this.alloc(Math.max(n, 1) * ks, 8); bufs.push(kbuf);
      const vbuf = this.alloc(Math.max(n, 1) * vs, 8); bufs.push(vbuf);
      const { dv, u8 } = this.views();
      u8.fill(0, kbuf, kbuf + n * ks);
      u8.fill(0, vbuf, vbuf + n * vs);
      const put = (it, p, s, j) => {
        if (j < 0) return writeElement(dv, p, dtypeInfo(it.dtype), s.v);
        const str = strs[j];
        dv.setUint32(p + U.data, str.ptr, true);
        dv.setBigInt64(p + U.length, BigInt(str.length), true);
        dv.setInt32(p + U.kind, str.kind, true);
        dv.setUint32(p + U.is_ascii, str.isAscii, true);
        dv.setBigInt64(p + U.hash, -1n, true);
        dv.setUint32(p + U.meminfo, str.meminfo, true);
      };
      l.entries.forEach(([k, v], i) => {
        put(t.key, kbuf + i * ks, k, made[i][0]);
        put(t.value, vbuf + i * vs, v, made[i][1]);
      });
      // The key kind the shim hashes and compares by: signed, unsigned (and bool), str.
      const K = this.abi.dict.key_kinds;
      const kind = t.key.kind === "unicode" ? K.str : dtypeInfo(t.key.dtype).kind === "int" ? K.signed : K.unsigned;
      l.meminfo = this.ex.nw_dict_from(kind, t.value.kind === "unicode" ? 1 : 0, BigInt(ks), BigInt(vs), BigInt(n), kbuf, vbuf) >>> 0;
    } finally {
      for (const p of bufs) this.ex.nw_free(p);
      for (const str of strs) this.ex.NRT_decref(str.meminfo);
    }
    if (l.meminfo === 0) throw new RangeError(`numba-wasm: out of wasm memory (a dict of ${n} entries)`);
    const dv = this.views().dv;
    l.data = dv.getUint32(dv.getUint32(l.meminfo + A.meminfo.data, true), true);
  }

  // The caller's Map gets the dict's entries, in the dict's order.
  reflectDict(l) {
    const entries = this.readDict(l.t, l.data);
    MAP_CLEAR.call(l.ref);
    for (const [k, v] of entries) MAP_SET.call(l.ref, k, v);
  }
  //#endif

  //#if records
  // A record argument: its fields at their offsets in a buffer of the
  // record's size, whose address is the argument (Numba's RecordModel).
  newRecord(r) {
    const { record } = r.t;
    r.ptr = this.alloc(Math.max(record.size, 1), 8);
    const { dv, u8 } = this.views();
    u8.fill(0, r.ptr, r.ptr + Math.max(record.size, 1));
    for (const f of record.fields) writeField(dv, r.ptr + f.offset, dtypeInfo(f.dtype), r.s.fields[f.name]);
    r.before = u8.slice(r.ptr, r.ptr + record.size);
  }

  // The fields whose bytes the kernel changed, into the caller's object.
  reflectRecord(r) {
    const { dv, u8 } = this.views();
    for (const f of r.t.record.fields) {
      const d = dtypeInfo(f.dtype);
      const at = r.ptr + f.offset;
      let same = true;
      for (let b = 0; b < d.size; b++) same &&= u8[at + b] === r.before[f.offset + b];
      if (!same) r.s.ref[f.name] = readScalar(dv, at, d);
    }
  }

  // A returned record (a pointer to its bytes at p) as an object with its fields.
  readRecord(t, p) {
    const dv = this.views().dv;
    const ptr = dv.getUint32(p, true);
    if (ptr === 0 || ptr + t.record.size > dv.byteLength) {
      throw new Error(`numba-wasm: a returned record at ${ptr} does not fit wasm memory`);
    }
    const out = {};
    for (const f of t.record.fields) {
      Object.defineProperty(out, f.name, { value: readScalar(dv, ptr + f.offset, dtypeInfo(f.dtype)),
        enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  //#endif

  //#if strings
  // A str in Numba's unicode layout: code points of `kind` bytes (the
  // narrowest that holds them, as CPython's PEP 393 does) and a 0
  // terminator, in memory owned by a new meminfo.
  newString(text) {
    const cps = Array.from(text, (c) => c.codePointAt(0));
    const max = cps.reduce((a, b) => Math.max(a, b), 0);
    const kind = max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
    const bytes = (cps.length + 1) * kind;
    const meminfo = this.ex.NRT_MemInfo_alloc_aligned(BigInt(bytes), 8) >>> 0;
    if (meminfo === 0) throw new RangeError(`numba-wasm: out of wasm memory (allocating ${bytes} bytes)`);
    const dv = this.views().dv;
    const ptr = dv.getUint32(meminfo + this.abi.meminfo.data, true);
    const set = kind === 1 ? (q, v) => dv.setUint8(q, v) : kind === 2 ? (q, v) => dv.setUint16(q, v, true) : (q, v) => dv.setUint32(q, v, true);
    cps.forEach((c, i) => set(ptr + kind * i, c));
    set(ptr + kind * cps.length, 0);
    return { meminfo, ptr, length: cps.length, kind, isAscii: max < 0x80 ? 1 : 0 };
  }

  // A str result (Numba's unicode struct at p) as a JS string.
  readString(p, decrefs) {
    const U = this.abi.unicode;
    const dv = this.views().dv;
    const meminfo = dv.getUint32(p + U.meminfo, true);
    if (meminfo !== 0) decrefs.push(meminfo);
    const data = dv.getUint32(p + U.data, true);
    const length = Number(dv.getBigInt64(p + U.length, true));
    const kind = dv.getInt32(p + U.kind, true);
    if (![1, 2, 4].includes(kind) || length < 0 || data + length * kind > dv.byteLength) {
      throw new Error(`numba-wasm: a returned str has kind ${kind} and length ${length}, which do not fit wasm memory`);
    }
    const get = kind === 1 ? (q) => dv.getUint8(q) : kind === 2 ? (q) => dv.getUint16(q, true) : (q) => dv.getUint32(q, true);
    const parts = [];
    for (let i = 0; i < length; i += 4096) {
      const chunk = [];
      for (let j = i; j < Math.min(length, i + 4096); j++) chunk.push(get(data + kind * j));
      parts.push(String.fromCodePoint(...chunk));
    }
    return parts.join("");
  }
  //#endif

  //#if general
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
      //#if tuples
      case "tuple":
        if (s.kind !== "list" || s.items.length !== t.items.length) return `expected an Array of ${t.items.length} items, got ${describe(s)}`;
        for (let i = 0; i < s.items.length; i++) {
          const e = this.checkArg(t.items[i], s.items[i]);
          if (e) return `item ${i}: ${e}`;
        }
        return null;
      //#endif
      //#if strings
      case "unicode": return s.kind === "prim" && typeof s.v === "string" ? null : `expected a string, got ${describe(s)}`;
      //#endif
      //#if tuples
      case "namedtuple": {
        const items = namedItems(t, s);
        if (typeof items === "string") return items;
        for (let i = 0; i < items.length; i++) {
          const e = this.checkArg(t.items[i], items[i]);
          if (e) return `field ${t.fields[i]}: ${e}`;
        }
        return null;
      }
      //#endif
      //#if containers
      case "list": {
        if (s.kind !== "list") return `expected an Array (a list, whose changes are written back), got ${describe(s)}`;
        for (let i = 0; i < s.items.length; i++) {
          const e = checkScalar(t.item.dtype, s.items[i]);
          if (e) return `item ${i}: ${e}`;
        }
        return null;
      }
      case "dict": return checkDict(t, s);
      //#endif
      //#if records
      case "record": {
        const fields = t.record.fields.map((f) => f.name);
        if (s.kind !== "object") return `expected a record {${fields.join(", ")}}, got ${describe(s)}`;
        for (const f of t.record.fields) {
          const x = s.fields[f.name];
          if (x === undefined) return `expected a record {${fields.join(", ")}}, field ${f.name} is missing`;
          const e = checkScalar(f.dtype, x);
          if (e) return `field ${f.name}: ${e}`;
        }
        return null;
      }
      //#endif
      //#if arrays
      case "array": case "records": {
        const a = this.arrayOf(t, s);
        return typeof a === "string" ? a : arrayProblem(t, a);
      }
      //#endif
      default: return `unsupported argument kind ${t.kind}`;
    }
  }
  //#endif

  //#if arrays
  // The array an argument snapshot stands for, as {d, shape, strides, ...},
  // or the reason it is not one of dtype t.dtype. Geometry comes from the
  // snapshot (or a WasmArray's private state), never from public properties.
  arrayOf(t, s) {
    const d = elemInfo(t);
    if (s.kind === "wasm") {
      const w = s.state;
      if (w.rt !== this) return "WasmArray belongs to another module instance";
      if (!w.live) return "WasmArray used after free()";
      if (w.d !== d) return `expected dtype ${d.name}, got WasmArray of ${w.d.name}`;
      return { d, wasm: w, shape: w.shape, strides: w.strides };
    }
    let data, shape, strides;
    if (s.kind === "typed") {
      data = s;
      if (data.length % d.lanes) return `${d.name} data must hold re,im pairs`;
      shape = [data.length / d.lanes];
    } else if (s.kind === "object" && s.data && s.shape) {
      // An optional `dtype` names the element type, which the TypedArray
      // alone cannot (float32 vs complex64 both use Float32Array).
      if (s.dtype && s.dtype.v !== t.dtype) return `expected dtype ${t.dtype}, got dtype ${typeof s.dtype.v === "string" ? s.dtype.v : describe(s.dtype)}`;
      data = s.data;
      shape = dims(s.shape);
      if (!shape) return "shape must be an array of non-negative integers";
      if (s.strides && !(s.strides.kind === "prim" && s.strides.v == null)) {
        strides = dims(s.strides, true);
        if (!strides || strides.length !== shape.length) return "strides must be an array of integers (bytes), one per dimension";
        if (strides.some((x) => x < 0)) return "negative strides are not supported";
      }
    } else {
      return `expected a ${d.Arr.name}, {data, shape, strides?} or WasmArray, got ${describe(s)}`;
    }
    if (data.kind !== "typed" || data.name !== d.Arr.name) return `dtype ${d.name} needs a ${d.Arr.name}, got ${describe(data)}`;
    if (data.buffer === this.memory.buffer) {
      // A view into this module's memory (say a WasmArray's .data, maybe of a
      // freed array): the kernel would reach memory nobody validated.
      return "a view into this module's wasm memory; pass the WasmArray itself";
    }
    // Record bytes do not tell one structured dtype from another: without
    // strides they must be exactly the records of the shape.
    if (d.kind === "record" && !strides && data.bytes !== shape.reduce((a, b) => a * b, 1) * d.size) {
      return `${d.name} data of shape ${JSON.stringify(shape)} must hold exactly ` +
        `${shape.reduce((a, b) => a * b, 1) * d.size} bytes, got ${data.bytes}`;
    }
    strides ??= contiguousStrides(shape, d.size, "C");
    let extent = 0;
    if (!shape.includes(0)) extent = shape.reduce((acc, n, k) => acc + (n - 1) * strides[k], 0) + d.size;
    if (!Number.isSafeInteger(extent) || extent > data.bytes) {
      return `shape ${JSON.stringify(shape)} with strides ${JSON.stringify(strides)} reaches ` +
        `byte ${extent} of data holding ${data.bytes} bytes`;
    }
    return { d, data, shape, strides, extent };
  }
  //#endif

  //#if general
  //#if arrays|strings|containers
  // Array arguments by "arg/path" (the key argument slots name them by);
  // str arguments' text into `strs` and list arguments into `lists` by the
  // same key.
  collectArrays(t, s, key, out, strs, lists, recs) {
    if (t.kind === "tuple" || t.kind === "namedtuple") t.items.forEach((it, i) => this.collectArrays(it, s.items[i], `${key}${key.endsWith("/") ? "" : ","}${i}`, out, strs, lists, recs));
    //#if arrays
    else if (t.kind === "array" || t.kind === "records") {
      const a = this.arrayOf(t, s); // checked: a fresh record
      a.readonly = !!t.readonly;
      out.set(key, a);
    }
    //#endif
    else if (t.kind === "unicode") strs.set(key, s.v);
    else if (t.kind === "list") lists.set(key, { typed: t.typed, d: dtypeInfo(t.item.dtype), items: s.items, ref: s.ref, meminfo: 0, data: 0 });
    //#if containers
    else if (t.kind === "dict") lists.set(key, { dict: true, t, entries: s.entries, ref: s.ref, meminfo: 0, data: 0 });
    //#endif
    //#if records
    else if (t.kind === "record") recs.set(key, { t, s, ptr: 0 });
    //#endif
  }
  //#endif
  //#endif

  //#if arrays
  // Copies array arguments into wasm memory. Overlapping regions of one buffer
  // (the same array passed twice, views of one base) share a single copy, so
  // aliasing behaves as in NumPy and copy-backs cannot clobber each other.
  copyIn(arrays, bufs, copyBack) {
    // Arrays of one buffer, by start; a single array needs no grouping.
    let groups = [arrays];
    if (arrays.length > 1) {
      const byBuffer = new Map();
      for (const a of arrays) {
        if (!byBuffer.has(a.data.buffer)) byBuffer.set(a.data.buffer, []);
        byBuffer.get(a.data.buffer).push(a);
      }
      groups = [...byBuffer.values()];
      for (const list of groups) list.sort((x, y) => x.data.offset - y.data.offset);
    }
    for (const list of groups) {
      for (let i = 0; i < list.length;) {
        const start = list[i].data.offset;
        let end = start + list[i].extent, readonly = list[i].readonly, j = i + 1;
        while (j < list.length && list[j].data.offset < end) {
          end = Math.max(end, list[j].data.offset + list[j].extent);
          readonly &&= list[j].readonly;
          j++;
        }
        const ptr = this.alloc(end - start, 64); bufs.push(ptr);
        const src = new Uint8Array(list[i].data.buffer, start, end - start);
        this.views().u8.set(src, ptr);
        if (!readonly && end > start) copyBack.push({ dst: src, ptr, len: end - start });
        for (; i < j; i++) list[i].ptr = ptr + (list[i].data.offset - start);
      }
    }
  }

  //#endif

  //#if general|arrays
  // The result: each scalar or array at its offset behind retp (metadata
  // `ret_leaves`), placed into the tuple structure of `entry.ret`.
  readReturn(entry, retp, keep = false) {
    const decrefs = [];
    try {
      //#if !tuples
      if (entry.ret.kind === "none") return undefined;
      return this.readLeaf(entry.ret_leaves[0].type, retp + entry.ret_leaves[0].offset, decrefs, keep);
      //#endif
      //#if tuples
      // An optional value inside a tuple is None when its `valid` byte is 0.
      const absent = (leaf) => leaf.valid !== undefined && this.views().dv.getUint8(retp + leaf.valid) === 0;
      const values = new Map(entry.ret_leaves.map((leaf) =>
        [(leaf.path ?? []).join(","), absent(leaf) ? undefined : this.readLeaf(leaf.type, retp + leaf.offset, decrefs, keep)]));
      const build = (t, path) => {
        switch (t.kind) {
          case "tuple": return t.items.map((it, i) => build(it, [...path, i]));
          case "namedtuple": {
            const o = {};
            t.items.forEach((it, i) => Object.defineProperty(o, t.fields[i],
              { value: build(it, [...path, i]), enumerable: true, writable: true, configurable: true }));
            return o;
          }
          case "none": return undefined;
          case "optional": return t.item.kind === "tuple" || t.item.kind === "namedtuple" ? build(t.item, path) : values.get(path.join(","));
          default: return values.get(path.join(","));
        }
      };
      return build(entry.ret, []);
      //#endif
    } finally {
      for (const mi of decrefs) this.ex.NRT_decref(mi);
    }
  }

  readLeaf(t, p, decrefs, keep = false) {
    const dv = this.views().dv;
    if (t.kind === "scalar") return readScalar(dv, p, dtypeInfo(t.dtype));
    //#if strings
    if (t.kind === "unicode") return this.readString(p, decrefs);
    if (t.kind === "strliteral") return String(t.value);
    //#endif
    //#if containers
    if (t.kind === "list" || t.kind === "dict") return this.readContainer(t, p, decrefs);
    //#endif
    //#if records
    if (t.kind === "record") return this.readRecord(t, p);
    //#endif
    if (t.kind !== "array" && t.kind !== "records") throw new Error(`numba-wasm: unsupported return kind ${t.kind}`);
    //#if arrays
    const A = this.abi.array;
    const d = elemInfo(t);
    const n = t.ndim;
    const meminfo = dv.getUint32(p + A.meminfo, true);
    const data = dv.getUint32(p + A.data, true);
    const shape = [], strides = [];
    for (let k = 0; k < n; k++) {
      shape.push(Number(dv.getBigInt64(p + A.shape + 8 * k, true)));
      strides.push(Number(dv.getBigInt64(p + A.shape + 8 * n + 8 * k, true)));
    }
    const cStrides = contiguousStrides(shape, d.size, "C");
    const nitems = shape.reduce((a, b) => a * b, 1);
    if (keep && t.kind === "array") {
      // The result's reference passes to the WasmArray when it owns its memory
      // through NRT and starts at its lowest address; otherwise (an argument
      // that was copied in, negative strides) it is copied into a new one.
      if (meminfo !== 0 && strides.every((x) => x >= 0) && data % (d.size / d.lanes) === 0) {
        const extent = nitems === 0 ? 0 : shape.reduce((acc, m, k) => acc + (m - 1) * strides[k], 0) + d.size;
        return new WasmArray(CONSTRUCT, {
          rt: this, d, shape: Object.freeze(shape), strides: Object.freeze(strides),
          meminfo, ptr: data, byteLength: extent, live: true, view: null,
        });
      }
      if (meminfo !== 0) decrefs.push(meminfo);
      const w = this.empty(d.name, shape);
      copyStrided(this.views().u8, data, shape, strides, this.views().u8, WasmArray.stateOf(w).ptr, cStrides, d.size);
      return w;
    }
    if (meminfo !== 0) decrefs.push(meminfo);
    const out = new d.Arr(nitems * d.lanes);
    copyStrided(this.views().u8, data, shape, strides, byteView(out), 0, cStrides, d.size);
    return { data: out, shape, strides: cStrides };
    //#endif
  }

  //#endif

  //#if containers
  // A returned list (typed.List or reflected list) or typed.Dict, copied
  // out: lists of real numbers as their TypedArray, other lists as Arrays,
  // dicts as Maps in insertion order. The container's reference is
  // released afterwards; its str items belong to it.
  readContainer(t, p, decrefs) {
    const A = this.abi;
    const dv = this.views().dv;
    const word = (q) => Number(dv.getBigInt64(q, true));
    const meminfo = dv.getUint32(p, true);
    if (meminfo !== 0) decrefs.push(meminfo);
    const data = dv.getUint32(p + A.pointer_slot, true); // NB_List* / NB_Dict*; a reflected list's parent
    const sizeOf = (it) => (it.kind === "unicode" ? A.unicode.size_of : dtypeInfo(it.dtype).size);
    //#if strings
    const read = (it, q) => (it.kind === "unicode" ? this.readString(q, []) : readScalar(dv, q, dtypeInfo(it.dtype)));
    //#endif
    //#if !strings
    const read = (it, q) => readScalar(dv, q, dtypeInfo(it.dtype));
    //#endif
    const fits = (at, n, stride, min) => n >= 0 && stride >= min && at + n * stride <= dv.byteLength;
    if (t.kind === "list") {
      let n, at, stride;
      if (t.typed) {
        n = word(data + A.list.size);
        stride = word(data + A.list.item_size);
        at = dv.getUint32(data + A.list.items, true);
      } else {
        const payload = dv.getUint32(meminfo + A.meminfo.data, true);
        const align = t.item.kind === "unicode" ? A.unicode.align : dtypeInfo(t.item.dtype).align;
        n = word(payload + A.list_payload.size);
        stride = sizeOf(t.item);
        at = payload + Math.ceil(A.list_payload.dirty_end / align) * align;
      }
      if (!fits(at, n, stride, sizeOf(t.item))) throw new Error(`numba-wasm: a returned list of ${n} items does not fit wasm memory`);
      const d = t.item.kind === "scalar" ? dtypeInfo(t.item.dtype) : null;
      const out = d && d.kind !== "bool" && d.kind !== "complex" ? new d.Arr(n) : new Array(n);
      for (let i = 0; i < n; i++) out[i] = read(t.item, at + i * stride);
      return out;
    }
    return this.readDict(t, data);
  }

  // The entries of the typed dict at `data` (an NB_Dict*), as a Map in
  // insertion order; its str keys and values stay the dict's.
  readDict(t, data) {
    const A = this.abi;
    const dv = this.views().dv;
    const word = (q) => Number(dv.getBigInt64(q, true));
    const sizeOf = (it) => (it.kind === "unicode" ? A.unicode.size_of : dtypeInfo(it.dtype).size);
    //#if strings
    const read = (it, q) => (it.kind === "unicode" ? this.readString(q, []) : readScalar(dv, q, dtypeInfo(it.dtype)));
    //#endif
    //#if !strings
    const read = (it, q) => readScalar(dv, q, dtypeInfo(it.dtype));
    //#endif
    const fits = (at, n, stride, min) => n >= 0 && stride >= min && at + n * stride <= dv.byteLength;
    const keys = dv.getUint32(data + A.dict.keys, true);
    const n = word(keys + A.dict.nentries);
    const entrySize = word(keys + A.dict.entry_size);
    const entries = keys + A.dict.indices + word(keys + A.dict.entry_offset);
    const value = A.dict.entry_key + Math.ceil(word(keys + A.dict.key_size) / A.dict.value_align) * A.dict.value_align;
    if (!fits(entries, n, entrySize, value + sizeOf(t.value))) throw new Error(`numba-wasm: a returned dict of ${n} entries does not fit wasm memory`);
    const out = new Map();
    for (let i = 0, e = entries; i < n; i++, e += entrySize) {
      if (word(e) === -1) continue; // a deleted entry
      const key = read(t.key, e + A.dict.entry_key);
      if (out.has(key)) { // 0.0 and -0.0, or NaNs: distinct in Numba's dict, one Map key
        throw new Error(`numba-wasm: a returned dict has keys a JS Map cannot tell apart (${Object.is(key, -0) ? "-0" : key} twice)`);
      }
      out.set(key, read(t.value, e + value));
    }
    return out;
  }
  //#endif

  exception(fname, status, excp) {
    //#if !raises
    return new Error(`${fname} raised an exception (status ${status})`);
    //#endif
    //#if raises
    const dv = this.views().dv;
    const stop = status === this.abi.status.stop_iteration;
    const exc = stop ? 0 : dv.getUint32(excp, true);
    const buf = exc ? dv.getUint32(exc + this.abi.excinfo.pickle_buf, true) : 0;
    const size = exc ? dv.getInt32(exc + this.abi.excinfo.bufsz, true) : 0;
    const bytes = buf && size > 0 && buf + size <= dv.byteLength ? this.views().u8.slice(buf, buf + size) : null;
    // A static exception was decoded at build time: its class, args and
    // str(exc) (unless that is its one argument) are in the metadata under
    // its pickle's hash.
    const known = bytes ? this.metadata.exceptions?.[fingerprint(bytes)] : undefined;
    let cls = stop ? { module: "builtins", name: "StopIteration" } : known?.class, pyArgs = known ? structuredClone(known.args) : null, msg = known ? known.message ?? known.args[0] : null;
    //#if pickles
    if (!stop && !known && bytes) {
      // The pickle must end exactly at bufsz, which also checks that layout.
      const r = decodePickle(bytes);
      cls = r.value?.[0] ?? r.firstGlobal;
      pyArgs = Array.isArray(r.value?.[1]) ? r.value[1].map((a) => (a instanceof PyFloat ? a.v : a)) : null;
      // The message is Python's str(exc): "" for no args, str(arg) for one
      // (its repr for KeyError), the repr of the args tuple for several.
      msg = !pyArgs ? null
        : cls?.name === "KeyError" && pyArgs.length === 1 ? pyRepr(r.value[1][0])
        : pyExcStr(r.value[1]);
    }
    //#endif
    // A dynamic exception's excinfo (built by the shim's nw_exc_finish) lives
    // until this; modules built before it lack the export.
    if (exc && typeof this.ex.nw_exc_clear === "function") this.ex.nw_exc_clear();
    if (typeof cls?.name !== "string") return new Error(`${fname} raised an exception (status ${status})`);
    const e = new Error(msg ?? `${fname} raised ${cls.name} (status ${status})`);
    e.name = e.pythonName = cls.name;
    e.pythonModule = cls.module;
    if (pyArgs) e.pythonArgs = pyArgs;
    e.status = status;
    return e;
    //#endif
  }
}

//#if arrays
// ---------------------------------------------------------------- WasmArray

const CONSTRUCT = Symbol("WasmArray");

// An array in wasm memory. Its geometry and liveness live in a private field,
// which is also its brand: a Proxy, an Object.create(w) or an object with the
// same public properties is not a WasmArray, and nothing a caller assigns
// changes what a kernel is given.
export class WasmArray {
  #s;

  constructor(token, state) {
    if (token !== CONSTRUCT) throw new TypeError("numba-wasm: create WasmArrays with m.empty() or m.fromArray()");
    this.#s = state;
    state.rt.registry?.register(this, state.meminfo, this);
  }

  // The private state of a genuine WasmArray, else null.
  static stateOf(x) {
    return x !== null && typeof x === "object" && #s in x ? x.#s : null;
  }

  get dtype() { return this.#s.d.name; }
  get shape() { return [...this.#s.shape]; }
  get strides() { return [...this.#s.strides]; }
  get meminfo() { return this.#s.meminfo; }
  get ptr() { return this.#s.ptr; }
  get byteLength() { return this.#s.byteLength; }
  get freed() { return !this.#s.live; }

  // A TypedArray over the array's memory (in memory order, C or F), always over
  // the current memory.buffer: fetch it again after any kernel call.
  get data() {
    const s = this.#s;
    if (!s.live) throw new Error("numba-wasm: WasmArray used after free()");
    const buf = s.rt.memory.buffer;
    if (s.view?.buffer !== buf) s.view = new s.d.Arr(buf, s.ptr, s.byteLength / s.d.size * s.d.lanes);
    return s.view;
  }

  free() {
    const s = this.#s;
    if (!s.live) return;
    s.live = false;
    s.view = null;
    s.rt.registry?.unregister(this);
    s.rt.ex.NRT_decref(s.meminfo);
  }
}
//#endif

// ---------------------------------------------------------------- snapshots

//#if !general
//#if !arrays
// Scalar kernels read an object argument only for a complex number's re and
// im, each once; other objects are named by their kind.
function snap(v) {
  if (typeof v === "function") return { kind: "other", what: "function" };
  if (ArrayBuffer.isView(v)) return { kind: "other", what: "a TypedArray" };
  if (Array.isArray(v)) return { kind: "other", what: "an Array" };
  const re = v.re, im = v.im;
  return { kind: "object", re: { kind: "prim", v: re }, im: { kind: "prim", v: im } };
}
//#endif
//#endif

//#if general|arrays
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
  //#if arrays
  const state = WasmArray.stateOf(v);
  if (state) return { kind: "wasm", state };
  //#endif
  if (typeof v === "function") return { kind: "other", what: "function" };
  //#if containers
  const map = snapMap(v, depth);
  if (map) return map;
  //#endif
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
//#endif

//#if containers
// Map's own methods, taken once: a Map (or a subclass, or a Proxy, which
// has no map data and is no Map here) is read and written back through
// them, never through methods a caller can replace.
const MAP_SIZE = Object.getOwnPropertyDescriptor(Map.prototype, "size").get;
const MAP_ENTRIES = Map.prototype.entries;
const MAP_NEXT = Object.getPrototypeOf(new Map().entries()).next;
const MAP_CLEAR = Map.prototype.clear;
const MAP_SET = Map.prototype.set;

// A Map's entries, each key and value snapshot once, else null (not a Map).
// At most the entries it had when first seen: a getter of a value cannot
// make the read go on.
function snapMap(v, depth) {
  let n;
  try {
    n = MAP_SIZE.call(v);
  } catch {
    return null;
  }
  if (n > MAX_ITEMS) return { kind: "other", what: `Map of ${n} entries` };
  const it = MAP_ENTRIES.call(v);
  const entries = [];
  for (let r = MAP_NEXT.call(it); !r.done && entries.length < n; r = MAP_NEXT.call(it)) {
    entries.push([snap(r.value[0], depth + 1), snap(r.value[1], depth + 1)]);
  }
  return { kind: "map", entries, ref: v };
}

// Null if a Map snapshot fits a typed dict type, else the reason: keys and
// values checked as scalar (or str) arguments, and no two keys that are
// one key of the dict (1 and 1n, true and 1).
function checkDict(t, s) {
  if (s.kind !== "map") return `expected a Map (a typed.Dict, whose changes are written back), got ${describe(s)}`;
  const check = (it, x) => (it.kind === "unicode"
    ? (x.kind === "prim" && typeof x.v === "string" ? null : `expected a string, got ${describe(x)}`)
    : checkScalar(it.dtype, x));
  const seen = new Set();
  for (let i = 0; i < s.entries.length; i++) {
    const [k, v] = s.entries[i];
    const e = check(t.key, k);
    if (e) return `key ${i}: ${e}`;
    const ev = check(t.value, v);
    if (ev) return `value ${i}: ${ev}`;
    const same = t.key.kind === "unicode" ? k.v : typeof k.v === "boolean" ? BigInt(+k.v) : BigInt(k.v);
    if (seen.has(same)) return `key ${i} (${describe(k)}) is another key of the Map as ${t.key.kind === "unicode" ? "str" : t.key.dtype}`;
    seen.add(same);
  }
  return null;
}
//#endif

//#if general
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
//#endif

//#if tuples
// A named tuple's items from an object with its fields or an Array, else why not.
function namedItems(t, s) {
  if (s.kind === "list") {
    return s.items.length === t.items.length ? s.items
      : `expected ${t.name} {${t.fields.join(", ")}} or an Array of ${t.items.length} items, got ${describe(s)}`;
  }
  if (s.kind !== "object") return `expected ${t.name} {${t.fields.join(", ")}}, got ${describe(s)}`;
  const missing = t.fields.find((f) => s.fields[f] === undefined);
  if (missing !== undefined) return `expected ${t.name} {${t.fields.join(", ")}}, field ${missing} is missing`;
  return t.fields.map((f) => s.fields[f]);
}

// A checked argument snapshot with its tuples and named tuples as lists
// (the shape argument slots' paths walk).
function asTuple(t, s) {
  if (t.kind === "tuple" || t.kind === "namedtuple") {
    const items = t.kind === "namedtuple" ? namedItems(t, s) : s.items;
    return { kind: "list", items: t.items.map((it, i) => asTuple(it, items[i])) };
  }
  return s;
}
//#endif

//#if general
function snapArgs(args) {
  const out = new Array(args.length);
  for (let k = 0; k < args.length; k++) out[k] = snap(args[k]);
  return out;
}
//#endif

//#if arrays
// Non-negative (or, for strides, any) safe integers from a list snapshot, else null.
function dims(s, signed = false) {
  if (s?.kind !== "list") return null;
  const out = s.items.map((x) => (x.kind === "prim" ? x.v : NaN));
  return out.every((n) => Number.isSafeInteger(n) && (signed || n >= 0)) ? out : null;
}
//#endif

//#if general
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
      //#if records
      const rec = recs.get(`${p.arg}/${path}`);
      if (rec) return rec.ptr;
      //#endif
      //#if containers
      const list = lists.get(`${p.arg}/${path}`);
      if (list) return p.part === "meminfo" ? list.meminfo : p.part === "data" ? list.data : 0; // a null parent
      //#endif
      //#if strings
      const str = strs.get(`${p.arg}/${path}`);
      if (str) {
        switch (p.part) {
          case "data": return str.ptr;
          case "length": return BigInt(str.length);
          case "kind": return str.kind;
          case "is_ascii": return str.isAscii;
          case "hash": return -1n; // not computed yet, as CPython marks it
          case "meminfo": return str.meminfo;
          case "parent": return 0;
          default: throw new Error(`numba-wasm: unknown str part ${p.part}`);
        }
      }
      //#endif
      //#if arrays
      return arrayPart(arrays.get(`${p.arg}/${path}`), p.part, p.dim);
      //#endif
      //#if !arrays
      throw new Error(`numba-wasm: unknown argument part ${p.part}`);
      //#endif
    }
  }
}
//#endif

// ---------------------------------------------------------------- checking

//#if arrays
function contiguousStrides(shape, itemsize, order) {
  const n = shape.length, strides = new Array(n);
  let s = itemsize;
  for (let j = 0; j < n; j++) {
    const k = order === "C" ? n - 1 - j : j;
    strides[k] = s;
    s *= Math.max(shape[k], 1);
  }
  return strides;
}

// NumPy's contiguity flags: dimensions of length 1 don't constrain strides.
function isContiguous(shape, strides, itemsize, order) {
  if (shape.includes(0)) return true;
  const n = shape.length;
  let s = itemsize;
  for (let j = 0; j < n; j++) {
    const k = order === "C" ? n - 1 - j : j;
    if (shape[k] !== 1) {
      if (strides[k] !== s) return false;
      s *= shape[k];
    }
  }
  return true;
}

// The dtype a TypedArray snapshot holds when none is named (not bool, not complex).
function defaultDtype(s) {
  const hit = s?.kind === "typed" && Object.values(DTYPES).find((d) => d.Arr.name === s.name && d.lanes === 1 && d.kind !== "bool");
  if (!hit) throw new TypeError(`numba-wasm: expected a TypedArray or {data, shape, strides?} of a dtype this module's kernels take or return (${Object.keys(DTYPES).join(", ")}), got ${s ? describe(s) : "nothing"}`);
  return hit.name;
}
//#endif

function describe(s) {
  switch (s.kind) {
    case "prim": return s.v === null ? "null" : `${typeof s.v} ${typeof s.v === "symbol" ? "symbol" : String(s.v)}`;
    //#if general|arrays
    case "typed": return s.name;
    //#if arrays
    case "wasm": return `WasmArray(${s.state.d.name}, [${s.state.shape}])`;
    //#endif
    case "list": return `Array of ${s.items.length}`;
    //#if containers
    case "map": return `Map of ${s.entries.length} entries`;
    //#endif
    //#endif
    case "object": return "object";
    default: return s.what;
  }
}

//#if arrays
const LAYOUT_NAMES = { C: "C-contiguous", F: "Fortran-contiguous" };

// Null if array `a` (from arrayOf) has the ndim and layout of type t, else why not.
function arrayProblem(t, a) {
  if (a.shape.length !== t.ndim) return `expected a ${t.ndim}-d array, got ${a.shape.length}-d`;
  if (LAYOUT_NAMES[t.layout] && !isContiguous(a.shape, a.strides, a.d.size, t.layout)) {
    return `expected a ${LAYOUT_NAMES[t.layout]} array, strides ${JSON.stringify(a.strides)} are not`;
  }
  return null;
}

// The value of an array argument's slot `part` (Numba's array struct field).
function arrayPart(a, part, dim) {
  switch (part) {
    case "meminfo": return a.wasm ? a.wasm.meminfo : 0;
    case "parent": return 0;
    case "nitems": {
      let n = 1;
      for (let k = 0; k < a.shape.length; k++) n *= a.shape[k];
      return n;
    }
    case "itemsize": return a.d.size;
    case "data": return a.wasm ? a.wasm.ptr : a.ptr;
    case "shape": return a.shape[dim];
    case "strides": return a.strides[dim];
    default: throw new Error(`numba-wasm: unknown argument part ${part}`);
  }
}
//#endif

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

//#if arrays
function byteView(ta) {
  return new Uint8Array(ta.buffer, ta.byteOffset, ta.byteLength);
}

// Copies every element (itemsize bytes) of an n-d array between byte views.
function copyStrided(src, srcOff, shape, srcStrides, dst, dstOff, dstStrides, itemsize) {
  const n = shape.length;
  const nitems = shape.reduce((a, b) => a * b, 1);
  if (nitems === 0) return;
  if (isContiguous(shape, srcStrides, itemsize, "C") && isContiguous(shape, dstStrides, itemsize, "C")) {
    dst.set(src.subarray(srcOff, srcOff + nitems * itemsize), dstOff);
    return;
  }
  // Copy in the widest unsigned words everything is aligned to (never through
  // floats, which could alter NaN payloads).
  let u = itemsize % 4 === 0 ? 4 : itemsize % 2 === 0 ? 2 : 1;
  while ([srcOff, dstOff, src.byteOffset, dst.byteOffset, ...srcStrides, ...dstStrides].some((x) => x % u)) u >>= 1;
  const W = [, Uint8Array, Uint16Array, , Uint32Array][u];
  const S = new W(src.buffer, src.byteOffset, src.byteLength / u | 0);
  const D = new W(dst.buffer, dst.byteOffset, dst.byteLength / u | 0);
  const w = itemsize / u, ss = srcStrides.map((x) => x / u), ds = dstStrides.map((x) => x / u);
  // Odometer over the outer dimensions, a plain loop over the last one.
  const inner = n ? shape[n - 1] : 1;
  const sIn = n ? ss[n - 1] : 0, dIn = n ? ds[n - 1] : 0;
  const idx = new Array(Math.max(n - 1, 0)).fill(0);
  let s0 = srcOff / u, d0 = dstOff / u;
  for (let done = 0; done < nitems; done += inner) {
    for (let i = 0, s = s0, d = d0; i < inner; i++, s += sIn, d += dIn) {
      for (let b = 0; b < w; b++) D[d + b] = S[s + b];
    }
    for (let k = n - 2; k >= 0; k--) {
      idx[k]++; s0 += ss[k]; d0 += ds[k];
      if (idx[k] < shape[k]) break;
      s0 -= idx[k] * ss[k]; d0 -= idx[k] * ds[k]; idx[k] = 0;
    }
  }
}
//#endif

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

//#if containers|records
// A checked real scalar (bool, integer, float) as an element of dtype d at
// p (any alignment).
function writeElement(dv, p, d, v) {
  dv[d.set](p, d.kind === "bool" ? (v ? 1 : 0) : d.kind === "float" ? v : d.size === 8 ? BigInt(v) : Number(v), true);
}
//#endif

//#if records
// A checked scalar snapshot (checkScalar) as a record field of dtype d at p
// (any alignment): complex as its two halves.
function writeField(dv, p, d, s) {
  if (d.kind !== "complex") return writeElement(dv, p, d, s.v);
  dv[d.set](p, s.kind === "prim" ? s.v : s.re.v, true);
  dv[d.set](p + d.size / 2, s.kind === "prim" ? 0 : s.im.v, true);
}
//#endif

// One element of dtype d at p; complex as {re, im} (lanes of size / lanes bytes).
function readScalar(dv, p, d) {
  const v = dv[d.get](p, true);
  if (d.lanes === 2) return { re: v, im: dv[d.get](p + d.size / 2, true) };
  return d.kind === "bool" ? v !== 0 : v;
}

//#if pickles
// ---------------------------------------------------------------- pickle

// A Python float from a pickle, kept apart from ints (both are JS numbers)
// so that str() formats it as Python does.
class PyFloat {
  constructor(v) { this.v = v; }
  valueOf() { return this.v; }
  toString() { return pyFloatRepr(this.v); }
}

// Python's repr(float): shortest round-trip digits, exponent form when the
// decimal exponent is < -4 or >= 16.
function pyFloatRepr(x) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expText] = x.toExponential().split("e");
  const exp = Number(expText);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  let out;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    out = `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  } else if (exp < 0) {
    out = `0.${"0".repeat(-exp - 1)}${digits}`;
  } else if (digits.length > exp + 1) {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    out = `${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  }
  return neg ? `-${out}` : out;
}

// Python's repr(str).
function pyStrRepr(s) {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === q || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else if (c >= 0x80 && c < 0xa0) out += "\\x" + c.toString(16).padStart(2, "0");
    else if (c >= 0xd800 && c < 0xe000) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + q;
}

function pyRepr(v) {
  if (typeof v === "string") return pyStrRepr(v);
  if (Array.isArray(v)) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(", ")})`;
  return pyStr(v);
}

function pyStr(v) {
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (Array.isArray(v)) return pyRepr(v);
  if (typeof v === "object" && !(v instanceof PyFloat)) return String(v?.name ?? v);
  return String(v);
}

// str(exc) of a Python exception with these args.
function pyExcStr(args) {
  if (args.length === 0) return "";
  if (args.length === 1) return pyStr(args[0]);
  return pyRepr(args);
}

// Minimal reader for the pickles Numba stores in excinfo: (exc_class, args, loc).
// Returns {value} or, when it meets an opcode it doesn't know, {firstGlobal} so
// that at least the exception class can be reported.
export function decodePickle(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  const MARK = {};
  const stack = [], memo = [];
  let firstGlobal = null;
  let p = 0;
  const str = (n) => { const s = text.decode(bytes.subarray(p, p + n)); p += n; return s; };
  const popN = (n) => stack.splice(stack.length - n, n);
  try {
    for (;;) {
      if (p >= bytes.length) return { firstGlobal };
      const op = bytes[p++];
      switch (op) {
        case 0x80: p += 1; break; // PROTO
        case 0x95: p += 8; break; // FRAME
        case 0x8c: { const n = bytes[p]; p += 1; stack.push(str(n)); break; } // SHORT_BINUNICODE
        case 0x58: { const n = dv.getUint32(p, true); p += 4; stack.push(str(n)); break; } // BINUNICODE
        case 0x94: memo.push(stack[stack.length - 1]); break; // MEMOIZE
        case 0x68: stack.push(memo[bytes[p++]]); break; // BINGET
        case 0x6a: stack.push(memo[dv.getUint32(p, true)]); p += 4; break; // LONG_BINGET
        case 0x93: { // STACK_GLOBAL
          const depth = stack.length;
          const [module, name] = popN(2);
          const g = { module, name };
          // Only a class named by reference as the tuple's first item; cloudpickle's
          // by-value classes start with helper globals that would mislead.
          if (depth === 2 && !firstGlobal && !/^(cloudpickle|copyreg|numba)\b/.test(module)) firstGlobal = g;
          stack.push(g);
          break;
        }
        case 0x85: stack.push(popN(1)); break; // TUPLE1
        case 0x86: stack.push(popN(2)); break; // TUPLE2
        case 0x87: stack.push(popN(3)); break; // TUPLE3
        case 0x29: stack.push([]); break; // EMPTY_TUPLE
        case 0x28: stack.push(MARK); break; // MARK
        case 0x74: { const m = stack.lastIndexOf(MARK); stack.push(stack.splice(m).slice(1)); break; } // TUPLE
        case 0x4e: stack.push(null); break; // NONE
        case 0x30: if (!stack.length) return { firstGlobal }; stack.pop(); break; // POP
        case 0x4a: stack.push(dv.getInt32(p, true)); p += 4; break; // BININT
        case 0x4b: stack.push(bytes[p]); p += 1; break; // BININT1
        case 0x4d: stack.push(dv.getUint16(p, true)); p += 2; break; // BININT2
        case 0x47: stack.push(new PyFloat(dv.getFloat64(p, false))); p += 8; break; // BINFLOAT (big endian)
        case 0x8a: { // LONG1: n-byte little-endian two's complement
          const n = bytes[p]; p += 1;
          if (p + n > bytes.length) return { firstGlobal };
          let v = 0n;
          for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[p + i]);
          if (n && bytes[p + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
          p += n;
          stack.push(v);
          break;
        }
        case 0x88: stack.push(true); break; // NEWTRUE
        case 0x89: stack.push(false); break; // NEWFALSE
        case 0x2e: // STOP: must be the last byte, or the buffer was misread
          if (p !== bytes.length) return {};
          return stack.length === 1 ? { value: stack[0], firstGlobal } : { firstGlobal };
        default: return { firstGlobal };
      }
    }
  } catch {
    return { firstGlobal }; // truncated or malformed input
  }
}
//#endif
