// Runs fixture cases (fixtures/numba-<V>/cases.json) against a loaded
// numba-wasm module. Works in Node and in a browser page (no Node imports).
//
//   const {passed, failed, failures} = await runCases(m, casesJson, console.log);
//
// Comparison is exact: integers by value (BigInt for 64-bit), floats by IEEE
// bits, arrays by dtype, shape and the bits of every element in C order.

const ARR = {
  bool: Uint8Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array,
  float64: Float64Array, complex64: Float32Array, complex128: Float64Array,
};
const ITEMSIZE = {
  bool: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4,
  int64: 8, uint64: 8, float32: 4, float64: 8, complex64: 8, complex128: 16,
};
const LANES = (dtype) => (dtype.startsWith("complex") ? 2 : 1);

// ------------------------------------------------------------- decoding

export function bitsToFloat(hex) {
  const dv = new DataView(new ArrayBuffer(8));
  if (hex.length === 8) {
    dv.setUint32(0, parseInt(hex, 16));
    return dv.getFloat32(0);
  }
  dv.setBigUint64(0, BigInt("0x" + hex));
  return dv.getFloat64(0);
}

export function floatToBits(x, width) {
  const dv = new DataView(new ArrayBuffer(8));
  if (width === 32) {
    dv.setFloat32(0, x);
    return dv.getUint32(0).toString(16).padStart(8, "0");
  }
  dv.setFloat64(0, x);
  return dv.getBigUint64(0).toString(16).padStart(16, "0");
}

function b64ToBytes(s) {
  const bin = atob(s);
  // 8-byte aligned copy so that any TypedArray view at offset 0 is valid.
  const out = new Uint8Array(new ArrayBuffer(Math.ceil(bin.length / 8) * 8), 0, bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// xorshift32, identical to fixtures/kernels.py xorshift_array.
export function xorshift(n, seed, lo, hi, dtype) {
  const out = new ARR[dtype](n);
  const big = dtype.endsWith("64") && dtype.includes("int");
  const span = hi - lo + 1;
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s ^ (s << 13)) >>> 0;
    s = (s ^ (s >>> 17)) >>> 0;
    s = (s ^ (s << 5)) >>> 0;
    const v = lo + (s % span);
    out[i] = big ? BigInt(v) : v;
  }
  return out;
}

// Array value -> {data (TypedArray at element 0), shape, strides}.
function decodeArray(V) {
  if (V.t === "gen") {
    const data = xorshift(V.n, V.seed, V.lo, V.hi, V.dtype);
    return { dtype: V.dtype, data, shape: [V.n], strides: [ITEMSIZE[V.dtype]] };
  }
  const bytes = b64ToBytes(V.buffer_b64);
  const Arr = ARR[V.dtype];
  const len = Math.floor((bytes.length - V.offset) / Arr.BYTES_PER_ELEMENT);
  const data = new Arr(bytes.buffer, V.offset, Math.max(len, 0));
  return { dtype: V.dtype, data, shape: V.shape, strides: V.strides };
}

// Case value -> what the JS contract takes as an argument.
export function toArg(V) {
  switch (V.t) {
    case "int": return V.dtype.endsWith("int64") ? BigInt(V.v) : Number(V.v);
    case "float": return bitsToFloat(V.bits);
    case "bool": return V.v;
    case "complex": return { re: bitsToFloat(V.re), im: bitsToFloat(V.im) };
    case "tuple": return V.items.map(toArg);
    case "named": case "record": return Object.fromEntries(V.fields.map((f, i) => [f, toArg(V.items[i])]));
    case "str": return V.v;
    case "list": return V.items.map(toArg); // a reflected list: a plain Array
    case "dict": return new Map(V.items.map(([k, v]) => [toArg(k), toArg(v)])); // a typed.Dict
    case "none": return undefined;
    case "gen": return decodeArray(V).data;
    case "array": {
      const a = decodeArray(V);
      const n = a.shape.reduce((x, y) => x * y, 1);
      // 1-D contiguous arrays go as a plain TypedArray so both forms get exercised.
      if (a.shape.length === 1 && (a.strides[0] === ITEMSIZE[V.dtype] || n <= 1) && !V.dtype.startsWith("complex")) {
        return a.data.subarray(0, n * LANES(V.dtype));
      }
      // Complex data is a float TypedArray: name the dtype so that a kernel
      // with float and complex overloads gets the complex one.
      return V.dtype.startsWith("complex")
        ? { data: a.data, shape: a.shape, strides: a.strides, dtype: V.dtype }
        : { data: a.data, shape: a.shape, strides: a.strides };
    }
    default: throw new Error(`unknown case value kind ${V.t}`);
  }
}

