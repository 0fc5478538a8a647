//! Builds the runtime shim (shims/) for wasm32-unknown-unknown, once per
//! SIMD level, and embeds it in the CLI with the list of symbols it defines;
//! links LLVM and lld's wasm linker in statically, so that `numba-wasm` is
//! one self-contained binary.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    build_llvm_parts();
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let shims = manifest.join("shims");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let target_dir = out.join("shim-target");
    for p in ["src", "Cargo.toml", "Cargo.lock", ".cargo/config.toml"] {
        println!("cargo:rerun-if-changed=shims/{p}");
    }
    // The shim includes the struct offsets the CLI reports to hosts.
    println!("cargo:rerun-if-changed=src/abi/layout.rs");

    // The shim per SIMD level (src/codegen.rs `SimdLevel`). A wasm module
    // cannot choose its instructions at run time: an engine without SIMD
    // refuses the whole module if any function holds one SIMD opcode, so the
    // shim is compiled once per level and the CLI links the matching one.
    // (Compiling it when numba-wasm runs would need cargo and rustc there.)
    // Only the shim's own object (its code, libm and core, LTO'd into one)
    // differs between levels; the rest of the archive, compiler-builtins
    // prebuilt by rustup, is the same bytes at every level and is embedded
    // once: `libnumba_wasm_rt.a` beside one `libnumba_wasm_shim_LEVEL.a` each
    // (about 0.5 MB each instead of 4.5 MB).
    let mut symbols: Option<Vec<String>> = None;
    let mut common: Option<Vec<(String, Vec<u8>)>> = None;
    for (level, features) in [
        ("simd128", "+simd128"),
        ("none", "-simd128"),
        ("relaxed", "+simd128,+relaxed-simd"),
    ] {
        let lib = build_shim(&shims, &target_dir.join(level), features);
        let bytes = std::fs::read(&lib).expect("shim archive missing");
        let defined = archive_symbols(&bytes);
        assert!(!defined.is_empty(), "the shim archive has no symbol table");
        match &symbols {
            None => symbols = Some(defined),
            Some(first) => assert!(
                *first == defined,
                "the {level} shim defines other symbols than the simd128 one"
            ),
        }
        let (own, rest): (Vec<_>, Vec<_>) = archive_members(&lib)
            .into_iter()
            .partition(|(name, _)| name.starts_with("numba_wasm_shim-"));
        assert!(
            !own.is_empty(),
            "no numba_wasm_shim object in {}",
            lib.display()
        );
        match &common {
            None => common = Some(rest),
            Some(first) => assert!(
                *first == rest,
                "the {level} shim archive's other members differ from the simd128 one's"
            ),
        }
        write_archive(&out.join(format!("libnumba_wasm_shim_{level}.a")), &own);
    }
    write_archive(&out.join("libnumba_wasm_rt.a"), &common.unwrap());
    let list: String = symbols
        .unwrap()
        .iter()
        .map(|s| format!("    {s:?},\n"))
        .collect();
    std::fs::write(out.join("shim_symbols.rs"), format!("&[\n{list}]\n")).unwrap();
}

/// `cargo build` the shim with these wasm target features; the archive.
fn build_shim(shims: &Path, target_dir: &Path, features: &str) -> PathBuf {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(shims)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--target-dir",
        ])
        .arg(target_dir);
    // The outer build's flags are for the host; the shim has its own.
    for var in [
        "RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        cmd.env_remove(var);
    }
    // Replaces shims/.cargo/config.toml's rustflags (which are for building
    // shims/ by hand, at the default level).
    cmd.env(
        "CARGO_ENCODED_RUSTFLAGS",
        format!("-Ctarget-feature={features}"),
    );
    let status = cmd
        .status()
        .expect("cannot run cargo to build the runtime shim");
    if !status.success() {
        panic!(
            "building the runtime shim ({features}) failed; is the wasm32 target installed? \
             (`rustup target add wasm32-unknown-unknown`)"
        );
    }
    target_dir.join("wasm32-unknown-unknown/release/libnumba_wasm_shim.a")
}

/// LLVM's `llvm-ar` (beside `llvm-config`).
fn llvm_ar() -> Command {
    Command::new(PathBuf::from(llvm_config(&["--bindir"])).join("llvm-ar"))
}

/// The members of an archive, in order: (name, bytes).
fn archive_members(lib: &Path) -> Vec<(String, Vec<u8>)> {
    let dir = lib.with_extension("members");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let list = llvm_ar()
        .arg("t")
        .arg(lib)
        .output()
        .expect("cannot run llvm-ar");
    assert!(list.status.success(), "llvm-ar t {} failed", lib.display());
    let status = llvm_ar()
        .arg("x")
        .arg(lib)
        .current_dir(&dir)
        .status()
        .expect("cannot run llvm-ar");
    assert!(status.success(), "llvm-ar x {} failed", lib.display());
    let names: Vec<String> = String::from_utf8(list.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        names.len(),
        "{}: duplicate member names",
        lib.display()
    );
    names
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

/// An archive (with a symbol table) of these members, in order.
fn write_archive(path: &Path, members: &[(String, Vec<u8>)]) {
    let dir = path.with_extension("members");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in members {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let _ = std::fs::remove_file(path);
    let status = llvm_ar()
        .arg("rcs")
        .arg(path)
        .args(members.iter().map(|(n, _)| n))
        .current_dir(&dir)
        .status()
        .expect("cannot run llvm-ar");
    assert!(status.success(), "llvm-ar rcs {} failed", path.display());
}

/// LLVM 22 (Debian's llvm-22-dev, or `LLVM_SYS_221_PREFIX`): its
/// `llvm-config`.
fn llvm_config(args: &[&str]) -> String {
    let prefix = env::var("LLVM_SYS_221_PREFIX").unwrap_or_else(|_| "/usr/lib/llvm-22".into());
    let config = PathBuf::from(&prefix).join("bin/llvm-config");
    let out = Command::new(&config)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} (apt-get install llvm-22-dev): {e}",
                config.display()
            )
        });
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}",
        config.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The C++ parts (src/emit_object.cpp, src/wasm_ld.cpp) and LLVM + lld.
