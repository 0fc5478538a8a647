//! Point the module at wasm32 with 8-byte pointer slots.
//!
//! Numba computed struct sizes and offsets for 8-byte pointers (and bakes
//! them into optimized IR as byte offsets). With `p:32:64` pointers are 4
//! bytes wide but 8-byte aligned, so every struct holding pointers (array
//! struct, MemInfo, excinfo) keeps its x86-64 byte layout.

use inkwell::attributes::AttributeLoc;
use inkwell::module::Module;
use inkwell::targets::{TargetData, TargetMachine};

/// Host-specific function attributes that would make the wasm backend
/// reject or mis-tune the code.
const HOST_ATTRIBUTES: [&str; 3] = ["target-cpu", "target-features", "tune-cpu"];

pub fn wasm32_data_layout(machine: &TargetMachine) -> String {
    let default = machine.get_target_data().get_data_layout();
    let text = default.as_str().to_string_lossy().into_owned();
    let mut parts: Vec<String> = text
        .split('-')
        .filter(|p| !p.starts_with("p:"))
        .map(str::to_string)
        .collect();
    parts.insert(2.min(parts.len()), "p:32:64".to_string());
    parts.join("-")
}

pub fn to_wasm32(module: &Module<'_>, machine: &TargetMachine) {
    module.set_triple(&machine.get_triple());
    let layout = TargetData::create(&wasm32_data_layout(machine));
    module.set_data_layout(&layout.get_data_layout());
    for f in module.get_functions() {
        for key in HOST_ATTRIBUTES {
            if f.get_string_attribute(AttributeLoc::Function, key)
                .is_some()
            {
                f.remove_string_attribute(AttributeLoc::Function, key);
            }
        }
    }
}
