//! Stage 4: LLVM's optimization pipeline for wasm32 (simd128 on) and
//! emission of a wasm object file.

use anyhow::{Result, anyhow};
use inkwell::OptimizationLevel;
use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine, TargetTriple,
};

pub const TRIPLE: &str = "wasm32-unknown-unknown";

/// Features every current browser and Node >= 20 support.
pub const FEATURES: &str =
    "+simd128,+bulk-memory,+sign-ext,+mutable-globals,+nontrapping-fptoint,+multivalue";

pub fn target_machine() -> Result<TargetMachine> {
    Target::initialize_webassembly(&InitializationConfig::default());
    let triple = TargetTriple::create(TRIPLE);
    let target =
        Target::from_triple(&triple).map_err(|e| anyhow!("LLVM has no wasm32 target: {e}"))?;
    target
        .create_target_machine(
            &triple,
            "generic",
            FEATURES,
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
    module
        .run_passes("default<O3>", machine, options)
        .map_err(|e| anyhow!("LLVM optimization failed: {}", e.to_string_lossy()))
}

pub fn emit_object(module: &Module<'_>, machine: &TargetMachine) -> Result<Vec<u8>> {
    let buf = machine
        .write_to_memory_buffer(module, FileType::Object)
        .map_err(|e| anyhow!("LLVM code generation failed: {}", e.to_string_lossy()))?;
    Ok(buf.as_slice().to_vec())
}
