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
        let input = v.join("errors/uses_external.ll");
        let err = build_fails(Some(input.to_str().unwrap()), b"");
        assert!(
            err.contains("`error_kernels.uses_external` (int64(int64)): `getpid` is not provided"),
            "{err}"
        );
        // `inspect` reports the same reference without failing.
        let out = run_cli(&["inspect", input.to_str().unwrap()], b"");
        assert_success(&out, "inspect");
        assert!(String::from_utf8_lossy(&out.stdout).contains("blocks the build: `getpid`"));
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

/// Run the CLI with `--message-format json` appended; its exit code and
/// stdout, every line parsed. Diagnostics never reach stderr in this mode.
fn json_messages(args: &[&str]) -> (Option<i32>, Vec<serde_json::Value>) {
    let mut args = args.to_vec();
    args.extend(["--message-format", "json"]);
    let out = run_cli(&args, b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("error"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let messages: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    for m in &messages {
        if m["reason"] == "diagnostic" {
            for key in ["level", "message", "function", "symbol", "input", "hint"] {
                assert!(m.get(key).is_some(), "no `{key}` in {m}");
            }
            assert!(!m["message"].as_str().unwrap().starts_with("numba-wasm:"));
        }
    }
    (out.status.code(), messages)
}

/// `build` in json mode: its diagnostics, after checking the exit code and
/// the closing `build-finished` line.
fn json_build_fails(inputs: &[&str]) -> Vec<serde_json::Value> {
    let out_dir = tempfile::tempdir().unwrap();
    let mut args = vec!["build", "-o", out_dir.path().to_str().unwrap()];
    args.extend(inputs);
    let (code, mut messages) = json_messages(&args);
    assert_eq!(code, Some(1), "{messages:?}");
    let last = messages.pop().unwrap();
    assert_eq!(
        last,
        serde_json::json!({"reason": "build-finished", "success": false})
    );
    assert!(!messages.is_empty());
    assert!(
        messages
            .iter()
            .all(|m| m["reason"] == "diagnostic" && m["level"] == "error")
    );
    messages
}

#[test]
fn json_names_function_and_symbol() {
    for v in numba_versions() {
        let input = v.join("errors/uses_external.ll");
        let input = input.to_str().unwrap();
        let diags = json_build_fails(&[input]);
        let random = diags
            .iter()
            .find(|d| d["symbol"] == "getpid")
            .unwrap_or_else(|| panic!("{diags:?}"));
        assert_eq!(random["function"], "error_kernels.uses_external");
        assert_eq!(
            random["message"],
            "`error_kernels.uses_external` (int64(int64)): `getpid` is not \
             provided by numba-wasm's runtime"
        );
        assert!(random["input"].is_null() && random["hint"].is_null());
        assert!(
            diags
                .iter()
                .all(|d| d["function"] == "error_kernels.uses_external")
        );

        // `inspect`: one entry object, then what blocks its build; success.
        let (code, messages) = json_messages(&["inspect", input]);
        assert_eq!(code, Some(0), "{messages:?}");
        let entry = &messages[0];
        assert_eq!(entry["reason"], "entry");
        assert_eq!(entry["function"], "error_kernels.uses_external");
        assert!(
            entry["symbol"]
                .as_str()
                .unwrap()
                .starts_with("_ZN13error_kernels13uses_external")
        );
        assert_eq!(entry["signature"], "int64(int64)");
        assert_eq!(entry["name_from"], "dump annotation");
        assert_eq!(entry["return_type_from"], "dump annotation");
        assert!(
            messages[1..]
                .iter()
                .any(|m| m["reason"] == "diagnostic" && m["symbol"] == "getpid")
        );
        assert_eq!(
            messages.last().unwrap(),
            &serde_json::json!({"reason": "inspect-finished", "success": true})
        );
    }
}

#[test]
fn json_bare_dump_needs_a_return_type() {
    for v in numba_versions() {
        let input = v.join("captures/dump_llvm.txt");
        let diags = json_build_fails(&[input.to_str().unwrap()]);
        assert_eq!(diags.len(), 1, "{diags:?}");
        let d = &diags[0];
        assert_eq!(d["function"], "__main__.add64");
        assert!(
            d["symbol"]
                .as_str()
                .unwrap()
                .starts_with("_ZN8__main__5add64"),
            "{d}"
        );
        let message = d["message"].as_str().unwrap();
        assert!(message.starts_with("cannot tell what `__main__.add64` returns"));
        let hint = d["hint"].as_str().unwrap();
        assert!(hint.contains("--return add64=<numba type>"), "{hint}");
        assert!(message.ends_with(hint), "the human text keeps the hint");
    }
}

#[test]
fn json_unknown_return_name() {
    let v = &numba_versions()[0];
    let input = v.join("captures/dump_llvm.txt");
    let diags = json_build_fails(&[input.to_str().unwrap(), "--return", "nope=float64"]);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("--return names `nope`, which is not an entry point")
    );
    assert!(d["function"].is_null() && d["symbol"].is_null() && d["input"].is_null());
    assert!(d["hint"].as_str().unwrap().contains("add64"), "{d}");
}

#[test]
fn json_missing_input_file() {
    let diags = json_build_fails(&["/nonexistent/kernels.ll"]);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["input"], "/nonexistent/kernels.ll");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read `/nonexistent/kernels.ll`: ")
    );
    assert!(d["function"].is_null() && d["symbol"].is_null() && d["hint"].is_null());
}

