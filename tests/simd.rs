//! The SIMD levels of a build (`--no-simd`, default, `--relaxed-simd`):
//! each module is checked with wasmparser's validator with the features it
//! must not use turned off, and run in Node against native Numba.
//!
//! - `--no-simd`: no SIMD opcode anywhere (kernels and runtime shim), and
//!   the fixture corpus of every Numba version matches native bit for bit,
//!   as the default build does; the BLAS cases (fixtures/simd) match too
//!   (exact cases bit for bit, random-valued ones within their bound).
//! - `--relaxed-simd`: the shim's BLAS uses `f64x2/f32x4.relaxed_madd` and
//!   LLVM fuses fastmath kernels' vector multiply-adds; the results stay
//!   within the stated bounds of native (fixtures/simd/cases.json).

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;
use numba_wasm::codegen::SimdLevel;
use numba_wasm::metadata::Metadata;
use wasmparser::{KnownCustom, Name, Operator, Parser, Payload, Validator, WasmFeatures};

/// Build `inputs` with `flags` into a temporary directory; `kernels.wasm`
/// and `kernels.js` are in it.
fn build(inputs: &[String], flags: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let mut args = vec!["build", "-o", out, "--name", "kernels"];
    args.extend(flags);
    args.extend(inputs.iter().map(String::as_str));
    assert_success(
        &run_cli(&args, b""),
        &format!("numba-wasm {}", args.join(" ")),
    );
    dir
}

fn wasm(dir: &tempfile::TempDir) -> Vec<u8> {
    std::fs::read(dir.path().join("kernels.wasm")).unwrap()
}

