//! Stage 5: link the kernel object with the runtime shim using lld's
//! WebAssembly linker, linked into numba-wasm (src/wasm_ld.cpp).

use std::ffi::{CStr, CString, c_char, c_int};
use std::sync::Mutex;

use anyhow::{Context as _, Result, bail};

use crate::codegen::SimdLevel;
use crate::shim;

unsafe extern "C" {
    /// src/wasm_ld.cpp: `wasm-ld` in process.
    fn nw_wasm_ld(
        argv: *const *const c_char,
        argc: usize,
        messages: *mut *mut c_char,
        can_run_again: *mut c_int,
    ) -> c_int;
    #[link_name = "free"]
    fn libc_free(p: *mut std::ffi::c_void);
}

/// Run lld's wasm driver on `args` (without the program name): its exit
/// code and everything it printed.
fn wasm_ld(args: &[String]) -> Result<(i32, String)> {
    // lld keeps process-wide state (its CommonLinkerContext): one link at a
    // time (the CLI links once; tests link from several threads), and none
    // after a fatal error, which leaves that state behind.
    static LLD_USABLE: Mutex<bool> = Mutex::new(true);
    let mut usable = LLD_USABLE.lock().unwrap_or_else(|e| e.into_inner());
    if !*usable {
        bail!("wasm-ld cannot run again in this process after its fatal error");
    }
    let args: Vec<CString> = std::iter::once("wasm-ld")
        .chain(args.iter().map(String::as_str))
        .map(CString::new)
        .collect::<Result<_, _>>()
        .context("a wasm-ld argument contains a NUL byte")?;
    let argv: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
    let mut messages: *mut c_char = std::ptr::null_mut();
    let mut can_run_again: c_int = 1;
    // SAFETY: argv points to `args`, live for the call; lld hands back a
    // malloc'd string, copied and freed here.
    let result = unsafe {
        let code = nw_wasm_ld(argv.as_ptr(), argv.len(), &mut messages, &mut can_run_again);
        let text = if messages.is_null() {
            String::new()
        } else {
            let text = CStr::from_ptr(messages).to_string_lossy().into_owned();
            libc_free(messages.cast());
            text
        };
        (code, text)
    };
    *usable = can_run_again != 0;
    Ok(result)
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

/// Link the kernels' object with the shim built at `simd`. `exports`: the
/// entry exports and the host exports the module needs beyond
/// [`shim::HOST_EXPORTS`].
pub fn link(object: &[u8], exports: &[String], simd: SimdLevel) -> Result<Vec<u8>> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let obj = dir.path().join("kernels.o");
    let lib = dir.path().join("libnumba_wasm_shim.a");
    let rt = dir.path().join("libnumba_wasm_rt.a");
    let out = dir.path().join("out.wasm");
    std::fs::write(&obj, object).with_context(|| format!("cannot write `{}`", obj.display()))?;
    for (path, bytes) in [(&lib, shim::archive(simd)), (&rt, shim::RUNTIME)] {
        std::fs::write(path, bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    let mut args: Vec<String> = [
        "--no-entry",
        "--gc-sections",
        "--strip-debug",
        "--stack-first",
        "-z",
        "stack-size=1048576",
        "-O2",
    ]
    .map(String::from)
    .to_vec();
    for e in exports.iter().map(String::as_str).chain(shim::HOST_EXPORTS) {
        args.push(format!("--export={e}"));
        args.push(format!("--undefined={e}"));
    }
    for path in [&obj, &lib, &rt] {
        args.push(
            path.to_str()
                .context("non-UTF-8 temporary path")?
                .to_string(),
        );
    }
    args.push("-o".into());
    args.push(
        out.to_str()
            .context("non-UTF-8 temporary path")?
            .to_string(),
    );
    let (code, messages) = {
        let _doing = crate::diagnostic::doing("linking with wasm-ld");
        wasm_ld(&args)?
    };
    if code != 0 {
        let undefined = undefined_symbols(&messages);
        if !undefined.is_empty() {
            bail!("wasm-ld: undefined symbols: {}", undefined.join(", "));
        }
        bail!("wasm-ld failed:\n{messages}");
    }
    std::fs::read(&out).with_context(|| format!("wasm-ld wrote no `{}`", out.display()))
}

#[cfg(test)]
mod tests {
    use inkwell::OptimizationLevel;
    use inkwell::context::Context;
    use inkwell::memory_buffer::MemoryBuffer;
    use inkwell::targets::{
        CodeModel, InitializationConfig, RelocMode, Target, TargetMachine, TargetTriple,
    };

    use super::*;
    use crate::codegen;

    fn object_for(ir: &str, machine: &TargetMachine) -> Vec<u8> {
        let ctx = Context::create();
        let buf = MemoryBuffer::create_from_memory_range_copy(ir.as_bytes(), "t");
        let module = ctx.create_module_from_ir(buf).unwrap();
        module.set_triple(&machine.get_triple());
        module.set_data_layout(&machine.get_target_data().get_data_layout());
        codegen::emit_object(&module, machine).unwrap()
    }

    fn object(ir: &str) -> Vec<u8> {
        object_for(ir, &codegen::target_machine().unwrap())
    }

    #[test]
    fn links_in_process() {
        let obj = object("define i32 @k(i32 %x) {\n  %y = add i32 %x, 1\n  ret i32 %y\n}\n");
        let wasm = link(&obj, &["k".into()], SimdLevel::default()).unwrap();
        let module = walrus::Module::from_buffer(&wasm).unwrap();
        assert!(module.exports.iter().any(|e| e.name == "k"));
    }

    #[test]
    fn undefined_symbols_are_named() {
        let obj = object(
            "declare i32 @nw_no_such_helper(i32)\n\
             define i32 @k(i32 %x) {\n  %y = call i32 @nw_no_such_helper(i32 %x)\n  ret i32 %y\n}\n",
        );
        let err = link(&obj, &["k".into()], SimdLevel::default())
            .unwrap_err()
            .to_string();
        assert_eq!(err, "wasm-ld: undefined symbols: nw_no_such_helper");
    }

    #[test]
    fn lld_errors_reach_the_message() {
        let err = link(b"not an object file", &[], SimdLevel::default())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("wasm-ld failed:"), "{err}");
        assert!(err.contains("error: unknown file type: "), "{err}");
        assert!(err.trim_end().ends_with("kernels.o"), "{err}");
    }

    const FATAL_CHILD: &str = "NUMBA_WASM_TEST_LLD_FATAL";

    /// lld's fatal errors (here: a wasm64 object in a wasm32 link) come back
    /// as a failed link, and lld is not run again in that process. In a
    /// child process: that leaves lld unusable for the other tests.
    #[test]
    fn lld_fatal_error_is_a_failed_link() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "link::tests::fatal_child",
                "--ignored",
                "--nocapture",
            ])
            .env(FATAL_CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("test link::tests::fatal_child ... ok"),
            "{stdout}"
        );
    }

    #[test]
    #[ignore = "run by lld_fatal_error_is_a_failed_link in a child process"]
    fn fatal_child() {
        if std::env::var_os(FATAL_CHILD).is_none() {
            return;
        }
        Target::initialize_webassembly(&InitializationConfig::default());
        let triple = TargetTriple::create("wasm64-unknown-unknown");
        let wasm64 = Target::from_triple(&triple)
            .unwrap()
            .create_target_machine(
                &triple,
                "generic",
                "",
                OptimizationLevel::None,
                RelocMode::Static,
                CodeModel::Default,
            )
            .unwrap();
        let obj = object_for("define i32 @k() {\n  ret i32 1\n}\n", &wasm64);
        let err = link(&obj, &["k".into()], SimdLevel::default())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("wasm-ld failed:"), "{err}");
        assert!(err.contains("must specify -mwasm64"), "{err}");
        let good = object("define i32 @k() {\n  ret i32 1\n}\n");
        let err = link(&good, &["k".into()], SimdLevel::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot run again"), "{err}");
    }
}
