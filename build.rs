//! Builds the runtime shim (shims/) for wasm32-unknown-unknown and embeds it
//! in the CLI, with the list of symbols it defines, so that `numba-wasm` is
//! one self-contained binary.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    build_emitter();
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let shims = manifest.join("shims");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let target_dir = out.join("shim-target");
    for p in ["src", "Cargo.toml", "Cargo.lock", ".cargo/config.toml"] {
        println!("cargo:rerun-if-changed=shims/{p}");
    }
    // The shim includes the struct offsets the CLI reports to hosts.
    println!("cargo:rerun-if-changed=src/abi/layout.rs");

    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&shims)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--target-dir",
        ])
        .arg(&target_dir);
    // The outer build's flags are for the host; the shim has its own config.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd
        .status()
        .expect("cannot run cargo to build the runtime shim");
    if !status.success() {
        panic!(
            "building the runtime shim failed; is the wasm32 target installed? \
             (`rustup target add wasm32-unknown-unknown`)"
        );
    }
    let lib = target_dir.join("wasm32-unknown-unknown/release/libnumba_wasm_shim.a");
    let bytes = std::fs::read(&lib).expect("shim archive missing");
    let symbols = archive_symbols(&bytes);
    assert!(!symbols.is_empty(), "the shim archive has no symbol table");

    std::fs::copy(&lib, out.join("libnumba_wasm_shim.a")).unwrap();
    let list: String = symbols.iter().map(|s| format!("    {s:?},\n")).collect();
    std::fs::write(out.join("shim_symbols.rs"), format!("&[\n{list}]\n")).unwrap();
}

/// The C++ object emitter (src/emit_object.cpp), against LLVM 22's headers.
fn build_emitter() {
    println!("cargo:rerun-if-changed=src/emit_object.cpp");
    println!("cargo:rerun-if-env-changed=LLVM_SYS_221_PREFIX");
    let prefix = env::var("LLVM_SYS_221_PREFIX").unwrap_or_else(|_| "/usr/lib/llvm-22".into());
    let config = PathBuf::from(&prefix).join("bin/llvm-config");
    let cxxflags = Command::new(&config)
        .arg("--cxxflags")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} (apt-get install llvm-22-dev): {e}",
                config.display()
            )
        });
    let mut build = cc::Build::new();
    build.cpp(true).file("src/emit_object.cpp").warnings(false);
    for flag in String::from_utf8(cxxflags.stdout)
        .unwrap()
        .split_whitespace()
    {
        build.flag(flag);
    }
    build.compile("nw_emit_object");
}

/// Symbols of a GNU-format archive's symbol table (the `/` member).
fn archive_symbols(bytes: &[u8]) -> Vec<String> {
    assert!(bytes.starts_with(b"!<arch>\n"), "not an ar archive");
    let mut pos = 8;
    while pos + 60 <= bytes.len() {
        let header = &bytes[pos..pos + 60];
        let name = std::str::from_utf8(&header[..16]).unwrap_or("").trim_end();
        let size: usize = std::str::from_utf8(&header[48..58])
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let body = &bytes[pos + 60..pos + 60 + size];
        if name == "/" {
            let count = u32::from_be_bytes(body[..4].try_into().unwrap()) as usize;
            let strings = &body[4 + 4 * count..];
            let mut out: Vec<String> = strings
                .split(|b| *b == 0)
                .take(count)
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect();
            out.sort();
            out.dedup();
            return out;
        }
        pos += 60 + size + (size & 1);
    }
    Vec::new()
}
