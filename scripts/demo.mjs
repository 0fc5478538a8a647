// Runs the demo cases in Node and prints wasm results next to Numba's.
// Usage: node scripts/demo.mjs OUT/NAME.js CASES.json
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { compare, toArg } from "../tests/js/cases.mjs";

const [modPath, casesPath] = process.argv.slice(2);
const { load } = await import(pathToFileURL(resolve(modPath)).href);
const m = await load();
const { cases } = JSON.parse(await readFile(casesPath, "utf8"));

function show(x) {
  if (x === undefined) return "None";
  if (typeof x === "bigint") return `${x}n`;
  if (typeof x === "number" || typeof x === "boolean") return String(x);
  if (Array.isArray(x)) return `(${x.map(show).join(", ")})`;
  if (x && "re" in x) return `(${x.re}+${x.im}j)`;
  if (x && ArrayBuffer.isView(x.data ?? x)) {
    const data = x.data ?? x;
    const shape = x.shape ?? [data.length];
    let sum = 0;
    for (const v of data) sum += Number(v);
    const head = Array.from(data.slice(0, 4), (v) => String(v)).join(", ");
    return `${data.constructor.name.replace("Array", "")}[${shape.join("x")}] [${head}${data.length > 4 ? ", ..." : ""}] sum=${sum}`;
  }
  return String(x);
}

let failed = 0;
console.log(`${"kernel".padEnd(12)} ${"native Numba".padEnd(50)} wasm (${modPath})`);
for (const c of cases) {
  const args = c.args.map(toArg);
  const t0 = performance.now();
  const got = m[c.func](...args);
  const ms = (performance.now() - t0).toFixed(2);
  let problem = compare(c.result, got);
  // In-place kernels: the changed argument is the result to show.
  let expected = c.result, actual = got;
  c.args_after.forEach((after, i) => {
    if (after) {
      const a = ArrayBuffer.isView(args[i]) ? { data: args[i], shape: [args[i].length] } : args[i];
      problem = problem ?? compare(after, a, `argument ${i}`);
      expected = after;
      actual = args[i];
    }
  });
  const exp = expected.t === "array" ? toArg({ ...expected }) : toArg(expected);
  if (problem) failed++;
  console.log(`${c.func.padEnd(12)} ${show(exp).padEnd(50)} ${show(actual)}  ${problem ? "DIFFERENT: " + problem : "identical"} (${ms} ms)`);
}
console.log(failed ? `${failed} kernels differ from native Numba` : "all results identical to native Numba");
process.exit(failed ? 1 : 0);
