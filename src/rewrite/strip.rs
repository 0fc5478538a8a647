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

/// Drop the SHA-1 of each static exception's pickle from its excinfo
/// constant (`.const.picklebuf.*`: `{pickle, size, sha1, fn, alloc}`): only
/// Numba's CPython side reads it, to cache unpickled exceptions. The hash
/// constants then go with dead-code elimination.
pub fn excinfo_hashes(module: &Module<'_>) {
    for g in module.get_globals() {
        if !g.get_name().to_bytes().starts_with(b".const.picklebuf.") {
            continue;
        }
        let Some(inkwell::values::BasicValueEnum::StructValue(s)) = g.get_initializer() else {
            continue;
        };
        let fields: Option<Vec<_>> = (0..s.get_type().count_fields())
            .map(|i| s.get_field_at_index(i))
            .collect();
        let Some(mut fields) = fields else {
            continue;
        };
        let Some(inkwell::values::BasicValueEnum::PointerValue(hash)) = fields.get(2).copied()
        else {
            continue;
        };
        fields[2] = hash.get_type().const_null().as_basic_value_enum();
        g.set_initializer(&s.get_type().const_named_struct(&fields));
    }
}
