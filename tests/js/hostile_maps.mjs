// Usage: node tests/js/hostile_maps.mjs OUTDIR/NAME.js
// Adversarial Map arguments (typed.Dict) against the generated wrapper, on
// a module of the containers corpus's dict-argument kernels
// (ct_arg_tdict_mutate: DictType[int64,int64]; ct_arg_tdict_str:
// DictType[unicode_type,int64]; ct_arg_tdict_raises:
// DictType[int64,float64]). The Map is read once, through Map's own
// methods, before anything runs; what does not fit is a TypeError; the
// kernel's changes are written back (after a raise too); nothing leaks.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { checks } from "./checks.mjs";

const [modPath] = process.argv.slice(2);
const { load } = await import(pathToFileURL(resolve(modPath)).href);
const m = await load();
const { failures, check, rejected, report } = checks(m, "hostile_maps.mjs");

const entries = (map) => JSON.stringify([...Map.prototype.entries.call(map)], (k, v) => (typeof v === "bigint" ? `${v}n` : v));

// A plain Map: changes written back in the dict's order, int64 keys as BigInt.
{
  const d = new Map([[1, 5n], [-20n, 2], [8, 3]]);
  const n = m.ct_arg_tdict_mutate(d, 0n);
  check(n === 2n, `mutate: returned ${n}`);
  check(entries(d) === entries(new Map([[8n, 3n], [1n, -1n]])), `mutate: Map after ${entries(d)}`);
}
// A subclass overriding every method the wrapper could call: none runs.
{
  let called = 0;
  class Sneaky extends Map {
    get size() { called++; return 0; }
    entries() { called++; return [][Symbol.iterator](); }
    [Symbol.iterator]() { called++; return [][Symbol.iterator](); }
    forEach() { called++; }
    clear() { called++; }
    set(k, v) { called++; return super.set(k, v); }
  }
  const d = new Sneaky();
  Map.prototype.set.call(d, 7n, 1n);
  const n = m.ct_arg_tdict_mutate(d, 0n);
  check(n === 2n && called === 0, `Map subclass: returned ${n}, overrides called ${called} times`);
  check(entries(d) === entries(new Map([[7n, 1n], [1n, -1n]])), `Map subclass: after ${entries(d)}`);
}
rejected("Proxy of a Map", () => m.ct_arg_tdict_mutate(new Proxy(new Map([[1n, 1n]]), {}), 0n));
rejected("plain object", () => m.ct_arg_tdict_mutate({ 1: 1 }, 0n));
rejected("Array of pairs", () => m.ct_arg_tdict_mutate([[1n, 1n]], 0n));
rejected("WeakMap", () => m.ct_arg_tdict_mutate(new WeakMap(), 0n));
rejected("keys 1 and 1n", () => m.ct_arg_tdict_mutate(new Map([[1, 1n], [1n, 2n]]), 0n));
rejected("float key", () => m.ct_arg_tdict_mutate(new Map([[1.5, 1n]]), 0n));
rejected("unsafe Number key", () => m.ct_arg_tdict_mutate(new Map([[2 ** 53, 1n]]), 0n));
rejected("int64 key out of range", () => m.ct_arg_tdict_mutate(new Map([[2n ** 63n, 1n]]), 0n));
rejected("string key for int64", () => m.ct_arg_tdict_mutate(new Map([["1", 1n]]), 0n));
rejected("object key with valueOf", () => m.ct_arg_tdict_mutate(new Map([[{ valueOf: () => 1 }, 1n]]), 0n));
rejected("number key for str", () => m.ct_arg_tdict_str(new Map([[1, 1n]]), "a"));
rejected("str value for int64", () => m.ct_arg_tdict_str(new Map([["a", "1"]]), "a"));
{
  // A value's getters (read once while the Map is snapshot) grow the Map:
  // the read stops at the entries it had, and the object value is refused.
  const d = new Map();
  let k = 0n, reads = 0;
  d.set(k++, { get data() { reads++; d.set(k++, 1n); return undefined; } });
  rejected("getter growing the Map", () => m.ct_arg_tdict_mutate(d, 0n));
  check(reads === 1 && d.size === 2, `getter growing the Map: read ${reads} times, size ${d.size}`);
}
// After a raise the Map holds the changes made before it.
{
  const d = new Map([[3n, 1.5]]);
  try {
    m.ct_arg_tdict_raises(d, 5n);
    failures.push("raises: no exception");
  } catch (e) {
    check(e.name === "KeyError", `raises: ${e.name}`);
  }
  check(entries(d) === entries(new Map([[3n, 1.5], [5n, 2.5], [6n, -1]])), `raises: Map after ${entries(d)}`);
}
// str keys: shared code points whatever their width; no leaks over many calls.
{
  const d = new Map([["alpha", 1n], ["drop", 2n], ["\u00e9t\u00e9", 3n], ["\u{1f600} x", 4n]]);
  const r = m.ct_arg_tdict_str(d, "\u00e9t\u00e9");
  check(r[2] === 4n && r[1] === 4n, `str: returned ${r}`);
  check(entries(d) === entries(new Map([["alpha", 1n], ["\u00e9t\u00e9", 4n], ["\u{1f600} x", 4n], ["new \u00e9t\u00e9", 3n]])),
    `str: Map after ${entries(d)}`);
  const before = m.stats();
  for (let i = 0; i < 200; i++) {
    m.ct_arg_tdict_str(new Map([["a", 1n], ["drop", 2n]]), `w${i % 7}`);
    m.ct_arg_tdict_mutate(new Map([[1n, 2n], [2n ** 62n, 1n]]), 40n);
  }
  const after = m.stats();
  check(after.liveAllocations === before.liveAllocations && after.liveBytes === before.liveBytes,
    `leak: ${before.liveAllocations} -> ${after.liveAllocations} allocations`);
}

report();
