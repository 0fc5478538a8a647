// Usage: node tests/js/hostile_records.mjs OUTDIR/NAME.js
// Adversarial record-scalar arguments against the generated wrapper, on
// the boundary corpus's module (bd_record_read(r), bd_record_write(r, k):
// records x float64@0, y int32@8, flag bool@12, packed and aligned
// overloads). An object's fields are read once, checked like scalar
// arguments, copied into a buffer of the record's size; the fields the
// kernel changed are written back; nothing leaks.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { checks } from "./checks.mjs";

const [modPath] = process.argv.slice(2);
const { load } = await import(pathToFileURL(resolve(modPath)).href);
const m = await load();
const read = m.bd_record_read.overloads[0], write = m.bd_record_write.overloads[0];
const { failures, check, rejected, report } = checks(m, "hostile_records.mjs");

{
  const r = { x: 1.5, y: 3, flag: true };
  const got = read(r);
  check(got[0] === 4.5 && got[1] === true, `read: ${got}`);
  const n = write(r, 2);
  check(n === 4 && r.x === 3 && r.y === 4 && r.flag === true, `write: ${n} ${JSON.stringify(r)}`);
}
{
  // Getters read once; only changed fields are written back (through setters).
  let reads = 0, sets = 0, y = 3;
  const r = {
    get x() { reads++; return reads === 1 ? 2 : 1e300; },
    get y() { return y; },
    set y(v) { sets++; y = v; },
    flag: false,
  };
  const n = write(r, 1);
  check(reads === 1 && sets === 1 && n === 4 && y === 4, `getters: reads ${reads}, sets ${sets}, n ${n}, y ${y}`);
}
{
  // A Proxy: each trap once per field, like any object.
  const gets = {};
  const p = new Proxy({ x: 1, y: 2, flag: true }, { get(t, k, rcv) { gets[k] = (gets[k] ?? 0) + 1; return Reflect.get(t, k, rcv); } });
  read(p);
  check(gets.x === 1 && gets.y === 1 && gets.flag === 1, `Proxy: gets ${JSON.stringify(gets)}`);
}
rejected("missing field", () => read({ x: 1, flag: true }));
rejected("string field", () => read({ x: "1", y: 2, flag: true }));
rejected("int32 out of range", () => read({ x: 1, y: 2 ** 31, flag: true }));
rejected("BigInt for int32", () => read({ x: 1, y: 2n, flag: true }));
rejected("object field", () => read({ x: { valueOf: () => 1 }, y: 2, flag: true }));
rejected("an Array", () => read([1, 2, true]));
rejected("a number", () => read(1.5));
rejected("a Uint8Array of the bytes", () => read(new Uint8Array(16)));
{
  // A frozen record the kernel writes to: the write-back fails as an
  // assignment would, after the call, and the buffer is still freed.
  const before = m.stats().liveAllocations;
  const r = Object.freeze({ x: 1, y: 2, flag: true });
  let err = null;
  try { write(r, 2); } catch (e) { err = e; }
  check(err instanceof TypeError && r.y === 2, `frozen: ${err}`);
  check(m.stats().liveAllocations === before, "frozen: leaked");
}
{
  const before = m.stats();
  for (let i = 0; i < 500; i++) write({ x: i, y: i, flag: i % 2 === 0 }, 0.5);
  const after = m.stats();
  check(after.liveAllocations === before.liveAllocations && after.liveBytes === before.liveBytes, "leak over 500 calls");
}

report();
