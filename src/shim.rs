//! The runtime shim (`shims/`), built for wasm32 by build.rs and embedded.

/// The shim as a wasm32 static library, handed to wasm-ld.
pub const ARCHIVE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libnumba_wasm_shim.a"));

/// Every symbol the shim defines (its own functions, libm, compiler builtins).
pub const SYMBOLS: &[&str] = include!(concat!(env!("OUT_DIR"), "/shim_symbols.rs"));

pub fn provides(symbol: &str) -> bool {
    SYMBOLS.binary_search(&symbol).is_ok()
}

/// Exports the host glue calls directly (see docs/ABI.md).
pub const HOST_EXPORTS: [&str; 6] = [
    "nw_alloc",
    "nw_free",
    "nw_stats",
    "NRT_MemInfo_alloc_aligned",
    "NRT_incref",
    "NRT_decref",
];

/// Host exports only a module that needs them gets, each with the symbols
/// whose presence in the compiled kernels calls for it: seeding the random
/// states (which take 7.5 KB of memory) and freeing a dynamic excinfo.
pub const HOST_EXPORTS_IF_USED: [(&str, &[&str]); 2] = [
    (
        "nw_random_init",
        &[
            "numba_get_py_random_state",
            "numba_get_np_random_state",
            "numba_get_internal_random_state",
        ],
    ),
    ("nw_exc_clear", &["nw_exc_finish"]),
];

/// The host exports that build list arguments (a reflected list's payload,
/// a typed list), for modules with such an argument.
pub const LIST_ARGUMENT_EXPORTS: [&str; 2] = ["NRT_MemInfo_new_varsize_dtor", "nw_list_from"];
