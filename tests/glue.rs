//! The generated JavaScript in every form a module can get: each consistent
//! set of template sections (src/glue/features.rs), readable and minified,
//! parses (esbuild), and uses no name its sections left out. Minified
//! builds of the fixtures, with and without the general call path, pass
//! their cases in Node.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use numba_wasm::glue::RUNTIME;
use numba_wasm::glue::features::{Feature, Features, select};
use numba_wasm::glue::minify::{minify, minify_with};

/// The feature sets a module can have: records come with arrays, the
/// pickle decoder with raising; strings,
/// tuples, containers and overloads with the general call path, which
/// arrays may have or not; SIMD instructions and random states go with any.
fn consistent_sets() -> Vec<Features> {
    let optional = [
        Feature::Arrays,
        Feature::Records,
        Feature::Strings,
        Feature::Tuples,
        Feature::Overloads,
        Feature::Containers,
        Feature::Raises,
        Feature::Pickles,
        Feature::Simd,
        Feature::Random,
    ];
    let mut out = Vec::new();
    for bits in 0..(1u32 << optional.len()) {
        let mut set: Vec<Feature> = (0..optional.len())
            .filter(|k| bits & (1 << k) != 0)
            .map(|k| optional[k])
            .collect();
        if set.contains(&Feature::Records) && !set.contains(&Feature::Arrays)
            || set.contains(&Feature::Pickles) && !set.contains(&Feature::Raises)
        {
            continue;
        }
        // Strings, tuples, containers and overloads need the general call
        // path; arrays may go without it (the direct path takes them).
        let needs = |f: &Feature| {
            matches!(
                f,
                Feature::Strings | Feature::Tuples | Feature::Overloads | Feature::Containers
            )
        };
        if set.iter().any(needs) {
            set.push(Feature::General);
        } else if set.contains(&Feature::Arrays) {
            out.push(Features::new(set.clone()));
            set.push(Feature::General);
        }
        out.push(Features::new(set));
    }
    out
}

/// esbuild's whitespace-minified print of a file. Panics with esbuild's
/// message if it does not parse.
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

/// Top-level functions, classes and constants, and `Runtime` methods, of a
/// runtime template (readable form: one declaration per line).
fn declared(template: &str) -> Vec<(String, bool)> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
            .collect()
    };
    let mut out = Vec::new();
    for line in template.lines() {
        let top = line
            .trim_start_matches("export ")
            .trim_start_matches("async ");
        for kw in ["function ", "class ", "const ", "let "] {
            if let Some(rest) = top.strip_prefix(kw) {
                out.push((ident(rest), false));
            }
        }
        // A method: two spaces, a name, its parameters, a body.
        if let Some(rest) = line.strip_prefix("  ")
            && !rest.starts_with(' ')
            && line.trim_end().ends_with('{')
        {
            let name = ident(
                rest.trim_start_matches("static ")
                    .trim_start_matches("async "),
            );
            let after = &rest[rest.find(&name).unwrap_or(0) + name.len()..];
            if !name.is_empty()
                && after.starts_with('(')
                && !["if", "for", "while", "switch", "catch"].contains(&name.as_str())
            {
                out.push((name, true));
            }
        }
    }
    out
}

/// Names the full runtime declares that a selection uses (outside string
/// literals) without declaring them: code a section needs that another
/// section removed.
fn undefined_names(readable: &str, minified: &str) -> Vec<String> {
    let all = declared(RUNTIME);
    let kept = declared(readable);
    let code = without_strings(minified);
    let mut missing = Vec::new();
    for d in all {
        if kept.contains(&d) || missing.contains(&d.0) {
            continue;
        }
        let used = if d.1 {
            has_token(&code, &format!("this.{}", d.0))
        } else {
            code.match_indices(d.0.as_str()).any(|(i, _)| {
                let before = code[..i].chars().next_back();
                let after = code[i + d.0.len()..].chars().next();
                let part = |c: Option<char>| {
                    c.is_some_and(|c| {
                        c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '.' || c == '#'
                    })
                };
                !part(before)
                    && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
                    && after != Some(':')
            })
        };
        if used {
            missing.push(d.0);
        }
    }
    missing
}

