//! Stage 5: link the kernel object with the runtime shim using wasm-ld.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context as _, Result, bail};

use crate::shim;

/// wasm-ld from `NUMBA_WASM_LD`, else LLVM 22's (Debian `lld-22`), else PATH.
pub fn find_wasm_ld() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("NUMBA_WASM_LD") {
        return Ok(PathBuf::from(p));
    }
    for candidate in ["wasm-ld-22", "/usr/lib/llvm-22/bin/wasm-ld", "wasm-ld"] {
        if let Ok(p) = which::which(candidate) {
            return Ok(p);
        }
    }
    bail!(
        "wasm-ld not found: install LLVM 22's linker (`apt-get install lld-22`) or set NUMBA_WASM_LD"
    )
}

/// Undefined symbols wasm-ld complained about, if that is why it failed.
pub fn undefined_symbols(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| {
            l.split_once("undefined symbol: ")
                .map(|(_, s)| s.trim().to_string())
        })
        .collect()
}

pub fn link(object: &[u8], exports: &[String]) -> Result<Vec<u8>> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let obj = dir.path().join("kernels.o");
    let lib = dir.path().join("libnumba_wasm_shim.a");
    let out = dir.path().join("out.wasm");
    std::fs::write(&obj, object).with_context(|| format!("cannot write `{}`", obj.display()))?;
    std::fs::write(&lib, shim::ARCHIVE)
        .with_context(|| format!("cannot write `{}`", lib.display()))?;
    let mut cmd = Command::new(find_wasm_ld()?);
    cmd.arg("--no-entry")
        .arg("--gc-sections")
        .arg("--strip-debug")
        .arg("--stack-first")
        .arg("-z")
        .arg("stack-size=1048576")
        .arg("-O2");
    for e in exports.iter().map(String::as_str).chain(shim::HOST_EXPORTS) {
        cmd.arg(format!("--export={e}"));
        cmd.arg(format!("--undefined={e}"));
    }
    cmd.arg(&obj).arg(&lib).arg("-o").arg(&out);
    let output = cmd.output().context("cannot run wasm-ld")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let undefined = undefined_symbols(&stderr);
        if !undefined.is_empty() {
            bail!("wasm-ld: undefined symbols: {}", undefined.join(", "));
        }
        bail!("wasm-ld failed:\n{stderr}");
    }
    std::fs::read(&out).with_context(|| format!("wasm-ld wrote no `{}`", out.display()))
}
