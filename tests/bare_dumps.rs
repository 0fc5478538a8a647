//! Kernels with the names and shapes users write (`laplace_2d` in place,
//! `énergie`, `λ_max`, a closure) built from the bare text of
//! `dispatcher.inspect_llvm()`, without the dump tools' annotations: names
//! come from Numba's CPython wrapper, return types from the IR, and only an
//! array's dtype and layout must be given. Then `--return` options that
//! contradict the IR are refused.

mod common;

use std::path::Path;

use common::*;

/// The corpus's name kernels (fixtures/kernels.py, section 11).
const KERNELS: [&str; 7] = [
    "laplace_2d",
    "centered_diff_2d",
    "norm_3d",
    "énergie",
    "λ_max",
    "x_c3_a9",
    "scale_1d",
];

/// Copy `kernels`' dumps from `dir` into `tmp` without the annotation and
/// banner lines numba-wasm's dump tool adds; return the paths.
fn bare_dumps(dir: &Path, kernels: &[&str], tmp: &Path) -> Vec<String> {
    kernels
        .iter()
        .map(|k| {
            let text = std::fs::read_to_string(dir.join(format!("{k}.ll"))).unwrap();
            let bare: String = text
                .lines()
                .filter(|l| {
                    !l.starts_with("; numba-wasm-return:") && !l.starts_with("; ---- numba-wasm")
                })
                .flat_map(|l| [l, "\n"])
                .collect();
            let path = tmp.join(format!("{k}.ll"));
            std::fs::write(&path, bare).unwrap();
            path.to_str().unwrap().to_string()
        })
        .collect()
}

/// The cases of `kernels` only.
fn cases_of(cases: &Path, kernels: &[&str], tmp: &Path) -> std::path::PathBuf {
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cases).unwrap()).unwrap();
    let all = json["cases"].as_array().unwrap().clone();
    let kept: Vec<_> = all
        .into_iter()
        .filter(|c| kernels.contains(&c["func"].as_str().unwrap()))
        .collect();
    assert_eq!(kept.len(), kernels.len(), "one case per kernel");
    json["cases"] = serde_json::Value::Array(kept);
    let path = tmp.join("cases.json");
    std::fs::write(&path, json.to_string()).unwrap();
    path
}

#[test]
fn ordinary_names_and_in_place_kernels_build_from_bare_inspect_llvm() {
    for v in numba_versions() {
        for form in ["opt", "noopt"] {
            let tmp = tempfile::tempdir().unwrap();
            let inputs = bare_dumps(&v.join(form), &KERNELS, tmp.path());
            let what = format!("{} {form}", v.display());

            let mut args = vec!["inspect"];
            args.extend(inputs.iter().map(String::as_str));
            args.extend(["--return", "centered_diff_2d=array(float64, 2d, C)"]);
            let out = run_cli(&args, b"");
            assert_success(&out, &what);
            let text = String::from_utf8_lossy(&out.stdout);
            for line in [
                "kernels.laplace_2d  none(array(float64, 2d, C), array(float64, 2d, C))",
                "kernels.centered_diff_2d  array(float64, 2d, C)(array(float64, 2d, C))",
                "kernels.norm_3d  float64(array(float64, 3d, C))",
                "kernels.énergie  float64(float64, float64)",
                "kernels.λ_max  float64(array(float64, 1d, C))",
                "kernels.x_c3_a9  int64(int64)",
                "kernels._make_scale.<locals>.scale_1d  none(array(float64, 1d, C), float64)",
            ] {
                assert!(
                    text.contains(line),
                    "{what}: inspect misses `{line}`:\n{text}"
                );
            }
            assert_eq!(
                text.matches("name from: CPython wrapper").count(),
                7,
                "{text}"
            );
            assert_eq!(text.matches("return type from: IR").count(), 6, "{text}");
            assert_eq!(
                text.matches("return type from: --return").count(),
                1,
                "{text}"
            );

            let out_dir = tmp.path().join("out");
            let mut args = vec![
                "build",
                "-o",
                out_dir.to_str().unwrap(),
                "--name",
                "kernels",
            ];
            args.extend(inputs.iter().map(String::as_str));
            args.extend(["--return", "centered_diff_2d=array(float64, 2d, C)"]);
            assert_success(&run_cli(&args, b""), &what);
            let cases = cases_of(&v.join("cases.json"), &KERNELS, tmp.path());
            run_cases_in_node(&out_dir.join("kernels.js"), &cases);
        }
    }
}

