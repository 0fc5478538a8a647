// Usage: node bench/node.mjs BUILD_DIR CALLS.json
// Times every call in Node (bench/runner.mjs); prints the results as JSON.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { handwritten } from "./handwritten.mjs";
import { runBench } from "./runner.mjs";

const [dir, callsPath] = process.argv.slice(2);
const { calls } = JSON.parse(await readFile(callsPath, "utf8"));
const loadModule = async (id) => (await import(pathToFileURL(resolve(join(dir, id, `${id}.js`))).href)).load();
const results = await runBench({ calls, loadModule, handwritten, log: (l) => console.error(`  node ${l}`) });
console.log(JSON.stringify(results));
