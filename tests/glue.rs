//! The generated JavaScript in every form a module can get: each consistent
//! set of template sections (src/glue/features.rs), readable and minified,
//! parses, and the minified form is the same program (esbuild prints both
//! identically once it has dropped comments and layout). A minified build
//! of the fixtures passes their cases in Node.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use numba_wasm::glue::features::{Feature, Features, select};
use numba_wasm::glue::{RUNTIME, minify::minify};

/// The feature sets a module can have: records come with arrays, and
/// anything but scalars (or overloads) with the general call path; SIMD
/// instructions and random states go with any.
fn consistent_sets() -> Vec<Features> {
    let optional = [
        Feature::Arrays,
        Feature::Records,
        Feature::Strings,
        Feature::Tuples,
        Feature::Overloads,
        Feature::Containers,
        Feature::Raises,
        Feature::Simd,
        Feature::Random,
    ];
    let mut out = Vec::new();
    for bits in 0..(1u32 << optional.len()) {
        let mut set: Vec<Feature> = (0..optional.len())
            .filter(|k| bits & (1 << k) != 0)
            .map(|k| optional[k])
            .collect();
        if set.contains(&Feature::Records) && !set.contains(&Feature::Arrays) {
            continue;
        }
        let general = |f: &Feature| !matches!(f, Feature::Raises | Feature::Simd | Feature::Random);
        if set.iter().any(general) {
            set.push(Feature::General);
        }
        out.push(Features::new(set));
    }
    out
}

/// esbuild's whitespace-minified print of a file: the program without
/// comments and layout. Panics with esbuild's message if it does not parse.
fn canonical(path: &Path) -> String {
    let esbuild = root().join("node_modules/.bin/esbuild");
    let out = Command::new(&esbuild)
        .arg(path)
        .args(["--minify-whitespace", "--log-level=error"])
        .output()
        .expect("esbuild (npm install) is needed to check the generated JavaScript");
    assert_success(&out, &format!("esbuild {}", path.display()));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn minified_glue_is_the_same_program_for_every_feature_set() {
    let dir = tempfile::tempdir().unwrap();
    let sets = consistent_sets();
    assert_eq!(sets.len(), 384);
    for (k, features) in sets.iter().enumerate() {
        let readable = select(RUNTIME, features);
        let small = minify(&readable);
        assert!(
            small.len() * 3 < readable.len() * 2,
            "{:?}: minified {} of {} bytes",
            features.names(),
            small.len(),
            readable.len()
        );
        let (a, b) = (
            dir.path().join(format!("{k}.js")),
            dir.path().join(format!("{k}.min.js")),
        );
        std::fs::write(&a, &readable).unwrap();
        std::fs::write(&b, &small).unwrap();
        assert!(
            canonical(&a) == canonical(&b),
            "{:?}: the minified runtime is not the same program",
            features.names()
        );
    }
}

#[test]
fn minified_fixture_build_passes_its_cases() {
    let fixtures = root().join("fixtures/numba-0.68.1");
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let mut args = vec!["build", "-o", out_dir, "--name", "kernels", "--minify"];
    let files = ll_files(&fixtures.join("opt"));
    args.extend(files.iter().map(String::as_str));
    assert_success(&run_cli(&args, b""), "numba-wasm build --minify");
    run_cases_in_node(&dir.path().join("kernels.js"), &fixtures.join("cases.json"));
}