#[test]
fn json_plain_errors_and_success() {
    let input = numba_versions()[0].join("opt/norm_3d.ll");
    let input = input.to_str().unwrap();
    // An error with nothing to point at is still one diagnostic.
    let diags = json_build_fails(&[input, "--name", "a/b"]);
    assert_eq!(
        diags,
        [serde_json::json!({"reason": "diagnostic", "level": "error",
            "message": "--name must be a plain file name, got `a/b`",
            "function": null, "symbol": null, "input": null, "hint": null})]
    );
    let out_dir = tempfile::tempdir().unwrap();
    let (code, messages) = json_messages(&["build", "-o", out_dir.path().to_str().unwrap(), input]);
    assert_eq!(code, Some(0), "{messages:?}");
    assert_eq!(
        messages,
        [serde_json::json!({"reason": "build-finished", "success": true})]
    );
}

// ---- hostile and mistaken input (each was a panic, an abort or a crash)

/// A minimal Numba-convention function `__main__.widen(float64) -> float64`
/// whose body is `body` (it stores `%t` through retptr).
fn widen(body: &str) -> String {
    format!(
        "define i32 @_ZN8__main__5widenB2v1Ed(ptr %retptr, ptr %excinfo, double %arg.x) {{\n{body}\n  store double %t, ptr %retptr\n  ret i32 0\n}}\n"
    )
}

#[test]
fn return_types_that_used_to_panic_are_refused() {
    let input = fixture("numba-0.68.1/captures/dump_llvm.txt");
    let deep = format!("{}int64{}", "Tuple(".repeat(10_000), ")".repeat(10_000));
    for ty in [
        "array(float64, 1d, C, é)",
        "UniTuple(int64 x 18446744073709551615)",
        "UniTuple(int64 x 100000000000)",
        "UniTuple(UniTuple(int64 x 2) x 9223372036854775807)",
        "array(float64, 4000000000d, C)",
        deep.as_str(),
    ] {
        let out_dir = tempfile::tempdir().unwrap();
        let opt = format!("total={ty}");
        let out = run_cli(
            &[
                "build",
                &input,
                "-o",
                out_dir.path().to_str().unwrap(),
                "--return",
                "add64=int64",
                "--return",
                &opt,
            ],
            b"",
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{ty}: {stderr}");
        assert!(
            stderr.starts_with("numba-wasm: error: `__main__.total`"),
            "{stderr}"
        );
        assert!(
            stderr.len() < 1000,
            "message not bounded: {} bytes",
            stderr.len()
        );
    }
}

#[test]
fn hostile_mangled_names_are_not_entry_points() {
    for name in [
        "_ZN8__main__18446744073709551615fB2v1Ed".to_string(),
        format!("_ZN8__main__1fB2v1E{}d", "5ArrayI".repeat(5000)),
    ] {
        let ir =
            widen("  %t = fadd double %arg.x, %arg.x").replace("_ZN8__main__5widenB2v1Ed", &name);
        let err = build_fails(None, ir.as_bytes());
        assert!(err.contains("no Numba entry point found"), "{err}");
    }
}

#[test]
fn long_doubles_and_ifuncs_are_refused_before_llvm() {
    let fp80 = widen(
        "  %w = fpext double %arg.x to x86_fp80\n  %s = fadd x86_fp80 %w, %w\n  %t = fptrunc x86_fp80 %s to double",
    );
    let err = build_fails(None, fp80.as_bytes());
    assert!(err.contains("computes with the `x86_fp80` type"), "{err}");
    let ifunc = format!(
        "define internal ptr @resolve() {{\n  ret ptr @impl\n}}\ndefine double @impl(double %x) {{\n  ret double %x\n}}\n@fast = ifunc double (double), ptr @resolve\n{}",
        widen("  %t = call double @fast(double %arg.x)")
    );
    let err = build_fails(None, ifunc.as_bytes());
    assert!(err.contains("`fast` is an ifunc"), "{err}");
    // inspect says so too.
    let out = run_cli(&["inspect"], ifunc.as_bytes());
    assert!(String::from_utf8_lossy(&out.stdout).contains("blocks the build: `fast` is an ifunc"));
}

#[test]
fn invalid_ir_is_the_input_s_fault_and_inspect_fails() {
    let ir = "define i32 @_ZN8__main__5widenB2v1Ed(ptr %retptr, ptr %excinfo, double %arg.x) {\n  store double %t, ptr %retptr\n  %t = fadd double %arg.x, %arg.x\n  ret i32 0\n}\n";
    let err = build_fails(None, ir.as_bytes());
    assert!(
        err.contains("<stdin>: not valid LLVM IR: Instruction does not dominate all uses"),
        "{err}"
    );
    let out = run_cli(&["inspect"], ir.as_bytes());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn parse_errors_quote_a_bounded_excerpt() {
    let mut ir = widen("  %t = fadd double %arg.x, %arg.x");
    ir.push_str(&format!(
        "@junk = global [3 x i8] c\"{}\n",
        "A".repeat(8 << 20)
    ));
    let err = build_fails(None, ir.as_bytes());
    assert!(
        err.contains("LLVM IR does not parse"),
        "{}",
        &err[..200.min(err.len())]
    );
    assert!(err.len() < 4096, "the message is {} bytes", err.len());
}

#[test]
fn a_crash_inside_llvm_is_a_clean_error() {
    // LLVM 22 segfaults parsing this (found by tests/fuzz.rs): a value
    // number out of range in a typed-pointer dump. The worker process dies;
    // the user sees an error naming the likely cause.
    let text = std::fs::read_to_string(fixture("numba-0.57.1/opt/centered_diff_2d.ll")).unwrap();
    let needle = "dereferenceable(72) %11, i8 0";
    assert!(text.contains(needle));
    let crashing = text.replacen(needle, "dereferenceable(72) %18446744073709551615, i8 0", 1);
    let err = build_fails(None, crashing.as_bytes());
    assert!(
        err.contains("LLVM stage crashed") || err.contains("does not parse"),
        "{err}"
    );
}