// ------------------------------------------------------------- comparison

function typedName(x) {
  return ArrayBuffer.isView(x) ? x[Symbol.toStringTag] : undefined;
}

// Element k (C order) of {data, shape, strides} as raw bytes.
function elementBytes(a, itemsize) {
  const bytes = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const n = a.shape.length;
  const total = a.shape.reduce((x, y) => x * y, 1);
  const idx = new Array(n).fill(0);
  const out = [];
  for (let k = 0; k < total; k++) {
    let off = 0;
    for (let d = 0; d < n; d++) off += idx[d] * a.strides[d];
    out.push(bytes.subarray(off, off + itemsize));
    for (let d = n - 1; d >= 0; d--) {
      if (++idx[d] < a.shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

function hex(b) { return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""); }

function compareArray(exp, act, where) {
  const dtype = exp.dtype;
  if (!act || typeof act !== "object" || !typedName(act.data)) return `${where}: expected an array, got ${show(act)}`;
  if (typedName(act.data) !== ARR[dtype].name) return `${where}: expected ${ARR[dtype].name}, got ${typedName(act.data)}`;
  if (JSON.stringify(act.shape) !== JSON.stringify(exp.shape)) {
    return `${where}: shape ${JSON.stringify(act.shape)} != expected ${JSON.stringify(exp.shape)}`;
  }
  const size = ITEMSIZE[dtype];
  const actSpec = { data: act.data, shape: act.shape, strides: act.strides ?? cStrides(act.shape, size) };
  const e = elementBytes(decodeArray(exp), size);
  const a = elementBytes(actSpec, size);
  for (let k = 0; k < e.length; k++) {
    if (hex(e[k]) !== hex(a[k])) return `${where}: element ${k} (C order) bytes ${hex(a[k])} != expected ${hex(e[k])}`;
  }
  return null;
}

function cStrides(shape, itemsize) {
  const s = new Array(shape.length);
  let acc = itemsize;
  for (let k = shape.length - 1; k >= 0; k--) { s[k] = acc; acc *= Math.max(shape[k], 1); }
  return s;
}

function show(x) {
  if (typeof x === "bigint") return `${x}n`;
  if (typedName(x)) return `${typedName(x)}(${x.length})`;
  try {
    return JSON.stringify(x, (k, v) => (typeof v === "bigint" ? `${v}n` : typedName(v) ? `${typedName(v)}(${v.length})` : v));
  } catch {
    return String(x);
  }
}

function floatEq(expBits, act, where) {
  if (typeof act !== "number") return `${where}: expected a number, got ${show(act)}`;
  const bits = floatToBits(act, expBits.length === 8 ? 32 : 64);
  return bits === expBits ? null : `${where}: ${act} (bits ${bits}) != expected ${bitsToFloat(expBits)} (bits ${expBits})`;
}

// Returns null if act matches the expected case value V, else a description.
export function compare(V, act, where = "result") {
  switch (V.t) {
    case "int": {
      if (V.dtype.endsWith("int64")) {
        if (typeof act !== "bigint") return `${where}: expected a BigInt, got ${show(act)}`;
        return act === BigInt(V.v) ? null : `${where}: ${act} != expected ${V.v}`;
      }
      if (typeof act !== "number") return `${where}: expected a number, got ${show(act)}`;
      return act === Number(V.v) ? null : `${where}: ${act} != expected ${V.v}`;
    }
    case "float": return floatEq(V.bits, act, where);
    case "bool":
      if (typeof act !== "boolean") return `${where}: expected a boolean, got ${show(act)}`;
      return act === V.v ? null : `${where}: ${act} != expected ${V.v}`;
    case "complex":
      if (!act || typeof act !== "object") return `${where}: expected {re, im}, got ${show(act)}`;
      return floatEq(V.re, act.re, `${where}.re`) ?? floatEq(V.im, act.im, `${where}.im`);
    case "none": return act === undefined ? null : `${where}: expected undefined, got ${show(act)}`;
    case "str":
      if (typeof act !== "string") return `${where}: expected a string, got ${show(act)}`;
      return act === V.v ? null : `${where}: ${JSON.stringify(act)} != expected ${JSON.stringify(V.v)}`;
    case "named": case "record": {
      // A named tuple or a record comes back as an object with exactly its fields.
      if (!act || typeof act !== "object" || Array.isArray(act)) return `${where}: expected an object with fields ${V.fields}, got ${show(act)}`;
      const keys = Object.keys(act);
      if (JSON.stringify(keys) !== JSON.stringify(V.fields)) return `${where}: fields ${JSON.stringify(keys)} != expected ${JSON.stringify(V.fields)}`;
      for (let i = 0; i < V.fields.length; i++) {
        const e = compare(V.items[i], act[V.fields[i]], `${where}.${V.fields[i]}`);
        if (e) return e;
      }
      return null;
    }
    case "tuple": {
      if (!Array.isArray(act) || act.length !== V.items.length) {
        return `${where}: expected an Array of ${V.items.length}, got ${show(act)}`;
      }
      for (let i = 0; i < act.length; i++) {
        const e = compare(V.items[i], act[i], `${where}[${i}]`);
        if (e) return e;
      }
      return null;
    }
    case "list": {
      // Real numbers come as their TypedArray, other items in an Array.
      const want = V.dtype ? ARR[V.dtype].name : "Array";
      const got = typedName(act) ?? (Array.isArray(act) ? "Array" : show(act));
      if (got !== want) return `${where}: expected ${want}, got ${got}`;
      if (act.length !== V.items.length) return `${where}: ${act.length} items != expected ${V.items.length}`;
      for (let i = 0; i < act.length; i++) {
        const e = compare(V.items[i], act[i], `${where}[${i}]`);
        if (e) return e;
      }
      return null;
    }
    case "dict": {
      if (!(act instanceof Map)) return `${where}: expected a Map, got ${show(act)}`;
      if (act.size !== V.items.length) return `${where}: ${act.size} entries != expected ${V.items.length}`;
      let i = 0;
      for (const [k, v] of act) { // insertion order, as Numba iterates
        const e = compare(V.items[i][0], k, `${where} key ${i}`) ?? compare(V.items[i][1], v, `${where} value ${i}`);
        if (e) return e;
        i++;
      }
      return null;
    }
    case "array": case "gen": {
      const err = compareArray(V.t === "gen" ? { ...V, t: "array" } : V, act, where);
      if (err || V.t !== "array") return err;
      const want = cStrides(V.shape, ITEMSIZE[V.dtype]);
      if (where === "result" && JSON.stringify(act.strides) !== JSON.stringify(want)) {
        return `${where}: strides ${JSON.stringify(act.strides)} are not C order ${JSON.stringify(want)}`;
      }
      return null;
    }
    default: return `${where}: unknown expected value kind ${V.t}`;
  }
}

// Float results whose last bits may legitimately differ from native (another
// summation order, another libm): each element (each part of a complex) must
// be within the case's elementwise absolute bound B (float64 array, the
// result's shape) of native, or equal to it (infinities, NaN with NaN).
function compareWithin(V, act, B, where = "result") {
  const bound = Array.from(decodeArray(B).data);
  const near = (e, a, b) => Object.is(e, a) || e === a || (Number.isNaN(e) && Number.isNaN(a)) || Math.abs(a - e) <= b;
  if (V.t === "float" || V.t === "complex") {
    const parts = V.t === "float" ? [[V.bits, act]] : [[V.re, act?.re], [V.im, act?.im]];
    for (const [bits, a] of parts) {
      if (typeof a !== "number") return `${where}: expected a number, got ${show(act)}`;
      if (!near(bitsToFloat(bits), a, bound[0])) return `${where}: ${a} not within ${bound[0]} of ${bitsToFloat(bits)}`;
    }
    return null;
  }
  if (V.t !== "array") return `${where}: a bound applies to float results only, not ${V.t}`;
  if (!act || typeof act !== "object" || typedName(act.data) !== ARR[V.dtype].name) {
    return `${where}: expected ${ARR[V.dtype].name} data, got ${show(act)}`;
  }
  if (JSON.stringify(act.shape) !== JSON.stringify(V.shape)) {
    return `${where}: shape ${JSON.stringify(act.shape)} != expected ${JSON.stringify(V.shape)}`;
  }
  const size = ITEMSIZE[V.dtype], lanes = LANES(V.dtype), width = size / lanes;
  const value = (b, lane) => new DataView(b.buffer, b.byteOffset + lane * width, width)[width === 4 ? "getFloat32" : "getFloat64"](0, true);
  const e = elementBytes(decodeArray(V), size);
  const a = elementBytes({ data: act.data, shape: act.shape, strides: act.strides ?? cStrides(act.shape, size) }, size);
  for (let k = 0; k < e.length; k++) {
    for (let lane = 0; lane < lanes; lane++) {
      const ev = value(e[k], lane), av = value(a[k], lane);
      if (!near(ev, av, bound[k])) return `${where}: element ${k} (C order) ${av} not within ${bound[k]} of ${ev}`;
    }
  }
  return null;
}

// ------------------------------------------------------------- running

function argKey(V) {
  switch (V.t) {
    case "int": case "float": case "complex": return V.dtype;
    case "bool": return "bool";
    case "array": return `array(${V.dtype}, ${V.shape.length}d)`;
    case "gen": return `array(${V.dtype}, 1d)`;
    case "tuple": return `(${V.items.map(argKey).join(", ")})`;
    case "list": return `list(${V.dtype})`;
    case "dict": return V.items.length ? `dict(${argKey(V.items[0][0])}, ${argKey(V.items[0][1])})` : "dict";
    case "record": return `record(${V.fields})`;
    case "none": return "none";
    case "str": return "unicode_type";
    default: return "?";
  }
}

function typeKey(T) {
  switch (T.kind) {
    case "scalar": return T.dtype;
    case "array": return `array(${T.dtype}, ${T.ndim}d)`;
    case "tuple": return `(${T.items.map(typeKey).join(", ")})`;
    case "list": return `list(${T.item.dtype})`;
    case "dict": return `dict(${typeKey(T.key)}, ${typeKey(T.value)})`;
    case "record": return `record(${T.record.fields.map((f) => f.name)})`;
    case "none": return "none";
    case "unicode": return "unicode_type";
    default: return "?";
  }
}

// JS numbers don't carry a dtype, so with several overloads the case's dtypes
// pick one (if exactly one matches); otherwise the method's own dispatch runs.
export function pickCallable(fn, args) {
  const overloads = fn.overloads ?? [];
  if (overloads.length < 2) return fn;
  const key = args.map(argKey).join(", ");
  const hits = overloads.filter((o) => o.argTypes.map(typeKey).join(", ") === key);
  return hits.length === 1 ? hits[0] : fn;
}

export async function runCases(module, casesJson, log = () => {}) {
  const cases = typeof casesJson === "string" ? JSON.parse(casesJson).cases : casesJson.cases;
  let passed = 0, failed = 0;
  const failures = [];
  for (const c of cases) {
    let err = null;
    try {
      const fn = module[c.func] ?? module.kernels?.[c.func];
      if (typeof fn !== "function") throw new Error(`module has no function ${c.func}`);
      const args = c.args.map(toArg);
      if (c.raises) {
        // Numba raised natively: the same Python class and message must come through.
        try {
          const got = pickCallable(fn, c.args)(...args);
          throw new Error(`expected ${c.raises.type}, got ${show(got)}`);
        } catch (e) {
          if (e?.name !== c.raises.type || e?.message !== c.raises.message) {
            err = `expected ${c.raises.type}(${JSON.stringify(c.raises.message)}), got ${e?.name}(${JSON.stringify(e?.message)})`;
          }
        }
      } else {
        const result = pickCallable(fn, c.args)(...args);
        err = c.bound ? compareWithin(c.result, result, c.bound) : compare(c.result, result, "result");
      }
      // After a raise too: a list or dict keeps the changes made before it.
      (c.args_after ?? []).forEach((after, i) => {
        if (after && !err) {
          const a = args[i];
          const spec = typedName(a) ? { data: a, shape: [a.length / LANES(after.dtype)] } : a;
          err = compare(after, spec, `args_after[${i}]`);
        }
      });
    } catch (e) {
      err = `threw ${e?.name ?? "error"}: ${e?.message ?? e}`;
    }
    if (err) {
      failed++;
      failures.push({ id: c.id, message: err });
      log(`FAIL ${c.id}: ${err}`);
    } else passed++;
  }
  return { passed, failed, failures };
}
