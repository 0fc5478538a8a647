//! The kernel corpus, dumped by the pinned Numba, built by the CLI and run
//! in Node against Numba's own results (fixtures/numba-*/cases.json).

mod common;

// These tests call LLVM through inkwell: the library crate's build script
// links LLVM (statically), so name the crate to have it linked in.
use numba_wasm as _;

use common::*;

fn build_and_run(inputs: &[String], extra: &[&str], cases: &std::path::Path) {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().to_str().unwrap();
    let mut args = vec!["build", "-o", out, "--name", "kernels"];
    args.extend(extra);
    args.extend(inputs.iter().map(String::as_str));
    assert_success(
        &run_cli(&args, b""),
        &format!("numba-wasm {}", args.join(" ")),
    );
    for ext in ["wasm", "js", "d.ts"] {
        assert!(
            out_dir.path().join(format!("kernels.{ext}")).exists(),
            "kernels.{ext} missing"
        );
    }
    run_cases_in_node(&out_dir.path().join("kernels.js"), cases);
}

#[test]
fn optimized_ir_matches_native_numba() {
    for v in numba_versions() {
        build_and_run(&ll_files(&v.join("opt")), &[], &v.join("cases.json"));
    }
}

#[test]
fn unoptimized_ir_matches_native_numba() {
    for v in numba_versions() {
        build_and_run(&ll_files(&v.join("noopt")), &[], &v.join("cases.json"));
    }
}

#[test]
fn both_forms_in_one_build_are_merged() {
    // The same kernels twice (optimized and NUMBA_OPT=0): equal symbols are
    // one function, so the build has one export per overload.
    for v in numba_versions() {
        let mut inputs = ll_files(&v.join("opt"));
        inputs.extend(ll_files(&v.join("noopt")));
        build_and_run(&inputs, &[], &v.join("cases.json"));
    }
}

#[test]
fn numba_dump_captures_are_accepted() {
    for v in numba_versions() {
        let dir = v.join("captures");
        let cases = dir.join("cases.json");
        let optimized = dir.join("dump_optimized.txt").to_str().unwrap().to_string();
        // NUMBA_DUMP_OPTIMIZED output carries the wrappers the return type is read from.
        build_and_run(std::slice::from_ref(&optimized), &[], &cases);
        // NUMBA_DUMP_LLVM output has no wrappers: the stores through
        // `retptr` show float64 and None; only the integer's signedness
        // must be given.
        let llvm = dir.join("dump_llvm.txt").to_str().unwrap().to_string();
        build_and_run(
            std::slice::from_ref(&llvm),
            &["--return", "add64=int64"],
            &cases,
        );
        let out = run_cli(&["inspect", &llvm, "--return", "add64=int64"], b"");
        assert_success(&out, "inspect");
        let text = String::from_utf8_lossy(&out.stdout);
        for line in [
            "__main__.laplace_2d  none(array(float64, 2d, C), array(float64, 2d, C))",
            "__main__.énergie  float64(float64, float64)",
            "__main__.total  float64(array(float64, 1d, C))",
        ] {
            assert!(text.contains(line), "inspect misses `{line}`:\n{text}");
        }
        assert!(text.contains("name from: dump banner"), "{text}");
    }
}

#[test]
fn stdin_and_bitcode_inputs() {
    use inkwell::context::Context;
    use inkwell::memory_buffer::MemoryBuffer;
    for v in numba_versions() {
        let dir = v.join("captures");
        let cases = dir.join("cases.json");
        let text = std::fs::read(dir.join("dump_optimized.txt")).unwrap();

        // `python dump.py | numba-wasm build -o out/`
        let out_dir = tempfile::tempdir().unwrap();
        let out = run_cli(&["build", "-o", out_dir.path().to_str().unwrap()], &text);
        assert_success(&out, "build from stdin");
        run_cases_in_node(&out_dir.path().join("kernels.js"), &cases);

        // The same kernels as bitcode: one .bc per module of the stream.
        let ctx = Context::create();
        let tmp = tempfile::tempdir().unwrap();
        let mut inputs = Vec::new();
        let text = String::from_utf8(text).unwrap();
        for (i, part) in text.split("; ModuleID").skip(1).enumerate() {
            let ir = format!("; ModuleID{}", part.split("\n====").next().unwrap());
            let buf = MemoryBuffer::create_from_memory_range_copy(ir.as_bytes(), "part");
            let module = ctx
                .create_module_from_ir(buf)
                .expect("capture module parses");
            let path = tmp.path().join(format!("part{i}.bc"));
            assert!(module.write_bitcode_to_path(&path));
            inputs.push(path.to_str().unwrap().to_string());
        }
        assert!(inputs.len() > 2);
        build_and_run(&inputs, &[], &cases);
    }
}

#[test]
fn inspect_lists_entries_with_signatures() {
    for v in numba_versions() {
        let input = v.join("opt/lcg_hash.ll");
        let out = run_cli(&["inspect", input.to_str().unwrap()], b"");
        assert_success(&out, "inspect");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("kernels.lcg_hash  int64(int64, int64)"),
            "{text}"
        );
        assert!(!text.contains("blocks the build"), "{text}");
    }
}
