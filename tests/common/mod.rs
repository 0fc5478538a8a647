//! Helpers shared by the integration tests: run the CLI and Node.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_numba-wasm"))
}

/// Run the CLI with `args`, feeding `stdin`.
pub fn run_cli(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = cli()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run numba-wasm");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// The fixture folder of every supported Numba version
/// (`fixtures/numba-versions.txt`); a listed version without one fails.
pub fn numba_versions() -> Vec<PathBuf> {
    let list = std::fs::read_to_string(root().join("fixtures/numba-versions.txt")).unwrap();
    let v: Vec<PathBuf> = list
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
        .map(|version| root().join(format!("fixtures/numba-{version}")))
        .collect();
    for dir in &v {
        assert!(
            dir.join("cases.json").is_file(),
            "{} has no fixtures",
            dir.display()
        );
    }
    assert!(
        !v.is_empty(),
        "fixtures/numba-versions.txt lists no version"
    );
    v
}

pub fn ll_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ll"))
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// Run the fixture cases against a built module in Node; panics with
/// Node's output on any failure.
pub fn run_cases_in_node(js: &Path, cases: &Path) {
    run_cases_in_node_with(&[], js, cases)
}

/// [`run_cases_in_node`] with Node flags (e.g. to enable relaxed SIMD).
pub fn run_cases_in_node_with(node_flags: &[&str], js: &Path, cases: &Path) {
    let out = Command::new("node")
        .args(node_flags)
        .arg(root().join("tests/js/run_node.mjs"))
        .arg(js)
        .arg(cases)
        .output()
        .expect("Node.js is needed to run the fixtures (scripts/setup.sh installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "cases failed for {} (node {node_flags:?}):\n{text}",
        js.display()
    );
    assert!(
        text.contains(" passed, 0 failed"),
        "unexpected runner output:\n{text}"
    );
}

pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
