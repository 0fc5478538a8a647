//! Names from Python land in generated JS and TypeScript, and `wrap` reads
//! them from any `.wasm`: they are untrusted text. A lambda (`<lambda>`),
//! `__proto__`, and names made to break out of a comment or a `<script>`
//! must give a `.js` that loads and keeps them as plain data, and a `.d.ts`
//! that `tsc --strict` accepts.

mod common;

use std::path::Path;

use common::*;

const NAMES: [&str; 4] = ["<lambda>", "__proto__", "x*/ y", "</script><!--"];

/// Build `sq` and rewrite its metadata so that its kernels carry `names`.
fn module_named(names: &[&str], dir: &Path) -> std::path::PathBuf {
    let input = root().join("fixtures/numba-0.68.1/opt/sq.ll");
    let out = run_cli(
        &[
            "build",
            input.to_str().unwrap(),
            "-o",
            dir.to_str().unwrap(),
            "--name",
            "k",
        ],
        b"",
    );
    assert_success(&out, "build sq");
    let path = dir.join("k.wasm");
    let mut module = walrus::Module::from_file(&path).unwrap();
    let id = module
        .customs
        .iter()
        .find(|(_, s)| s.name() == "numba_wasm")
        .map(|(id, _)| id)
        .unwrap();
    let section = module.customs.delete(id).unwrap();
    let mut meta: serde_json::Value =
        serde_json::from_slice(&section.data(&Default::default())).unwrap();
    for (export, name) in meta["exports"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(names)
    {
        export["name"] = (*name).into();
        export["qualname"] = format!("kernels.{name}").into();
    }
    module.customs.add(walrus::RawCustomSection {
        name: "numba_wasm".into(),
        data: serde_json::to_vec(&meta).unwrap(),
    });
    module.emit_wasm_file(&path).unwrap();
    path
}

#[test]
fn hostile_names_stay_data_in_generated_code() {
    let tmp = tempfile::tempdir().unwrap();
    // sq has two overloads; give them two of the names at a time.
    for pair in NAMES.chunks(2) {
        let dir = tmp
            .path()
            .join(pair[0].len().to_string() + &pair.len().to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let wasm = module_named(pair, &dir);
        assert_success(&run_cli(&["wrap", wasm.to_str().unwrap()], b""), "wrap");
        let js = std::fs::read_to_string(dir.join("k.js")).unwrap();
        assert!(
            !js.contains("</script>") && !js.contains("<!--"),
            "{}",
            pair.join(" ")
        );
        let dts = std::fs::read_to_string(dir.join("k.d.ts")).unwrap();
        if pair.contains(&"x*/ y") {
            // In the doc comment the terminator is escaped; the property
            // name is a string literal.
            assert!(dts.contains("`kernels.x*\\/ y`"), "{dts}");
            assert!(dts.contains("readonly \"x*/ y\": {"), "{dts}");
        }

        // The JS loads and exposes each kernel under its exact name.
        let script = format!(
            "const {{ load }} = await import({:?});\n\
             const m = await load();\n\
             for (const name of {}) {{\n\
               const f = m.kernels[name];\n\
               if (typeof f !== 'function') throw new Error('missing ' + name);\n\
               if (f.name !== name) throw new Error('renamed ' + name);\n\
             }}\n\
             if (Object.getPrototypeOf(m.kernels) !== null) throw new Error('kernels has a prototype');\n\
             console.log('ok');",
            url(&dir.join("k.js")),
            serde_json::to_string(pair).unwrap()
        );
        let out = std::process::Command::new("node")
            .args(["--input-type=module", "-e", &script])
            .output()
            .expect("node");
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("ok"),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );

        // tsc --strict accepts the declarations.
        let tsc = root().join("node_modules/.bin/tsc");
        let out = std::process::Command::new(&tsc)
            .args([
                "--noEmit",
                "--strict",
                "--target",
                "es2022",
                "--lib",
                "es2022,dom",
            ])
            .arg(dir.join("k.d.ts"))
            .output()
            .expect("tsc");
        assert!(
            out.status.success(),
            "tsc rejects the .d.ts for {pair:?}:\n{}\n{dts}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

fn url(path: &Path) -> String {
    format!("file://{}", path.display())
}
