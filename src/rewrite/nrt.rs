//! NRT functions that Numba defines inside the IR (`nrtdynmod.py`:
//! `NRT_incref`, `NRT_decref`, `nrt_atomic_*`, `NRT_MemInfo_data_fast`)
//! are implemented by the runtime shim instead: the optimized x86-64 copies
//! use x86-only atomics, and one definition keeps refcounting in one place.

use inkwell::module::Module;

use crate::ir::{is_defined, make_declaration};
use crate::shim;

pub fn defer_to_shim(module: &Module<'_>) {
    for f in module.get_functions() {
        let Ok(name) = f.get_name().to_str() else {
            continue;
        };
        if is_defined(f) && shim::provides(name) {
            make_declaration(f);
        }
    }
}