///
/// By default LLVM and lld's wasm linker are linked statically, so the
/// binary (and the wheel) needs neither installed. The `dynamic-llvm`
/// feature links the system's libLLVM.so instead: the binary then needs
/// LLVM 22 where it runs.
fn build_llvm_parts() {
    println!("cargo:rerun-if-changed=src/emit_object.cpp");
    println!("cargo:rerun-if-changed=src/wasm_ld.cpp");
    println!("cargo:rerun-if-env-changed=LLVM_SYS_221_PREFIX");
    let dynamic = env::var_os("CARGO_FEATURE_DYNAMIC_LLVM").is_some();
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .file("src/emit_object.cpp")
        .file("src/wasm_ld.cpp")
        .warnings(false)
        // libstdc++ goes last (below): it must follow the LLVM archives.
        .cpp_link_stdlib(None)
        // Linked explicitly below, in order: our code, lld, LLVM, stand-ins.
        .cargo_metadata(false);
    let cxxflags: Vec<String> = llvm_config(&["--cxxflags"])
        .split_whitespace()
        .map(String::from)
        .collect();
    for flag in &cxxflags {
        build.flag(flag);
    }
    build.compile("nw_llvm");
    let out = env::var("OUT_DIR").unwrap();
    println!("cargo:rustc-link-search=native={out}");
    println!("cargo:rustc-link-lib=static:-bundle=nw_llvm");

    let libdir = llvm_config(&["--libdir"]);
    println!("cargo:rustc-link-search=native={libdir}");
    // lld's wasm driver and what it shares with the other lld flavors.
    for lib in ["lldWasm", "lldCommon"] {
        println!("cargo:rustc-link-lib=static:-bundle={lib}");
    }
    if dynamic {
        println!("cargo:rustc-link-lib=dylib=LLVM");
    } else {
        // Only the WebAssembly target, plus what inkwell and lld call.
        let components = [
            "webassembly",
            "irreader",
            "bitreader",
            "bitwriter",
            "passes",
            "linker",
            "lto",
            "option",
            "debuginfodwarf",
            // inkwell's Module drop glue names LLVMDisposeExecutionEngine.
            "executionengine",
        ];
        let mut args = vec!["--link-static", "--libnames"];
        args.extend(components);
        for name in llvm_config(&args).split_whitespace() {
            // Debian builds Polly only as a plugin (LLVMPolly.so, no
            // static library); nothing numba-wasm runs uses it.
            if name.starts_with("libPolly") {
                continue;
            }
            let name = name
                .strip_prefix("lib")
                .and_then(|n| n.strip_suffix(".a"))
                .unwrap_or_else(|| panic!("unexpected LLVM library name {name}"));
            println!("cargo:rustc-link-lib=static:-bundle={name}");
        }
        build_static_stubs(&cxxflags);
        // zlib and zstd (LLVM's compression) statically too: not every
        // manylinux system has them.
        for lib in ["z", "zstd"] {
            println!("cargo:rustc-link-lib=static:-bundle={lib}");
        }
    }
    println!("cargo:rustc-link-lib=dylib=stdc++");
}

/// Stand-ins for what the static build leaves out (src/static_llvm.cpp).
/// lld's wasm driver also registers every LLVM target (for LTO of bitcode
/// inputs, which numba-wasm never passes); only WebAssembly is linked in,
/// and the others' registration functions are empty here.
fn build_static_stubs(cxxflags: &[String]) {
    println!("cargo:rerun-if-changed=src/static_llvm.cpp");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let mut cpp = String::from("// Generated by build.rs: see build_static_stubs.\n");
    for target in llvm_config(&["--targets-built"]).split_whitespace() {
        if target == "WebAssembly" {
            continue;
        }
        for part in [
            "TargetInfo",
            "Target",
            "TargetMC",
            "AsmPrinter",
            "AsmParser",
            "Disassembler",
        ] {
            cpp.push_str(&format!(
                "extern \"C\" void LLVMInitialize{target}{part}() {{}}\n"
            ));
        }
    }
    let file = out.join("target_stubs.cpp");
    std::fs::write(&file, cpp).unwrap();
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .file(&file)
        .file("src/static_llvm.cpp")
        .warnings(false)
        .cpp_link_stdlib(None)
        .cargo_metadata(false);
    for flag in cxxflags {
        build.flag(flag);
    }
    build.compile("nw_static_stubs");
    println!("cargo:rustc-link-lib=static:-bundle=nw_static_stubs");
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
