//! Stage 2: the merged Numba module -> a module for wasm32 with one export
//! per entry point. Each step is its own file; they run in this order.

mod dtors;
pub mod dynexc;
mod exports;
mod nrt;
pub mod parallel;
mod retarget;
mod strip;

use anyhow::Result;
use inkwell::module::Module;
use inkwell::targets::TargetMachine;

use crate::numba::entry::Entry;

/// Make the module a wasm32 module without CPython parts; the entry
/// points are still plain Numba functions afterwards.
pub fn prepare(module: &Module<'_>, machine: &TargetMachine) {
    strip::python_wrappers(module);
    strip::excinfo_hashes(module);
    nrt::defer_to_shim(module);
    dynexc::lower(module);
    parallel::lower(module);
    dtors::element_dtors(module);
    retarget::to_wasm32(module, machine);
}

/// Add one export per entry and hide everything else; returns the wasm
/// export name of each entry.
pub fn add_exports(module: &Module<'_>, entries: &[Entry]) -> Result<Vec<String>> {
    let exports = exports::add_entry_exports(module, entries)?;
    exports::internalize_all_but(module, &exports);
    Ok(exports)
}

pub use retarget::wasm32_data_layout;
