//! Remove the CPython and cfunc wrappers: they box and unbox Python
//! objects, which do not exist in wasm. What they alone used (Py* symbols,
//! environment globals) is removed by dead-code elimination later.

use inkwell::module::Module;
use inkwell::values::BasicValue;

use crate::ir::make_declaration;
use crate::numba::callconv::is_python_wrapper;

pub fn python_wrappers(module: &Module<'_>) {
    let wrappers: Vec<_> = module
        .get_functions()
        .filter(|f| f.get_name().to_str().is_ok_and(is_python_wrapper))
        .collect();
    for f in wrappers {
        // Nothing but other wrappers refers to a wrapper; the entry points
        // are called by the wrappers, never the other way round.
        if f.as_global_value()
            .as_pointer_value()
            .get_first_use()
            .is_none()
        {
            // SAFETY: the function has no remaining uses.
            unsafe { f.delete() };
        } else {
            make_declaration(f);
        }
    }
}
