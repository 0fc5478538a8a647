//! Stage 4: LLVM's optimization pipeline for wasm32 (simd128 on, unless
//! `--no-simd`) and emission of a wasm object file.

use std::ffi::{CStr, c_char, c_int};

use anyhow::{Result, anyhow, bail};
use inkwell::OptimizationLevel;
use inkwell::llvm_sys::core::{LLVMDisposeMemoryBuffer, LLVMGetBufferSize, LLVMGetBufferStart};
use inkwell::llvm_sys::prelude::{LLVMMemoryBufferRef, LLVMModuleRef};
use inkwell::llvm_sys::target_machine::LLVMTargetMachineRef;
use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, InitializationConfig, RelocMode, Target, TargetMachine, TargetTriple,
};
use serde::{Deserialize, Serialize};

pub const TRIPLE: &str = "wasm32-unknown-unknown";

/// Features every current browser and Node >= 20 support, besides SIMD
/// ([`SimdLevel`]).
pub const BASE_FEATURES: &str =
    "+bulk-memory,+sign-ext,+mutable-globals,+nontrapping-fptoint,+multivalue";

/// Which 128-bit SIMD instructions a module may hold: `--no-simd`, the
/// default, `--relaxed-simd`. The kernels are compiled and the runtime shim
/// linked (`shim::archive`) at the same level; the metadata section records
/// it (absent: `simd128`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SimdLevel {
    /// No SIMD opcode at all, for engines without SIMD.
    None,
    /// simd128 (Chrome 91, Firefox 89, Safari 16.4, Node 16.4).
    #[default]
    Simd128,
    /// simd128 plus relaxed SIMD (Chrome 114, Node 22; Node 20 with
    /// `--experimental-wasm-relaxed-simd`): fused multiply-add at the
    /// engine's choice, so float results may round differently from native.
    Relaxed,
}

impl SimdLevel {
    /// LLVM's feature string for this level.
    pub fn features(self) -> String {
        let simd = match self {
            SimdLevel::None => "-simd128,-relaxed-simd",
            SimdLevel::Simd128 => "+simd128,-relaxed-simd",
            SimdLevel::Relaxed => "+simd128,+relaxed-simd",
        };
        format!("{simd},{BASE_FEATURES}")
    }

    /// The name the metadata, `--message-format json` and the Python helper use.
    pub fn name(self) -> &'static str {
        match self {
            SimdLevel::None => "none",
            SimdLevel::Simd128 => "simd128",
            SimdLevel::Relaxed => "relaxed",
        }
    }
}

impl std::fmt::Display for SimdLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A wasm32 target machine at the default SIMD level.
pub fn target_machine() -> Result<TargetMachine> {
    target_machine_for(SimdLevel::default())
}

pub fn target_machine_for(simd: SimdLevel) -> Result<TargetMachine> {
    Target::initialize_webassembly(&InitializationConfig::default());
    let triple = TargetTriple::create(TRIPLE);
    let target =
        Target::from_triple(&triple).map_err(|e| anyhow!("LLVM has no wasm32 target: {e}"))?;
    target
        .create_target_machine(
            &triple,
            "generic",
            &simd.features(),
            OptimizationLevel::Aggressive,
            RelocMode::Static,
            CodeModel::Default,
        )
        .ok_or_else(|| anyhow!("LLVM could not create a wasm32 target machine"))
}

pub fn optimize(module: &Module<'_>, machine: &TargetMachine) -> Result<()> {
    module.verify().map_err(|e| {
        anyhow!(
            "internal error: the rewritten module is not valid LLVM IR: {}",
            e.to_string_lossy()
        )
    })?;
    let options = PassBuilderOptions::create();
    options.set_loop_vectorization(true);
    options.set_loop_slp_vectorization(true);
    options.set_loop_unrolling(true);
    let _doing = crate::diagnostic::doing("optimizing the module");
    module
        .run_passes("default<O3>", machine, options)
        .map_err(|e| anyhow!("LLVM optimization failed: {}", e.to_string_lossy()))
}

unsafe extern "C" {
    /// src/emit_object.cpp: emission that keeps the module's data layout
    /// (the C API's `LLVMTargetMachineEmitToMemoryBuffer` resets it).
    fn nw_emit_object(
        tm: LLVMTargetMachineRef,
        module: LLVMModuleRef,
        out: *mut LLVMMemoryBufferRef,
        error: *mut *mut c_char,
    ) -> c_int;
}

pub fn emit_object(module: &Module<'_>, machine: &TargetMachine) -> Result<Vec<u8>> {
    let _doing = crate::diagnostic::doing("generating wasm32 code");
    let mut buf: LLVMMemoryBufferRef = std::ptr::null_mut();
    let mut error: *mut c_char = std::ptr::null_mut();
    // SAFETY: both handles are live for the call; the buffer and the error
    // string are owned by us afterwards and released here.
    unsafe {
        if nw_emit_object(
            machine.as_mut_ptr(),
            module.as_mut_ptr(),
            &mut buf,
            &mut error,
        ) != 0
        {
            let msg = CStr::from_ptr(error).to_string_lossy().into_owned();
            libc_free(error.cast());
            bail!("LLVM code generation failed: {msg}");
        }
        let start = LLVMGetBufferStart(buf).cast::<u8>();
        let bytes = std::slice::from_raw_parts(start, LLVMGetBufferSize(buf)).to_vec();
        LLVMDisposeMemoryBuffer(buf);
        Ok(bytes)
    }
}

unsafe extern "C" {
    /// src/emit_object.cpp: route LLVM's fatal and allocation errors.
    fn nw_install_llvm_error_handlers(report: extern "C" fn(*const c_char));
}

/// Have LLVM call `report` with its message instead of printing "LLVM
/// ERROR" and aborting. `report` must not return (it exits the process);
/// [`crate::diagnostic::activity`] says what numba-wasm was doing.
pub fn on_llvm_fatal_error(report: extern "C" fn(*const c_char)) {
    // SAFETY: installs process-wide handlers; `report` is a plain function.
    unsafe { nw_install_llvm_error_handlers(report) }
}

unsafe extern "C" {
    #[link_name = "free"]
    fn libc_free(p: *mut std::ffi::c_void);
}