/// Validate with wasmparser's default features less `without`.
fn validate(wasm: &[u8], without: WasmFeatures) -> Result<(), String> {
    let features = WasmFeatures::default().difference(without);
    Validator::new_with_features(features)
        .validate_all(wasm)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

const NO_SIMD: WasmFeatures = WasmFeatures::SIMD.union(WasmFeatures::RELAXED_SIMD);

/// How many operators of each defined function satisfy `pick` (by their
/// name, e.g. `F64x2RelaxedMadd`): `(function name, count)`.
fn ops_per_function(wasm: &[u8], pick: impl Fn(&str) -> bool) -> Vec<(String, usize)> {
    let mut imported = 0;
    let mut names = std::collections::HashMap::new();
    let mut counts = vec![];
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if format!("{:?}", import.unwrap().ty).starts_with("Func") {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut n = 0;
                for op in body.get_operators_reader().unwrap() {
                    let op: Operator<'_> = op.unwrap();
                    let name = format!("{op:?}");
                    if pick(name.split([' ', '{', '(']).next().unwrap()) {
                        n += 1;
                    }
                }
                counts.push(n);
            }
            Payload::CustomSection(reader) => {
                if let KnownCustom::Name(section) = reader.as_known() {
                    for name in section {
                        if let Name::Function(map) = name.unwrap() {
                            for naming in map {
                                let naming = naming.unwrap();
                                names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let index = (imported + i) as u32;
            (names.get(&index).cloned().unwrap_or_default(), n)
        })
        .collect()
}

/// How many operators of the code section satisfy `pick`.
fn count_ops(wasm: &[u8], pick: impl Fn(&str) -> bool) -> usize {
    ops_per_function(wasm, pick).iter().map(|(_, n)| n).sum()
}

/// How many operators satisfy `pick` in the functions of a kernel: its
/// export wrappers (`nw_entry_N`, into which LLVM usually inlines it) and
/// its own symbol; for the shim, functions whose name contains `name`.
fn count_ops_in(wasm: &[u8], name: &str, pick: impl Fn(&str) -> bool) -> usize {
    let mut parts = vec![name.to_string()];
    for e in Metadata::from_wasm(wasm).unwrap().exports {
        if e.name == name {
            parts.extend([e.wasm_export, e.symbol]);
        }
    }
    let found = ops_per_function(wasm, pick);
    let mine: Vec<_> = found
        .iter()
        .filter(|(f, _)| parts.iter().any(|p| f == p || (p == name && f.contains(p))))
        .collect();
    assert!(!mine.is_empty(), "no function of `{name}` in the module");
    mine.iter().map(|(_, n)| n).sum()
}

fn is_simd(name: &str) -> bool {
    ["V128", "I8x16", "I16x8", "I32x4", "I64x2", "F32x4", "F64x2"]
        .iter()
        .any(|p| name.starts_with(p))
}

fn is_relaxed(name: &str) -> bool {
    is_simd(name) && name.contains("Relaxed")
}

fn simd_fixtures() -> (Vec<String>, PathBuf) {
    let dir = root().join("fixtures/simd");
    (ll_files(&dir), dir.join("cases.json"))
}

fn level_of(wasm: &[u8]) -> SimdLevel {
    Metadata::from_wasm(wasm).unwrap().simd
}

/// Node's flags to run relaxed SIMD, or why this Node cannot.
fn node_relaxed_flags() -> Result<Vec<&'static str>, String> {
    let version = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|e| format!("no Node.js: {e}"))?;
    let version = String::from_utf8_lossy(&version.stdout);
    let major: u32 = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("unreadable `node --version`: {version}"))?;
    // V8 11.4 (Node 21) ships relaxed SIMD; Node 20 (V8 11.3) has it behind
    // a flag.
    if major >= 21 {
        return Ok(vec![]);
    }
    let options = Command::new("node")
        .arg("--v8-options")
        .output()
        .map_err(|e| e.to_string())?;
    if String::from_utf8_lossy(&options.stdout).contains("--experimental-wasm-relaxed-simd") {
        Ok(vec!["--experimental-wasm-relaxed-simd"])
    } else {
        Err(format!(
            "Node {} has no relaxed SIMD, not even behind a flag",
            version.trim()
        ))
    }
}

#[test]
fn default_build_uses_simd128_and_no_relaxed_simd() {
    // The check the --no-simd tests rely on: the validator without SIMD
    // refuses a module that holds SIMD opcodes.
    let (inputs, _) = simd_fixtures();
    let dir = build(&inputs, &[]);
    let wasm = wasm(&dir);
    assert!(
        count_ops(&wasm, is_simd) > 0,
        "no SIMD opcode in the default build"
    );
    let err = validate(&wasm, NO_SIMD).expect_err("validates without SIMD");
    assert!(err.contains("SIMD support is not enabled"), "{err}");
    validate(&wasm, WasmFeatures::RELAXED_SIMD).unwrap();
    // fastmath alone fuses nothing: wasm has no FMA outside relaxed SIMD.
    assert!(
        count_ops_in(&wasm, "fma_axpy", is_simd) > 0,
        "fma_axpy not vectorized"
    );
    assert_eq!(level_of(&wasm), SimdLevel::Simd128);
    // The default level is not written: older readers see no change.
    let section = String::from_utf8_lossy(&wasm);
    assert!(
        !section.contains("\"simd\":"),
        "the default level is recorded"
    );
    let js = std::fs::read_to_string(dir.path().join("kernels.js")).unwrap();
    assert!(
        js.contains("\nconst SIMD = \"simd128\";\n"),
        "level not in the glue"
    );
    let dts = std::fs::read_to_string(dir.path().join("kernels.d.ts")).unwrap();
    assert!(!dts.contains("Built with"), "{dts}");
}

#[test]
fn no_simd_fixtures_hold_no_simd_opcode_and_match_native_bit_for_bit() {
    let mut runs = vec![];
    for v in numba_versions() {
        runs.push((ll_files(&v.join("opt")), v.join("cases.json")));
    }
    let newest = numba_versions().pop().unwrap();
    runs.push((ll_files(&newest.join("noopt")), newest.join("cases.json")));
    for (inputs, cases) in runs {
        let dir = build(&inputs, &["--no-simd"]);
        let wasm = wasm(&dir);
        if let Err(e) = validate(&wasm, NO_SIMD) {
            panic!("--no-simd module for {} uses SIMD: {e}", cases.display());
        }
        assert_eq!(count_ops(&wasm, is_simd), 0);
        assert_eq!(level_of(&wasm), SimdLevel::None);
        run_cases_in_node(&dir.path().join("kernels.js"), &cases);
    }
}

#[test]
fn no_simd_blas_holds_no_simd_opcode_and_matches_native() {
    // The shim's BLAS in scalar lanes: exact cases bit for bit, random ones
    // within the corpus's bound, and the same bits as the simd128 shim
    // (each lane is the same IEEE operation). The fastmath kernels are left
    // out of that last check: LLVM may reassociate their sums differently
    // for another target.
    let (inputs, cases) = simd_fixtures();
    let default = build(&inputs, &[]);
    let dir = build(&inputs, &["--no-simd"]);
    let out = Command::new("node")
        .arg(root().join("tests/js/same_results.mjs"))
        .arg(default.path().join("kernels.js"))
        .arg(dir.path().join("kernels.js"))
        .arg(&cases)
        .arg("fma_")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains(" passed, 0 failed"),
        "{text}"
    );
    let wasm = wasm(&dir);
    validate(&wasm, NO_SIMD).unwrap();
    assert!(String::from_utf8_lossy(&wasm).contains("\"simd\":\"none\""));
    let js = std::fs::read_to_string(dir.path().join("kernels.js")).unwrap();
    assert!(
        !js.contains("simdHint") && !js.contains("const SIMD"),
        "a hint for engines without SIMD in the glue of a module without SIMD"
    );
    let dts = std::fs::read_to_string(dir.path().join("kernels.d.ts")).unwrap();
    assert!(dts.contains("\n// No SIMD instructions: "), "{dts}");
    run_cases_in_node(&dir.path().join("kernels.js"), &cases);
}

