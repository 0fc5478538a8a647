//! Generated output under review: for a few small inputs, the kernel
//! members of the `.d.ts` and a text dump of the metadata section's exports
//! and, for the first case, the whole `.js`, `.d.ts` and the ABI table are
//! checked in under `tests/reference/`. A change to the glue
//! or to the ABI shows up there as a readable diff. After an intended
//! change, rewrite them with
//!
//!     NUMBA_WASM_BLESS=1 cargo test --release --test reference
//!
//! and review the diff like code.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// (case, fixture kernels of Numba 0.68.1, optimized IR).
const CASES: [(&str, &[&str]); 3] = [
    ("scalars", &["add_i32", "complex_mix", "scalar_xor"]),
    ("arrays", &["argmax2d", "axpy", "arange_half"]),
    ("names", &["énergie", "x_c3_a9", "scale_1d", "laplace_2d"]),
];

fn reference_dir() -> PathBuf {
    root().join("tests/reference")
}

fn check(expected: &Path, actual: &str, bless: bool, stale: &mut Vec<String>) {
    if bless {
        std::fs::write(expected, actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(expected).unwrap_or_default();
    if want != actual {
        let first = want
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(actual.lines().count()));
        stale.push(format!(
            "{} differs from the generated output (first at line {}):\n  expected: {}\n  actual:   {}",
            expected.display(),
            first + 1,
            want.lines().nth(first).unwrap_or("<end of file>"),
            actual.lines().nth(first).unwrap_or("<end of file>"),
        ));
    }
}

/// The per-module part of a `.d.ts`: the kernel members of `Module`.
fn kernel_members(dts: &str) -> String {
    let start = dts
        .find("export interface Module {\n")
        .expect("Module interface")
        + 26;
    let end = dts[start..]
        .find("  /** Allocate an array inside wasm memory")
        .expect("runtime members");
    dts[start..start + end].to_string()
}

/// The module's exports other than its entry points: what its hosts call
/// (a scalar module's static call block and no allocator, for one).
fn host_exports(wasm: &[u8]) -> String {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::ExportSection(reader)) = payload {
            for export in reader {
                let name = export.expect("export").name;
                if !name.starts_with("nw_entry_") {
                    names.push(name.to_string());
                }
            }
        }
    }
    names.sort();
    format!("host exports: {}\n", names.join(" "))
}

#[test]
fn generated_glue_matches_the_reviewed_reference() {
    let bless = std::env::var_os("NUMBA_WASM_BLESS").is_some();
    let fixtures = root().join("fixtures/numba-0.68.1/opt");
    let mut stale = Vec::new();
    std::fs::create_dir_all(reference_dir()).unwrap();
    for (i, (case, kernels)) in CASES.iter().enumerate() {
        let out = tempfile::tempdir().unwrap();
        let mut args = vec![
            "build".to_string(),
            "-o".into(),
            out.path().to_str().unwrap().into(),
            "--name".into(),
            (*case).into(),
        ];
        args.extend(kernels.iter().map(|k| {
            fixtures
                .join(format!("{k}.ll"))
                .to_str()
                .unwrap()
                .to_string()
        }));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_success(&run_cli(&args, b""), case);
        let wasm = std::fs::read(out.path().join(format!("{case}.wasm"))).unwrap();
        let metadata = numba_wasm::metadata::Metadata::from_wasm(&wasm).unwrap();
        let dir = reference_dir();
        check(
            &dir.join(format!("{case}.exports.txt")),
            &(metadata.exports_text() + &host_exports(&wasm)),
            bless,
            &mut stale,
        );
        let dts = std::fs::read_to_string(out.path().join(format!("{case}.d.ts"))).unwrap();
        if i == 0 {
            check(&dir.join(format!("{case}.d.ts")), &dts, bless, &mut stale);
        } else {
            // The rest of the file is the template (runtime.d.ts), as above.
            check(
                &dir.join(format!("{case}.kernels.d.ts")),
                &kernel_members(&dts),
                bless,
                &mut stale,
            );
        }
        if i == 0 {
            // The runtime and the ABI table are the same for every module.
            check(
                &dir.join("abi.txt"),
                &metadata.abi_text(),
                bless,
                &mut stale,
            );
            let js = std::fs::read_to_string(out.path().join(format!("{case}.js"))).unwrap();
            check(&dir.join(format!("{case}.js")), &js, bless, &mut stale);
        }
    }
    assert!(
        stale.is_empty(),
        "{}\n\nIf the change is intended: NUMBA_WASM_BLESS=1 cargo test --release --test reference, then review the diff.",
        stale.join("\n")
    );
}

/// `build --package`: the generated package.json and README.md, for kernels
/// with overloads (`complex_mix`) and with non-ASCII names.
#[test]
fn generated_package_matches_the_reviewed_reference() {
    let bless = std::env::var_os("NUMBA_WASM_BLESS").is_some();
    let fixtures = root().join("fixtures/numba-0.68.1/opt");
    let out = tempfile::tempdir().unwrap();
    let pkg = out.path().join("pkg");
    let mut args = vec![
        "build".to_string(),
        "--package".into(),
        pkg.to_str().unwrap().into(),
        "--package-name".into(),
        "@numba-wasm/demo".into(),
        "--package-version".into(),
        "2.0.0".into(),
    ];
    for kernel in ["complex_mix", "add_i32", "énergie", "scale_1d"] {
        args.push(
            fixtures
                .join(format!("{kernel}.ll"))
                .to_str()
                .unwrap()
                .into(),
        );
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_success(&run_cli(&args, b""), "build --package");
    let mut stale = Vec::new();
    for (file, reference) in [
        ("package.json", "package.json"),
        ("README.md", "package.README.md"),
    ] {
        let text = std::fs::read_to_string(pkg.join(file)).unwrap();
        check(&reference_dir().join(reference), &text, bless, &mut stale);
    }
    assert!(
        stale.is_empty(),
        "{}\n\nIf the change is intended: NUMBA_WASM_BLESS=1 cargo test --release --test reference, then review the diff.",
        stale.join("\n")
    );
}
