//! `@njit(parallel=True)` kernels (fixtures/parallel/, from
//! scripts/dump_parallel_fixtures.py), offline: `inspect` and the `.d.ts`
//! say they run on one thread, the metadata section flags them, they give
//! the native one-thread results in Node, and a kernel that calls the
//! threading layer through ctypes is refused naming function and symbol.

mod common;

use common::*;

const NOTE: &str = "compiled with parallel=True; runs on one thread in wasm";

/// (IR, cases.json) of every Numba version with parallel fixtures.
fn fixtures() -> Vec<(String, String)> {
    let dir = root().join("fixtures/parallel");
    let mut out: Vec<(String, String)> = ll_files(&dir)
        .into_iter()
        .filter(|p| !p.ends_with("-refused.ll"))
        .map(|ll| {
            let cases = ll.replace(".ll", ".cases.json");
            (ll, cases)
        })
        .collect();
    out.sort();
    assert!(out.len() >= 2, "expected fixtures of two Numba versions");
    out
}

/// Overloads in a dump: one `numba-wasm-return` annotation each.
fn overloads(ll: &str) -> usize {
    std::fs::read_to_string(ll)
        .unwrap()
        .matches("; numba-wasm-return: ")
        .count()
}

#[test]
fn inspect_says_each_parallel_kernel_runs_on_one_thread() {
    for (ll, _) in fixtures() {
        let out = run_cli(&["inspect", &ll], b"");
        assert_success(&out, &format!("inspect {ll}"));
        let text = String::from_utf8_lossy(&out.stdout);
        let entries = text.lines().filter(|l| !l.starts_with(' ')).count();
        let notes = text
            .lines()
            .filter(|l| *l == format!("    parallel: {NOTE} (prange loops run in order)"))
            .count();
        assert_eq!(entries, overloads(&ll), "{ll}:\n{text}");
        assert_eq!(notes, entries, "{ll}:\n{text}");
        assert!(!text.contains("blocks the build"), "{ll}:\n{text}");

        let out = run_cli(&["--message-format", "json", "inspect", &ll], b"");
        assert_success(&out, &format!("inspect --message-format json {ll}"));
        let entries: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .filter(|m: &serde_json::Value| m["reason"] == "entry")
            .collect();
        assert_eq!(entries.len(), overloads(&ll));
        assert!(entries.iter().all(|e| e["parallel"] == true), "{entries:?}");
    }
}

#[test]
fn built_modules_match_native_one_thread_results_and_say_so() {
    for (ll, cases) in fixtures() {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().to_str().unwrap();
        let out = run_cli(&["build", &ll, "-o", out_dir, "--name", "par"], b"");
        assert_success(&out, &format!("build {ll}"));
        let dts = std::fs::read_to_string(dir.path().join("par.d.ts")).unwrap();
        let docs: Vec<&str> = dts
            .lines()
            .filter(|l| l.contains("Numba signature"))
            .collect();
        assert_eq!(docs.len(), overloads(&ll), "{dts}");
        assert!(docs.iter().all(|l| l.contains(NOTE)), "{dts}");
        let wasm = std::fs::read(dir.path().join("par.wasm")).unwrap();
        let meta = numba_wasm::metadata::Metadata::from_wasm(&wasm).unwrap();
        assert!(meta.exports.iter().all(|e| e.parallel));
        run_cases_in_node(&dir.path().join("par.js"), std::path::Path::new(&cases));
    }
}

#[test]
fn serial_kernels_carry_no_parallel_note() {
    let ll = root().join("fixtures/numba-0.68.1/opt/hypot_sq.ll");
    let ll = ll.to_str().unwrap();
    let out = run_cli(&["inspect", ll], b"");
    assert_success(&out, "inspect");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("parallel"));
    let dir = tempfile::tempdir().unwrap();
    let out = run_cli(&["build", ll, "-o", dir.path().to_str().unwrap()], b"");
    assert_success(&out, "build");
    let dts = std::fs::read_to_string(dir.path().join("kernels.d.ts")).unwrap();
    assert!(!dts.contains(NOTE));
    let wasm = std::fs::read(dir.path().join("kernels.wasm")).unwrap();
    let section = numba_wasm::metadata::Metadata::from_wasm(&wasm)
        .unwrap()
        .to_json();
    // Absent when false: older readers see the section they know.
    assert!(!section.contains("\"parallel\""), "{section}");
}

#[test]
fn threading_calls_through_ctypes_are_refused_at_build() {
    let dir = root().join("fixtures/parallel");
    let refused: Vec<String> = ll_files(&dir)
        .into_iter()
        .filter(|p| p.ends_with("-refused.ll"))
        .collect();
    assert!(refused.len() >= 2);
    for ll in refused {
        let out_dir = tempfile::tempdir().unwrap();
        let out = run_cli(&["build", &ll, "-o", out_dir.path().to_str().unwrap()], b"");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{ll}: {err}");
        assert!(
            err.contains("`__main__.par_chunked_sum` (float64(array(float64, 1d, C))): `numba.dynamic.globals.")
                && err.contains("`numba.set_parallel_chunksize`"),
            "{ll}: {err}"
        );
        assert!(std::fs::read_dir(out_dir.path()).unwrap().next().is_none());
    }
}