#[test]
fn no_simd_and_relaxed_simd_exclude_each_other() {
    let out = run_cli(
        &["build", "-o", "/nonexistent", "--no-simd", "--relaxed-simd"],
        b"",
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn relaxed_simd_fuses_blas_and_fastmath_multiply_adds_within_bounds() {
    let (inputs, cases) = simd_fixtures();
    let dir = build(&inputs, &["--relaxed-simd"]);
    let wasm = wasm(&dir);
    validate(&wasm, WasmFeatures::empty()).unwrap();
    let err = validate(&wasm, WasmFeatures::RELAXED_SIMD).expect_err("no relaxed opcode");
    assert!(err.contains("relaxed SIMD"), "{err}");
    assert_eq!(level_of(&wasm), SimdLevel::Relaxed);
    let dts = std::fs::read_to_string(dir.path().join("kernels.d.ts")).unwrap();
    assert!(dts.contains("\n// Built with --relaxed-simd: "), "{dts}");
    // The shim's gemm (f32 and f64 micro-kernels) and the fastmath
    // kernels' vectorized loops (fused by LLVM, not by the shim).
    let madd = |n: &str| n.ends_with("RelaxedMadd");
    for part in ["numba_xxgemm", "fma_axpy", "fma_dot"] {
        assert!(
            count_ops_in(&wasm, part, madd) > 0,
            "no relaxed_madd in {part}"
        );
    }
    for op in ["F64x2RelaxedMadd", "F32x4RelaxedMadd"] {
        assert!(count_ops(&wasm, |n| n == op) > 0, "no {op}");
    }
    // Relaxed madd and nothing else relaxed: no min/max, swizzle, trunc,
    // laneselect whose results depend on the engine's hardware.
    let other = count_ops(&wasm, |n| is_relaxed(n) && !n.ends_with("RelaxedMadd"));
    assert_eq!(other, 0, "relaxed opcodes other than madd");
    match node_relaxed_flags() {
        Ok(flags) => {
            run_cases_in_node_with(&flags, &dir.path().join("kernels.js"), &cases);
            if !flags.is_empty() {
                // Without its flag this Node lacks relaxed SIMD: the glue
                // says which build the engine needs.
                let out = Command::new("node")
                    .arg(root().join("tests/js/run_node.mjs"))
                    .arg(dir.path().join("kernels.js"))
                    .arg(&cases)
                    .output()
                    .unwrap();
                let text = String::from_utf8_lossy(&out.stdout);
                assert!(!out.status.success(), "{text}");
                assert!(
                    text.contains(
                        "(numba-wasm: this engine lacks relaxed SIMD: build without --relaxed-simd)"
                    ),
                    "{text}"
                );
            }
        }
        Err(why) => eprintln!("skipped running the --relaxed-simd module: {why}"),
    }
}

#[test]
fn relaxed_simd_leaves_kernels_without_fastmath_bit_exact() {
    // Numba's IR without fastmath has no `contract` flag: LLVM fuses
    // nothing, and the corpus matches native bit for bit.
    let newest = numba_versions().pop().unwrap();
    let dir = build(&ll_files(&newest.join("opt")), &["--relaxed-simd"]);
    let wasm = wasm(&dir);
    validate(&wasm, WasmFeatures::empty()).unwrap();
    match node_relaxed_flags() {
        Ok(flags) => run_cases_in_node_with(
            &flags,
            &dir.path().join("kernels.js"),
            &newest.join("cases.json"),
        ),
        Err(why) => eprintln!("skipped running the --relaxed-simd module: {why}"),
    }
}
