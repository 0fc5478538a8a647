// Shared by the hostile-argument scripts: failures collected by `check`,
// `rejected` (a call must throw a TypeError and leave no allocation behind
// in module `m`), and `report`, which prints them and sets the exit code.
export function checks(m, script) {
  const failures = [];
  const check = (ok, what) => { if (!ok) failures.push(what); };
  const rejected = (name, fn) => {
    const before = m.stats().liveAllocations;
    try {
      fn();
      failures.push(`${name}: ran, expected a TypeError`);
    } catch (e) {
      check(e instanceof TypeError, `${name}: ${e?.name}: ${e?.message}`);
    }
    check(m.stats().liveAllocations === before, `${name}: leaked`);
  };
  const report = () => {
    for (const f of failures) console.log(`FAIL ${f}`);
    console.log(`${script}: ${failures.length} failures`);
    process.exitCode = failures.length ? 1 : 0;
  };
  return { failures, check, rejected, report };
}
