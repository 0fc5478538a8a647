//! Stage 2: the merged Numba module -> a module for wasm32 with one export
//! per entry point. Each step is its own file; they run in this order.

mod exports;
mod nrt;
mod retarget;
mod strip;

use anyhow::Result;
use inkwell::module::Module;
use inkwell::targets::TargetMachine;

use crate::numba::entry::Entry;

/// Rewrite `module` in place; returns the wasm export name of each entry.
pub fn rewrite(module: &Module<'_>, machine: &TargetMachine, entries: &[Entry]) -> Result<Vec<String>> {
    strip::python_wrappers(module);
    nrt::defer_to_shim(module);
    retarget::to_wasm32(module, machine);
    let exports = exports::add_entry_exports(module, entries)?;
    exports::internalize_all_but(module, &exports);
    Ok(exports)
}

pub use retarget::wasm32_data_layout;