/// `inspect` with `extra` options on the bare dumps of `kernels`; stderr.
fn refused(kernels: &[&str], extra: &[&str]) -> Vec<String> {
    let mut errors = Vec::new();
    for v in numba_versions() {
        for form in ["opt", "noopt"] {
            let tmp = tempfile::tempdir().unwrap();
            let out_dir = tmp.path().join("out");
            let inputs = bare_dumps(&v.join(form), kernels, tmp.path());
            let mut args = vec!["build", "-o", out_dir.to_str().unwrap()];
            args.extend(inputs.iter().map(String::as_str));
            args.extend(extra);
            let out = run_cli(&args, b"");
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert_eq!(out.status.code(), Some(1), "{stderr}");
            assert!(!stderr.contains("panicked"), "{stderr}");
            assert!(
                !out_dir.exists(),
                "a refused build wrote {}",
                out_dir.display()
            );
            errors.push(stderr);
        }
    }
    errors
}

#[test]
fn return_types_that_contradict_the_ir_are_refused() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "centered_diff_2d",
            "centered_diff_2d=array(float64, 1d, C)",
            "`kernels.centered_diff_2d`: the --return says it returns `array(float64, 1d, C)`, but the IR returns a 2-d array",
        ),
        (
            "norm_3d",
            "norm_3d=float32",
            "`kernels.norm_3d`: the --return says it returns `float32`, but the IR returns float64",
        ),
        (
            "énergie",
            "énergie=int64",
            "`kernels.énergie`: the --return says it returns `int64`, but the IR returns float64",
        ),
        (
            "laplace_2d",
            "laplace_2d=UniTuple(float64 x 2)",
            "`kernels.laplace_2d`: the --return says it returns `UniTuple(float64 x 2)`, but the IR returns a pointer (None)",
        ),
        (
            "x_c3_a9",
            "x_c3_a9=uint64",
            "`kernels.x_c3_a9`: the --return says it returns `uint64`, but Numba's wrapper boxes a signed integer",
        ),
        (
            "x_c3_a9",
            "xé=int64",
            "--return names `xé`, which is not an entry point of the input (entry points: x_c3_a9)",
        ),
    ];
    for (kernel, option, message) in cases {
        for err in refused(&[kernel], &["--return", option]) {
            assert!(err.contains(message), "`--return {option}`: {err}");
        }
    }
}

#[test]
fn tuple_arity_is_checked_against_the_ir() {
    for err in refused(&["argmax2d"], &["--return", "argmax2d=UniTuple(int64 x 3)"]) {
        assert!(
            err.contains(
                "says it returns `UniTuple(int64 x 3)`, but the IR returns a tuple of 2 items"
            ),
            "{err}"
        );
    }
}

#[test]
fn a_dump_annotation_that_contradicts_the_ir_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for v in numba_versions() {
        let text = std::fs::read_to_string(v.join("opt/norm_3d.ll")).unwrap();
        let forged = text
            .lines()
            .map(|l| {
                if l.starts_with("; numba-wasm-return:") {
                    format!("{} array(float64, 3d, C)", l.rsplit_once(' ').unwrap().0)
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let path = tmp.path().join("norm_3d.ll");
        std::fs::write(&path, forged).unwrap();
        let out = run_cli(&["inspect", path.to_str().unwrap()], b"");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("the dump annotation says it returns `array(float64, 3d, C)`, but the IR returns float64"),
            "{text}"
        );
    }
}
