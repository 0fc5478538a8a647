// Usage: node tests/js/run_node.mjs OUTDIR/NAME.js CASES.json [CASES.json ...]
// Loads the built module in Node, runs every fixture case, prints one line per
// failure and a final "N passed, M failed"; exit code 1 if any failed.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { runCases } from "./cases.mjs";

const [modPath, ...caseFiles] = process.argv.slice(2);
if (!modPath || caseFiles.length === 0) {
  console.error("usage: run_node.mjs OUTDIR/NAME.js CASES.json [CASES.json ...]");
  process.exit(2);
}

let passed = 0, failed = 0;
try {
  const { load } = await import(pathToFileURL(resolve(modPath)).href);
  const m = await load();
  for (const f of caseFiles) {
    const r = await runCases(m, await readFile(f, "utf8"), (line) => console.log(line));
    passed += r.passed;
    failed += r.failed;
  }
} catch (e) {
  console.log(`FAIL setup: ${e?.stack ?? e}`);
  failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