fn has_token(code: &str, t: &str) -> bool {
    code.match_indices(t).any(|(i, _)| {
        !code[i + t.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    })
}

/// The code with the text of string and template literals blanked (the
/// code inside `${}` kept).
fn without_strings(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut quote: Option<char> = None;
    let mut templates: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                if c == '\\' {
                    chars.next();
                } else if q == '`' && c == '$' && chars.peek() == Some(&'{') {
                    chars.next();
                    out.push_str("${");
                    templates.push(depth);
                    depth += 1;
                    quote = None;
                } else if c == q {
                    quote = None;
                    out.push(c);
                }
            }
            None => {
                if c == '"' || c == '\'' || c == '`' {
                    quote = Some(c);
                } else if c == '{' {
                    depth += 1;
                } else if c == '}' {
                    depth = depth.saturating_sub(1);
                    if templates.last() == Some(&depth) {
                        templates.pop();
                        quote = Some('`');
                    }
                }
                out.push(c);
            }
        }
    }
    out
}

#[test]
fn minified_glue_parses_for_every_feature_set() {
    let dir = tempfile::tempdir().unwrap();
    let sets = consistent_sets();
    assert_eq!(sets.len(), 600);
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
        // Without comments and layout, names kept: every name it uses is
        // declared in the sections kept.
        let bare = minify_with(&readable, false);
        let missing = undefined_names(&readable, &bare);
        assert!(
            missing.is_empty(),
            "{:?}: uses names its sections left out: {missing:?}",
            features.names()
        );
        let (a, c) = (
            dir.path().join(format!("{k}.js")),
            dir.path().join(format!("{k}.min.js")),
        );
        std::fs::write(&a, &readable).unwrap();
        std::fs::write(&c, &small).unwrap();
        canonical(&a);
        canonical(&c);
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

#[test]
fn array_kernels_without_the_general_path_pass_their_cases() {
    // The fixtures of functions compiled for one signature take and return
    // only scalars and arrays: their glue has the direct call path alone.
    let fixtures = root().join("fixtures/numba-0.68.1");
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let all_files = ll_files(&fixtures.join("opt"));
    let mut inspect = vec!["inspect"];
    inspect.extend(all_files.iter().map(String::as_str));
    let listing = run_cli(&inspect, b"");
    assert_success(&listing, "numba-wasm inspect");
    let names: Vec<String> = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .filter_map(|l| {
            l.strip_prefix("kernels.")?
                .split_whitespace()
                .next()
                .map(str::to_owned)
        })
        .collect();
    let single = |n: &String| names.iter().filter(|m| *m == n).count() == 1;
    let kept: Vec<&String> = names.iter().filter(|n| single(n)).collect();
    let files: Vec<String> = all_files
        .into_iter()
        .filter(|f| kept.iter().any(|n| f.ends_with(&format!("/{n}.ll"))))
        .collect();
    assert!(files.len() >= 10, "{files:?}");
    let mut args = vec!["build", "-o", out_dir, "--name", "kernels", "--minify"];
    args.extend(files.iter().map(String::as_str));
    assert_success(&run_cli(&args, b""), "numba-wasm build --minify");
    let js = std::fs::read_to_string(dir.path().join("kernels.js")).unwrap();
    assert!(js.contains("noCopy") && !js.contains("invoke("));
    let mut cases: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures.join("cases.json")).unwrap()).unwrap();
    let all = cases["cases"].as_array_mut().unwrap();
    all.retain(|c| kept.iter().any(|n| c["func"] == n.as_str()));
    assert!(all.len() >= 20);
    let filtered = dir.path().join("cases.json");
    std::fs::write(&filtered, serde_json::to_vec(&cases).unwrap()).unwrap();
    run_cases_in_node(&dir.path().join("kernels.js"), &filtered);
}
