//! Bad input gets one clear message naming the Python function and the
//! symbol or construct at fault, a non-zero exit, and never a panic or an
//! LLVM abort.

mod common;

use common::*;

/// Build `input` (a path, or stdin when `None`), expect failure, return stderr.
fn build_fails(input: Option<&str>, stdin: &[u8]) -> String {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().to_str().unwrap();
    let mut args = vec!["build", "-o", out];
    args.extend(input);
    let result = run_cli(&args, stdin);
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    assert_eq!(
        result.status.code(),
        Some(1),
        "expected exit 1, got {:?}; stderr:\n{stderr}",
        result.status
    );
    assert!(stderr.starts_with("numba-wasm: error: "), "{stderr}");
    for bad in ["panicked", "LLVM ERROR", "RUST_BACKTRACE"] {
        assert!(!stderr.contains(bad), "{bad} reached the user:\n{stderr}");
    }
    assert!(
        std::fs::read_dir(out_dir.path()).unwrap().next().is_none(),
        "a failed build wrote files"
    );
    stderr
}

fn fixture(rel: &str) -> String {
    root()
        .join("fixtures")
        .join(rel)
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn empty_input() {
    let err = build_fails(None, b"");
    assert!(err.contains("input <stdin> is empty"), "{err}");
    let err = build_fails(None, b"\n  \n");
    assert!(err.contains("is empty"), "{err}");
}

#[test]
fn text_that_is_not_ir() {
    let err = build_fails(Some(&fixture("errors/not_ir.txt")), b"");
    assert!(err.contains("holds no LLVM IR"), "{err}");
    let err = build_fails(None, b"\x00\xff\xfe binary junk");
    assert!(err.contains("neither LLVM bitcode nor UTF-8 text"), "{err}");
}

#[test]
fn ir_that_does_not_parse() {
    let err = build_fails(Some(&fixture("errors/truncated.ll")), b"");
    // LLVM's own diagnostic, with the line number of the input file.
    assert!(err.contains("LLVM IR does not parse"), "{err}");
    assert!(err.contains("truncated.ll:31:"), "{err}");
}

#[test]
fn bitcode_that_does_not_parse() {
    let err = build_fails(None, b"BC\xC0\xDE\x35\x14\x00\x00\x05\x00\x00\x00");
    assert!(err.contains("invalid LLVM bitcode"), "{err}");
}

#[test]
fn object_mode_ir() {
    for v in numba_versions() {
        let err = build_fails(Some(v.join("errors/objmode_fn.ll").to_str().unwrap()), b"");
        assert!(err.contains("`error_kernels.objmode_fn`"), "{err}");
        assert!(err.contains("object mode"), "{err}");
    }
}

#[test]
fn python_c_api_outside_the_wrappers() {
    let err = build_fails(Some(&fixture("errors/py_reference.ll")), b"");
    assert!(
        err.contains("`kernels.py_box` (int32(int32, int32)): `PyLong_FromLongLong`"),
        "{err}"
    );
    assert!(err.contains("Python C API"), "{err}");
}

#[test]
fn symbol_the_runtime_lacks() {
    for v in numba_versions() {
        let input = v.join("errors/uses_random.ll");
        let err = build_fails(Some(input.to_str().unwrap()), b"");
        assert!(
            err.contains("`error_kernels.uses_random` (float64()): `numba_get_np_random_state` is not provided"),
            "{err}"
        );
        // `inspect` reports the same reference without failing.
        let out = run_cli(&["inspect", input.to_str().unwrap()], b"");
        assert_success(&out, "inspect");
        assert!(
            String::from_utf8_lossy(&out.stdout)
                .contains("blocks the build: `numba_get_np_random_state`")
        );
    }
}

#[test]
fn unknown_return_type_names_the_function() {
    for v in numba_versions() {
        let err = build_fails(
            Some(v.join("captures/dump_llvm.txt").to_str().unwrap()),
            b"",
        );
        assert!(
            err.contains("cannot tell what `__main__.add64` returns"),
            "{err}"
        );
        assert!(err.contains("--return add64=<numba type>"), "{err}");
    }
}

#[test]
fn missing_input_file() {
    let err = build_fails(Some("/nonexistent/kernels.ll"), b"");
    assert!(
        err.contains("cannot read `/nonexistent/kernels.ll`"),
        "{err}"
    );
}

#[test]
fn ir_without_numba_functions() {
    let err = build_fails(None, b"define i32 @plain_c(i32 %x) {\n  ret i32 %x\n}\n");
    assert!(err.contains("no Numba entry point found"), "{err}");
}
